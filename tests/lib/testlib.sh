# Small assertion helpers for shell tests. Source it; call `finish` last.
# Each check prints "ok" or "FAIL" with what differed; finish prints the
# plain "N passed, M failed" line that CI reads and sets the exit status.
export LC_ALL=C TZ=UTC
T_PASS=0
T_FAIL=0
OUT=""
ERR=""
STATUS=0

# run CMD...: runs with a time limit, keeps stdout, stderr and the status.
run() {
	local o e
	o=$(mktemp) e=$(mktemp)
	timeout 60 "$@" >"$o" 2>"$e" </dev/null
	STATUS=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
}

pass() { T_PASS=$((T_PASS + 1)); echo "ok   $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $*"; [ -n "$ERR" ] && echo "     stderr: $ERR"; return 1; }

expect_status() {
	if [ "$STATUS" = "$1" ]; then pass "exit $1"; else fail "exit $STATUS, wanted $1"; fi
}
expect_eq() {
	if [ "$1" = "$2" ]; then pass "${3:-equal}"; else fail "${3:-equal}: got [$1] wanted [$2]"; fi
}
expect_out_contains() {
	case "$OUT" in *"$1"*) pass "stdout has [$1]" ;; *) fail "stdout lacks [$1]: [$OUT]" ;; esac
}
expect_err_contains() {
	case "$ERR" in *"$1"*) pass "stderr has [$1]" ;; *) fail "stderr lacks [$1]" ;; esac
}
# The error contract: exactly one line, "codefleet: ..." containing $1.
expect_one_error_line() {
	local n
	n=$(printf '%s' "$ERR" | grep -c '')
	if [ "$n" = 1 ] && [[ $ERR == codefleet:* ]] && [[ $ERR == *"$1"* ]]; then
		pass "error line [$1]"
	else
		fail "wanted one 'codefleet: ...$1' line, got [$ERR]"
	fi
}
finish() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ] && [ "$T_PASS" -gt 0 ]
}

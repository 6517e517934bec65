#!/usr/bin/env bash
# shellcheck disable=SC2034,SC2086  # STATUS/ERR feed testlib.sh; $stopped is a PID list
# A host that stalls on a kept-open connection (its probe script is stopped
# with SIGSTOP between two rounds of `watch`): that round reports it as
# `timeout` at the deadline (polling.timeout 3s) while the other host answers
# at its usual speed; the next round reconnects and the host is `ok` again.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CODEFLEET_BIN:=$CODEFLEET_SRC/build/codefleet}"
. "$CODEFLEET_SRC/tests/lib/testlib.sh"
. "$CODEFLEET_SRC/tests/fleet/fleet.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/probe_stall.XXXXXX")
dir=$tmp/fleet
watch_pid=
stopped=
cleanup() {
	[ -n "$stopped" ] && kill -CONT $stopped 2>/dev/null
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	rm -rf "$tmp"
}
fleet_trap "$dir" cleanup

if ! fleet_up 2 "$dir" 1.18.33 1.18.33; then
	fail "fleet_up failed"
	finish
	exit 1
fi
cat >"$tmp/config.yaml" <<'EOF'
local: false
polling:
  timeout: 3s
EOF

# the probe scripts (`sh -s`) running under a host's sshd
probe_shells() {
	local d
	for d in $(_fleet_descendants "$(fleet_host_get "$dir" "$1" FLEET_HOST_SSHD_PID)"); do
		[ "$(tr '\0' ' ' <"/proc/$d/cmdline" 2>/dev/null)" = "sh -s " ] && echo "$d"
	done
}
# wait_lines N: until watch has printed N lines (30 s at most)
wait_lines() {
	local i
	for i in $(seq 1 300); do
		[ "$(grep -c . "$tmp/watch.out" 2>/dev/null)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

XDG_CACHE_HOME=$tmp/cache "$CODEFLEET_BIN" -F "$dir/ssh_config" -c "$tmp/config.yaml" \
	watch --rounds 3 --interval 5 >"$tmp/watch.out" 2>"$tmp/watch.err" &
watch_pid=$!
wait_lines 1 || fail "no first round"
stopped=$(probe_shells host02)
if [ -n "$stopped" ]; then pass "host02's probe script runs on the kept-open connection"; else fail "no probe script under host02's sshd"; fi
kill -STOP $stopped 2>/dev/null
wait_lines 2 || fail "no second round"
kill -CONT $stopped 2>/dev/null
stopped=
wait "$watch_pid"
STATUS=$?
watch_pid=
ERR=$(cat "$tmp/watch.err")
expect_status 0
state() { jq -r --argjson r "$1" --arg h "$2" 'select(.round==$r) | .hosts[] | select(.name==$h) | "\(.state) \(.latency_ms)"' "$tmp/watch.out"; }
read -r st1 _ <<<"$(state 1 host02)"
read -r st2 lat2 <<<"$(state 2 host02)"
read -r st3 _ <<<"$(state 3 host02)"
read -r ok2 lat_other <<<"$(state 2 host01)"
expect_eq "$st1 $st2 $st3" "ok timeout ok" "host02: ok, timeout while stalled, ok again"
if [ "${lat2:-0}" -ge 2900 ] && [ "${lat2:-0}" -le 4000 ]; then pass "the stalled probe gave its worker back at the deadline ($lat2 ms)"; else fail "stalled probe took [$lat2] ms"; fi
expect_eq "$ok2" ok "host01 ok in the same round"
if [ "${lat_other:-99999}" -lt 2900 ]; then pass "host01 not delayed by the stall ($lat_other ms)"; else fail "host01 took [$lat_other] ms"; fi
expect_eq "$(jq -r 'select(.round==2) | .hosts[] | select(.name=="host02") | [.projects[].sessions[]] | length' "$tmp/watch.out")" \
	"$(fleet_host_get "$dir" host02 FLEET_HOST_SESSIONS)" "host02 keeps showing its last good data while stalled"
jq -r '"     round \(.round): \(.elapsed_ms) ms"' "$tmp/watch.out"

finish

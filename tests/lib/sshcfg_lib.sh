# Shared set-up of the ssh_config shell tests (sshcfg_diff.sh, sshcfg_errors.sh).
# Source it after setting:
#   corpus     the fixture folder the test reads
#   MIN_CASES  how many passed cases make a run count (summary fails below it)
# It sets src and bin (made absolute), the passed/failed counters, summary()
# and die(), and stops the test (through die) when the binary, the corpus,
# ssh or timeout is missing.
# Env: CODEFLEET_BIN (the binary), CODEFLEET_SRC (the source tree).
bin=${CODEFLEET_BIN:-}
passed=0
failed=0

summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ] && [ "$passed" -ge "$MIN_CASES" ]
}
die() {
	echo "FAIL $*"
	failed=$((failed + 1))
	summary
	exit 1
}

if [ -z "$bin" ] || [ ! -x "$bin" ]; then die "CODEFLEET_BIN is not an executable: '${bin}'"; fi
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -d "$corpus" ] || die "no corpus at $corpus"
command -v ssh >/dev/null || die "ssh (openssh-client) is not installed"
command -v timeout >/dev/null || die "timeout (coreutils) is not installed"

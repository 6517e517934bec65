#!/usr/bin/env bash
# The fleet harness never leaks processes: a test that fails runs fleet_down
# from its trap, one killed by SIGTERM too, and one killed by SIGKILL (no trap
# can run) is cleaned up by the watchdog.  Hosts without OpenCode, so fast.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/testlib.sh"
. "$CODEFLEET_SRC/tests/fleet/fleet.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fleet_cleanup.XXXXXX")
# the children's own sleep processes are ours to stop too (by PID)
trap 'for d in "$tmp"/f*; do [ -f "$d/pids" ] && fleet_down "$d"; [ -s "$d/sleep.pid" ] && kill "$(cat "$d/sleep.pid")" 2>/dev/null; done; rm -rf "$tmp"' EXIT

# alive_count DIR: recorded processes (and the descendants fleet_down saw) alive
alive_count() {
	local n=0 pid
	while read -r pid _; do
		[ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] && n=$((n + 1))
	done < <(cat "$1/pids" "$1/pids.down" "$1/stopped" 2>/dev/null)
	echo "$n"
}

# wait_file FILE TENTHS
wait_file() {
	local i
	for ((i = 0; i < $2; i++)); do [ -e "$1" ] && return 0; sleep 0.1; done
	return 1
}

# a child test script: brings up 2 hosts, makes an ssh connection that stays
# open, then ends the way $1 says
cat >"$tmp/child.sh" <<'EOF'
. "$CODEFLEET_SRC/tests/fleet/fleet.sh"
fleet_trap "$2"
FLEET_QUIET=1 fleet_up 2 "$2" none none,rawlogin || exit 9
ssh -F "$2/ssh_config" -o BatchMode=yes host01 'sleep 300' </dev/null >/dev/null 2>&1 &
for i in $(seq 100); do grep -q 'Starting session' "$2/host01/sshd.log" && break; sleep 0.1; done
touch "$2/ready"
case $1 in
fail) false || exit 3 ;;
wait) # wait (unlike a foreground sleep) lets the TERM trap run at once
	sleep 300 &
	echo $! >"$2/sleep.pid"
	wait $! ;;
esac
EOF

# 1. the test fails: the EXIT trap stops the fleet
CODEFLEET_SRC=$CODEFLEET_SRC timeout 60 bash "$tmp/child.sh" fail "$tmp/f1"
expect_eq "$?" 3 "failing child keeps its status"
if [ -f "$tmp/f1/pids.down" ]; then pass "trap ran fleet_down"; else fail "no fleet_down after a failure"; fi
expect_eq "$(alive_count "$tmp/f1")" 0 "nothing left after a failing test"
n=$(wc -l <"$tmp/f1/stopped" 2>/dev/null || echo 0)
if [ "$n" -ge 5 ]; then pass "fleet_down stopped sshd session processes too ($n PIDs)"; else fail "stopped only $n PIDs"; fi

# 2. SIGTERM to the test: the trap still stops the fleet
CODEFLEET_SRC=$CODEFLEET_SRC bash "$tmp/child.sh" wait "$tmp/f2" &
cpid=$!
if wait_file "$tmp/f2/ready" 300; then pass "child 2 up"; else fail "child 2 not up"; fi
kill -TERM "$cpid"
wait "$cpid"
wait_file "$tmp/f2/pids.down" 100
expect_eq "$(alive_count "$tmp/f2")" 0 "nothing left after SIGTERM"

# 3. SIGKILL to the test: no trap runs; the watchdog cleans up within seconds
CODEFLEET_SRC=$CODEFLEET_SRC bash "$tmp/child.sh" wait "$tmp/f3" &
cpid=$!
if wait_file "$tmp/f3/ready" 300; then pass "child 3 up"; else fail "child 3 not up"; fi
before=$(alive_count "$tmp/f3")
if [ "$before" -ge 4 ]; then pass "child 3 runs $before recorded processes"; else fail "child 3 runs only $before"; fi
kill -KILL "$cpid"
wait "$cpid" 2>/dev/null
if wait_file "$tmp/f3/pids.down" 150; then pass "watchdog ran fleet_down"; else fail "watchdog did not run"; fi
for ((i = 0; i < 50; i++)); do [ "$(alive_count "$tmp/f3")" = 0 ] && break; sleep 0.1; done
expect_eq "$(alive_count "$tmp/f3")" 0 "nothing left after SIGKILL"
expect_eq "$(fleet_leftovers "$tmp/f3")" "" "fleet_leftovers is empty"

# 4. fleet_down twice is harmless; a second fleet_up into the same DIR refuses
fleet_down "$tmp/f3"
expect_eq "$?" 0 "second fleet_down"
mkdir -p "$tmp/f4" && : >"$tmp/f4/pids"
if FLEET_QUIET=1 fleet_up 1 "$tmp/f4" none 2>/dev/null; then fail "fleet_up reused a DIR"; else pass "fleet_up refuses a DIR with a fleet"; fi
rm -f "$tmp/f4/pids"

finish

#!/usr/bin/env bash
# Fault: a host lost mid-reply. host02's probe script sends half of its real
# reply (a hostile `cat` on its PATH prints half of the reply file after the
# script's `MARKER begin` line, then sleeps); once that half is out, the test
# SIGKILLs host02's sshd session processes (by PID). host03 is lost earlier
# in the probe: a hostile `sqlite3` sleeps on the data query, and its sshd
# session processes are killed while the client waits for the reply. Both are
# `error` (connection lost) or `timeout`, never a hang: `ls` returns within
# the deadline (5s here, so the kill lands well inside it) plus one second,
# and the good host next to them is `ok` with every session.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init lost 5
fault_fleet_up 3 1.18.33 1.18.33 1.18.33
fault_hostile host02 cat half
fault_hostile host03 sqlite3 sleep

# the killer: waits for each hostile tool, then kills that host's sessions
(
	fault_wait_file "$FD/host02/hostile.flag" 80 && echo "host02 $(fault_kill_sessions host02)" >>"$FT/killed"
) &
k2=$!
(
	fault_wait_file "$FD/host03/hostile.pids" 80 && sleep 0.3 && echo "host03 $(fault_kill_sessions host03)" >>"$FT/killed"
) &
k3=$!
FAULT_PIDS+=("$k2" "$k3")
fault_ls
wait "$k2" "$k3"
sed 's/^/     killed sshd session processes of /' "$FT/killed" 2>/dev/null
expect_status 1
fault_expect_bound
for h in host02 host03; do
	if grep -q "^$h [0-9]" "$FT/killed" 2>/dev/null; then pass "$h: its sshd session was killed mid-probe"; else fail "$h: nothing to kill (the hostile tool never ran?)"; fi
	st=$(jget "$h" .state)
	case $st in
	error) fault_expect_host "$h" error 'lost|closed|ended|disconnect|EOF|reset|truncated' ;;
	timeout) fault_expect_host "$h" timeout 'deadline|time' ;;
	*) fail "$h: state [$st], wanted error or timeout" ;;
	esac
	expect_eq "$(jget "$h" '[.projects[].sessions[]] | length')" 0 "$h: nothing of the half reply shown"
done
fault_expect_good host01

finish

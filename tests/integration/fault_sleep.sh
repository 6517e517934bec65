#!/usr/bin/env bash
# Fault: a host whose probe sleeps past the deadline. host02's PATH starts
# with a hostile `sqlite3` that passes the capability checks and the schema
# query, then sleeps 60 s on the data query. The host is `timeout` at the
# deadline (polling.timeout 3s), `ls` returns within the deadline plus one
# second, and the good host next to it is `ok` with every session.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init sleep 3
fault_fleet_up 2 1.18.33 1.18.33
fault_hostile host02 sqlite3 sleep

fault_ls
expect_status 1
fault_expect_bound
fault_expect_host host02 timeout 'deadline|time'
if [ -s "$FD/host02/hostile.pids" ]; then pass "the hostile sqlite3 was sleeping"; else fail "the hostile sqlite3 never ran"; fi
fault_expect_at_deadline host02
fault_expect_good host01

finish

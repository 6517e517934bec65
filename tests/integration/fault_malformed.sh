#!/usr/bin/env bash
# Fault: a host whose probe prints malformed JSON. host02's PATH starts with
# a hostile `sqlite3` that passes the probe script's capability checks and
# schema query but answers the data query with broken JSON in well-framed
# sections (so the script takes its normal sqlite3 path and cannot fall
# back). The host is `error` with a reason naming the bad JSON, promptly (not
# at the deadline), and the good host next to it is `ok` with every session.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init malformed 3
fault_fleet_up 2 1.18.33 1.18.33
fault_hostile host02 sqlite3 malformed

fault_ls
expect_status 1
fault_expect_bound
fault_expect_host host02 error 'JSON|json|malformed|truncated|expected'
expect_eq "$(jget host02 '[.projects[].sessions[]] | length')" 0 "host02: nothing of the broken reply shown"
if [ -s "$FD/host02/hostile.pids" ]; then pass "the hostile sqlite3 answered the data query"; else fail "the hostile sqlite3 was never asked for data"; fi
fault_expect_prompt host02
fault_expect_good host01

finish

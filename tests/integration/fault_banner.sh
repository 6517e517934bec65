#!/usr/bin/env bash
# Fault: a server that answers with a garbage banner. A host whose "sshd"
# sends a line that is not an SSH version string (with an escape sequence
# and control bytes in it) and keeps the socket open, and one that sends
# binary junk and hangs up, are `error` at once (not at the deadline), with
# a printable reason; the good host next to them is `ok` with every session.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init banner 3
fault_fleet_up 1 1.18.33
fault_servers garbage garbage-close
fault_host_block garbage "$(fault_server_port garbage)"
fault_host_block junkclose "$(fault_server_port garbage-close)"

fault_ls
expect_status 1
fault_expect_bound
fault_expect_host garbage error 'not an SSH server|banner|[Pp]rotocol'
fault_expect_host junkclose error 'not an SSH server|banner|[Pp]rotocol|closed'
fault_expect_prompt garbage
fault_expect_prompt junkclose
if grep -q $'\033' "$FT/ls.json"; then fail "an escape character of the banner reached the output"; else pass "no escape character in the output"; fi
fault_expect_good host01
# the table shows the same reasons, just as clean
run "$FT/cf" ls
expect_status 1
if grep -q 'garbage .*error' <<<"$OUT" && ! grep -q $'\033' <<<"$OUT"; then
	pass "the table shows the garbage host's error without its escape sequences"
else
	fail "table: [$(grep garbage <<<"$OUT" | cat -v)]"
fi

finish

#!/usr/bin/env bash
# Fault: a refused port. A host whose port has no listener is `offline` with
# a reason naming the refusal, at once (not at the deadline), and the good
# hosts next to it are `ok` with every session.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init refused 3
fault_fleet_up 2 1.18.33 1.2.27
closed=$(fault_closed_port)
[ -n "$closed" ] || fault_bail "no free port"
fault_host_block refused "$closed"

fault_ls
expect_status 1
fault_expect_host refused offline '[Rr]efused'
fault_expect_good host01 host02
fault_expect_bound
fault_expect_prompt refused

finish

#!/usr/bin/env bash
# Fault: a host without OpenCode (fleet spec `none`: no binary, no data). It
# is `no-opencode` with a reason saying so, nothing was created in its home
# (the probe leaves a host without OpenCode untouched), and the good host
# next to it is `ok` with every session.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init no_opencode 3
fault_fleet_up 2 1.18.33 none
home2=$(hget host02 FLEET_HOST_HOME)
before=$(cd "$home2" && find . | sort)

fault_ls
expect_status 1
fault_expect_bound
fault_expect_host host02 no-opencode '[Oo]pen[Cc]ode.*not found|not found.*opencode|no opencode'
expect_eq "$(jget host02 '[.projects[]] | length')" 0 "host02: no projects"
fault_expect_good host01
expect_eq "$(cd "$home2" && find . | sort)" "$before" "nothing created in host02's home"

finish

#!/usr/bin/env bash
# Fault: authentication refused. A host whose only identity (IdentitiesOnly,
# no agent) is a key its sshd does not authorize is `auth-required`, with a
# reason; sshd's log shows the refused attempt and no session; the good host
# next to it (same sshd user, authorized key) is `ok` with every session.
# The faulty host is a second alias of host02's sshd, so the log shows that
# the refusal is about the key, not the server.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init auth 3
fault_fleet_up 2 1.18.33 1.18.33
ssh-keygen -q -t ed25519 -N '' -C fault-unauthorized -f "$FT/id_other" </dev/null >/dev/null ||
	fault_bail "ssh-keygen failed"
fault_host_block noauth "$(hget host02 FLEET_HOST_PORT)" IdentityFile="$FT/id_other"
other_fp=$(ssh-keygen -l -E sha256 -f "$FT/id_other.pub" | awk '{ print $2 }')

at=$(fault_log_size host02)
fault_ls --host noauth
expect_status 1
fault_expect_host noauth auth-required 'auth|denied|refused|publickey|key'
expect_eq "$(jget noauth '[.projects[].sessions[]] | length')" 0 "noauth: no sessions shown"
sleep 0.3 # let sshd write its log
log=$(fault_log_since host02 "$at")
if grep -q "Failed publickey.*$other_fp\|userauth.*$other_fp\|$other_fp" <<<"$log" || grep -q "Connection closed by authenticating user\|Disconnected from authenticating user" <<<"$log"; then
	pass "sshd saw the refused key"
else
	fail "sshd log shows no refused attempt: [$log]"
fi
if grep -qE 'Accepted publickey|Starting session|session opened' <<<"$log"; then
	fail "sshd accepted something for the unauthorized key: [$log]"
else
	pass "sshd opened no session for it"
fi

# the whole fleet: the refused host does not disturb the others
fault_ls
expect_status 1
fault_expect_bound
fault_expect_host noauth auth-required 'auth|denied|refused|publickey|key'
fault_expect_good host01 host02

finish

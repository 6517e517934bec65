#!/usr/bin/env bash
# Fault: an unknown host key. known_hosts has no line for host02: under
# StrictHostKeyChecking ask and yes it is `hostkey-unknown` with the key's
# SHA256 fingerprint (the one ssh-keygen -l prints for the host's key) in the
# reason; it is not trusted behind the operator's back (known_hosts unchanged)
# and no authentication reaches sshd; the good host next to it is `ok` with
# every session.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init hostkey_unknown 3
fault_fleet_up 2 1.18.33 1.18.33
fault_known_host host01 >"$FT/known_hosts"
cp "$FT/known_hosts" "$FT/known_hosts.before"
port=$(hget host02 FLEET_HOST_PORT)
fp=$(fault_fingerprint host02)
fault_host_block unknown_ask "$port" StrictHostKeyChecking=ask
fault_host_block unknown_yes "$port" StrictHostKeyChecking=yes

at=$(fault_log_size host02)
fault_ls --host 'unknown_*'
expect_status 1
for h in unknown_ask unknown_yes; do
	fault_expect_host "$h" hostkey-unknown 'SHA256:[A-Za-z0-9+/]{43}'
	case $(jget "$h" .reason) in
	*"$fp"*) pass "$h: the reason has the host's own fingerprint" ;;
	*) fail "$h: reason [$(jget "$h" .reason)] lacks $fp" ;;
	esac
done
if cmp -s "$FT/known_hosts" "$FT/known_hosts.before"; then pass "known_hosts unchanged"; else fail "known_hosts was modified: $(diff "$FT/known_hosts.before" "$FT/known_hosts")"; fi
sleep 0.3
log=$(fault_log_since host02 "$at")
if grep -qiE 'userauth|Accepted|Postponed|Starting session|authenticating user' <<<"$log"; then
	fail "authentication reached sshd before the key was trusted: [$log]"
else
	pass "no authentication attempt in sshd's log"
fi

# the whole fleet (host02 itself is unknown too: StrictHostKeyChecking yes)
fault_ls
expect_status 1
fault_expect_bound
for h in host02 unknown_ask; do
	fault_expect_host "$h" hostkey-unknown "SHA256:"
	case $(jget "$h" .reason) in *"$fp"*) pass "$h: its fingerprint" ;; *) fail "$h: no $fp in the reason" ;; esac
done
fault_expect_good host01

finish

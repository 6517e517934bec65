#!/usr/bin/env bash
# Fault: a changed host key. known_hosts holds another key for
# [127.0.0.1]:PORT of host02: the host is `hostkey-changed` under
# StrictHostKeyChecking yes, no and accept-new alike (never connected to,
# never auto-accepted), known_hosts is left as it was, and sshd's log shows
# the TCP connection but no authentication attempt and no session; the good
# host next to it is `ok` with every session.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init hostkey_changed 3
fault_fleet_up 2 1.18.33 1.18.33
ssh-keygen -q -t ed25519 -N '' -C impostor -f "$FT/impostor" </dev/null >/dev/null || fault_bail "ssh-keygen failed"
port=$(hget host02 FLEET_HOST_PORT)
{
	fault_known_host host01
	printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1-2 "$FT/impostor.pub")"
} >"$FT/known_hosts"
cp "$FT/known_hosts" "$FT/known_hosts.before"
real_fp=$(fault_fingerprint host02)
# the same sshd under other StrictHostKeyChecking modes
fault_host_block changed_no "$port" StrictHostKeyChecking=no
fault_host_block changed_acceptnew "$port" StrictHostKeyChecking=accept-new
fault_host_block changed_ask "$port" StrictHostKeyChecking=ask

at=$(fault_log_size host02)
fault_ls
expect_status 1
fault_expect_bound
for h in host02 changed_no changed_acceptnew changed_ask; do
	fault_expect_host "$h" hostkey-changed 'changed|differs|mismatch|does not match|known_hosts|key'
	expect_eq "$(jget "$h" '[.projects[].sessions[]] | length')" 0 "$h: no sessions shown"
done
case $(jget host02 .reason) in
*"$real_fp"*) pass "the reason shows the key the host offered ($real_fp)" ;;
*) echo "     (reason does not show the offered key's fingerprint $real_fp)" ;;
esac
fault_expect_good host01
if cmp -s "$FT/known_hosts" "$FT/known_hosts.before"; then pass "known_hosts unchanged"; else fail "known_hosts was modified: $(diff "$FT/known_hosts.before" "$FT/known_hosts")"; fi

sleep 0.3 # let sshd write its log
log=$(fault_log_since host02 "$at")
conns=$(grep -c 'Connection from 127.0.0.1' <<<"$log")
if [ "$conns" -ge 4 ]; then
	pass "sshd saw the $conns TCP connections"
else
	fail "sshd saw $conns connections, wanted 4: [$log]"
fi
if grep -qiE 'userauth|publickey|Accepted|Postponed|Starting session|session opened|authenticating user' <<<"$log"; then
	fail "an authentication attempt or a session reached sshd: [$(grep -iE 'userauth|publickey|Accepted|Postponed|Starting session|session opened|authenticating user' <<<"$log")]"
else
	pass "no authentication attempt and no session in sshd's log"
fi

finish

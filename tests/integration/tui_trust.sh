#!/usr/bin/env bash
# An unknown host key, decided in the dashboard (ssh.strict_host_key_checking:
# ask, StrictHostKeyChecking ask): the host shows hostkey-unknown and nothing
# is recorded; `a` on it asks "Trust ...'s host key SHA256:...?" with the
# whole fingerprint (the one ssh-keygen prints for the host's key); `n`
# leaves known_hosts alone; `a` then `y` probes the host at once, it turns
# ok with its sessions, and known_hosts now holds exactly that host's key.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_trust
fault_known_host host01 >"$FT/known_hosts" # host02's key is not known
cp "$FT/known_hosts" "$FT/known_hosts.before"
port=$(hget host02 FLEET_HOST_PORT)
fp=$(fault_fingerprint host02)
fault_host_block newbox "$port" StrictHostKeyChecking=ask

tui_start
unknown() { screen | grep -Eq '^. . newbox .*hostkey-unknown'; }
wait_for "newbox shows hostkey-unknown" unknown

# put the cursor on newbox: filter by its name, keep it, go to the match
keys /
keys -l newbox
keys Enter
keys n
on_it() { cursor | grep -qF newbox; }
wait_for "the cursor on newbox" on_it

keys a
wait_for "a: the question shows the whole fingerprint" has "$fp"
wait_for "a: it asks to trust the host key" has "Trust newbox's host key"
keys n
wait_for "n: the question goes" hasnt "Trust newbox"
sleep 0.5
if cmp -s "$FT/known_hosts" "$FT/known_hosts.before"; then pass "n: known_hosts unchanged"; else
	fail "n: known_hosts changed"
fi

keys a
wait_for "a again: the question" has "Trust newbox's host key"
keys y
trusted() { screen | grep -Eq '^. . newbox .* ok '; }
wait_for "y: newbox is probed at once and turns ok" trusted
expect_eq "$(grep -c . "$FT/known_hosts")" 2 "known_hosts has one more line"
if ssh-keygen -F "[127.0.0.1]:$port" -f "$FT/known_hosts" | grep -q "$(cut -d' ' -f2 "$FD/host02/ssh_host_ed25519_key.pub")"; then
	pass "the line is host02's own key"
else
	fail "known_hosts: $(cat "$FT/known_hosts")"
fi
tui_quit
finish

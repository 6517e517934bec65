#!/usr/bin/env bash
# All the faults at once: one `codefleet ls --json` over 5 good hosts
# (OpenCode 1.18.33, 1.2.27 and 1.1.65 data) and one host per fault:
#   refused port (offline), silent listener (timeout), garbage banner
#   (error), unauthorized key (auth-required), changed host key
#   (hostkey-changed), unknown host key under ask (hostkey-unknown), no
#   OpenCode (no-opencode), malformed JSON (error), 50 MB reply (error; the
#   script's own cap here, the client's cap is fault_bigreply's),
#   probe sleeping past the deadline (timeout), host lost mid-reply (error or
#   timeout).
# ls finishes within the deadline (polling.timeout 5s) plus one second,
# exits 1, lists exactly these 16 hosts, and reports each one correctly: the
# good ones `ok` with every session, the faulty ones with their state and
# reason.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init fleet 5
fault_config "$FAULT_TIMEOUT" 16
fault_fleet_up 10 1.18.33 1.2.27 1.1.65 1.18.33 1.18.33 none 1.18.33 1.18.33 1.18.33 1.18.33
fault_hostile host07 sqlite3 malformed
fault_hostile host08 sqlite3 big
fault_hostile host09 sqlite3 sleep
fault_hostile host10 cat half

fault_servers silent garbage
closed=$(fault_closed_port)
fault_host_block refused "$closed"
fault_host_block silent "$(fault_server_port silent)"
fault_host_block garbage "$(fault_server_port garbage)"
ssh-keygen -q -t ed25519 -N '' -C fault-unauthorized -f "$FT/id_other" </dev/null >/dev/null || fault_bail "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -C impostor -f "$FT/impostor" </dev/null >/dev/null || fault_bail "ssh-keygen"
fault_host_block noauth "$(hget host01 FLEET_HOST_PORT)" IdentityFile="$FT/id_other"
printf '[127.0.0.1]:%s %s\n' "$(hget host02 FLEET_HOST_PORT)" "$(cut -d' ' -f1-2 "$FT/impostor.pub")" >"$FT/known_hosts.changed"
fault_host_block changed "$(hget host02 FLEET_HOST_PORT)" UserKnownHostsFile="$FT/known_hosts.changed"
: >"$FT/known_hosts.empty"
fault_host_block unknown "$(hget host03 FLEET_HOST_PORT)" UserKnownHostsFile="$FT/known_hosts.empty" StrictHostKeyChecking=ask

# host10 is lost mid-reply: its sshd session processes are killed once half
# of the reply is out
(
	fault_wait_file "$FD/host10/hostile.flag" 100 && fault_kill_sessions host10 >"$FT/killed"
) &
FAULT_PIDS+=("$!")
killer=$!
fault_ls
wait "$killer"
expect_status 1
fault_expect_bound
expect_eq "$(jq -r '[.hosts[].name] | sort | join(" ")' <<<"$OUT")" \
	"changed garbage host01 host02 host03 host04 host05 host06 host07 host08 host09 host10 noauth refused silent unknown" \
	"every host listed once"
jq -r '.hosts[] | "     \(.name): \(.state) (\(.latency_ms) ms) \(.reason // "")"' <<<"$OUT"

fault_expect_good host01 host02 host03 host04 host05
fault_expect_host refused offline '[Rr]efused'
fault_expect_host silent timeout 'deadline|time'
fault_expect_host garbage error 'not an SSH server|banner|[Pp]rotocol'
fault_expect_host noauth auth-required 'accepted|auth|denied|publickey|key'
fault_expect_host changed hostkey-changed 'changed|differs|mismatch|known_hosts'
fault_expect_host unknown hostkey-unknown "SHA256:"
case $(jget unknown .reason) in *"$(fault_fingerprint host03)"*) pass "unknown: host03's fingerprint" ;; *) fail "unknown: not host03's fingerprint" ;; esac
fault_expect_host host06 no-opencode '[Oo]pen[Cc]ode.*not found|not found.*opencode|no opencode'
fault_expect_host host07 error 'JSON|json|malformed|truncated|expected'
fault_expect_host host08 error 'larger than|longer than|too (big|large|long)|bytes'
fault_expect_host host09 timeout 'deadline|time'
if [ -s "$FT/killed" ]; then pass "host10: sshd session killed mid-reply ($(cat "$FT/killed"))"; else fail "host10: nothing was killed"; fi
case $(jget host10 .state) in
error) fault_expect_host host10 error 'lost|closed|ended|disconnect|EOF|reset|truncated' ;;
timeout) fault_expect_host host10 timeout 'deadline|time' ;;
*) fail "host10: state [$(jget host10 .state)], wanted error or timeout" ;;
esac

finish

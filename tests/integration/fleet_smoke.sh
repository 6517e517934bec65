#!/usr/bin/env bash
# shellcheck disable=SC2016  # remote commands are single-quoted on purpose
# The loopback fleet harness itself: 5 simulated hosts with real OpenCode data
# (1.18.33, 1.2.27, 1.1.65 JSON storage, one with a running session and
# opencode only in ~/.opencode/bin, one without opencode), reached with the real
# ssh client; then torn down with no process left behind.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/testlib.sh"
. "$CODEFLEET_SRC/tests/fleet/fleet.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fleet_smoke.XXXXXX")
dir=$tmp/fleet
fleet_trap "$dir" 'rm -rf "$tmp"' # before fleet_up: a failing fleet_up is cleaned up too

t0=$(date +%s%3N)
if fleet_up 5 "$dir" 1.18.33 1.2.27 1.1.65 1.18.33,running,home none; then
	pass "fleet_up 5 hosts in $(($(date +%s%3N) - t0)) ms"
else
	fail "fleet_up failed"
	finish
	exit 1
fi

# sq HOST SQL: sqlite3 -readonly over ssh on the host's own database
sq() { fleet_ssh "$dir" "$1" "sqlite3 -readonly \"\$XDG_DATA_HOME/opencode/opencode.db\" \"$2\""; }
get() { fleet_host_get "$dir" "$1" "$2"; }

for host in host01 host02 host03 host04 host05; do
	res=$(fleet_ssh "$dir" "$host" 'echo "ok|$HOME|$XDG_DATA_HOME|$(pwd)|$(id -un)"' 2>&1)
	h=$(get "$host" FLEET_HOST_HOME)
	expect_eq "$res" "ok|$h|$h/.local/share|$h|$(id -un)" "$host answers with its own HOME, XDG_DATA_HOME and cwd"
done

# the sshd of each host is the one in its PidFile, and alive
for host in host01 host02 host03 host04 host05; do
	pf=$(get "$host" FLEET_HOST_PIDFILE)
	if [ -s "$pf" ] && kill -0 "$(cat "$pf")" 2>/dev/null; then pass "$host sshd pid file"; else fail "$host sshd pid file $pf"; fi
done

# strict host key checking with the generated known_hosts: a wrong key fails
bad=$tmp/bad_known_hosts
sed 's/ssh-ed25519 .*/ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDJ1gNvKE5QmhW3QjLx1N2+9pC4ySSZLxYd8wnXkH6U8/' "$dir/known_hosts" >"$bad"
if timeout 20 ssh -F "$dir/ssh_config" -o BatchMode=yes -o UserKnownHostsFile="$bad" host01 true </dev/null 2>/dev/null; then
	fail "a changed host key was accepted"
else
	pass "a changed host key is refused"
fi

# opencode on PATH (host01-03), only in ~/.opencode/bin (host04), absent
# (host05).  `opencode --version` costs ~2.5 s, so the hosts run it in parallel.
vpids=()
for host in host01 host02 host03; do
	fleet_ssh "$dir" "$host" 'command -v opencode >/dev/null && opencode --version' >"$tmp/ver.$host" 2>/dev/null &
	vpids+=($!)
done
fleet_ssh "$dir" host04 'command -v opencode || echo not-on-path; ~/.opencode/bin/opencode --version' >"$tmp/ver.host04" 2>/dev/null &
vpids+=($!)
res=$(fleet_ssh "$dir" host05 'command -v opencode; test -e ~/.opencode && echo has-.opencode; ls -A ~/.local/share' 2>/dev/null)
expect_eq "$res" "" "host05 has no opencode and no data"

# each host's database holds the sessions the harness made there (one ssh
# round trip per host)
for host in host01 host02 host04; do
	want=$(get "$host" FLEET_HOST_SESSIONS)
	res=$(sq "$host" "SELECT (SELECT count(*) FROM session),
		(SELECT count(*) FROM session WHERE parent_id IS NOT NULL),
		(SELECT count(*) FROM session WHERE time_archived IS NOT NULL),
		(SELECT count(*) FROM session WHERE title LIKE '%'||char(27)||'[31m%' AND title LIKE '%'||char(10)||'%'),
		(SELECT count(DISTINCT session_id) FROM message WHERE json_extract(data,'\$.role')='assistant'
			AND json_extract(data,'\$.tokens.input')>0 AND json_extract(data,'\$.cost')>0),
		(SELECT count(*) FROM session WHERE title LIKE 'Mock: %'),
		(SELECT count(*) FROM project WHERE worktree LIKE '$(get "$host" FLEET_HOST_HOME)/%')")
	IFS='|' read -r n child arch esc replies gen proj <<<"$res"
	if [ "$want" -ge 8 ] && [ "$n" = "$want" ]; then pass "$host has $n sessions"; else fail "$host sessions: got [$res] wanted [$want] (>= 8)"; fi
	expect_eq "$child" 1 "$host has a sub-agent session"
	expect_eq "$arch" 1 "$host has an archived session"
	expect_eq "$esc" 1 "$host has the title with ESC and newline"
	if [ "${replies:-0}" -ge 4 ]; then pass "$host has $replies sessions with real replies (tokens, cost)"; else fail "$host replies: [$replies]"; fi
	expect_eq "$gen" 1 "$host has a generated title"
	expect_eq "$proj" 3 "$host has 3 git projects in its own HOME"
done
# 1.18 has per-session usage columns, 1.2 does not
expect_eq "$(sq host01 "SELECT count(*) FROM pragma_table_info('session') WHERE name='cost'")" 1 "1.18 session.cost column"
expect_eq "$(sq host02 "SELECT count(*) FROM pragma_table_info('session') WHERE name='cost'")" 0 "1.2 has no session.cost column"
expect_eq "$(sq host02 "SELECT DISTINCT version FROM session")" 1.2.27 "host02 sessions made by 1.2.27"
# copies of one template still have different session ids per host
a=$(sq host01 "SELECT id FROM session ORDER BY id")
b=$(sq host04 "SELECT id FROM session ORDER BY id")
common=$(comm -12 <(printf '%s\n' "$a") <(printf '%s\n' "$b") | grep -c . || true)
expect_eq "$common" 0 "session ids differ between hosts"

# 1.1.65: JSON files, no database
want=$(get host03 FLEET_HOST_SESSIONS)
got=$(fleet_ssh "$dir" host03 'find "$XDG_DATA_HOME/opencode/storage/session" -name "ses_*.json" | wc -l; test -e "$XDG_DATA_HOME/opencode/opencode.db" && echo has-db' 2>/dev/null | tr -d ' ' | tr '\n' ' ')
if [ "$want" -ge 8 ] && [ "$got" = "$want " ]; then pass "host03 has $want JSON sessions and no db"; else fail "host03 JSON sessions: got [$got] wanted [$want]"; fi
got=$(fleet_ssh "$dir" host03 'grep -l "\"version\": \"1.1.65\"" "$XDG_DATA_HOME"/opencode/storage/session/*/*.json | wc -l' 2>/dev/null | tr -d ' ')
expect_eq "$got" "$want" "host03 sessions made by 1.1.65"

for p in "${vpids[@]}"; do wait "$p"; done
for host in host01 host02 host03; do
	v=$(get "$host" FLEET_HOST_OPENCODE_VERSION)
	expect_eq "$(tail -n1 "$tmp/ver.$host")" "$v" "$host runs opencode $v from PATH"
done
expect_eq "$(tr '\n' ' ' <"$tmp/ver.host04")" "not-on-path 1.18.33 " "host04 has opencode only in ~/.opencode/bin"

# the running session: serve alive, session busy, reply not completed in the DB
spid=$(get host04 FLEET_HOST_SERVE_PID)
sid=$(get host04 FLEET_HOST_RUNNING_SESSION)
if [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null; then pass "host04 serve process $spid alive"; else fail "host04 serve process [$spid] not alive"; fi
res=$(curl -s --max-time 10 "$(get host04 FLEET_HOST_SERVE_URL)/session/status" -H "x-opencode-directory: $(get host04 FLEET_HOST_SERVE_DIR)")
case $res in *"\"$sid\":{\"type\":\"busy\""*) pass "host04 session $sid busy" ;; *) fail "host04 status: $res" ;; esac
got=$(sq host04 "SELECT count(*) FROM message WHERE session_id='$sid' AND json_extract(data,'\$.role')='assistant' AND json_extract(data,'\$.time.completed') IS NULL")
expect_eq "$got" 1 "host04 running session has an unfinished assistant message"
got=$(fleet_ssh "$dir" host04 "cat /proc/$spid/cmdline | tr '\\0' ' '" 2>/dev/null)
case $got in *opencode*serve*) pass "host04 sees the serve process" ;; *) fail "host04 /proc/$spid/cmdline: [$got]" ;; esac

# tear down: every process the fleet started (and their children) is gone
ports=()
for host in host01 host02 host03 host04 host05; do ports+=("$(get "$host" FLEET_HOST_PORT)"); done
if fleet_down "$dir"; then pass "fleet_down"; else fail "fleet_down"; fi
left=$(fleet_leftovers "$dir")
expect_eq "$left" "" "no process left (by PID)"
n=0
while read -r pid _; do
	[ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] && n=$((n + 1))
done < <(cat "$dir/pids.down" "$dir/stopped" 2>/dev/null)
expect_eq "$n" 0 "no recorded sshd/opencode/node PID alive"
open=0
for p in "${ports[@]}"; do
	timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null && open=$((open + 1))
done
expect_eq "$open" 0 "no sshd port still accepting"

finish

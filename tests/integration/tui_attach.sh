#!/usr/bin/env bash
# Attach from the dashboard: Enter on a session gives the terminal to the
# real OpenCode TUI on that host (`ssh -t host 'cd -- DIR && exec opencode
# -s ID'`), which shows that session; when OpenCode exits (Ctrl-C) the
# dashboard is back, repainted and still running. A read-only host refuses
# attach with an error toast and the dashboard stays.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_attach

# host01's newest root session with a plain title; its id is unique
fault_ls
S1=$(jget host01 '[.projects[].sessions[] | select(.parent_id == null and .status != "archived"
	and ((.title // "") | test("^[ -~]{6,40}$")))] | sort_by(.updated) | last')
ID=$(jq -r .id <<<"$S1")
T1=$(jq -r '.title[0:20]' <<<"$S1")
DIR=$(jq -r .directory <<<"$S1")
if [ -z "$ID" ] || [ "$ID" = null ]; then
	fault_bail "no session on host01: [$S1]"
fi
SHORT=${ID: -8}

# wait_long DESC CMD...: like wait_for, up to 90 s (OpenCode's TUI starts slowly)
wait_long() {
	local desc=$1 i
	shift
	for ((i = 0; i < 180; i++)); do
		"$@" && {
			pass "$desc"
			return 0
		}
		sleep 0.5
	done
	fail "$desc; screen:"
	screen | sed 's/^/     | /'
	return 1
}

# select the session: filter by its id, keep the filter, n to the match
select_session() {
	keys /
	keys -l "$ID"
	keys Enter
	keys n
	wait_for "the cursor on host01's session $SHORT" cursor_has "$SHORT"
}
cursor_has() { cursor | grep -qF -- "$1"; }

tui_start
wait_for "both hosts ok" both_ok "$T1"
select_session

keys Enter
# OpenCode's footer names the session's directory; the dashboard is gone
opencode_up() { has "${DIR: -40}" && has "Build" && hasnt "codefleet  hosts:"; }
wait_long "Enter: OpenCode's own TUI shows the session on host01" opencode_up

keys C-c
back() { has "codefleet  hosts: 2 ok" && has "$SHORT"; }
wait_long "OpenCode exits: the dashboard is back" back
[ -s "$FT/status" ] && fail "codefleet ended during attach (status $(cat "$FT/status"))"
wait_for "the cursor is still on the session" cursor_has "$SHORT"
keys q
wait_for "q: codefleet exits" test -s "$FT/status"
expect_eq "$(cat "$FT/status")" 0 "exit status 0 after q"

# read-only: no attach
cat >>"$FT/config.yaml" <<'YAML'
hosts:
  overrides:
    host01:
      mode: read-only
YAML
tm kill-server >/dev/null 2>&1
rm -f "$FT/status"
tui_start
wait_for "read-only: both hosts ok" both_ok "$T1"
select_session
keys Enter
wait_for "read-only: Enter on the session is refused with a toast" has "read-only"
wait_for "read-only: the dashboard stays" has "codefleet  hosts:"
keys q
wait_for "q: codefleet exits" test -s "$FT/status"

if [ -s "$FT/cf.err" ] && grep -qv 'Connection to .* closed' "$FT/cf.err"; then
	fail "stderr: $(head -c 400 "$FT/cf.err")"
else
	pass "nothing on stderr but ssh's own goodbye (no sanitizer report)"
fi
finish

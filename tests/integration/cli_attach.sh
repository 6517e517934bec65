#!/usr/bin/env bash
# codefleet attach HOST SESSION_ID: the host is probed once, then OpenCode's
# own TUI runs for that session on this terminal (ssh -t to the loopback
# fleet host), found by its full id or by the tail the dashboard shows; the
# exit status is OpenCode's. Mistakes give one line on stderr and status 2
# (usage: no such host, an id too short, missing arguments) or 1 (no such
# session), and nothing is run.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init cli_attach
fault_ls
S1=$(jget host01 '[.projects[].sessions[] | select(.parent_id == null and .status != "archived")]
	| sort_by(.updated) | last')
ID=$(jq -r .id <<<"$S1")
DIR=$(jq -r .directory <<<"$S1")
[ -n "$ID" ] && [ "$ID" != null ] || fault_bail "no session on host01"

run "$FT/cf" attach nohost "$ID"
expect_status 2 "no such host"
expect_one_error_line "nohost"
run "$FT/cf" attach host01 ab
expect_status 2 "an id of 2 characters"
expect_err_contains "too short"
run "$FT/cf" attach host01
expect_status 2 "no session id"
run "$FT/cf" attach host01 ses_nonexistent
expect_status 1 "no such session"
expect_err_contains "no session 'ses_nonexistent' on host01"

# the real thing, on a terminal: the tail the dashboard shows is enough
tm new-session -d -s cf -x 120 -y 40 \
	"'$FT/cf' attach host01 '${ID: -8}' 2>'$FT/cf.err'; echo \$? >'$FT/status'" ||
	fault_bail "tmux did not start"
up() { has "${DIR: -40}" && has "Build"; }
for ((i = 0; i < 180; i++)); do up && break; sleep 0.5; done
if up; then pass "OpenCode's TUI shows the session's directory"; else
	fail "OpenCode's TUI did not come up; screen:"
	screen | sed 's/^/     | /'
fi
keys C-c
dead() { [ -s "$FT/status" ]; }
wait_for "Ctrl-C: OpenCode and codefleet end" dead
expect_eq "$(cat "$FT/status")" 0 "the exit status is OpenCode's (0)"
finish

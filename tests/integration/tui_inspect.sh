#!/usr/bin/env bash
# The dashboard's inspect dialog and panel in a real terminal (tmux 120x40,
# 2-host loopback fleet, OpenCode 1.18.33 and 1.2.27 data). `i` on a session
# opens the "inspect" dialog with that session's full id (as `ls --json`
# gives it), title, directory, host, model and message count; in a 20-row
# window j/k (and G/g) scroll it; Esc closes it and the tree is back, the
# cursor where it was. `i` on a host shows its state, OpenCode version, method
# sqlite3 and the resolved ssh options (the fleet's hostname and port). Tab
# opens the side panel (a frame titled inspect beside the tree), which
# follows the cursor (host, then project, then session details); Tab hides
# it; at 80 columns it is not drawn (the tree keeps the width) and at 120 it
# comes back; q exits with status 0 and nothing on stderr (LeakSanitizer in
# ASan builds).
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_inspect

fault_ls
# the newest root session of host01 with a plain ASCII title (first 20 chars
# find its row on screen)
T1=$(jget host01 '[.projects[].sessions[] | select(.parent_id == null and .status != "archived"
	and ((.title // "") | test("^[ -~]{3,60}$")))] | sort_by(.updated) | last | .title')
if [ -z "$T1" ] || [ "$T1" = null ]; then fault_bail "no session title in the fleet: [$T1]"; fi
T1S=${T1:0:20}
PORT1=$(hget host01 FLEET_HOST_PORT)
VER1=$(jget host01 .opencode_version)
if [ -z "$PORT1" ] || [ -z "$VER1" ] || [ "$VER1" = null ]; then
	fault_bail "no port/version for host01: [$PORT1] [$VER1]"
fi

row() { screen | sed -n "${1}p"; }
cursor_is() { [ "$(cursor)" = "$(row "$1")" ] && [ -n "$(row "$1")" ]; }
cursor_has() { cursor | grep -qF -- "$1"; }
# re TEXT: TEXT as a literal in an extended regex
# shellcheck disable=SC2001  # one sed, not a loop of substitutions
re() { sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"; }
# a line of the dialog (a frame side, a space, the text) or of the panel (no
# space), spaces, a frame side
B='[|│]'
dlg() { screen | grep -Eq -- "$B ?$1 *$B"; }
# the dialog's frame top, and the first line inside it
DLG_TOP='[+┌][-─] inspect [-─]'
dlg_open() { screen | grep -Eq -- "$DLG_TOP"; }
dlg_closed() { ! dlg_open; }
dlg_first() { screen | grep -E -A1 -- "$DLG_TOP" | sed -n 2p; }
first_is() { dlg_first | grep -Eq -- "$B $1"; }
# where the session's row ends: its short id is the last thing of a tree row
id_end() {
	local l
	l=$(cursor)
	l=${l%%"$short"*}
	echo $((${#l} + ${#short}))
}
ends_at() { [ "$(id_end)" = "$1" ]; }

tui_start
wait_for "both hosts ok with host01's session title" both_ok "$T1S"

# the session's row (the first with its title: host01 comes first) and the
# full id behind the short one at the end of the row
srow=$(screen | grep -nF -m1 -- "$T1S" | cut -d: -f1)
if [ -z "$srow" ] || [ "$srow" -le 2 ]; then fault_bail "no row with [$T1S]"; fi
for ((i = 2; i < srow; i++)); do keys j; done
wait_for "the cursor on the session's row ($srow)" cursor_is "$srow"
short=$(cursor | awk '{ print $NF }')
SES=$(jq -c --arg s "$short" '[.hosts[] | select(.name == "host01") | .projects[].sessions[] |
	select(.id | endswith($s))] | first' "$FT/ls.json")
ID=$(jq -r .id <<<"$SES")
TITLE=$(re "$(jq -r .title <<<"$SES")")
DIR=$(re "$(jq -r .directory <<<"$SES")")
MODEL=$(re "$(jq -r .model <<<"$SES")")
MSGS=$(jq -r .messages <<<"$SES")
if [ ${#short} -ge 6 ] && [[ $ID == ses_* ]] && [ "$MODEL" != null ] && [[ $MSGS =~ ^[0-9]+$ ]]; then
	pass "the row's short id $short is session $ID in ls --json"
else
	fault_bail "no session in ls --json for the row's short id [$short]: [$SES]"
fi

# ---- the dialog on a session ----
keys i
wait_for "i: the inspect dialog opens" dlg_open
wait_for "it shows the session's full id" dlg "id +$ID"
wait_for "its title" dlg "title +$TITLE"
wait_for "its directory" dlg "directory +$DIR"
wait_for "its host" dlg "host +host01"
wait_for "its model" dlg "model +$MODEL"
wait_for "its message count" dlg "messages +$MSGS"
wait_for "the footer says how to scroll and close" has "j/k scroll  esc close"
keys Escape
wait_for "Esc closes it" dlg_closed
wait_for "the tree is back, the cursor still on the session" cursor_is "$srow"

# scrolling: in a 20-row window the dialog has 14 lines of its 28 or so
tm resize-window -t cf -x 120 -y 20
footer_at() { screen | sed -n "${1}p" | grep -q " quit"; }
wait_for "120x20: the tree is redrawn (the footer on row 20)" footer_at 20
keys i
wait_for "i in 20 rows: the dialog starts at its first line (Session)" first_is "Session"
keys j
wait_for "j scrolls one line down (the id line first)" first_is "id +$ID"
keys j
wait_for "j again: the title line first" first_is "title +"
keys k
wait_for "k scrolls back up one line" first_is "id +$ID"
keys G
wait_for "G: the last lines show (probed by)" dlg "probed by +sqlite3 over ssh .*"
if first_is "Session" || first_is "id "; then
	fail "G did not scroll: [$(dlg_first)]"
else
	pass "G: the first lines are scrolled away"
fi
keys g
wait_for "g: back at the top" first_is "Session"
keys Escape
wait_for "Esc closes the scrolled dialog" dlg_closed
tm resize-window -t cf -x 120 -y 40
wait_for "back to 120x40" both_ok

# ---- the dialog on a host ----
keys g
wait_for "g: the cursor on host01" cursor_has host01
keys i
wait_for "i on a host: the inspect dialog" dlg_open
wait_for "the host's name" dlg "host +host01"
wait_for "its state" dlg "state +ok"
wait_for "its OpenCode version" dlg "version +$VER1"
wait_for "the method sqlite3" dlg "method +sqlite3"
wait_for "the resolved ssh hostname" dlg "hostname +127\\.0\\.0\\.1"
wait_for "the resolved ssh port (the fleet's)" dlg "port +$PORT1"
wait_for "the resolved identity file" dlg "identityfile +$(re "$FD")/id_ed25519"
wait_for "the address from them" dlg "address +[^ ]+@127\\.0\\.0\\.1:$PORT1"
keys Escape
wait_for "Esc closes it" dlg_closed

# ---- the panel ----
# the panel's frame on row 2, right of host01's row (the tree beside it)
PANEL_TOP="host01 .*$DLG_TOP"
panel_on() { row 2 | grep -Eq -- "$PANEL_TOP"; }
panel_off() { ! screen | grep -Eq -- "$DLG_TOP"; }
keys Tab
wait_for "Tab: the inspect panel beside the tree" panel_on
host_rows() { dlg "method +sqlite3" && dlg "port +$PORT1"; }
wait_for "the panel shows the selected host (method sqlite3, its port)" host_rows
keys j
project_rows() { dlg "Project" && dlg "path +~?/.*"; }
wait_for "j: the panel follows to the project" project_rows
if dlg "method +sqlite3"; then fail "the panel still shows the host's OpenCode rows"; else pass "the host's rows are gone"; fi
for ((i = 3; i < srow; i++)); do keys j; done
wait_for "j to the session: the panel shows its id" dlg "id +$ID"
wait_for "and its title (as far as the panel has room)" dlg "title +$(re "$T1S").*"
beside() { cursor_has "$short" && [ "$(id_end)" -le 90 ] && [ "$(id_end)" -ge 60 ]; }
wait_for "the cursor on the session, its row cut short by the panel" beside
keys Tab
wait_for "Tab again: the panel is hidden" panel_off
wait_for "Tab again: the tree has the whole width (its rows end at column 120)" ends_at 120
keys Tab
wait_for "Tab: the panel again" panel_on
tm resize-window -t cf -x 80 -y 40
narrow() { panel_off && [ "$(tm display-message -p -t cf '#{window_width}')" = 80 ] && cursor_has "$short"; }
wait_for "80 columns: no panel beside the tree" narrow
wait_for "the tree uses all 80 columns" ends_at 80
tm resize-window -t cf -x 120 -y 40
wait_for "120 columns: the panel is back" panel_on
wait_for "still on the session" dlg "id +$ID"

tui_quit
tm kill-server >/dev/null 2>&1
finish

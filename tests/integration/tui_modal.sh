#!/usr/bin/env bash
# The dashboard's dialogs and toasts in a real terminal (tmux 120x40, 2-host
# loopback fleet). `e` with nothing wrong says "No error so far."; `d` on a
# session asks "Archive "TITLE" on host01?" (y/n); n and Esc decline without
# a toast; y gives the error toast "archive_session: not in this version
# yet" at the bottom right, which `e` then shows as the last error and which
# goes away by itself with no key pressed (an error toast lasts 8 s; `e`
# still shows it after). `c` on a project opens the input dialog prefilled
# with the project's path (~ for the remote home); Esc cancels it (no toast);
# typing, Left, Backspace, ctrl+a, ctrl+e and ctrl+u edit the line (the text
# and the reverse-video cursor cell are checked after each); Enter accepts
# (the new_session toast); `c` again starts from the path, Up recalls the
# accepted entry, Down brings the draft back, Esc closes. With
# hosts.overrides.host01.mode: read-only, `d`, `c` and Enter on host01 give
# the toast "host01 is read-only (mode: read-only)" and no dialog, while `d`
# on host02 still asks. q exits with status 0, nothing on stderr.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_modal

fault_ls
T1=$(jget host01 '[.projects[].sessions[] | select(.parent_id == null and .status != "archived"
	and ((.title // "") | test("^[ -~]{3,40}$")))] | sort_by(.updated) | last | .title')
if [ -z "$T1" ] || [ "$T1" = null ]; then fault_bail "no session title in the fleet: [$T1]"; fi
T1S=${T1:0:20}

row() { screen | sed -n "${1}p"; }
cursor_is() { [ "$(cursor)" = "$(row "$1")" ] && [ -n "$(row "$1")" ]; }
cursor_has() { cursor | grep -qF -- "$1"; }
B='[|│]'
# frame TITLE: a dialog with that title is open
frame() { screen | grep -Eq -- "[+┌][-─] $1 [-─]"; }
no_dialog() { ! screen | grep -Eq -- "[+┌][-─] [^-─]+ [-─]+[+┐]"; }
# dlg TEXT: a line of the dialog (extended regex)
dlg() { screen | grep -Eq -- "$B $1 *$B"; }
NOT_YET="not in this version yet"

# The input dialog's field: the line below "folder:", 56 cells inside the
# frame (the dialog is 60 wide), and the reverse-video cell on it.
field_line() { screen | grep -nE -- "$B folder: +$B" | head -n 1 | cut -d: -f1; }
field() {
	local n
	n=$(field_line)
	[ -n "$n" ] && row $((n + 1)) | sed -nE "s/.*$B (.{56}) $B.*/\\1/p" | sed 's/ *$//'
}
field_cursor() {
	local n
	n=$(field_line)
	[ -n "$n" ] && tm capture-pane -e -p -t cf | sed -n "$((n + 1))p" |
		sed -nE $'s/.*\033\\[([0-9]+;)*7(;[0-9]+)*m([^\033]*).*/\\3/p'
}
field_is() { [ "$(field)" = "$1" ]; }
# field_at TEXT CELL: the text, and the cursor on CELL (one character)
field_at() { [ "$(field)" = "$1" ] && [ "$(field_cursor)" = "$2" ]; }
show_field() { echo "     field [$(field)] cursor [$(field_cursor)]"; }

tui_start
wait_for "both hosts ok" both_ok "$T1S"
wait_for "the cursor starts on host01" cursor_has host01

# ---- the error view, nothing wrong yet ----
keys e
wait_for "e: the error view" frame error
wait_for "it says there was no error" dlg "No error so far\\."
keys Escape
wait_for "Esc closes it" no_dialog

# ---- confirm: archive ----
srow=$(screen | grep -nF -m1 -- "$T1S" | cut -d: -f1)
if [ -z "$srow" ] || [ "$srow" -le 3 ]; then fault_bail "no row with [$T1S]"; fi
for ((i = 2; i < srow; i++)); do keys j; done
wait_for "the cursor on host01's session \"$T1S\"" cursor_is "$srow"
short=$(cursor | awk '{ print $NF }')
TITLE=$(jq -r --arg s "$short" '.hosts[] | select(.name == "host01") | .projects[].sessions[] |
	select(.id | endswith($s)) | .title' "$FT/ls.json")
[ -n "$TITLE" ] || fault_bail "no session in ls --json for the row's short id [$short]"
Q="Archive \"$TITLE\" on host01?"
keys d
wait_for "d: the archive dialog" frame archive
wait_for "it asks about the session by its title" has "$Q"
wait_for "it says which keys answer" has "[y] yes   [n] no"
wait_for "the footer too" has "y yes  n/esc no"
keys n
wait_for "n closes it" no_dialog
if hasnt "$NOT_YET"; then pass "n: no toast"; else fail "n gave a toast"; fi
keys d
wait_for "d again" frame archive
keys Escape
wait_for "Esc closes it" no_dialog
if hasnt "$NOT_YET"; then pass "Esc: no toast"; else fail "Esc gave a toast"; fi
keys e
wait_for "e after declining: still no error" dlg "No error so far\\."
keys Escape
wait_for "Esc" no_dialog
keys d
wait_for "d once more" frame archive
keys y
wait_for "y: the toast archive_session: $NOT_YET" has "archive_session: $NOT_YET"
wait_for "the dialog is closed" no_dialog
toast_right() { row 39 | grep -qE "  archive_session: $NOT_YET *\$"; }
wait_for "the toast is at the bottom right, above the footer" toast_right
keys e
wait_for "e: the error view shows it as the last error" dlg "last error: archive_session: $NOT_YET"
keys Escape
wait_for "Esc" no_dialog
# no key now: the toast goes by itself (an error toast lasts 8 s), the last
# error stays
wait_for "the toast goes away by itself" hasnt "archive_session: $NOT_YET"
keys e
wait_for "e: the last error is still there" dlg "last error: archive_session: $NOT_YET"
keys Escape
wait_for "Esc" no_dialog

# ---- input: a new session in the project ----
# the project row above the session, and its path as the tree writes it
prow=$srow
while [ "$prow" -gt 2 ] && ! row "$prow" | grep -Eq '^  [-+] '; do prow=$((prow - 1)); done
PPATH=$(jq -r --arg s "$short" '.hosts[] | select(.name == "host01") | .home as $h | .projects[] |
	select(any(.sessions[]; .id | endswith($s))) | .path |
	if . == $h then "~" elif startswith($h + "/") then "~" + .[($h | length):] else . end' "$FT/ls.json")
if [ -z "$PPATH" ] || [ "$PPATH" = null ]; then fault_bail "no project path for [$short]"; fi
for ((i = prow; i < srow; i++)); do keys k; done
wait_for "the cursor on the session's project (row $prow)" cursor_is "$prow"
keys c
wait_for "c: the new-session dialog" frame "new session on host01"
wait_for "it asks for a folder" dlg "folder:"
wait_for "prefilled with the project's path ($PPATH), the cursor after it" field_at "$PPATH" " " || show_field
wait_for "the footer: enter, esc, history" has "enter ok  esc cancel  up/down history"
keys Escape
wait_for "Esc cancels" no_dialog
if hasnt "new_session: $NOT_YET"; then pass "Esc: no toast"; else fail "Esc gave the new_session toast"; fi

keys c
wait_for "c again: the path again" field_at "$PPATH" " "
keys -l "/x1"
wait_for "typing adds at the end" field_at "$PPATH/x1" " " || show_field
keys Left
wait_for "Left: the cursor on the 1" field_at "$PPATH/x1" "1" || show_field
keys BSpace
wait_for "Backspace removes the x before it" field_at "$PPATH/1" "1" || show_field
keys C-a
wait_for "ctrl+a: the cursor at the start" field_at "$PPATH/1" "${PPATH:0:1}" || show_field
keys Z
wait_for "typing at the start" field_at "Z$PPATH/1" "${PPATH:0:1}" || show_field
keys C-e
keys 9
wait_for "ctrl+e: typing at the end again" field_at "Z$PPATH/19" " " || show_field
keys Left Left
keys C-u
wait_for "ctrl+u removes everything before the cursor" field_at "19" "1" || show_field
keys -l dir
wait_for "typing goes before the cursor" field_at "dir19" "1" || show_field
keys Enter
wait_for "Enter accepts: the toast new_session: $NOT_YET" has "new_session: $NOT_YET"
wait_for "the dialog is closed" no_dialog

keys c
wait_for "c again: prefilled with the path, not the last entry" field_at "$PPATH" " " || show_field
keys Up
wait_for "Up recalls the accepted entry" field_at "dir19" " " || show_field
keys Up
keys Down
wait_for "Up again (nothing older), then Down: the draft back" field_at "$PPATH" " " || show_field
keys Escape
wait_for "Esc closes it" no_dialog

keys e
wait_for "e: the last error is now the new_session one" dlg "last error: new_session: $NOT_YET"
keys Escape
wait_for "Esc" no_dialog

keys q
wait_for "q: codefleet exits" tui_dead
expect_eq "$(cat "$FT/status")" 0 "exit status 0 after q" ||
	sed 's/^/     ! /' "$FT/cf.err"

# ---- a read-only host ----
cat >>"$FT/config.yaml" <<EOF
hosts:
  overrides:
    host01:
      mode: read-only
EOF
rm -f "$FT/status"
tm respawn-pane -k -t cf "NO_COLOR=1 '$FT/cf' 2>>'$FT/cf.err'; echo \$? >'$FT/status'"
wait_for "host01 read-only: both hosts ok" both_ok "$T1S"
wait_for "the cursor on host01" cursor_has host01
RO="host01 is read-only (mode: read-only)"
for ((i = 2; i < srow; i++)); do keys j; done
wait_for "the cursor on host01's session" cursor_is "$srow"
keys d
wait_for "d on host01: the toast says it is read-only" has "$RO"
if no_dialog; then pass "and no dialog"; else fail "a dialog opened on a read-only host"; fi
keys Enter
attach_refused() { screen | grep -Eq "attach.*read-only"; }
wait_for "Enter (attach) on host01: refused as read-only too" attach_refused
for ((i = prow; i < srow; i++)); do keys k; done
wait_for "the cursor on the project" cursor_is "$prow"
keys c
keys j
moved_no_dialog() { cursor_is $((prow + 1)) && no_dialog; }
wait_for "c on host01: no input dialog (j after it moves the tree)" moved_no_dialog

# host02 is an operator: its first session (host row, project row, session row)
h2=$(screen | grep -nE '^. . host02 ' | head -n 1 | cut -d: -f1)
[ -n "$h2" ] || fault_bail "no host02 row"
keys g
for ((i = 2; i < h2 + 2; i++)); do keys j; done
on_host02_session() { cursor_is $((h2 + 2)) && cursor | grep -Eq ' (idle|active|running|errored) '; }
wait_for "the cursor on host02's first session" on_host02_session
keys d
asks_host02() { frame archive && has "on host02?"; }
wait_for "d on host02 still asks" asks_host02
keys n
wait_for "n" no_dialog
keys e
RO_RE=${RO//(/\\(}
RO_RE=${RO_RE//)/\\)}
wait_for "e: the last error is the read-only one" dlg "last error: ${RO_RE//./\\.}"
keys Escape
wait_for "Esc" no_dialog
tui_quit
tm kill-server >/dev/null 2>&1
finish

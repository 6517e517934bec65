#!/usr/bin/env bash
# The dashboard's key help in a real terminal (tmux 120x40, 2-host loopback
# fleet). `?` opens the "help" dialog: one line per action, its keys as
# tui_keys_describe writes them (j/down, ctrl+d/pgdn, ...) and its text, every
# action there and none without a key, plus the fixed esc and ctrl+c; the
# dialog takes the keys (j does not move the tree behind it, q closes it
# rather than quitting), Esc closes it. Then the same with a config whose
# keybindings section moves quit to x and move_down to [J, down]: the help
# and the footer show the new keys and not the old ones, J and Down move the
# cursor, j and q do nothing, x quits with status 0. Last, in a UTF-8
# terminal (LC_ALL=C.UTF-8) the arrows show as glyphs (J/↓) and every
# action's text still starts in the same column. Nothing on stderr in any
# run (no config warning; LeakSanitizer in ASan builds).
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_help

row() { screen | sed -n "${1}p"; }
cursor_is() { [ "$(cursor)" = "$(row "$1")" ] && [ -n "$(row "$1")" ]; }
cursor_has() { cursor | grep -qF -- "$1"; }
B='[|│]'
HELP_TOP='[+┌][-─] help [-─]'
help_open() { screen | grep -Eq -- "$HELP_TOP"; }
help_closed() { ! help_open; }
# help_line KEYS TEXT (extended regexes): the dialog's line for an action
help_line() { screen | grep -Eq -- "$B $1 +$2 *$B"; }
alive() { [ ! -s "$FT/status" ]; }

# every action's text (tui_keys_action_help), as a regex
ACTIONS=(
	"move down" "move up" "fold the row, or go to its parent" "unfold the row"
	"fold or unfold the row" "go to the first row" "go to the last row" "a screen down"
	"a screen up" "attach to the session" "filter the tree" "next match of the kept filter"
	"previous match of the kept filter" "probe every host now" "probe the selected host now"
	"quit" "start a session in the project or a folder" "stop the process running the session"
	"archive or delete the session" "clone a repository on the host and start OpenCode in it"
	"the session's details" "show or hide the inspect panel"
	"what to run for a host that needs a key or a decision" "the full text of the last error"
	"this help"
)

tui_start
wait_for "both hosts ok" both_ok
wait_for "the cursor starts on host01" cursor_has host01

# ---- the default keys ----
keys '?'
wait_for "?: the help dialog opens" help_open
missing=()
for a in "${ACTIONS[@]}"; do
	help_line '[^ ]+' "$a" || missing+=("$a")
done
if [ ${#missing[@]} = 0 ]; then
	pass "every action (${#ACTIONS[@]}) has its line with a key"
else
	fail "actions missing from the help: ${missing[*]}"
fi
if screen | grep -qF "(none)"; then fail "an action without a key: (none)"; else pass "no action without a key"; fi
wait_for "j/down: move down" help_line 'j/(down|↓)' "move down"
wait_for "k/up: move up" help_line 'k/(up|↑)' "move up"
wait_for "h/left: fold" help_line 'h/(left|←)' "fold the row, or go to its parent"
wait_for "ctrl+d/pgdn: a screen down" help_line 'ctrl\+d/pgdn' "a screen down"
wait_for "g/home: the first row" help_line 'g/home' "go to the first row"
wait_for "enter: attach" help_line 'enter' "attach to the session"
wait_for "tab: the panel" help_line 'tab' "show or hide the inspect panel"
wait_for "/: filter" help_line '/' "filter the tree"
wait_for "q: quit" help_line 'q' "quit"
wait_for "?: this help" help_line '\?' "this help"
wait_for "the fixed esc" help_line 'esc' "close a dialog, clear the filter"
wait_for "the fixed ctrl+c" help_line 'ctrl\+c' "quit"
wait_for "the footer: how to scroll and close" has "j/k scroll  esc close"
# the dialog takes the keys: j scrolls the help (nothing to scroll), the tree stays
keys j
keys Escape
wait_for "Esc closes the help" help_closed
wait_for "j went to the dialog: the cursor still on host01" cursor_is 2
keys '?'
wait_for "? again" help_open
keys q
wait_for "q in the help closes it" help_closed
sleep 0.3
if alive && tm list-panes -t cf >/dev/null 2>&1; then pass "q in the help did not quit"; else fail "q in the help quit codefleet"; fi
keys j
wait_for "and the keys go to the tree again (j: row 3)" cursor_is 3
keys q
wait_for "q: codefleet exits" tui_dead
expect_eq "$(cat "$FT/status")" 0 "exit status 0 after q"

# ---- rebound keys ----
cat >>"$FT/config.yaml" <<EOF
keybindings:
  quit: x
  move_down: [J, down]
EOF
rm -f "$FT/status"
tm respawn-pane -k -t cf "NO_COLOR=1 '$FT/cf' 2>>'$FT/cf.err'; echo \$? >'$FT/status'"
wait_for "rebound keys: both hosts ok" both_ok
wait_for "the cursor on host01" cursor_has host01
footer_keys() { screen | tail -n 1 | grep -q " x quit" && ! screen | tail -n 1 | grep -q " q quit"; }
wait_for "the footer says x quit, not q quit" footer_keys
keys '?'
wait_for "?: the help" help_open
wait_for "x: quit" help_line 'x' "quit"
wait_for "J/down: move down" help_line 'J/(down|↓)' "move down"
wait_for "k/up unchanged" help_line 'k/(up|↑)' "move up"
if help_line 'q' "quit" || help_line 'j/(down|↓)' "move down" || help_line 'j' "move down"; then
	fail "the old keys still show in the help"
else
	pass "q and j are not in the help any more"
fi
keys Escape
wait_for "Esc closes the help" help_closed
# j is not bound any more: only J moves (to row 3, not 4)
keys j
keys J
wait_for "j does nothing, J moves down one row" cursor_is 3
keys Down
wait_for "Down still moves down" cursor_is 4
keys q
keys J
wait_for "q does nothing (J after it moves on)" cursor_is 5
if alive; then pass "q did not quit"; else fail "q quit with the rebound keys"; fi
keys x
wait_for "x: codefleet exits" tui_dead
expect_eq "$(cat "$FT/status")" 0 "exit status 0 after x" ||
	sed 's/^/     ! /' "$FT/cf.err"
expect_eq "$(tm display-message -p -t cf '#{alternate_on}')" 0 "the alternate screen is left"

# ---- a UTF-8 terminal: arrows as glyphs, the texts still in one column ----
rm -f "$FT/status"
tm respawn-pane -k -t cf "LC_ALL=C.UTF-8 TERM=xterm-256color '$FT/cf' 2>>'$FT/cf.err'; echo \$? >'$FT/status'"
# (both_ok wants one-byte tree glyphs)
both_ok8() { screen | grep -Eq ' host01 .* ok ' && screen | grep -Eq ' host02 .* ok '; }
wait_for "UTF-8: both hosts ok" both_ok8
keys '?'
wait_for "?: the help" help_open
wait_for "J/↓: move down (the arrow as a glyph)" help_line 'J/↓' "move down"
# text_col TEXT: the cell where TEXT starts inside the dialog (every key
# cell before it is one column wide: letters, arrows)
text_col() {
	(
		export LC_ALL=C.UTF-8
		local l
		l=$(screen | grep -m1 -E -- "$B [^ ]+ +$1 *$B") || exit 1
		l=${l#*│ }
		l=${l%%"$1"*}
		echo ${#l}
	)
}
cols=$(for t in "move down" "move up" "unfold the row" "fold or unfold the row" "attach to the session" "quit"; do
	printf '%s ' "$(text_col "$t")"
done)
ncols=$(tr ' ' '\n' <<<"$cols" | grep -c .)
if [ "$ncols" = 6 ] && [ "$(tr ' ' '\n' <<<"$cols" | grep . | sort -u | wc -l)" = 1 ]; then
	pass "the texts start in one column, arrows or not (cells: $cols)"
else
	fail "the texts are not in one column (cells: $cols; the key column padded by bytes?)"
	screen | grep -E -- "$B [^ ]+ +(move|unfold|fold|attach|quit)" | sed 's/^/     | /'
fi
keys Escape
wait_for "Esc closes the help" help_closed
keys x
wait_for "x: codefleet exits" tui_dead
expect_eq "$(cat "$FT/status")" 0 "exit status 0 after x"

tui_no_stderr
tm kill-server >/dev/null 2>&1
finish

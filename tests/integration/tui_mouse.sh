#!/usr/bin/env bash
# The dashboard's mouse in a real terminal (tmux 120x40, 2-host loopback
# fleet, host01 read-only). tmux's own mouse is off, so xterm mouse reports
# written into the pane with `send-keys -l` reach codefleet as a terminal
# would send them: X10 (ESC [ M, then 32+button, 32+x, 32+y, 1-based), as
# the kmous of tmux-256color (the pane's TERM) says. Checked: codefleet turns
# mouse reporting on; a click on a row moves the cursor (the reverse-video
# row) there; a click on the header, below the tree or in the inspect panel
# does not (a key right after moves from where the cursor was); the wheel
# moves the cursor 3 rows down and up; a single click on a session does not
# attach, a double click does (host01 is read-only, so attach answers with
# its refusal toast instead of starting OpenCode's TUI); a double click on a
# host folds it and again unfolds it; with the panel open a click on the
# tree selects and the panel follows; in a dialog the wheel scrolls it by 3
# lines and a click does not reach the tree. Then again with
# TERM=xterm-256color, whose kmous is ESC [ <: codefleet asks for SGR 1006
# reports (ESC [ < b;x;y M/m) and click, wheel, double click and a click
# past column 95 work that way. q exits with status 0 both times, nothing
# on stderr (LeakSanitizer in ASan builds).
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_mouse
cat >>"$FT/config.yaml" <<EOF
hosts:
  overrides:
    host01:
      mode: read-only
EOF

fault_ls
T1=$(jget host01 '[.projects[].sessions[] | select(.parent_id == null and .status != "archived"
	and ((.title // "") | test("^[ -~]{3,60}$")))] | sort_by(.updated) | last | .title')
if [ -z "$T1" ] || [ "$T1" = null ]; then fault_bail "no session title in the fleet: [$T1]"; fi
T1S=${T1:0:20}
# shellcheck disable=SC2001  # one sed, not a loop of substitutions
T1S_RE=$(sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$T1S")

row() { screen | sed -n "${1}p"; }
cursor_is() { [ "$(cursor)" = "$(row "$1")" ] && [ -n "$(row "$1")" ]; }
cursor_has() { cursor | grep -qF -- "$1"; }
B='[|│]'
dlg() { screen | grep -Eq -- "$B ?$1 *$B"; }

# ---- mouse reports ----
SGR=0
# shellcheck disable=SC2059  # the format is the octal escape of one byte
chr() { printf "\\$(printf %03o "$1")"; }
# report B X Y [M|m]: one report, X and Y 1-based cells (X10: at most 95,
# so every byte is ASCII; never a last byte ";", which tmux would take for
# a command separator)
report() {
	if [ "$SGR" = 1 ]; then
		printf '\033[<%d;%d;%d%s' "$1" "$2" "$3" "${4:-M}"
	elif [ "${4:-M}" = m ]; then
		printf '\033[M%s%s%s' "$(chr 35)" "$(chr $((32 + $2)))" "$(chr $((32 + $3)))"
	else
		printf '\033[M%s%s%s' "$(chr $((32 + $1)))" "$(chr $((32 + $2)))" "$(chr $((32 + $3)))"
	fi
}
# one write into the pane, as a terminal sends a burst
send() { tm send-keys -t cf -l "$1"; }
click() { send "$(report 0 "$1" "$2")$(report 0 "$1" "$2" m)"; }
dclick() { send "$(report 0 "$1" "$2")$(report 0 "$1" "$2" m)$(report 0 "$1" "$2")$(report 0 "$1" "$2" m)"; }
wheel_down() { send "$(report 65 "$1" "$2")"; }
wheel_up() { send "$(report 64 "$1" "$2")"; }

tui_start
wait_for "both hosts ok" both_ok "$T1S"
wait_for "the cursor starts on host01" cursor_has host01
tm set-option -g mouse off

mouse_on() { [ "$(tm display-message -p -t cf '#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}')" != 000 ]; }
wait_for "codefleet turned mouse reporting on in the pane" mouse_on
SGR=$(tm display-message -p -t cf '#{mouse_sgr_flag}')
pterm=$(tm show-options -gv default-terminal)
kmous=$(infocmp -x "$pterm" 2>/dev/null | tr ',' '\n' | sed -n 's/^[[:space:]]*kmous=//p')
if [ "$SGR" = 1 ]; then
	pass "reports in SGR 1006 encoding (the pane asked for it; $pterm kmous=$kmous)"
else
	pass "reports in X10 encoding ($pterm kmous=$kmous)"
fi

# ---- clicks ----
click 10 7
wait_for "click on row 7: the cursor there" cursor_is 7
click 10 4
wait_for "click on row 4: the cursor there" cursor_is 4
click 10 1
keys j
wait_for "a click on the header does nothing (j after it: row 5)" cursor_is 5
last=$(screen | sed -n '2,39p' | grep -c .)
below=$((last + 4))
[ "$below" = 27 ] && below=28 # 32+27 is ";"
click 10 "$below"
keys j
wait_for "a click below the tree does nothing (j after it: row 6)" cursor_is 6

# ---- the wheel ----
wheel_down 10 12
wait_for "wheel down: the cursor 3 rows down (row 9)" cursor_is 9
wheel_down 10 12
wait_for "wheel down again: row 12" cursor_is 12
wheel_up 10 12
wait_for "wheel up: 3 rows up (row 9)" cursor_is 9

# ---- double clicks ----
# host01 is read-only: attaching to its session is refused with a toast
# (rather than OpenCode's TUI taking the pane), which shows that the double
# click asked for it
srow=$(screen | grep -nF -m1 -- "$T1S" | cut -d: -f1)
[ -n "$srow" ] || fault_bail "no row with [$T1S]"
refused() { screen | grep -Eq 'attach.*read-only|read-only.*attach'; }
click 20 "$srow"
wait_for "click on the session \"$T1S\": the cursor there" cursor_is "$srow"
if refused; then fail "a single click tried to attach"; else pass "a single click does not attach"; fi
dclick 20 "$srow"
wait_for "double click on the session: it attaches (read-only host01: the refusal toast)" refused
wait_for "the cursor still on that session" cursor_is "$srow"
h2=$(screen | grep -nE '^. . host02 ' | head -n 1 | cut -d: -f1)
[ -n "$h2" ] || fault_bail "no host02 row"
folded() { cursor_is "$h2" && [ -z "$(row $((h2 + 1)))" ]; }
unfolded() { cursor_is "$h2" && row $((h2 + 1)) | grep -Eq '^  [-+] '; }
dclick 5 "$h2"
wait_for "double click on host02: it folds (nothing below it)" folded
dclick 5 "$h2"
wait_for "double click again: it unfolds (its project below it)" unfolded

# ---- with the panel ----
keys Tab
panel_on() { row 2 | grep -Eq -- "host01 .*[+┌][-─] inspect [-─]"; }
wait_for "Tab: the panel" panel_on
click 10 2
wait_for "click on host01's row beside the panel" cursor_is 2
wait_for "the panel shows host01" dlg "host +host01"
click 85 5
keys j
wait_for "a click in the panel does nothing (j after it: row 3)" cursor_is 3
click 10 "$srow"
wait_for "click on the session's row: the cursor there" cursor_is "$srow"
panel_session() { dlg "Session" && dlg "title +$T1S_RE.*"; }
wait_for "the panel follows (Session, its title)" panel_session
keys Tab
panel_off() { ! screen | grep -Eq "[+┌][-─] inspect [-─]"; }
wait_for "Tab: the panel hidden" panel_off

# ---- in a dialog ----
tm resize-window -t cf -x 120 -y 20
footer_at() { screen | sed -n "${1}p" | grep -q " quit"; }
wait_for "120x20: the tree is redrawn (the footer on row 20)" footer_at 20
keys g
wait_for "g: the cursor on host01" cursor_is 2
keys '?'
first_is() { screen | grep -E -A1 -- "[+┌][-─] help [-─]" | sed -n 2p | grep -Eq -- "$B $1"; }
wait_for "?: the help from its first line (move down)" first_is "j/(down|↓) +move down"
wheel_down 60 10
wait_for "wheel down in the help: it scrolls 3 lines (l/right first)" first_is "l/(right|→) +unfold the row"
wheel_up 60 10
wait_for "wheel up: back at the first line" first_is "j/(down|↓) +move down"
click 5 4
keys Escape
help_closed() { ! screen | grep -Eq "[+┌][-─] help [-─]"; }
wait_for "Esc closes the help" help_closed
wait_for "the click in the dialog did not move the tree cursor (host01)" cursor_is 2
tm resize-window -t cf -x 120 -y 40
wait_for "back to 120x40" both_ok

keys q
wait_for "q: codefleet exits" tui_dead
expect_eq "$(cat "$FT/status")" 0 "exit status 0 after q" ||
	sed 's/^/     ! /' "$FT/cf.err"

# ---- SGR 1006: TERM=xterm-256color, whose kmous is ESC [ < ----
if infocmp -x xterm-256color 2>/dev/null | grep -q 'kmous=\\E\[<'; then
	rm -f "$FT/status"
	tm respawn-pane -k -t cf "TERM=xterm-256color NO_COLOR=1 '$FT/cf' 2>>'$FT/cf.err'; echo \$? >'$FT/status'"
	wait_for "TERM=xterm-256color: both hosts ok" both_ok "$T1S"
	sgr_on() { [ "$(tm display-message -p -t cf '#{mouse_sgr_flag}')" = 1 ]; }
	wait_for "codefleet asked for SGR 1006 reports" sgr_on
	SGR=1
	click 10 7
	wait_for "SGR click on row 7: the cursor there" cursor_is 7
	wheel_down 10 7
	wait_for "SGR wheel down: row 10" cursor_is 10
	wheel_up 10 7
	wait_for "SGR wheel up: row 7" cursor_is 7
	h2=$(screen | grep -nE '^. . host02 ' | head -n 1 | cut -d: -f1)
	dclick 5 "$h2"
	wait_for "SGR double click on host02: it folds" folded
	click 110 4 # X10 in ASCII ends at column 95
	wait_for "SGR click at column 110 on row 4: the cursor there" cursor_is 4
	keys q
	wait_for "q: codefleet exits" tui_dead
	expect_eq "$(cat "$FT/status")" 0 "exit status 0 after q"
else
	pass "no xterm-256color terminfo with SGR mouse here: SGR not tried"
fi
tui_no_stderr
tm kill-server >/dev/null 2>&1
finish

#!/usr/bin/env bash
# Themes, colours and glyphs in a real terminal (tmux 120x40, 2-host loopback
# fleet; one codefleet after another in the same pane, each quit with q). The
# colours are read from capture-pane -e (tmux's own record of the cells):
#   minimal (config), UTF-8 locale: ASCII glyphs, every non-ASCII character on
#     screen is one of the sessions' titles (data, not glyphs), no colour code
#     at all, the header and the cursor row still reverse;
#   nightops, TERM=xterm-256color: Unicode glyphs, 256-colour codes (38;5;N):
#     host ok 78, the header bar 29 on 16 (docs/tui-theme.md);
#   nightops, TERM=xterm (8 colours): 30-37/40-47 codes only (green host ok,
#     green header bar), no 38;5;N, no bright 90-97;
#   NO_COLOR=1 with nightops: no colour code, Unicode glyphs, cursor reverse;
#   light: host ok 28, header 24; its colour set differs from nightops's;
#   auto with CODEFLEET_NO_OSC11 set: COLORFGBG=0;15 gives exactly light's
#     colours, COLORFGBG=15;0 exactly nightops's;
#   display.unicode: false: ASCII glyphs, nightops's colours kept;
#   LANG=C (not UTF-8): ASCII glyphs and the whole screen 7-bit (titles' other
#     characters as '?'), colours kept;
# each codefleet exits with status 0, nothing on stderr (LeakSanitizer in
# ASan builds).
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_theme

# the non-ASCII characters of the sessions' titles (the fleet's beta title
# has an emoji, accents and CJK): shown as they are under a UTF-8 locale
fault_ls
mapfile -t TITLE_CHARS < <(jget host01 '[.projects[].sessions[].title // "" | explode[] | select(. >= 128)]
	| unique[] | [.] | implode'; jget host02 '[.projects[].sessions[].title // "" | explode[] | select(. >= 128)]
	| unique[] | [.] | implode')
[ ${#TITLE_CHARS[@]} -gt 0 ] || fault_bail "the fleet's titles have no non-ASCII character to test with"

hosts_ok() { [ "$(host_state host01)" = ok ] && [ "$(host_state host02)" = ok ]; }
# the screen without the titles' own characters holds no byte >= 0x80
ascii_but_titles() {
	local s c
	s=$(screen)
	[ -n "$s" ] || return 1
	for c in "${TITLE_CHARS[@]}"; do s=${s//"$c"/}; done
	[ -z "$(printf '%s' "$s" | tr -d '\000-\177')" ]
}
all_ascii() { [ -n "$(screen)" ] && [ -z "$(screen | tr -d '\000-\177')" ]; }
# host01's row begins with these glyphs (fold mark, state icon)
host_glyphs() { screen | sed -n 2p | grep -qF -- "$1 host01 "; }
# the colours used anywhere on screen: "fg=... bg=..." tokens, sorted
colours() { tui_attrs | cut -f2 | tr '|' '\n' | grep -oE '[fb]g=[a-z0-9:]+' | sort -u | tr '\n' ' '; }
no_colour() { [ "$(colours)" = "bg=def fg=def " ]; }
# row N has a cell with this foreground (and background)
row_fg() { row_states "$1" | tr '|' '\n' | grep -qE " fg=$2( |$)"; }
row_fg_bg() { row_states "$1" | tr '|' '\n' | grep -qE " fg=$2 bg=$3$"; }
# the cursor: host01's row (row 2) and no other tree row is reverse
cursor_reverse() {
	tui_attrs | awk -F '\t' '$1 >= 2 && $1 <= 39 && $2 ~ /(^|\|)[A-Z]*R/ { n++; r = $1 } END { exit !(n == 1 && r == 2) }'
}
header_reverse() { row_states 1 | grep -qE '^B?[A-Z]*R'; }

# case NAME DISPLAY-SETTINGS -- ENV...: the config's display section, then a
# codefleet with ENV (the first one creates the pane), until both hosts are ok
started=0
case_start() {
	local name=$1 d=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do d+=("$1"); shift; done
	shift
	tui_display "${d[@]}"
	if [ $started = 0 ]; then tui_start_env "$@"; started=1; else tui_restart_env "$@"; fi
	echo "---- $name: display ${d[*]}; env $*"
	wait_for "$name: both hosts ok" hosts_ok
}
case_end() {
	keys q
	wait_for "$1: q quits" tui_dead && expect_eq "$(cat "$FT/status")" 0 "$1: exit status 0"
}

U8=(LANG=C.UTF-8)

# (a) minimal: no colour, ASCII glyphs, the attributes stay
case_start minimal theme=minimal -- TERM=xterm-256color "${U8[@]}"
wait_for "minimal: ASCII glyphs (fold -, host ok *)" host_glyphs "- *"
wait_for "minimal: no byte >= 0x80 but the titles' own characters" ascii_but_titles
wait_for "minimal: no colour code (no 3x/4x/38/48/9x/10x)" no_colour
wait_for "minimal: the cursor row (host01) is reverse, no other tree row" cursor_reverse
wait_for "minimal: the header bar is reverse" header_reverse
case_end minimal

# (b) nightops, 256 colours
case_start nightops-256 theme=nightops -- TERM=xterm-256color "${U8[@]}"
wait_for "nightops-256: Unicode glyphs (fold ▾, host ok ●)" host_glyphs "▾ ●"
wait_for "nightops-256: host ok in colour 78 (38;5;78)" row_fg 2 c256:78
wait_for "nightops-256: the header bar 29 on 16" row_fg_bg 1 c256:29 c256:16
wait_for "nightops-256: the cursor row is reverse" cursor_reverse
NIGHT=$(colours)
case_end nightops-256

# (c) nightops, 8 colours
case_start nightops-8 theme=nightops -- TERM=xterm "${U8[@]}"
wait_for "nightops-8: host ok green (32)" row_fg 2 c8:2
wait_for "nightops-8: the header bar green" row_fg 1 c8:2
only8() { local c; c=$(colours); [[ $c == *c8:* ]] && ! [[ $c =~ c256|c16|rgb ]]; }
wait_for "nightops-8: only 30-37/40-47/39/49 codes (no 38;5;N, no 9x)" only8
case_end nightops-8

# (d) NO_COLOR with nightops
case_start no-color theme=nightops -- TERM=xterm-256color NO_COLOR=1 "${U8[@]}"
wait_for "NO_COLOR: no colour code" no_colour
wait_for "NO_COLOR: Unicode glyphs still (▾ ●)" host_glyphs "▾ ●"
wait_for "NO_COLOR: the cursor row is reverse" cursor_reverse
case_end no-color

# (e) light
case_start light theme=light -- TERM=xterm-256color "${U8[@]}"
wait_for "light: host ok in colour 28" row_fg 2 c256:28
wait_for "light: the header bar 24" row_fg 1 c256:24
LIGHT=$(colours)
if [ -n "$LIGHT" ] && [ "$LIGHT" != "$NIGHT" ] && [[ $LIGHT == *c256:* ]]; then
	pass "light's colours differ from nightops's"
else
	fail "light [$LIGHT] vs nightops [$NIGHT]"
fi
case_end light

# auto: the background from $COLORFGBG (the terminal is not asked)
case_start auto-light theme=auto -- TERM=xterm-256color CODEFLEET_NO_OSC11=1 "COLORFGBG=0;15" "${U8[@]}"
same_as_light() { [ "$(colours)" = "$LIGHT" ]; }
wait_for "auto, COLORFGBG=0;15 (light background): light's colours" same_as_light
case_end auto-light
case_start auto-dark theme=auto -- TERM=xterm-256color CODEFLEET_NO_OSC11=1 "COLORFGBG=15;0" "${U8[@]}"
same_as_night() { [ "$(colours)" = "$NIGHT" ]; }
wait_for "auto, COLORFGBG=15;0 (dark background): nightops's colours" same_as_night
case_end auto-dark

# (f) unicode off: ASCII glyphs, colours kept
case_start unicode-off theme=nightops unicode=false -- TERM=xterm-256color "${U8[@]}"
wait_for "unicode false: ASCII glyphs (- *)" host_glyphs "- *"
wait_for "unicode false: no byte >= 0x80 but the titles' own characters" ascii_but_titles
wait_for "unicode false: nightops's colours kept" same_as_night
case_end unicode-off

# (g) a locale that is not UTF-8
case_start lang-c theme=nightops -- TERM=xterm-256color LANG=C
wait_for "LANG=C: ASCII glyphs (- *)" host_glyphs "- *"
wait_for "LANG=C: the whole screen is 7-bit ASCII (titles too)" all_ascii
wait_for "LANG=C: host ok in colour 78 still" row_fg 2 c256:78
case_end lang-c

tui_no_stderr
tm kill-server >/dev/null 2>&1
finish

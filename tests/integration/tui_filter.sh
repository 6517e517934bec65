#!/usr/bin/env bash
# The dashboard's `/` filter in a real terminal (tmux 120x40, 2-host loopback
# fleet): typing a session's title leaves the sessions with that title (the
# hosts share fixture titles) and their ancestors (host, project) only, the
# header shows the query and the match count, the matched characters are
# bold and underlined (SGR 1/4 on that row); `q` in the field is a character; Enter keeps the filter and `n`
# moves the cursor to the next match; Esc brings every row back; q quits
# with status 0 and nothing on stderr (LeakSanitizer in ASan builds).
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_filter

# the newest live root session of host01 with a plain ASCII title (the hosts
# share their fixture titles: a session with that title on host02 matches too)
fault_ls
T1=$(jget host01 '[.projects[].sessions[] | select(.parent_id == null and .status != "archived"
	and ((.title // "") | test("^[ -~]{6,40}$")))] | sort_by(.updated) | last | .title')
if [ -z "$T1" ] || [ "$T1" = null ]; then
	fault_bail "no session title to filter by in the fleet: [$T1]"
fi
# the query: the title itself (every character matches consecutively)
Q=$T1
QS=$(printf '%s' "$Q" | cut -c1-20)

tree_rows() { screen | sed -n '2,39p' | grep -c .; }

tui_start

wait_for "both hosts ok with their session titles" both_ok "$QS"
all_rows=$(tree_rows)

keys /
wait_for "/ opens the field in the header" has "  /  "
keys -l "$Q"
# every session row left holds the title; the other rows are hosts and
# projects (no status word)
SES=' (idle|active|running|errored) '
filtered() {
	local s
	s=$(screen | sed -n '2,39p')
	grep -Eq '^. . host01 ' <<<"$s" && grep -qF -- "$QS" <<<"$s" &&
		[ "$(grep -c . <<<"$s")" -lt "$all_rows" ] &&
		[ "$(grep -E -- "$SES" <<<"$s" | grep -cvF -- "$QS")" = 0 ]
}
wait_for "typing filters live: only sessions with that title and their ancestors stay" filtered
wait_for "the header shows the query" has "/$Q"
count_ok() { screen | head -n 1 | grep -Eq " /.* [1-9][0-9]* matches"; }
wait_for "the header shows the match count" count_ok
# host01, its project, the session: rows 2, 3, 4
ancestors() { screen | sed -n 3p | grep -Eq '^  . ~?/' && screen | sed -n 4p | grep -qF -- "$QS"; }
wait_for "the session's host and project stay" ancestors
hl_row() {
	tm capture-pane -e -p -t cf 2>/dev/null | sed -n '2,$p' | grep -E $'\033\\[([0-9]+;)*4(;[0-9]+)*m' | sed -E $'s/\033\\[[0-9;]*m//g' | grep -qF -- "$QS"
}
wait_for "the matched characters are underlined (SGR 4) on the session's row" hl_row
bold_row() {
	tm capture-pane -e -p -t cf 2>/dev/null | sed -n '2,$p' |
		grep -E $'\033\\[([0-9]+;)*1(;[0-9]+)*m' | sed -E $'s/\033\\[[0-9;]*m//g' | grep -qF -- "$QS"
}
wait_for "and bold (SGR 1)" bold_row

# q is a character while typing; Backspace takes it away again
keys q
wait_for "q in the field is typed, not quit" has "/${Q}q"
keys BSpace
wait_for "Backspace removes it" has "/$Q "
[ -s "$FT/status" ] && fail "codefleet quit on q in the field"

keys Enter
wait_for "Enter keeps the filter" has "/$Q  "
wait_for "the rows stay filtered after Enter" filtered
keys g
on_host() { cursor | grep -Eq '^. . host01 '; }
wait_for "g: the cursor on host01" on_host
keys n
on_match() { cursor | grep -qF -- "$QS"; }
wait_for "n moves the cursor to the match" on_match

keys Escape
restored() { both_ok && [ "$(tree_rows)" = "$all_rows" ] && ! screen | head -n 1 | grep -q matches; }
wait_for "Esc clears the filter: every row is back" restored

tui_quit
tm kill-server >/dev/null 2>&1
finish

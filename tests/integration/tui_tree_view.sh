#!/usr/bin/env bash
# The tree as the config shapes it, in a real terminal over the 2-host
# fleet: hosts.groups makes a collapsible heading (host01 under "lab",
# host02 after the groups); sessions.max_display: 2 puts the rest of a
# project's sessions under a "+N more" row that expands; sort_by: name
# orders sessions by title. Moving the cursor (with the view scrolling)
# draws exactly what a full redraw draws. Ctrl-z suspends (the alternate screen is left,
# the process stopped) and SIGCONT brings the screen back.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_tree_view
cat >>"$FT/config.yaml" <<'YAML'
hosts:
  groups:
    lab: ["host01"]
sessions:
  sort_by: name
  max_display: 2
YAML

# host01's project with the most root sessions, and how many it has
fault_ls
PROJ=$(jget host01 '[.projects[] | {p: .path, n: ([.sessions[] | select(.parent_id == null
	and .status != "archived")] | length)}] | sort_by(.n) | last | .p')
N=$(jget host01 "[.projects[] | select(.path == \"$PROJ\") | .sessions[] |
	select(.parent_id == null and .status != \"archived\")] | length")
if [ -z "$N" ] || [ "$N" -le 2 ]; then
	fault_bail "no project with more than 2 sessions on host01: [$PROJ] [$N]"
fi
MORE=$((N - 2))

row() { screen | sed -n "${1}p"; }
row_of() { screen | grep -nF -- "$1" | head -n 1 | cut -d: -f1; }

tui_start

heading() { row 2 | grep -Eq '^. lab ' && row 3 | grep -Eq '^  . . host01 '; }
wait_for "the group heading 'lab' on top, host01 under it" heading
after() { screen | grep -Eq '^. . host02 .* ok '; }
wait_for "host02, in no group, after the group at the top level" after
wait_for "max_display 2: '+$MORE more' under host01's project" has "+$MORE more"

# sort_by name: the titles shown under host01's biggest project, in order
# (case-insensitive)
titles() {
	screen | grep -m1 -A2 -E "^ +. ~/${PROJ##*/} " | tail -n 2 |
		sed -E 's/^ +. . //; s/  +.*//'
}
sorted_ok() {
	local t
	t=$(titles)
	[ "$(grep -c . <<<"$t")" = 2 ] && [ "$t" = "$(LC_ALL=C sort -f <<<"$t")" ]
}
wait_for "sort_by name: the sessions shown are in title order" sorted_ok

# expand "+N more": the hidden sessions show
r=$(row_of "+$MORE more")
for ((i = 2; i < r; i++)); do keys j; done
on_more() { cursor | grep -qF -- "+$MORE more"; }
wait_for "the cursor on '+$MORE more'" on_more
before=$(screen | grep -c .)
keys l
grown() { [ "$(screen | grep -c .)" -ge $((before + MORE)) ]; }
wait_for "l on '+$MORE more': its $MORE sessions show" grown

# fold the group: host01 and everything below it go
keys g
on_lab() { cursor | grep -Eq '^. lab '; }
wait_for "g: the cursor on the group heading" on_lab
keys h
folded() { row 3 | grep -Eq '^. . host02 '; }
wait_for "h on the heading: host01 is hidden, host02 right below" folded
keys Space
unfolded() { row 3 | grep -Eq '^  . . host01 '; }
wait_for "Space: the group opens again" unfolded

# moving by rows scrolls the tree's lines in place and draws only what
# changed: the result must be what a full redraw shows
tm resize-window -t cf -x 120 -y 14
wait_for "120x14: the tree is redrawn small" has "codefleet  hosts:"
tree_rows() { screen | sed -n '2,13p'; }
same_as_full() {
	local moved full
	moved=$(tree_rows)
	tm resize-window -t cf -x 119 -y 14
	sleep 0.3
	tm resize-window -t cf -x 120 -y 14
	sleep 0.5
	full=$(tree_rows)
	[ "$moved" = "$full" ] || {
		diff <(echo "$moved") <(echo "$full") | sed 's/^/     ~ /'
		return 1
	}
}
for step in j j j j j j j j j j j j j j j k k k k k k k k k k k k; do keys "$step"; done
sleep 0.5
if same_as_full; then pass "27 moves with scrolling draw what a full redraw draws"; else
	fail "the rows drawn while moving differ from a full redraw"
fi
keys G
sleep 0.3
if same_as_full; then pass "G (a jump past a screen) draws what a full redraw draws"; else
	fail "G differs from a full redraw"
fi
tm resize-window -t cf -x 120 -y 40

# Ctrl-z: stopped, the terminal given back; SIGCONT: the screen is back
pid=$(pgrep -P "$(tm display-message -p -t cf '#{pane_pid}')" codefleet | head -n 1)
keys C-z
stopped() { ps -o stat= -p "$pid" 2>/dev/null | grep -q '^T'; }
wait_for "Ctrl-z: codefleet is stopped" stopped
expect_eq "$(tm display-message -p -t cf '#{alternate_on}')" 0 "Ctrl-z: the alternate screen is left"
kill -CONT "$pid"
resumed() { [ "$(tm display-message -p -t cf '#{alternate_on}')" = 1 ] && unfolded; }
wait_for "SIGCONT: the dashboard is back on the alternate screen" resumed

tui_quit
finish

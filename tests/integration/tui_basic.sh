#!/usr/bin/env bash
# The dashboard in a real terminal: codefleet runs in a detached tmux pane
# (120x40) over a 2-host fleet (OpenCode 1.18.33 and 1.2.27 data). Both hosts
# reach `ok` and their session titles show; j/k, h/l, G/g move the cursor
# (the reverse-video row) and fold the tree; a 30x8 window shows "terminal
# too small" and growing it back redraws the tree; Enter on a host folds
# and unfolds it (tui_attach.sh attaches to sessions); session rows keep
# their right column whatever the title; idle, it uses no CPU; the test dump file holds the screen; q and
# Ctrl-C exit with status 0, SIGTERM with 143, and each of them (SIGSEGV too)
# leaves the alternate screen; nothing on stderr (LeakSanitizer in ASan builds).
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_basic

# the newest root session per host with a plain ASCII title (first 20 chars)
fault_ls
title_of() {
	jget "$1" '[.projects[].sessions[] | select(.parent_id == null and .status != "archived"
		and ((.title // "") | test("^[ -~]{3,}$")))] | sort_by(.updated) | last | .title[0:20]'
}
T1=$(title_of host01)
T2=$(title_of host02)
if [ -z "$T1" ] || [ "$T1" = null ] || [ -z "$T2" ] || [ "$T2" = null ]; then
	fault_bail "no session titles in the fleet: [$T1] [$T2]"
fi

row() { screen | sed -n "${1}p"; }
cursor_is() { [ "$(cursor)" = "$(row "$1")" ] && [ -n "$(row "$1")" ]; }
cursor_has() { cursor | grep -qF -- "$1"; }

tui_start

wait_for "both hosts ok with their session titles" both_ok "$T1" "$T2"
wait_for "header counts 2 ok hosts" has "hosts: 2 ok  sessions:"
wait_for "the cursor starts on host01" cursor_has host01

# the header counts down to the next probe, a second at a time
next_s() { screen | head -n 1 | sed -n 's/.* next \([0-9]*\)s.*/\1/p'; }
n0=$(next_s)
counted() { local n; n=$(next_s); [ -n "$n0" ] && [ -n "$n" ] && [ "$n" -lt "$n0" ]; }
wait_for "the countdown to the next probe goes down ($n0 s)" counted

# idle: poll() sleeps until the next probe is due (polling.interval 60 s),
# waking once a second for the countdown and the ages
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
cf_pid=$(pgrep -P "$(tm display-message -p -t cf '#{pane_pid}')" codefleet | head -n 1)
if [ -n "$cf_pid" ]; then
	t0=$(ticks "$cf_pid")
	sleep 2
	t1=$(ticks "$cf_pid")
	if [ -n "$t0" ] && [ -n "$t1" ] && [ $((t1 - t0)) -le 10 ]; then
		pass "idle: $((t1 - t0)) CPU ticks in 2 s"
	else
		fail "idle: [$t0] -> [$t1] CPU ticks in 2 s (busy loop?)"
	fi
else
	fail "no codefleet process under the pane"
fi
# every session row ends with its status, age and short id in the right
# column, whatever its title holds (tabs, newlines, emoji, CJK in beta's)
aligned() {
	local s all ok
	s=$(screen | sed -n '2,$p')
	all=$(grep -cE ' (idle|active|running|errored) ' <<<"$s")
	ok=$(grep -cE ' (idle|active|running|errored) +[0-9a-z]+ [^ ]{1,8}$' <<<"$s")
	[ "$all" -gt 0 ] && [ "$all" = "$ok" ]
}
wait_for "session rows keep their right column (title cut to fit)" aligned
if grep -qF -- "$T1" "$FT/dump.txt" 2>/dev/null; then
	pass "CODEFLEET_TEST_DUMP holds the screen"
else
	fail "dump file lacks [$T1]: [$(head -c 300 "$FT/dump.txt" 2>/dev/null)]"
fi

keys j
wait_for "j: the cursor on row 2 of the tree (host01's project)" cursor_is 3
keys j
wait_for "j: the cursor on row 3 (a session)" cursor_is 4
keys h
wait_for "h on a session: the cursor goes to its project" cursor_is 3
keys l
wait_for "l on an open project: nothing hides" has "$T1"
keys G
last=$(screen | sed -n '2,39p' | grep -c .)
wait_for "G: the cursor on the last row" cursor_is $((last + 1))
keys g
wait_for "g: the cursor back on host01" cursor_has host01
keys h
host02_next() { row 3 | grep -Eq '^. . host02 '; }
wait_for "h on host01: its rows are hidden (host02 right below it)" host02_next
wait_for "h on host01: host02's sessions still show" has "$T2"
keys l
host01_open() { row 3 | grep -Eq '^  . ' && ! host02_next; }
wait_for "l on host01: its rows show again" host01_open
keys Enter
wait_for "Enter on a host folds it (no attach)" host02_next
keys Enter
wait_for "Enter again unfolds it" host01_open

tm resize-window -t cf -x 30 -y 8
wait_for "30x8: terminal too small" has "terminal too small"
tm resize-window -t cf -x 120 -y 40
wait_for "back to 120x40: the tree is redrawn" both_ok

keys q
# codefleet's status comes from the pane's shell, which writes it once
# codefleet is gone (tmux 3.3a's #{pane_dead_status} sometimes never comes
# under the sanitizer builds: the pane's zombie is not reaped)
wait_for "q: codefleet exits" tui_dead
expect_eq "$(cat "$FT/status")" 0 "exit status 0 after q" ||
	sed 's/^/     ! /' "$FT/cf.err"
expect_eq "$(tm display-message -p -t cf '#{alternate_on}')" 0 "the alternate screen is left"
if hasnt "hosts: 2 ok" && hasnt "$T1"; then
	pass "the tree is gone from the pane after quitting"
else
	fail "the tree still shows after quitting"
fi

# Ctrl-C (SIGINT through the self-pipe) quits with status 0 too
rm -f "$FT/status"
tm respawn-pane -k -t cf "NO_COLOR=1 '$FT/cf' 2>>'$FT/cf.err'; echo \$? >'$FT/status'"
wait_for "respawned: both hosts ok" both_ok
keys C-c
wait_for "Ctrl-C: codefleet exits" tui_dead
expect_eq "$(cat "$FT/status")" 0 "exit status 0 after Ctrl-C" ||
	sed 's/^/     ! /' "$FT/cf.err"
expect_eq "$(tm display-message -p -t cf '#{alternate_on}')" 0 "the alternate screen is left after Ctrl-C"

# SIGTERM goes the same clean way (status 128+15); a fatal signal restores
# the terminal before the default action (or the sanitizer's report)
cf_of_pane() { pgrep -P "$(tm display-message -p -t cf '#{pane_pid}')" codefleet | head -n 1; }
for sig in TERM SEGV; do
	rm -f "$FT/status"
	tm respawn-pane -k -t cf "ulimit -c 0; NO_COLOR=1 '$FT/cf' 2>'$FT/cf.$sig.err'; echo \$? >'$FT/status'"
	wait_for "respawned for SIG$sig: both hosts ok" both_ok
	pid=$(cf_of_pane)
	[ -n "$pid" ] && kill "-$sig" "$pid"
	wait_for "SIG$sig: codefleet exits" tui_dead
	[ "$sig" = TERM ] && expect_eq "$(cat "$FT/status")" 143 "exit status 143 after SIGTERM"
	expect_eq "$(tm display-message -p -t cf '#{alternate_on}')" 0 "SIG$sig: the alternate screen is left"
done

tui_no_stderr
tm kill-server >/dev/null 2>&1
finish

#!/usr/bin/env bash
# A session that is really running (the fleet's `running` host: `opencode
# serve` with a prompt the model server answers slowly): its row says
# "running", the header counts it, and its icon is a braille spinner that
# moves on its own, with no key pressed. With display.animation: false the
# icon stands still (the running glyph). q exits cleanly.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

fault_init tui_running 5
fleet_trap "$FD" _tui_cleanup
fault_fleet_up 1 1.18.33,running

TITLE="running: SLOW job"
# the icon: the character before the title on its row
icon() { screen | grep -F -- "$TITLE" | head -n 1 | LC_ALL=C.UTF-8 sed -E "s/^.* (.) ${TITLE}.*/\\1/"; }
# U+2800..U+28FF: UTF-8 e2 a0 80 .. e2 a3 bf
is_braille() {
	local hex
	hex=$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n')
	[ "${#hex}" = 6 ] && case $hex in e2a[0-3]*) true ;; *) false ;; esac
}

tui_start_env LANG=C.UTF-8
row_running() { screen | grep -F -- "$TITLE" | grep -q ' running '; }
wait_for "the session's row says running" row_running
wait_for "the header counts 1 running" has "1 running"

spins() {
	local a b i
	a=$(icon)
	is_braille "$a" || return 1
	for ((i = 0; i < 10; i++)); do
		sleep 0.2
		b=$(icon)
		is_braille "$b" && [ "$b" != "$a" ] && return 0
	done
	return 1
}
wait_for "its icon is a braille spinner that moves by itself" spins

keys q
wait_for "q: codefleet exits" tui_dead
tui_display animation=false
tui_restart_env LANG=C.UTF-8
wait_for "animation off: the row says running" row_running
still() {
	local a b
	a=$(icon)
	sleep 0.6
	b=$(icon)
	[ -n "$a" ] && [ "$a" = "$b" ] && ! is_braille "$a"
}
wait_for "animation off: the icon stands still (no spinner)" still
tui_quit
finish

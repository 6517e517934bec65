# Shared setup for dashboard tests: codefleet in a detached tmux pane (120x40)
# over a 2-host loopback fleet, with the fault_lib wrapper (private HOME/XDG,
# -F/-c). Source it, then call tui_init NAME and tui_start.
# shellcheck shell=bash
: "${CODEFLEET_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

SOCK=cf$$
tm() { tmux -L "$SOCK" "$@"; }
_tui_cleanup() {
	tm kill-server >/dev/null 2>&1
	_fault_cleanup
}

# tui_init NAME: the fleet (OpenCode 1.18.33 and 1.2.27 data) and the cleanup trap
tui_init() {
	command -v tmux >/dev/null || {
		echo "tmux not found"
		exit 1
	}
	fault_init "$1" 5
	fleet_trap "$FD" _tui_cleanup
	fault_fleet_up 2 1.18.33 1.2.27
}

# tui_start: codefleet in pane "cf"; its exit status goes to $FT/status
# (tmux 3.3a does not always reap the pane under ASan), stderr to $FT/cf.err
tui_start() {
	tm new-session -d -s cf -x 120 -y 40 \
		"NO_COLOR=1 CODEFLEET_TEST_DUMP='$FT/dump.txt' '$FT/cf' 2>'$FT/cf.err'; echo \$? >'$FT/status'" \; set-option -w -t cf remain-on-exit on ||
		fault_bail "tmux did not start"
}

screen() { tm capture-pane -p -t cf 2>/dev/null; }
# cursor: the text of the first reverse-video row below the header
cursor() {
	tm capture-pane -e -p -t cf 2>/dev/null | sed -n '2,$p' |
		grep -m1 -E $'\033\\[([0-9]+;)*7(;[0-9]+)*m' | sed -E $'s/\033\\[[0-9;]*m//g'
}
# wait_for DESC CMD...: until CMD succeeds (at most 15 s)
wait_for() {
	local desc=$1 i
	shift
	for ((i = 0; i < 150; i++)); do
		"$@" && {
			pass "$desc"
			return 0
		}
		sleep 0.1
	done
	fail "$desc; screen:"
	screen | sed 's/^/     | /'
	return 1
}
has() { screen | grep -qF -- "$1"; }
hasnt() { ! screen | grep -qF -- "$1"; }
# both_ok TEXT...: both hosts show ok and every TEXT is on screen
both_ok() {
	local s t
	s=$(screen)
	grep -Eq '^. host01 +ok ' <<<"$s" && grep -Eq '^. host02 +ok ' <<<"$s" || return 1
	for t in "$@"; do
		grep -qF -- "$t" <<<"$s" || return 1
	done
}
keys() { tm send-keys -t cf "$@"; }

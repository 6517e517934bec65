# Shared setup for dashboard tests: codefleet in a detached tmux pane (120x40)
# over a 2-host loopback fleet, with the fault_lib wrapper (private HOME/XDG,
# -F/-c). Source it, then call tui_init NAME and tui_start (NO_COLOR=1, the
# C locale) or tui_start_env VAR=VALUE... (an environment of the test's
# choosing); below: screen rows with their attributes (tui_attrs), host rows,
# a host's sshd stopped and started again.
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
	grep -Eq '^. . host01 .* ok ' <<<"$s" && grep -Eq '^. . host02 .* ok ' <<<"$s" || return 1
	for t in "$@"; do
		grep -qF -- "$t" <<<"$s" || return 1
	done
}
keys() { tm send-keys -t cf "$@"; }

# ---- a chosen environment (theme, locale, colours) --------------------------
# tui_start sets NO_COLOR=1 and keeps the test's LC_ALL=C (testlib.sh). These
# start codefleet with LC_ALL, LC_CTYPE, LANG, NO_COLOR, COLORFGBG and
# CODEFLEET_NO_OSC11 unset, then VAR=VALUE... of the test's choosing (TERM
# stays tmux's tmux-256color unless given):
#   tui_start_env LANG=C.UTF-8 TERM=xterm-256color
#   tui_restart_env NO_COLOR=1 LANG=C.UTF-8     a new codefleet in the same pane
# The exit status goes to $FT/status (removed first), stderr is appended to
# $FT/cf.err. The theme is the config's: tui_config KEY VALUE... below.
tui_cmd() {
	local kv q=
	for kv in "$@"; do q+=" $(printf '%q' "$kv")"; done
	printf "env -u LC_ALL -u LC_CTYPE -u LANG -u NO_COLOR -u COLORFGBG -u CODEFLEET_NO_OSC11%s CODEFLEET_TEST_DUMP='%s' '%s' 2>>'%s'; echo \$? >'%s'" \
		"$q" "$FT/dump.txt" "$FT/cf" "$FT/cf.err" "$FT/status"
}
tui_start_env() {
	rm -f "$FT/status"
	tm new-session -d -s cf -x 120 -y 40 "$(tui_cmd "$@")" \; set-option -w -t cf remain-on-exit on ||
		fault_bail "tmux did not start"
}
tui_restart_env() {
	rm -f "$FT/status"
	tm respawn-pane -k -t cf "$(tui_cmd "$@")" || fault_bail "tmux respawn-pane failed"
}

# tui_display KEY=VALUE...: $FT/config.yaml's display section (rewritten:
# fault_config's polling settings, then display: with these keys)
tui_display() {
	local kv
	fault_config "$FAULT_TIMEOUT"
	echo "display:" >>"$FT/config.yaml"
	for kv in "$@"; do echo "  ${kv%%=*}: ${kv#*=}" >>"$FT/config.yaml"; done
}

# ---- what each screen row looks like -----------------------------------------
# tui_attrs: capture-pane -e read as tmux writes it (an SGR sequence changes
# the attributes from the previous cell on, across line ends, so a row that
# goes on like the one above has no code of its own), one line per screen
# row: ROW<TAB>STATES<TAB>TEXT, where STATES are the distinct attribute sets
# of the row's non-blank cells, in order, joined by '|'. A set is letters
# B (bold) D (dim) I (italic) U (underline) R (reverse), then "fg=" and "bg="
# with "def", "c8:N" (30-37/40-47), "c16:N" (90-97/100-107), "c256:N"
# (38;5;N/48;5;N) or "rgb"; e.g. "DR fg=c256:242 bg=def". Byte-wise: the
# cells of a multi-byte character count once per byte, with its state.
tui_attrs() {
	tm capture-pane -e -p -t cf 2>/dev/null | LC_ALL=C awk '
	function reset() { b = d = it = u = r = 0; fg = bg = "def" }
	function state() {
		return (b ? "B" : "") (d ? "D" : "") (it ? "I" : "") (u ? "U" : "") (r ? "R" : "") \
			" fg=" fg " bg=" bg
	}
	function sgr(s,    n, p, i, v) {
		if (s == "") s = "0"
		n = split(s, p, /[;:]/)
		for (i = 1; i <= n; i++) {
			v = p[i] + 0
			if (v == 0) reset()
			else if (v == 1) b = 1
			else if (v == 2) d = 1
			else if (v == 3) it = 1
			else if (v == 4) u = 1
			else if (v == 7) r = 1
			else if (v == 22) b = d = 0
			else if (v == 23) it = 0
			else if (v == 24) u = 0
			else if (v == 27) r = 0
			else if (v >= 30 && v <= 37) fg = "c8:" (v - 30)
			else if (v == 39) fg = "def"
			else if (v >= 40 && v <= 47) bg = "c8:" (v - 40)
			else if (v == 49) bg = "def"
			else if (v >= 90 && v <= 97) fg = "c16:" (v - 90)
			else if (v >= 100 && v <= 107) bg = "c16:" (v - 100)
			else if (v == 38 || v == 48) {
				if (p[i + 1] == 5) { c = "c256:" (p[i + 2] + 0); i += 2 }
				else { c = "rgb"; i += 4 }
				if (v == 38) fg = c; else bg = c
			}
		}
	}
	BEGIN { reset(); esc = sprintf("%c", 27) }
	{
		line = $0; text = ""; states = ""; delete seen
		while (line != "") {
			if (substr(line, 1, 2) == esc "[") {
				for (j = 3; j <= length(line); j++) {
					ch = substr(line, j, 1)
					if (ch !~ /[0-9;:]/) break
				}
				if (ch == "m") sgr(substr(line, 3, j - 3))
				line = substr(line, j + 1)
				continue
			}
			ch = substr(line, 1, 1); line = substr(line, 2)
			text = text ch
			if (ch != " ") {
				s = state()
				if (!(s in seen)) { seen[s] = 1; states = states (states == "" ? "" : "|") s }
			}
		}
		printf "%d\t%s\t%s\n", NR, states, text
	}'
}
# row_states N: the attribute sets of screen row N (1 = the header)
row_states() { tui_attrs | awk -F '\t' -v n="$1" '$1 == n { print $2 }'; }
# host_line HOST: the screen row number of HOST's row (its name after the
# fold mark and icon, at most 3 bytes each), empty when not shown;
# host_state HOST: the state word on that row
_host_row() {
	screen | awk -v h="$1" -v f="$2" 'NR > 1 && length($1) <= 3 {
		if ($2 == h) i = 2; else if ($3 == h && length($2) <= 3) i = 3; else next
		print f == "line" ? NR : $(i + 1); exit }'
}
host_line() { _host_row "$1" line; }
host_state() { _host_row "$1" state; }
# rows_dim FIRST LAST: every non-blank cell of screen rows FIRST..LAST is dim
rows_dim() {
	tui_attrs | awk -F '\t' -v a="$1" -v z="$2" '
		$1 >= a && $1 <= z { n++; k = split($2, s, "|"); for (i = 1; i <= k; i++) if (s[i] !~ /^[A-Z]*D/) bad = 1 }
		END { exit !(n > 0 && !bad) }'
}
# rows_undim FIRST LAST: no cell of screen rows FIRST..LAST is dim
rows_undim() {
	tui_attrs | awk -F '\t' -v a="$1" -v z="$2" '
		$1 >= a && $1 <= z { n++; k = split($2, s, "|"); for (i = 1; i <= k; i++) if (s[i] ~ /^[A-Z]*D/) bad = 1 }
		END { exit !(n > 0 && !bad) }'
}

# ---- a host's sshd stopped and started again ---------------------------------
# tui_host_stop HOST: its listening sshd (SIGTERM) and the session processes
# under it (SIGKILL: codefleet's kept-open connection goes too), by PID; a
# later connection is refused. tui_host_freeze HOST: SIGSTOP the listener
# instead, so connections are accepted by the kernel and never answered.
tui_host_stop() {
	local root kids p
	root=$(hget "$1" FLEET_HOST_SSHD_PID)
	kids=$(_fleet_descendants "$root")
	kill -TERM "$root" 2>/dev/null
	kill -CONT "$root" 2>/dev/null
	for p in $kids; do
		case $(cat "/proc/$p/comm" 2>/dev/null) in sshd*) kill -KILL "$p" 2>/dev/null ;; esac
	done
	_fleet_wait_gone 50 "$root" || fault_bail "$1: sshd $root did not stop"
}
tui_host_freeze() { kill -STOP "$(hget "$1" FLEET_HOST_SSHD_PID)"; }
# tui_host_start HOST: a new sshd with the host's own sshd_config (same port
# and key), recorded so fleet_down stops it; waits until it answers
tui_host_start() {
	local hd=$FD/$1 pid port i
	port=$(hget "$1" FLEET_HOST_PORT)
	setsid "$FLEET_SSHD" -D -f "$hd/sshd_config" -E "$hd/sshd.log" </dev/null >/dev/null 2>&1 &
	pid=$!
	disown "$pid" 2>/dev/null
	_fleet_record "$FD" "$pid" "sshd:$1"
	_fleet_env_set "$hd/env" FLEET_HOST_SSHD_PID "$pid"
	for ((i = 0; i < 100; i++)); do
		[ "$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -c 7 <&3" 2>/dev/null)" = SSH-2.0 ] &&
			return 0
		_fleet_alive "$pid" || break
		sleep 0.1
	done
	fault_bail "$1: sshd did not start again on port $port: $(tail -n 3 "$hd/sshd.log")"
}

# tui_dead: codefleet's pane wrote its exit status
tui_dead() { [ -s "$FT/status" ]; }
# tui_no_stderr: codefleet wrote nothing to stderr (no warning, no sanitizer report)
tui_no_stderr() {
	if [ -s "$FT/cf.err" ]; then
		fail "codefleet wrote to stderr:"
		sed 's/^/     ! /' "$FT/cf.err"
	else
		pass "nothing on stderr (no sanitizer report)"
	fi
}
# tui_quit: q ends codefleet with status 0 and nothing on stderr
tui_quit() {
	keys q
	wait_for "q: codefleet exits" tui_dead
	expect_eq "$(cat "$FT/status")" 0 "exit status 0 after q" ||
		sed 's/^/     ! /' "$FT/cf.err"
	tui_no_stderr
}

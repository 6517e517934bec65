#!/usr/bin/env bash
# The dashboard draws the cache first (stale-while-revalidate) and keeps a
# failed host's last good data, dimmed (tmux 120x40, 2-host loopback fleet,
# nightops in 256 colours; dim is SGR 2 in capture-pane -e):
#   - a first run fills the cache (both hosts ok) and quits;
#   - host02's sshd is stopped (SIGSTOP: connections are accepted, never
#     answered, so its probe stays out until the 5 s deadline); a new
#     codefleet shows host02 at once as "stale" with the age of its data and
#     every session it had, its row and the rows below it dimmed, while
#     host01 turns ok, not dimmed;
#   - at the deadline host02 is "timeout": its cached rows stay, still dimmed
#     (the host row shows the failure, not dimmed);
#   - the sshd is killed: R on host02 gives "offline" (what `codefleet ls`
#     says too for the refused connection), cached rows kept and dimmed,
#     host01 still ok and not dimmed;
#   - the sshd started again (same port and key): R on host02 gives ok, every
#     session, nothing dimmed;
# q exits with status 0, nothing on stderr (LeakSanitizer in ASan builds).
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_stale
ENV=(TERM=xterm-256color LANG=C.UTF-8 CODEFLEET_NO_OSC11=1)

state_is() { [ "$(host_state "$1")" = "$2" ]; }
# the last row of the tree (the rows above the footer that hold something)
tree_end() { screen | sed -n '1,39p' | grep -n . | tail -n 1 | cut -d: -f1; }
# the short ids (last word) of the session rows from host02's row down
SES=' (idle|active|running|errored|archived) '
host02_ids() {
	local h
	h=$(host_line host02)
	[ -n "$h" ] && screen | sed -n "$h,39p" | grep -E -- "$SES" | awk '{ print $NF }' | sort | tr '\n' ' '
}

# ---- a first run fills the cache --------------------------------------------
tui_start_env "${ENV[@]}"
both() { state_is host01 ok && state_is host02 ok; }
wait_for "first run: both hosts ok" both
IDS=$(host02_ids)
[ "$(wc -w <<<"$IDS")" -ge 3 ] || fault_bail "host02 shows too few sessions: [$IDS]"
echo "     host02's sessions: $IDS"
keys q
wait_for "first run: q quits" tui_dead
expect_eq "$(cat "$FT/status")" 0 "first run: exit status 0"
if [ -s "$FT/home/.cache/codefleet/cache.db" ]; then pass "the cache file is there"; else fail "no cache file"; fi

# ---- host02 does not answer: the cache first ----------------------------------
tui_host_freeze host02
sleep 1.2 # the cached data at least a second old: its age reads "Ns ago"
tui_restart_env "${ENV[@]}"
# host02, and everything below it, in one look at the screen
h02_dim() {
	local h
	h=$(host_line host02)
	[ -n "$h" ] && rows_dim "$h" "$(tree_end)"
}
# host02's row is not dimmed, its cached rows below are
h02_below_dim() {
	local h
	h=$(host_line host02)
	[ -n "$h" ] && rows_undim "$h" "$h" && rows_dim $((h + 1)) "$(tree_end)"
}
h01_undim() {
	local h
	h=$(host_line host02)
	[ -n "$h" ] && rows_undim 2 $((h - 1))
}
same_ids() { [ "$(host02_ids)" = "$IDS" ]; }
aged() { screen | grep -E '^[^ ]+ [^ ]+ host02 ' | grep -qE ' [0-9]+[smhd] ago *$'; }
wait_for "host02 shows as stale (from the cache, probe not back)" state_is host02 stale
wait_for "host02's cached sessions all show at once" same_ids
wait_for "host02's row says how old its data is (\"Ns ago\")" aged
wait_for "host02's row and its sessions are dimmed (SGR 2)" h02_dim
wait_for "the header counts 1 stale" has "1 stale"
wait_for "host01 turns ok meanwhile" state_is host01 ok
wait_for "host01's rows are not dimmed" h01_undim
if state_is host02 stale; then
	pass "host02 still stale while its probe is out"
else
	fail "host02 left stale before its deadline: [$(host_state host02)]"
fi

# ---- the deadline: timeout, the cached rows stay --------------------------------
wait_for "host02 times out (accepted, never answered)" state_is host02 timeout
wait_for "host02's cached sessions still show" same_ids
wait_for "they stay dimmed; host02's own row shows the failure, not dimmed" h02_below_dim
wait_for "host02's row still says how old its data is" aged

# ---- refused: offline ----------------------------------------------------------
tui_host_stop host02
fault_ls
LS_STATE=$(jget host02 .state)
expect_eq "$LS_STATE" offline "codefleet ls: host02 (refused) is offline"
# the cursor to host02's row, R probes it again
on_host02() { cursor | grep -qE '^[^ ]+ [^ ]+ host02 '; }
h=$(host_line host02)
for ((i = 2; i < h; i++)); do keys j; done
wait_for "the cursor on host02" on_host02
keys R
wait_for "R on host02: $LS_STATE, like ls says" state_is host02 "$LS_STATE"
wait_for "host02's cached sessions still show" same_ids
wait_for "they stay dimmed (host02's own row not)" h02_below_dim
wait_for "host01 is ok" state_is host01 ok
wait_for "host01's rows are not dimmed" h01_undim

# ---- back: ok, nothing dimmed ------------------------------------------------------
tui_host_start host02
keys R
wait_for "sshd back, R on host02: ok" state_is host02 ok
wait_for "host02's sessions show" same_ids
h02_undim() {
	local h
	h=$(host_line host02)
	[ -n "$h" ] && rows_undim "$h" "$(tree_end)"
}
wait_for "host02's rows are not dimmed any more" h02_undim
not_aged() { ! aged && [ -n "$(host_line host02)" ]; }
wait_for "no age on host02's row (fresh data)" not_aged

tui_quit
tm kill-server >/dev/null 2>&1
finish

#!/usr/bin/env bash
# The selection survives the model changing between refreshes (tmux 120x40,
# 2-host loopback fleet): the cursor is put on a session of host02 (its
# short id noted), then
#   - a session is made on host01 with the real OpenCode CLI (`opencode
#     serve` with host01's environment, POST /session in ~/alpha); after r
#     the new row shows above and the cursor is still on the same session,
#     one row lower;
#   - the session is deleted (DELETE /session/:id) and serve stopped; after r
#     the row stays as a dimmed tombstone (SGR 2) for a few seconds, then
#     goes; the cursor stays on host02's session, back on its first row;
#   - both sshds are stopped (refused, kept-open connections killed): after r
#     both hosts are offline, their cached rows kept, the cursor on the same
#     session (dimmed now); the sshds started again, r: both ok, the cursor
#     still there, not dimmed;
# q exits with status 0, nothing on stderr (LeakSanitizer in ASan builds).
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/tui_lib.sh"

tui_init tui_hosts_change

state_is() { [ "$(host_state "$1")" = "$2" ]; }
both() { state_is host01 "$1" && state_is host02 "$1"; }
# the screen row of the cursor (the reverse row of the tree) and its short id
cursor_row() {
	tui_attrs | awk -F '\t' '$1 >= 2 && $1 <= 39 && $2 ~ /(^|\|)[A-Z]*R/ { print $1; exit }'
}
cursor_id() {
	local n
	n=$(cursor_row)
	[ -n "$n" ] && screen | sed -n "${n}p" | awk '{ print $NF }'
}
SES=' (idle|active|running|errored|archived) '

tui_start_env TERM=xterm-256color LANG=C.UTF-8 NO_COLOR=1
wait_for "both hosts ok" both ok

# ---- the cursor on host02's first session ---------------------------------------
H2=$(host_line host02)
ROW=$(screen | awk -v h="$H2" -v re="$SES" 'NR > h && $0 ~ re { print NR; exit }')
if [ -z "$H2" ] || [ -z "$ROW" ]; then fault_bail "no session row under host02"; fi
ID=$(screen | sed -n "${ROW}p" | awk '{ print $NF }')
for ((i = 2; i < ROW; i++)); do keys j; done
on_it() { [ "$(cursor_row)" = "$ROW" ] && [ "$(cursor_id)" = "$ID" ]; }
wait_for "the cursor on host02's session $ID (row $ROW)" on_it
if fault_db_ids host02 | grep -q "${ID}\$"; then
	pass "$ID ends an id of host02's database"
else
	fail "$ID ends no id of host02's database"
fi

# ---- a session appears on host01 --------------------------------------------------
H1=$(hget host01 FLEET_HOST_HOME)
V1=$(hget host01 FLEET_HOST_OPENCODE_VERSION)
BIN=$(fleet_opencode_bin "$V1") || fault_bail "no OpenCode $V1"
SV_PID=
_fleet_serve_start SV "$BIN" "$H1" "$FLEET_CACHE/cache-$V1" "$FT/serve.log" "$H1/alpha"
rc=$?
[ -n "$SV_PID" ] && _fleet_record "$FD" "$SV_PID" serve:host01 # fleet_down stops it
[ $rc = 0 ] || fault_bail "opencode serve on host01: $(tail -n 5 "$FT/serve.log")"
TITLE="appeared between refreshes"
NEW=$(_fleet_new_session "$SV_URL" "$H1/alpha" "{\"title\":\"$TITLE\"}") || fault_bail "POST /session failed"
echo "     new session on host01: $NEW"
keys r
new_row() { screen | grep -nF -- "$TITLE" | head -n 1 | cut -d: -f1; }
moved() {
	local n
	n=$(new_row)
	[ -n "$n" ] && [ "$n" -lt "$H2" ] && [ "$(cursor_id)" = "$ID" ] && [ "$(cursor_row)" = $((ROW + 1)) ]
}
wait_for "r: the new session shows under host01, the cursor still on $ID (one row lower)" moved

# ---- the session goes: a tombstone, then nothing ------------------------------------
_fleet_api DELETE "$SV_URL/session/$NEW" "$H1/alpha" >/dev/null || fail "DELETE /session/$NEW failed"
# shellcheck disable=SC2046  # PIDs
_fleet_stop_tree "$SV_PID" $(_fleet_descendants "$SV_PID")
keys r
tomb() {
	local n
	n=$(new_row)
	[ -n "$n" ] && rows_dim "$n" "$n" && rows_undim 2 $((n - 1)) && [ "$(cursor_id)" = "$ID" ]
}
wait_for "r: the deleted session is a dimmed tombstone, the cursor still on $ID" tomb
gone() { [ -z "$(new_row)" ] && on_it; }
wait_for "the tombstone goes; the cursor on $ID, back on row $ROW" gone
if rows_undim 2 39; then pass "nothing dimmed"; else fail "rows still dimmed: $(tui_attrs | grep -P '\tD' | head -n 3)"; fi

# ---- offline and back ------------------------------------------------------------------
tui_host_stop host01
tui_host_stop host02
keys r
off_kept() { both offline && on_it && rows_dim "$ROW" "$ROW"; }
wait_for "r with both sshds stopped: both offline, rows kept, the cursor on $ID (dimmed)" off_kept
tui_host_start host01
tui_host_start host02
keys r
back() { both ok && on_it && rows_undim 2 39; }
wait_for "sshds back, r: both ok, the cursor on $ID, nothing dimmed" back

tui_quit
tm kill-server >/dev/null 2>&1
finish

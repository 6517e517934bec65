#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034  # remote commands single-quoted on purpose; STATUS/ERR feed testlib
# `codefleet ls` and `codefleet watch` on the loopback fleet with real OpenCode
# data: 1.18.33, 1.2.27, 1.1.65 (JSON storage), 1.18.33 with a running session,
# plus `local` pointed at a copy of the 1.18 fixture database.
#   - ls --json finds every session of every project (the ids sqlite3 lists
#     over ssh), running sessions are `running`, hostile titles are neutralised
#   - watch --rounds 6 shows a session added between rounds (made by the
#     host's own `opencode serve`), and an unchanged host answers with the
#     short reply ("changed":false)
#   - with sshd stopped, ls shows the cached hosts as offline with the cached
#     data; --no-cache, --host, a corrupt cache file, the table output
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CODEFLEET_BIN:=$CODEFLEET_SRC/build/codefleet}"
. "$CODEFLEET_SRC/tests/lib/testlib.sh"
. "$CODEFLEET_SRC/tests/fleet/fleet.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/probe_ls.XXXXXX")
dir=$tmp/fleet
watch_pid=
cleanup() {
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	rm -rf "$tmp"
}
fleet_trap "$dir" cleanup

if ! fleet_up 4 "$dir" 1.18.33 1.2.27 1.1.65 1.18.33,running; then
	fail "fleet_up failed"
	finish
	exit 1
fi
pass "fleet up"

# local: the 1.18 fixture in a private data folder
mkdir -p "$tmp/localdata/opencode"
cp "$CODEFLEET_SRC/tests/fixtures/opencode-1.18.db" "$tmp/localdata/opencode/opencode.db"
cat >"$tmp/config.yaml" <<'EOF'
local: true
polling:
  interval: 30s
  timeout: 20s
EOF
export XDG_CACHE_HOME=$tmp/cache XDG_DATA_HOME=$tmp/localdata
# cf ARGS: codefleet on this fleet (a file, so that `run` can time it out)
printf '#!/bin/sh\nexec "%s" -F "%s" -c "%s" "$@"\n' "$CODEFLEET_BIN" "$dir/ssh_config" "$tmp/config.yaml" >"$tmp/cf"
chmod +x "$tmp/cf"
cf() { "$tmp/cf" "$@"; }
get() { fleet_host_get "$dir" "$1" "$2"; }
# ids HOST JSON: the session ids codefleet listed for HOST, sorted
ids() { jq -r --arg h "$1" '.hosts[] | select(.name==$h) | .projects[].sessions[].id' <<<"$2" | sort; }
# sqids HOST: the session ids in the host's database, read over ssh
sqids() { fleet_ssh "$dir" "$1" 'sqlite3 -readonly "$XDG_DATA_HOME/opencode/opencode.db" "SELECT id FROM session"' | sort; }

# The harness returns once OpenCode calls the session busy; its assistant
# message (the one without time.completed) may be written a moment later.
run_sid=$(get host04 FLEET_HOST_RUNNING_SESSION)
for _ in $(seq 1 100); do
	n=$(fleet_ssh "$dir" host04 "sqlite3 -readonly \"\$XDG_DATA_HOME/opencode/opencode.db\" \"SELECT count(*) FROM message WHERE session_id='$run_sid' AND json_extract(data,'\$.role')='assistant' AND json_extract(data,'\$.time.completed') IS NULL\"")
	[ "${n:-0}" -ge 1 ] && break
	sleep 0.2
done

# ---- ls --json -----------------------------------------------------------
t0=$(date +%s%3N)
run "$tmp/cf" ls --json
t1=$(date +%s%3N)
expect_status 0
echo "     ls --json over 5 hosts (cold, no cache): $((t1 - t0)) ms"
first=$OUT
if jq -e . >/dev/null <<<"$first"; then pass "one JSON document"; else fail "not JSON: $first"; fi
expect_eq "$(jq -r '[.hosts[].name] | join(" ")' <<<"$first")" "local host01 host02 host03 host04" "hosts"
expect_eq "$(jq -r '[.hosts[].state] | unique | join(" ")' <<<"$first")" "ok" "every host ok"
expect_eq "$(jq -r '.hosts[0] | keys_unsorted | join(",")' <<<"$first")" \
	"name,state,reason,method,opencode_version,home,probed_at,latency_ms,projects" "host keys"
# home: $HOME as the probe's shell sees it (sshd's SetEnv on each fleet host)
for host in host01 host02 host03 host04; do
	expect_eq "$(jq -r --arg h "$host" '.hosts[] | select(.name==$h) | .home' <<<"$first")" \
		"$(get "$host" FLEET_HOST_HOME)" "$host: home is the host's HOME"
done
expect_eq "$(jq -r '.hosts[] | select(.name=="local") | .home' <<<"$first")" "${HOME:-null}" "local: home is ours"
expect_eq "$(jq -r '[.hosts[].projects[].sessions[]] | .[0] | keys_unsorted | join(",")' <<<"$first")" \
	"id,title,directory,parent_id,status,created,updated,archived,agent,model,messages,cost,todos_done,todos_total" \
	"session keys"

for host in host01 host02 host04; do
	want=$(sqids "$host")
	got=$(ids "$host" "$first")
	n=$(printf '%s\n' "$want" | grep -c .)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		pass "$host: all $n sessions of the database ($(get "$host" FLEET_HOST_OPENCODE_VERSION))"
	else
		fail "$host sessions: got [$got] wanted [$want]"
	fi
	expect_eq "$(jq -r --arg h "$host" '.hosts[] | select(.name==$h) | .projects | length' <<<"$first")" \
		"$(fleet_ssh "$dir" "$host" 'sqlite3 -readonly "$XDG_DATA_HOME/opencode/opencode.db" "SELECT count(DISTINCT project_id) FROM session"')" \
		"$host: every project with sessions"
done
# the 1.1 host keeps its sessions as JSON files: storage/session/<project>/<id>.json
want=$(fleet_ssh "$dir" host03 'cd "$XDG_DATA_HOME/opencode/storage/session" && ls */*.json' | sed 's|.*/||; s|\.json$||' | sort)
expect_eq "$(ids host03 "$first")" "$want" "host03: all $(printf '%s\n' "$want" | grep -c .) sessions of the JSON storage"
expect_eq "$(jq -r '.hosts[] | select(.name=="host03") | .method' <<<"$first")" json-files "host03 read from the JSON files"
expect_eq "$(jq -r '.hosts[] | select(.name=="host01") | .method' <<<"$first")" sqlite3 "host01 read with sqlite3"
. "$CODEFLEET_SRC/tests/fixtures/opencode-fixtures.env"
read -r n _ <<<"$OPENCODE_1_18_COUNTS"
expect_eq "$(jq -r '[.hosts[] | select(.name=="local") | .projects[].sessions[]] | length' <<<"$first")" "$n" "local: the fixture's $n sessions"

expect_eq "$(jq -r --arg s "$run_sid" '.hosts[].projects[].sessions[] | select(.id==$s) | .status' <<<"$first")" \
	running "the busy session on host04 is running"
[ "$(jq -r --arg s "$run_sid" '.hosts[].projects[].sessions[] | select(.id==$s) | .status' <<<"$first")" = running ] ||
	jq -c --arg s "$run_sid" '.hosts[].projects[].sessions[] | select(.id==$s)' <<<"$first"
expect_eq "$(jq -r '[.hosts[] | select(.name!="host04") | .projects[].sessions[] | select(.status=="running")] | length' <<<"$first")" \
	0 "no session elsewhere is running"
expect_eq "$(jq -r '[.hosts[].projects[].sessions[] | select(.parent_id != null)] | length' <<<"$first")" 5 "sub-agent sessions keep their parent (one per host)"
if grep -q $'\033' <<<"$first"; then fail "an escape character reached the output"; else pass "no escape character in the output"; fi
expect_eq "$(jq -r '[.hosts[].projects[].sessions[].title | select(test("\"quoted\" .single."))] | length' <<<"$first")" 5 \
	"the title with quotes survives on every host"
expect_eq "$(jq -r '[.hosts[] | select(.probed_at > 1700000000000 and .latency_ms >= 0)] | length' <<<"$first")" 5 "probed_at and latency_ms"

# ---- watch: a session added between rounds, the short reply -------------
url=$(get host04 FLEET_HOST_SERVE_URL)
home4=$(get host04 FLEET_HOST_HOME)
cf watch --rounds 6 --interval 1.5 >"$tmp/watch.out" 2>"$tmp/watch.err" &
watch_pid=$!
for _ in $(seq 1 300); do
	[ -s "$tmp/watch.out" ] && break
	sleep 0.1
done
new_sid=$(_fleet_new_session "$url" "$home4/beta" '{"title":"added between rounds"}')
wait "$watch_pid"
STATUS=$?
watch_pid=
expect_status 0
ERR=$(cat "$tmp/watch.err")
expect_eq "$(grep -c . "$tmp/watch.out")" 6 "six lines"
expect_eq "$(jq -r '.round' "$tmp/watch.out" | tr '\n' ' ')" "1 2 3 4 5 6 " "rounds 1 to 6"
expect_eq "$(jq -r 'select(.elapsed_ms >= 0 and (.hosts | length) == 5) | .round' "$tmp/watch.out" | wc -l)" 6 "elapsed_ms and 5 hosts each round"
if [ -n "$new_sid" ] && [ "$(jq -r --arg s "$new_sid" 'select(.round==6) | .hosts[] | select(.name=="host04") | .projects[].sessions[] | select(.id==$s) | .title' "$tmp/watch.out")" = "added between rounds" ]; then
	pass "the session added between rounds appears ($new_sid)"
else
	fail "session [$new_sid] missing from round 6"
fi
expect_eq "$(jq -r --arg s "$new_sid" 'select(.round==1) | [.hosts[].projects[].sessions[] | select(.id==$s)] | length' "$tmp/watch.out")" 0 "not there in round 1"
# Every host sees every process of this machine (one account), and other
# tests start and stop opencode processes, which changes every host's token;
# so host01 must answer "unchanged" in at least one later round, not all
# (the rounds where it did not are printed).
unchanged=$(jq -r 'select(.round>1) | .hosts[] | select(.name=="host01") | .changed' "$tmp/watch.out" | grep -c false)
jq -r 'select(.round>1) | "     round \(.round): host01 changed \(.hosts[] | select(.name=="host01") | .changed)"' "$tmp/watch.out"
if [ "$unchanged" -ge 1 ]; then pass "host01 unchanged: the short reply in $unchanged of rounds 2-6"; else fail "host01 never answered unchanged"; fi
expect_eq "$(jq -r 'select(.round>1) | .hosts[] | select(.name=="host01") | [.projects[].sessions[]] | length' "$tmp/watch.out" | sort -u)" \
	"$(ids host01 "$first" | grep -c .)" "host01's previous result reused"
expect_eq "$(jq -r --arg s "$new_sid" '[.round, (.hosts[] | select(.name=="host04") | .changed), ([.hosts[].projects[].sessions[] | select(.id==$s)] | length)] | @tsv' "$tmp/watch.out" |
	awk '$3 == 1 { print $2; exit }')" true "host04 sent a full reply when the session appeared"
jq -r '"     watch round \(.round): \(.elapsed_ms) ms"' "$tmp/watch.out"

# ---- the cache: sshd stopped -----------------------------------------------
before=$(jq -c --arg h host01 '.hosts[] | select(.name==$h)' <<<"$first")
for host in host01 host02; do
	pid=$(get "$host" FLEET_HOST_SSHD_PID)
	kill "$pid" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done
run "$tmp/cf" ls --json
expect_status 1
cached=$OUT
expect_eq "$(jq -r '.hosts[] | select(.name=="host01" or .name=="host02") | .state' <<<"$cached" | tr '\n' ' ')" "offline offline " "stopped hosts are offline"
expect_eq "$(jq -r '.hosts[] | select(.name=="host01") | .reason | length > 0' <<<"$cached")" true "with a reason"
expect_eq "$(jq -r '.hosts[] | select(.name=="host01") | .home' <<<"$cached")" "$(get host01 FLEET_HOST_HOME)" "host01's home from the cache"
expect_eq "$(ids host01 "$cached")" "$(ids host01 "$first")" "host01 still shows the cache's sessions"
expect_eq "$(jq -r '.hosts[] | select(.name=="host01") | .probed_at' <<<"$cached")" \
	"$(jq -r 'select(.round==6) | .hosts[] | select(.name=="host01") | .probed_at' "$tmp/watch.out")" "probed_at is the cached probe's"
expect_eq "$(jq -r '.hosts[] | select(.name=="host03") | .state' <<<"$cached")" ok "host03 still ok"
[ -n "$before" ] || fail "no host01 in the first ls"

run "$tmp/cf" ls
expect_status 1
expect_out_contains "host01"
expect_out_contains "offline"
expect_out_contains "  $(get host03 FLEET_HOST_HOME)/alpha  ("

# ---- options -----------------------------------------------------------
run "$tmp/cf" ls --json --host 'host0[34]'
expect_status 0
expect_eq "$(jq -r '[.hosts[].name] | join(" ")' <<<"$OUT")" "host03 host04" "--host GLOB"
run "$tmp/cf" ls --json --host 'nomatch*'
expect_status 2
XDG_CACHE_HOME=$tmp/nocache run "$tmp/cf" ls --json --no-cache --host 'host03'
expect_status 0
if [ -e "$tmp/nocache/codefleet/cache.db" ]; then fail "--no-cache wrote a cache"; else pass "--no-cache writes no cache"; fi
# a corrupt cache: a warning, then the probe goes on
printf 'this is not a database at all, not even close........' >"$XDG_CACHE_HOME/codefleet/cache.db"
run "$tmp/cf" ls --json --host host03
expect_status 0
expect_err_contains "codefleet: warning: cache:"
expect_eq "$(jq -r '.hosts[0].state' <<<"$OUT")" ok "host03 ok after the corrupt cache"
# an unknown host key (empty known_hosts, StrictHostKeyChecking yes): refused,
# with the key's fingerprint in the reason
: >"$tmp/empty_known_hosts"
sed "s|$dir/known_hosts|$tmp/empty_known_hosts|" "$dir/ssh_config" >"$tmp/ssh_config.unknown"
run "$CODEFLEET_BIN" -F "$tmp/ssh_config.unknown" -c "$tmp/config.yaml" ls --json --no-cache --host host03
expect_status 1
expect_eq "$(jq -r '.hosts[0].state' <<<"$OUT")" hostkey-unknown "unknown host key"
case $(jq -r '.hosts[0].reason' <<<"$OUT") in *SHA256:*) pass "its fingerprint in the reason" ;; *) fail "reason: $OUT" ;; esac
run "$tmp/cf" ls --bogus
expect_status 2
run "$tmp/cf" watch
expect_status 2

finish

#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup runs from the trap
# Dashboard benchmark: a 200-host, 5000-session fleet drawn from the cache.
#
#   (1) time from process start to the first frame, from the cache, before any
#       network (median of BENCH_FF_RUNS runs in a tmux pane), and the RSS then;
#       plus the instruction profile of that start (callgrind)
#   (2a) instructions per keypress (key handling + redraw) with ~5800 rows
#       displayed: j without scrolling, j scrolling, typing a / filter
#   (2b) instructions per applied probe result: probe_engine_apply_results +
#       the tree rebuild, a full reply and an "unchanged" one
#   (3) how long q takes while hosts hang in connect (default timeouts)
#
# Prints figures only: no pass/fail on any of them. Exits non-zero only when
# something failed to run. Not part of ctest. See tests/bench/README.md.
#
# No sshd: every host is a Host alias of a generated ssh_config pointing at
# 127.0.0.1, and the cache holds one real probe reply per host (made once by
# the real probe script on a local OpenCode database, then varied per host).
#
# Environment:
#   CODEFLEET_BIN        the binary (default: $CODEFLEET_SRC/build/codefleet)
#   BENCH_HOSTS=200      hosts in the cache (25 sessions each)
#   BENCH_FF_RUNS=7      runs of (1), per variant (plus one warm-up run)
#   BENCH_COLS=120 BENCH_ROWS=40   the tmux pane
#   BENCH_KEYS_STILL=30  j presses of (2a) before the view scrolls (< BENCH_ROWS - 3)
#   BENCH_KEYS_SCROLL=60 j presses of (2a) that scroll
#   BENCH_APPLY_SECS=15  length of each (2b) window
#   BENCH_SMALL_HOSTS=10 also (2a) with this many hosts, for comparison (0: skip)
#   BENCH_SKIP_CALLGRIND=1  only (1) and (3)
#   BENCH_SKIP_QUIT=1       skip (3) (it waits up to 10 s)
#   BENCH_KEEP=1            keep the temporary folder (callgrind files in cg/)
set -u
export LC_ALL=C TZ=UTC
SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
HERE=$(dirname "$SELF")
: "${CODEFLEET_SRC:=$(cd "$HERE/../.." && pwd)}"
: "${CODEFLEET_BIN:=$CODEFLEET_SRC/build/codefleet}"
: "${OPENCODE_CACHE:=$HOME/.cache/codefleet/opencode}"
: "${BENCH_HOSTS:=200}"
: "${BENCH_FF_RUNS:=7}"
: "${BENCH_COLS:=120}"
: "${BENCH_ROWS:=40}"
: "${BENCH_KEYS_STILL:=30}"
: "${BENCH_KEYS_SCROLL:=60}"
: "${BENCH_APPLY_SECS:=15}"
: "${BENCH_SMALL_HOSTS:=10}"
: "${BENCH_SKIP_CALLGRIND:=0}"
: "${BENCH_SKIP_QUIT:=0}"
: "${BENCH_KEEP:=0}"
# the dashboard runs in a UTF-8 locale, as a user's would (the scripts here use C)
CF_LANG=C.UTF-8

die() {
	echo "tui_bench: error: $*" >&2
	exit 1
}
note() { echo "tui_bench: $*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for t in tmux sqlite3 node cc; do command -v "$t" >/dev/null || die "$t is needed"; done
[ -x "$CODEFLEET_BIN" ] || die "no codefleet binary at $CODEFLEET_BIN (set CODEFLEET_BIN)"
CODEFLEET_BIN=$(cd "$(dirname "$CODEFLEET_BIN")" && pwd)/$(basename "$CODEFLEET_BIN")
BIN_SRC=$CODEFLEET_BIN
if [ "$BENCH_SKIP_CALLGRIND" != 1 ]; then
	if ! command -v valgrind >/dev/null; then
		die "valgrind (callgrind) is needed for (2); BENCH_SKIP_CALLGRIND=1 skips it"
	fi
fi
[ "$BENCH_KEYS_STILL" -lt $((BENCH_ROWS - 3)) ] || die "BENCH_KEYS_STILL must be below BENCH_ROWS - 3"

tmp=$(mktemp -d /tmp/tuibench.XXXXXX) || exit 1
SOCK=tuibench$$
PIDS=() # "PID STARTTIME" of what we started (fault server, touch loop, panes)
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
# alive PID: running (a zombie is not: tmux reaps its panes' processes late)
alive() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}
starttime() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	# shellcheck disable=SC2086
	set -- $st
	echo "${20}"
}
track() { PIDS+=("$1 $(starttime "$1")"); }
cleanup() {
	local e p t
	# by PID, and only while the PID is still the process we started
	for e in "${PIDS[@]}"; do
		read -r p t <<<"$e"
		alive "$p" && [ -n "$t" ] && [ "$(starttime "$p")" = "$t" ] && kill -KILL "$p" 2>/dev/null
	done
	tm kill-server >/dev/null 2>&1
	if [ "$BENCH_KEEP" = 1 ]; then note "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

H=$tmp/home                     # HOME of the dashboard; the local OpenCode data
DB=$H/.local/share/opencode/opencode.db
XC=$tmp/xdg-cache               # XDG_CACHE_HOME: XC/codefleet/cache.db
CG=$tmp/cg
mkdir -p "$H/.local/share/opencode" "$H/.config" "$XC/codefleet" "$CG" "$tmp/gen" "$tmp/d"
# a copy: a rebuild of the build folder during the run changes nothing
cp "$BIN_SRC" "$tmp/codefleet" || die "cannot copy $BIN_SRC"
CODEFLEET_BIN=$tmp/codefleet

echo "== tui_bench $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); load $(load)"
echo "codefleet: $BIN_SRC (built $(date -u -r "$BIN_SRC" "+%Y-%m-%d %H:%M UTC"), run from a copy; tree $(git -C "$CODEFLEET_SRC" rev-parse --short HEAD 2>/dev/null) + uncommitted changes: $(git -C "$CODEFLEET_SRC" status --porcelain 2>/dev/null | grep -c .) files)"
echo "terminal: tmux $(tmux -V | cut -d' ' -f2) pane ${BENCH_COLS}x${BENCH_ROWS}, TERM=tmux-256color, $CF_LANG"

# ---- the data ---------------------------------------------------------------
# One OpenCode database with 25 sessions: the fixture made by the real CLI
# (8 sessions: 1 sub-agent, 1 archived; 4 projects) plus 17 sessions and a
# 5th project, with messages and todos, so the real probe script reads it.
cp "$CODEFLEET_SRC/tests/fixtures/opencode-1.18.db" "$DB" || die "no fixture database"
cat >"$tmp/synth.sql" <<EOF
UPDATE session SET directory = replace(directory, '/home/dev', '$H');
UPDATE project SET worktree = replace(worktree, '/home/dev', '$H');
INSERT INTO project (id, worktree, vcs, name, time_created, time_updated, sandboxes)
  SELECT '5b1f0c9e2d7a4a8b9c3d2e1f0a9b8c7d6e5f4a3b', '$H/src/delta-service', vcs, NULL,
    time_created, time_updated, sandboxes
  FROM project WHERE id = '28c22d91a8109f9c6f336a91b1be4bdd5a0d7e99';
CREATE TEMP TABLE t(n INTEGER PRIMARY KEY, title TEXT);
INSERT INTO t(title) VALUES
 ('Refactor the retry logic in the HTTP client'), ('Add pagination to /v2/orders'),
 ('Why does the CI cache miss on arm64?'), ('Write migration for the invoices table'),
 ('Fix flaky test_websocket_reconnect'), ('Explain the lock ordering in scheduler.go'),
 ('Port the config loader to TOML'), ('Bump dependencies and fix the breakage'),
 ('Profile the image resize worker'), ('Draft the release notes for 2.4'),
 ('Investigate memory growth in the indexer'), ('Add OpenTelemetry spans to the queue consumer'),
 ('Review PR #1432: rate limiter'), ('Clean up dead feature flags'),
 ('Make the CLI output machine-readable (--json)'), ('Debug the 502s behind the load balancer'),
 ('Document the deployment runbook');
CREATE TEMP VIEW tid AS SELECT n, title, printf('ses_dd54%04xffe', 4096 + n * 37)
  || substr('Kq7ZmP2xVn4RtB9sLc6WdY3hJf8GkT5uQe1NaXo', 1 + n, 15) AS id FROM t;
INSERT INTO session (id, project_id, parent_id, slug, directory, title, version, cost,
  tokens_input, tokens_output, tokens_reasoning, tokens_cache_read, tokens_cache_write,
  agent, model, time_created, time_updated)
SELECT tid.id,
  CASE tid.n % 5 WHEN 0 THEN '28c22d91a8109f9c6f336a91b1be4bdd5a0d7e99'
    WHEN 1 THEN '37e5ed39820b546c82ec864ea65ef7ec027f6e97'
    WHEN 2 THEN 'cd630716383c324fc72655258b66700641320525' WHEN 3 THEN 'global'
    ELSE '5b1f0c9e2d7a4a8b9c3d2e1f0a9b8c7d6e5f4a3b' END,
  NULL, 'bench-' || tid.n,
  CASE tid.n % 5 WHEN 0 THEN '$H/alpha' WHEN 1 THEN '$H/beta' WHEN 2 THEN '$H/work/gamma'
    WHEN 3 THEN '$H/scratch' ELSE '$H/src/delta-service' END,
  tid.title, '1.18.33', 0.011 * tid.n, 2200 * tid.n, 310 * tid.n, 40 * tid.n, 1500 * tid.n,
  90 * tid.n, CASE WHEN tid.n % 4 = 0 THEN 'plan' ELSE 'build' END,
  CASE tid.n % 3 WHEN 0 THEN '{"id":"claude-sonnet-4-5","providerID":"anthropic"}'
    WHEN 1 THEN '{"id":"gpt-5.1-codex","providerID":"openai"}'
    ELSE '{"id":"mock-1","providerID":"mock","variant":"default"}' END,
  s.time_created - tid.n * 3600000, s.time_updated - tid.n * 1800000
FROM tid, session s WHERE s.id = 'ses_dd540a110ffeOsH5uO22EDlHBP';
CREATE TEMP TABLE k(i INTEGER PRIMARY KEY);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20)
  INSERT INTO k SELECT i FROM c;
INSERT INTO message (id, session_id, time_created, time_updated, data)
SELECT printf('msg_b%02d%02d', tid.n, k.i) || substr(m.id, 11), tid.id,
  m.time_created - tid.n * 1800000 + k.i, m.time_updated - tid.n * 1800000 + k.i, m.data
FROM tid, k, message m
WHERE m.session_id = 'ses_dd540a110ffeOsH5uO22EDlHBP' AND k.i <= 1 + (tid.n * 7) % 17;
INSERT INTO todo (session_id, content, status, priority, position, time_created, time_updated)
SELECT tid.id, 'step ' || k.i, CASE WHEN k.i <= tid.n % 4 THEN 'completed' ELSE 'pending' END,
  'medium', k.i, 1796013514479, 1796013514479
FROM tid, k WHERE tid.n % 3 = 0 AND k.i <= 5;
EOF
sqlite3 "$DB" <"$tmp/synth.sql" || die "making the OpenCode database failed"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM session')" = 25 ] || die "the database does not hold 25 sessions"
# the OpenCode binary, when `make deps` installed it: the reply then names its version
oc=$OPENCODE_CACHE/1.18.33/node_modules/.bin/opencode
if [ -e "$oc" ]; then
	mkdir -p "$H/.opencode/bin" && ln -s "$oc" "$H/.opencode/bin/opencode"
fi

# cf_env: the environment of every codefleet run (private HOME and XDG, no agent)
cf_env() {
	printf 'env -u SSH_AUTH_SOCK -u SSH_AGENT_PID LANG=%s LC_ALL=%s HOME=%s XDG_CONFIG_HOME=%s XDG_CACHE_HOME=%s XDG_DATA_HOME=%s' \
		"$CF_LANG" "$CF_LANG" "$H" "$H/.config" "$XC" "$H/.local/share"
}

# One real reply: `codefleet ls` with the built-in local host runs the
# probe script on this database and stores the raw reply in the cache.
: >"$tmp/ssh_empty"
cat >"$tmp/conf-local.yaml" <<EOF
local: true
polling: {interval: 30s, timeout: 20s, max_parallel: 4}
EOF
$(cf_env) "$CODEFLEET_BIN" -F "$tmp/ssh_empty" -c "$tmp/conf-local.yaml" ls --json >"$tmp/ls.json" 2>"$tmp/ls.err" ||
	die "codefleet ls on the local host failed: $(head -c 300 "$tmp/ls.err")"
cp "$XC/codefleet/cache.db" "$tmp/local.db" || die "ls wrote no cache"
sqlite3 "$tmp/local.db" "SELECT writefile('$tmp/reply.txt', reply) FROM cache_host WHERE host = 'local'" >/dev/null
[ -s "$tmp/reply.txt" ] || die "no reply of the local host in the cache"

# One reply per host from the real one: new session ids, titles, agents,
# models, message counts and times (from a minute to 6 days ago)
cat >"$tmp/gen.js" <<'EOF'
'use strict';
// gen.js REPLY OLDHOME NHOSTS OUTDIR NOW_MS
const fs = require('fs');
const [replyFile, oldHome, nArg, outDir, nowArg] = process.argv.slice(2);
const N = parseInt(nArg, 10), NOW = parseInt(nowArg, 10);
const text = fs.readFileSync(replyFile, 'utf8').split(oldHome).join('/home/dev');
const marker = text.slice(0, text.indexOf(' '));
const order = [], body = {};
let cur = null;
for (const l of text.split('\n')) {
	if (l.startsWith(marker + ' ')) { cur = l.slice(marker.length + 1); order.push(cur); body[cur] = []; }
	else if (cur !== null) body[cur].push(l);
}
const rows = (name) => { const t = (body[name] || []).join('\n').trim(); return t ? JSON.parse(t) : []; };
const sessions = rows('sessions'), projects = rows('projects'), host = JSON.parse(body.host.join('\n').trim());
const TITLES = [
	'Refactor the retry logic in the HTTP client', 'Add pagination to /v2/orders',
	'Why does the CI cache miss on arm64?', 'Write migration for the invoices table',
	'Fix flaky test_websocket_reconnect', 'Explain the lock ordering in scheduler.go',
	'Port the config loader to TOML', 'Bump dependencies and fix the breakage',
	'Profile the image resize worker', 'Draft the release notes for 2.4',
	'Investigate memory growth in the indexer', 'Add OpenTelemetry spans to the queue consumer',
	'Review PR #1432: rate limiter', 'Clean up dead feature flags',
	'Make the CLI output machine-readable (--json)', 'Debug the 502s behind the load balancer',
	'Document the deployment runbook', 'alpha: fix the parser', 'Mock: tests for the tokenizer',
	'gamma: deploy script', 'scratch: quick question', 'Speed up the cold start of the API',
	'Rename the billing module', 'Add a health check endpoint', 'Triage the Sentry backlog',
	'Split the monolith config into per-service files', 'Kubernetes: fix the liveness probe',
	'Write property tests for the date parser', 'Migrate from moment.js to Temporal',
	'beta: "quoted" \'single\' ünïcødé 日本 🚀', 'Reduce Docker image size',
	'Audit the S3 bucket policies', 'Cache the GraphQL schema between requests',
];
const AGENTS = ['build', 'plan', 'build', 'general'];
const MODELS = ['anthropic/claude-sonnet-4-5', 'openai/gpt-5.1-codex', 'anthropic/claude-opus-4-1',
	'google/gemini-2.5-pro', 'mock/mock-1'];
const vary = (id, h) => id && id.startsWith('ses_') ? 'ses_' + h.toString(16).padStart(3, '0') + id.slice(7) : id;
const arr = (a) => a.length ? '[' + a.map((x) => JSON.stringify(x)).join(',\n') + ']' : '';
let active = 0, sub = 0, archived = 0, roots = 0;
const sql = [];
for (let h = 1; h <= N; h++) {
	const name = 'host' + String(h).padStart(3, '0');
	const ss = sessions.map((s, i) => {
		const o = Object.assign({}, s);
		o.id = vary(s.id, h);
		o.parent_id = vary(s.parent_id, h);
		if (!s.parent_id) o.title = TITLES[(i * 5 + h * 3) % TITLES.length];
		const ago = ((i * 131 + h * 17) % 97 === 0 ? 1 : 1 + ((i * 7919 + h * 104729) % 8640)) * 60000;
		if (ago <= 600000 && !s.time_archived) active++;
		o.time_updated = NOW - ago;
		o.last_message = o.time_updated + 250;
		o.time_created = o.time_updated - ((i + h) % 20) * 3600000 - 60000;
		if (s.time_archived) { o.time_archived = o.time_updated + 1000; archived++; }
		else if (s.parent_id) sub++;
		else roots++;
		o.messages = s.parent_id ? s.messages : 1 + ((i * 37 + h * 11) % 180);
		if (s.agent) o.agent = AGENTS[(i + h) % AGENTS.length];
		if (s.model) o.model = MODELS[(i * 3 + h) % MODELS.length];
		o.last_agent = o.agent; o.last_model = o.model;
		return o;
	});
	const hh = Object.assign({}, host, {hostname: name, now: NOW, token: `v1-${1000000 + h * 7919}-${h}`});
	const out = [];
	for (const sec of order) {
		out.push(`${marker} ${sec}`);
		if (sec === 'sessions') out.push(arr(ss));
		else if (sec === 'host') out.push(JSON.stringify(hh));
		else out.push(...body[sec].filter((l, k, a) => k < a.length - 1 || l !== ''));
	}
	fs.writeFileSync(`${outDir}/${name}`, out.join('\n') + '\n');
	sql.push(`INSERT INTO cache_host (host, token, method, opencode_version, probed_at, latency_ms,` +
		` state, reason, state_at, seen_at, reply) VALUES ('${name}', '${hh.token}', 'sqlite3',` +
		` '${host.opencode_version || ''}', ${NOW - 300000}, ${40 + h % 200}, 'ok', '', ${NOW - 300000},` +
		` ${NOW - 300000}, readfile('${outDir}/${name}'));`);
}
fs.writeFileSync(`${outDir}/insert.sql`, sql.join('\n') + '\n');
const bytes = fs.statSync(`${outDir}/host001`).size;
console.log(`${N} ${N * sessions.length} ${roots} ${sub} ${archived} ${active} ${N * projects.length} ${bytes}`);
EOF
read -r g_hosts g_sessions g_roots g_sub g_arch g_active g_projects g_bytes < <(node "$tmp/gen.js" "$tmp/reply.txt" "$H" "$BENCH_HOSTS" "$tmp/gen" "$(date +%s%3N)") ||
	die "generating the replies failed"
# the cache files: A = the fleet only; B = the fleet and the local host
cp "$tmp/local.db" "$tmp/cacheB.db"
sqlite3 "$tmp/cacheB.db" ".read $tmp/gen/insert.sql" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null || die "filling the cache failed"
cp "$tmp/cacheB.db" "$tmp/cacheA.db"
sqlite3 "$tmp/cacheA.db" "DELETE FROM cache_host WHERE host = 'local'" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
[ "$(sqlite3 "$tmp/cacheA.db" 'SELECT count(*) FROM cache_host')" = "$BENCH_HOSTS" ] || die "the cache does not hold $BENCH_HOSTS hosts"
rows_shown=$((g_hosts + g_projects + g_roots))
echo
echo "data: $g_hosts hosts x 25 sessions = $g_sessions sessions ($g_roots root, $g_sub sub-agent (folded), $g_arch archived (hidden), $g_active active)"
echo "      $g_projects projects; $rows_shown rows displayed (hosts + projects + root sessions, all open)"
echo "      one reply $g_bytes bytes (the probe script's own output on a 25-session OpenCode 1.18 database, varied per host);"
echo "      cache.db $(($(stat -c %s "$tmp/cacheA.db") / 1024)) KiB"

# ---- the hosts: nobody answers ------------------------------------------------
# (1) and (3'): a port nothing listens on (refused at once); (2) and (3): a
# server that accepts and never says a word, so no probe result ever comes
# back while we count (the hosts stay "stale" and busy).
refused=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})')
node "$CODEFLEET_SRC/tests/fleet/fault_server.js" --port-file "$tmp/ports" --owner-pid $$ \
	--lifetime 3600 --listen silent >"$tmp/fault.log" 2>&1 &
track "$!"
disown "$!" # no "Killed" line when the cleanup stops it
for _ in $(seq 1 200); do [ -s "$tmp/ports" ] && break; sleep 0.05; done
silent=$(awk '$1 == "silent" { print $2 }' "$tmp/ports" 2>/dev/null)
[ -n "$silent" ] || die "fault_server.js did not start: $(cat "$tmp/fault.log")"
# ssh_config NAME PORT N: N Host aliases on 127.0.0.1:PORT
ssh_config() {
	local i
	for ((i = 1; i <= $3; i++)); do
		printf 'Host host%03d\n  HostName 127.0.0.1\n  Port %s\n  User bench\n  UserKnownHostsFile /dev/null\n  StrictHostKeyChecking no\n\n' "$i" "$2"
	done >"$tmp/$1"
}
ssh_config ssh_refused "$refused" "$BENCH_HOSTS"
ssh_config ssh_silent "$silent" "$BENCH_HOSTS"
# configs: defaults, except that nothing but the cached hosts shows, and in
# (2) a host that connects never times out while we count
cat >"$tmp/conf-ff.yaml" <<EOF
local: false
polling: {interval: 30s, timeout: 10s, max_parallel: 16}
EOF
cat >"$tmp/conf-cg.yaml" <<EOF
local: false
polling: {interval: 30s, timeout: 1h, max_parallel: 16}
ssh: {connect_timeout: 1h}
EOF
cat >"$tmp/conf-apply.yaml" <<EOF
local: true
polling: {interval: 1s, timeout: 1h, max_parallel: 256}
ssh: {connect_timeout: 1h}
EOF
echo "hosts: Host host001..host$(printf %03d "$BENCH_HOSTS") -> 127.0.0.1:$refused (refused) for (1), 127.0.0.1:$silent (accepts, never answers) for (2)"

# fresh_cache FILE: the cache as generated (the dashboard writes to it)
fresh_cache() {
	rm -f "$XC/codefleet/cache.db" "$XC/codefleet/cache.db-wal" "$XC/codefleet/cache.db-shm"
	cp "$1" "$XC/codefleet/cache.db"
}
# pane CMD: runs CMD in a new tmux session "cf"; sets PANE (its PID)
pane() {
	tm kill-server >/dev/null 2>&1
	# exec: the pane's PID is the program's (stopped by PID)
	tm new-session -d -s cf -x "$BENCH_COLS" -y "$BENCH_ROWS" "exec $1" || die "tmux did not start"
	PANE=$(tm display -p -t cf '#{pane_pid}')
	track "$PANE"
}
# gone SECONDS: waits until the pane's process ended; false when it did not
gone() {
	local i
	for ((i = 0; i < $1 * 50; i++)); do alive "$PANE" || return 0; sleep 0.02; done
	return 1
}
screen() { tm capture-pane -p -t cf 2>/dev/null; }

# ---- (1) the first frame ---------------------------------------------------------
cc -std=c11 -O2 -o "$tmp/firstframe" "$HERE/tui_firstframe.c" || die "building tui_firstframe.c failed"
echo
echo "(1) first frame from the cache: tmux pane, process start (fork) to the first"
echo "    CODEFLEET_TEST_DUMP written (right after the first refresh()), inotify; $BENCH_FF_RUNS runs"
echo "    per variant, taking turns, after one warm-up run; ssh_config: $BENCH_HOSTS hosts refused at once;"
echo "    load $(load)"
ff_bad=0
# ff_run VARIANT_ENV: one run; sets FF_OUT="MS RSS HWM QUIT_MS CPU_MS WAIT_MS", or fails
ff_run() {
	local res=$tmp/ff.res dump=$tmp/d/dump.txt s
	rm -f "$res" "$dump" "$dump.first"
	fresh_cache "$tmp/cacheA.db"
	pane "$(cf_env) $1 CODEFLEET_TEST_DUMP=$dump $tmp/firstframe $res $dump $CODEFLEET_BIN -F $tmp/ssh_refused -c $tmp/conf-ff.yaml"
	for _ in $(seq 1 600); do [ -s "$res" ] && break; sleep 0.05; done
	read -r st ms rss hwm cpu rqwait <"$res" 2>/dev/null
	if [ "${st:-}" != ok ]; then
		note "first frame run failed: $(cat "$res" 2>/dev/null)"
		kill -KILL "$PANE" 2>/dev/null
		return 1
	fi
	# the first frame (copied by tui_firstframe the moment it appeared) must
	# show the cached hosts and their sessions
	if ! grep -q "hosts: $BENCH_HOSTS stale " "$dump.first" || ! grep -q ' host001 .*stale' "$dump.first" ||
		[ "$(grep -c ' msg ' "$dump.first")" -lt $((BENCH_ROWS / 2)) ]; then
		note "the first frame does not show the cached fleet:"
		sed 's/^/    | /' "$dump.first" | head -12 >&2
		ff_bad=1
	fi
	cp "$dump.first" "$tmp/first-frame.txt"
	s=$(date +%s%3N)
	tm send-keys -t cf q
	gone 20 || kill -KILL "$PANE" 2>/dev/null
	FF_OUT="$ms $rss $hwm $(($(date +%s%3N) - s)) $cpu $rqwait"
}
declare -A FF_MED FF_MIN FF_RSS FF_T FF_R FF_H FF_Q FF_C FF_W FF_WHAT FF_ENV
FF_ENV[colour]="" FF_WHAT[colour]="theme auto: the OSC 11 background query to tmux first"
FF_ENV[no-color]="NO_COLOR=1" FF_WHAT[no-color]="NO_COLOR=1: no background query"
ff_run "" || die "the warm-up run failed"
# the variants take turns, so a change of load hits both alike
for ((r = 1; r <= BENCH_FF_RUNS; r++)); do
	for variant in colour no-color; do
		ff_run "${FF_ENV[$variant]}" || die "run $r failed"
		read -r ms rss hwm q cpu rqwait <<<"$FF_OUT"
		FF_T[$variant]+=" $ms" FF_R[$variant]+=" $rss" FF_H[$variant]+=" $hwm" FF_Q[$variant]+=" $q"
		FF_C[$variant]+=" $cpu" FF_W[$variant]+=" $rqwait"
	done
done
for variant in colour no-color; do
	FF_MED[$variant]=$(echo "${FF_T[$variant]}" | median)
	FF_MIN[$variant]=$(echo "${FF_T[$variant]}" | tr ' ' '\n' | grep . | sort -n | head -n1)
	FF_RSS[$variant]=$(echo "${FF_R[$variant]}" | median)
	echo "  $variant (${FF_WHAT[$variant]}):"
	echo "    ms:${FF_T[$variant]}  -> median ${FF_MED[$variant]} ms, min ${FF_MIN[$variant]} ms"
	echo "    of it on a CPU (main thread, schedstat), ms:${FF_C[$variant]} (median $(echo "${FF_C[$variant]}" | median))"
	echo "    waiting for a CPU (main thread's run-queue time), ms:${FF_W[$variant]} (median $(echo "${FF_W[$variant]}" | median))"
	echo "    VmRSS at the first frame, kB:${FF_R[$variant]} (median ${FF_RSS[$variant]}); VmHWM $(echo "${FF_H[$variant]}" | median) kB"
	echo "    q to exit ($BENCH_HOSTS hosts refused, backing off), ms:${FF_Q[$variant]}"
done
echo "  the first frame ($BENCH_ROWS rows, first 6):"
head -n 6 "$tmp/first-frame.txt" | cut -c1-118 | sed 's/^/    | /'
[ "$ff_bad" = 0 ] || echo "  WARNING: a first frame did not show the cached fleet (see above)"

# ---- callgrind -------------------------------------------------------------------
# cg_start NAME SSHCFG CONF CACHE VALGRIND_ARGS...: codefleet under callgrind in
# the pane; waits until the first frame shows the cached hosts
cg_start() {
	local name=$1 ssh=$2 conf=$3 cache=$4 i
	shift 4
	fresh_cache "$cache"
	rm -f "$CG/$name".out*
	pane "$(cf_env) valgrind --tool=callgrind --callgrind-out-file=$CG/$name.out $* $CODEFLEET_BIN -F $tmp/$ssh -c $tmp/$conf 2>$CG/$name.vg"
	for ((i = 0; i < 1200; i++)); do
		screen | head -n1 | grep -q 'stale' && screen | grep -q 'host001' && return 0
		alive "$PANE" || break
		sleep 0.1
	done
	die "$name: the dashboard did not show the cached fleet under valgrind: $(tail -n 5 "$CG/$name.vg")"
}
# cg_count NAME: how many dump files NAME.out.1.. exist (one per frame or rebuild)
cg_count() {
	local n=0
	while [ -e "$CG/$1.out.$((n + 1))" ]; do n=$((n + 1)); done
	echo "$n"
}
# cg_files NAME FROM TO: the paths of dump files FROM..TO
cg_files() {
	local i
	for ((i = $2; i <= $3; i++)); do echo "$CG/$1.out.$i"; done
}
cg_stop() {
	kill -KILL "$PANE" 2>/dev/null
	gone 10
}
# tree_area: the rows between the header and the footer, with attributes
tree_area() { tm capture-pane -e -p -t cf -S 1 -E $((BENCH_ROWS - 2)) 2>/dev/null; }
# press_j N: N times j, each after the previous one is on screen
press_j() {
	local k w before
	for ((k = 0; k < $1; k++)); do
		before=$(tree_area)
		tm send-keys -t cf j
		for ((w = 0; w < 1500; w++)); do
			[ "$(tree_area)" != "$before" ] && break
			sleep 0.02
		done
		[ "$w" -lt 1500 ] || die "j was not drawn within 30 s"
	done
}
# type_filter TEXT: / and TEXT one key at a time, each after the previous is drawn
type_filter() {
	local text=$1 k w typed
	for ((k = 0; k <= ${#text}; k++)); do
		if [ "$k" = 0 ]; then tm send-keys -t cf /; else tm send-keys -t cf -l "${text:k-1:1}"; fi
		typed=${text:0:k}
		for ((w = 0; w < 1500; w++)); do
			screen | head -n1 | grep -qF -- "/$typed " && break
			sleep 0.02
		done
		[ "$w" -lt 1500 ] || die "the filter key $k was not drawn within 30 s"
	done
}
# cgjs OUT ARGS...: tui_cg.js ARGS > CG/OUT
cgjs() {
	local out=$1
	shift
	node "$HERE/tui_cg.js" "$@" >"$CG/$out" || die "tui_cg.js $1 failed: $(tail -n 3 "$CG/$out")"
}
result() { sed -n 's/^RESULT //p' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# keys_run NAME NHOSTS SSHCFG CACHE: (2a) for one fleet
keys_run() {
	local name=$1 n=$2 n0 n1 n2 n3
	# everything collected: a --dump-after file of a --toggle-collect function comes out empty
	cg_start "$name" "$3" conf-cg.yaml "$4" --dump-after=tui_draw_frame
	sleep 3 # the spinner's header-only frames
	n0=$(cg_count "$name")
	press_j "$BENCH_KEYS_STILL"
	sleep 2 # the last key's dump lands (later header-only frames are left out)
	n1=$(cg_count "$name")
	press_j "$BENCH_KEYS_SCROLL"
	sleep 2
	n2=$(cg_count "$name")
	if [ "$n" = big ]; then
		type_filter deploy
		sleep 2
		n3=$(cg_count "$name")
	fi
	sleep 0.5
	cg_stop
	# file 1 is the first frame
	mapfile -t idle < <(cg_files "$name" 2 "$n0")
	mapfile -t still < <(cg_files "$name" $((n0 + 1)) "$n1")
	mapfile -t scroll < <(cg_files "$name" $((n1 + 1)) "$n2")
	cgjs "$name.idle" idle "${idle[@]}"
	cgjs "$name.still" keys "j, cursor moves (no scroll)" "$BENCH_KEYS_STILL" "${still[@]}"
	cgjs "$name.scroll" keys "j, the view scrolls" "$BENCH_KEYS_SCROLL" "${scroll[@]}"
	cgjs "$name.j" keys "j, all $((BENCH_KEYS_STILL + BENCH_KEYS_SCROLL))" $((BENCH_KEYS_STILL + BENCH_KEYS_SCROLL)) \
		"${still[@]}" "${scroll[@]}"
	if [ "$n" = big ]; then
		mapfile -t filter < <(cg_files "$name" $((n2 + 1)) "$n3")
		cgjs "$name.filter" keys "typing a filter: / and 'deploy', re-filtered on each key" 7 "${filter[@]}"
	fi
}

if [ "$BENCH_SKIP_CALLGRIND" = 1 ]; then
	echo
	echo "(1') (2a) (2b) skipped (BENCH_SKIP_CALLGRIND=1)"
else
	echo
	echo "(1') the start under callgrind (--dump-after=tui_draw_frame: exec to the end of the first frame)"
	cg_start start ssh_silent conf-cg.yaml "$tmp/cacheA.db" --dump-after=tui_draw_frame
	for _ in $(seq 1 600); do grep -q '^totals:' "$CG/start.out.1" 2>/dev/null && break; sleep 0.05; done
	cg_stop
	cgjs start.txt startup "$CG/start.out.1"
	grep -v '^RESULT' "$CG/start.txt"

	echo
	echo "(2a) one keypress: tui_input_read + tui_draw_frame (--dump-after=tui_draw_frame: one file per"
	echo "     frame), each key sent after the previous one is on screen; $BENCH_HOSTS hosts hanging in"
	echo "     connect (busy: the header spinner runs); load $(load)"
	keys_run keys big ssh_silent "$tmp/cacheA.db"
	for f in idle still scroll j filter; do grep -v '^RESULT' "$CG/keys.$f"; done
	if [ "$BENCH_SMALL_HOSTS" -gt 0 ]; then
		ssh_config ssh_small "$silent" "$BENCH_SMALL_HOSTS"
		cp "$tmp/cacheA.db" "$tmp/cacheS.db"
		sqlite3 "$tmp/cacheS.db" "DELETE FROM cache_host WHERE host > 'host$(printf %03d "$BENCH_SMALL_HOSTS")'" >/dev/null
		echo
		echo "     the same with $BENCH_SMALL_HOSTS hosts ($((BENCH_SMALL_HOSTS * 29)) rows), for comparison:"
		keys_run small small ssh_small "$tmp/cacheS.db"
		grep -v '^RESULT' "$CG/small.j" | sed -n '1,2p'
	fi

	echo
	echo "(2b) applying one host's probe result: probe_engine_apply_results + the tree rebuild"
	echo "     (--toggle-collect=probe_engine_apply_results, tui_tree_src_fill, tui_tree_build;"
	echo "     --dump-after=tree_rebuild: one file per rebuild; tree_rebuild's own loop, count(), is not"
	echo "     counted). The built-in local host answers (the real probe script on the 25-session database,"
	echo "     polling.interval 1s) while the $BENCH_HOSTS cached hosts hang in connect, so only its results"
	echo "     are applied, each into the whole $((g_sessions + 25))-session tree: full replies while the database's"
	echo "     mtime changes every 0.4 s (a new change token each probe), then 'unchanged' replies"
	cg_start apply ssh_silent conf-apply.yaml "$tmp/cacheB.db" --collect-atstart=no \
		--toggle-collect=probe_engine_apply_results --toggle-collect=tui_tree_src_fill \
		--toggle-collect=tui_tree_build --dump-after=tree_rebuild
	(
		while :; do
			touch "$DB"
			sleep 0.4
		done
	) &
	toucher=$!
	track "$toucher"
	disown "$toucher"
	sleep 1.5 # from here every probe sees a new token
	a0=$(cg_count apply)
	sleep "$BENCH_APPLY_SECS"
	a1=$(cg_count apply)
	kill "$toucher"
	sleep 2.5 # the first probe after the last touch may still see it
	b0=$(cg_count apply)
	sleep "$BENCH_APPLY_SECS"
	b1=$(cg_count apply)
	sleep 1.5 # the last dump lands
	cg_stop
	mapfile -t full < <(cg_files apply $((a0 + 1)) "$a1")
	mapfile -t unch < <(cg_files apply $((b0 + 1)) "$b1")
	if [ "${#full[@]}" = 0 ]; then
		die "(2b): no full reply was applied (dumps $a0 $a1 $b0 $b1)"
	fi
	cgjs apply.full apply "full replies" "${full[@]}"
	grep -v '^RESULT' "$CG/apply.full"
	# an 'unchanged' answer moves no host version: the tree is kept, only redrawn
	if [ "${#unch[@]}" = 0 ]; then
		echo "  'unchanged' replies: no tree rebuild in ${BENCH_APPLY_SECS} s (the tree is kept)"
		echo "RESULT apply=0 rebuild=0 applied=0" >"$CG/apply.unch"
	else
		cgjs apply.unch apply "'unchanged' replies" "${unch[@]}"
		grep -v '^RESULT' "$CG/apply.unch" | sed -n '1,2p'
	fi
fi

# ---- (3) quitting while hosts hang in connect -----------------------------------
if [ "$BENCH_SKIP_QUIT" != 1 ]; then
	echo
	echo "(3) q while the $BENCH_HOSTS hosts hang in connect (a server that never answers), default"
	echo "    polling.timeout and ssh.connect_timeout (10 s); q pressed 2 s after the start"
	cat >"$tmp/conf-quit.yaml" <<EOF
local: false
EOF
	fresh_cache "$tmp/cacheA.db"
	pane "$(cf_env) $CODEFLEET_BIN -F $tmp/ssh_silent -c $tmp/conf-quit.yaml"
	sleep 2
	s=$(date +%s%3N)
	tm send-keys -t cf q
	if gone 30; then quit_ms=$(($(date +%s%3N) - s)); else quit_ms=">30000"; fi
	kill -KILL "$PANE" 2>/dev/null
	echo "  q to exit: $quit_ms ms"
fi

# ---- summary ------------------------------------------------------------------------
fmtM() { awk -v n="$1" 'BEGIN { printf "%.2fM", n / 1e6 }'; }
echo
echo "== summary: $g_hosts hosts, $g_sessions sessions, $rows_shown rows; pane ${BENCH_COLS}x${BENCH_ROWS}; load $(load)"
printf '  %-58s %-16s %s\n' "figure" "measured" "target"
printf '  %-58s %-16s %s\n' "(1) first frame from the cache, median (colour / NO_COLOR)" "${FF_MED[colour]} / ${FF_MED[no-color]} ms" "<= 50 ms"
printf '  %-58s %-16s %s\n' "(1) the same, fastest run (colour / NO_COLOR)" "${FF_MIN[colour]} / ${FF_MIN[no-color]} ms" ""
printf '  %-58s %-16s %s\n' "(1) of it on a CPU (main thread), median" "$(echo "${FF_C[colour]}" | median) / $(echo "${FF_C[no-color]}" | median) ms" ""
printf '  %-58s %-16s %s\n' "(1) VmRSS at the first frame, median" "${FF_RSS[colour]} kB" ""
if [ "$BENCH_SKIP_CALLGRIND" != 1 ]; then
	printf '  %-58s %-16s %s\n' "(1') instructions to the first frame" "$(fmtM "$(result "$CG/start.txt" total)")" ""
	printf '  %-58s %-16s %s\n' "(2a) per keypress, j (cursor moves / view scrolls)" "$(fmtM "$(result "$CG/keys.still" per_key)") / $(fmtM "$(result "$CG/keys.scroll" per_key)")" "< 2M"
	printf '  %-58s %-16s %s\n' "(2a) per keypress, j, all" "$(fmtM "$(result "$CG/keys.j" per_key)")" "< 2M"
	printf '  %-58s %-16s %s\n' "(2a) per keypress, typing a / filter" "$(fmtM "$(result "$CG/keys.filter" per_key)")" ""
	[ "$BENCH_SMALL_HOSTS" -gt 0 ] &&
		printf '  %-58s %-16s %s\n' "(2a) per keypress, j, with $BENCH_SMALL_HOSTS hosts" "$(fmtM "$(result "$CG/small.j" per_key)")" ""
	printf '  %-58s %-16s %s\n' "(2a) header-only frame (spinner, no key)" "$(fmtM "$(result "$CG/keys.idle" per_frame)")" ""
	for k in full unch; do
		f=$CG/apply.$k
		lbl=$([ $k = full ] && echo "full reply" || echo "'unchanged'")
		printf '  %-58s %-16s %s\n' "(2b) per applied result, $lbl: apply + tree rebuild" \
			"$(fmtM "$(result "$f" apply)") + $(fmtM "$(result "$f" rebuild)")" "($(result "$f" applied) applied)"
	done
fi
[ "$BENCH_SKIP_QUIT" != 1 ] && printf '  %-58s %-16s %s\n' "(3) q to exit, hosts hanging in connect" "$quit_ms ms" ""
echo
echo "done in $SECONDS s; load $(load)"
exit "$ff_bad"

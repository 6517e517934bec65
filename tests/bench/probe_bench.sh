#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2317,SC2031  # remote commands single-quoted on purpose; cleanup runs from the trap; fleet.sh sets XDG_* in subshells
# Probe benchmark on the loopback fleet (issue 3, "Tests and benchmark").
#
#   (a) the reference pipeline (the `ocr` TUI's probe): ssh with BatchMode and
#       ControlMaster=auto/ControlPersist=60, 10 hosts in parallel (xargs -P10),
#       remote `find ~ -maxdepth 2 -name .opencode -type d` and
#       `opencode session list --format json` in the parent of each found folder
#   (b) `codefleet ls --json --no-cache` (cold: new connections)
#   (c) `codefleet watch --rounds 5`: rounds 2..5 run on kept-open connections
#   (d) peak RSS and wall time of `codefleet ls --json --no-cache` on a big fleet
#
# Prints figures only: no pass/fail on timings.  Exits non-zero only when
# something failed to run (fleet, ssh, codefleet crashed or printed no JSON).
# Not part of ctest.  See tests/bench/README.md.
#
# Environment:
#   CODEFLEET_BIN      the binary (default: $CODEFLEET_SRC/build/codefleet)
#   BENCH_HOSTS=20     hosts of the main fleet (a, b, c)
#   BENCH_BIG=200      hosts of the RSS fleet (d)
#   BENCH_SKIP_BIG=1   skip (d)
#   BENCH_REF_RUNS=2   runs of (a): the 1st opens the ssh masters, later ones reuse them
#   BENCH_LS_RUNS=3    runs of (b)
#   BENCH_ROUNDS=5     rounds of (c)
#   BENCH_TIMEOUT=10s  codefleet's polling.timeout (max_parallel stays 16, the default)
#   BENCH_NO_GNU_TIME=1  measure RSS by polling VmHWM even when /usr/bin/time exists
set -u
export LC_ALL=C TZ=UTC
SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
: "${CODEFLEET_SRC:=$(cd "$(dirname "$SELF")/../.." && pwd)}"
: "${CODEFLEET_BIN:=$CODEFLEET_SRC/build/codefleet}"
: "${BENCH_HOSTS:=20}"
: "${BENCH_BIG:=200}"
: "${BENCH_SKIP_BIG:=0}"
: "${BENCH_REF_RUNS:=2}"
: "${BENCH_LS_RUNS:=3}"
: "${BENCH_ROUNDS:=5}"
: "${BENCH_TIMEOUT:=10s}"
REF_PARALLEL=10
REF_HOST_TIMEOUT=240 # seconds; bounds one host of (a) (the real ocr cuts at 10 s)

# The reference's remote command (ocr 81367b2, internal/remote/probe.go
# buildRemoteCmd, BIN=opencode, scan path ~), see
# /work/shared/reference/ocr-as-built.md section 3.1.
REF_REMOTE='OC=$(command -v opencode 2>/dev/null || echo "$HOME/.opencode/bin/opencode"); if [ -x "$OC" ]; then find ~ -maxdepth 2 -name .opencode -type d 2>/dev/null | while IFS= read -r d; do (cd "$(dirname "$d")" && "$OC" session list --format json 2>/dev/null); done; else printf "__OCR_OPENCODE_MISSING__\n"; fi'

now_ms() { date +%s%3N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# _ref_host FLEETDIR CMDIR OUTDIR HOST: one host of (a), run by xargs
if [ "${1-}" = _ref_host ]; then
	dir=$2 cm=$3 out=$4 host=$5
	s=$(now_ms)
	timeout "$REF_HOST_TIMEOUT" ssh -F "$dir/ssh_config" -o BatchMode=yes -o ConnectTimeout=10 \
		-o ControlMaster=auto -o ControlPersist=60 -o ControlPath="$cm/%C" \
		"$host" "$REF_REMOTE" </dev/null >"$out/$host.json" 2>"$out/$host.err"
	rc=$?
	echo "$host $rc $(($(now_ms) - s))" >"$out/$host.time"
	exit 0
fi

# shellcheck source=../fleet/fleet.sh
. "$CODEFLEET_SRC/tests/fleet/fleet.sh"

tmp=$(mktemp -d /tmp/pbench.XXXXXX) || exit 1 # short: ControlPath sockets live here
small=$tmp/f1
big=$tmp/f2
cm=$tmp/cm
mkdir -m 0700 "$cm"
failed=0
bench_cleanup() {
	local s pid
	# the ssh masters of (a): asked to exit through their own socket, then by PID
	for s in "$cm"/*; do
		[ -S "$s" ] || continue
		pid=$(ssh -F /dev/null -o ControlPath="$s" -O check x 2>&1 | sed -n 's/.*pid=\([0-9]*\).*/\1/p')
		ssh -F /dev/null -o ControlPath="$s" -O exit x >/dev/null 2>&1
		[ -n "$pid" ] && sleep 0.2 && grep -qF "$cm" "/proc/$pid/cmdline" 2>/dev/null && kill "$pid"
	done
	fleet_down "$big" >/dev/null 2>&1
	rm -rf "$tmp"
}
fleet_trap "$small" bench_cleanup

die() {
	echo "probe_bench: error: $*" >&2
	exit 1
}
note() { echo "probe_bench: $*" >&2; }

command -v node >/dev/null || die "node is needed (it reads the JSON)"
[ -x "$CODEFLEET_BIN" ] || die "no codefleet binary at $CODEFLEET_BIN (set CODEFLEET_BIN)"
TIMEV=
if [ -z "${BENCH_NO_GNU_TIME:-}" ] && [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then TIMEV=/usr/bin/time; fi

# The JSON reader (node): the fleet's truth, (a)'s outputs, codefleet's documents
cat >"$tmp/an.js" <<'EOF'
'use strict';
const fs = require('fs');
const [mode, ...args] = process.argv.slice(2);
// truth: "host<TAB>id<TAB>child<TAB>archived<TAB>reldir" lines
const truth = new Map(); // id -> {host, child, archived, dir}
for (const l of fs.readFileSync(args[0], 'utf8').split('\n')) {
	if (!l) continue;
	const [host, id, child, archived, dir] = l.split('\t');
	truth.set(id, {host, child: child === '1', archived: archived === '1', dir});
}
const label = (t) => t.dir + (t.child ? ' (sub-agent)' : '') + (t.archived ? ' (archived)' : '');
function missing(found) { // ids of the truth not in `found`, grouped
	const groups = new Map(), hosts = new Set();
	for (const [id, t] of truth) if (!found.has(id)) {
		groups.set(label(t), (groups.get(label(t)) || 0) + 1);
		hosts.add(t.host);
	}
	const parts = [...groups].map(([k, n]) => `${n} x ${k}`);
	return parts.length ? `missing ${parts.join(', ')} on ${hosts.size} host(s)` : 'missing none';
}
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 'NA'; };
const lat = (hosts) => { const l = hosts.map(h => h.latency_ms).filter(x => typeof x === 'number');
	return `host latency_ms min ${pct(l, 0)} median ${pct(l, 0.5)} max ${pct(l, 1)}`; };
function docIds(doc) {
	const ids = new Set(); let raw = 0;
	for (const h of doc.hosts) for (const p of h.projects || []) for (const s of p.sessions || []) { ids.add(s.id); raw++; }
	return {ids, raw};
}
function states(doc) {
	const c = {};
	for (const h of doc.hosts) c[h.state] = (c[h.state] || 0) + 1;
	return Object.entries(c).map(([k, n]) => `${k}=${n}`).join(' ');
}
if (mode === 'ref') { // ref TRUTH OUTDIR: "unique raw | per-host | missing"
	const found = new Set(); let raw = 0; const per = [];
	for (const f of fs.readdirSync(args[1]).filter(f => f.endsWith('.json')).sort()) {
		const text = fs.readFileSync(`${args[1]}/${f}`, 'utf8');
		const ids = [...text.matchAll(/"id"\s*:\s*"(ses_[^"]+)"/g)].map(m => m[1]);
		raw += ids.length; ids.forEach(i => found.add(i));
		per.push(new Set(ids).size);
	}
	console.log(`${found.size} ${raw}`);
	console.log(`per host: min ${pct(per, 0)} max ${pct(per, 1)} sessions`);
	console.log(missing(found));
} else if (mode === 'ls') { // ls TRUTH FILE: "unique raw | states | latency | missing"
	const doc = JSON.parse(fs.readFileSync(args[1], 'utf8'));
	const {ids, raw} = docIds(doc);
	console.log(`${ids.size} ${raw}`);
	console.log(`${doc.hosts.length} hosts: ${states(doc)}; ${lat(doc.hosts)}`);
	console.log(missing(ids));
	for (const h of doc.hosts) if (h.state !== 'ok') console.log(`  ${h.name}: ${h.state}: ${h.reason}`);
} else if (mode === 'watch') { // watch TRUTH FILE: one line per round
	const lines = fs.readFileSync(args[1], 'utf8').split('\n').filter(Boolean);
	for (const l of lines) {
		const doc = JSON.parse(l);
		const {ids} = docIds(doc);
		const ch = doc.hosts.map(h => h.changed);
		const nch = ch.filter(x => x === true).length, nun = ch.filter(x => x === false).length;
		console.log(`${doc.round} ${doc.elapsed_ms} ${ids.size} | ${states(doc)}; changed ${nch}, unchanged ${nun}, no answer ${ch.length - nch - nun}; ${lat(doc.hosts)}; ${missing(ids)}`);
	}
}
EOF

# truth DIR OUT: every session of every host, read from the databases locally
truth() {
	local dir=$1 host db home
	: >"$2"
	for host in $(fleet_hosts "$dir"); do
		db=$(fleet_host_get "$dir" "$host" FLEET_HOST_DB)
		home=$(fleet_host_get "$dir" "$host" FLEET_HOST_HOME)
		[ -n "$db" ] || continue
		sqlite3 -readonly -separator $'\t' "$db" \
			"SELECT '$host', id, parent_id IS NOT NULL, time_archived IS NOT NULL, directory FROM session" |
			sed "s#\t${home//#/\\#}/#\t~/#; s#\t${home//#/\\#}\$#\t~#" >>"$2" || return 1
	done
}
# expected DIR KEY: sum of a FLEET_HOST_* count over the hosts' env files
expected() {
	local n=0 host
	for host in $(fleet_hosts "$1"); do n=$((n + $(fleet_host_get "$1" "$host" "$2"))); done
	echo "$n"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", a / b; else print "inf" }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# cf DIR CONFIG OUT ERR TIMEFILE TIMEOUT ARGS...: codefleet under /usr/bin/time
# (or alone); sets CF_RC and CF_MS (wall, ms, measured here)
cf() {
	local dir=$1 conf=$2 out=$3 err=$4 tf=$5 lim=$6 s
	shift 6
	s=$(now_ms)
	if [ -n "$TIMEV" ]; then
		"$TIMEV" -v -o "$tf" timeout "$lim" "$CODEFLEET_BIN" -F "$dir/ssh_config" -c "$conf" "$@" >"$out" 2>"$err" </dev/null
	else
		rss_poll "$tf" timeout "$lim" "$CODEFLEET_BIN" -F "$dir/ssh_config" -c "$conf" "$@" >"$out" 2>"$err" </dev/null
	fi
	CF_RC=$?
	CF_MS=$(($(now_ms) - s))
}
# rss_poll TIMEFILE CMD...: without GNU time: VmHWM of the process, polled
rss_poll() {
	local tf=$1 pid child hwm=0 v
	shift
	"$@" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null) # timeout's child
		for p in $child; do
			v=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$p/status" 2>/dev/null)
			[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
		done
		sleep 0.02
	done
	wait "$pid"
	local rc=$?
	echo "Maximum resident set size (kbytes): $hwm (VmHWM polled every 20 ms)" >"$tf"
	return $rc
}
maxrss() { sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$1"; }
cf_ok() { # a document came out and codefleet exited 0 (all ok) or 1 (some host not ok)
	[ "$CF_RC" -le 1 ] && [ -s "$1" ] && node -e 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0])' "$1" 2>/dev/null
}

config=$tmp/config.yaml
cat >"$config" <<EOF
# probe_bench: only the fleet's hosts; defaults otherwise
local: false
polling:
  interval: 30s
  timeout: $BENCH_TIMEOUT
  max_parallel: 16
EOF
export XDG_CACHE_HOME=$tmp/xdg-cache XDG_CONFIG_HOME=$tmp/xdg-config

echo "== probe_bench $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); load $(load)"
echo "codefleet: $CODEFLEET_BIN (built $(date -u -r "$CODEFLEET_BIN" "+%Y-%m-%d %H:%M UTC"); tree $(git -C "$CODEFLEET_SRC" rev-parse --short HEAD 2>/dev/null) + uncommitted changes: $(git -C "$CODEFLEET_SRC" status --porcelain 2>/dev/null | grep -c .) files)"
echo "ssh: $(ssh -V 2>&1); sshd: loopback fleet (tests/fleet), OpenCode $FLEET_DEFAULT_SPEC"
echo "codefleet config: polling.timeout $BENCH_TIMEOUT, max_parallel 16, no local host"

# ---- the main fleet ---------------------------------------------------------
t=$(now_ms)
FLEET_QUIET=1 fleet_up "$BENCH_HOSTS" "$small" || die "fleet_up $BENCH_HOSTS failed"
up_ms=$(($(now_ms) - t))
# real projects carry a .opencode folder (config, agents, commands): the
# reference finds projects by it
for host in $(fleet_hosts "$small"); do
	home=$(fleet_host_get "$small" "$host" FLEET_HOST_HOME)
	for p in alpha beta work/gamma; do mkdir -p "$home/$p/.opencode" || die "mkdir $home/$p/.opencode"; done
done
truth "$small" "$tmp/truth1" || die "reading the hosts' databases failed"
want=$(expected "$small" FLEET_HOST_SESSIONS)
want_root=$(expected "$small" FLEET_HOST_ROOT_SESSIONS)
want_arch=$(expected "$small" FLEET_HOST_ARCHIVED)
[ "$(grep -c . "$tmp/truth1")" = "$want" ] || die "databases hold $(grep -c . "$tmp/truth1") sessions, env files say $want"
h1=$(fleet_hosts "$small" | head -n1)
echo
echo "fleet: $BENCH_HOSTS hosts up in $up_ms ms; per host: projects ~/alpha ~/beta ~/work/gamma (git, each with .opencode/)"
echo "       + ~/scratch (no git: project global); ~/.opencode/bin/opencode on PATH"
echo "expected sessions (env files): $want ($want_root root, $((want - want_root)) sub-agent, $want_arch archived)"
echo "  by folder on $h1: $(awk -F'\t' -v h="$h1" '$1 == h { n[$5 ($3 == 1 ? " (sub-agent)" : "")]++ } END { for (k in n) printf "%s %d; ", k, n[k] }' "$tmp/truth1")"

# ---- (a) the reference pipeline ---------------------------------------------
echo
echo "(a) reference: ssh BatchMode=yes ControlMaster=auto ControlPersist=60, xargs -P$REF_PARALLEL,"
echo "    find ~ -maxdepth 2 -name .opencode -type d; opencode session list --format json in each parent"
ref_ms=()
for ((r = 1; r <= BENCH_REF_RUNS; r++)); do
	out=$tmp/ref$r
	mkdir -p "$out"
	l=$(load)
	s=$(now_ms)
	# in the background, so that a signal stops the bench at once (the trap
	# stops the hosts, which ends these ssh clients)
	fleet_hosts "$small" | xargs -P"$REF_PARALLEL" -n1 bash "$SELF" _ref_host "$small" "$cm" "$out" &
	wait $!
	ms=$(($(now_ms) - s))
	ref_ms+=("$ms")
	bad=$(cat "$out"/*.time | awk '$2 != 0 { printf "%s(exit %s) ", $1, $2 }')
	[ "$(cat "$out"/*.time | wc -l)" = "$BENCH_HOSTS" ] || { bad="$bad missing-results"; }
	mapfile -t an < <(node "$tmp/an.js" ref "$tmp/truth1" "$out")
	read -r ref_found _ <<<"${an[0]}"
	grep_n=$(cat "$out"/*.json | grep -c '"id"')
	hl=$(cat "$out"/*.time | awk '{ print $3 }' | sort -n | awk '{ v[NR] = $1 } END { printf "min %d median %d max %d", v[1], v[int((NR + 1) / 2)], v[NR] }')
	what=$([ "$r" = 1 ] && echo "new ssh masters" || echo "masters from run 1 reused")
	echo "  run $r ($what; load $l): $ms ms wall; per-host ms $hl"
	echo "    sessions: $ref_found unique of $want ($grep_n '\"id\"' lines); ${an[1]}; ${an[2]}"
	[ -n "$bad" ] && { echo "    FAILED hosts: $bad"; head -c 300 "$out"/*.err; failed=1; }
done
ref_a=${ref_ms[0]}

# ---- (b) codefleet ls, cold ------------------------------------------------
echo
echo "(b) codefleet ls --json --no-cache (new connections each run)"
ls_ms=()
for ((r = 1; r <= BENCH_LS_RUNS; r++)); do
	l=$(load)
	cf "$small" "$config" "$tmp/ls$r.json" "$tmp/ls$r.err" "$tmp/ls$r.time" 120 ls --json --no-cache
	if ! cf_ok "$tmp/ls$r.json"; then
		echo "  run $r: codefleet exited $CF_RC without a document: $(head -c 300 "$tmp/ls$r.err")"
		failed=1
		continue
	fi
	ls_ms+=("$CF_MS")
	mapfile -t an < <(node "$tmp/an.js" ls "$tmp/truth1" "$tmp/ls$r.json")
	read -r ls_found ls_raw <<<"${an[0]}"
	echo "  run $r (load $l): $CF_MS ms wall, exit $CF_RC, max RSS $(maxrss "$tmp/ls$r.time") kB"
	echo "    sessions: $ls_found unique of $want ($ls_raw listed); ${an[1]}; ${an[2]}"
	for ((i = 3; i < ${#an[@]}; i++)); do echo "  ${an[i]}"; done
done

# ---- (c) codefleet watch, warm rounds --------------------------------------
echo
echo "(c) codefleet watch --rounds $BENCH_ROUNDS --interval 0.001 (cache in a fresh folder; round 1 cold)"
l=$(load)
cf "$small" "$config" "$tmp/watch.jsonl" "$tmp/watch.err" "$tmp/watch.time" 300 watch --rounds "$BENCH_ROUNDS" --interval 0.001
warm=()
if cf_ok "$tmp/watch.jsonl"; then
	echo "  load $l; $CF_MS ms wall for all rounds, exit $CF_RC, max RSS $(maxrss "$tmp/watch.time") kB"
	while read -r round ems found rest; do
		echo "  round $round: $ems ms, $found of $want sessions $rest"
		[ "$round" -ge 2 ] && warm+=("$ems")
	done < <(node "$tmp/an.js" watch "$tmp/truth1" "$tmp/watch.jsonl")
	[ "$(grep -c . "$tmp/watch.jsonl")" = "$BENCH_ROUNDS" ] || { echo "  only $(grep -c . "$tmp/watch.jsonl") rounds printed"; failed=1; }
else
	echo "  codefleet watch exited $CF_RC without output: $(head -c 300 "$tmp/watch.err")"
	failed=1
fi
# whether (a) changed anything it should not have: the databases still hold the same
truth "$small" "$tmp/truth1.after" && cmp -s "$tmp/truth1" "$tmp/truth1.after" ||
	echo "  note: the hosts' sessions changed during the run"

# ---- summary for the main fleet ---------------------------------------------
echo
echo "== summary, $BENCH_HOSTS hosts, $want sessions expected"
ls_med=$(echo "${ls_ms[*]:-}" | median)
warm_med=$(echo "${warm[*]:-}" | median)
warm_max=$(printf '%s\n' "${warm[@]:-}" | sort -n | tail -n1)
printf '  %-44s %8s ms   sessions %s of %s\n' "(a) reference, run 1 (new masters)" "$ref_a" "${ref_found:-?}" "$want"
[ "${#ref_ms[@]}" -gt 1 ] && printf '  %-44s %8s ms\n' "(a) reference, later runs (masters reused)" "${ref_ms[*]:1}"
printf '  %-44s %8s ms   sessions %s of %s   (runs: %s)\n' "(b) codefleet ls cold, median (lower)" "${ls_med:-NA}" "${ls_found:-?}" "$want" "${ls_ms[*]:-}"
printf '  %-44s %8s ms   (rounds 2..%s: %s)\n' "(c) codefleet warm round, median (lower)" "${warm_med:-NA}" "$BENCH_ROUNDS" "${warm[*]:-}"
if [ -n "${ls_med:-}" ] && [ -n "${warm_med:-}" ]; then
	echo "  ratio (a)/(b)    = $(ratio "$ref_a" "$ls_med")x    (target >= 20x)"
	echo "  ratio (a)/(warm) = $(ratio "$ref_a" "$warm_med")x   (slowest warm round: $(ratio "$ref_a" "$warm_max")x; target >= 100x)"
	if [ "${#ref_ms[@]}" -gt 1 ]; then
		ra2=$(echo "${ref_ms[*]:1}" | median)
		echo "  against (a) with reused masters ($ra2 ms): (a)/(b) = $(ratio "$ra2" "$ls_med")x, (a)/(warm) = $(ratio "$ra2" "$warm_med")x"
	fi
fi
echo "  sessions: reference ${ref_found:-?}, codefleet ls ${ls_found:-?}, expected $want (target: codefleet finds every one)"

# ---- (d) the big fleet: peak RSS --------------------------------------------
if [ "$BENCH_SKIP_BIG" = 1 ]; then
	echo
	echo "(d) skipped (BENCH_SKIP_BIG=1)"
else
	t=$(now_ms)
	fleet_down "$small" >/dev/null || note "fleet_down of the main fleet left processes"
	echo
	FLEET_QUIET=1 fleet_up "$BENCH_BIG" "$big" || die "fleet_up $BENCH_BIG failed"
	echo "(d) big fleet: $BENCH_BIG hosts up in $(($(now_ms) - t)) ms (main fleet down included)"
	truth "$big" "$tmp/truth2" || die "reading the big fleet's databases failed"
	want2=$(expected "$big" FLEET_HOST_SESSIONS)
	l=$(load)
	cf "$big" "$config" "$tmp/big.json" "$tmp/big.err" "$tmp/big.time" 300 ls --json --no-cache
	if cf_ok "$tmp/big.json"; then
		mapfile -t an < <(node "$tmp/an.js" ls "$tmp/truth2" "$tmp/big.json")
		read -r big_found _ <<<"${an[0]}"
		rss=$(maxrss "$tmp/big.time")
		echo "  codefleet ls --json --no-cache (load $l): $CF_MS ms wall, exit $CF_RC"
		echo "  peak RSS: $rss kB = $(awk -v k="$rss" 'BEGIN { printf "%.1f MiB = %.1f MB", k / 1024, k * 1.024 / 1000 }') (target <= 30 MB)$([ -z "$TIMEV" ] && echo ' [VmHWM polled]')"
		[ -n "$TIMEV" ] && sed -n 's/^\t\(User time\|System time\|Percent of CPU\|Voluntary context\)/  \1/p' "$tmp/big.time"
		echo "  sessions: $big_found of $want2; ${an[1]}; ${an[2]}"
		for ((i = 3; i < ${#an[@]} && i < 23; i++)); do echo "  ${an[i]}"; done
	else
		echo "  codefleet ls exited $CF_RC without a document: $(head -c 300 "$tmp/big.err")"
		failed=1
	fi
	fleet_down "$big" >/dev/null || note "fleet_down of the big fleet left processes"
fi

echo
echo "done in $SECONDS s; load $(load)"
exit "$failed"

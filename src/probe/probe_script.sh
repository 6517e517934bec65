# codefleet remote probe, protocol 1. See docs/probe-protocol.md.
#
# Started once per connection as `sh -s [-- OPENCODE_PATH]` with this text on
# stdin. Everything is inside one brace group, so the shell has read the whole
# script before it runs any of it; it then prints a ready line and answers
# request lines read from the same stdin:
#     probe MARKER LAST_TOKEN [method=NAME]
#     set MARKER opencode_path VALUE
#     ping MARKER
#     quit
# Each answer ends with the line `MARKER end STATUS`. POSIX sh only (dash,
# busybox ash): no arrays, no `local`, no [[ ]], no $'..'. Values that came
# from the client or from the host's files are only ever used inside double
# quotes or passed as arguments, never evaluated.
{
CF_CAP=16777216
CF_PROTO=1
CF_OCPATH=${1-}
CF_OC=
CF_OCVER=
CF_OCVER_FOR=
CF_SQLITE=
CF_PYTHON=
CF_STATFMT=
CF_HEADC=
CF_TIMEOUT=
CF_DBPATH=
CF_DBPATH_FOR=
CF_TMP=
CF_FORCE=${CODEFLEET_PROBE_METHOD-}

# awk helpers: JSON string quoting of arbitrary bytes (LC_ALL=C).
CF_AWKLIB='
function js(s,    i, n, c, o) {
	o = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (c == "\\") o = o "\\\\"
		else if (c == "\"") o = o "\\\""
		else if (c < " ") o = o sprintf("\\u%04x", ord[c])
		else o = o c
	}
	return "\"" o "\""
}
function jsn(s) { return s == "" ? "null" : js(s) }
function num(s) { return s ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ ? s : "null" }
BEGIN { for (i = 1; i < 32; i++) ord[sprintf("%c", i)] = i }
'

# One private folder per connection, removed on exit. Folders of connections
# that were killed (a client deadline) are swept when a day old.
cf_tmp_init() {
	find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'cfprobe.*' -user "$(id -u)" -mtime +0 \
		-exec rm -rf {} + 2>/dev/null
	CF_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cfprobe.XXXXXX" 2>/dev/null) && return 0
	CF_TMP=${TMPDIR:-/tmp}/cfprobe.$$
	mkdir -m 700 "$CF_TMP" 2>/dev/null
}

# Capabilities are checked once per connection.
cf_caps() {
	if head -c 1 </dev/null >/dev/null 2>&1; then CF_HEADC=1; fi
	if timeout 5 true >/dev/null 2>&1; then CF_TIMEOUT=1; fi
	if stat -c '%s %.9Y' / 2>/dev/null | grep -q '^[0-9]* [0-9]*\.[0-9]'; then
		CF_STATFMT=gnu9
	elif stat -c '%s %Y' / >/dev/null 2>&1; then
		CF_STATFMT=gnu
	elif stat -f '%z %m' / >/dev/null 2>&1; then
		CF_STATFMT=bsd
	else
		CF_STATFMT='ls'
	fi
}

cf_cap_out() {
	if [ -n "$CF_HEADC" ]; then head -c "$((CF_CAP + 1))"; else cat; fi
}

# Prints "inode size mtime" per existing file (nothing for missing ones).
cf_statsig() {
	for f in "$@"; do
		[ -e "$f" ] || continue
		case $CF_STATFMT in
		gnu9) stat -c '%n %i %s %.9Y' "$f" ;;
		gnu) stat -c '%n %i %s %Y' "$f" ;;
		bsd) stat -f '%N %i %z %m' "$f" ;;
		*) ls -lnid "$f" ;;
		esac
	done 2>/dev/null
}

cf_storage_sig() {
	[ -d "$1" ] || return 0
	case $CF_STATFMT in
	gnu9) find "$1/session" "$1/project" "$1/message" "$1/todo" -type d \
		-exec stat -c '%n %s %.9Y' {} + ;;
	gnu) find "$1/session" "$1/project" "$1/message" "$1/todo" -type d \
		-exec stat -c '%n %s %Y' {} + ;;
	bsd) find "$1/session" "$1/project" "$1/message" "$1/todo" -type d \
		-exec stat -f '%N %z %m' {} + ;;
	*) find "$1/session" "$1/project" "$1/message" "$1/todo" -type d \
		-exec ls -lnid {} + ;;
	esac 2>/dev/null
	case $CF_STATFMT in
	gnu9) find "$1/session" -type f -exec stat -c '%n %s %.9Y' {} + ;;
	gnu) find "$1/session" -type f -exec stat -c '%n %s %Y' {} + ;;
	bsd) find "$1/session" -type f -exec stat -f '%N %z %m' {} + ;;
	*) find "$1/session" -type f -exec ls -lni {} + ;;
	esac 2>/dev/null
}

# A short digest of stdin: cksum (POSIX), else whatever the host has.
cf_hash() {
	if command -v cksum >/dev/null 2>&1; then
		cksum
	elif command -v md5sum >/dev/null 2>&1; then
		md5sum
	elif command -v sha1sum >/dev/null 2>&1; then
		sha1sum
	else
		wc -c
	fi | awk '{ printf "%s-%s", $1, $2 }' | tr -cd 'A-Za-z0-9-'
}

# Runs a command with a time limit when the host has timeout(1). Every
# reader is bounded: when the client gives up on a reply and closes the
# channel, sshd does not stop us (no pty, and it refuses signals for root),
# so an unbounded query would outlive the probe.
cf_run() {
	t=$1
	shift
	if [ -n "$CF_TIMEOUT" ]; then
		timeout "$t" "$@"
	else
		"$@"
	fi
}

cf_is_exec() {
	[ -n "$1" ] && [ -f "$1" ] && [ -x "$1" ]
}

# Finds the opencode binary: the client's override first, then PATH and the
# usual install places. Sets CF_OC ("" when none).
cf_find_oc() {
	CF_OC=
	c=$CF_OCPATH
	# shellcheck disable=SC2088 # a literal ~/ from the client, expanded here
	case $c in "~/"*) c=$HOME/${c#"~/"} ;; esac
	[ -d "$c" ] && c=$c/opencode
	if cf_is_exec "$c"; then CF_OC=$c; return 0; fi
	c=$(command -v opencode 2>/dev/null)
	case $c in /*) if cf_is_exec "$c"; then CF_OC=$c; return 0; fi ;; esac
	for c in "$HOME/.opencode/bin/opencode" "$HOME/.local/bin/opencode" \
		"$HOME/.bun/bin/opencode" "${NPM_CONFIG_PREFIX:-/nonexistent}/bin/opencode" \
		"$HOME/.npm-global/bin/opencode" "$HOME/.npm/bin/opencode" \
		/usr/local/bin/opencode /opt/homebrew/bin/opencode; do
		if cf_is_exec "$c"; then CF_OC=$c; return 0; fi
	done
	# npm's global prefix from ~/.npmrc, and nvm's node versions (running
	# `npm prefix -g` would write npm logs into the home folder)
	c=$(sed -n 's/^ *prefix *= *//p' "$HOME/.npmrc" 2>/dev/null | tail -n 1)
	# shellcheck disable=SC2088 # a literal ~/ from the client, expanded here
	case $c in "~/"*) c=$HOME/${c#"~/"} ;; esac
	if [ -n "$c" ] && cf_is_exec "$c/bin/opencode"; then CF_OC=$c/bin/opencode; return 0; fi
	for c in "$HOME"/.nvm/versions/node/*/bin/opencode; do
		if cf_is_exec "$c"; then CF_OC=$c; return 0; fi
	done
	return 1
}

# The opencode version, from the npm package file when there is one, else
# `opencode --version`; kept for the connection's lifetime.
cf_oc_version() {
	[ -n "$CF_OC" ] || return 0
	[ "$CF_OCVER_FOR" = "$CF_OC" ] && return 0
	CF_OCVER=
	r=$(readlink -f "$CF_OC" 2>/dev/null)
	for pj in "${r%/*}/../package.json" "${r%/*}/../../package.json"; do
		[ -f "$pj" ] || continue
		v=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pj" 2>/dev/null | head -n 1)
		[ -n "$v" ] && CF_OCVER=$v && break
	done
	if [ -z "$CF_OCVER" ]; then
		CF_OCVER=$(cf_run 15 "$CF_OC" --version </dev/null 2>/dev/null | head -n 1)
	fi
	CF_OCVER=$(printf '%s' "$CF_OCVER" | tr -cd 'A-Za-z0-9._+-' | cut -c1-40)
	CF_OCVER_FOR=$CF_OC
}

# Sets CF_DATA, CF_DB (may be "") and CF_STORAGE (may be "").
cf_find_db() {
	CF_DATA=${XDG_DATA_HOME:-${HOME%/}/.local/share}
	CF_DATA=${CF_DATA%/}/opencode
	CF_DB=
	CF_STORAGE=
	[ -d "$CF_DATA/storage/session" ] && CF_STORAGE=$CF_DATA/storage
	if [ -n "${OPENCODE_DB-}" ]; then
		CF_DB=$OPENCODE_DB
		case $CF_DB in /*) ;; *) CF_DB=./$CF_DB ;; esac
		return 0
	fi
	if [ -f "$CF_DATA/opencode.db" ]; then
		CF_DB=$CF_DATA/opencode.db
		return 0
	fi
	for f in "$CF_DATA"/opencode*.db; do
		[ -f "$f" ] && CF_DB=$f && return 0
	done
	# Last resort, and only for hosts where opencode has run (its data
	# folder exists) but left no database we know of: every opencode
	# command has side effects (on a fresh host this one would create the
	# database and config folders). Asked once per connection.
	if [ -z "$CF_STORAGE" ] && [ -d "$CF_DATA" ] && [ -n "$CF_OC" ] &&
		[ "$CF_DBPATH_FOR" != "$CF_OC" ]; then
		CF_DBPATH_FOR=$CF_OC
		CF_DBPATH=$(cd / && cf_run 15 "$CF_OC" db path </dev/null 2>/dev/null | tail -n 1)
	fi
	case $CF_DBPATH in /*) [ -f "$CF_DBPATH" ] && CF_DB=$CF_DBPATH ;; esac
	return 0
}

# sqlite3 usable when >= 3.33 (-json) and json_extract works (built in >= 3.38).
cf_sqlite_ok() {
	if [ -z "$CF_SQLITE" ]; then
		CF_SQLITE=no
		v=$(sqlite3 -version 2>/dev/null | cut -d' ' -f1)
		maj=${v%%.*}
		min=${v#*.}
		min=${min%%.*}
		case $maj$min in '' | *[!0-9]*) maj=0 min=0 ;; esac
		if [ "$maj" -gt 3 ] || { [ "$maj" -eq 3 ] && [ "$min" -ge 33 ]; }; then
			j=$(sqlite3 :memory: "SELECT json_extract('{\"a\":7}','\$.a');" 2>/dev/null)
			[ "$j" = 7 ] && CF_SQLITE=$v
		fi
	fi
	[ "$CF_SQLITE" != no ]
}

CF_PY='
import sys, json, sqlite3
from urllib.parse import quote
db, mark = sys.argv[1], sys.argv[2]
out = sys.stdout.buffer
con = sqlite3.connect("file:" + quote(db) + "?mode=ro", uri=True, timeout=5)
con.text_factory = lambda b: b.decode("utf-8", "replace")
if mark == "-lines":
    for r in con.execute(sys.argv[3]):
        out.write((str(r[0]) + "\n").encode("utf-8", "replace"))
    sys.exit(0)
con.execute("BEGIN")
i = 3
while i + 1 < len(sys.argv):
    cur = con.execute(sys.argv[i + 1])
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r)) for r in cur]
    out.write((mark + " " + sys.argv[i] + "\n").encode())
    if rows:
        out.write(json.dumps(rows, separators=(",", ":")).encode() + b"\n")
    i += 2
con.execute("COMMIT")
'

cf_python_ok() {
	if [ -z "$CF_PYTHON" ]; then
		CF_PYTHON=no
		if python3 -c 'import sqlite3, sys
c = sqlite3.connect(":memory:")
sys.exit(0 if c.execute("SELECT json_extract(?, ?)", ("{\"a\":7}", "$.a")).fetchone()[0] == 7 else 1)' \
			</dev/null >/dev/null 2>&1; then
			CF_PYTHON=yes
		fi
	fi
	[ "$CF_PYTHON" = yes ]
}

# Runs one SQL query with method $1 and prints the first column, one a line.
cf_lines() {
	case $1 in
	sqlite3) printf '.timeout 5000\n%s\n' "$2" |
		cf_run 20 sqlite3 -readonly -batch -bail -list "$CF_DB" ;;
	python3) cf_run 20 python3 -c "$CF_PY" "$CF_DB" -lines "$2" </dev/null ;;
	opencode-db) (cd / && export OPENCODE_DB="$CF_DB" && cf_run 30 "$CF_OC" db --format tsv "$2" </dev/null) |
		sed 1d ;;
	esac
}

CF_SCHEMA_SQL="SELECT 'c:' || name FROM pragma_table_info('session') UNION ALL SELECT 't:' || name FROM sqlite_master WHERE type = 'table';"
CF_PROJECTS_SQL="SELECT id, worktree, vcs, name, time_created, time_updated FROM project ORDER BY time_updated DESC;"

# Builds the sessions query for the schema in $1 ("c:col t:table ...").
cf_sessions_sql() {
	cf_has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }
	la="CASE WHEN json_valid(m.data) THEN m.data END"
	usage="(SELECT json_object('cost', total(json_extract($la,'\$.cost')),
		'input', total(json_extract($la,'\$.tokens.input')),
		'output', total(json_extract($la,'\$.tokens.output')),
		'reasoning', total(json_extract($la,'\$.tokens.reasoning')),
		'cache_read', total(json_extract($la,'\$.tokens.cache.read')),
		'cache_write', total(json_extract($la,'\$.tokens.cache.write')))
		FROM message m WHERE m.session_id = s.id AND json_extract($la,'\$.role') = 'assistant')"
	if cf_has "$1" c:cost && cf_has "$1" c:tokens_cache_write; then
		cost="x.cost, x.tokens_input, x.tokens_output, x.tokens_reasoning, x.tokens_cache_read, x.tokens_cache_write"
		usage="NULL"
	else
		cost="json_extract(x.usage,'\$.cost') AS cost"
		for t in input output reasoning cache_read cache_write; do
			cost="$cost, CAST(json_extract(x.usage,'\$.$t') AS INTEGER) AS tokens_$t"
		done
	fi
	agent="NULL"
	model="NULL"
	cf_has "$1" c:agent && agent="x.agent"
	cf_has "$1" c:model && model="CASE WHEN json_valid(x.model) THEN json_extract(x.model,'\$.providerID') || '/' || json_extract(x.model,'\$.id') END"
	todo="NULL AS todos_total, NULL AS todos_done"
	cf_has "$1" t:todo && todo="(SELECT count(*) FROM todo t WHERE t.session_id = s.id) AS todos_total,
		(SELECT count(*) FROM todo t WHERE t.session_id = s.id AND t.status = 'completed') AS todos_done"
	cat <<EOF
SELECT x.id, x.project_id, x.project_worktree, x.directory, x.title, x.parent_id,
 x.time_created, x.time_updated, x.time_archived, x.messages, x.todos_total, x.todos_done,
 $agent AS agent, $model AS model, $cost,
 CASE WHEN x.la IS NOT NULL AND json_extract(x.la,'\$.time.completed') IS NULL THEN 1 ELSE 0 END AS busy,
 CASE WHEN x.la IS NOT NULL AND json_type(x.la,'\$.error') IS NOT NULL THEN 1 ELSE 0 END AS errored,
 json_extract(x.la,'\$.error.name') AS error_name,
 coalesce(json_extract(x.la,'\$.agent'), json_extract(x.la,'\$.mode')) AS last_agent,
 json_extract(x.la,'\$.providerID') || '/' || json_extract(x.la,'\$.modelID') AS last_model,
 x.last_message
FROM (SELECT s.*, p.worktree AS project_worktree,
  (SELECT count(*) FROM message m WHERE m.session_id = s.id) AS messages,
  (SELECT max(m.time_updated) FROM message m WHERE m.session_id = s.id) AS last_message,
  (SELECT m.data FROM message m WHERE m.session_id = s.id AND json_valid(m.data)
    AND json_extract(m.data,'\$.role') = 'assistant'
    ORDER BY m.time_created DESC, m.id DESC LIMIT 1) AS la,
  $usage AS usage,
  $todo
  FROM session s LEFT JOIN project p ON p.id = s.project_id) x
ORDER BY x.time_updated DESC;
EOF
}

# Reads projects and sessions with method $1; prints the sections.
cf_db_query() {
	schema=$(cf_lines "$1" "$CF_SCHEMA_SQL" | tr '\n' ' ') || return 1
	case " $schema " in *" t:session "*) ;; *) return 1 ;; esac
	sql=$(cf_sessions_sql "$schema")
	case $1 in
	sqlite3)
		printf '.timeout 5000\nBEGIN;\n.print %s projects\n%s\n.print %s sessions\n%s\nCOMMIT;\n' \
			"$CF_MARK" "$CF_PROJECTS_SQL" "$CF_MARK" "$sql" |
			cf_run 20 sqlite3 -readonly -batch -bail -json "$CF_DB"
		;;
	python3)
		cf_run 20 python3 -c "$CF_PY" "$CF_DB" "$CF_MARK" projects "$CF_PROJECTS_SQL" \
			sessions "$sql" </dev/null
		;;
	opencode-db)
		printf '%s projects\n' "$CF_MARK"
		(cd / && export OPENCODE_DB="$CF_DB" && cf_run 30 "$CF_OC" db --format json "$CF_PROJECTS_SQL" \
			</dev/null) || return 1
		printf '\n%s sessions\n' "$CF_MARK"
		(cd / && export OPENCODE_DB="$CF_DB" && cf_run 30 "$CF_OC" db --format json "$sql" </dev/null) ||
			return 1
		echo
		;;
	esac
}

# Per-session statistics of <=1.1 JSON storage, from the pretty-printed
# message and todo files (two-space indent, one key a line).
CF_AWK_MSG='
function val(s) { sub(/^[^:]*: */, "", s); sub(/,$/, "", s); gsub(/^"|"$/, "", s); return s }
function flush(sid) {
	seen[sid] = 1
	if (kind == "todo") { tt[sid] += ntodo; td[sid] += ndone; return }
	nm[sid]++
	if (role != "assistant") return
	cost[sid] += c; ti[sid] += a; to[sid] += b; tr[sid] += r; tcr[sid] += cr; tcw[sid] += cw
	if (fmid > lm[sid]) {
		lm[sid] = fmid; lb[sid] = !done; le[sid] = err; lag[sid] = agent
		lmo[sid] = (model == "") ? "" : prov "/" model
	}
}
function line(l) {
	if (kind == "todo") {
		if (l ~ /"status": *"/) { ntodo++; if (l ~ /"completed"/) ndone++ }
		return
	}
	if (l ~ /^  "role": /) role = val(l)
	else if (l ~ /^    "completed": /) done = 1
	else if (l ~ /^  "error": /) err = 1
	else if (l ~ /^  "agent": /) agent = val(l)
	else if (l ~ /^  "mode": /) { if (agent == "") agent = val(l) }
	else if (l ~ /^  "modelID": /) model = val(l)
	else if (l ~ /^  "providerID": /) prov = val(l)
	else if (l ~ /^  "cost": /) c = val(l) + 0
	else if (l ~ /^  "tokens": /) intok = 1
	else if (intok && l ~ /^    "input": /) a = val(l) + 0
	else if (intok && l ~ /^    "output": /) b = val(l) + 0
	else if (intok && l ~ /^    "reasoning": /) r = val(l) + 0
	else if (intok && l ~ /^      "read": /) cr = val(l) + 0
	else if (intok && l ~ /^      "write": /) cw = val(l) + 0
	else if (l ~ /^  }/) intok = 0
}
{
	f = $0
	n = split(f, p, "/")
	if (n < 2) next
	if (p[n - 1] == "todo") { kind = "todo"; sid = p[n]; sub(/\.json$/, "", sid) }
	else { kind = "msg"; sid = p[n - 1]; fmid = p[n] }
	role = ""; done = 0; err = 0; agent = ""; model = ""; prov = ""
	c = a = b = r = cr = cw = 0; intok = 0; ntodo = 0; ndone = 0
	while ((getline l < f) > 0) line(l)
	close(f)
	flush(sid)
}
END {
	printf "["
	sep = ""
	for (s in seen) {
		printf "%s{\"id\":%s,\"messages\":%d,\"cost\":%.10g,\"tokens_input\":%d,\"tokens_output\":%d,\"tokens_reasoning\":%d,\"tokens_cache_read\":%d,\"tokens_cache_write\":%d,\"busy\":%d,\"errored\":%d,\"last_agent\":%s,\"last_model\":%s,\"todos_total\":%d,\"todos_done\":%d}\n", sep, js(s), nm[s], cost[s], ti[s], to[s], tr[s], tcr[s], tcw[s], lb[s], le[s], jsn(lag[s]), jsn(lmo[s]), tt[s], td[s]
		sep = ","
	}
	print "]"
}
'

# <=1.1 storage: raw project and session files (each under 256 KiB) and
# the per-session statistics.
cf_json_files() {
	st=$1
	printf '%s json-projects\n' "$CF_MARK"
	find "$st/project" -type f -name '*.json' -size -513 -exec cat {} + 2>/dev/null
	printf '\n%s json-sessions\n' "$CF_MARK"
	find "$st/session" -type f -name '*.json' -size -513 -exec cat {} + 2>/dev/null
	printf '\n%s json-stats\n' "$CF_MARK"
	{
		[ -d "$st/message" ] && find "$st/message" -type f -name '*.json' -size -513
		[ -d "$st/todo" ] && find "$st/todo" -type f -name '*.json' -size -513
	} 2>/dev/null | awk "$CF_AWKLIB$CF_AWK_MSG"
}

# Running opencode processes of this user as a JSON array; sets CF_PROCID
# (pid:start list) for the change token.
cf_procs() {
	CF_PROCID=
	if [ -r /proc/self/stat ]; then
		cf_procs_linux
	else
		cf_procs_ps
	fi
}

cf_procs_linux() {
	btime=$(sed -n 's/^btime //p' /proc/stat 2>/dev/null)
	hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
	listen=$(awk '$4 == "0A" { split($2, a, ":"); printf "%s %s ", a[2], $10 }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null)
	rp=') '
	sep=$(printf '\002')
	pids=$(grep -l opencode /proc/[0-9]*/cmdline 2>/dev/null | sed 's,^/proc/,,;s,/cmdline$,,')
	CF_PROCS=$(for pid in $pids; do
		[ "$pid" = "$$" ] && continue
		[ -O "/proc/$pid" ] || continue
		args=$(tr '\0' '\001' <"/proc/$pid/cmdline" 2>/dev/null) || continue
		[ -n "$args" ] || continue
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null)
		# From its environment: $PWD (opencode records it as a session's
		# directory, symlinks kept) and its data folder and database. A
		# process of another data folder (another HOME or XDG_DATA_HOME of
		# the same user, as on a test fleet) is not this host's.
		envi=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | awk '
			/^PWD=/ { p = substr($0, 5) }
			/^HOME=/ { h = substr($0, 6) }
			/^XDG_DATA_HOME=/ { x = substr($0, 15) }
			/^OPENCODE_DB=/ { d = substr($0, 13) }
			END {
				sub(/\/+$/, "", h)
				sub(/\/+$/, "", x)
				if (x == "" && h != "") x = h "/.local/share"
				if (x != "") x = x "/opencode"
				printf "%s\002%s\002%s", p, x, d
			}')
		pwdv=${envi%%"$sep"*}
		envi=${envi#*"$sep"}
		edata=${envi%%"$sep"*}
		edb=${envi#*"$sep"}
		[ -n "$edata" ] && [ "$edata" != "$CF_DATA" ] && [ -z "$edb" ] && continue
		[ -n "$edb" ] && [ "$edb" != "$CF_DB" ] && continue
		socks=$(ls -l "/proc/$pid/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' |
			tr '\n' ' ')
		printf '%s\002%s\002%s\002%s\002%s\002%s\003' "$pid" "${stat##*"$rp"}" "$cwd" "$args" \
			"$socks" "$pwdv"
	done | awk -v btime="${btime:-0}" -v hz="${hz:-100}" -v listen="$listen" "$CF_AWKLIB"'
BEGIN {
	RS = "\003"; FS = "\002"
	n = split(listen, l, " ")
	for (i = 1; i + 1 <= n; i += 2) port[l[i + 1]] = l[i]
	printf "["
}
function base(s) { sub(/.*\//, "", s); return s }
{
	sub(/\001$/, "", $4)
	na = split($4, a, "\001")
	k = 1
	b = base(a[1])
	if (b !~ /^\.?opencode/ && na > 1 && base(a[2]) ~ /^\.?opencode/) k = 2
	else if (b !~ /^\.?opencode/) next
	sub_ = a[k + 1]
	if (sub_ ~ /^(db|debug|session|export|models|stats|auth|upgrade|uninstall|import|mcp|agent|github|pr|completion|-v|--version|-h|--help)$/) next
	split($2, st, " ")
	start = (btime + st[20] / hz) * 1000
	out = sprintf("{\"pid\":%d,\"ppid\":%d,\"start\":%.0f,\"cwd\":%s,\"pwd\":%s,\"args\":[", $1, st[2], start, jsn($3), jsn($6))
	for (i = k; i <= na; i++) out = out (i > k ? "," : "") js(a[i])
	out = out "],\"listen\":["
	m = split($5, so, " ")
	sep = ""
	for (i = 1; i <= m; i++) if (so[i] in port) { out = out sep hex(port[so[i]]); sep = "," }
	printf "%s%s]}", (cnt++ ? ",\n" : ""), out
	ids = ids $1 ":" st[20] " "
}
function hex(h,    i, v, d) {
	v = 0
	h = toupper(h)
	for (i = 1; i <= length(h); i++) { d = index("0123456789ABCDEF", substr(h, i, 1)) - 1; v = v * 16 + d }
	return v
}
END { printf "]\n%s\n", ids }
')
	CF_PROCID=$(printf '%s\n' "$CF_PROCS" | tail -n 1)
	CF_PROCS=$(printf '%s\n' "$CF_PROCS" | sed '$d')
}

# Without /proc: ps gives pid, ppid, elapsed seconds and arguments; no cwd.
cf_procs_ps() {
	now=$(date +%s)
	CF_PROCS=$(ps -U "$(id -u)" -o pid= -o ppid= -o etime= -o args= 2>/dev/null |
		awk -v now="$now" "$CF_AWKLIB"'
function secs(e,    d, p, n, s) {
	d = 0
	if (e ~ /-/) { split(e, p, "-"); d = p[1]; e = p[2] }
	n = split(e, p, ":"); s = 0
	for (i = 1; i <= n; i++) s = s * 60 + p[i]
	return d * 86400 + s
}
BEGIN { printf "[" }
{
	pid = $1; ppid = $2; el = $3
	$1 = $2 = $3 = ""
	sub(/^ +/, "")
	n = split($0, a, " ")
	b = a[1]; sub(/.*\//, "", b)
	k = 1
	if (b !~ /^\.?opencode/) { c = a[2]; sub(/.*\//, "", c); if (c !~ /^\.?opencode/) next; k = 2 }
	if (a[k + 1] ~ /^(db|debug|session|export|models|stats|auth|upgrade|-v|--version|-h|--help)$/) next
	out = sprintf("{\"pid\":%d,\"ppid\":%d,\"start\":%.0f,\"cwd\":null,\"args\":[", pid, ppid, (now - secs(el)) * 1000)
	for (i = k; i <= n; i++) out = out (i > k ? "," : "") js(a[i])
	printf "%s%s],\"listen\":[]}", (cnt++ ? ",\n" : ""), out
	ids = ids pid ":" int((now - secs(el)) / 10) " "
}
END { printf "]\n%s\n", ids }
')
	CF_PROCID=$(printf '%s\n' "$CF_PROCS" | tail -n 1)
	CF_PROCS=$(printf '%s\n' "$CF_PROCS" | sed '$d')
}

cf_host_json() {
	CF_J_METHOD=$1 CF_J_OC=$CF_OC CF_J_VER=$CF_OCVER CF_J_DB=$CF_DB \
	CF_J_ST=$CF_STORAGE CF_J_TOKEN=$CF_TOKEN CF_J_NOW=$(date +%s) CF_J_SQ=${CF_SQLITE#no} \
	CF_J_WARN=$CF_WARN CF_J_HOST=$(uname -n 2>/dev/null) CF_J_HOME=${HOME-} \
		awk "$CF_AWKLIB"'BEGIN {
	printf "{\"protocol\":'"$CF_PROTO"',\"method\":%s,\"opencode\":%s,", js(ENVIRON["CF_J_METHOD"]), jsn(ENVIRON["CF_J_OC"])
	printf "\"opencode_version\":%s,\"db\":%s,", jsn(ENVIRON["CF_J_VER"]), jsn(ENVIRON["CF_J_DB"])
	printf "\"storage\":%s,\"token\":%s,", jsn(ENVIRON["CF_J_ST"]), js(ENVIRON["CF_J_TOKEN"])
	printf "\"now\":%s,\"sqlite_version\":%s,", num(ENVIRON["CF_J_NOW"] "000"), jsn(ENVIRON["CF_J_SQ"])
	printf "\"hostname\":%s,\"home\":%s,", jsn(ENVIRON["CF_J_HOST"]), jsn(ENVIRON["CF_J_HOME"])
	printf "\"warnings\":%s}\n", jsn(ENVIRON["CF_J_WARN"])
}'
}

# The methods in the order tried; a forced method is the only one.
cf_methods() {
	if [ -n "$CF_FORCE" ]; then
		echo "$CF_FORCE"
	else
		echo "sqlite3 python3 opencode-db json-files session-list"
	fi
}

# Tries method $1; on success its sections are in $CF_TMP/q.
cf_try() {
	case $1 in
	sqlite3 | python3 | opencode-db)
		[ -n "$CF_DB" ] && [ -f "$CF_DB" ] || return 2
		case $1 in
		sqlite3) cf_sqlite_ok || return 2 ;;
		python3) cf_python_ok || return 2 ;;
		opencode-db) [ -n "$CF_OC" ] || return 2 ;;
		esac
		rm -f "$CF_TMP/rc"
		{ cf_db_query "$1" && : >"$CF_TMP/rc"; } | cf_cap_out >"$CF_TMP/q"
		cf_too_big "$CF_TMP/q" && return 3
		[ -f "$CF_TMP/rc" ] || return 1
		if [ -n "$CF_STORAGE" ] && [ -z "$CF_FORCE" ]; then
			cf_json_files "$CF_STORAGE" | cf_cap_out >>"$CF_TMP/q"
		fi
		;;
	json-files)
		[ -n "$CF_STORAGE" ] || return 2
		cf_json_files "$CF_STORAGE" | cf_cap_out >"$CF_TMP/q"
		;;
	session-list)
		[ -n "$CF_OC" ] || return 2
		{
			printf '%s session-list\n' "$CF_MARK"
			(cd "$HOME" && cf_run 30 "$CF_OC" session list --format json </dev/null 2>/dev/null)
			echo
		} | cf_cap_out >"$CF_TMP/q"
		;;
	*) return 1 ;;
	esac
	cf_too_big "$CF_TMP/q" && return 3
	return 0
}

# True when file $1 is over the reply cap (cf_cap_out stops one byte past).
cf_too_big() {
	[ "$(($(wc -c <"$1")))" -gt "$CF_CAP" ]
}

cf_reply_error() {
	printf '%s error %s\n%s end %s\n' "$CF_MARK" "$2" "$CF_MARK" "$1"
}

# Answers `probe MARKER LAST_TOKEN [method=NAME]`.
cf_probe() {
	last=$1
	CF_WARN=
	cf_find_oc
	cf_find_db
	cf_procs
	CF_TOKEN=$({
		echo "$CF_FORCE $CF_OC $CF_DB"
		# $HOME is in the reply, so in the token: a token cached before
		# the reply carried it never matches (one full reply after upgrade)
		echo "${HOME-}"
		cf_statsig "$CF_DB" "$CF_DB-wal"
		cf_storage_sig "$CF_STORAGE"
		echo "$CF_PROCID"
	} | cf_hash)
	CF_TOKEN=v1-$CF_TOKEN
	if [ "$last" = "$CF_TOKEN" ]; then
		printf '%s end unchanged\n' "$CF_MARK"
		return 0
	fi
	if [ -z "$CF_OC" ] && [ -z "$CF_DB" ] && [ -z "$CF_STORAGE" ]; then
		cf_reply_error no-opencode "opencode not found (PATH, ~/.opencode/bin, ~/.local/bin, ~/.bun/bin, npm) and no data in $CF_DATA"
		return 0
	fi
	cf_oc_version
	if [ -z "$CF_DB" ] && [ -z "$CF_STORAGE" ] && [ -z "$CF_FORCE" ]; then
		# opencode is installed but has never stored anything
		CF_WARN="no OpenCode data in $CF_DATA yet"
		printf '%s begin %s\n%s processes\n%s\n%s host\n' "$CF_MARK" "$CF_PROTO" \
			"$CF_MARK" "$CF_PROCS" "$CF_MARK"
		cf_host_json none
		printf '%s end ok\n' "$CF_MARK"
		return 0
	fi
	used=
	for m in $(cf_methods); do
		cf_try "$m"
		case $? in
		0) used=$m; break ;;
		1) CF_WARN="$CF_WARN${CF_WARN:+; }$m failed" ;;
		3)
			cf_reply_error error "reply larger than $CF_CAP bytes"
			return 0
			;;
		esac
	done
	if [ -z "$used" ]; then
		if [ -n "$CF_FORCE" ]; then
			cf_reply_error error "method $CF_FORCE unavailable or failed"
		elif [ -z "$CF_OC" ] && [ -z "$CF_STORAGE" ]; then
			cf_reply_error no-opencode "opencode not found; cannot read $CF_DB: $CF_WARN"
		else
			cf_reply_error error "no method could read the data${CF_WARN:+: }$CF_WARN"
		fi
		return 0
	fi
	{
		cat "$CF_TMP/q"
		printf '\n%s processes\n%s\n' "$CF_MARK" "$CF_PROCS"
		printf '%s host\n' "$CF_MARK"
		cf_host_json "$used"
	} | cf_cap_out >"$CF_TMP/r"
	if cf_too_big "$CF_TMP/r"; then
		cf_reply_error error "reply larger than $CF_CAP bytes"
		return 0
	fi
	printf '%s begin %s\n' "$CF_MARK" "$CF_PROTO"
	cat "$CF_TMP/r"
	printf '%s end ok\n' "$CF_MARK"
}

cf_valid_marker() {
	case $1 in '' | *[!A-Za-z0-9]*) return 1 ;; esac
	[ "${#1}" -ge 8 ] && [ "${#1}" -le 64 ]
}

cf_request() {
	line=$1
	set -f
	# shellcheck disable=SC2086
	set -- $line
	set +f
	cmd=${1-}
	CF_MARK=${2-}
	case $cmd in
	quit | exit) exit 0 ;;
	'') return 0 ;;
	esac
	if ! cf_valid_marker "$CF_MARK"; then
		echo "codefleet-probe bad-request invalid marker"
		return 0
	fi
	case $cmd in
	ping) printf '%s end ok\n' "$CF_MARK" ;;
	set)
		if [ "${3-}" = opencode_path ]; then
			CF_OCPATH=${line#*opencode_path}
			CF_OCPATH=${CF_OCPATH# }
			printf '%s end ok\n' "$CF_MARK"
		else
			cf_reply_error error "unknown setting"
		fi
		;;
	probe)
		tok=${3--}
		case $tok in *[!A-Za-z0-9._-]*) tok=- ;; esac
		CF_FORCE=$CF_FORCE0
		if [ "$#" -ge 4 ]; then
			case $4 in
			method=sqlite3 | method=python3 | method=opencode-db | method=json-files | method=session-list)
				CF_FORCE=${4#method=} ;;
			*) cf_reply_error error "unknown option"; return 0 ;;
			esac
		fi
		cf_probe "$tok"
		;;
	*) cf_reply_error error "unknown request" ;;
	esac
}

cf_main() {
	LC_ALL=C
	export LC_ALL
	umask 077
	case $CF_FORCE in
	'' | sqlite3 | python3 | opencode-db | json-files | session-list) ;;
	*) CF_FORCE= ;;
	esac
	CF_FORCE0=$CF_FORCE
	cf_tmp_init || { echo "codefleet-probe fatal no temporary directory"; exit 1; }
	trap 'rm -rf "$CF_TMP"' EXIT
	trap 'exit 1' HUP INT TERM PIPE
	cf_caps
	echo "codefleet-probe $CF_PROTO ready"
	while IFS= read -r req; do
		cf_request "$req"
		# nothing read from the host lingers between requests
		rm -f "$CF_TMP/q" "$CF_TMP/r" "$CF_TMP/rc"
	done
	exit 0
}

cf_main "$@"
exit 0
}

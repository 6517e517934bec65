#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions are called indirectly (traps, CLI)
# The loopback test fleet: N simulated SSH hosts on 127.0.0.1, each a real
# /usr/sbin/sshd with its own port, host key, HOME and OpenCode data.
#
# Library:  . tests/fleet/fleet.sh
#           fleet_up N DIR [SPEC...] && fleet_trap DIR
#           ... ssh -F "$DIR/ssh_config" host01 ...
#           fleet_down DIR            (the trap also does it)
# CLI:      bash tests/fleet/fleet.sh up N DIR [SPEC...]
#           bash tests/fleet/fleet.sh down DIR
#           bash tests/fleet/fleet.sh running DIR hostNN
#           bash tests/fleet/fleet.sh template VERSION OUTDIR
#
# SPEC (one per host, in order; hosts without one get $FLEET_DEFAULT_SPEC):
# comma-separated words
#   1.18.33 | 1.2.27 | 1.1.65   OpenCode version installed on the host (and its data)
#   none       no OpenCode at all (no binary, no data)
#   nodata     OpenCode installed but no data
#   fresh      make this host's data with the real CLI on the host itself
#              (slow, unique ids) instead of copying the per-version template
#   running    also leave one session really running (opencode serve + a
#              delayed reply); its serve PID is stopped by fleet_down
#   home       binary only in ~/.opencode/bin (not on PATH); default: on PATH too
#   noxdg      do not set XDG_* (only HOME): data found in ~/.local/share
#   rawlogin   no login wrapper: the session starts in the real user's home
#              directory (sshd's behaviour) instead of the host's HOME
# See tests/fleet/README.md.

FLEET_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${OPENCODE_CACHE:=$HOME/.cache/codefleet/opencode}"
: "${FLEET_DEFAULT_SPEC:=1.18.33}"
: "${FLEET_WAIT:=30}"             # seconds to wait for sshd / servers / a title
: "${FLEET_EXTRA_SESSIONS:=0}"    # extra plain sessions per template (benchmarks)
: "${FLEET_SLOW_MS:=3600000}"     # how long a SLOW reply takes
FLEET_SSHD=${FLEET_SSHD:-/usr/sbin/sshd}

_fleet_log() { [ -n "${FLEET_QUIET:-}" ] || printf 'fleet: %s\n' "$*" >&2; }
_fleet_err() { printf 'fleet: error: %s\n' "$*" >&2; return 1; }
_fleet_ms() { date +%s%3N; }
_fleet_dbg() { [ -z "${FLEET_DEBUG:-}" ] || printf 'fleet: [%s] %s\n' "$(_fleet_ms)" "$*" >&2; }

# --- process bookkeeping (by PID only, never by name) -----------------------

# start time of a process (field 22 of /proc/PID/stat), empty when gone
_fleet_starttime() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	printf '%s' "${20}"
}

# _fleet_record DIR PID KIND: remember a process we started
_fleet_record() {
	local st
	st=$(_fleet_starttime "$2") || st=0
	printf '%s %s %s\n' "$2" "$st" "$3" >>"$1/pids"
}

# _fleet_same PID STARTTIME: is PID still the process we recorded?
_fleet_same() {
	local st
	st=$(_fleet_starttime "$1") || return 1
	[ "$2" = 0 ] || [ "$st" = "$2" ]
}

# all descendants of the given PIDs (by parent PID, from ps)
_fleet_descendants() {
	ps -e -o pid=,ppid= 2>/dev/null | awk -v roots=" $* " '
		{ par[$1] = $2; pids[NR] = $1 }
		END {
			n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1
			changed = 1
			while (changed) {
				changed = 0
				for (i = 1; i <= NR; i++) { p = pids[i]
					if (!(p in keep) && (par[p] in keep)) { keep[p] = 1; out[p] = 1; changed = 1 } }
			}
			for (p in out) print p
		}'
}

# alive and not a zombie (an orphan's zombie waits for PID 1 to reap it)
_fleet_alive() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

_fleet_wait_gone() { # _fleet_wait_gone TENTHS PID...
	local n=$1 p alive
	shift
	while [ "$n" -gt 0 ]; do
		alive=0
		for p in "$@"; do _fleet_alive "$p" && alive=1 && break; done
		[ $alive = 0 ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# _fleet_stop_tree PID...: stop processes we recorded: INT, TERM after 1 s,
# KILL after 3 s more.
_fleet_stop_tree() {
	local p list=("$@")
	[ ${#list[@]} -gt 0 ] || return 0
	# SIGINT first: opencode serve exits at once on it, but takes >3 s on TERM
	for p in "${list[@]}"; do kill -INT "$p" 2>/dev/null; done
	_fleet_wait_gone 10 "${list[@]}" && return 0
	for p in "${list[@]}"; do kill -TERM "$p" 2>/dev/null; done
	_fleet_wait_gone 30 "${list[@]}" && return 0
	for p in "${list[@]}"; do kill -KILL "$p" 2>/dev/null; done
	_fleet_wait_gone 20 "${list[@]}"
}

# --- options ------------------------------------------------------------------

_fleet_has() { # _fleet_has SPEC WORD
	case ",$1," in *",$2,"*) return 0 ;; esac
	return 1
}
_fleet_spec_version() {
	local w
	local IFS=,
	for w in $1; do
		case $w in none) echo none && return ;; [0-9]*.[0-9]*.[0-9]*) echo "$w" && return ;; esac
	done
	echo "${FLEET_DEFAULT_VERSION:-1.18.33}"
}

# the OpenCode binary of a version: the platform ELF (no node wrapper)
fleet_opencode_bin() {
	local v=$1 d="$OPENCODE_CACHE/$1/node_modules"
	if [ -x "$d/opencode-linux-x64/bin/opencode" ]; then
		echo "$d/opencode-linux-x64/bin/opencode"
	elif [ -x "$d/.bin/opencode" ]; then
		echo "$d/.bin/opencode"
	else
		_fleet_err "opencode $v not found under $OPENCODE_CACHE/$v (run: make deps)"
	fi
}

# storage kind of a version: json for <= 1.1, sqlite after
_fleet_storage() {
	case $1 in none) echo none ;; 0.* | 1.0.* | 1.1.*) echo json ;; *) echo sqlite ;; esac
}

# --- env files ----------------------------------------------------------------

# _fleet_env_set FILE KEY VALUE: set one shell-quoted KEY=VALUE line
_fleet_env_set() {
	local f=$1 k=$2 v=$3 tmp
	tmp="$f.tmp.$BASHPID"
	{ [ -f "$f" ] && grep -v "^$k=" "$f"; printf '%s=%q\n' "$k" "$v"; } >"$tmp"
	mv -f "$tmp" "$f"
}

# fleet_host_dir DIR HOST -> DIR/HOST
fleet_host_dir() { printf '%s/%s' "$1" "$2"; }

# fleet_host_get DIR HOST KEY: one value from a host's env file
fleet_host_get() {
	(
		# shellcheck disable=SC1090
		. "$1/$2/env" 2>/dev/null || exit 1
		eval "printf '%s\n' \"\${$3-}\""
	)
}

# fleet_hosts DIR: the host names, one a line
fleet_hosts() {
	local f
	for f in "$1"/host*/env; do [ -f "$f" ] && basename "$(dirname "$f")"; done
}

# fleet_host_exec DIR HOST CMD...: run CMD locally with the host's environment
# (HOME, XDG_*, PATH) in the host's HOME, as if logged in there.
fleet_host_exec() {
	local dir=$1 host=$2
	shift 2
	(
		# shellcheck disable=SC1090
		. "$dir/$host/env" || exit 1
		cd "$FLEET_HOST_HOME" || exit 1
		if [ "$FLEET_HOST_XDG" = 1 ]; then
			export XDG_DATA_HOME=$FLEET_HOST_XDG_DATA_HOME XDG_CONFIG_HOME=$FLEET_HOST_XDG_CONFIG_HOME \
				XDG_STATE_HOME=$FLEET_HOST_XDG_STATE_HOME XDG_CACHE_HOME=$FLEET_HOST_XDG_CACHE_HOME
		else
			unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME XDG_CACHE_HOME
		fi
		HOME=$FLEET_HOST_HOME PATH=$FLEET_HOST_PATH exec "$@"
	)
}

# --- the model server ---------------------------------------------------------

# fleet_model_start DIR: start model_server.js (once per fleet), port in
# DIR/model_port, PID recorded.  Prints the port.
fleet_model_start() {
	local dir=$1 pid i
	if [ -s "$dir/model_port" ] && [ -s "$dir/model_pid" ] && kill -0 "$(cat "$dir/model_pid")" 2>/dev/null; then
		cat "$dir/model_port"
		return 0
	fi
	rm -f "$dir/model_port"
	setsid node "$FLEET_SRC_DIR/model_server.js" --port-file "$dir/model_port" \
		--slow-ms "$FLEET_SLOW_MS" --log "$dir/model.log" >"$dir/model.out" 2>&1 </dev/null &
	pid=$!
	disown "$pid" 2>/dev/null
	echo "$pid" >"$dir/model_pid"
	_fleet_record "$dir" "$pid" model
	for ((i = 0; i < FLEET_WAIT * 20; i++)); do
		[ -s "$dir/model_port" ] && break
		_fleet_alive "$pid" || break
		sleep 0.05
	done
	[ -s "$dir/model_port" ] || { _fleet_err "model server did not start: $(cat "$dir/model.out")"; return 1; }
	cat "$dir/model_port"
}

# _fleet_write_oc_config CONFIG_HOME PORT: the mock provider config
_fleet_write_oc_config() {
	mkdir -p "$1/opencode"
	cat >"$1/opencode/opencode.json" <<EOF
{
  "\$schema": "https://opencode.ai/config.json",
  "autoupdate": false,
  "share": "disabled",
  "model": "mock/mock-1",
  "small_model": "mock/mock-1",
  "provider": {
    "mock": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "Mock OpenAI",
      "options": { "baseURL": "http://127.0.0.1:$2/v1", "apiKey": "dummy" },
      "models": {
        "mock-1": { "name": "Mock One", "cost": { "input": 3, "output": 15, "cache_read": 0.3 }, "limit": { "context": 100000, "output": 8000 } },
        "mock-2": { "name": "Mock Two", "cost": { "input": 1, "output": 5 }, "limit": { "context": 50000, "output": 4000 } }
      }
    }
  }
}
EOF
}

# --- opencode serve -----------------------------------------------------------

# _fleet_serve_start OUTVAR_PREFIX BIN HOME CACHE LOG CWD: start `opencode serve`
# on a loopback port with HOME/XDG_* of a host, in its own process group.
# Sets ${prefix}_PID and ${prefix}_URL.
_fleet_serve_start() {
	local pfx=$1 bin=$2 home=$3 cache=$4 log=$5 cwd=$6 pid url i
	(
		cd "$cwd" || exit 1
		exec env -i PATH="$home/.opencode/bin:/usr/local/bin:/usr/bin:/bin" HOME="$home" \
			XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
			XDG_STATE_HOME="$home/.local/state" XDG_CACHE_HOME="$cache" \
			LANG=C.UTF-8 TERM=dumb \
			OPENCODE_DISABLE_AUTOUPDATE=1 OPENCODE_DISABLE_MODELS_FETCH=1 OPENCODE_DISABLE_SHARE=1 \
			setsid "$bin" serve --port 0 --hostname 127.0.0.1
	) >"$log" 2>&1 </dev/null &
	pid=$!
	disown "$pid" 2>/dev/null
	for ((i = 0; i < FLEET_WAIT * 20; i++)); do
		url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null | head -n1)
		[ -n "$url" ] && break
		_fleet_alive "$pid" || break
		sleep 0.05
	done
	printf -v "${pfx}_PID" '%s' "$pid"
	printf -v "${pfx}_URL" '%s' "$url"
	[ -n "$url" ] || { _fleet_err "opencode serve did not start ($bin): $(tail -n5 "$log")"; return 1; }
	for ((i = 0; i < FLEET_WAIT * 10; i++)); do
		curl -sf --max-time 2 "$url/global/health" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	_fleet_err "opencode serve not healthy at $url"
}

# _fleet_api METHOD URL DIRECTORY [JSON]: one API call, body on stdout
_fleet_api() {
	local m=$1 u=$2 d=$3 body=${4-}
	if [ -n "$body" ]; then
		curl -sS --fail-with-body --max-time 60 -X "$m" "$u" -H "x-opencode-directory: $d" \
			-H 'content-type: application/json' --data-binary "$body"
	else
		curl -sS --fail-with-body --max-time 60 -X "$m" "$u" -H "x-opencode-directory: $d"
	fi
}
_fleet_json_id() { grep -o '"id":"ses_[A-Za-z0-9]*"' | head -n1 | cut -d'"' -f4; }

# _fleet_new_session URL DIR JSON -> prints the session id
_fleet_new_session() {
	local out id
	out=$(_fleet_api POST "$1/session" "$2" "$3") || { _fleet_err "POST /session in $2: $out"; return 1; }
	id=$(printf '%s' "$out" | _fleet_json_id)
	[ -n "$id" ] || { _fleet_err "no session id in: $out"; return 1; }
	printf '%s\n' "$id"
}
# _fleet_prompt URL DIR SID TEXT [async]: a real message through the mock model
_fleet_prompt() {
	local route=message
	[ "${5-}" = async ] && route=prompt_async
	_fleet_api POST "$1/session/$3/$route" "$2" \
		"{\"model\":{\"providerID\":\"mock\",\"modelID\":\"mock-1\"},\"parts\":[{\"type\":\"text\",\"text\":\"$4\"}]}" >/dev/null ||
		{ _fleet_err "prompt to $3 failed"; return 1; }
}

# --- project folders ----------------------------------------------------------

# _fleet_make_projects HOME: alpha, beta, work/gamma (git, one commit each,
# fixed dates so the root commit SHA = project id is the same every run) and
# scratch (not git: OpenCode's "global" project).
_fleet_make_projects() {
	local h=$1 p
	for p in alpha beta work/gamma; do
		mkdir -p "$h/$p"
		printf '# %s\n\nA test project of the codefleet loopback fleet.\n' "${p##*/}" >"$h/$p/README.md"
		(
			cd "$h/$p" || exit 1
			export GIT_AUTHOR_NAME=fleet GIT_AUTHOR_EMAIL=fleet@example.invalid \
				GIT_COMMITTER_NAME=fleet GIT_COMMITTER_EMAIL=fleet@example.invalid \
				GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
				GIT_CONFIG_NOSYSTEM=1 HOME="$h"
			git init -q -b main . 2>/dev/null || git init -q .
			git add README.md && git -c commit.gpgsign=false commit -q -m "initial ${p##*/}"
		) || return 1
	done
	mkdir -p "$h/scratch" && echo notes >"$h/scratch/notes.txt"
}

# --- data generation with the real CLI ----------------------------------------

# _fleet_populate URL HOME VERSION: the standard set of sessions.
#   alpha: titled + reply, untitled + reply (generated title), a sub-agent
#          child of the first, a noReply user message
#   beta:  weird title (quotes, newline, tab, emoji, ESC), an archived one
#   work/gamma: one with a reply; scratch (non-git, project "global"): one
#   + $FLEET_EXTRA_SESSIONS plain sessions spread over alpha/beta/gamma
_fleet_populate() {
	local u=$1 h=$2 s1 s2 s3 s4 s5 s6 i d now jobs=() rc=0
	# sessions first (fast), then the replies in parallel: the first prompt in
	# each project folder costs ~2 s of instance start-up in OpenCode 1.18
	s1=$(_fleet_new_session "$u" "$h/alpha" '{"title":"alpha: fix the parser"}') || return 1
	s2=$(_fleet_new_session "$u" "$h/alpha" '{}') || return 1
	_fleet_new_session "$u" "$h/alpha" "{\"parentID\":\"$s1\",\"title\":\"child subagent session\"}" >/dev/null || return 1
	s3=$(_fleet_new_session "$u" "$h/alpha" '{"title":"alpha: notes only"}') || return 1
	_fleet_new_session "$u" "$h/beta" \
		'{"title":"beta: \"quoted\" '"'"'single'"'"' tab\there\nnext line 🚀 ünïcødé 日本 \u001b[31mred\u001b[0m"}' >/dev/null || return 1
	s4=$(_fleet_new_session "$u" "$h/beta" '{"title":"beta: archived work"}') || return 1
	s5=$(_fleet_new_session "$u" "$h/work/gamma" '{"title":"gamma: deploy script"}') || return 1
	s6=$(_fleet_new_session "$u" "$h/scratch" '{"title":"scratch: quick question"}') || return 1
	for ((i = 1; i <= FLEET_EXTRA_SESSIONS; i++)); do
		case $((i % 3)) in 0) d=alpha ;; 1) d=beta ;; *) d=work/gamma ;; esac
		_fleet_new_session "$u" "$h/$d" "{\"title\":\"extra session $i\"}" >/dev/null || return 1
	done
	_fleet_api POST "$u/session/$s3/message" "$h/alpha" \
		'{"noReply":true,"parts":[{"type":"text","text":"remember to check the logs"}]}' >/dev/null || return 1
	_fleet_api POST "$u/session/$s6/message" "$h/scratch" \
		'{"noReply":true,"parts":[{"type":"text","text":"what time is it"}]}' >/dev/null || return 1
	{ _fleet_prompt "$u" "$h/alpha" "$s1" "Please fix the parser bug in alpha" &&
		_fleet_prompt "$u" "$h/alpha" "$s2" "Add unit tests for the tokenizer"; } &
	jobs+=($!)
	_fleet_prompt "$u" "$h/beta" "$s4" "Refactor the beta module" &
	jobs+=($!)
	_fleet_prompt "$u" "$h/work/gamma" "$s5" "Write the deploy script for gamma" &
	jobs+=($!)
	for i in "${jobs[@]}"; do wait "$i" || rc=1; done
	[ $rc = 0 ] || return 1
	now=$(_fleet_ms)
	_fleet_api PATCH "$u/session/$s4" "$h/beta" "{\"time\":{\"archived\":$now}}" >/dev/null || return 1
	# wait (bounded) for the generated title of the untitled session; without
	# it the data set is incomplete and must not become a cached template
	for ((i = 0; i < FLEET_WAIT * 10; i++)); do
		_fleet_api GET "$u/session/$s2" "$h/alpha" 2>/dev/null | grep -q '"title":"Mock' && return 0
		sleep 0.1
	done
	_fleet_err "no generated title for $s2 after ${FLEET_WAIT}s"
}

# _fleet_db_checkpoint HOME: fold the WAL into the database file
_fleet_db_checkpoint() {
	local db="$1/.local/share/opencode/opencode.db"
	[ -f "$db" ] && sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1
	return 0
}

# _fleet_count HOME STORAGE: "sessions root archived children projects"
_fleet_count() {
	local h=$1 st=$2 base="$1/.local/share/opencode"
	if [ "$st" = sqlite ]; then
		sqlite3 -readonly "$base/opencode.db" \
			"SELECT (SELECT count(*) FROM session),(SELECT count(*) FROM session WHERE parent_id IS NULL),
			 (SELECT count(*) FROM session WHERE time_archived IS NOT NULL),
			 (SELECT count(*) FROM session WHERE parent_id IS NOT NULL),(SELECT count(*) FROM project);" |
			tr '|' ' '
	elif [ "$st" = json ]; then
		local n r a c p
		n=$(find "$base/storage/session" -name 'ses_*.json' 2>/dev/null | wc -l)
		c=$(find "$base/storage/session" -name 'ses_*.json' -exec grep -l '"parentID"' {} + 2>/dev/null | wc -l)
		a=$(find "$base/storage/session" -name 'ses_*.json' -exec grep -l '"archived"' {} + 2>/dev/null | wc -l)
		p=$(find "$base/storage/project" -name '*.json' 2>/dev/null | wc -l)
		r=$((n - c))
		echo "$n $r $a $c $p"
	else
		echo "0 0 0 0 0"
	fi
	: "$h"
}

# fleet_make_data HOME VERSION MODEL_PORT CACHE [LOG]: projects + sessions made
# by that version's real CLI in HOME (its serve is started and stopped here).
fleet_make_data() {
	local h=$1 v=$2 port=$3 cache=$4 log=${5:-$1/../make_data.log} bin rc=0 t0
	t0=$(_fleet_ms)
	bin=$(fleet_opencode_bin "$v") || return 1
	mkdir -p "$h/.config" "$h/.local/share" "$h/.local/state" "$cache"
	[ -d "$h/alpha/.git" ] || _fleet_make_projects "$h" || return 1
	_fleet_write_oc_config "$h/.config" "$port"
	local MD_PID MD_URL
	_fleet_serve_start MD "$bin" "$h" "$cache" "$log" "$h" || rc=1
	[ $rc = 0 ] && { _fleet_populate "$MD_URL" "$h" "$v" || rc=1; }
	# shellcheck disable=SC2046
	[ -n "${MD_PID:-}" ] && _fleet_stop_tree "$MD_PID" $(_fleet_descendants "$MD_PID")
	_fleet_db_checkpoint "$h"
	rm -rf "$h/.local/share/opencode/log"
	_fleet_log "data for opencode $v made in $(($(_fleet_ms) - t0)) ms"
	return $rc
}

# fleet_template VERSION OUTDIR: make (or reuse) a data template for VERSION:
# OUTDIR/home holds the projects and ~/.local/share/opencode, OUTDIR/counts the
# counts.  Built in a temporary folder and renamed, so concurrent runs are safe.
fleet_template() {
	local v=$1 out=$2 tmp port started=0 mdir
	[ -f "$out/counts" ] && return 0
	mkdir -p "$(dirname "$out")"
	tmp=$(mktemp -d "$out.tmp.XXXXXX") || return 1
	port=${FLEET_MODEL_PORT:-}
	if [ -z "$port" ]; then
		mdir=$tmp/.model
		mkdir -p "$mdir"
		port=$(fleet_model_start "$mdir") || { rm -rf "$tmp"; return 1; }
		started=1
	fi
	mkdir -p "$tmp/home"
	if fleet_make_data "$tmp/home" "$v" "$port" "$(dirname "$out")/cache-$v" "$tmp/make_data.log"; then
		_fleet_count "$tmp/home" "$(_fleet_storage "$v")" >"$tmp/counts"
		[ -f "$tmp/home/.local/share/opencode/opencode.db" ] &&
			sqlite3 -readonly "$tmp/home/.local/share/opencode/opencode.db" .dump >"$tmp/dump.sql"
		echo "$tmp/home" >"$tmp/origin"
	fi
	if [ $started = 1 ]; then
		_fleet_stop_tree "$(cat "$mdir/model_pid")"
		rm -rf "$mdir"
	fi
	if [ ! -f "$tmp/counts" ]; then
		_fleet_err "making the opencode $v template failed; log: $tmp/make_data.log"
		return 1
	fi
	mv -T "$tmp" "$out" 2>/dev/null || rm -rf "$tmp" # another run won the race: use theirs
	[ -f "$out/counts" ]
}

# _fleet_template_dir VERSION: cache folder of a template (keyed by version,
# extra-session count and a checksum of the code that makes the data)
_fleet_template_dir() {
	local sum
	sum=$({
		declare -f _fleet_populate _fleet_make_projects _fleet_write_oc_config fleet_make_data \
			_fleet_serve_start _fleet_prompt _fleet_new_session _fleet_count
		cat "$FLEET_SRC_DIR/model_server.js"
	} | md5sum | cut -c1-10)
	printf '%s/tpl-%s-x%s-%s' "$FLEET_CACHE" "$1" "$FLEET_EXTRA_SESSIONS" "$sum"
}

# _fleet_copy_data TEMPLATE HOME INDEX: copy a template into a host, rewriting
# the template's home path to the host's and the last 3 characters of every
# session id to the host index (so ids differ between hosts).
_fleet_copy_data() {
	local tpl=$1 h=$2 idx=$3 old new suffix sedx f nf base
	old=$(cat "$tpl/origin")
	new=$h
	suffix=$(printf '%03d' "$((idx % 1000))")
	sedx="s#${old//#/\\#}#${new//#/\\#}#g; s#\\b(ses_[0-9A-Za-z]{23})[0-9A-Za-z]{3}\\b#\\1${suffix}#g"
	mkdir -p "$h/.local/share/opencode"
	# project folders (git repos): identical content, so identical project ids
	(cd "$tpl/home" && tar cf - --exclude=./.local --exclude=./.config --exclude=./.cache --exclude=./.npm .) |
		(cd "$h" && tar xf -) || return 1
	base="$tpl/home/.local/share/opencode"
	if [ -f "$base/opencode.db" ]; then
		(cd "$base" && tar cf - --exclude=./opencode.db --exclude=./opencode.db-wal --exclude=./opencode.db-shm \
			--exclude=./log .) | (cd "$h/.local/share/opencode" && tar xf -) || return 1
		if [ -f "$tpl/dump.sql" ]; then sed -E "$sedx" "$tpl/dump.sql"; else
			sqlite3 -readonly "$base/opencode.db" .dump | sed -E "$sedx"; fi |
			sqlite3 "$h/.local/share/opencode/opencode.db" || return 1
		sqlite3 "$h/.local/share/opencode/opencode.db" 'PRAGMA journal_mode=WAL;' >/dev/null || return 1
	fi
	if [ -d "$base/storage" ]; then
		(cd "$base" && tar cf - storage) | (cd "$h/.local/share/opencode" && tar xf -) || return 1
		# rewrite JSON files, then rename files and folders named by session id
		find "$h/.local/share/opencode/storage" -type f -name '*.json' -exec sed -E -i "$sedx" {} +
		while IFS= read -r f; do
			nf=$(printf '%s' "$f" | sed -E "s#(ses_[0-9A-Za-z]{23})[0-9A-Za-z]{3}([^/]*)\$#\\1${suffix}\\2#")
			[ "$f" = "$nf" ] || mv "$f" "$nf"
		done < <(find "$h/.local/share/opencode/storage" -depth -name 'ses_*')
	fi
	# snapshot repos made by the template (no absolute paths matter in them)
	for f in "$h"/.local/share/opencode/snapshot/*/config; do
		[ -f "$f" ] && sed -i "s#${old//#/\\#}#${new//#/\\#}#g" "$f"
	done
	return 0
}

# --- sshd per host ------------------------------------------------------------

_fleet_pick_port() {
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		# ss (iproute2) is optional: without it a taken port shows up as a
		# bind failure in sshd's log and the host is retried on another
		if ! command -v ss >/dev/null 2>&1 || ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# _fleet_write_host DIR HOST INDEX SPEC: folders, host key, sshd_config, env
_fleet_write_host() {
	local dir=$1 host=$2 idx=$3 spec=$4 hd h v onpath=1 xdg=1 login=1 path setenv
	hd="$dir/$host"
	h="$hd/home"
	v=$(_fleet_spec_version "$spec")
	_fleet_has "$spec" home && onpath=0
	_fleet_has "$spec" noxdg && xdg=0
	_fleet_has "$spec" rawlogin && login=0
	mkdir -p "$h/.config" "$h/.local/share" "$h/.local/state" "$h/.cache" || return 1
	ssh-keygen -q -t ed25519 -N '' -C "$host-hostkey" -f "$hd/ssh_host_ed25519_key" </dev/null >/dev/null || return 1
	path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	if [ "$v" != none ]; then
		mkdir -p "$h/.opencode/bin"
		ln -sfn "$(fleet_opencode_bin "$v")" "$h/.opencode/bin/opencode" || return 1
		[ $onpath = 1 ] && path="$h/.opencode/bin:$path"
		_fleet_write_oc_config "$h/.config" "$FLEET_MODEL_PORT"
	fi
	# what a login shell (~/.profile) adds, like a real installer would
	if [ $onpath = 1 ] && [ "$v" != none ]; then
		# shellcheck disable=SC2016
		printf '%s\n' '[ -d "$HOME/.opencode/bin" ] && PATH="$HOME/.opencode/bin:$PATH"' 'export PATH' >"$h/.profile"
	else
		: >"$h/.profile"
	fi
	setenv="\"HOME=$h\" \"PATH=$path\""
	[ $xdg = 1 ] && setenv="$setenv \"XDG_DATA_HOME=$h/.local/share\" \"XDG_CONFIG_HOME=$h/.config\" \"XDG_STATE_HOME=$h/.local/state\" \"XDG_CACHE_HOME=$h/.cache\""
	setenv="$setenv \"FLEET_HOST=$host\""
	cat >"$hd/login.sh" <<'EOF'
#!/bin/sh
# Login wrapper of a simulated host (sshd ForceCommand): start in the host's
# HOME like a real login, then run the client's command with the user's shell.
cd "$HOME" 2>/dev/null || cd /
if [ -n "${SSH_ORIGINAL_COMMAND+x}" ]; then
	exec "${SHELL:-/bin/sh}" -c "$SSH_ORIGINAL_COMMAND"
fi
exec "${SHELL:-/bin/sh}" -l
EOF
	chmod 0755 "$hd/login.sh"
	{
		printf '%s=%q\n' FLEET_HOST "$host" FLEET_HOST_INDEX "$idx" FLEET_HOST_DIR "$hd" \
			FLEET_HOST_SPEC "$spec" FLEET_HOST_USER "$FLEET_USER" \
			FLEET_HOST_HOME "$h" FLEET_HOST_XDG "$xdg" \
			FLEET_HOST_XDG_DATA_HOME "$h/.local/share" FLEET_HOST_XDG_CONFIG_HOME "$h/.config" \
			FLEET_HOST_XDG_STATE_HOME "$h/.local/state" FLEET_HOST_XDG_CACHE_HOME "$h/.cache" \
			FLEET_HOST_DATA "$h/.local/share/opencode" \
			FLEET_HOST_PATH "$path" FLEET_HOST_PIDFILE "$hd/sshd.pid" FLEET_HOST_SSHD_LOG "$hd/sshd.log" \
			FLEET_HOST_LOGIN_WRAPPER "$login" \
			FLEET_HOST_OPENCODE_VERSION "$v" FLEET_HOST_STORAGE "$(_fleet_storage "$v")" \
			FLEET_HOST_ONPATH "$([ "$v" != none ] && echo "$onpath" || echo 0)" \
			FLEET_HOST_OPENCODE "$([ "$v" != none ] && echo "$h/.opencode/bin/opencode")" \
			FLEET_HOST_DB "" FLEET_HOST_SESSIONS 0 FLEET_HOST_ROOT_SESSIONS 0 FLEET_HOST_ARCHIVED 0 \
			FLEET_HOST_CHILDREN 0 FLEET_HOST_PROJECTS 0 \
			FLEET_HOST_RUNNING_SESSION "" FLEET_HOST_SERVE_PID "" FLEET_HOST_SERVE_URL ""
	} >"$hd/env"
	printf '%s\n' "$setenv" >"$hd/setenv"
}

_fleet_write_sshd_config() { # DIR HOST PORT
	local dir=$1 host=$2 port=$3 hd pam=no login
	hd="$dir/$host"
	login=$(fleet_host_get "$dir" "$host" FLEET_HOST_LOGIN_WRAPPER)
	# sshd refuses public keys for a locked account (password "!...") unless
	# PAM does the account check; root in CI images usually has "*".
	if [ "$(id -u)" = 0 ]; then
		case $(getent shadow "$FLEET_USER" 2>/dev/null | cut -d: -f2) in '!'*) pam=yes ;; esac
	fi
	cat >"$hd/sshd_config" <<EOF
# sshd of simulated host $host (codefleet loopback fleet)
Port $port
ListenAddress 127.0.0.1
AddressFamily inet
HostKey $hd/ssh_host_ed25519_key
PidFile $hd/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
AllowUsers $FLEET_USER
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM $pam
X11Forwarding no
PrintMotd no
PrintLastLog no
UseDNS no
AcceptEnv LANG LC_* COLORTERM
Subsystem sftp internal-sftp
MaxStartups 64:30:256
LogLevel VERBOSE
SetEnv $(cat "$hd/setenv")
EOF
	[ "$login" = 1 ] && echo "ForceCommand $hd/login.sh" >>"$hd/sshd_config"
	return 0
}

# _fleet_sshd_start DIR HOST: start sshd on a free port (the caller retries
# with another port when _fleet_sshd_wait reports a bind race)
_fleet_sshd_start() {
	local dir=$1 host=$2 hd port pid
	hd="$dir/$host"
	port=$(_fleet_pick_port) || { _fleet_err "no free port"; return 1; }
	_fleet_write_sshd_config "$dir" "$host" "$port"
	rm -f "$hd/sshd.pid" "$hd/sshd.log"
	setsid "$FLEET_SSHD" -D -f "$hd/sshd_config" -E "$hd/sshd.log" </dev/null >/dev/null 2>&1 &
	pid=$!
	disown "$pid" 2>/dev/null
	echo "$pid" >"$hd/sshd.launch_pid"
	_fleet_record "$dir" "$pid" "sshd:$host"
	{
		grep -vE '^FLEET_HOST_(PORT|SSHD_PID)=' "$hd/env"
		printf '%s=%q\n' FLEET_HOST_PORT "$port" FLEET_HOST_SSHD_PID "$pid"
	} >"$hd/env.tmp.$BASHPID" && mv -f "$hd/env.tmp.$BASHPID" "$hd/env"
}

# _fleet_sshd_wait DIR HOST: ok when listening and answering with a banner;
# 2 when the port was taken (caller retries with another port)
_fleet_sshd_wait() {
	local dir=$1 host=$2 hd port pid i banner
	hd="$dir/$host"
	port=$(fleet_host_get "$dir" "$host" FLEET_HOST_PORT)
	pid=$(cat "$hd/sshd.launch_pid")
	for ((i = 0; i < FLEET_WAIT * 20; i++)); do
		if grep -q 'Server listening on' "$hd/sshd.log" 2>/dev/null; then break; fi
		if ! _fleet_alive "$pid"; then
			grep -qiE 'Address already in use|Cannot bind' "$hd/sshd.log" 2>/dev/null && return 2
			_fleet_err "$host: sshd exited: $(tail -n3 "$hd/sshd.log" 2>/dev/null)"
			return 1
		fi
		sleep 0.05
	done
	for ((i = 0; i < FLEET_WAIT * 10; i++)); do
		banner=$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' && head -c 7 <&3' 2>/dev/null)
		[ "$banner" = SSH-2.0 ] && return 0
		_fleet_alive "$pid" || break
		sleep 0.1
	done
	_fleet_err "$host: sshd on port $port not answering: $(tail -n3 "$hd/sshd.log" 2>/dev/null)"
	return 1
}

# --- running session ----------------------------------------------------------

# fleet_start_running DIR HOST: start `opencode serve` with the host's env and
# leave one session busy (prompt "SLOW ..." whose reply never finishes before
# $FLEET_SLOW_MS).  Serve PID recorded (stopped by fleet_down), written to the
# host's env file with the session id and URL.
fleet_start_running() {
	local dir=$1 host=$2 hd h v bin sid i st counts
	hd="$dir/$host"
	h=$(fleet_host_get "$dir" "$host" FLEET_HOST_HOME)
	v=$(fleet_host_get "$dir" "$host" FLEET_HOST_OPENCODE_VERSION)
	[ "$v" != none ] || { _fleet_err "$host has no opencode"; return 1; }
	bin=$(fleet_opencode_bin "$v") || return 1
	[ -d "$h/alpha/.git" ] || _fleet_make_projects "$h" || return 1
	local RS_PID RS_URL
	_fleet_serve_start RS "$bin" "$h" "$FLEET_CACHE/cache-$v" "$hd/serve.log" "$h/alpha"
	st=$?
	[ -n "${RS_PID:-}" ] && _fleet_record "$dir" "$RS_PID" "serve:$host"
	[ $st = 0 ] || return 1
	sid=$(_fleet_new_session "$RS_URL" "$h/alpha" '{"title":"running: SLOW job"}') || return 1
	_fleet_prompt "$RS_URL" "$h/alpha" "$sid" "SLOW please take your time" async || return 1
	for ((i = 0; i < FLEET_WAIT * 10; i++)); do
		_fleet_api GET "$RS_URL/session/status" "$h/alpha" 2>/dev/null | grep -q "\"$sid\":{\"type\":\"busy\"" && break
		sleep 0.1
	done
	_fleet_env_set "$hd/env" FLEET_HOST_RUNNING_SESSION "$sid"
	_fleet_env_set "$hd/env" FLEET_HOST_SERVE_PID "$RS_PID"
	_fleet_env_set "$hd/env" FLEET_HOST_SERVE_URL "$RS_URL"
	_fleet_env_set "$hd/env" FLEET_HOST_SERVE_DIR "$h/alpha"
	echo "$RS_PID" >"$hd/serve.pid"
	counts=$(_fleet_count "$h" "$(_fleet_storage "$v")")
	_fleet_set_counts "$hd" "$counts" "$v"
	_fleet_api GET "$RS_URL/session/status" "$h/alpha" 2>/dev/null | grep -q "\"$sid\"" ||
		{ _fleet_err "$host: session $sid never became busy"; return 1; }
}

_fleet_set_counts() { # HOSTDIR "n root archived children projects" VERSION
	local hd=$1 v=$3 n r a c p
	read -r n r a c p <<<"$2"
	{
		grep -vE '^FLEET_HOST_(SESSIONS|ROOT_SESSIONS|ARCHIVED|CHILDREN|PROJECTS|DB)=' "$hd/env"
		printf '%s=%q\n' FLEET_HOST_SESSIONS "$n" FLEET_HOST_ROOT_SESSIONS "$r" FLEET_HOST_ARCHIVED "$a" \
			FLEET_HOST_CHILDREN "$c" FLEET_HOST_PROJECTS "$p"
		if [ "$(_fleet_storage "$v")" = sqlite ]; then
			printf '%s=%q\n' FLEET_HOST_DB "$hd/home/.local/share/opencode/opencode.db"
		else
			printf '%s=\n' FLEET_HOST_DB
		fi
	} >"$hd/env.tmp.$BASHPID" && mv -f "$hd/env.tmp.$BASHPID" "$hd/env"
}

# --- up / down ----------------------------------------------------------------

# a small job pool: at most $FLEET_JOBS background jobs at a time
_FLEET_POOL=()
_FLEET_POOL_RC=0
_fleet_pool_run() {
	"$@" &
	_FLEET_POOL+=($!)
	if [ ${#_FLEET_POOL[@]} -ge "${FLEET_JOBS:-8}" ]; then
		wait "${_FLEET_POOL[0]}" || _FLEET_POOL_RC=1
		_FLEET_POOL=("${_FLEET_POOL[@]:1}")
	fi
}
_fleet_pool_wait() {
	local p rc
	for p in "${_FLEET_POOL[@]}"; do wait "$p" || _FLEET_POOL_RC=1; done
	rc=$_FLEET_POOL_RC
	_FLEET_POOL=()
	_FLEET_POOL_RC=0
	return "$rc"
}

# _fleet_host_setup DIR HOST INDEX SPEC: folders, keys, config, sshd started
_fleet_host_setup() {
	_fleet_write_host "$@" && _fleet_sshd_start "$1" "$2"
}

# _fleet_host_finish DIR HOST INDEX SPEC: the host's data, then wait for its
# sshd (another port when the chosen one was taken meanwhile)
_fleet_host_finish() {
	local dir=$1 host=$2 idx=$3 spec=$4 v hd h tries=0 waitrc
	hd="$dir/$host"
	h="$hd/home"
	v=$(_fleet_spec_version "$spec")
	if [ "$v" != none ] && ! _fleet_has "$spec" nodata; then
		if _fleet_has "$spec" fresh; then
			fleet_make_data "$h" "$v" "$FLEET_MODEL_PORT" "$FLEET_CACHE/cache-$v" "$hd/make_data.log" || return 1
			_fleet_set_counts "$hd" "$(_fleet_count "$h" "$(_fleet_storage "$v")")" "$v"
		else
			_fleet_copy_data "$(_fleet_template_dir "$v")" "$h" "$idx" || return 1
			_fleet_set_counts "$hd" "$(cat "$(_fleet_template_dir "$v")/counts")" "$v"
		fi
	fi
	while :; do
		_fleet_sshd_wait "$dir" "$host"
		waitrc=$?
		[ $waitrc = 0 ] && return 0
		[ $waitrc = 2 ] && [ $tries -lt 10 ] || return 1
		tries=$((tries + 1))
		_fleet_log "$host: port taken, retrying"
		_fleet_sshd_start "$dir" "$host" || return 1
	done
}

# fleet_up N DIR [SPEC...]: start N hosts (host01..hostNN) under DIR.
fleet_up() {
	local n=$1 dir=$2 i host spec v specs=() t0 rc
	shift 2
	specs=("$@")
	[[ $n =~ ^[0-9]+$ && $n -ge 1 ]] || { _fleet_err "fleet_up: bad host count '$n'"; return 2; }
	[ -n "$dir" ] || { _fleet_err "fleet_up: no DIR"; return 2; }
	case $dir in *[[:space:]#\"\'\\]*) _fleet_err "fleet_up: DIR must not contain spaces or quotes: $dir"; return 2 ;; esac
	t0=$(_fleet_ms)
	_fleet_dbg "fleet_up $n $dir"
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd)
	[ -e "$dir/pids" ] && { _fleet_err "$dir already holds a fleet (fleet_down it first)"; return 1; }
	: >"$dir/pids"
	chmod 0755 "$dir"
	FLEET_USER=$(id -un)
	# templates are shared by every build and run (next to the OpenCode
	# versions), else kept in the build folder, else in DIR
	if [ -z "${FLEET_CACHE:-}" ] && [ -d "$OPENCODE_CACHE" ] && [ -w "$OPENCODE_CACHE" ]; then
		FLEET_CACHE=$OPENCODE_CACHE/fleet-templates
	fi
	: "${FLEET_CACHE:=${CODEFLEET_BUILD:+$CODEFLEET_BUILD/fleet-cache}}"
	: "${FLEET_CACHE:=$dir/.cache}"
	export FLEET_CACHE FLEET_USER
	for cmd in "$FLEET_SSHD" ssh-keygen sqlite3 curl node git setsid ps; do
		command -v "$cmd" >/dev/null 2>&1 || { _fleet_err "missing command: $cmd"; return 1; }
	done
	# sshd run as root needs its privilege separation folder
	if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then mkdir -m 0755 /run/sshd 2>/dev/null || [ -d /run/sshd ] || return 1; fi

	ssh-keygen -q -t ed25519 -N '' -C "codefleet-fleet-client" -f "$dir/id_ed25519" </dev/null >/dev/null || return 1
	cp "$dir/id_ed25519.pub" "$dir/authorized_keys" && chmod 0600 "$dir/authorized_keys"
	{
		printf '%s=%q\n' FLEET_DIR "$dir" FLEET_N "$n" FLEET_USER "$FLEET_USER" \
			FLEET_SSH_CONFIG "$dir/ssh_config" FLEET_KNOWN_HOSTS "$dir/known_hosts" \
			FLEET_KEY "$dir/id_ed25519" FLEET_CACHE "$FLEET_CACHE"
	} >"$dir/fleet.env"

	# the watchdog stops the fleet if the owning shell dies without its trap
	# (e.g. SIGKILL by a test timeout)
	local owner=${FLEET_OWNER_PID-$$}
	if [ -n "$owner" ]; then
		setsid bash "$FLEET_SRC_DIR/fleet.sh" _watchdog "$dir" "$owner" \
			"$(_fleet_starttime "$owner")" </dev/null >"$dir/watchdog.log" 2>&1 &
		echo $! >"$dir/watchdog_pid"
		disown $! 2>/dev/null
		_fleet_record "$dir" $! watchdog
	fi

	FLEET_MODEL_PORT=$(fleet_model_start "$dir") || return 1
	export FLEET_MODEL_PORT
	_fleet_env_set "$dir/fleet.env" FLEET_MODEL_PORT "$FLEET_MODEL_PORT"
	_fleet_env_set "$dir/fleet.env" FLEET_MODEL_PID "$(cat "$dir/model_pid")"

	# templates (one per version, cached) build in the background while the
	# hosts get their folders, keys and sshd
	local versions=() tpl_pids=() vv
	for ((i = 1; i <= n; i++)); do
		spec=${specs[i - 1]:-$FLEET_DEFAULT_SPEC}
		v=$(_fleet_spec_version "$spec")
		[ "$v" = none ] && continue
		_fleet_has "$spec" nodata && continue
		_fleet_has "$spec" fresh && continue
		case " ${versions[*]} " in *" $v "*) ;; *) versions+=("$v") ;; esac
	done
	for vv in "${versions[@]}"; do
		fleet_template "$vv" "$(_fleet_template_dir "$vv")" &
		tpl_pids+=($!)
	done

	for ((i = 1; i <= n; i++)); do
		_fleet_pool_run _fleet_host_setup "$dir" "$(printf 'host%02d' "$i")" "$i" "${specs[i - 1]:-$FLEET_DEFAULT_SPEC}"
	done
	rc=0
	_fleet_pool_wait || rc=1
	_fleet_dbg "sshd started"
	for i in "${tpl_pids[@]}"; do wait "$i" || rc=1; done
	[ $rc = 0 ] || { _fleet_err "setting up the hosts failed"; return 1; }
	_fleet_dbg "templates ready"

	# data copied (or made), then each sshd waited for
	for ((i = 1; i <= n; i++)); do
		_fleet_pool_run _fleet_host_finish "$dir" "$(printf 'host%02d' "$i")" "$i" "${specs[i - 1]:-$FLEET_DEFAULT_SPEC}"
	done
	_fleet_pool_wait || { _fleet_err "making host data or starting sshd failed"; return 1; }
	_fleet_dbg "data copied, sshd ready"

	# client side: ssh_config and known_hosts
	: >"$dir/ssh_config"
	: >"$dir/known_hosts"
	for ((i = 1; i <= n; i++)); do
		host=$(printf 'host%02d' "$i")
		local port
		port=$(fleet_host_get "$dir" "$host" FLEET_HOST_PORT)
		cat >>"$dir/ssh_config" <<EOF
Host $host
  HostName 127.0.0.1
  Port $port
  User $FLEET_USER
  IdentityFile $dir/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes

EOF
		printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1-2 "$dir/$host/ssh_host_ed25519_key.pub")" >>"$dir/known_hosts"
	done
	chmod 0644 "$dir/ssh_config" "$dir/known_hosts"

	# running sessions last (they need the copied data in place)
	for ((i = 1; i <= n; i++)); do
		spec=${specs[i - 1]:-$FLEET_DEFAULT_SPEC}
		_fleet_has "$spec" running || continue
		fleet_start_running "$dir" "$(printf 'host%02d' "$i")" || return 1
	done
	_fleet_log "$n hosts up in $dir in $(($(_fleet_ms) - t0)) ms"
	return 0
}

# fleet_down DIR: stop everything the fleet started, by recorded PID (and the
# descendants of those PIDs: sshd session processes, opencode children).
# Writes every PID it signalled to DIR/stopped.  Returns 1 if any survives.
fleet_down() {
	local dir=$1 pid st kind all=() live=() left
	[ -f "$dir/pids" ] || return 0
	_FLEET_SELF=$BASHPID
	# the watchdog first, so it does not race with us
	while read -r pid st kind; do
		[ "$kind" = watchdog ] && [ "$pid" != "$BASHPID" ] && _fleet_same "$pid" "$st" && kill -KILL "$pid" 2>/dev/null
	done <"$dir/pids"
	while read -r pid st kind; do
		[ "$kind" = watchdog ] && continue
		_fleet_same "$pid" "$st" && live+=("$pid")
	done <"$dir/pids"
	if [ ${#live[@]} -gt 0 ]; then
		# shellcheck disable=SC2207
		all=("${live[@]}" $(_fleet_descendants "${live[@]}"))
		printf '%s\n' "${all[@]}" >>"$dir/stopped"
		_fleet_stop_tree "${all[@]}"
	fi
	touch "$dir/stopped"
	mv -f "$dir/pids" "$dir/pids.down"
	left=$(fleet_leftovers "$dir")
	if [ -n "$left" ]; then
		_fleet_err "processes left after fleet_down: $left"
		return 1
	fi
	return 0
}

# fleet_leftovers DIR: PIDs of processes the fleet started that still live
fleet_leftovers() {
	local dir=$1 pid st kind left_pids=()
	for f in "$dir/pids" "$dir/pids.down"; do
		[ -f "$f" ] || continue
		while read -r pid st kind; do
			[ "$pid" = "${_FLEET_SELF:-}" ] && continue
			_fleet_same "$pid" "$st" && _fleet_alive "$pid" && left_pids+=("$pid")
		done <"$f"
	done
	if [ -f "$dir/stopped" ]; then
		while read -r pid; do
			[ -n "$pid" ] && [ "$pid" != "${_FLEET_SELF:-}" ] && _fleet_alive "$pid" && left_pids+=("$pid")
		done <"$dir/stopped"
	fi
	[ ${#left_pids[@]} -gt 0 ] && printf '%s\n' "${left_pids[@]}" | sort -un | tr '\n' ' '
	return 0
}

# fleet_trap DIR [CLEANUP_CMD]: stop the fleet on EXIT, INT and TERM (and run
# CLEANUP_CMD after, e.g. rm -rf of the test's temp folder).
fleet_trap() {
	_FLEET_TRAP_DIR=$1
	_FLEET_TRAP_EXTRA=${2-}
	trap '_fleet_on_exit' EXIT
	trap '_fleet_on_signal 130' INT
	trap '_fleet_on_signal 143' TERM
}
_fleet_on_exit() {
	local rc=$?
	[ -n "${_FLEET_TRAP_DIR:-}" ] && fleet_down "$_FLEET_TRAP_DIR"
	[ -n "${_FLEET_TRAP_EXTRA:-}" ] && eval "$_FLEET_TRAP_EXTRA"
	_FLEET_TRAP_DIR=
	_FLEET_TRAP_EXTRA=
	exit $rc
}
_fleet_on_signal() {
	trap - INT TERM
	exit "$1" # runs the EXIT trap
}

# fleet_ssh DIR HOST CMD...: ssh to a host non-interactively
fleet_ssh() {
	local dir=$1 host=$2
	shift 2
	timeout "${FLEET_SSH_TIMEOUT:-30}" ssh -F "$dir/ssh_config" -o BatchMode=yes -o ConnectTimeout=10 \
		-o LogLevel=ERROR "$host" "$@" </dev/null
}

_fleet_watchdog() { # DIR OWNER_PID OWNER_STARTTIME
	local dir=$1 owner=$2 st=$3
	while _fleet_same "$owner" "${st:-0}" && [ -f "$dir/pids" ]; do sleep 1; done
	[ -f "$dir/pids" ] && FLEET_QUIET=1 fleet_down "$dir"
}

# --- CLI ----------------------------------------------------------------------
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	cmd=${1-}
	shift || true
	case $cmd in
	up)
		[ $# -ge 2 ] || { echo "usage: fleet.sh up N DIR [SPEC...]" >&2; exit 2; }
		FLEET_OWNER_PID=${FLEET_OWNER_PID:-} fleet_up "$@" || { rc=$?; d=$2; [ -d "$d" ] && fleet_down "$d"; exit $rc; }
		echo "fleet up: $(cd "$2" && pwd)/ssh_config"
		;;
	down)
		[ $# -eq 1 ] || { echo "usage: fleet.sh down DIR" >&2; exit 2; }
		fleet_down "$1"
		;;
	running)
		[ $# -eq 2 ] || { echo "usage: fleet.sh running DIR HOST" >&2; exit 2; }
		# shellcheck disable=SC1091
		. "$1/fleet.env" && export FLEET_CACHE FLEET_MODEL_PORT && fleet_start_running "$1" "$2"
		;;
	template)
		[ $# -eq 2 ] || { echo "usage: fleet.sh template VERSION OUTDIR" >&2; exit 2; }
		fleet_template "$1" "$2"
		;;
	_watchdog) _fleet_watchdog "$@" ;;
	*)
		echo "usage: fleet.sh up N DIR [SPEC...] | down DIR | running DIR HOST | template VERSION OUTDIR" >&2
		exit 2
		;;
	esac
fi

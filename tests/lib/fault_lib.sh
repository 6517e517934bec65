# shellcheck shell=bash
# shellcheck disable=SC2034  # STATUS/OUT/ERR feed testlib.sh
# Shared setup of the ls-level fault tests (tests/integration/fault_*.sh).
# Source it after setting CODEFLEET_SRC; it sources testlib.sh and fleet.sh.
#
#   fault_init NAME [TIMEOUT_S]   temp folder $FT, fleet folder $FD, traps (fleet_trap),
#                                 config $FT/config.yaml (local: false, polling.timeout:
#                                 TIMEOUT_S, default 3; $FAULT_TIMEOUT_S overrides it)
#   fault_fleet_up N SPEC...      fleet_up (fails the test on error), then $FT/ssh_config
#                                 and $FT/known_hosts: copies of the fleet's, free to edit
#   fault_host_block NAME PORT [Option=value...]   one more Host block in $FT/ssh_config
#   fault_servers MODE...         tests/fleet/fault_server.js (silent, garbage, ...);
#                                 fault_server_port MODE gives its port
#   fault_closed_port             a port nothing listens on
#   fault_hostile HOST TOOL MODE  a hostile TOOL first on the host's PATH
#   fault_ls [ARGS]               `codefleet ls --json` with a temp HOME/XDG_*, timed: $LS_MS
#   fault_expect_host HOST STATE ERE    exact state, one-line reason matching ERE
#   fault_expect_good HOST...     ok, no reason, every session id of its database
#   fault_expect_bound            ls took at most polling.timeout + 1 s
#
# Every process it starts is recorded by PID and stopped by PID; helper
# servers also exit by themselves when this shell is gone.
set -u
: "${CODEFLEET_SRC:?CODEFLEET_SRC must be set before sourcing fault_lib.sh}"
: "${CODEFLEET_BIN:=$CODEFLEET_SRC/build/codefleet}"
. "$CODEFLEET_SRC/tests/lib/testlib.sh"
. "$CODEFLEET_SRC/tests/fleet/fleet.sh"

FT=
FD=
FAULT_TIMEOUT=3
FAULT_PIDS=()
LS_MS=0

_fault_alive() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# _fault_same PID STARTTIME: PID is still the process that was recorded
_fault_same() {
	local st want=$2
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	# shellcheck disable=SC2086
	set -- $st
	[ -n "$want" ] && [ "${20}" = "$want" ]
}

# Stops every PID we recorded (helper servers; hostile tools and the probe
# shells above them, orphaned when their connection timed out or was
# killed): TERM (the probe script then removes its temp folder), then KILL
# after 2 s. Hostile PIDs count only while their start time still matches.
_fault_cleanup() {
	local p s f pids=() i
	for p in "${FAULT_PIDS[@]}"; do pids+=("$p"); done
	if [ -n "$FD" ]; then
		for f in "$FD"/host*/hostile.pids; do
			[ -f "$f" ] || continue
			# the outermost shell first, so it does not go on to the next method
			while read -r p s; do
				[[ $p =~ ^[0-9]+$ ]] && _fault_same "$p" "$s" && pids=("$p" "${pids[@]}")
			done <"$f"
		done
	fi
	for p in "${pids[@]}"; do _fault_alive "$p" && kill -TERM "$p" 2>/dev/null; done
	for i in $(seq 1 20); do
		local left=0
		for p in "${pids[@]}"; do _fault_alive "$p" && left=1; done
		[ $left = 0 ] && break
		sleep 0.1
	done
	for p in "${pids[@]}"; do _fault_alive "$p" && kill -KILL "$p" 2>/dev/null; done
	[ -n "$FT" ] && [ -d "$FT" ] && rm -rf "$FT"
	return 0
}

# fault_config TIMEOUT_S [MAX_PARALLEL]: (re)writes $FT/config.yaml
fault_config() {
	FAULT_TIMEOUT=$1
	cat >"$FT/config.yaml" <<EOF
local: false
polling:
  interval: 60s
  timeout: ${1}s
  max_parallel: ${2:-16}
EOF
}

# fault_init NAME [TIMEOUT_S]
fault_init() {
	FT=$(mktemp -d "${TMPDIR:-/tmp}/fault_$1.XXXXXX") || exit 1
	FD=$FT/fleet
	fleet_trap "$FD" _fault_cleanup
	mkdir -p "$FT/home/.config" "$FT/home/.cache" "$FT/home/.local/share" "$FT/home/.ssh"
	fault_config "${FAULT_TIMEOUT_S:-${2:-3}}"
	: >"$FT/ssh_config"
	: >"$FT/known_hosts"
	# codefleet runs with a private HOME and XDG folders and no agent, so
	# nothing of the real account (~/.ssh, the cache, an agent key) counts
	cat >"$FT/cf" <<EOF
#!/bin/sh
HOME='$FT/home' XDG_CONFIG_HOME='$FT/home/.config' XDG_CACHE_HOME='$FT/home/.cache'
XDG_DATA_HOME='$FT/home/.local/share'
export HOME XDG_CONFIG_HOME XDG_CACHE_HOME XDG_DATA_HOME
unset SSH_AUTH_SOCK SSH_AGENT_PID
exec '$CODEFLEET_BIN' -F '$FT/ssh_config' -c '$FT/config.yaml' "\$@"
EOF
	chmod +x "$FT/cf"
}

# fault_bail WHY: the setup failed; no point going on
fault_bail() {
	fail "$*"
	finish
	exit 1
}

# fault_fleet_up N SPEC...: the fleet, and copies of its client files in $FT
fault_fleet_up() {
	local n=$1
	shift
	if ! fleet_up "$n" "$FD" "$@" >"$FT/fleet_up.log" 2>&1; then
		fault_bail "fleet_up $n $*: $(tail -n 5 "$FT/fleet_up.log")"
	fi
	# shellcheck disable=SC1091
	. "$FD/fleet.env"
	sed "s|$FD/known_hosts|$FT/known_hosts|" "$FD/ssh_config" >"$FT/ssh_config"
	cp "$FD/known_hosts" "$FT/known_hosts"
}

hget() { fleet_host_get "$FD" "$1" "$2"; }

# fault_host_block NAME PORT [Option=value...]: a Host block like the
# fleet's (127.0.0.1, the fleet's key and user, $FT/known_hosts,
# StrictHostKeyChecking yes); Option=value replaces or adds a line.
fault_host_block() {
	local name=$1 port=$2 kv k v
	shift 2
	local -A o=([HostName]=127.0.0.1 [Port]=$port [User]=${FLEET_USER:-$(id -un)}
		[IdentityFile]=$FD/id_ed25519 [IdentitiesOnly]=yes [UserKnownHostsFile]=$FT/known_hosts
		[GlobalKnownHostsFile]=/dev/null [StrictHostKeyChecking]=yes [BatchMode]=yes)
	local order=(HostName Port User IdentityFile IdentitiesOnly UserKnownHostsFile
		GlobalKnownHostsFile StrictHostKeyChecking BatchMode)
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		[ -n "${o[$k]+x}" ] || order+=("$k")
		o[$k]=$v
	done
	{
		echo "Host $name"
		for k in "${order[@]}"; do echo "  $k ${o[$k]}"; done
		echo
	} >>"$FT/ssh_config"
}

# fault_servers MODE...: one fault_server.js with a port per mode
fault_servers() {
	local args=() m i
	for m in "$@"; do args+=(--listen "$m"); done
	rm -f "$FT/servers.ports"
	node "$CODEFLEET_SRC/tests/fleet/fault_server.js" --port-file "$FT/servers.ports" \
		--owner-pid $$ --lifetime 600 "${args[@]}" >"$FT/servers.log" 2>&1 &
	FAULT_PIDS+=("$!")
	for i in $(seq 1 200); do
		[ -s "$FT/servers.ports" ] && return 0
		_fault_alive "$!" || break
		sleep 0.05
	done
	fault_bail "fault_server.js did not start: $(cat "$FT/servers.log")"
}
fault_server_port() { awk -v m="$1" '$1 == m { print $2 }' "$FT/servers.ports"; }

# fault_closed_port: a port that was free a moment ago (bound, then released)
fault_closed_port() {
	node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})'
}

# fault_known_host HOST: the known_hosts line of a fleet host
fault_known_host() {
	printf '[127.0.0.1]:%s %s\n' "$(hget "$1" FLEET_HOST_PORT)" \
		"$(cut -d' ' -f1-2 "$FD/$1/ssh_host_ed25519_key.pub")"
}
# fault_fingerprint HOST: SHA256:... of the host's key
fault_fingerprint() {
	ssh-keygen -l -E sha256 -f "$FD/$1/ssh_host_ed25519_key.pub" | awk '{ print $2 }'
}

# fault_hostile HOST TOOL MODE: puts a hostile TOOL in the host's
# ~/.opencode/bin, which is first on the PATH its sshd sets. The real tool
# still answers every call but the one the mode is about, so the probe
# script takes its normal path (sqlite3 passes the capability checks and
# the schema query, then the data query misbehaves) and cannot fall back.
#   sqlite3 malformed  the data query prints its sections with broken JSON
#   sqlite3 big        the data query prints 50 MB (the script's own cap)
#   sqlite3 sleep      the data query sleeps 60 s
#   cat big            the script's final `cat` of the reply prints 50 MB
#                      after `MARKER begin`: only the client's cap stops it
#   cat half           the final `cat` sends half the real reply, writes
#                      hostile.flag, then sleeps (a reply stalled mid-way)
# Each hostile process appends its PID and those of its ancestors up to the
# sshd session (the probe script's shells) to HOSTDIR/hostile.pids: they may
# outlive a timed-out or killed connection, so they are stopped by PID at the end.
fault_hostile() {
	local host=$1 tool=$2 mode=$3 hd bin real f
	hd=$FD/$host
	[ "$(hget "$host" FLEET_HOST_ONPATH)" = 1 ] || fault_bail "$host: ~/.opencode/bin not first on PATH"
	bin=$(hget "$host" FLEET_HOST_HOME)/.opencode/bin
	real=$(command -v "$tool") || fault_bail "no $tool here"
	f=$bin/$tool
	# the hostile process and its ancestors up to the sshd session (the probe
	# script's shells): after a deadline or a killed connection they are
	# orphans that fleet_down cannot find, so they are stopped by these PIDs
	# ("PID STARTTIME" lines; a function, so its set -- leaves "\$@" alone)
	rec="record() {
	p=\$\$ n=0
	while [ \"\$p\" -gt 1 ] && [ \$n -lt 8 ] && read -r c <\"/proc/\$p/comm\" &&
		read -r st <\"/proc/\$p/stat\"; do
		case \$c in sshd*) break ;; esac
		st=\${st##*) }
		set -- \$st
		echo \"\$p \${20}\"
		p=\$2 n=\$((n + 1))
	done >>'$hd/hostile.pids'
}
record"
	case $tool:$mode in
	sqlite3:malformed | sqlite3:big | sqlite3:sleep)
		cat >"$f" <<EOF
#!/bin/sh
# hostile sqlite3 ($mode) of a codefleet fault test
case " \$* " in *" -json "*) ;; *) exec '$real' "\$@" ;; esac
$rec
case $mode in
malformed)
	m=\$(sed -n 's/^\.print \([A-Za-z0-9]*\) projects\$/\1/p' | head -n 1)
	printf '%s projects\n[{"id":"global","worktree":"/","vcs":null,"name":\n' "\$m"
	printf '%s sessions\n[{"id":"ses_broken","title":"no end quote,"directory":/x}]]\n' "\$m"
	;;
big) yes 'codefleet fault test: fifty megabytes of this line' | head -c 52428800 ;;
sleep) exec sleep 60 ;;
esac
EOF
		;;
	cat:big | cat:half)
		cat >"$f" <<EOF
#!/bin/sh
# hostile cat ($mode) of a codefleet fault test: only for the probe reply
case \$#:\${1-} in 1:*/cfprobe.*/r) ;; *) exec '$real' "\$@" ;; esac
$rec
case $mode in
big) yes 'codefleet fault test: fifty megabytes of this line' | head -c 52428800 ;;
half)
	n=\$(( \$(wc -c <"\$1") / 2 ))
	head -c "\$n" "\$1"
	echo \$\$ >'$hd/hostile.flag'
	exec sleep 60
	;;
esac
EOF
		;;
	*) fault_bail "fault_hostile: unknown $tool $mode" ;;
	esac
	chmod 0755 "$f"
}

# fault_wait_file FILE TENTHS: until FILE exists
fault_wait_file() {
	local i
	for ((i = 0; i < $2; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# fault_kill_sessions HOST: SIGKILL the host's per-connection sshd
# processes (descendants of its listening sshd named sshd*), by PID; prints them
fault_kill_sessions() {
	local root p killed=()
	root=$(hget "$1" FLEET_HOST_SSHD_PID)
	for p in $(_fleet_descendants "$root"); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		sshd*) killed+=("$p") ;;
		esac
	done
	[ ${#killed[@]} -gt 0 ] && kill -KILL "${killed[@]}" 2>/dev/null
	echo "${killed[*]}"
}

# fault_ls [ARGS]: codefleet ls --json ARGS, timed (LS_MS); the output is
# kept in $FT/ls.json
# shellcheck disable=SC2120  # arguments are optional
fault_ls() {
	local t0
	t0=$(date +%s%N)
	run "$FT/cf" ls --json "$@"
	LS_MS=$((($(date +%s%N) - t0) / 1000000))
	printf '%s\n' "$OUT" >"$FT/ls.json"
	if [ -n "$OUT" ] && jq -e '.hosts | type == "array"' >/dev/null 2>&1 <<<"$OUT"; then
		pass "ls --json printed one JSON document (${LS_MS} ms)"
	else
		fail "ls output is not the JSON document: [${OUT:0:300}]"
	fi
}

# jget HOST FILTER: a jq filter applied to HOST's object of the last ls
jget() { jq -r --arg h "$1" ".hosts[] | select(.name==\$h) | $2" <<<"$OUT" 2>/dev/null; }

# fault_expect_host HOST STATE ERE: the exact state word, and a one-line
# printable reason matching ERE (grep -E)
fault_expect_host() {
	local host=$1 want=$2 ere=$3 st reason
	st=$(jget "$host" .state)
	reason=$(jget "$host" '.reason // ""')
	expect_eq "$st" "$want" "$host: state"
	if [ -n "$reason" ] && grep -Eq -- "$ere" <<<"$reason"; then
		pass "$host: reason [$reason]"
	else
		fail "$host: reason [$reason] does not match /$ere/"
	fi
	if [ "$(jget "$host" '.reason // "" | explode | map(select(. < 32 or . == 127)) | length > 0')" = false ]; then
		pass "$host: reason is one printable line"
	else
		fail "$host: control characters in the reason"
	fi
}

# fault_db_ids HOST: the session ids in a fleet host's database, sorted
fault_db_ids() {
	if [ "$(hget "$1" FLEET_HOST_STORAGE)" = json ]; then
		# <=1.1: storage/session/<project>/<id>.json
		(cd "$(hget "$1" FLEET_HOST_DATA)/storage/session" && ls -- */*.json) | sed 's|.*/||; s|\.json$||' | sort
	else
		sqlite3 -readonly "$(hget "$1" FLEET_HOST_DB)" "SELECT id FROM session" | sort
	fi
}

# fault_expect_good HOST...: ok, no reason, and exactly the sessions of
# its database (read here, not over ssh)
fault_expect_good() {
	local host want got n
	for host in "$@"; do
		expect_eq "$(jget "$host" '"\(.state) \(.reason)"')" "ok null" "$host (good): ok"
		want=$(fault_db_ids "$host")
		got=$(jget "$host" '.projects[].sessions[].id' | sort)
		n=$(hget "$host" FLEET_HOST_SESSIONS)
		if [ -n "$want" ] && [ "$got" = "$want" ] && [ "$(grep -c . <<<"$got")" = "$n" ]; then
			pass "$host (good): all $n sessions"
		else
			fail "$host (good): sessions [$(tr "\n" " " <<<"$got")] wanted [$(tr "\n" " " <<<"$want")]"
		fi
	done
}

# fault_expect_bound: ls ended within polling.timeout + 1 s (a behaviour
# contract: a faulty host cannot hold `ls` past its deadline)
fault_expect_bound() {
	local limit=$(((FAULT_TIMEOUT + 1) * 1000))
	if [ "$LS_MS" -le "$limit" ]; then
		pass "ls took $LS_MS ms (deadline ${FAULT_TIMEOUT} s, bound $limit ms)"
	else
		fail "ls took $LS_MS ms, over the bound of $limit ms (deadline ${FAULT_TIMEOUT} s + 1 s)"
	fi
}

# fault_log_size HOST / fault_log_since HOST SIZE: the host's sshd log after SIZE bytes
fault_log_size() { wc -c <"$(hget "$1" FLEET_HOST_SSHD_LOG)"; }
fault_log_since() { tail -c +"$(($2 + 1))" "$(hget "$1" FLEET_HOST_SSHD_LOG)"; }

# fault_expect_at_deadline HOST: its probe gave the worker back at the
# deadline (latency_ms within [timeout - 0.1 s, timeout + 1 s])
fault_expect_at_deadline() {
	local lat lo=$((FAULT_TIMEOUT * 1000 - 100)) hi=$((FAULT_TIMEOUT * 1000 + 1000))
	lat=$(jget "$1" .latency_ms)
	if [[ $lat =~ ^[0-9]+$ ]] && [ "$lat" -ge $lo ] && [ "$lat" -le $hi ]; then
		pass "$1: gave its worker back at the deadline ($lat ms)"
	else
		fail "$1: latency [$lat] ms, wanted the ${FAULT_TIMEOUT} s deadline"
	fi
}
# fault_expect_prompt HOST: it failed well before the deadline (latency_ms)
fault_expect_prompt() {
	local lat lim=$((FAULT_TIMEOUT * 1000 - 100))
	lat=$(jget "$1" .latency_ms)
	if [[ $lat =~ ^[0-9]+$ ]] && [ "$lat" -lt $lim ]; then
		pass "$1: failed at once ($lat ms), not at the deadline"
	else
		fail "$1: latency [$lat] ms: should fail before the ${FAULT_TIMEOUT} s deadline"
	fi
}

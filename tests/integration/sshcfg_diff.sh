#!/usr/bin/env bash
# Differential test: `codefleet resolve -F FILE HOST` must print the same
# lines as `ssh -G -F FILE HOST` for the keywords codefleet relies on, over
# the corpus in tests/fixtures/sshcfg/ (see its README.md).
#
# Each corpus file names its hosts in a `# hosts: a b c` line and may hold
# `# expect: HOST keyword value` lines: those are checked against ssh -G
# first, so a corpus that no longer tests what it says fails loudly.
#
# Env: CODEFLEET_BIN (the binary), CODEFLEET_SRC (the source tree).
# Prints one line per case, then exactly "N passed, M failed".  Exits
# non-zero when a case failed or fewer than MIN_CASES cases ran.
set -u
export LC_ALL=C TZ=UTC
unset SSH_AUTH_SOCK
# `Match exec` runs its command with $SHELL (else /bin/sh): pin it, for both tools.
export SHELL=/bin/sh

MIN_CASES=40
KEYWORDS="hostname user port identityfile proxyjump proxycommand connecttimeout
stricthostkeychecking userknownhostsfile serveraliveinterval serveralivecountmax
identitiesonly hostkeyalias forwardagent identityagent batchmode"

src=${CODEFLEET_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
corpus=$src/tests/fixtures/sshcfg
. "$src/tests/lib/sshcfg_lib.sh"

# Serialise concurrent runs (normal and sanitizer builds): they share the
# scratch folder under ~/.ssh and the decision to create or remove ~/.ssh.
# The lock is on this script itself, so nothing is left behind.
exec 9<"$0"
if command -v flock >/dev/null; then
	flock -w 300 9 || die "another run holds the lock on $0"
fi

# ~ for ssh is the passwd home of the real uid (getpwuid), not $HOME.
uid=$(id -u)
user=$(id -un)
home=$(getent passwd "$uid" 2>/dev/null | cut -d: -f6)
[ -n "$home" ] || home=$(awk -F: -v u="$uid" '$3 == u { print $6; exit }' /etc/passwd)
[ -n "$home" ] || die "no passwd home directory for uid $uid"
sshdir=$home/.ssh

tmp=""
reldir=""
made_sshdir=0
cleanup() {
	[ -n "$reldir" ] && rm -rf -- "${sshdir:?}/${reldir:?}"
	[ "$made_sshdir" = 1 ] && rmdir -- "$sshdir" 2>/dev/null
	[ -n "$tmp" ] && rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

tmp=$(mktemp -d "${TMPDIR:-/tmp}/codefleet-sshcfg.XXXXXX") || die "mktemp failed"
dir=$tmp/sshcfg

# Relative Includes in a user config are relative to ~/.ssh: the home/
# part of the corpus lives in a uniquely named folder there for the run.
home_ok=1
if [ ! -d "$sshdir" ]; then
	if mkdir -m 700 -- "$sshdir" 2>/dev/null; then made_sshdir=1; else home_ok=0; fi
fi
if [ "$home_ok" = 1 ]; then
	rel=$(mktemp -d "$sshdir/codefleet-sshcfg-test.XXXXXX" 2>/dev/null) || home_ok=0
	[ "$home_ok" = 1 ] && reldir=${rel##*/}
fi

sed_escape() { printf '%s' "$1" | sed 's/[\\|&]/\\&/g'; }
substitute() { # FILE: replaces the placeholders in place (keeps CRLF).
	sed -i -e "s|@DIR@|$(sed_escape "$dir")|g" \
		-e "s|@USER@|$(sed_escape "$user")|g" \
		-e "s|@HOME@|$(sed_escape "$home")|g" \
		-e "s|@REL@|$(sed_escape "$reldir")|g" -- "$1"
}

cp -R -- "$corpus" "$dir" || die "cannot copy $corpus"
rm -rf -- "${dir:?}/home" "${dir:?}/errors"
find "$dir" -type f | while IFS= read -r f; do substitute "$f"; done
# ssh refuses included files that are group- or world-writable (a checkout
# made with umask 002 has such modes).
chmod -R go-w -- "$dir"
if [ "$home_ok" = 1 ]; then
	cp -R -- "$corpus/home/." "$sshdir/$reldir/" || die "cannot copy home/ to $sshdir/$reldir"
	find "$sshdir/$reldir" -type f | while IFS= read -r f; do substitute "$f"; done
	chmod -R go-w -- "$sshdir/$reldir"
fi

filter() { # keeps the wanted keywords, in order, repeated ones included
	awk -v kw="$KEYWORDS" 'BEGIN { n = split(kw, k, /[ \n]+/); for (i = 1; i <= n; i++) want[k[i]] = 1 }
		($1 in want) { print }'
}

out=$tmp/out
for f in "$dir"/*.conf; do
	name=${f##*/}
	uses_home=0
	grep -q '@REL@' "$corpus/$name" && uses_home=1
	hosts=$(sed -n 's/^# hosts:[[:space:]]*//p' "$f" | tr -d '\r')
	if [ -z "$hosts" ]; then
		echo "FAIL $name: corpus bug: no '# hosts:' line"
		failed=$((failed + 1))
		continue
	fi
	for host in $hosts; do
		label="$name $host"
		if [ "$uses_home" = 1 ] && [ "$home_ok" = 0 ]; then
			echo "SKIP $label: cannot write to $sshdir (relative Include needs it)"
			continue
		fi
		timeout 20 ssh -G -F "$f" -- "$host" </dev/null >"$out.ssh" 2>"$out.ssherr"
		st=$?
		if [ "$st" != 0 ]; then
			echo "FAIL $label: corpus bug: ssh -G exited $st: $(head -n 3 "$out.ssherr" | tr '\n' ' ')"
			failed=$((failed + 1))
			continue
		fi
		# The corpus checks itself: each `# expect:` line must be in ssh -G's output.
		bad=""
		while IFS= read -r line; do
			grep -qxF -- "$line" "$out.ssh" || bad="$bad [$line]"
		done < <(tr -d '\r' <"$f" | sed -n "s/^# expect:[[:space:]]*//p" |
			awk -v h="$host" '$1 == h { sub(/^[^ ]+ +/, ""); print }')
		if [ -n "$bad" ]; then
			echo "FAIL $label: corpus bug: ssh -G does not print$bad"
			failed=$((failed + 1))
			continue
		fi
		timeout 20 "$bin" resolve -F "$f" "$host" </dev/null >"$out.cf" 2>"$out.cferr"
		st=$?
		filter <"$out.ssh" >"$out.want"
		filter <"$out.cf" >"$out.got"
		if [ "$st" != 0 ]; then
			echo "FAIL $label: codefleet resolve exited $st: $(head -n 3 "$out.cferr" | tr '\n' ' ')"
			failed=$((failed + 1))
		elif cmp -s "$out.want" "$out.got"; then
			echo "ok   $label"
			passed=$((passed + 1))
		else
			echo "FAIL $label: codefleet resolve differs from ssh -G"
			diff -u --label "ssh -G -F $name $host" --label "codefleet resolve -F $name $host" \
				"$out.want" "$out.got" | sed 's/^/     /'
			failed=$((failed + 1))
		fi
	done
done

total=$((passed + failed))
if [ "$total" -lt "$MIN_CASES" ]; then
	echo "FAIL only $total cases ran, wanted at least $MIN_CASES"
	failed=$((failed + 1))
fi
summary

#!/usr/bin/env bash
# Configurations `ssh -G` rejects must make `codefleet resolve` fail too:
# exit status 2, nothing on stdout, and exactly one stderr line
#   codefleet: FILE:LINE: what is wrong      (FILE:LINE where ssh complains)
#   codefleet: FILE: what is wrong           (the -F file itself is missing)
#
# Cases: every tests/fixtures/sshcfg/errors/*.conf (its `# error-at: PATH:LINE`
# line names the place, PATH relative to errors/; `# host: NAME` the host),
# plus cases made here because git cannot hold them: a missing -F file, an
# Include of a file that cannot be read (a symbolic link loop, for every
# user; a mode-000 file, only when not running as root, since root reads
# it anyway), an Include of a world-writable file (ssh refuses it).
#
# Env: CODEFLEET_BIN (the binary), CODEFLEET_SRC (the source tree).
# Prints one line per case, then exactly "N passed, M failed".
set -u
export LC_ALL=C TZ=UTC

src=${CODEFLEET_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
corpus=$src/tests/fixtures/sshcfg/errors
MIN_CASES=1
. "$src/tests/lib/sshcfg_lib.sh"

tmp=""
cleanup() { [ -n "$tmp" ] && chmod -R u+rwX -- "$tmp" 2>/dev/null; [ -n "$tmp" ] && rm -rf -- "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
tmp=$(mktemp -d "${TMPDIR:-/tmp}/codefleet-sshcfg-err.XXXXXX") || die "mktemp failed"
dir=$tmp/errors
gen=$tmp/gen
user=$(id -un)

sed_escape() { printf '%s' "$1" | sed 's/[\\|&]/\\&/g'; }
cp -R -- "$corpus" "$dir" || die "cannot copy $corpus"
find "$dir" -type f | while IFS= read -r f; do
	sed -i -e "s|@DIR@|$(sed_escape "$dir")|g" -e "s|@USER@|$(sed_escape "$user")|g" -- "$f"
done
chmod -R go-w -- "$dir"
mkdir -p "$gen"

out=$tmp/out
# check LABEL CONFIG HOST PREFIX: ssh -G must reject CONFIG; codefleet must
# exit 2 with one stderr line starting with PREFIX and followed by a reason.
# SSHLINE (optional 5th argument) is "FILE:LINE" ssh itself should name.
check() {
	local label=$1 cfg=$2 host=$3 prefix=$4 sshat=${5:-} st n line where
	timeout 20 ssh -G -F "$cfg" -- "$host" </dev/null >"$out.ssh" 2>"$out.ssherr"
	st=$?
	if [ "$st" = 0 ]; then
		echo "FAIL $label: corpus bug: ssh -G accepts this configuration"
		failed=$((failed + 1))
		return
	fi
	# Where ssh names a line ("FILE line N: ..."), it must be the one the case names.
	where=$(sed -n 's/^\(.*\) line \([0-9][0-9]*\): .*/\1:\2/p' "$out.ssherr" | head -n 1)
	if [ -n "$sshat" ] && [ -n "$where" ] && [ "$where" != "$sshat" ]; then
		echo "FAIL $label: corpus bug: ssh complains at $where, the case says $sshat"
		failed=$((failed + 1))
		return
	fi
	timeout 20 "$bin" resolve -F "$cfg" "$host" </dev/null >"$out.cf" 2>"$out.cferr"
	st=$?
	n=$(grep -c '' "$out.cferr")
	line=$(head -n 1 "$out.cferr")
	if [ "$st" != 2 ]; then
		echo "FAIL $label: codefleet exited $st, wanted 2; stderr: $(head -n 3 "$out.cferr" | tr '\n' ' ')"
		failed=$((failed + 1))
	elif [ "$n" != 1 ]; then
		echo "FAIL $label: wanted exactly one stderr line, got $n:"
		sed 's/^/     /' "$out.cferr" | head -n 10
		failed=$((failed + 1))
	elif [[ $line != "$prefix"?* ]]; then
		echo "FAIL $label: stderr line does not start with [$prefix] and a reason: [$line]"
		failed=$((failed + 1))
	elif [ -s "$out.cf" ]; then
		echo "FAIL $label: codefleet printed options although the configuration is bad"
		failed=$((failed + 1))
	else
		echo "ok   $label: $line"
		passed=$((passed + 1))
	fi
}

# 1. The corpus files.
for f in "$dir"/*.conf; do
	name=${f##*/}
	host=$(sed -n 's/^# host:[[:space:]]*//p' "$f" | head -n 1)
	at=$(sed -n 's/^# error-at:[[:space:]]*//p' "$f" | head -n 1)
	if [ -z "$at" ]; then
		echo "FAIL $name: corpus bug: no '# error-at: PATH:LINE' line"
		failed=$((failed + 1))
		continue
	fi
	check "$name" "$f" "${host:-h}" "codefleet: $dir/$at: " "$dir/$at"
done

# 2. The -F file does not exist.
check "missing -F file" "$gen/no-such-file.conf" h "codefleet: $gen/no-such-file.conf: "

# 3. An Include of a file that cannot be opened: a symbolic link loop (ELOOP
# for root as well). A missing file would be skipped silently, as in ssh.
ln -s loop-b "$gen/loop-a" && ln -s loop-a "$gen/loop-b"
printf '# unreadable include\nHost h\n    Include %s\n' "$gen/loop-a" >"$gen/include-loop-link.conf"
check "include of a symlink loop" "$gen/include-loop-link.conf" h "codefleet: $gen/include-loop-link.conf:3: "

# 4. An Include of a mode-000 file: meaningful only without root's override.
printf 'Port 2200\n' >"$gen/secret.conf"
chmod 000 "$gen/secret.conf"
printf 'Host *\n    User u\n    Include %s\n' "$gen/secret.conf" >"$gen/include-unreadable.conf"
if [ "$(id -u)" = 0 ] || [ -r "$gen/secret.conf" ]; then
	echo "SKIP include of a mode-000 file: running as root, which reads it anyway (the symlink-loop case covers an unreadable include)"
else
	check "include of a mode-000 file" "$gen/include-unreadable.conf" h "codefleet: $gen/include-unreadable.conf:3: "
fi

# 5. An Include of a world-writable file: ssh refuses it ("Bad owner or
# permissions"); the error is reported at the Include line.
printf 'Port 2200\n' >"$gen/writable.conf"
chmod 666 "$gen/writable.conf"
printf 'Host h\n\n    Include %s\nPort 22\n' "$gen/writable.conf" >"$gen/include-writable.conf"
check "include of a world-writable file" "$gen/include-writable.conf" h "codefleet: $gen/include-writable.conf:3: "

summary

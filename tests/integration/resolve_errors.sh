#!/usr/bin/env bash
# `codefleet resolve` on broken ssh configs: exit 2, nothing on stdout, one
# stderr line "codefleet: FILE:LINE: what is wrong" (FILE alone for a
# missing -F file). An unknown keyword is ignored, not an error.
set -u
. "$CODEFLEET_SRC/tests/lib/testlib.sh"

bin=$CODEFLEET_BIN
tmp=$(mktemp -d)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# fails_at CFG HOST WHERE WHAT: exit 2, no stdout, one line naming WHERE.
fails_at() {
	run "$bin" resolve -F "$1" "$2"
	expect_status 2
	expect_eq "$OUT" "" "no stdout for $3"
	expect_one_error_line "codefleet: $3: $4"
}

fails_at "$tmp/nope.conf" h "$tmp/nope.conf" "cannot read ssh config"

printf 'Host h\n  User u\n\n  Port abc\n' >"$tmp/port.conf"
fails_at "$tmp/port.conf" h "$tmp/port.conf:4" "bad port 'abc'"

# Values are checked even in blocks that do not apply, as ssh does.
printf 'Host other\n  BatchMode maybe\n' >"$tmp/flag.conf"
fails_at "$tmp/flag.conf" h "$tmp/flag.conf:2" 'unsupported option "maybe"'

printf 'Host h\n  ConnectTimeout soon\n' >"$tmp/time.conf"
fails_at "$tmp/time.conf" h "$tmp/time.conf:2" "invalid time value"

printf 'Match host h nonsense\n' >"$tmp/match.conf"
fails_at "$tmp/match.conf" h "$tmp/match.conf:1" "bad Match condition"

# An include that exists but cannot be read: a symbolic link loop is
# unreadable even for root; a mode-000 file too when not root.
ln -s "$tmp/loop" "$tmp/loop"
printf '# x\nInclude %s/loop\n' "$tmp" >"$tmp/inc-loop.conf"
fails_at "$tmp/inc-loop.conf" h "$tmp/inc-loop.conf:2" "cannot read included file"
if [ "$(id -u)" != 0 ]; then
	printf 'Port 1\n' >"$tmp/secret.conf"
	chmod 000 "$tmp/secret.conf"
	printf 'Include %s/secret.conf\n' "$tmp" >"$tmp/inc-secret.conf"
	fails_at "$tmp/inc-secret.conf" h "$tmp/inc-secret.conf:1" "cannot read included file"
fi

# A bad value inside an included file names that file.
mkdir "$tmp/d"
printf 'Host *\n\n  Port 0\n' >"$tmp/d/bad.conf"
printf 'Include %s/d/*.conf\n' "$tmp" >"$tmp/inc-bad.conf"
fails_at "$tmp/inc-bad.conf" h "$tmp/d/bad.conf:3" "bad port '0'"

# Unknown keywords are ignored: the rest of the file still applies.
printf 'Host h\n  FrobnicateLevel 11\n  NoSuchThing\n  Port 2201\n' >"$tmp/unknown.conf"
run "$bin" resolve -F "$tmp/unknown.conf" h
expect_status 0
expect_eq "$ERR" "" "no stderr for an unknown keyword"
expect_out_contains "port 2201"

finish

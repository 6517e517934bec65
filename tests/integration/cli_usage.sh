#!/usr/bin/env bash
# The command-line contract of DESIGN.md: global options anywhere, usage
# errors exit 2 with one line on stderr, --help exits 0.
set -u
. "$CODEFLEET_SRC/tests/lib/testlib.sh"

bin=$CODEFLEET_BIN
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

run "$bin" --help
expect_status 0 && expect_out_contains "usage: codefleet"
run "$bin" help
expect_status 0 && expect_out_contains "resolve HOST"

run "$bin" frobnicate
expect_status 2 && expect_one_error_line "unknown command 'frobnicate'"
run "$bin" --bogus
expect_status 2 && expect_one_error_line "unknown option '--bogus'"
run "$bin" -F
expect_status 2 && expect_one_error_line "option -F needs a file"
run "$bin" resolve
expect_status 2 && expect_one_error_line "resolve takes one HOST"
run "$bin" resolve a b
expect_status 2 && expect_one_error_line "resolve takes one HOST"

# Global options after the sub-command name mean the same as before it.
printf 'Host zed\n  HostName 10.1.2.3\n  Port 2222\n' > "$tmp/cfg"
run "$bin" -F "$tmp/cfg" resolve zed
a=$OUT
run "$bin" resolve zed -F "$tmp/cfg"
expect_status 0 && expect_eq "$OUT" "$a" "globals after the command"
expect_out_contains "port 2222"
run "$bin" resolve zed -F"$tmp/cfg"
expect_status 0 && expect_out_contains "hostname 10.1.2.3"

finish

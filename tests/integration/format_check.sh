#!/usr/bin/env bash
# Every C file follows .clang-format, so diffs show changes, not re-indentation.
set -u
. "$CODEFLEET_SRC/tests/lib/testlib.sh"
cd "$CODEFLEET_SRC" || exit 1

if ! command -v clang-format >/dev/null; then
	fail "clang-format is not installed (make deps installs it)"
	finish
	exit 1
fi
while IFS= read -r f; do
	if clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		pass "$f"
	else
		fail "$f is not formatted: clang-format -i $f"
	fi
done < <(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null ||
	find src tests -name '*.[ch]')
finish

#!/usr/bin/env bash
# hosts.overrides.HOST.opencode_path: an OpenCode installed where the probe
# does not look (not on PATH, not in ~/.opencode/bin) is found through the
# override, `~/` is expanded on the host, and a folder name with a space and
# quotes reaches the host intact (it is passed quoted, never interpolated).
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init opencode_path 10
fault_fleet_up 1 1.18.33,home
home=$(hget host01 FLEET_HOST_HOME)
odd="tools/it's \"odd\" here"
mkdir -p "$home/$odd" || fault_bail "cannot make $home/$odd"
mv "$home/.opencode/bin/opencode" "$home/$odd/oc" || fault_bail "cannot move the binary"
rm -rf "$home/.opencode"

fault_ls
without_version=$(jget host01 '.opencode_version // "none"')
if [ "$without_version" = none ]; then
	pass "without the override no opencode binary is found"
else
	fail "without the override a version was found: $without_version"
fi

{
	echo "hosts:"
	echo "  overrides:"
	echo "    host01:"
	printf '      opencode_path: "~/%s/oc"\n' "$(printf '%s' "$odd" | sed 's/"/\\"/g')"
} >>"$FT/config.yaml"
fault_ls
expect_status 0
expect_eq "$(jget host01 .state)" ok "host01: state with the override"
expect_eq "$(jget host01 .opencode_version)" 1.18.33 "host01: version through the override"
fault_expect_good host01
finish

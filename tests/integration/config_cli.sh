#!/usr/bin/env bash
# The config file from the command line: first run writes the shipped default
# (and never touches it again), ~/.opencode/remote-tui.yaml is imported,
# errors are one line with file:line:col, unknown keys warn, and `hosts`
# filters, groups and orders an ssh_config's aliases.
set -u
. "$CODEFLEET_SRC/tests/lib/testlib.sh"

bin=$CODEFLEET_BIN
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/xdg
mkdir -p "$HOME"
cfg=$XDG_CONFIG_HOME/codefleet/config.yaml
ssh=$tmp/ssh_config
cat >"$ssh" <<'SSH'
Host web-2 web-1
  HostName 10.0.0.1
Host db-1 *.corp !nope
  Port 2222
Host backup-db
Host Gpu-Box api
Host *
  User me
SSH

# ---- first run: the shipped default, written once ----
run "$bin" -F "$ssh" hosts
expect_status 0
expect_eq "$ERR" "" "first run is silent"
if cmp -s "$cfg" "$CODEFLEET_SRC/config/codefleet.yaml"; then
	pass "default config written"
else
	fail "default config missing or different at $cfg"
fi
expect_eq "$(stat -c %a "$XDG_CONFIG_HOME/codefleet")" 700 "config folder is private"
before=$(stat -c '%i %y %s' "$cfg")
echo "# edited by the user" >>"$cfg"
edited=$(stat -c '%i %y %s' "$cfg")
run "$bin" -F "$ssh" hosts --json
expect_status 0
expect_eq "$(stat -c '%i %y %s' "$cfg")" "$edited" "second run leaves the file alone"
[ "$before" != "$edited" ] && pass "the edit changed the file" || fail "stat did not change"
expect_eq "$(ls -A "$XDG_CONFIG_HOME/codefleet")" "config.yaml" "no temporary files left"

# Without XDG_CONFIG_HOME: ~/.config/codefleet/config.yaml.
run env -u XDG_CONFIG_HOME "$bin" -F "$ssh" hosts
expect_status 0
[ -f "$HOME/.config/codefleet/config.yaml" ] && pass "~/.config default" ||
	fail "no ~/.config/codefleet/config.yaml"

# ---- import of the reference TUI's config ----
export XDG_CONFIG_HOME=$tmp/xdg2
mkdir -p "$HOME/.opencode"
cp "$CODEFLEET_SRC/tests/fixtures/config/remote-tui.yaml" "$HOME/.opencode/remote-tui.yaml"
run "$bin" -F "$ssh" hosts --json
expect_status 0
# Its n (new_session) and g (git_clone) are next_match's and top's keys here:
# two warnings, those two keep c and C, then the one line saying so.
expect_eq "$(printf '%s\n' "$ERR" | grep -c '')" 3 "two key warnings and the import line"
expect_err_contains "remote-tui.yaml:52:16: keybindings.new_session: key 'n' is already bound to next_match; kept the default (c)"
expect_err_contains "remote-tui.yaml:55:14: keybindings.git_clone: key 'g' is already bound to top; kept the default (C)"
expect_eq "$(printf '%s\n' "$ERR" | tail -n 1)" "codefleet: imported settings from $HOME/.opencode/remote-tui.yaml into $XDG_CONFIG_HOME/codefleet/config.yaml" "import line"
grep -q 'interval: 45s' "$XDG_CONFIG_HOME/codefleet/config.yaml" && pass "imported interval" ||
	fail "interval not imported"
grep -q '"Main API Server"' "$XDG_CONFIG_HOME/codefleet/config.yaml" && pass "imported override" ||
	fail "override not imported"
# The imported include/ignore/groups apply at once: prod-*/dev-*/web only.
expect_eq "$OUT" '{"hosts":[{"name":"local","label":"local","group":null,"priority":0,"local":true,"mode":"operator","roots":["~/code"]}]}' "imported filters applied"
run "$bin" -F "$ssh" hosts
expect_status 0
expect_eq "$ERR" "" "import happens once"
rm -rf "$HOME/.opencode"
export XDG_CONFIG_HOME=$tmp/xdg

# ---- -c: a missing file is an error and is not created ----
run "$bin" -c "$tmp/none.yaml" -F "$ssh" hosts
expect_status 2 && expect_one_error_line "$tmp/none.yaml: cannot read the config file"
[ ! -e "$tmp/none.yaml" ] && pass "-c file not created" || fail "-c file was created"

# ---- errors: one line, file:line:col, exit 2 ----
c=$tmp/c.yaml
printf 'polling:\n  interval: [\n' >"$c"
run "$bin" -c "$c" -F "$ssh" hosts
expect_status 2 && expect_one_error_line "$c:3:1: malformed YAML: "

printf '# fleet\npolling:\n  timeout: 5s\n  interval: soon\n' >"$c"
run "$bin" -c "$c" -F "$ssh" hosts
expect_status 2 &&
	expect_one_error_line "$c:4:13: polling.interval: expected a duration like 30s, 10m or 24h, got 'soon'"

printf 'display:\n  theme: neon\n' >"$c"
run "$bin" -c "$c" -F "$ssh" hosts --json
expect_status 2 &&
	expect_one_error_line "$c:2:10: display.theme: expected one of auto, nightops, light, minimal, got 'neon'"

printf 'hosts:\n  overrides:\n    web-1:\n      mode: god\n' >"$c"
run "$bin" -c "$c" -F "$ssh" hosts
expect_status 2 &&
	expect_one_error_line "$c:4:13: hosts.overrides.web-1.mode: expected one of read-only, operator, got 'god'"
expect_eq "$OUT" "" "nothing on stdout after an error"

# ---- unknown keys: a warning, then on as usual ----
printf 'polling:\n  intervall: 5s\nlocal: false\n' >"$c"
run "$bin" -c "$c" -F "$ssh" hosts --json
expect_status 0
expect_eq "$ERR" "codefleet: warning: $c:2:3: unknown key 'polling.intervall' ignored" "unknown key warning"
expect_out_contains '"name":"api"'

# ---- usage ----
run "$bin" -F "$ssh" hosts --yaml
expect_status 2 && expect_one_error_line "hosts: unknown option '--yaml'"
run "$bin" -F "$ssh" hosts extra
expect_status 2 && expect_one_error_line "hosts: unexpected argument 'extra'"

# ---- filtering, grouping, priority order ----
cat >"$c" <<'YAML'
roots: ["~/work"]
hosts:
  include: ["*"]
  ignore: ["backup-*"]
  groups:
    web: ["web-*"]
    data: ["db-*", "web-2"]
  overrides:
    web-2: {priority: 5, label: "Second web"}
    db-1: {roots: ["/srv/db"], mode: read-only}
    local: {priority: 1000}
YAML
run "$bin" -c "$c" -F "$ssh" hosts --json
expect_status 0
expect_eq "$OUT" '{"hosts":[{"name":"web-2","label":"Second web","group":"web","priority":5,"local":false,"mode":"operator","roots":["~/work"]},{"name":"web-1","label":"web-1","group":"web","priority":100,"local":false,"mode":"operator","roots":["~/work"]},{"name":"db-1","label":"db-1","group":"data","priority":100,"local":false,"mode":"read-only","roots":["/srv/db"]},{"name":"Gpu-Box","label":"Gpu-Box","group":null,"priority":100,"local":false,"mode":"operator","roots":["~/work"]},{"name":"api","label":"api","group":null,"priority":100,"local":false,"mode":"operator","roots":["~/work"]},{"name":"local","label":"local","group":null,"priority":1000,"local":true,"mode":"operator","roots":["~/work"]}]}' "hosts --json"
run "$bin" hosts -c "$c" -F "$ssh"
expect_status 0
expect_eq "$(printf '%s\n' "$OUT" | awk '{print $1}' | tr '\n' ' ')" "NAME web-2 web-1 db-1 Gpu-Box api local " "table order"
expect_out_contains "Second web"

printf 'local: false\nhosts:\n  include: ["web-*"]\n' >"$c"
run "$bin" -c "$c" -F "$ssh" hosts --json
expect_eq "$OUT" '{"hosts":[{"name":"web-1","label":"web-1","group":null,"priority":100,"local":false,"mode":"operator","roots":["~"]},{"name":"web-2","label":"web-2","group":null,"priority":100,"local":false,"mode":"operator","roots":["~"]}]}' "include + local: false"

finish

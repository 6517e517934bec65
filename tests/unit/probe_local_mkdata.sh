#!/bin/sh
# Makes real OpenCode data for test_probe_local with the real CLI:
#     probe_local_mkdata.sh VERSION OUTDIR
# OUTDIR/home gets two git projects (alpha, beta) and a plain folder (nogit)
# with sessions made by `opencode run` against the loopback model server
# (tests/fleet/model_server.js): a titled one with quotes and a check mark,
# one whose model call fails (an error), one per other folder, the last
# with a title full of terminal escape sequences. OUTDIR/ok marks success.
# Needs OPENCODE_CACHE (make deps) and node.
set -eu
ver=$1
out=$2
src=${CODEFLEET_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
oc=$OPENCODE_CACHE/$ver/node_modules/.bin/opencode
[ -x "$oc" ] || { echo "no opencode $ver at $oc (run make deps)" >&2; exit 77; }
command -v node >/dev/null || { echo "no node" >&2; exit 77; }

rm -rf "$out"
mkdir -p "$out/home/.config/opencode" "$out/home/proj/nogit"
out=$(cd "$out" && pwd)
home=$out/home
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
	XDG_CACHE_HOME="$home/.cache" XDG_STATE_HOME="$home/.local/state" \
	OPENCODE_DISABLE_AUTOUPDATE=1 OPENCODE_DISABLE_MODELS_FETCH=1
unset OPENCODE_DB

node "$src/tests/fleet/model_server.js" --port 0 --port-file "$out/port" >"$out/model.log" 2>&1 &
mpid=$!
trap 'kill $mpid 2>/dev/null || true' EXIT
i=0
while [ ! -s "$out/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$out/port")
sed "s/4555/$port/" "$src/../shared/opencode/samples/opencode.jsonc-with-mock-provider" \
	>"$home/.config/opencode/opencode.jsonc" 2>/dev/null || cat >"$home/.config/opencode/opencode.jsonc" <<EOF
{"autoupdate": false, "share": "disabled", "model": "mock/mock-1", "small_model": "mock/mock-1",
 "provider": {"mock": {"npm": "@ai-sdk/openai-compatible", "name": "Mock",
  "options": {"baseURL": "http://127.0.0.1:$port/v1", "apiKey": "dummy"},
  "models": {"mock-1": {"name": "Mock One", "cost": {"input": 3, "output": 15},
   "limit": {"context": 100000, "output": 8000}}}}}}
EOF
for p in alpha beta; do
	mkdir -p "$home/proj/$p"
	(cd "$home/proj/$p" && git init -q && git -c user.email=t@t -c user.name=t commit -q --allow-empty -m "init $p")
done
# run SECONDS DIR ARGS...: a failed model call leaves `opencode run` waiting
# after it has stored the error, hence the short limit for that one.
run() {
	t=$1
	dir=$2
	shift 2
	(cd "$home/proj/$dir" && timeout "$t" "$oc" run "$@" </dev/null >/dev/null 2>&1) || true
}
run 90 alpha --title 'alpha "one" ✓' "hello there"
run 12 alpha "second FAIL please"
run 90 beta --title "beta one" "hi beta"
run 90 nogit --title "$(printf 'evil \033]0;pwn\007title\033[31m red\033[0m')" "hi nogit"
data=$XDG_DATA_HOME/opencode
[ -f "$data/opencode.db" ] || [ -d "$data/storage/session" ] || { echo "no data made" >&2; exit 1; }
touch "$out/ok"

#!/usr/bin/env bash
# The probe deadline (polling.timeout) holds for `ls`: a host that accepts TCP
# and never speaks, a second one like it, a refused port and a good `local`
# host, probed with a 4 s timeout with 4 worker threads and with one: `ls`
# ends within the deadline plus a second (one deadline per wave when the
# hosts outnumber the threads), and each host has its state.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CODEFLEET_BIN:=$CODEFLEET_SRC/build/codefleet}"
. "$CODEFLEET_SRC/tests/lib/testlib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/probe_deadline.XXXXXX")
listener=
cleanup() {
	[ -n "$listener" ] && kill "$listener" 2>/dev/null && wait "$listener" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# a TCP listener that accepts and never says a word (no SSH banner)
node -e '
const net = require("net"), fs = require("fs");
const socks = [];
const srv = net.createServer((s) => { socks.push(s); s.on("error", () => {}); });
srv.listen(0, "127.0.0.1", () => fs.writeFileSync(process.argv[1], String(srv.address().port)));
setTimeout(() => process.exit(0), 120000);
' "$tmp/port" &
listener=$!
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
port=$(cat "$tmp/port")
[ -n "$port" ] || { fail "listener did not start"; finish; exit 1; }

# a port nothing listens on: bind one, then let it go
closed=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})')

cat >"$tmp/ssh_config" <<EOF
Host silent1 silent2
  HostName 127.0.0.1
  Port $port
  User nobody
  UserKnownHostsFile $tmp/known_hosts
  StrictHostKeyChecking yes
Host refused
  HostName 127.0.0.1
  Port $closed
  User nobody
EOF
: >"$tmp/known_hosts"
mkdir -p "$tmp/data/opencode"
cp "$CODEFLEET_SRC/tests/fixtures/opencode-1.18.db" "$tmp/data/opencode/opencode.db"

for threads in 4 1; do
	cat >"$tmp/config.yaml" <<EOF
polling:
  timeout: 4s
  max_parallel: $threads
EOF
	t0=$(date +%s%3N)
	XDG_CACHE_HOME=$tmp/cache XDG_DATA_HOME=$tmp/data run "$CODEFLEET_BIN" -F "$tmp/ssh_config" \
		-c "$tmp/config.yaml" ls --json --no-cache
	ms=$(($(date +%s%3N) - t0))
	expect_status 1
	expect_eq "$(jq -r '[.hosts[] | "\(.name)=\(.state)"] | join(" ")' <<<"$OUT")" \
		"local=ok refused=offline silent1=timeout silent2=timeout" "$threads thread(s): every host's state"
	# 4 threads: all at once, one deadline; 1 thread: local, then the two
	# silent hosts in a row (each up to a deadline)
	limit=$((threads == 1 ? 3 * 4000 + 1000 : 4000 + 1000))
	if [ "$ms" -le "$limit" ]; then
		pass "$threads thread(s): ls took $ms ms (deadline 4 s, limit $limit ms)"
	else
		fail "$threads thread(s): ls took $ms ms, over $limit ms"
	fi
	expect_eq "$(jq -r '.hosts[] | select(.name=="silent1") | .latency_ms < 4600' <<<"$OUT")" true "the silent host gave its worker back at the deadline"
	expect_eq "$(jq -r '.hosts[] | select(.name=="local") | [.projects[].sessions[]] | length' <<<"$OUT")" 8 "local still answered in full"
done

finish

#!/usr/bin/env bash
# Fault: a host whose probe prints 50 MB. Two ways:
#   host02: a hostile `sqlite3` answers the data query with 50 MB: the probe
#           script's own 16 MiB cap turns it into an error reply;
#   host03: a hostile `cat` sends 50 MB in place of the reply, after the
#           script's `MARKER begin` line, past the script's cap: only the
#           client's cap (PROBE_REPLY_MAX) stops it.
# Both are `error` with a reason about the size, well before the deadline,
# codefleet does not crash or hold 50 MB, and the good host next to them is
# `ok` with every session.
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init bigreply 3
fault_fleet_up 3 1.18.33 1.18.33 1.18.33
fault_hostile host02 sqlite3 big
fault_hostile host03 cat big

# peak RSS through GNU time when there is one (not under ASan, whose shadow
# memory makes RSS meaningless)
rss=
if [ -x /usr/bin/time ] && ! ldd "$CODEFLEET_BIN" 2>/dev/null | grep -q libasan; then
	printf '#!/bin/sh\nexec /usr/bin/time -f %%M -o "%s" "%s" "$@"\n' "$FT/rss" "$FT/cf" >"$FT/cf.rss"
	chmod +x "$FT/cf.rss"
	mv "$FT/cf" "$FT/cf.plain" && sed -i "s|\"$FT/cf\"|\"$FT/cf.plain\"|" "$FT/cf.rss" && mv "$FT/cf.rss" "$FT/cf"
fi
fault_ls
expect_status 1
fault_expect_bound
fault_expect_host host02 error 'larger than|longer than|too (big|large|long)|bytes|cap'
fault_expect_host host03 error 'larger than|longer than|too (big|large|long)|bytes|cap'
for h in host02 host03; do
	expect_eq "$(jget "$h" '[.projects[].sessions[]] | length')" 0 "$h: nothing shown"
	if [ -s "$FD/$h/hostile.pids" ]; then pass "$h: the hostile tool ran"; else fail "$h: the hostile tool never ran"; fi
done
fault_expect_prompt host02
fault_expect_prompt host03
fault_expect_good host01
[ -s "$FT/rss" ] && rss=$(tail -n 1 "$FT/rss")
if [ -n "$rss" ]; then
	# the client keeps at most PROBE_REPLY_MAX (16 MiB + 64 KiB) of a reply
	# (a doubling buffer: up to 32 MiB); 50 MB held would need 64 MiB or more
	if [ "$rss" -lt 65536 ]; then
		pass "peak RSS ${rss} KiB: the 50 MB were not held"
	else
		fail "peak RSS ${rss} KiB: 64 MiB or more for replies capped at 16 MiB"
	fi
fi

finish

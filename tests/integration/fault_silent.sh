#!/usr/bin/env bash
# Fault: a listener that accepts TCP and never speaks. With polling.timeout
# 3s the host is `timeout`, `ls` returns within the deadline plus one second
# (measured here: a behaviour contract, not a benchmark), and the good hosts
# next to it are `ok` with every session. Two relatives of the silent host
# go with it: one that sends a valid SSH banner and then nothing (a stall in
# the key exchange), and one that trickles a byte every 500 ms without ever
# ending its banner line (data keeps coming: only an absolute deadline, not
# an idle timer, ends it).
set -u
: "${CODEFLEET_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$CODEFLEET_SRC/tests/lib/fault_lib.sh"

fault_init silent 3
fault_fleet_up 2 1.18.33 1.18.33
fault_servers silent banner-silent trickle
fault_host_block silent "$(fault_server_port silent)"
fault_host_block kexstall "$(fault_server_port banner-silent)"
fault_host_block trickle "$(fault_server_port trickle)"

fault_ls
expect_status 1
fault_expect_bound
fault_expect_host silent timeout 'deadline|timed out'
fault_expect_host kexstall timeout 'deadline|timed out'
fault_expect_host trickle timeout 'deadline|timed out'
fault_expect_good host01 host02
for h in silent kexstall trickle; do fault_expect_at_deadline "$h"; done

finish

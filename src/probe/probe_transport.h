/* probe_transport: the byte stream under a connection's SSH session, opened
 * by us and handed to libssh as a descriptor (SSH_OPTIONS_FD), so that name
 * lookup, connect errors and the proxy's stderr are ours to classify and
 * every step obeys the deadline.
 *
 * TCP: a non-blocking connect to each address of HostName; the lookup runs
 * on a detached, reference-counted thread. Proxy: ProxyCommand (tokens
 * expanded, unsafe values refused) or ProxyJump (as OpenSSH turns it into
 * `ssh -W`), run by /bin/sh on a socket pair in its own process group, its
 * stderr kept in c->proxy_stderr. Then a peek at the server's first bytes:
 * anything but "SSH-" is the wrong service. Failures are recorded on the
 * connection (probe_conn_fail). */
#ifndef CODEFLEET_PROBE_TRANSPORT_H
#define CODEFLEET_PROBE_TRANSPORT_H

#include <stdint.h>

#include "probe/probe_conn.h"

/* Opens the transport and waits for the server's "SSH-" before
 * deadline_ms. Returns ERR_OK with *fd (the caller's to close), or the
 * failure's code (offline, timeout or error; the fd is then closed). */
int probe_transport_open(struct probe_conn *c, int64_t deadline_ms, int *fd);
/* Reads what the proxy wrote on stderr (kept up to PROBE_CONN_STDERR_KEEP). */
void probe_transport_drain(struct probe_conn *c);
/* A handshake that ended early: what the proxy's stderr says it was. */
enum probe_conn_state probe_transport_verdict(struct probe_conn *c);
/* Ends the proxy process (TERM, then KILL) and closes its stderr. */
void probe_transport_reap(struct probe_conn *c);

#endif

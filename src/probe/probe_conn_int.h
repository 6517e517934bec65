/* probe_conn_int: the connection object as the modules that work on it see
 * it (probe_conn, probe_transport, probe_hostkey, probe_auth, probe_chan,
 * probe_exec). Not for other callers: they use probe_conn.h.
 *
 * A failure is recorded with probe_conn_fail() (state, one-line reason,
 * first detail line) and returns the state's error code; every wait goes
 * through probe_conn_wait(), which also reads the proxy's stderr and
 * notices a session that died. Every wait also watches the cancel
 * descriptor (probe_conn_set_cancel_fd): a wait that cannot poll it (a
 * libssh flush, the name lookup's condition variable) runs in slices of
 * PROBE_CONN_CANCEL_SLICE and checks probe_conn_cancelled() in between. */
#ifndef CODEFLEET_PROBE_CONN_INT_H
#define CODEFLEET_PROBE_CONN_INT_H

#include <stdbool.h>
#include <poll.h>
#include <stdint.h>
#include <sys/types.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "probe/probe_conn.h"
#include "probe/probe_reply.h"
#include "util/strbuf.h"

#define PROBE_CONN_STDERR_KEEP  4096 /* bytes of a proxy's or probe shell's stderr kept */
#define PROBE_CONN_WAIT_SLICE   1000 /* ms: longest single poll() */
#define PROBE_CONN_CANCEL_SLICE 50   /* ms: longest wait blind to the cancel fd */

struct probe_conn {
	struct probe_conn_opts *opts;
	ssh_session s;
	ssh_event ev; /* holds s once authenticated: see probe_conn_wait() */
	int fd;       /* the transport; ours to close (libssh does not) */
	pid_t proxy_pid;
	int proxy_err;    /* read end of the proxy's stderr, -1 */
	int cancel_fd;    /* borrowed: readable once the work must stop; -1 */
	char *trusted_fp; /* the user accepted this unknown key (probe_hostkey); NULL */
	struct strbuf proxy_stderr;
	enum probe_conn_state state;
	char *reason;
	struct strbuf detail;
	char *fingerprint;
	char marker[PROBE_MARKER_SIZE];
	/* the persistent probe channel (probe_chan) */
	ssh_channel probe_ch;
	struct strbuf probe_in; /* read from it and not yet returned */
	size_t probe_scan;      /* probe_reply_find_end's progress */
	struct strbuf probe_stderr;
	/* short exec channels in flight (probe_exec) */
	struct probe_exec *execs;
	/* keepalives */
	struct ssh_counter_struct rcounter;
	uint64_t ka_seen_packets;
	int64_t ka_last_ms;
	int ka_missed;
};

/* Records a failure state, its one-line reason and the first detail line;
 * returns the matching error code (and sets err_text to the reason). */
int probe_conn_fail(struct probe_conn *c, enum probe_conn_state st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds "label: text" to the detail (nothing when text is empty). */
void probe_conn_detail_add(struct probe_conn *c, const char *label, const char *text);
/* Copies libssh's error text (it is bound to the session) into the detail. */
void probe_conn_detail_ssh(struct probe_conn *c);

/* Waits until the session's socket (or the proxy's stderr) has something
 * for us, libssh can write, or the deadline passes. Returns ERR_OK,
 * ERR_TIMEOUT once the deadline has passed, ERR_IO (poll failed), or
 * ERR_NET when the session died (it is then closed: see probe_conn_lost). */
int probe_conn_wait(struct probe_conn *c, int64_t deadline_ms);
/* True once the cancel descriptor is readable (never without one). */
bool probe_conn_cancelled(const struct probe_conn *c);
/* Fills *pfd to watch the cancel descriptor; returns 1, or 0 without one. */
int probe_conn_cancel_pollfd(const struct probe_conn *c, struct pollfd *pfd);

/* The session died under us: closes it, records state error and returns
 * ERR_NET. */
int probe_conn_lost(struct probe_conn *c, const char *what);
bool probe_conn_session_dead(struct probe_conn *c);

/* Opens a session channel running cmd, with callbacks cb (may be NULL).
 * Returns ERR_OK, ERR_TIMEOUT, ERR_REMOTE (refused) or ERR_NET. */
int probe_conn_chan_open(struct probe_conn *c, const char *cmd, ssh_channel_callbacks cb,
                         ssh_channel *out, int64_t deadline_ms);
/* Reads what is there on one stream: >0 bytes, 0 nothing now, SSH_EOF, or
 * SSH_ERROR. */
int probe_conn_chan_read(ssh_channel ch, int is_stderr, char *buf, size_t len);
/* Writes all of data to ch before the deadline. */
int probe_conn_chan_write(struct probe_conn *c, ssh_channel ch, const char *data, size_t len,
                          int64_t deadline_ms);

#endif

/* probe_conn: one kept-open libssh session per host, and its channels.
 *
 * A connection is opened from the host's resolved ssh options (the values
 * `ssh -G` computes, see disc_sshcfg.h): TCP or ProxyCommand/ProxyJump,
 * handshake, known_hosts check, then authentication without any prompt
 * (none, agent, identity files). A failure leaves the connection in one of
 * the host states of issue 3 with a one-line reason and a full detail text.
 *
 * Every wait is bounded by a deadline on the monotonic clock (ms, see
 * probe_conn_now_ms): the session runs in libssh's non-blocking mode and we
 * poll() its socket, so a host that accepts TCP and never speaks, or stalls
 * in the middle of a reply, gives the thread back at the deadline. A cancel
 * descriptor (probe_conn_set_cancel_fd) ends every wait at once instead, so
 * that quitting never waits for a host.
 *
 * Channels: one persistent probe channel running the probe script
 * (`sh -s`, framed replies, see probe_reply.h) plus any number of short
 * exec channels, all open at once on the same session.
 *
 * THREADS: a probe_conn, its libssh session and every channel and
 * probe_exec on it belong to ONE thread at a time. Nothing here locks. The
 * engine hands a host's connection to one worker at a time (a per-host
 * lock or a single owner queue); handing it over between jobs is fine,
 * using it from two threads at once is not. Different connections may be
 * used by different threads in parallel. probe_conn_global_init() must be
 * called once before any thread opens a connection (libssh 0.10 with
 * pthreads needs no ssh_threads_set_callbacks: its default is pthreads).
 * The process should ignore SIGPIPE, as ssh does (a proxy may die). */
#ifndef CODEFLEET_PROBE_CONN_H
#define CODEFLEET_PROBE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe_conn_opts.h"
#include "probe/probe_exec.h"
#include "probe/probe_model.h"
#include "util/strbuf.h"

/* Host states this module can end in. The names are the `state` words of
 * the JSON output. */
#define PROBE_CONN_STATES(X)                  \
	X(OK, "ok")                           \
	X(CLOSED, "connecting")               \
	X(OFFLINE, "offline")                 \
	X(TIMEOUT, "timeout")                 \
	X(AUTH_REQUIRED, "auth-required")     \
	X(HOSTKEY_UNKNOWN, "hostkey-unknown") \
	X(HOSTKEY_CHANGED, "hostkey-changed") \
	X(ERROR, "error")

enum probe_conn_state {
#define PROBE_CONN_ENUM(name, word) PROBE_CONN_##name,
	PROBE_CONN_STATES(PROBE_CONN_ENUM)
#undef PROBE_CONN_ENUM
};

/* struct probe_conn_opts, probe_conn_opts_from_disc(), _free(): see
 * probe_conn_opts.h. */

struct probe_conn;
struct probe_exec;

/* Once per process, before threads open connections. */
void probe_conn_global_init(void);
/* Undoes it at exit (optional; keeps leak checkers quiet). */
void probe_conn_global_finish(void);

/* Monotonic clock in milliseconds; deadlines are values of this clock. */
int64_t probe_conn_now_ms(void);

/* A closed connection holding a copy of opts. */
struct probe_conn *probe_conn_new(const struct probe_conn_opts *opts);
/* Closes everything (channels, session, proxy process) and frees. */
void probe_conn_free(struct probe_conn *c);

/* Makes every wait of c (connect, name lookup, banner, handshake,
 * authentication, channels, a proxy's exit) also watch fd, a descriptor that
 * becomes readable, and stays so, when the owner wants the work to stop (the
 * worker pool's cancel pipe). Once it is readable each wait ends within
 * ~50 ms as if its deadline had passed (ERR_TIMEOUT), and a proxy that
 * ignores SIGTERM is killed without the usual grace. The fd is borrowed:
 * set -1 before it is closed. -1 (the default): no cancel. */
void probe_conn_set_cancel_fd(struct probe_conn *c, int fd);

/* The user accepted the unknown host key with fingerprint fp ("SHA256:...")
 * after seeing it: from now on, an open that finds exactly that key unknown
 * records it in the first UserKnownHostsFile (as accept-new does) and goes
 * on, under StrictHostKeyChecking ask only (`yes` means the user adds keys
 * by hand). Never a changed key, never one while keys of another type are
 * known, never another fingerprint. The string is copied; NULL clears it.
 * The connection is kept across probes, so the owner sets it for the one
 * probe the user asked for and clears it after. */
void probe_conn_set_trusted_fingerprint(struct probe_conn *c, const char *fp);

/* Connects and authenticates before deadline_ms. Returns ERR_OK (state ok)
 * or an error code with probe_conn_state()/reason()/detail() set:
 *   offline          ERR_NET      refused, unreachable, DNS
 *   timeout          ERR_TIMEOUT  deadline or ConnectTimeout passed
 *   hostkey-changed  ERR_HOSTKEY  closed before authentication, whatever
 *                                 StrictHostKeyChecking says
 *   hostkey-unknown  ERR_HOSTKEY  (yes/ask) probe_conn_fingerprint() is set
 *   auth-required    ERR_AUTH     no identity was accepted
 *   error            ERR_PROTO    anything else (bad banner, proxy died...)
 * An open connection is closed first. */
int probe_conn_open(struct probe_conn *c, int64_t deadline_ms);
/* Closes the session (state CLOSED unless a failure state is set). */
void probe_conn_close(struct probe_conn *c);
bool probe_conn_is_open(const struct probe_conn *c);

enum probe_conn_state probe_conn_state(const struct probe_conn *c);
/* "ok", "offline", ... (the JSON words); CLOSED reads "connecting". */
const char *probe_conn_state_name(enum probe_conn_state st);
/* One line for the host list ("connection refused"); "" when ok. */
const char *probe_conn_reason(const struct probe_conn *c);
/* Everything known (libssh's error, proxy stderr, tried keys); "" when ok. */
const char *probe_conn_detail(const struct probe_conn *c);
/* "SHA256:..." of the server's host key once seen, else NULL. */
const char *probe_conn_fingerprint(const struct probe_conn *c);
/* The options this connection was made with. */
const struct probe_conn_opts *probe_conn_opts(const struct probe_conn *c);

/* For an idle open connection, call every second or so: sends a keepalive
 * every ServerAliveInterval seconds and reads what arrived. When more than
 * ServerAliveCountMax keepalives went unanswered, or the session failed, the
 * connection is closed (state error) and ERR_NET is returned. ERR_OK
 * otherwise, also when keepalives are off. Never waits. */
int probe_conn_keepalive(struct probe_conn *c);

/* ---- persistent probe channel ----
 * The wire protocol (request lines, the per-connection marker, the end line
 * `MARKER end STATUS`) is probe_reply's; the framing is its
 * probe_reply_find_end(), the same code probe_local uses on its pipe. */

/* Opens a channel, runs `sh -s` (plus ` -- PATH`, shell-quoted, when
 * opencode_path is not NULL), writes the script (NULL: the embedded one)
 * and waits for PROBE_READY_LINE. Returns ERR_OK, ERR_TIMEOUT, ERR_REMOTE
 * (the shell ended or refused), or ERR_NET (the connection died: it is
 * closed, state error, and must be reopened). */
int probe_conn_probe_start(struct probe_conn *c, const char *script, size_t len,
                           const char *opencode_path, int64_t deadline_ms);
bool probe_conn_probe_running(const struct probe_conn *c);
/* The connection's random end marker (PROBE_MARKER_SIZE, new per open). */
const char *probe_conn_marker(const struct probe_conn *c);
/* Sends one request line (probe_reply_request() builds them; a final '\n'
 * is optional, no other line break allowed) and reads its reply up to and
 * including the end line. Returns ERR_OK with *reply (caller frees) and
 * *len; or ERR_TIMEOUT, ERR_PROTO (longer than cap, 0: PROBE_REPLY_MAX),
 * ERR_REMOTE (the shell ended), ERR_NET (connection lost and closed),
 * ERR_USAGE (bad line; nothing sent). After any failure but ERR_USAGE the
 * probe channel is closed: start it again (or reopen the connection). */
int probe_conn_probe_request(struct probe_conn *c, const char *line, size_t cap, char **reply,
                             size_t *len, int64_t deadline_ms);
/* `probe MARKER TOKEN [method=NAME]` through probe_conn_probe_request. */
int probe_conn_probe_exchange(struct probe_conn *c, const char *last_token, const char *method,
                              char **reply, size_t *len, int64_t deadline_ms);
/* probe_conn_probe_exchange() + probe_reply_decode() into r (as
 * probe_local_probe does); sets r->probed_at. A transport failure sets
 * r->state to timeout or error with the reason. */
int probe_conn_probe(struct probe_conn *c, const char *last_token, const char *method,
                     struct probe_result *r, int64_t deadline_ms);
/* Sends "quit" and closes the probe channel. */
void probe_conn_probe_stop(struct probe_conn *c);
/* The host state matching the connection state (probe_model's enum). */
enum probe_host_state probe_conn_host_state(const struct probe_conn *c);

/* ---- short exec channels ---- */

/* struct probe_exec_result and probe_exec_done/_finish/_result_free: see
 * probe_exec.h. */

/* Runs `cmd` (a complete, already quoted shell command line) on its own
 * channel with stdin_data (may be NULL) as its standard input, and collects
 * up to `cap` bytes (0: PROBE_REPLY_CAP) of stdout and of stderr until the
 * command ends or the deadline passes. Returns ERR_OK (whatever the exit
 * status), ERR_TIMEOUT (channel abandoned; partial output kept) or ERR_NET.
 * res is filled in all cases; release it with probe_exec_result_free. */
int probe_conn_exec(struct probe_conn *c, const char *cmd, const char *stdin_data, size_t stdin_len,
                    size_t cap, struct probe_exec_result *res, int64_t deadline_ms);
/* probe_conn_exec of a command built with shquote_argv(cmd, args): every
 * word single-quoted, `--` before args. Use it for anything that carries a
 * value (a path, an id): nothing reaches the remote shell unquoted.
 * ERR_DENIED when a word holds a NUL byte or cmd is empty. */
int probe_conn_exec_argv(struct probe_conn *c, const char *const *cmd, const char *const *args,
                         size_t cap, struct probe_exec_result *res, int64_t deadline_ms);

/* The same, split up so that several commands run at once on one session:
 * start them, then call probe_conn_exec_wait until each is done. */
int probe_conn_exec_start(struct probe_conn *c, const char *cmd, const char *stdin_data,
                          size_t stdin_len, size_t cap, struct probe_exec **out,
                          int64_t deadline_ms);
/* Moves every started exec forward (reads, writes, exit status), waiting at
 * most until deadline_ms for something to happen. Returns ERR_OK or ERR_NET. */
int probe_conn_exec_wait(struct probe_conn *c, int64_t deadline_ms);

#endif

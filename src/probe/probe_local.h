/* probe_local: the `local` host — the probe script run as a child
 * (`/bin/sh -s`) on a socket pair instead of an SSH channel.
 *
 * The same request/reply protocol as a remote host (docs/probe-protocol.md),
 * with a hard deadline on every exchange: a script that stalls is killed
 * (its whole process group, by id) and reaped before the call returns. */
#ifndef CODEFLEET_PROBE_LOCAL_H
#define CODEFLEET_PROBE_LOCAL_H

#include <stddef.h>
#include <sys/types.h>

#include "probe/probe_model.h"

struct probe_local_opts {
	const char *shell;         /* NULL: /bin/sh */
	const char *script;        /* NULL: the embedded probe script */
	size_t script_len;         /* used when script is set */
	const char *opencode_path; /* NULL: none; passed as `sh -s -- PATH` */
	size_t max_reply;          /* 0: PROBE_REPLY_MAX */
};

struct probe_local;

/* Starts the script and waits (at most timeout_ms) for its ready line.
 * Returns ERR_OK and sets *out (free with probe_local_free), or ERR_IO,
 * ERR_TIMEOUT or ERR_PROTO with nothing left running. */
int probe_local_start(struct probe_local **out, const struct probe_local_opts *opts,
                      int timeout_ms);

/* Sends `probe MARKER TOKEN [method=METHOD]` and reads the framed reply
 * within timeout_ms. Returns ERR_OK with *reply (caller frees) and *len,
 * or ERR_TIMEOUT / ERR_IO / ERR_PROTO (too long, the child died); after a
 * failure the child is gone and every later call fails. */
int probe_local_exchange(struct probe_local *pl, const char *last_token, const char *method,
                         int timeout_ms, char **reply, size_t *len);

/* Sends `set MARKER opencode_path PATH` (no quoting needed: the script
 * takes the rest of the line verbatim) and waits for its `end ok`.
 * Returns ERR_OK, ERR_USAGE (a path with a newline), or a transport error. */
int probe_local_set_opencode_path(struct probe_local *pl, const char *path, int timeout_ms);

/* probe_local_exchange() + probe_reply_decode() into r; sets r->probed_at.
 * Transport failures also set r->state (timeout or error) and r->reason. */
int probe_local_probe(struct probe_local *pl, const char *last_token, const char *method,
                      int timeout_ms, struct probe_result *r);

/* The marker of this connection (for decoding raw replies). */
const char *probe_local_marker(const struct probe_local *pl);
/* The child's process id, or -1 once it has been reaped. */
pid_t probe_local_pid(const struct probe_local *pl);

/* Asks the script to quit, waits briefly, then kills and reaps it. */
void probe_local_free(struct probe_local *pl);

#endif

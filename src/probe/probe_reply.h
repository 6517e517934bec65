/* probe_reply: the wire side of the remote probe (docs/probe-protocol.md):
 * end markers, request lines, framing, and decoding a reply into a
 * probe_result (the sections' rows go to probe_rows, their JSON through
 * probe_decode).
 *
 * Everything in a reply is untrusted: decoding checks every type and size,
 * reports any fault as ERR_PROTO (err_set) and never crashes; every text
 * shown on screen is sanitised with utf8_sanitize(). */
#ifndef CODEFLEET_PROBE_REPLY_H
#define CODEFLEET_PROBE_REPLY_H

#include <stddef.h>

#include "probe/probe_model.h"

/* The script refuses to send more than this; a longer reply is an error. */
#define PROBE_REPLY_CAP (16u * 1024u * 1024u)
/* Room for the framing lines around a capped body. */
#define PROBE_REPLY_MAX (PROBE_REPLY_CAP + 64u * 1024u)
/* A marker is 32 random hex digits; the buffer holds the NUL too. */
#define PROBE_MARKER_SIZE 33
/* The line the script prints once it has read itself and waits for requests. */
#define PROBE_READY_LINE "codefleet-probe 1 ready"

/* Fills out with a fresh random marker. Returns ERR_OK or ERR_IO. */
int probe_reply_new_marker(char out[PROBE_MARKER_SIZE]);

/* 1 when s is a marker the script accepts (8..64 ASCII letters and digits). */
int probe_reply_marker_ok(const char *s);

/* Returns a newly allocated request line (ending in '\n'):
 *   probe MARKER TOKEN [method=NAME]
 * A NULL or unsafe token is sent as "-" (no token: always a full reply);
 * method NULL lets the script choose. Returns NULL when the marker or the
 * method is invalid. */
char *probe_reply_request(const char *marker, const char *token, const char *method);

/* Returns a newly allocated `set MARKER opencode_path VALUE` line, or NULL
 * when the value holds a newline or NUL or is too long. */
char *probe_reply_set_path_request(const char *marker, const char *path);

/* Looks for the end line `MARKER end STATUS\n` in buf[0..len). Returns the
 * length of the reply up to and including that line, or 0 when it has not
 * arrived yet. *scan carries how far previous calls looked (start at 0). */
size_t probe_reply_find_end(const char *buf, size_t len, const char *marker, size_t *scan);

/* Decodes one reply (from its first line up to and including its end line)
 * into r: state, reason, method, token, projects, sessions, processes.
 * Statuses `unchanged`, `no-opencode` and `error` are well-formed replies:
 * they return ERR_OK with r->unchanged or r->state/r->reason set.
 * Returns ERR_OK or ERR_PROTO (the text says what was wrong); on error r
 * holds whatever was decoded and must still be freed. Does not classify
 * sessions (see probe_result_classify). */
int probe_reply_decode(const char *buf, size_t len, const char *marker, struct probe_result *r);

#endif

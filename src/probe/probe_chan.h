/* probe_chan: a connection's persistent probe channel.
 *
 * `sh -s [-- PATH]` runs the probe script sent down the channel and answers
 * `PROBE_READY_LINE`; then each request line gets a reply framed up to
 * `MARKER end STATUS` (probe_reply_find_end, the routine probe_local uses
 * too), capped. Any failure closes the channel: its stream is out of step.
 * probe_conn.h's probe_conn_probe_* are these functions. */
#ifndef CODEFLEET_PROBE_CHAN_H
#define CODEFLEET_PROBE_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe_conn.h"

int probe_chan_start(struct probe_conn *c, const char *script, size_t len,
                     const char *opencode_path, int64_t deadline_ms);
bool probe_chan_running(const struct probe_conn *c);
int probe_chan_request(struct probe_conn *c, const char *line, size_t cap, char **reply,
                       size_t *len, int64_t deadline_ms);
int probe_chan_exchange(struct probe_conn *c, const char *last_token, const char *method,
                        char **reply, size_t *len, int64_t deadline_ms);
int probe_chan_probe(struct probe_conn *c, const char *last_token, const char *method,
                     struct probe_result *r, int64_t deadline_ms);
void probe_chan_stop(struct probe_conn *c);
/* Closes the channel without a word and forgets what was read from it. */
void probe_chan_drop(struct probe_conn *c);

#endif

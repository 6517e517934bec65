/* probe_exec: short exec channels on a connection, several at once.
 *
 * Each command gets its own channel: stdin is written and closed, stdout
 * and stderr are collected up to a cap, the exit status or signal arrives
 * through channel callbacks. At the deadline the channel is abandoned
 * (SIGKILL requested, channel closed). probe_conn.h's probe_conn_exec*
 * are these functions under the connection's name. Same threading rule as
 * the connection: one thread at a time. */
#ifndef CODEFLEET_PROBE_EXEC_H
#define CODEFLEET_PROBE_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

struct probe_conn;
struct probe_exec;

struct probe_exec_result {
	struct strbuf out;
	struct strbuf err;
	int exit_status;   /* -1 when none was sent (killed, abandoned) */
	char *exit_signal; /* "TERM" when the command was killed by a signal */
	bool truncated;    /* output passed the cap; the rest was dropped */
};

void probe_exec_result_free(struct probe_exec_result *res);

/* probe_conn_exec_start, _wait, probe_conn_exec and _argv (see there). */
int probe_exec_start(struct probe_conn *c, const char *cmd, const char *stdin_data,
                     size_t stdin_len, size_t cap, struct probe_exec **out, int64_t deadline_ms);
int probe_exec_wait(struct probe_conn *c, int64_t deadline_ms);
int probe_exec_run(struct probe_conn *c, const char *cmd, const char *stdin_data, size_t stdin_len,
                   size_t cap, struct probe_exec_result *res, int64_t deadline_ms);
int probe_exec_run_argv(struct probe_conn *c, const char *const *cmd, const char *const *args,
                        size_t cap, struct probe_exec_result *res, int64_t deadline_ms);

bool probe_exec_done(const struct probe_exec *x);
/* Takes the result out (abandoning the channel if it is still running) and
 * frees x. */
void probe_exec_finish(struct probe_exec *x, struct probe_exec_result *res);

/* For the connection when its session goes: drops every channel in flight;
 * those not done yet end as failed. The probe_exec objects stay the
 * caller's (probe_exec_finish). */
void probe_exec_detach_all(struct probe_conn *c);

#endif

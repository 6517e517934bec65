/* probe_exec: see probe_exec.h. */
#include "probe/probe_exec.h"

#include <stdlib.h>
#include <string.h>

#include "probe/probe_conn_int.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/shquote.h"
#include "util/xmem.h"

struct probe_exec {
	struct probe_conn *conn;
	struct probe_exec *next; /* in conn->execs */
	ssh_channel ch;
	struct ssh_channel_callbacks_struct cb;
	struct probe_exec_result res;
	const char *in; /* stdin bytes not yet written (borrowed) */
	size_t in_len;
	size_t cap;
	bool eof_sent;
	bool got_exit;
	bool closed;
	bool done;
	bool failed;
};

static void on_exit_status(ssh_session s, ssh_channel ch, int status, void *userdata)
{
	struct probe_exec *x = userdata;

	(void)s;
	(void)ch;
	x->res.exit_status = status;
	x->got_exit = true;
}

static void on_exit_signal(ssh_session s, ssh_channel ch, const char *sig, int core,
                           const char *errmsg, const char *lang, void *userdata)
{
	struct probe_exec *x = userdata;

	(void)s;
	(void)ch;
	(void)core;
	(void)errmsg;
	(void)lang;
	free(x->res.exit_signal);
	x->res.exit_signal = xstrdup(sig ? sig : "?");
	x->got_exit = true;
}

static void on_close(ssh_session s, ssh_channel ch, void *userdata)
{
	struct probe_exec *x = userdata;

	(void)s;
	(void)ch;
	x->closed = true;
}

static void exec_unlink(struct probe_exec *x)
{
	struct probe_exec **pp = NULL;

	if (!x->conn)
		return;
	for (pp = &x->conn->execs; *pp; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	}
	x->conn = NULL;
	x->next = NULL;
}

static void exec_drop_channel(struct probe_exec *x, bool kill_it)
{
	if (!x->ch)
		return;
	/* libssh keeps a freed channel until the server's close arrives and
	 * would call our callbacks then, after x is gone. */
	ssh_remove_channel_callbacks(x->ch, &x->cb);
	if (kill_it) {
		/* sshd refuses this for root logins ("session signalling
		 * requires privilege separation"): there the command runs
		 * on after the close until it next writes (SIGPIPE). */
		ssh_channel_request_send_signal(x->ch, "KILL");
		ssh_blocking_flush(ssh_channel_get_session(x->ch), 0);
	}
	ssh_channel_close(x->ch);
	ssh_channel_free(x->ch);
	x->ch = NULL;
}

void probe_exec_detach_all(struct probe_conn *c)
{
	while (c->execs) {
		struct probe_exec *x = c->execs;

		exec_drop_channel(x, false);
		if (!x->done)
			x->failed = true;
		x->done = true;
		exec_unlink(x);
	}
}

int probe_exec_start(struct probe_conn *c, const char *cmd, const char *stdin_data,
                     size_t stdin_len, size_t cap, struct probe_exec **out, int64_t deadline_ms)
{
	struct probe_exec *x = xcalloc(1, sizeof(*x));
	int rc = ERR_OK;

	*out = NULL;
	x->res.exit_status = -1;
	x->cap = cap ? cap : PROBE_REPLY_CAP;
	x->in = stdin_data;
	x->in_len = stdin_data ? stdin_len : 0;
	ssh_callbacks_init(&x->cb);
	x->cb.userdata = x;
	x->cb.channel_exit_status_function = on_exit_status;
	x->cb.channel_exit_signal_function = on_exit_signal;
	x->cb.channel_close_function = on_close;
	rc = probe_conn_chan_open(c, cmd, &x->cb, &x->ch, deadline_ms);
	if (rc != ERR_OK) {
		free(x);
		return rc;
	}
	x->conn = c;
	x->next = c->execs;
	c->execs = x;
	*out = x;
	return ERR_OK;
}

static void exec_collect(struct probe_exec *x, struct strbuf *sb, const char *buf, int n)
{
	size_t room = sb->len < x->cap ? x->cap - sb->len : 0;

	if ((size_t)n > room)
		x->res.truncated = true;
	strbuf_append(sb, buf, (size_t)n < room ? (size_t)n : room);
}

/* Reads both streams dry. Returns SSH_EOF when both ended, SSH_ERROR, or 0. */
static int exec_read(struct probe_exec *x)
{
	char buf[16384];
	int eofs = 0;

	for (int is_err = 0; is_err < 2; is_err++) {
		struct strbuf *sb = is_err ? &x->res.err : &x->res.out;
		int n = 0;

		while ((n = probe_conn_chan_read(x->ch, is_err, buf, sizeof(buf))) > 0)
			exec_collect(x, sb, buf, n);
		if (n == SSH_ERROR)
			return SSH_ERROR;
		eofs += n == SSH_EOF;
	}
	return eofs == 2 ? SSH_EOF : 0;
}

static void exec_step(struct probe_exec *x)
{
	int r = 0;

	if (x->done)
		return;
	if (x->in_len) {
		int n = ssh_channel_write(x->ch, x->in,
		                          x->in_len > 65536 ? 65536 : (uint32_t)x->in_len);

		if (n > 0) {
			x->in += n;
			x->in_len -= (size_t)n;
		}
	}
	if (!x->in_len && !x->eof_sent) {
		ssh_channel_send_eof(x->ch);
		x->eof_sent = true;
	}
	r = exec_read(x);
	if (r == SSH_ERROR) {
		x->failed = true;
		x->done = true;
	} else if (r == SSH_EOF && (x->got_exit || x->closed || ssh_channel_is_closed(x->ch))) {
		x->done = true;
	}
}

static bool execs_all_done(struct probe_conn *c)
{
	for (struct probe_exec *x = c->execs; x; x = x->next) {
		exec_step(x);
		if (!x->done)
			return false;
	}
	return true;
}

int probe_exec_wait(struct probe_conn *c, int64_t deadline_ms)
{
	int rc = ERR_OK;

	if (!c->s)
		return err_set(ERR_NET, "not connected");
	if (execs_all_done(c))
		return ERR_OK;
	if (probe_conn_session_dead(c))
		return probe_conn_lost(c, "running a command");
	rc = probe_conn_wait(c, deadline_ms);
	if (rc == ERR_TIMEOUT)
		return err_set(ERR_TIMEOUT, "command on %s did not finish within the deadline",
		               c->opts->hostname);
	if (rc == ERR_OK)
		execs_all_done(c);
	return rc;
}

bool probe_exec_done(const struct probe_exec *x)
{
	return x->done;
}

void probe_exec_finish(struct probe_exec *x, struct probe_exec_result *res)
{
	exec_drop_channel(x, !x->done);
	exec_unlink(x);
	*res = x->res;
	free(x);
}

void probe_exec_result_free(struct probe_exec_result *res)
{
	strbuf_free(&res->out);
	strbuf_free(&res->err);
	free(res->exit_signal);
	res->exit_signal = NULL;
}

int probe_exec_run(struct probe_conn *c, const char *cmd, const char *stdin_data, size_t stdin_len,
                   size_t cap, struct probe_exec_result *res, int64_t deadline_ms)
{
	struct probe_exec *x = NULL;
	int rc = probe_exec_start(c, cmd, stdin_data, stdin_len, cap, &x, deadline_ms);

	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	if (rc != ERR_OK)
		return rc;
	while (rc == ERR_OK && !x->done)
		rc = probe_exec_wait(c, deadline_ms);
	if (rc == ERR_OK && x->failed)
		rc = err_set(ERR_NET, "the channel failed");
	probe_exec_finish(x, res);
	return rc;
}

int probe_exec_run_argv(struct probe_conn *c, const char *const *cmd, const char *const *args,
                        size_t cap, struct probe_exec_result *res, int64_t deadline_ms)
{
	struct strbuf line = STRBUF_INIT;
	int rc = shquote_argv(&line, cmd, args);

	if (rc == ERR_OK)
		rc = probe_exec_run(c, strbuf_str(&line), NULL, 0, cap, res, deadline_ms);
	else {
		memset(res, 0, sizeof(*res));
		res->exit_status = -1;
	}
	strbuf_free(&line);
	return rc;
}

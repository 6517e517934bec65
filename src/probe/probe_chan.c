/* probe_chan: see probe_chan.h. */
#include "probe/probe_chan.h"

#include <stdlib.h>
#include <string.h>

#include "embed/embed_probe_script.h"
#include "probe/probe_conn_int.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/shquote.h"
#include "util/xmem.h"
#include "util/clock.h"

#define READY_MAX (64 * 1024) /* bytes before the ready line */

void probe_chan_drop(struct probe_conn *c)
{
	if (c->probe_ch) {
		ssh_channel_close(c->probe_ch);
		ssh_channel_free(c->probe_ch);
		c->probe_ch = NULL;
	}
	strbuf_reset(&c->probe_in);
	c->probe_scan = 0;
}

bool probe_chan_running(const struct probe_conn *c)
{
	return c->probe_ch != NULL;
}

static void keep_stderr(struct strbuf *sb, const char *buf, size_t n)
{
	if (sb->len + n > PROBE_CONN_STDERR_KEEP)
		strbuf_reset(sb);
	strbuf_append(sb, buf, n < PROBE_CONN_STDERR_KEEP ? n : PROBE_CONN_STDERR_KEEP);
}

/* Moves what the probe channel holds into probe_in. Returns ERR_OK (maybe
 * with nothing new), ERR_PROTO over the cap, ERR_REMOTE when the shell
 * ended, ERR_NET when the session broke. */
static int probe_pump(struct probe_conn *c, size_t cap)
{
	char buf[16384];
	int n = 0;

	while ((n = probe_conn_chan_read(c->probe_ch, 1, buf, sizeof(buf))) > 0)
		keep_stderr(&c->probe_stderr, buf, (size_t)n);
	while ((n = probe_conn_chan_read(c->probe_ch, 0, buf, sizeof(buf))) > 0) {
		strbuf_append(&c->probe_in, buf, (size_t)n);
		if (c->probe_in.len > cap)
			return err_set(ERR_PROTO, "reply from %s longer than %zu bytes",
			               c->opts->hostname, cap);
	}
	if (n == SSH_EOF)
		return err_set(ERR_REMOTE, "the probe shell on %s ended%s%s", c->opts->hostname,
		               c->probe_stderr.len ? ": " : "", strbuf_str(&c->probe_stderr));
	if (n == SSH_ERROR)
		return probe_conn_session_dead(c) ? probe_conn_lost(c, "reading")
		                                  : err_set(ERR_NET, "channel error");
	return ERR_OK;
}

/* Length of the complete frame at the start of probe_in, 0 if none yet. */
typedef size_t (*frame_end_fn)(struct probe_conn *c);

static size_t ready_end(struct probe_conn *c)
{
	const char *hit = c->probe_in.len ? strstr(c->probe_in.buf, PROBE_READY_LINE "\n") : NULL;

	return hit ? (size_t)(hit - c->probe_in.buf) + strlen(PROBE_READY_LINE "\n") : 0;
}

static size_t reply_end(struct probe_conn *c)
{
	if (!c->probe_in.len)
		return 0;
	return probe_reply_find_end(c->probe_in.buf, c->probe_in.len, c->marker, &c->probe_scan);
}

/* Reads until end() finds a frame; returns its length in *n. On anything
 * but ERR_OK the probe channel is dropped (its stream is out of step). */
static int probe_read_frame(struct probe_conn *c, frame_end_fn end, size_t cap, size_t *n,
                            int64_t deadline_ms)
{
	int rc = ERR_OK;

	while ((*n = end(c)) == 0) {
		rc = probe_pump(c, cap);
		if (rc != ERR_OK)
			break;
		if ((*n = end(c)) != 0)
			break;
		rc = probe_conn_wait(c, deadline_ms);
		if (rc == ERR_TIMEOUT)
			rc = err_set(ERR_TIMEOUT, "no complete reply from %s within the deadline",
			             c->opts->hostname);
		if (rc != ERR_OK)
			break;
	}
	if (rc != ERR_OK && c->s)
		probe_chan_drop(c);
	return rc;
}

static void probe_consume(struct probe_conn *c, size_t n)
{
	memmove(c->probe_in.buf, c->probe_in.buf + n, c->probe_in.len - n);
	c->probe_in.len -= n;
	c->probe_in.buf[c->probe_in.len] = '\0';
	c->probe_scan = 0;
}

int probe_chan_start(struct probe_conn *c, const char *script, size_t len,
                     const char *opencode_path, int64_t deadline_ms)
{
	struct strbuf cmd = STRBUF_INIT;
	size_t n = 0;
	int rc = ERR_OK;

	probe_chan_drop(c);
	strbuf_reset(&c->probe_stderr);
	if (!script) {
		script = embed_probe_script;
		len = strlen(embed_probe_script);
	}
	strbuf_puts(&cmd, "sh -s");
	if (opencode_path) {
		strbuf_puts(&cmd, " -- ");
		shquote_str(&cmd, opencode_path);
	}
	rc = probe_conn_chan_open(c, strbuf_str(&cmd), NULL, &c->probe_ch, deadline_ms);
	if (rc == ERR_OK)
		rc = probe_conn_chan_write(c, c->probe_ch, script, len, deadline_ms);
	if (rc == ERR_OK)
		rc = probe_conn_chan_write(c, c->probe_ch, "\n", 1, deadline_ms);
	if (rc == ERR_OK)
		rc = probe_read_frame(c, ready_end, READY_MAX, &n, deadline_ms);
	if (rc == ERR_OK)
		probe_consume(c, n); /* the ready line and anything before it */
	else if (c->s)
		probe_chan_drop(c);
	strbuf_free(&cmd);
	return rc;
}

int probe_chan_request(struct probe_conn *c, const char *line, size_t cap, char **reply,
                       size_t *len, int64_t deadline_ms)
{
	size_t n = strlen(line);
	size_t end = 0;
	int rc = ERR_OK;

	*reply = NULL;
	*len = 0;
	if (!c->probe_ch)
		return err_set(ERR_USAGE, "the probe channel is not running");
	if (n && line[n - 1] == '\n')
		n--;
	if (!n || memchr(line, '\n', n) || memchr(line, '\r', n))
		return err_set(ERR_USAGE, "a request is one non-empty line");
	probe_consume(c, c->probe_in.len); /* nothing may be left over */
	rc = probe_conn_chan_write(c, c->probe_ch, line, n, deadline_ms);
	if (rc == ERR_OK)
		rc = probe_conn_chan_write(c, c->probe_ch, "\n", 1, deadline_ms);
	if (rc == ERR_OK)
		rc = probe_read_frame(c, reply_end, cap ? cap : PROBE_REPLY_MAX, &end, deadline_ms);
	else if (c->s)
		probe_chan_drop(c);
	if (rc != ERR_OK)
		return rc;
	*reply = xstrndup(c->probe_in.buf, end);
	*len = end;
	probe_consume(c, end);
	return ERR_OK;
}

int probe_chan_exchange(struct probe_conn *c, const char *last_token, const char *method,
                        char **reply, size_t *len, int64_t deadline_ms)
{
	char *req = probe_reply_request(c->marker, last_token, method);
	int rc = ERR_OK;

	*reply = NULL;
	*len = 0;
	if (!req)
		return err_set(ERR_USAGE, "probe: bad request (method %s)", method ? method : "-");
	rc = probe_chan_request(c, req, 0, reply, len, deadline_ms);
	free(req);
	return rc;
}

int probe_chan_probe(struct probe_conn *c, const char *last_token, const char *method,
                     struct probe_result *r, int64_t deadline_ms)
{
	char *reply = NULL;
	size_t len = 0;
	int rc = probe_chan_exchange(c, last_token, method, &reply, &len, deadline_ms);

	r->probed_at = clock_wall_ms();
	if (rc == ERR_OK)
		rc = probe_reply_decode(reply, len, c->marker, r);
	if (rc != ERR_OK)
		probe_result_set_state(r, rc == ERR_TIMEOUT ? PROBE_HOST_TIMEOUT : PROBE_HOST_ERROR,
		                       err_text());
	free(reply);
	return rc;
}

void probe_chan_stop(struct probe_conn *c)
{
	if (c->probe_ch && probe_conn_is_open(c))
		ssh_channel_write(c->probe_ch, "quit\n", 5);
	probe_chan_drop(c);
}

/* probe_conn: see probe_conn.h. The connection object: open (transport,
 * session, handshake, host key, authentication, each in its module),
 * close, state and errors, waiting, keepalives, and the channel basics
 * that probe_chan and probe_exec build on. */
#include "probe/probe_conn.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/server.h> /* ssh_send_keepalive: for clients too */

#include "probe/probe_auth.h"
#include "probe/probe_chan.h"
#include "probe/probe_conn_int.h"

#define CHAN_WRITE_CHUNK 4096u
#include "probe/probe_hostkey.h"
#include "probe/probe_reply.h"
#include "probe/probe_transport.h"
#include "util/err.h"
#include "util/xmem.h"
#include "util/clock.h"

/* ---- small helpers ---- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void do_global_init(void)
{
	ssh_init();
}

void probe_conn_global_init(void)
{
	pthread_once(&init_once, do_global_init);
}

void probe_conn_global_finish(void)
{
	ssh_finalize();
}

int64_t probe_conn_now_ms(void)
{
	return clock_mono_ms();
}

const char *probe_conn_state_name(enum probe_conn_state st)
{
	static const char *const words[] = {
#define PROBE_CONN_WORD(name, word) word,
	    PROBE_CONN_STATES(PROBE_CONN_WORD)
#undef PROBE_CONN_WORD
	};

	if ((size_t)st >= sizeof(words) / sizeof(words[0]))
		return "error";
	return words[st];
}

/* ---- state and errors ---- */

static const int state_code[] = {
    [PROBE_CONN_OK] = ERR_OK,
    [PROBE_CONN_CLOSED] = ERR_NET,
    [PROBE_CONN_OFFLINE] = ERR_NET,
    [PROBE_CONN_TIMEOUT] = ERR_TIMEOUT,
    [PROBE_CONN_AUTH_REQUIRED] = ERR_AUTH,
    [PROBE_CONN_HOSTKEY_UNKNOWN] = ERR_HOSTKEY,
    [PROBE_CONN_HOSTKEY_CHANGED] = ERR_HOSTKEY,
    [PROBE_CONN_ERROR] = ERR_PROTO,
};

int probe_conn_fail(struct probe_conn *c, enum probe_conn_state st, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	free(c->reason);
	c->reason = strbuf_take(&sb);
	c->state = st;
	strbuf_reset(&c->detail);
	strbuf_printf(&c->detail, "%s: %s: %s\n",
	              c->opts->alias ? c->opts->alias : c->opts->hostname,
	              probe_conn_state_name(st), c->reason);
	return err_set(state_code[st], "%s", c->reason);
}

void probe_conn_detail_add(struct probe_conn *c, const char *label, const char *text)
{
	if (text && *text)
		strbuf_printf(&c->detail, "%s: %s%s", label, text,
		              text[strlen(text) - 1] == '\n' ? "" : "\n");
}

void probe_conn_detail_ssh(struct probe_conn *c)
{
	if (c->s)
		probe_conn_detail_add(c, "libssh", ssh_get_error(c->s));
}

/* ---- waiting ---- */

/* Reads and handles whatever packets have arrived, for every channel.
 * Needed because libssh only reads the socket inside calls that wait for
 * something: once a channel has seen EOF, ssh_channel_read_nonblocking()
 * no longer reads, so its exit status and close would sit in the socket
 * (and poll() would wake us at once, forever). */
static void pump(struct probe_conn *c)
{
	if (c->ev)
		ssh_event_dopoll(c->ev, 0);
}

void probe_conn_set_cancel_fd(struct probe_conn *c, int fd)
{
	c->cancel_fd = fd;
}

void probe_conn_set_trusted_fingerprint(struct probe_conn *c, const char *fp)
{
	free(c->trusted_fp);
	c->trusted_fp = fp ? xstrdup(fp) : NULL;
}

int probe_conn_cancel_pollfd(const struct probe_conn *c, struct pollfd *pfd)
{
	if (c->cancel_fd < 0)
		return 0;
	pfd->fd = c->cancel_fd;
	pfd->events = POLLIN;
	pfd->revents = 0;
	return 1;
}

bool probe_conn_cancelled(const struct probe_conn *c)
{
	struct pollfd pfd;

	if (!probe_conn_cancel_pollfd(c, &pfd))
		return false;
	/* never read: it stays readable for every later wait, on every thread */
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL));
}

int probe_conn_wait(struct probe_conn *c, int64_t deadline_ms)
{
	struct pollfd pfd[3] = {{-1, 0, 0}, {-1, 0, 0}, {-1, 0, 0}};
	int64_t left = deadline_ms - probe_conn_now_ms();
	nfds_t n = 0;

	/* cancelled: as if the deadline had passed, which every caller
	 * already treats as the end of the step */
	if (left <= 0 || probe_conn_cancelled(c))
		return ERR_TIMEOUT;
	if (c->s && ssh_get_fd(c->s) >= 0) {
		pfd[n].fd = ssh_get_fd(c->s);
		pfd[n].events = POLLIN;
		if (ssh_get_poll_flags(c->s) & SSH_WRITE_PENDING)
			pfd[n].events |= POLLOUT;
		n++;
	}
	if (c->proxy_err >= 0) {
		pfd[n].fd = c->proxy_err;
		pfd[n].events = POLLIN;
		n++;
	}
	n += (nfds_t)probe_conn_cancel_pollfd(c, &pfd[n]);
	if (poll(pfd, n, (int)(left < PROBE_CONN_WAIT_SLICE ? left : PROBE_CONN_WAIT_SLICE)) < 0 &&
	    errno != EINTR)
		return err_set(ERR_IO, "poll: %s", strerror(errno));
	probe_transport_drain(c);
	pump(c);
	/* After libssh has seen the socket fail, only freeing is safe. */
	if (c->ev && probe_conn_session_dead(c))
		return probe_conn_lost(c, "the connection broke");
	return ERR_OK;
}

/* ---- session ---- */

static int session_new(struct probe_conn *c, int fd)
{
	const struct probe_conn_opts *o = c->opts;
	const char *trace = getenv("CODEFLEET_SSH_TRACE"); /* libssh's log on stderr */
	int verbosity = trace ? atoi(trace) : SSH_LOG_NOLOG;
	unsigned int port = (unsigned int)(o->port ? o->port : 22);
	bool no = false;
	long timeout = 5;
	int rc = 0;

	c->fd = fd;
	c->s = ssh_new();
	if (!c->s)
		return probe_conn_fail(c, PROBE_CONN_ERROR, "libssh: cannot create a session");
	/* The host's options were resolved from ssh_config already (first
	 * value wins, Match, Include): libssh must not read any config file
	 * again, so ssh_options_parse_config is never called and automatic
	 * processing at connect time is turned off. */
	rc |= ssh_options_set(c->s, SSH_OPTIONS_PROCESS_CONFIG, &no);
	rc |= ssh_options_set(c->s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	/* We made the transport, so libssh uses host and port only to look
	 * the key up in known_hosts: "[host]:port", or HostKeyAlias alone as
	 * ssh does. */
	if (o->host_key_alias)
		port = 22;
	rc |= ssh_options_set(c->s, SSH_OPTIONS_HOST,
	                      o->host_key_alias ? o->host_key_alias : o->hostname);
	rc |= ssh_options_set(c->s, SSH_OPTIONS_USER, o->user);
	rc |= ssh_options_set(c->s, SSH_OPTIONS_PORT, &port);
	/* Only bounds libssh's own blocking waits; ours use the deadline. */
	rc |= ssh_options_set(c->s, SSH_OPTIONS_TIMEOUT, &timeout);
	if (o->n_user_known_hosts)
		rc |= ssh_options_set(c->s, SSH_OPTIONS_KNOWNHOSTS, o->known_hosts[0]);
	if (o->n_known_hosts > o->n_user_known_hosts)
		rc |= ssh_options_set(c->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
		                      o->known_hosts[o->n_user_known_hosts]);
	if (o->identity_agent && strcmp(o->identity_agent, "none"))
		rc |= ssh_options_set(c->s, SSH_OPTIONS_IDENTITY_AGENT, o->identity_agent);
	/* libssh 0.10 uses the descriptor but never closes it: see session_close. */
	rc |= ssh_options_set(c->s, SSH_OPTIONS_FD, &fd);
	if (rc != 0) {
		probe_conn_fail(c, PROBE_CONN_ERROR, "libssh: cannot set options");
		probe_conn_detail_ssh(c);
		return ERR_PROTO;
	}
	memset(&c->rcounter, 0, sizeof(c->rcounter));
	ssh_set_counters(c->s, NULL, &c->rcounter);
	ssh_set_blocking(c->s, 0);
	return ERR_OK;
}

static int handshake(struct probe_conn *c, int64_t deadline_ms)
{
	int rc = SSH_AGAIN;
	enum probe_conn_state st = PROBE_CONN_ERROR;

	while ((rc = ssh_connect(c->s)) == SSH_AGAIN) {
		if (probe_conn_wait(c, deadline_ms) == ERR_TIMEOUT) {
			rc = probe_conn_fail(c, PROBE_CONN_TIMEOUT,
			                     "no SSH handshake from %s within the deadline",
			                     c->opts->hostname);
			probe_conn_detail_ssh(c);
			return rc;
		}
	}
	if (rc == SSH_OK)
		return ERR_OK;
	if (c->proxy_pid > 0) {
		usleep(20000); /* let a dying proxy finish its last line */
		probe_transport_drain(c);
		st = probe_transport_verdict(c);
	}
	rc = probe_conn_fail(c, st, "SSH handshake with %s failed: %s", c->opts->hostname,
	                     c->proxy_stderr.len ? "proxy: see detail" : ssh_get_error(c->s));
	probe_conn_detail_ssh(c);
	probe_conn_detail_add(c, "proxy stderr", strbuf_str(&c->proxy_stderr));
	return rc;
}

/* ---- open / close ---- */

struct probe_conn *probe_conn_new(const struct probe_conn_opts *opts)
{
	struct probe_conn *c = xcalloc(1, sizeof(*c));

	probe_conn_global_init();
	c->opts = probe_conn_opts_dup(opts);
	c->proxy_err = -1;
	c->cancel_fd = -1;
	c->fd = -1;
	c->state = PROBE_CONN_CLOSED;
	c->reason = xstrdup("not connected yet");
	return c;
}

static void session_close(struct probe_conn *c)
{
	probe_exec_detach_all(c);
	probe_chan_drop(c);
	if (c->ev) {
		if (c->s)
			ssh_event_remove_session(c->ev, c->s);
		ssh_event_free(c->ev);
		c->ev = NULL;
	}
	if (c->s) {
		ssh_disconnect(c->s);
		ssh_free(c->s);
		c->s = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	probe_transport_reap(c);
}

void probe_conn_close(struct probe_conn *c)
{
	session_close(c);
	if (c->state == PROBE_CONN_OK) {
		c->state = PROBE_CONN_CLOSED;
		free(c->reason);
		c->reason = xstrdup("closed");
	}
}

void probe_conn_free(struct probe_conn *c)
{
	if (!c)
		return;
	session_close(c);
	probe_conn_opts_free(c->opts);
	free(c->reason);
	free(c->fingerprint);
	free(c->trusted_fp);
	strbuf_free(&c->detail);
	strbuf_free(&c->proxy_stderr);
	strbuf_free(&c->probe_stderr);
	strbuf_free(&c->probe_in);
	free(c);
}

static void reset_status(struct probe_conn *c)
{
	free(c->reason);
	c->reason = xstrdup("");
	strbuf_reset(&c->detail);
	strbuf_reset(&c->proxy_stderr);
	free(c->fingerprint);
	c->fingerprint = NULL;
	c->state = PROBE_CONN_CLOSED;
}

int probe_conn_open(struct probe_conn *c, int64_t deadline_ms)
{
	int64_t cdeadline = deadline_ms;
	int fd = -1;
	int rc = ERR_OK;

	session_close(c);
	reset_status(c);
	if (c->opts->connect_timeout_s > 0 &&
	    probe_conn_now_ms() + c->opts->connect_timeout_s * 1000LL < cdeadline)
		cdeadline = probe_conn_now_ms() + c->opts->connect_timeout_s * 1000LL;
	rc = probe_transport_open(c, cdeadline, &fd);
	if (rc == ERR_OK)
		rc = session_new(c, fd);
	if (rc == ERR_OK)
		rc = handshake(c, cdeadline);
	if (rc == ERR_OK)
		rc = probe_hostkey_check(c);
	if (rc == ERR_OK)
		rc = probe_auth_run(c, deadline_ms);
	if (rc != ERR_OK) {
		session_close(c); /* a changed key: closed before any auth */
		return rc;
	}
	c->ev = ssh_event_new();
	if (!c->ev || ssh_event_add_session(c->ev, c->s) != SSH_OK) {
		rc = probe_conn_fail(c, PROBE_CONN_ERROR, "libssh: cannot make a poll context");
		session_close(c);
		return rc;
	}
	c->state = PROBE_CONN_OK;
	c->ka_last_ms = probe_conn_now_ms();
	c->ka_missed = 0;
	c->ka_seen_packets = c->rcounter.in_packets;
	if (probe_reply_new_marker(c->marker) != ERR_OK) {
		rc = probe_conn_fail(c, PROBE_CONN_ERROR, "%s", err_text());
		session_close(c);
		return rc;
	}
	err_clear();
	return ERR_OK;
}

bool probe_conn_is_open(const struct probe_conn *c)
{
	return c->s && c->state == PROBE_CONN_OK;
}

enum probe_conn_state probe_conn_state(const struct probe_conn *c)
{
	return c->state;
}

const char *probe_conn_reason(const struct probe_conn *c)
{
	return c->reason ? c->reason : "";
}

const char *probe_conn_detail(const struct probe_conn *c)
{
	return strbuf_str(&c->detail);
}

const char *probe_conn_fingerprint(const struct probe_conn *c)
{
	return c->fingerprint;
}

const struct probe_conn_opts *probe_conn_opts(const struct probe_conn *c)
{
	return c->opts;
}

const char *probe_conn_marker(const struct probe_conn *c)
{
	return c->marker;
}

int probe_conn_lost(struct probe_conn *c, const char *what)
{
	const char *why = c->s ? ssh_get_error(c->s) : "";
	int rc = probe_conn_fail(c, PROBE_CONN_ERROR, "connection lost (%s)%s%s", what,
	                         *why ? ": " : "", why);

	session_close(c);
	return rc == ERR_PROTO ? ERR_NET : rc;
}

bool probe_conn_session_dead(struct probe_conn *c)
{
	return !c->s || !ssh_is_connected(c->s) ||
	       (ssh_get_status(c->s) & (SSH_CLOSED_ERROR | SSH_CLOSED));
}

int probe_conn_keepalive(struct probe_conn *c)
{
	int64_t now = probe_conn_now_ms();

	if (!probe_conn_is_open(c))
		return err_set(ERR_NET, "not connected");
	/* Read what arrived (a close or disconnect is seen here) ... */
	pump(c);
	if (probe_conn_session_dead(c))
		return probe_conn_lost(c, "closed by the server");
	if (c->opts->alive_interval_s <= 0 ||
	    now - c->ka_last_ms < c->opts->alive_interval_s * 1000LL)
		return ERR_OK;
	/* ... then count the intervals without a packet from the server, as
	 * ssh does, and send the next keepalive. */
	if (c->rcounter.in_packets > c->ka_seen_packets)
		c->ka_missed = 0;
	else if (++c->ka_missed > c->opts->alive_count_max)
		return probe_conn_lost(c, "keepalives unanswered");
	c->ka_seen_packets = c->rcounter.in_packets;
	c->ka_last_ms = now;
	if (ssh_send_keepalive(c->s) != SSH_OK || probe_conn_session_dead(c))
		return probe_conn_lost(c, "keepalive failed");
	return ERR_OK;
}

/* ---- channels ---- */

int probe_conn_chan_open(struct probe_conn *c, const char *cmd, ssh_channel_callbacks cb,
                         ssh_channel *out, int64_t deadline_ms)
{
	ssh_channel ch = NULL;
	int r = SSH_OK;
	int rc = ERR_OK;

	*out = NULL;
	if (!probe_conn_is_open(c))
		return err_set(ERR_NET, "not connected");
	ch = ssh_channel_new(c->s);
	if (!ch)
		return probe_conn_lost(c, "cannot create a channel");
	while ((r = ssh_channel_open_session(ch)) == SSH_AGAIN)
		if ((rc = probe_conn_wait(c, deadline_ms)) != ERR_OK)
			break;
	if (r == SSH_OK && cb)
		ssh_set_channel_callbacks(ch, cb);
	if (r == SSH_OK) {
		while ((r = ssh_channel_request_exec(ch, cmd)) == SSH_AGAIN)
			if ((rc = probe_conn_wait(c, deadline_ms)) != ERR_OK)
				break;
	}
	if (r == SSH_OK) {
		*out = ch;
		return ERR_OK;
	}
	if (rc == ERR_NET)
		return rc;    /* the session is gone, ch with it */
	ssh_channel_free(ch); /* before probe_conn_lost(), which frees the session */
	if (r == SSH_AGAIN)
		return err_set(ERR_TIMEOUT, "no channel from %s within the deadline",
		               c->opts->hostname);
	if (probe_conn_session_dead(c))
		return probe_conn_lost(c, "opening a channel");
	return err_set(ERR_REMOTE, "%s refused a channel: %s", c->opts->hostname,
	               ssh_get_error(c->s));
}

/* Waits until libssh has sent everything queued on the session. */
static int flush_out(struct probe_conn *c, int64_t deadline_ms)
{
	for (;;) {
		int64_t left = deadline_ms - probe_conn_now_ms();
		int r;

		if (left <= 0 || probe_conn_cancelled(c))
			return err_set(ERR_TIMEOUT, "%s did not take our input within the deadline",
			               c->opts->hostname);
		/* libssh polls on its own here: slices, to see a cancel */
		r = ssh_blocking_flush(
		    c->s, left > PROBE_CONN_CANCEL_SLICE ? PROBE_CONN_CANCEL_SLICE : (int)left);
		if (r == SSH_OK)
			return ERR_OK;
		if (r == SSH_ERROR)
			return probe_conn_lost(c, "writing");
	}
}

/* Writes in small pieces, each sent before the next is queued: libssh's
 * output buffers grow to the largest single write and keep that size for
 * the connection's life, which at 200 kept-open hosts and a 26 KB script
 * was most of our memory. */
int probe_conn_chan_write(struct probe_conn *c, ssh_channel ch, const char *data, size_t len,
                          int64_t deadline_ms)
{
	int rc = ERR_OK;

	while (len) {
		int n = ssh_channel_write(
		    ch, data, len > CHAN_WRITE_CHUNK ? CHAN_WRITE_CHUNK : (uint32_t)len);

		if (n < 0)
			return probe_conn_session_dead(c) ? probe_conn_lost(c, "writing")
			                                  : err_set(ERR_NET, "write failed");
		data += n;
		len -= (size_t)n;
		rc = flush_out(c, deadline_ms);
		if (rc != ERR_OK || !len)
			return rc;
		if (n)
			continue;
		rc = probe_conn_wait(c, deadline_ms); /* the channel window is full */
		if (rc == ERR_TIMEOUT)
			return err_set(ERR_TIMEOUT, "%s did not take our input within the deadline",
			               c->opts->hostname);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* Reads what is there on one stream: >0 bytes, 0 nothing now, SSH_EOF, or
 * SSH_ERROR. */
int probe_conn_chan_read(ssh_channel ch, int is_stderr, char *buf, size_t len)
{
	return ssh_channel_read_nonblocking(ch, buf, (uint32_t)len, is_stderr);
}

static enum probe_host_state host_state(enum probe_conn_state st)
{
	static const enum probe_host_state map[] = {
	    [PROBE_CONN_OK] = PROBE_HOST_OK,
	    [PROBE_CONN_CLOSED] = PROBE_HOST_CONNECTING,
	    [PROBE_CONN_OFFLINE] = PROBE_HOST_OFFLINE,
	    [PROBE_CONN_TIMEOUT] = PROBE_HOST_TIMEOUT,
	    [PROBE_CONN_AUTH_REQUIRED] = PROBE_HOST_AUTH_REQUIRED,
	    [PROBE_CONN_HOSTKEY_UNKNOWN] = PROBE_HOST_HOSTKEY_UNKNOWN,
	    [PROBE_CONN_HOSTKEY_CHANGED] = PROBE_HOST_HOSTKEY_CHANGED,
	    [PROBE_CONN_ERROR] = PROBE_HOST_ERROR,
	};

	return map[st];
}

enum probe_host_state probe_conn_host_state(const struct probe_conn *c)
{
	return host_state(c->state);
}

/* ---- the channel modules under the connection's names ---- */

int probe_conn_probe_start(struct probe_conn *c, const char *script, size_t len,
                           const char *opencode_path, int64_t deadline_ms)
{
	return probe_chan_start(c, script, len, opencode_path, deadline_ms);
}

bool probe_conn_probe_running(const struct probe_conn *c)
{
	return probe_chan_running(c);
}

int probe_conn_probe_request(struct probe_conn *c, const char *line, size_t cap, char **reply,
                             size_t *len, int64_t deadline_ms)
{
	return probe_chan_request(c, line, cap, reply, len, deadline_ms);
}

int probe_conn_probe_exchange(struct probe_conn *c, const char *last_token, const char *method,
                              char **reply, size_t *len, int64_t deadline_ms)
{
	return probe_chan_exchange(c, last_token, method, reply, len, deadline_ms);
}

int probe_conn_probe(struct probe_conn *c, const char *last_token, const char *method,
                     struct probe_result *r, int64_t deadline_ms)
{
	return probe_chan_probe(c, last_token, method, r, deadline_ms);
}

void probe_conn_probe_stop(struct probe_conn *c)
{
	probe_chan_stop(c);
}

int probe_conn_exec(struct probe_conn *c, const char *cmd, const char *stdin_data, size_t stdin_len,
                    size_t cap, struct probe_exec_result *res, int64_t deadline_ms)
{
	return probe_exec_run(c, cmd, stdin_data, stdin_len, cap, res, deadline_ms);
}

int probe_conn_exec_argv(struct probe_conn *c, const char *const *cmd, const char *const *args,
                         size_t cap, struct probe_exec_result *res, int64_t deadline_ms)
{
	return probe_exec_run_argv(c, cmd, args, cap, res, deadline_ms);
}

int probe_conn_exec_start(struct probe_conn *c, const char *cmd, const char *stdin_data,
                          size_t stdin_len, size_t cap, struct probe_exec **out,
                          int64_t deadline_ms)
{
	return probe_exec_start(c, cmd, stdin_data, stdin_len, cap, out, deadline_ms);
}

int probe_conn_exec_wait(struct probe_conn *c, int64_t deadline_ms)
{
	return probe_exec_wait(c, deadline_ms);
}

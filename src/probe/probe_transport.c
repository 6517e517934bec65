/* probe_transport: see probe_transport.h. */
#include "probe/probe_transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe/probe_conn_int.h"
#include "util/err.h"
#include "util/shquote.h"
#include "util/xmem.h"

extern char **environ;

#define PROXY_REAP           300 /* ms given to a proxy to exit after SIGTERM */
#define PROXY_REAP_CANCELLED 20  /* the same when quitting: nobody should wait */

void probe_transport_drain(struct probe_conn *c)
{
	char buf[1024];
	ssize_t n = 0;

	if (c->proxy_err < 0)
		return;
	while ((n = read(c->proxy_err, buf, sizeof(buf))) > 0) {
		if (c->proxy_stderr.len < PROBE_CONN_STDERR_KEEP)
			strbuf_append(&c->proxy_stderr, buf, (size_t)n);
	}
	if (n == 0) {
		close(c->proxy_err);
		c->proxy_err = -1;
	}
}

/* ---- transport: TCP ---- */

static bool errno_offline(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH || e == EADDRNOTAVAIL ||
	       e == ENETDOWN || e == EHOSTDOWN;
}

/* One non-blocking connect. Returns the fd, or -1 with *e set (ETIMEDOUT
 * when the deadline passed or the work was cancelled). */
static int tcp_try(struct probe_conn *c, const struct addrinfo *ai, int64_t deadline_ms, int *e)
{
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	struct pollfd pfd[2] = {{fd, POLLOUT, 0}, {-1, 0, 0}};
	nfds_t n = 1 + (nfds_t)probe_conn_cancel_pollfd(c, &pfd[1]);
	socklen_t len = sizeof(*e);
	int64_t left = 0;

	if (fd < 0) {
		*e = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	*e = errno;
	if (*e != EINPROGRESS)
		goto fail;
	*e = ETIMEDOUT;
	while ((left = deadline_ms - probe_conn_now_ms()) > 0) {
		int r = poll(pfd, n,
		             (int)(left < PROBE_CONN_WAIT_SLICE ? left : PROBE_CONN_WAIT_SLICE));

		if (r < 0 && errno != EINTR) {
			*e = errno;
			goto fail;
		}
		if (n > 1 && pfd[1].revents)
			break; /* cancelled: *e is ETIMEDOUT */
		if (r > 0 && pfd[0].revents) {
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, e, &len) < 0)
				*e = errno;
			if (*e == 0)
				return fd;
			goto fail;
		}
	}
fail:
	close(fd);
	return -1;
}

/* Name lookup with a deadline. getaddrinfo() cannot be interrupted, so it
 * runs on a detached thread; the job is shared by reference count, and
 * whoever lets go last frees it, so a lookup that outlives its caller's
 * deadline finishes harmlessly on its own (habit 11). */
struct dns_job {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;
	bool done;
	int rc;
	char *host;
	char port[16];
	struct addrinfo *res;
};

static void dns_unref(struct dns_job *j)
{
	bool last = false;

	pthread_mutex_lock(&j->mu);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->mu);
	if (!last)
		return;
	if (j->res)
		freeaddrinfo(j->res);
	free(j->host);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

static void *dns_run(void *arg)
{
	struct dns_job *j = arg;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(j->host, j->port, &hints, &res);

	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->res = res;
	j->done = true;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	dns_unref(j);
	return NULL;
}

static struct dns_job *dns_start(const char *host, int port)
{
	struct dns_job *j = xcalloc(1, sizeof(*j));
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t tid;

	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	j->host = xstrdup(host);
	snprintf(j->port, sizeof(j->port), "%d", port);
	j->refs = 2;
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &ta, dns_run, j) != 0)
		dns_run(j); /* no thread to spare: look it up here */
	pthread_attr_destroy(&ta);
	return j;
}

/* Returns 0 and *res (caller frees), a getaddrinfo error, or EAI_AGAIN
 * with *timed_out set (the deadline passed or the work was cancelled: a
 * condition variable cannot watch the cancel fd, hence the slices). */
static int dns_lookup(struct probe_conn *c, int port, int64_t deadline_ms, struct addrinfo **res,
                      bool *timed_out)
{
	struct dns_job *j = dns_start(c->opts->hostname, port);
	int rc = EAI_AGAIN;

	*res = NULL;
	pthread_mutex_lock(&j->mu);
	while (!j->done) {
		int64_t now = probe_conn_now_ms();
		int64_t until = deadline_ms;
		struct timespec ts = {0, 0};

		if (now >= deadline_ms || probe_conn_cancelled(c))
			break;
		if (until > now + PROBE_CONN_CANCEL_SLICE)
			until = now + PROBE_CONN_CANCEL_SLICE;
		ts.tv_sec = (time_t)(until / 1000);
		ts.tv_nsec = (long)(until % 1000) * 1000000;
		pthread_cond_timedwait(&j->cv, &j->mu, &ts);
	}
	*timed_out = !j->done;
	if (j->done) {
		rc = j->rc;
		*res = j->res;
		j->res = NULL;
	}
	pthread_mutex_unlock(&j->mu);
	dns_unref(j);
	return rc;
}

static int tcp_connect(struct probe_conn *c, int64_t deadline_ms, int *fd_out)
{
	struct addrinfo *res = NULL;
	bool dns_slow = false;
	char port[16];
	int e = 0;
	int rc = ERR_OK;

	snprintf(port, sizeof(port), "%d", c->opts->port ? c->opts->port : 22);
	rc = dns_lookup(c, c->opts->port ? c->opts->port : 22, deadline_ms, &res, &dns_slow);
	if (dns_slow) {
		rc = probe_conn_fail(c, PROBE_CONN_TIMEOUT, "looking up %s took too long",
		                     c->opts->hostname);
		goto out;
	}
	if (rc != 0) {
		rc = probe_conn_fail(c, PROBE_CONN_OFFLINE, "cannot resolve %s: %s",
		                     c->opts->hostname, gai_strerror(rc));
		goto out;
	}
	*fd_out = -1;
	for (struct addrinfo *ai = res; ai && *fd_out < 0; ai = ai->ai_next) {
		*fd_out = tcp_try(c, ai, deadline_ms, &e);
		if (e == ETIMEDOUT)
			break;
	}
	if (*fd_out >= 0)
		goto out;
	if (e == ETIMEDOUT)
		rc = probe_conn_fail(c, PROBE_CONN_TIMEOUT, "connect to %s port %s timed out",
		                     c->opts->hostname, port);
	else
		rc = probe_conn_fail(c, errno_offline(e) ? PROBE_CONN_OFFLINE : PROBE_CONN_ERROR,
		                     "connect to %s port %s: %s", c->opts->hostname, port,
		                     strerror(e));
out:
	if (res)
		freeaddrinfo(res);
	return rc;
}

/* ---- transport: proxy process ---- */

/* Values put into a proxy command in place of %h, %p, %r, %n: ssh does not
 * quote them either, so only plain names are accepted. */
static bool token_safe(const char *s)
{
	if (!s || !*s || *s == '-')
		return false;
	for (; *s; s++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@[]-",
		            *s))
			return false;
	}
	return true;
}

static int expand_proxy_command(struct probe_conn *c, struct strbuf *out)
{
	char port[16];

	snprintf(port, sizeof(port), "%d", c->opts->port ? c->opts->port : 22);
	for (const char *p = c->opts->proxy_command; *p; p++) {
		const char *val = NULL;

		if (*p != '%') {
			strbuf_putc(out, *p);
			continue;
		}
		switch (*++p) {
		case '%':
			val = "%";
			break;
		case 'h':
			val = c->opts->hostname;
			break;
		case 'p':
			val = port;
			break;
		case 'r':
			val = c->opts->user;
			break;
		case 'n':
			val = c->opts->alias ? c->opts->alias : c->opts->hostname;
			break;
		default:
			return probe_conn_fail(c, PROBE_CONN_ERROR,
			                       "ProxyCommand: unknown token %%%c", *p ? *p : ' ');
		}
		if (val != port && strcmp(val, "%") && !token_safe(val))
			return probe_conn_fail(
			    c, PROBE_CONN_ERROR,
			    "ProxyCommand: value for %%%c has characters unsafe in a shell", *p);
		strbuf_puts(out, val);
	}
	return ERR_OK;
}

/* The last hop of "a,b,user@c:22" (or ssh://user@c:22) split in parts. */
struct jump_hop {
	char *user, *host, *port;
};

static int parse_hop(const char *spec, struct jump_hop *h)
{
	char *s = xstrdup(strncmp(spec, "ssh://", 6) ? spec : spec + 6);
	char *host = s;
	char *at = strrchr(s, '@');
	char *colon = NULL;

	if (at) {
		*at = '\0';
		h->user = xstrdup(s);
		host = at + 1;
	}
	if (*host == '[' && (colon = strchr(host, ']')) != NULL) {
		*colon++ = '\0';
		host++;
		colon = *colon == ':' ? colon : NULL;
	} else {
		colon = strrchr(host, ':');
	}
	if (colon) {
		*colon = '\0';
		h->port = xstrdup(colon + 1);
	}
	h->host = xstrdup(host);
	free(s);
	if (!*h->host || (h->port && !*h->port))
		return ERR_CONFIG;
	return ERR_OK;
}

static void quoted(struct strbuf *sb, const char *word)
{
	strbuf_putc(sb, ' ');
	shquote_str(sb, word);
}

/* ProxyJump as OpenSSH turns it into a ProxyCommand:
 *   ssh [-l user] [-p port] [-J earlier,hops] [-F cfg] -W '[%h]:%p' lasthop
 * with every word quoted here, so nothing from the config reaches sh bare. */
static int jump_command(struct probe_conn *c, struct strbuf *out)
{
	const char *spec = c->opts->proxy_jump;
	const char *last = strrchr(spec, ',');
	struct jump_hop hop = {NULL, NULL, NULL};
	char *extra = last ? xstrndup(spec, (size_t)(last - spec)) : NULL;
	char *target = xasprintf("[%s]:%d", c->opts->hostname, c->opts->port ? c->opts->port : 22);
	int rc = parse_hop(last ? last + 1 : spec, &hop);

	if (rc != ERR_OK) {
		rc = probe_conn_fail(c, PROBE_CONN_ERROR, "ProxyJump: cannot parse '%s'", spec);
		goto out;
	}
	strbuf_puts(out, "exec ssh -o BatchMode=yes");
	if (c->opts->ssh_config) {
		quoted(out, "-F");
		quoted(out, c->opts->ssh_config);
	}
	if (hop.user) {
		quoted(out, "-l");
		quoted(out, hop.user);
	}
	if (hop.port) {
		quoted(out, "-p");
		quoted(out, hop.port);
	}
	if (extra) {
		quoted(out, "-J");
		quoted(out, extra);
	}
	quoted(out, "-W");
	quoted(out, target);
	quoted(out, "--");
	quoted(out, hop.host);
out:
	free(hop.user);
	free(hop.host);
	free(hop.port);
	free(extra);
	free(target);
	return rc;
}

static int spawn_proxy(struct probe_conn *c, const char *cmd, int *fd_out)
{
	int sv[2] = {-1, -1};
	int ep[2] = {-1, -1};
	char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int rc = ERR_OK;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(ep, O_CLOEXEC | O_NONBLOCK) < 0) {
		rc = probe_conn_fail(c, PROBE_CONN_ERROR, "proxy: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	                                    POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&c->proxy_pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		c->proxy_pid = 0;
		rc = probe_conn_fail(c, PROBE_CONN_ERROR, "proxy: cannot start /bin/sh: %s",
		                     strerror(rc));
		goto out;
	}
	*fd_out = sv[0];
	sv[0] = -1;
	c->proxy_err = ep[0];
	ep[0] = -1;
	probe_conn_detail_add(c, "proxy command", cmd);
out:
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	return rc;
}

void probe_transport_reap(struct probe_conn *c)
{
	int64_t until = 0;
	int status = 0;

	if (c->proxy_pid <= 0)
		goto out;
	kill(-c->proxy_pid, SIGTERM);
	until = probe_conn_now_ms() + (probe_conn_cancelled(c) ? PROXY_REAP_CANCELLED : PROXY_REAP);
	while (waitpid(c->proxy_pid, &status, WNOHANG) == 0) {
		if (probe_conn_now_ms() > until) {
			kill(-c->proxy_pid, SIGKILL);
			waitpid(c->proxy_pid, &status, 0);
			break;
		}
		usleep(5000);
	}
	c->proxy_pid = 0;
out:
	if (c->proxy_err >= 0) {
		probe_transport_drain(c);
		if (c->proxy_err >= 0)
			close(c->proxy_err);
		c->proxy_err = -1;
	}
}

static int open_transport(struct probe_conn *c, int64_t deadline_ms, int *fd)
{
	struct strbuf cmd = STRBUF_INIT;
	int rc = ERR_OK;

	if (c->opts->proxy_command) {
		strbuf_puts(&cmd, "exec "); /* as ssh does: the proxy replaces sh */
		rc = expand_proxy_command(c, &cmd);
	} else if (c->opts->proxy_jump)
		rc = jump_command(c, &cmd);
	else
		return tcp_connect(c, deadline_ms, fd);
	if (rc == ERR_OK)
		rc = spawn_proxy(c, strbuf_str(&cmd), fd);
	strbuf_free(&cmd);
	return rc;
}

/* ---- the server's first words ---- */

/* A handshake that ended early: what did the proxy say, if any? */
enum probe_conn_state probe_transport_verdict(struct probe_conn *c)
{
	const char *e = strbuf_str(&c->proxy_stderr);

	if (strstr(e, "Connection refused") || strstr(e, "No route to host") ||
	    strstr(e, "Could not resolve") || strstr(e, "Network is unreachable") ||
	    strstr(e, "Name or service not known"))
		return PROBE_CONN_OFFLINE;
	if (strstr(e, "timed out"))
		return PROBE_CONN_TIMEOUT;
	return PROBE_CONN_ERROR;
}

static int closed_early(struct probe_conn *c, int e)
{
	int rc = 0;

	usleep(20000); /* let a dying proxy finish its last line */
	probe_transport_drain(c);
	rc = probe_conn_fail(c, c->proxy_pid > 0 ? probe_transport_verdict(c) : PROBE_CONN_ERROR,
	                     "connection closed before the SSH banner%s%s", e ? ": " : "",
	                     e ? strerror(e) : "");
	probe_conn_detail_add(c, "proxy stderr", strbuf_str(&c->proxy_stderr));
	return rc;
}

/* The printable start of a line, for a reason text. */
static void first_line(char *out, size_t size, const char *buf, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n && buf[i] != '\n' && buf[i] != '\r' && j + 1 < size; i++)
		out[j++] = buf[i] >= ' ' && buf[i] < 127 ? buf[i] : '?';
	out[j] = '\0';
}

/* Looks (without reading) at what the server says first: an SSH server
 * starts with "SSH-". libssh would skip other lines (RFC 4253 allows them
 * before the version) and wait for the deadline; sshd never sends any, so
 * anything else is the wrong service: state error at once. */
static int banner_check(struct probe_conn *c, int fd, int64_t deadline_ms)
{
	char buf[128];
	char line[64];
	struct pollfd pfd[2] = {{fd, POLLIN, 0}, {-1, 0, 0}};
	nfds_t npfd = 1 + (nfds_t)probe_conn_cancel_pollfd(c, &pfd[1]);

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
		int64_t left = deadline_ms - probe_conn_now_ms();

		if (n > 0 && memcmp(buf, "SSH-", n < 4 ? (size_t)n : 4) != 0) {
			first_line(line, sizeof(line), buf, (size_t)n);
			return probe_conn_fail(c, PROBE_CONN_ERROR,
			                       "not an SSH server: it said \"%s\"", line);
		}
		if (n >= 4)
			return ERR_OK;
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			usleep(20000); /* let a dying proxy finish its last line */
			return closed_early(c, n < 0 ? errno : 0);
		}
		if (left <= 0 || probe_conn_cancelled(c))
			return probe_conn_fail(c, PROBE_CONN_TIMEOUT,
			                       "no SSH banner from %s within the deadline",
			                       c->opts->hostname);
		if (n > 0) /* a partial "SSH-": wait for the rest */
			usleep(10000);
		else if (poll(pfd, npfd,
		              (int)(left < PROBE_CONN_WAIT_SLICE ? left : PROBE_CONN_WAIT_SLICE)) <
		             0 &&
		         errno != EINTR)
			return probe_conn_fail(c, PROBE_CONN_ERROR, "poll: %s", strerror(errno));
		probe_transport_drain(c);
	}
}

int probe_transport_open(struct probe_conn *c, int64_t deadline_ms, int *fd)
{
	int rc = open_transport(c, deadline_ms, fd);

	if (rc == ERR_OK) {
		rc = banner_check(c, *fd, deadline_ms);
		if (rc != ERR_OK)
			close(*fd);
	}
	return rc;
}

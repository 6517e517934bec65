#include "probe/probe_local.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "embed/embed_probe_script.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"
#include "util/clock.h"

struct probe_local {
	pid_t pid; /* -1 once reaped */
	int fd;    /* our end of the socket pair, -1 once closed */
	char marker[PROBE_MARKER_SIZE];
	struct strbuf in; /* received, not yet consumed */
	size_t max_reply;
};

/* Kills the child's whole process group and reaps the child. */
static void kill_child(struct probe_local *pl)
{
	if (pl->fd >= 0)
		close(pl->fd);
	pl->fd = -1;
	if (pl->pid <= 0)
		return;
	kill(-pl->pid, SIGKILL);
	kill(pl->pid, SIGKILL);
	while (waitpid(pl->pid, NULL, 0) < 0 && errno == EINTR)
		;
	pl->pid = -1;
}

/* Closes every descriptor from 3 up: close_range(2) when the kernel has
 * it, else one by one up to maxfd (computed before fork). */
static void close_others(int maxfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return;
#endif
	for (int fd = 3; fd < maxfd; fd++)
		close(fd);
}

/* In the child between fork and exec: only async-signal-safe calls. */
static void child_exec(int sock, const char *shell, const char *path, int maxfd)
{
	int devnull = open("/dev/null", O_WRONLY);
	sigset_t none;

	/* the caller's blocked or ignored signals are not the script's */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	setpgid(0, 0);
	if (dup2(sock, 0) < 0 || dup2(sock, 1) < 0)
		_exit(127);
	if (devnull >= 0)
		dup2(devnull, 2);
	close_others(maxfd); /* nothing else of ours leaks into the script */
	if (path)
		execl(shell, "sh", "-s", "--", path, (char *)NULL);
	else
		execl(shell, "sh", "-s", (char *)NULL);
	_exit(127);
}

static int spawn(struct probe_local *pl, const struct probe_local_opts *o)
{
	const char *shell = o->shell ? o->shell : "/bin/sh";
	struct rlimit rl;
	int maxfd = 1024;
	int sv[2];
	pid_t pid;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		maxfd = rl.rlim_cur > 65536 ? 65536 : (int)rl.rlim_cur;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return err_set(ERR_IO, "local probe: socketpair: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return err_set(ERR_IO, "local probe: fork: %s", strerror(errno));
	}
	if (pid == 0)
		child_exec(sv[1], shell, o->opencode_path, maxfd);
	setpgid(pid, pid); /* also done by the child: whichever runs first */
	close(sv[1]);
	pl->pid = pid;
	pl->fd = sv[0];
	fcntl(pl->fd, F_SETFL, fcntl(pl->fd, F_GETFL) | O_NONBLOCK);
	return ERR_OK;
}

/* Waits for fd to be ready for events until deadline; 1 ready, 0 timeout. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = {fd, events, 0};
		int64_t left = deadline - clock_mono_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

static int fail(struct probe_local *pl, int code, const char *what)
{
	kill_child(pl);
	return err_set(code, "local probe: %s", what);
}

static int send_all(struct probe_local *pl, const char *data, size_t len, int64_t deadline)
{
	size_t off = 0;

	if (pl->fd < 0)
		return err_set(ERR_IO, "local probe: not running");
	while (off < len) {
		ssize_t n = send(pl->fd, data + off, len - off, MSG_NOSIGNAL);
		int w;

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return fail(pl, ERR_IO, "the script stopped reading");
		w = wait_fd(pl->fd, POLLOUT, deadline);
		if (w == 0)
			return fail(pl, ERR_TIMEOUT, "timed out sending to the script");
		if (w < 0)
			return fail(pl, ERR_IO, "poll failed");
	}
	return ERR_OK;
}

/* Reads what is available (waiting until deadline) into pl->in. */
static int read_some(struct probe_local *pl, int64_t deadline)
{
	char buf[65536];
	int w;

	for (;;) {
		ssize_t n = recv(pl->fd, buf, sizeof(buf), 0);

		if (n > 0) {
			strbuf_append(&pl->in, buf, (size_t)n);
			if (pl->in.len > pl->max_reply)
				return fail(pl, ERR_PROTO, "reply longer than the limit");
			return ERR_OK;
		}
		if (n == 0)
			return fail(pl, ERR_IO, "the script exited");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return fail(pl, ERR_IO, "read failed");
		w = wait_fd(pl->fd, POLLIN, deadline);
		if (w == 0)
			return fail(pl, ERR_TIMEOUT, "no reply before the deadline");
		if (w < 0)
			return fail(pl, ERR_IO, "poll failed");
	}
}

static void consume(struct probe_local *pl, size_t n)
{
	memmove(pl->in.buf, pl->in.buf + n, pl->in.len - n);
	pl->in.len -= n;
	pl->in.buf[pl->in.len] = '\0';
}

/* Waits for the ready line; drops it and anything before it. */
static int wait_ready(struct probe_local *pl, int64_t deadline)
{
	const char *line = PROBE_READY_LINE "\n";

	for (;;) {
		const char *hit =
		    pl->in.len ? memmem(pl->in.buf, pl->in.len, line, strlen(line)) : NULL;

		if (hit) {
			consume(pl, (size_t)(hit - pl->in.buf) + strlen(line));
			return ERR_OK;
		}
		if (read_some(pl, deadline) != ERR_OK)
			return err_last();
	}
}

int probe_local_start(struct probe_local **out, const struct probe_local_opts *opts, int timeout_ms)
{
	static const struct probe_local_opts none = {NULL, NULL, 0, NULL, 0};
	const struct probe_local_opts *o = opts ? opts : &none;
	int64_t deadline = clock_mono_ms() + timeout_ms;
	struct probe_local *pl = xcalloc(1, sizeof(*pl));
	const char *script = o->script ? o->script : embed_probe_script;
	size_t slen = o->script ? o->script_len : strlen(embed_probe_script);
	int rc;

	*out = NULL;
	pl->pid = -1;
	pl->fd = -1;
	pl->max_reply = o->max_reply ? o->max_reply : PROBE_REPLY_MAX;
	rc = probe_reply_new_marker(pl->marker);
	if (rc == ERR_OK)
		rc = spawn(pl, o);
	if (rc == ERR_OK)
		rc = send_all(pl, script, slen, deadline);
	if (rc == ERR_OK)
		rc = send_all(pl, "\n", 1, deadline);
	if (rc == ERR_OK)
		rc = wait_ready(pl, deadline);
	if (rc != ERR_OK) {
		probe_local_free(pl);
		return rc;
	}
	*out = pl;
	return ERR_OK;
}

/* Sends req (owned, freed here) and reads the framed reply. */
static int round_trip(struct probe_local *pl, char *req, int timeout_ms, char **reply, size_t *len)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;
	size_t scan = 0, n = 0;
	int rc;

	*reply = NULL;
	*len = 0;
	rc = send_all(pl, req, strlen(req), deadline);
	free(req);
	while (rc == ERR_OK) {
		n = pl->in.len ? probe_reply_find_end(pl->in.buf, pl->in.len, pl->marker, &scan)
		               : 0;
		if (n)
			break;
		rc = read_some(pl, deadline);
	}
	if (rc != ERR_OK)
		return rc;
	*reply = xstrndup(pl->in.buf, n);
	*len = n;
	consume(pl, n);
	return ERR_OK;
}

int probe_local_exchange(struct probe_local *pl, const char *last_token, const char *method,
                         int timeout_ms, char **reply, size_t *len)
{
	char *req = probe_reply_request(pl->marker, last_token, method);

	if (!req) {
		*reply = NULL;
		*len = 0;
		return err_set(ERR_USAGE, "local probe: bad request (method %s)",
		               method ? method : "-");
	}
	return round_trip(pl, req, timeout_ms, reply, len);
}

int probe_local_set_opencode_path(struct probe_local *pl, const char *path, int timeout_ms)
{
	char *req = probe_reply_set_path_request(pl->marker, path);
	char *reply = NULL;
	size_t len = 0;
	int rc;

	if (!req)
		return err_set(ERR_USAGE, "local probe: unusable opencode path");
	rc = round_trip(pl, req, timeout_ms, &reply, &len);
	if (rc == ERR_OK && (len < 8 || memcmp(reply + len - 8, " end ok\n", 8) != 0))
		rc = err_set(ERR_PROTO, "local probe: the script refused the opencode path");
	free(reply);
	return rc;
}

int probe_local_probe(struct probe_local *pl, const char *last_token, const char *method,
                      int timeout_ms, struct probe_result *r)
{
	char *reply = NULL;
	size_t len = 0;
	int rc = probe_local_exchange(pl, last_token, method, timeout_ms, &reply, &len);

	r->probed_at = clock_wall_ms();
	if (rc == ERR_OK)
		rc = probe_reply_decode(reply, len, pl->marker, r);
	if (rc != ERR_OK)
		probe_result_set_state(r, rc == ERR_TIMEOUT ? PROBE_HOST_TIMEOUT : PROBE_HOST_ERROR,
		                       err_text());
	free(reply);
	return rc;
}

const char *probe_local_marker(const struct probe_local *pl)
{
	return pl->marker;
}

pid_t probe_local_pid(const struct probe_local *pl)
{
	return pl->pid;
}

/* Gives a child that was asked to quit a moment to exit; 1 when reaped. */
static int reap_soon(struct probe_local *pl, int ms)
{
	int64_t deadline = clock_mono_ms() + ms;

	do {
		pid_t w = waitpid(pl->pid, NULL, WNOHANG);

		if (w == pl->pid || (w < 0 && errno != EINTR)) {
			pl->pid = -1;
			return 1;
		}
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
	} while (clock_mono_ms() < deadline);
	return 0;
}

void probe_local_free(struct probe_local *pl)
{
	if (!pl)
		return;
	if (pl->fd >= 0 && pl->pid > 0) {
		send(pl->fd, "quit\n", 5, MSG_NOSIGNAL | MSG_DONTWAIT);
		shutdown(pl->fd, SHUT_WR);
		reap_soon(pl, 1000);
	}
	kill_child(pl);
	strbuf_free(&pl->in);
	free(pl);
}

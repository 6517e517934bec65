/* Shared by the probe_conn tests (test_probe_conn.c and the tests of the
 * modules under it: probe_transport, probe_hostkey, probe_auth, probe_chan,
 * probe_exec): a scratch folder with keys, two sshd (the target and a jump
 * host), a silent and a garbage-speaking listener, each by PID; teardown
 * kills them by PID and removes the folder. Every connection has a
 * deadline, so a broken test fails instead of hanging. Include after
 * cmocka.h; each test program gets its own copy of these statics. */
#ifndef CODEFLEET_TEST_CONN_TESTLIB_H
#define CODEFLEET_TEST_CONN_TESTLIB_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "discovery/disc_sshcfg.h"
#include "probe/probe_conn.h"
#include "probe/probe_model.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

struct env {
	char dir[64];
	char user[64];
	int port;        /* target sshd */
	int jump_port;   /* jump sshd */
	int silent_port; /* listens, never accepts */
	int garbage_port;
	int refused_port;
	int silent_fd;
	pid_t sshd, jump_sshd, garbage, agent;
	char host_fp[128]; /* SHA256:... of the target's host key */
};

static struct env E;

/* ---- helpers ---- */

static __attribute__((unused)) char *path(const char *name)
{
	return xasprintf("%s/%s", E.dir, name);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static __attribute__((unused)) int sh(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	int rc = 0;

	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	rc = system(strbuf_str(&sb));
	strbuf_free(&sb);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static __attribute__((unused)) char *slurp(const char *file)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n = 0;
	FILE *fp = fopen(file, "r");

	if (fp) {
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
			strbuf_append(&sb, buf, n);
		fclose(fp);
	}
	strbuf_putc(&sb, '\0');
	sb.len--;
	return strbuf_take(&sb);
}

static __attribute__((unused)) void write_file(const char *file, const char *text)
{
	FILE *fp = fopen(file, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static __attribute__((unused)) int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static __attribute__((unused)) int listen_on(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static __attribute__((unused)) bool port_open(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = false;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static __attribute__((unused)) pid_t spawn(char *const argv[], char *const extra_env)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (extra_env)
			putenv(extra_env);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static __attribute__((unused)) void stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

static __attribute__((unused)) pid_t start_sshd(const char *name, int port, const char *hostkey)
{
	char *cfg = path(name);
	char *log = xasprintf("%s.log", cfg);
	char *pidf = xasprintf("%s.pid", cfg);
	char *ak = path("authorized_keys");
	char *text = xasprintf("ListenAddress 127.0.0.1\nPort %d\nHostKey %s/%s\nPidFile %s\n"
	                       "AuthorizedKeysFile %s\nStrictModes no\nUsePAM no\n"
	                       "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
	                       "PermitRootLogin yes\nLogLevel DEBUG1\nMaxSessions 10\n"
	                       "AllowTcpForwarding yes\n",
	                       port, E.dir, hostkey, pidf, ak);
	char *argv[] = {"/usr/sbin/sshd", "-D", "-f", cfg, "-E", log, NULL};
	pid_t pid = 0;

	write_file(cfg, text);
	pid = spawn(argv, NULL);
	for (int i = 0; i < 200 && !port_open(port); i++)
		usleep(20000);
	free(cfg);
	free(log);
	free(pidf);
	free(ak);
	free(text);
	return pid;
}

/* A listener that answers every connection with a non-SSH banner. */
static __attribute__((unused)) pid_t start_garbage(int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 1);
		dup2(null, 2);
		for (;;) {
			int c = accept(fd, NULL, NULL);
			const char *junk = "HTTP/1.1 400 Bad Request\r\n\r\n<html>nope</html>\r\n";

			if (c < 0)
				continue;
			if (write(c, junk, strlen(junk)) < 0)
				_exit(1);
			sleep(5); /* stays open: the client must give up by itself */
			close(c);
		}
	}
	return pid;
}

static __attribute__((unused)) void known_hosts_line(const char *file, const char *pubkey_name,
                                                     int port)
{
	char *pub = path(pubkey_name);
	char *key = slurp(pub);

	assert_true(strlen(key) > 10);
	{
		FILE *fp = fopen(file, "a");

		assert_non_null(fp);
		fprintf(fp, "[127.0.0.1]:%d %s", port, key);
		fclose(fp);
	}
	free(pub);
	free(key);
}

static __attribute__((unused)) int setup(void **state)
{
	struct passwd *pw = getpwuid(getuid());
	char *fp = NULL;
	int gfd = -1;

	(void)state;
	memset(&E, 0, sizeof(E));
	snprintf(E.dir, sizeof(E.dir), "/tmp/pconn.XXXXXX");
	if (!mkdtemp(E.dir) || !pw)
		return -1;
	snprintf(E.user, sizeof(E.user), "%s", pw->pw_name);
	mkdir("/run/sshd", 0755);
	if (sh("cd %s && ssh-keygen -q -t ed25519 -N '' -f hk && ssh-keygen -q -t ed25519 -N '' "
	       "-f hk2 && ssh-keygen -q -t ed25519 -N '' -f id && ssh-keygen -q -t ed25519 -N '' "
	       "-f id_agent && ssh-keygen -q -t ed25519 -N '' -f id_wrong && ssh-keygen -q -t "
	       "ed25519 -N secret -f id_enc && cat id.pub id_agent.pub id_enc.pub > "
	       "authorized_keys && ssh-keygen -lf hk.pub | cut -d' ' -f2 > hk.fp",
	       E.dir) != 0)
		return -1;
	fp = path("hk.fp");
	{
		char *t = slurp(fp);

		snprintf(E.host_fp, sizeof(E.host_fp), "%.*s", (int)strcspn(t, "\n"), t);
		free(t);
	}
	free(fp);
	E.port = free_port();
	E.jump_port = free_port();
	E.refused_port = free_port();
	E.silent_fd = listen_on(&E.silent_port);
	gfd = listen_on(&E.garbage_port);
	E.sshd = start_sshd("sshd_a", E.port, "hk");
	E.jump_sshd = start_sshd("sshd_b", E.jump_port, "hk2");
	E.garbage = start_garbage(gfd);
	close(gfd);
	probe_conn_global_init();
	return port_open(E.port) && port_open(E.jump_port) ? 0 : -1;
}

static __attribute__((unused)) int teardown(void **state)
{
	(void)state;
	stop(&E.sshd);
	stop(&E.jump_sshd);
	stop(&E.garbage);
	stop(&E.agent);
	close(E.silent_fd);
	if (getenv("KEEP_SCRATCH") == NULL)
		sh("rm -rf %s", E.dir);
	probe_conn_global_finish();
	return 0;
}

/* Options for the target sshd, known_hosts trusting its key. */
static __attribute__((unused)) struct probe_conn_opts *target_opts(const char *kh_name,
                                                                   const char *key)
{
	struct probe_conn_opts *o = xcalloc(1, sizeof(*o));

	o->alias = xstrdup("target");
	o->hostname = xstrdup("127.0.0.1");
	o->user = xstrdup(E.user);
	o->port = E.port;
	o->identity_agent = xstrdup("none");
	o->strict = PROBE_STRICT_YES;
	o->known_hosts = xcalloc(2, sizeof(char *));
	o->known_hosts[0] = path(kh_name ? kh_name : "kh_good");
	o->known_hosts[1] = path("kh_global_missing");
	o->n_known_hosts = 2;
	o->n_user_known_hosts = 1;
	if (key) {
		o->identity_files = xcalloc(1, sizeof(char *));
		o->identity_files[0] = path(key);
		o->n_identity_files = 1;
	}
	return o;
}

static __attribute__((unused)) void ensure_kh_good(void)
{
	char *kh = path("kh_good");

	if (access(kh, F_OK) != 0) {
		known_hosts_line(kh, "hk.pub", E.port);
		known_hosts_line(kh, "hk2.pub", E.jump_port);
	}
	free(kh);
}

static __attribute__((unused)) int open_with(struct probe_conn_opts *o, struct probe_conn **out,
                                             int ms)
{
	int rc = 0;

	*out = probe_conn_new(o);
	rc = probe_conn_open(*out, probe_conn_now_ms() + ms);
	if (rc != ERR_OK)
		printf("# open: %s: %s\n%s", probe_conn_state_name(probe_conn_state(*out)),
		       probe_conn_reason(*out), probe_conn_detail(*out));
	probe_conn_opts_free(o);
	return rc;
}

static __attribute__((unused)) size_t file_size(const char *name)
{
	char *p = path(name);
	struct stat st;
	size_t n = stat(p, &st) == 0 ? (size_t)st.st_size : 0;

	free(p);
	return n;
}

static __attribute__((unused)) int open_fds(void)
{
	char buf[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
		n += access(buf, F_OK) == 0;
	}
	return n;
}

/* The sshd log written since offset `from`. */
static __attribute__((unused)) char *log_since(const char *name, size_t from)
{
	char *p = path(name);
	char *all = slurp(p);
	char *out = xstrdup(strlen(all) > from ? all + from : "");

	free(p);
	free(all);
	return out;
}

/* ---- the probe channel ---- */

/* A stand-in probe script speaking the protocol, with misbehaving requests. */
static __attribute__((unused)) const char fake_script[] =
    "{\n"
    "echo 'codefleet-probe 1 ready'\n"
    "while IFS= read -r l; do\n"
    "  set -- $l\n"
    "  case $1 in\n"
    "  ping) printf 'pong\\n%s end ok\\n' \"$2\" ;;\n"
    "  big) head -c 3000000 /dev/zero | tr '\\0' x; printf '\\n%s end ok\\n' \"$2\" ;;\n"
    "  stall) printf 'half a repl'; sleep 30 ;;\n"
    "  die) exit 0 ;;\n"
    "  esac\n"
    "done\n"
    "}\n";

static __attribute__((unused)) void ping(struct probe_conn *c)
{
	char *line = xasprintf("ping %s", probe_conn_marker(c));
	char *reply = NULL;
	char *want = xasprintf("pong\n%s end ok\n", probe_conn_marker(c));
	size_t len = 0;

	assert_int_equal(
	    probe_conn_probe_request(c, line, 0, &reply, &len, probe_conn_now_ms() + 5000), ERR_OK);
	assert_int_equal(len, strlen(want));
	assert_string_equal(reply, want);
	free(reply);
	free(line);
	free(want);
}

static __attribute__((unused)) int request(struct probe_conn *c, const char *cmd, size_t cap,
                                           int ms)
{
	char *line = xasprintf("%s %s", cmd, probe_conn_marker(c));
	char *reply = NULL;
	size_t len = 0;
	int rc = probe_conn_probe_request(c, line, cap, &reply, &len, probe_conn_now_ms() + ms);

	free(reply);
	free(line);
	return rc;
}

/* What every main() does before cmocka_run_group_tests(tests, setup,
 * teardown): a dying proxy must not kill the test, and TEST_FILTER picks
 * tests (e.g. TEST_FILTER='test_keep*'). */
static __attribute__((unused)) void conn_test_init(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
}

#endif

/* probe_conn end to end, against real sshd processes on 127.0.0.1 (see
 * conn_testlib.h): a dropped session and reopening, keepalives, one
 * connection per thread, the cancel fd ending every kind of wait. The
 * steps of opening and the channels have their own tests:
 * test_probe_transport, _hostkey, _auth, _chan, _exec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conn_testlib.h"

static pid_t session_pid(struct probe_conn *c)
{
	struct probe_exec_result res;
	pid_t pid = 0;

	assert_int_equal(
	    probe_conn_exec(c, "echo $PPID", NULL, 0, 0, &res, probe_conn_now_ms() + 5000), ERR_OK);
	pid = (pid_t)atoi(strbuf_str(&res.out));
	probe_exec_result_free(&res);
	assert_true(pid > 1);
	return pid;
}

static void test_dropped_and_reopened(void **state)
{
	struct probe_conn *c = NULL;
	struct probe_exec_result res;
	int rc = 0;
	int fds = open_fds();

	(void)state;
	ensure_kh_good();
	assert_int_equal(open_with(target_opts(NULL, "id"), &c, 10000), ERR_OK);
	kill(session_pid(c), SIGKILL); /* the server side of our session dies */
	usleep(200000);
	rc = probe_conn_exec(c, "echo hi", NULL, 0, 0, &res, probe_conn_now_ms() + 3000);
	probe_exec_result_free(&res);
	assert_true(rc == ERR_NET);
	assert_false(probe_conn_is_open(c));
	assert_int_equal(probe_conn_state(c), PROBE_CONN_ERROR);
	assert_non_null(strstr(probe_conn_reason(c), "connection lost"));
	/* and it can be opened again */
	assert_int_equal(probe_conn_open(c, probe_conn_now_ms() + 10000), ERR_OK);
	assert_int_equal(
	    probe_conn_exec(c, "echo back", NULL, 0, 0, &res, probe_conn_now_ms() + 5000), ERR_OK);
	assert_string_equal(strbuf_str(&res.out), "back\n");
	probe_exec_result_free(&res);
	probe_conn_free(c);
	assert_int_equal(open_fds(), fds);
}

static void test_keepalive(void **state)
{
	struct probe_conn_opts *o = NULL;
	struct probe_conn *c = NULL;
	pid_t spid = 0;
	int64_t t0 = 0;
	int rc = ERR_OK;

	(void)state;
	ensure_kh_good();
	o = target_opts(NULL, "id");
	o->alive_interval_s = 1;
	o->alive_count_max = 2;
	assert_int_equal(open_with(o, &c, 10000), ERR_OK);
	t0 = probe_conn_now_ms();
	while (probe_conn_now_ms() - t0 < 2500) {
		assert_int_equal(probe_conn_keepalive(c), ERR_OK);
		usleep(100000);
	}
	/* the server stops answering: dead after CountMax missed intervals */
	spid = session_pid(c);
	kill(spid, SIGSTOP);
	t0 = probe_conn_now_ms();
	while ((rc = probe_conn_keepalive(c)) == ERR_OK && probe_conn_now_ms() - t0 < 8000)
		usleep(100000);
	kill(spid, SIGKILL);
	kill(spid, SIGCONT);
	assert_int_equal(rc, ERR_NET);
	assert_true(probe_conn_now_ms() - t0 < 6000); /* about 3 intervals */
	assert_non_null(strstr(probe_conn_reason(c), "keepalive"));
	/* an idle connection whose server side dies is noticed too */
	assert_int_equal(probe_conn_open(c, probe_conn_now_ms() + 10000), ERR_OK);
	kill(session_pid(c), SIGKILL);
	t0 = probe_conn_now_ms();
	while ((rc = probe_conn_keepalive(c)) == ERR_OK && probe_conn_now_ms() - t0 < 3000)
		usleep(50000);
	assert_int_equal(rc, ERR_NET);
	assert_false(probe_conn_is_open(c));
	probe_conn_free(c);
}

/* One connection per thread, all at once: each thread owns its own. */
static void *thread_conn(void *arg)
{
	struct probe_conn *c = probe_conn_new(arg);
	struct probe_exec_result res;
	intptr_t ok = 0;

	if (probe_conn_open(c, probe_conn_now_ms() + 20000) == ERR_OK &&
	    probe_conn_exec(c, "echo $$", NULL, 0, 0, &res, probe_conn_now_ms() + 10000) ==
	        ERR_OK) {
		ok = res.exit_status == 0 && res.out.len > 1;
		probe_exec_result_free(&res);
	}
	probe_conn_free(c);
	return (void *)ok;
}

static void test_threads(void **state)
{
	struct probe_conn_opts *o = NULL;
	pthread_t t[4];

	(void)state;
	ensure_kh_good();
	o = target_opts(NULL, "id");
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_conn, o), 0);
	for (int i = 0; i < 4; i++) {
		void *ok = NULL;

		pthread_join(t[i], &ok);
		assert_true(ok != NULL);
	}
	probe_conn_opts_free(o);
}

/* ---- the cancel fd ---- */

struct canceller {
	int wr;
	int after_ms;
};

static void *cancel_later(void *arg)
{
	struct canceller *k = arg;

	usleep((useconds_t)k->after_ms * 1000);
	if (write(k->wr, "x", 1) != 1)
		abort();
	return NULL;
}

/* Accepts one connection, sends an SSH banner and then nothing: the client
 * stalls in the key exchange, inside libssh's non-blocking steps. */
static void *banner_then_silence(void *arg)
{
	int lfd = *(int *)arg;
	int fd = accept(lfd, NULL, NULL);
	char buf[256];

	if (fd >= 0) {
		if (write(fd, "SSH-2.0-OpenSSH_9.2p1 stall\r\n", 29) != 29)
			abort();
		while (read(fd, buf, sizeof(buf)) > 0) /* until the client closes */
			;
		close(fd);
	}
	return NULL;
}

/* Runs step on c with a 20 s deadline, cancelled after 300 ms: it must
 * return ERR_TIMEOUT well before the deadline (2 s: loose on purpose). */
static void expect_cancelled(struct probe_conn *c, int (*step)(struct probe_conn *, int64_t),
                             const char *what)
{
	int p[2];
	struct canceller k;
	pthread_t t;
	int64_t t0 = probe_conn_now_ms();
	int rc;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	k.wr = p[1];
	k.after_ms = 300;
	probe_conn_set_cancel_fd(c, p[0]);
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &k), 0);
	rc = step(c, probe_conn_now_ms() + 20000);
	print_message("%s: cancelled after 300 ms, returned after %lld ms\n", what,
	              (long long)(probe_conn_now_ms() - t0));
	assert_int_equal(rc, ERR_TIMEOUT);
	assert_true(probe_conn_now_ms() - t0 < 2000);
	pthread_join(t, NULL);
	probe_conn_set_cancel_fd(c, -1);
	close(p[0]);
	close(p[1]);
}

static int step_open(struct probe_conn *c, int64_t deadline)
{
	return probe_conn_open(c, deadline);
}

static int step_exec(struct probe_conn *c, int64_t deadline)
{
	struct probe_exec_result res;
	int rc = probe_conn_exec(c, "sleep 30", NULL, 0, 0, &res, deadline);

	probe_exec_result_free(&res);
	return rc;
}

static int step_probe_start(struct probe_conn *c, int64_t deadline)
{
	static const char never_ready[] = "sleep 30\n";

	return probe_conn_probe_start(c, never_ready, sizeof(never_ready) - 1, NULL, deadline);
}

/* Every kind of wait ends soon after the cancel fd turns readable. */
static void test_cancel(void **state)
{
	struct probe_conn_opts *o = NULL;
	struct probe_conn *c = NULL;
	char *pidfile = NULL, *text = NULL;
	pthread_t t;
	int port = 0;
	int lfd = -1;
	int fds;

	(void)state;
	ensure_kh_good();
	fds = open_fds();
	/* waiting for a banner that never comes */
	o = target_opts(NULL, "id");
	o->port = E.silent_port;
	c = probe_conn_new(o);
	probe_conn_opts_free(o);
	expect_cancelled(c, step_open, "silent listener");
	assert_int_equal(probe_conn_state(c), PROBE_CONN_TIMEOUT);
	probe_conn_free(c);
	/* a key exchange that never ends (libssh's steps, polled by us) */
	lfd = listen_on(&port);
	assert_true(lfd >= 0);
	assert_int_equal(pthread_create(&t, NULL, banner_then_silence, &lfd), 0);
	o = target_opts(NULL, "id");
	o->port = port;
	c = probe_conn_new(o);
	probe_conn_opts_free(o);
	expect_cancelled(c, step_open, "key exchange");
	probe_conn_free(c); /* the stub sees the close and ends */
	pthread_join(t, NULL);
	close(lfd);
	/* channels on a good connection: a command and a script that hang */
	o = target_opts(NULL, "id");
	c = probe_conn_new(o);
	probe_conn_opts_free(o);
	assert_int_equal(probe_conn_open(c, probe_conn_now_ms() + 10000), ERR_OK);
	expect_cancelled(c, step_exec, "exec channel");
	assert_true(probe_conn_is_open(c)); /* only the command was abandoned */
	expect_cancelled(c, step_probe_start, "probe channel");
	assert_false(probe_conn_probe_running(c));
	probe_conn_free(c);
	/* a proxy that ignores SIGTERM: killed without its grace, and reaped */
	pidfile = path("cancel_proxy.pid");
	o = target_opts(NULL, "id");
	o->proxy_command = xasprintf("sh -c 'echo $$ >%s; trap \"\" TERM; exec sleep 60'", pidfile);
	c = probe_conn_new(o);
	probe_conn_opts_free(o);
	expect_cancelled(c, step_open, "proxy");
	probe_conn_free(c);
	text = slurp(pidfile);
	assert_true(atoi(text) > 0);
	assert_int_equal(kill(atoi(text), 0), -1); /* a zombie would still answer */
	free(text);
	free(pidfile);
	assert_int_equal(open_fds(), fds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dropped_and_reopened),
	    cmocka_unit_test(test_keepalive),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_cancel),
	};

	conn_test_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}

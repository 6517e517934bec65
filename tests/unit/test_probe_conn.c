/* probe_conn end to end, against real sshd processes on 127.0.0.1 (see
 * conn_testlib.h): a dropped session and reopening, keepalives, one
 * connection per thread. The steps of opening and the channels have their
 * own tests: test_probe_transport, _hostkey, _auth, _chan, _exec. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dropped_and_reopened),
	    cmocka_unit_test(test_keepalive),
	    cmocka_unit_test(test_threads),
	};

	conn_test_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}

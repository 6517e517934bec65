/* probe_chan against the target sshd (see conn_testlib.h): a stand-in
 * probe script for caps, stalls and a dying shell, then the real one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conn_testlib.h"

static void test_deadlines_and_caps(void **state)
{
	struct probe_conn *c = NULL;
	struct probe_exec_result res;
	int64_t t0 = 0;

	(void)state;
	ensure_kh_good();
	assert_int_equal(open_with(target_opts(NULL, "id"), &c, 10000), ERR_OK);
	/* an exec sleeping past its deadline is abandoned on time */
	t0 = probe_conn_now_ms();
	assert_int_equal(
	    probe_conn_exec(c, "echo started; exec sleep 30", NULL, 0, 0, &res, t0 + 2000),
	    ERR_TIMEOUT);
	assert_true(probe_conn_now_ms() - t0 >= 2000);
	assert_true(probe_conn_now_ms() - t0 < 3000); /* deadline + 1 s */
	assert_string_equal(strbuf_str(&res.out), "started\n");
	assert_int_equal(res.exit_status, -1);
	probe_exec_result_free(&res);
	assert_true(probe_conn_is_open(c));
	/* (the command is sent SIGKILL through a "signal" request; sshd refuses
	 * those for root logins, so this test, run as root, cannot see it) */
	/* a reply over the cap is an error; the connection stays usable */
	assert_int_equal(probe_conn_probe_start(c, fake_script, strlen(fake_script), NULL,
	                                        probe_conn_now_ms() + 5000),
	                 ERR_OK);
	assert_int_equal(request(c, "big", 1000000, 10000), ERR_PROTO);
	assert_false(probe_conn_probe_running(c));
	assert_true(probe_conn_is_open(c));
	/* ... and under the default cap the same reply is fine */
	assert_int_equal(probe_conn_probe_start(c, fake_script, strlen(fake_script), NULL,
	                                        probe_conn_now_ms() + 5000),
	                 ERR_OK);
	assert_int_equal(request(c, "big", 0, 10000), ERR_OK);
	/* a reply that stalls half way: timeout at the deadline */
	t0 = probe_conn_now_ms();
	assert_int_equal(request(c, "stall", 0, 1000), ERR_TIMEOUT);
	assert_true(probe_conn_now_ms() - t0 < 2000);
	assert_false(probe_conn_probe_running(c));
	/* the shell ending is seen as such */
	assert_int_equal(probe_conn_probe_start(c, fake_script, strlen(fake_script), NULL,
	                                        probe_conn_now_ms() + 5000),
	                 ERR_OK);
	assert_int_equal(request(c, "die", 0, 5000), ERR_REMOTE);
	/* a request with a line break is refused before sending */
	assert_int_equal(probe_conn_probe_start(c, fake_script, strlen(fake_script), NULL,
	                                        probe_conn_now_ms() + 5000),
	                 ERR_OK);
	assert_int_equal(request(c, "ping\nquit", 0, 5000), ERR_USAGE);
	ping(c);
	probe_conn_free(c);
}

static void test_real_probe_script(void **state)
{
	struct probe_conn *c = NULL;
	struct probe_result *r = probe_result_new();
	char *home = path("home");
	char *cmd = NULL;
	struct probe_exec_result res;

	(void)state;
	ensure_kh_good();
	assert_int_equal(open_with(target_opts(NULL, "id"), &c, 10000), ERR_OK);
	assert_int_equal(probe_conn_probe_start(c, NULL, 0, "/nonexistent/opencode",
	                                        probe_conn_now_ms() + 10000),
	                 ERR_OK);
	assert_int_equal(probe_conn_probe(c, NULL, NULL, r, probe_conn_now_ms() + 20000), ERR_OK);
	assert_true(r->probed_at > 0);
	probe_result_free(r);
	/* the probe channel is still there for the next round */
	assert_true(probe_conn_probe_running(c));
	cmd = xasprintf("test -d /");
	assert_int_equal(probe_conn_exec(c, cmd, NULL, 0, 0, &res, probe_conn_now_ms() + 5000),
	                 ERR_OK);
	assert_int_equal(res.exit_status, 0);
	probe_exec_result_free(&res);
	free(cmd);
	free(home);
	probe_conn_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deadlines_and_caps),
	    cmocka_unit_test(test_real_probe_script),
	};

	conn_test_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}

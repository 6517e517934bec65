/* probe_exec against the target sshd (see conn_testlib.h): exit status,
 * stdin, quoted argv, the output cap, several commands at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conn_testlib.h"

static void test_key_file_and_exec(void **state)
{
	struct probe_conn *c = NULL;
	struct probe_exec_result res;

	(void)state;
	ensure_kh_good();
	assert_int_equal(open_with(target_opts(NULL, "id"), &c, 10000), ERR_OK);
	assert_int_equal(probe_conn_state(c), PROBE_CONN_OK);
	assert_string_equal(probe_conn_state_name(probe_conn_state(c)), "ok");
	assert_string_equal(probe_conn_fingerprint(c), E.host_fp);
	assert_int_equal(probe_conn_exec(c, "echo hi; echo oops >&2; exit 3", NULL, 0, 0, &res,
	                                 probe_conn_now_ms() + 5000),
	                 ERR_OK);
	assert_string_equal(strbuf_str(&res.out), "hi\n");
	assert_string_equal(strbuf_str(&res.err), "oops\n");
	assert_int_equal(res.exit_status, 3);
	probe_exec_result_free(&res);
	/* stdin is delivered and closed */
	assert_int_equal(probe_conn_exec(c, "tr a-z A-Z", "quoted 'it'\n", 12, 0, &res,
	                                 probe_conn_now_ms() + 5000),
	                 ERR_OK);
	assert_string_equal(strbuf_str(&res.out), "QUOTED 'IT'\n");
	assert_int_equal(res.exit_status, 0);
	probe_exec_result_free(&res);
	/* argv form: hostile words stay words */
	{
		const char *const cmd[] = {"printf", "%s|", NULL};
		const char *const args[] = {"$(touch /tmp/pconn-pwned)", "it's", "-rf", "a b",
		                            NULL};

		assert_int_equal(
		    probe_conn_exec_argv(c, cmd, args, 0, &res, probe_conn_now_ms() + 5000),
		    ERR_OK);
		assert_string_equal(strbuf_str(&res.out),
		                    "--|$(touch /tmp/pconn-pwned)|it's|-rf|a b|");
		assert_int_equal(access("/tmp/pconn-pwned", F_OK), -1);
		probe_exec_result_free(&res);
	}
	/* output over the cap is cut, not grown */
	assert_int_equal(probe_conn_exec(c, "head -c 100000 /dev/zero", NULL, 0, 1000, &res,
	                                 probe_conn_now_ms() + 5000),
	                 ERR_OK);
	assert_int_equal(res.out.len, 1000);
	assert_true(res.truncated);
	probe_exec_result_free(&res);
	probe_conn_free(c);
}

static void test_channels_at_once(void **state)
{
	struct probe_conn *c = NULL;
	struct probe_exec *x[3] = {NULL, NULL, NULL};
	struct probe_exec_result res;
	int64_t t0 = 0;
	int64_t deadline = 0;

	(void)state;
	ensure_kh_good();
	assert_int_equal(open_with(target_opts(NULL, "id"), &c, 10000), ERR_OK);
	assert_int_equal(probe_conn_probe_start(c, fake_script, strlen(fake_script), NULL,
	                                        probe_conn_now_ms() + 5000),
	                 ERR_OK);
	ping(c);
	t0 = probe_conn_now_ms();
	deadline = t0 + 15000;
	for (int i = 0; i < 3; i++) {
		char *cmd = xasprintf("sleep 2; echo %d", i);

		assert_int_equal(probe_conn_exec_start(c, cmd, NULL, 0, 0, &x[i], deadline),
		                 ERR_OK);
		free(cmd);
	}
	ping(c); /* the probe channel answers while the three run */
	while (!(probe_exec_done(x[0]) && probe_exec_done(x[1]) && probe_exec_done(x[2])))
		assert_int_equal(probe_conn_exec_wait(c, deadline), ERR_OK);
	assert_true(probe_conn_now_ms() - t0 < 5000); /* in parallel: 2 s, not 6 s */
	for (int i = 0; i < 3; i++) {
		char want[16];

		snprintf(want, sizeof(want), "%d\n", i);
		probe_exec_finish(x[i], &res);
		assert_string_equal(strbuf_str(&res.out), want);
		assert_int_equal(res.exit_status, 0);
		probe_exec_result_free(&res);
	}
	ping(c);
	probe_conn_probe_stop(c);
	probe_conn_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_file_and_exec),
	    cmocka_unit_test(test_channels_at_once),
	};

	conn_test_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}

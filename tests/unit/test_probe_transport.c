/* probe_transport through probe_conn_open (see conn_testlib.h): refused,
 * unresolvable, out of time, a silent listener, a garbage banner,
 * ProxyCommand and ProxyJump through the jump sshd, proxies that fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conn_testlib.h"

static char *write_jump_config(void)
{
	char *cfg = path("ssh_config");
	char *text = xasprintf("Host jump jump2\n  HostName 127.0.0.1\n  Port %d\n  User %s\n"
	                       "  IdentityFile %s/id\n  IdentitiesOnly yes\n"
	                       "  UserKnownHostsFile %s/kh_good\n  StrictHostKeyChecking yes\n"
	                       "  BatchMode yes\n",
	                       E.jump_port, E.user, E.dir, E.dir);

	write_file(cfg, text);
	free(text);
	return cfg;
}

static void exec_echo(struct probe_conn *c, const char *want)
{
	struct probe_exec_result res;

	assert_int_equal(probe_conn_exec(c, "echo \"$SSH_CONNECTION\"", NULL, 0, 0, &res,
	                                 probe_conn_now_ms() + 5000),
	                 ERR_OK);
	/* the target sees the jump host's connection, from 127.0.0.1 */
	assert_non_null(strstr(strbuf_str(&res.out), want));
	probe_exec_result_free(&res);
}

static void test_offline(void **state)
{
	struct probe_conn_opts *o = target_opts(NULL, "id");
	struct probe_conn *c = NULL;

	(void)state;
	o->port = E.refused_port;
	assert_int_equal(open_with(o, &c, 5000), ERR_NET);
	assert_string_equal(probe_conn_state_name(probe_conn_state(c)), "offline");
	assert_non_null(strstr(probe_conn_reason(c), "refused"));
	probe_conn_free(c);
	o = target_opts(NULL, "id");
	free(o->hostname);
	o->hostname = xstrdup("no-such-host.invalid");
	assert_int_equal(open_with(o, &c, 5000), ERR_NET);
	assert_int_equal(probe_conn_state(c), PROBE_CONN_OFFLINE);
	probe_conn_free(c);
	/* no time left at all: timeout, and the abandoned lookup cleans up */
	o = target_opts(NULL, "id");
	free(o->hostname);
	o->hostname = xstrdup("localhost");
	assert_int_equal(open_with(o, &c, 0), ERR_TIMEOUT);
	assert_int_equal(probe_conn_state(c), PROBE_CONN_TIMEOUT);
	probe_conn_free(c);
	usleep(100000);
}

static void test_silent_listener_times_out(void **state)
{
	struct probe_conn_opts *o = target_opts(NULL, "id");
	struct probe_conn *c = NULL;
	int64_t t0 = probe_conn_now_ms();

	(void)state;
	o->port = E.silent_port;
	assert_int_equal(open_with(o, &c, 1500), ERR_TIMEOUT);
	assert_string_equal(probe_conn_state_name(probe_conn_state(c)), "timeout");
	assert_true(probe_conn_now_ms() - t0 >= 1400);
	assert_true(probe_conn_now_ms() - t0 < 2500);
	probe_conn_free(c);
	/* ConnectTimeout shortens the caller's deadline */
	o = target_opts(NULL, "id");
	o->port = E.silent_port;
	o->connect_timeout_s = 1;
	t0 = probe_conn_now_ms();
	assert_int_equal(open_with(o, &c, 30000), ERR_TIMEOUT);
	assert_true(probe_conn_now_ms() - t0 < 2000);
	probe_conn_free(c);
}

static void test_garbage_banner(void **state)
{
	struct probe_conn_opts *o = target_opts(NULL, "id");
	struct probe_conn *c = NULL;
	int64_t t0 = probe_conn_now_ms();

	(void)state;
	o->port = E.garbage_port;
	assert_int_equal(open_with(o, &c, 10000), ERR_PROTO);
	assert_string_equal(probe_conn_state_name(probe_conn_state(c)), "error");
	assert_true(probe_conn_now_ms() - t0 < 4000); /* at once, not at the deadline */
	assert_non_null(strstr(probe_conn_reason(c), "HTTP/1.1 400"));
	probe_conn_free(c);
}

static void test_proxy_command_and_jump(void **state)
{
	char *cfg = NULL;
	struct probe_conn_opts *o = NULL;
	struct probe_conn *c = NULL;
	char want[32];
	size_t at = 0;
	char *log = NULL;

	int fds = open_fds();

	(void)state;
	ensure_kh_good();
	cfg = write_jump_config();
	snprintf(want, sizeof(want), " %d", E.port);
	/* ProxyCommand through the jump sshd */
	o = target_opts(NULL, "id");
	o->proxy_command = xasprintf("ssh -F %s -W [%%h]:%%p jump", cfg);
	at = file_size("sshd_b.log");
	assert_int_equal(open_with(o, &c, 15000), ERR_OK);
	exec_echo(c, want);
	probe_conn_free(c);
	usleep(200000);
	log = log_since("sshd_b.log", at);
	assert_non_null(strstr(log, "Accepted publickey"));
	free(log);
	/* ProxyJump, one hop and two hops */
	o = target_opts(NULL, "id");
	o->proxy_jump = xstrdup("jump");
	o->ssh_config = xstrdup(cfg);
	assert_int_equal(open_with(o, &c, 15000), ERR_OK);
	exec_echo(c, want);
	probe_conn_free(c);
	o = target_opts(NULL, "id");
	o->proxy_jump = xstrdup("jump,jump2");
	o->ssh_config = xstrdup(cfg);
	assert_int_equal(open_with(o, &c, 15000), ERR_OK);
	exec_echo(c, want);
	probe_conn_free(c);
	/* a jump to a refused port: offline, with ssh's words in the detail */
	o = target_opts(NULL, "id");
	o->port = E.refused_port;
	o->proxy_jump = xstrdup("jump");
	o->ssh_config = xstrdup(cfg);
	assert_int_equal(open_with(o, &c, 15000), ERR_NET);
	assert_int_equal(probe_conn_state(c), PROBE_CONN_OFFLINE);
	probe_conn_free(c);
	/* a hostname that would be unsafe in the proxy command is refused */
	o = target_opts(NULL, "id");
	free(o->hostname);
	o->hostname = xstrdup("x;touch /tmp/pwned");
	o->proxy_command = xstrdup("ssh -W %h:%p jump");
	assert_int_equal(open_with(o, &c, 5000), ERR_PROTO);
	assert_non_null(strstr(probe_conn_reason(c), "unsafe"));
	probe_conn_free(c);
	free(cfg);
	assert_int_equal(open_fds(), fds); /* sockets, pipes: all closed */
}

/* Proxies that fail: their words decide the state, and are kept. */
static void test_proxy_fails(void **state)
{
	struct probe_conn_opts *o = NULL;
	struct probe_conn *c = NULL;
	int fds = open_fds();

	(void)state;
	/* a proxy that reports a refused connection and exits: offline */
	o = target_opts(NULL, "id");
	o->proxy_command = xstrdup("echo 'connect to host x port 22: Connection refused' >&2");
	assert_int_equal(open_with(o, &c, 5000), ERR_NET);
	assert_int_equal(probe_conn_state(c), PROBE_CONN_OFFLINE);
	assert_non_null(strstr(probe_conn_reason(c), "closed before the SSH banner"));
	assert_non_null(strstr(probe_conn_detail(c), "proxy stderr: connect to host x"));
	probe_conn_free(c);
	/* any other death: error, with what it said */
	o = target_opts(NULL, "id");
	o->proxy_command = xstrdup("echo oops >&2; exit 1");
	assert_int_equal(open_with(o, &c, 5000), ERR_PROTO);
	assert_int_equal(probe_conn_state(c), PROBE_CONN_ERROR);
	assert_non_null(strstr(probe_conn_detail(c), "proxy stderr: oops"));
	probe_conn_free(c);
	/* a proxy that speaks something else than SSH */
	o = target_opts(NULL, "id");
	o->proxy_command = xstrdup("printf 'hello there\\r\\n'; sleep 5");
	assert_int_equal(open_with(o, &c, 5000), ERR_PROTO);
	assert_non_null(strstr(probe_conn_reason(c), "not an SSH server: it said \"hello there\""));
	probe_conn_free(c);
	/* an unknown token, a ProxyJump that does not parse */
	o = target_opts(NULL, "id");
	o->proxy_command = xstrdup("nc %z");
	assert_int_equal(open_with(o, &c, 5000), ERR_PROTO);
	assert_non_null(strstr(probe_conn_reason(c), "unknown token %z"));
	probe_conn_free(c);
	o = target_opts(NULL, "id");
	o->proxy_jump = xstrdup("jump,user@");
	assert_int_equal(open_with(o, &c, 5000), ERR_PROTO);
	assert_non_null(strstr(probe_conn_reason(c), "ProxyJump: cannot parse"));
	probe_conn_free(c);
	assert_int_equal(open_fds(), fds); /* the proxies' sockets and pipes */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offline),        cmocka_unit_test(test_silent_listener_times_out),
	    cmocka_unit_test(test_garbage_banner), cmocka_unit_test(test_proxy_command_and_jump),
	    cmocka_unit_test(test_proxy_fails),
	};

	conn_test_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}

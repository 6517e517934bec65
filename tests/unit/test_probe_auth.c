/* probe_auth against the target sshd (see conn_testlib.h): identity
 * files, the agent, IdentitiesOnly, encrypted keys, nothing accepted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conn_testlib.h"

static void test_agent(void **state)
{
	char *sock = path("agent.sock");
	char *env = xasprintf("SSH_AUTH_SOCK=%s", sock);
	char *argv[] = {"/usr/bin/ssh-agent", "-D", "-a", sock, NULL};
	struct probe_conn_opts *o = NULL;
	struct probe_conn *c = NULL;

	(void)state;
	ensure_kh_good();
	E.agent = spawn(argv, NULL);
	for (int i = 0; i < 100 && access(sock, F_OK) != 0; i++)
		usleep(20000);
	assert_int_equal(sh("SSH_AUTH_SOCK=%s ssh-add -q %s/id_agent 2>/dev/null", sock, E.dir), 0);
	/* only the agent holds an accepted key; the file offered is refused */
	o = target_opts(NULL, "id_wrong");
	free(o->identity_agent);
	o->identity_agent = xstrdup(sock);
	assert_int_equal(open_with(o, &c, 10000), ERR_OK);
	probe_conn_free(c);
	/* IdentityAgent none: the agent is not asked */
	assert_int_equal(open_with(target_opts(NULL, "id_wrong"), &c, 10000), ERR_AUTH);
	assert_int_equal(probe_conn_state(c), PROBE_CONN_AUTH_REQUIRED);
	probe_conn_free(c);
	/* IdentitiesOnly: the agent is not asked for unlisted keys */
	o = target_opts(NULL, "id_wrong");
	free(o->identity_agent);
	o->identity_agent = xstrdup(sock);
	o->identities_only = true;
	assert_int_equal(open_with(o, &c, 10000), ERR_AUTH);
	assert_null(strstr(probe_conn_detail(c), "agent: "));
	probe_conn_free(c);
	/* $SSH_AUTH_SOCK is used when IdentityAgent is unset */
	o = target_opts(NULL, NULL);
	free(o->identity_agent);
	o->identity_agent = NULL;
	setenv("SSH_AUTH_SOCK", sock, 1);
	assert_int_equal(open_with(o, &c, 10000), ERR_OK);
	unsetenv("SSH_AUTH_SOCK");
	probe_conn_free(c);
	stop(&E.agent);
	free(sock);
	free(env);
}

static void test_auth_required(void **state)
{
	struct probe_conn *c = NULL;

	(void)state;
	ensure_kh_good();
	assert_int_equal(open_with(target_opts(NULL, "id_wrong"), &c, 10000), ERR_AUTH);
	assert_string_equal(probe_conn_state_name(probe_conn_state(c)), "auth-required");
	assert_non_null(strstr(probe_conn_detail(c), "id_wrong: denied"));
	assert_false(probe_conn_is_open(c));
	probe_conn_free(c);
	/* an encrypted key is never prompted for: skipped with a reason */
	assert_int_equal(open_with(target_opts(NULL, "id_enc"), &c, 10000), ERR_AUTH);
	assert_non_null(strstr(probe_conn_detail(c), "encrypted"));
	probe_conn_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_agent),
	    cmocka_unit_test(test_auth_required),
	};

	conn_test_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}

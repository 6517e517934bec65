#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_kw.h"

/* Lexes and parses one line; returns whether the value was accepted. */
static bool parse_line(const char *line, struct disc_kw_value *v)
{
	struct disc_line l;
	char *why = NULL;
	bool ok;

	assert_int_equal(disc_lex_line(line, &l), DISC_LEX_OK);
	ok = disc_kw_parse(&l, v, &why);
	assert_true(ok || why != NULL);
	free(why);
	disc_lex_free(&l);
	return ok;
}

static void test_convtime(void **state)
{
	(void)state;
	assert_int_equal(disc_kw_convtime("90"), 90);
	assert_int_equal(disc_kw_convtime("1h30m"), 5400);
	assert_int_equal(disc_kw_convtime("1W1D1S"), 604800 + 86400 + 1);
	assert_int_equal(disc_kw_convtime("5x"), -1);
	assert_int_equal(disc_kw_convtime("-5"), -1);
	assert_int_equal(disc_kw_convtime(""), -1);
	assert_int_equal(disc_kw_convtime("99999999999"), -1);
}

static void test_port(void **state)
{
	(void)state;
	assert_int_equal(disc_kw_port("2222"), 2222);
	assert_int_equal(disc_kw_port("0"), -1);
	assert_int_equal(disc_kw_port("65536"), -1);
	assert_int_equal(disc_kw_port("abc"), -1);
	assert_int_equal(disc_kw_port("ssh"), 22);
}

static void test_lookup(void **state)
{
	(void)state;
	assert_int_equal(disc_kw_lookup("hostname"), DISC_KW_HOSTNAME);
	assert_int_equal(disc_kw_lookup("identityfile2"), DISC_KW_IDENTITYFILE);
	assert_int_equal(disc_kw_lookup("compression"), DISC_KW_OTHER);
	assert_int_equal(disc_kw_lookup("nosuchoption"), DISC_KW_UNKNOWN);
}

static void test_values_checked(void **state)
{
	struct disc_kw_value v;

	(void)state;
	assert_true(parse_line("BatchMode YES\n", &v));
	assert_int_equal(v.num, 1);
	disc_kw_value_free(&v);
	assert_false(parse_line("BatchMode maybe\n", &v));
	disc_kw_value_free(&v);
	assert_false(parse_line("Port abc\n", &v));
	disc_kw_value_free(&v);
	assert_false(parse_line("Port 22 23\n", &v));
	disc_kw_value_free(&v);
	assert_true(parse_line("StrictHostKeyChecking accept-new\n", &v));
	assert_int_equal(v.num, DISC_SHKC_NEW);
	disc_kw_value_free(&v);
	assert_true(parse_line("ConnectTimeout none\n", &v));
	assert_int_equal(v.num, -1);
	disc_kw_value_free(&v);
	/* Known keywords that codefleet does not keep are still checked. */
	assert_false(parse_line("Compression sometimes\n", &v));
	disc_kw_value_free(&v);
	assert_false(parse_line("UserKnownHostsFile a none\n", &v));
	disc_kw_value_free(&v);
	assert_true(parse_line("UserKnownHostsFile a \"b c\"\n", &v));
	assert_int_equal(v.list.n, 2);
	assert_string_equal(v.list.v[1], "b c");
	disc_kw_value_free(&v);
}

static void test_proxy_values(void **state)
{
	struct disc_kw_value v;

	(void)state;
	assert_true(parse_line("ProxyCommand = nc %h %p # kept\n", &v));
	assert_string_equal(v.str, "nc %h %p # kept");
	disc_kw_value_free(&v);
	assert_true(parse_line("ProxyJump a,u@b:2200\n", &v));
	assert_string_equal(v.jump_host, "b");
	assert_string_equal(v.jump_user, "u");
	assert_int_equal(v.jump_port, 2200);
	assert_string_equal(v.jump_extra, "a");
	disc_kw_value_free(&v);
	assert_true(parse_line("ProxyJump ssh://ops@jump.example:2022\n", &v));
	assert_string_equal(v.jump_host, "jump.example");
	assert_int_equal(v.jump_port, 2022);
	disc_kw_value_free(&v);
	assert_true(parse_line("ProxyJump [fe80::1]:22\n", &v));
	assert_string_equal(v.jump_host, "fe80::1");
	disc_kw_value_free(&v);
	assert_false(parse_line("ProxyJump a:0\n", &v));
	disc_kw_value_free(&v);
	assert_false(parse_line("ProxyJump @host\n", &v));
	disc_kw_value_free(&v);
	assert_true(parse_line("ProxyJump none\n", &v));
	assert_string_equal(v.jump_host, "none");
	disc_kw_value_free(&v);
}

static void test_destination(void **state)
{
	char *user = NULL, *host = NULL;
	int port = 0;

	(void)state;
	assert_true(disc_kw_destination("ssh://bob@h.example:2022", &user, &host, &port));
	assert_string_equal(user, "bob");
	assert_string_equal(host, "h.example");
	assert_int_equal(port, 2022);
	free(user);
	free(host);
	/* Outside a URI the last '@' splits and the rest stays verbatim. */
	assert_true(disc_kw_destination("a@b@h:22", &user, &host, &port));
	assert_string_equal(user, "a@b");
	assert_string_equal(host, "h:22");
	assert_int_equal(port, -1);
	free(user);
	free(host);
	assert_true(disc_kw_destination("plain", &user, &host, &port));
	assert_null(user);
	free(host);
	assert_false(disc_kw_destination("@h", &user, &host, &port));
	assert_false(disc_kw_destination("ssh://h/path", &user, &host, &port));
	assert_null(host);
}

static void test_agent_env_checked(void **state)
{
	struct disc_kw_value v;

	(void)state;
	unsetenv("CF_NO_SUCH_VAR");
	assert_false(parse_line("IdentityAgent ${CF_NO_SUCH_VAR}/sock\n", &v));
	disc_kw_value_free(&v);
	assert_true(parse_line("IdentityAgent ~/%h.sock\n", &v));
	disc_kw_value_free(&v);
	assert_true(parse_line("ForwardAgent no\n", &v));
	assert_null(v.str);
	assert_int_equal(v.num, 0);
	disc_kw_value_free(&v);
	assert_true(parse_line("ForwardAgent /run/agent\n", &v));
	assert_string_equal(v.str, "/run/agent");
	assert_int_equal(v.num, 1);
	disc_kw_value_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_convtime),
	    cmocka_unit_test(test_port),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_values_checked),
	    cmocka_unit_test(test_proxy_values),
	    cmocka_unit_test(test_destination),
	    cmocka_unit_test(test_agent_env_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

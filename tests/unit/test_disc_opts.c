/* disc_opts: the ordered option map behind `ssh -G` output: keys keep the
 * order they were first put in, repeated keys gather their values, and
 * "one line" keys print all their values on one line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_opts.h"
#include "util/xmem.h"

#include "sshcfg_testlib.h" /* printed() */

static void test_order_and_repeats(void **state)
{
	struct disc_opts *o = disc_opts_new();
	const char *const *v = NULL;
	char *out;

	(void)state;
	disc_opts_put(o, "host", "web");
	disc_opts_put_int(o, "port", 2200);
	disc_opts_put(o, "identityfile", "~/.ssh/a");
	disc_opts_put_owned(o, "identityfile", xstrdup("~/.ssh/b"));
	assert_string_equal(disc_opts_get(o, "port"), "2200");
	assert_string_equal(disc_opts_get(o, "identityfile"), "~/.ssh/a");
	assert_int_equal(disc_opts_get_all(o, "identityfile", &v), 2);
	assert_string_equal(v[1], "~/.ssh/b");
	assert_null(v[2]);
	assert_null(disc_opts_get(o, "user"));
	assert_int_equal(disc_opts_get_all(o, "user", &v), 0);
	assert_null(v);
	out = printed(o);
	assert_string_equal(out, "host web\nport 2200\nidentityfile ~/.ssh/a\n"
	                         "identityfile ~/.ssh/b\n");
	free(out);
	disc_opts_free(o);
}

static void test_oneline(void **state)
{
	struct disc_opts *o = disc_opts_new();
	char *out;

	(void)state;
	disc_opts_put(o, "userknownhostsfile", "/k/a");
	disc_opts_put(o, "userknownhostsfile", "/k/b");
	disc_opts_set_oneline(o, "userknownhostsfile");
	disc_opts_set_oneline(o, "absent"); /* no such key: nothing happens */
	disc_opts_put(o, "forwardagent", "no");
	out = printed(o);
	assert_string_equal(out, "userknownhostsfile /k/a /k/b\nforwardagent no\n");
	free(out);
	disc_opts_free(o);
}

static void test_null_map(void **state)
{
	const char *const *v = NULL;

	(void)state;
	assert_null(disc_opts_get(NULL, "host"));
	assert_int_equal(disc_opts_get_all(NULL, "host", &v), 0);
	disc_opts_print(NULL, stdout);
	disc_opts_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_repeats),
	    cmocka_unit_test(test_oneline),
	    cmocka_unit_test(test_null_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

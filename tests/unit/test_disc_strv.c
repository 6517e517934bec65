/* disc_strv: the owning, NULL-terminated string list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_strv.h"

static void test_push_set_free(void **state)
{
	struct disc_strv sv = {NULL, 0};
	char buf[8] = "abc";

	(void)state;
	disc_strv_push(&sv, buf);
	buf[0] = 'x'; /* a copy was kept */
	disc_strv_push(&sv, "def");
	assert_int_equal(sv.n, 2);
	assert_string_equal(sv.v[0], "abc");
	assert_string_equal(sv.v[1], "def");
	assert_null(sv.v[2]);
	disc_strv_set1(&sv, "only");
	assert_int_equal(sv.n, 1);
	assert_string_equal(sv.v[0], "only");
	assert_null(sv.v[1]);
	disc_strv_free(&sv);
	assert_null(sv.v);
	assert_int_equal(sv.n, 0);
	disc_strv_free(&sv); /* twice is fine */
}

static void test_dup_has_shares(void **state)
{
	struct disc_strv a = {NULL, 0}, b = {NULL, 0}, c = {NULL, 0};
	const char *k = NULL;

	(void)state;
	disc_strv_push(&a, "q");
	disc_strv_push(&a, "x");
	disc_strv_push(&b, "y");
	assert_false(disc_strv_shares(&a, &b, &k));
	assert_null(k);
	disc_strv_push(&b, "x");
	assert_true(disc_strv_shares(&a, &b, &k));
	assert_string_equal(k, "x");
	assert_true(disc_strv_has(&a, "q"));
	assert_false(disc_strv_has(&a, "Q"));
	disc_strv_dup(&c, &a);
	assert_int_equal(c.n, 2);
	assert_true(c.v[0] != a.v[0]);
	assert_string_equal(c.v[1], "x");
	assert_null(c.v[2]);
	disc_strv_free(&a);
	disc_strv_free(&b);
	disc_strv_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_push_set_free),
	    cmocka_unit_test(test_dup_has_shares),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

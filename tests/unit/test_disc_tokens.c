#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discovery/disc_tokens.h"

static void test_sha1_vectors(void **state)
{
	unsigned char md[20];
	char *h;

	(void)state;
	disc_tokens_sha1("abc", 3, md);
	assert_int_equal(md[0], 0xa9);
	assert_int_equal(md[19], 0x9d);
	/* "abc" split over the four fields gives the same digest. */
	h = disc_tokens_conn_hash("a", "b", "", "c");
	assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	free(h);
	/* Two blocks: the FIPS 180 448-bit message. */
	h = disc_tokens_conn_hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "",
	                          "", "");
	assert_string_equal(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	free(h);
}

static void test_percent_tokens(void **state)
{
	struct disc_tokens t = {0};
	const char *why = NULL;
	char *s;

	(void)state;
	t.h = "host";
	t.p = "22";
	t.r = "bob";
	s = disc_tokens_expand("%r@%h:%p %% 100%%", &t, false, &why);
	assert_string_equal(s, "bob@host:22 % 100%");
	free(s);
	assert_null(disc_tokens_expand("%u", &t, false, &why));
	assert_non_null(why);
	assert_null(disc_tokens_expand("50%", &t, false, &why));
	/* Without tokens only ${VAR} is looked at. */
	s = disc_tokens_expand("%h", NULL, true, &why);
	assert_string_equal(s, "%h");
	free(s);
}

static void test_dollar(void **state)
{
	struct disc_tokens t = {0};
	const char *why = NULL;
	char *s;

	(void)state;
	setenv("CF_TEST_VAR", "val", 1);
	unsetenv("CF_TEST_UNSET");
	s = disc_tokens_expand("${CF_TEST_VAR}/x$y", &t, true, &why);
	assert_string_equal(s, "val/x$y");
	free(s);
	/* ${} is left alone when dollar expansion is off. */
	s = disc_tokens_expand("${CF_TEST_VAR}", &t, false, &why);
	assert_string_equal(s, "${CF_TEST_VAR}");
	free(s);
	assert_null(disc_tokens_expand("${CF_TEST_UNSET}", &t, true, &why));
	assert_null(disc_tokens_expand("${CF_TEST_VAR", &t, true, &why));
	assert_null(disc_tokens_expand("${1BAD}", &t, true, &why));
}

static void test_tilde_uses_passwd_home(void **state)
{
	struct passwd *pw = getpwuid(getuid());
	char *want, *s;
	const char *sep;

	(void)state;
	assert_non_null(pw);
	sep = pw->pw_dir[strlen(pw->pw_dir) - 1] == '/' ? "" : "/";
	/* $HOME does not matter: ssh reads the passwd database. */
	setenv("HOME", "/nonexistent-home", 1);
	want = malloc(strlen(pw->pw_dir) + 32);
	sprintf(want, "%s%s.ssh/x", pw->pw_dir, sep);
	s = disc_tokens_tilde("~/.ssh/x");
	assert_string_equal(s, want);
	free(s);
	s = disc_tokens_tilde("~//.ssh/x");
	assert_string_equal(s, want);
	free(s);
	sprintf(want, "%s%s", pw->pw_dir, sep);
	s = disc_tokens_tilde("~");
	assert_string_equal(s, want);
	free(s);
	s = disc_tokens_tilde("/abs/~x");
	assert_string_equal(s, "/abs/~x");
	free(s);
	assert_null(disc_tokens_tilde("~no-such-user-cf/x"));
	free(want);
}

static void test_self(void **state)
{
	char *home = NULL, *name = NULL, *uid = NULL;
	char buf[32];

	(void)state;
	assert_true(disc_tokens_self(&home, &name, &uid));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)getuid());
	assert_string_equal(uid, buf);
	assert_string_equal(home, getpwuid(getuid())->pw_dir);
	free(home);
	free(name);
	free(uid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha1_vectors), cmocka_unit_test(test_percent_tokens),
	    cmocka_unit_test(test_dollar),       cmocka_unit_test(test_tilde_uses_passwd_home),
	    cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "discovery/disc_match.h"

static void test_pattern_wildcards(void **state)
{
	(void)state;
	assert_true(disc_match_pattern("web1.example.com", "web*"));
	assert_true(disc_match_pattern("web1", "web?"));
	assert_false(disc_match_pattern("web12", "web?"));
	assert_true(disc_match_pattern("", "*"));
	assert_true(disc_match_pattern("abcabd", "*ab?"));
	assert_true(disc_match_pattern("a.b.c", "*.*.c"));
	assert_false(disc_match_pattern("a.b.d", "*.*.c"));
	/* Case-sensitive, as Host is in ssh. */
	assert_false(disc_match_pattern("WEB1", "web1"));
	assert_false(disc_match_pattern("web", "web?"));
	assert_true(disc_match_pattern("aaa", "a*a*a"));
	assert_false(disc_match_pattern("aa", "a*a*a"));
}

static void test_list_negation_vetoes(void **state)
{
	(void)state;
	assert_int_equal(disc_match_list("db1", "web*,db*", false), 1);
	assert_int_equal(disc_match_list("db1", "web*,!db1", false), -1);
	assert_int_equal(disc_match_list("db2", "*,!db1", false), 1);
	assert_int_equal(disc_match_list("db2", "!db1", false), 0);
	assert_int_equal(disc_match_list("x", "", false), 0);
	/* dolower lower-cases the patterns, not the subject. */
	assert_int_equal(disc_match_list("web", "WEB", true), 1);
	assert_int_equal(disc_match_list("web", "WEB", false), 0);
}

static void test_hostname_is_case_insensitive(void **state)
{
	(void)state;
	assert_true(disc_match_hostname("Web1.Example.COM", "*.example.com"));
	assert_false(disc_match_hostname("web1", "*,!WEB1"));
}

static void test_concrete_aliases(void **state)
{
	(void)state;
	assert_true(disc_match_is_concrete("web1"));
	assert_false(disc_match_is_concrete("web*"));
	assert_false(disc_match_is_concrete("web?"));
	assert_false(disc_match_is_concrete("!web1"));
	assert_false(disc_match_is_concrete(""));
}

static int parse(const char *a0, const char *a1, const char *a2, struct disc_match_cond *c,
                 char **why)
{
	char *argv[4] = {(char *)a0, (char *)a1, (char *)a2, NULL};
	size_t n = a2 ? 3 : a1 ? 2 : 1;

	*why = NULL;
	return disc_match_parse(argv, n, c, why);
}

static void test_parse_errors(void **state)
{
	struct disc_match_cond c;
	char *why = NULL;

	(void)state;
	assert_false(parse("bogus", "x", NULL, &c, &why));
	assert_non_null(strstr(why, "bogus"));
	free(why);
	assert_false(parse("host", NULL, NULL, &c, &why));
	assert_non_null(strstr(why, "missing"));
	free(why);
	assert_false(parse("all", "host", "x", &c, &why));
	free(why);
	/* "final all" is allowed, as in ssh. */
	assert_true(parse("final", "all", NULL, &c, &why));
	assert_true(c.wants_final);
	disc_match_cond_free(&c);
	assert_true(parse("Host", "a,b", NULL, &c, &why));
	assert_false(c.wants_final);
	disc_match_cond_free(&c);
}

static struct disc_match_ctx ctx_for(const char *host, bool final)
{
	struct disc_match_ctx ctx = {0};

	ctx.host = host;
	ctx.original = "alias";
	ctx.user = "alice";
	ctx.localuser = "me";
	ctx.final_pass = final;
	ctx.exec_timeout_ms = 2000;
	return ctx;
}

static int eval3(const char *a0, const char *a1, const char *a2, struct disc_match_ctx *ctx)
{
	struct disc_match_cond c;
	char *why = NULL;
	int r;

	assert_true(parse(a0, a1, a2, &c, &why));
	r = disc_match_eval(&c, ctx, &why);
	free(why);
	disc_match_cond_free(&c);
	return r;
}

static void test_eval_criteria(void **state)
{
	struct disc_match_ctx ctx = ctx_for("srv.example.com", false);

	(void)state;
	assert_int_equal(eval3("host", "*.EXAMPLE.com", NULL, &ctx), 1);
	assert_int_equal(eval3("!host", "*.example.com", NULL, &ctx), 0);
	assert_int_equal(eval3("originalhost", "alias", NULL, &ctx), 1);
	assert_int_equal(eval3("user", "bob,alice", NULL, &ctx), 1);
	assert_int_equal(eval3("localuser", "alice", NULL, &ctx), 0);
	assert_int_equal(eval3("final", NULL, NULL, &ctx), 0);
	assert_int_equal(eval3("!canonical", NULL, NULL, &ctx), 1);
	assert_int_equal(eval3("all", NULL, NULL, &ctx), 1);
	assert_int_equal(eval3("!all", NULL, NULL, &ctx), 0);
	ctx.final_pass = true;
	assert_int_equal(eval3("final", NULL, NULL, &ctx), 1);
}

static void test_exec_status_and_tokens(void **state)
{
	struct disc_tokens t = {0};
	struct disc_match_ctx ctx = ctx_for("h", false);

	(void)state;
	t.h = "h";
	t.n = "alias";
	ctx.tokens = &t;
	setenv("SHELL", "/bin/sh", 1);
	assert_int_equal(eval3("exec", "true", NULL, &ctx), 1);
	assert_int_equal(eval3("exec", "exit 3", NULL, &ctx), 0);
	assert_int_equal(eval3("exec", "test %n = alias", NULL, &ctx), 1);
	assert_int_equal(eval3("!exec", "test %h = h", NULL, &ctx), 0);
	/* An unknown token is an error, as ssh's percent_expand is fatal. */
	assert_int_equal(eval3("exec", "echo %z", NULL, &ctx), -1);
	/* A failed criterion before exec means the command never runs. */
	assert_int_equal(eval3("host", "nomatch", NULL, &ctx), 0);
}

static void test_exec_timeout_kills(void **state)
{
	struct timespec a, b;
	int r;

	(void)state;
	setenv("SHELL", "/bin/sh", 1);
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = disc_match_exec("sleep 30; exit 0", 300);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(r, -2);
	assert_true(b.tv_sec - a.tv_sec < 5);
	assert_int_equal(disc_match_exec("exit 7", 2000), 7);
	assert_int_equal(disc_match_exec("kill -9 $$", 2000), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pattern_wildcards),
	    cmocka_unit_test(test_list_negation_vetoes),
	    cmocka_unit_test(test_hostname_is_case_insensitive),
	    cmocka_unit_test(test_concrete_aliases),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_eval_criteria),
	    cmocka_unit_test(test_exec_status_and_tokens),
	    cmocka_unit_test(test_exec_timeout_kills),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

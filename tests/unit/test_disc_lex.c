#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_lex.h"

static void test_blank_and_comment(void **state)
{
	struct disc_line l;

	(void)state;
	assert_int_equal(disc_lex_line("", &l), DISC_LEX_EMPTY);
	disc_lex_free(&l);
	assert_int_equal(disc_lex_line("   \t\r\n", &l), DISC_LEX_EMPTY);
	disc_lex_free(&l);
	assert_int_equal(disc_lex_line("  # Host x\n", &l), DISC_LEX_EMPTY);
	disc_lex_free(&l);
}

static void test_keyword_forms(void **state)
{
	static const char *const lines[] = {
	    "HostName example.com\n", "hostname=example.com\r\n", "\tHOSTNAME = example.com  \n",
	    "HostName\t=\texample.com\f\n", "HostName example.com # comment\n"};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct disc_line l;

		assert_int_equal(disc_lex_line(lines[i], &l), DISC_LEX_OK);
		assert_string_equal(l.keyword, "hostname");
		assert_int_equal(l.argc, 1);
		assert_string_equal(l.argv[0], "example.com");
		disc_lex_free(&l);
	}
}

static void test_quotes_and_escapes(void **state)
{
	struct disc_line l;

	(void)state;
	assert_int_equal(disc_lex_line("IdentityFile \"~/my keys/id\" 'a b'c d\\ e \\\"q\n", &l),
	                 DISC_LEX_OK);
	assert_int_equal(l.argc, 4);
	assert_string_equal(l.argv[0], "~/my keys/id");
	assert_string_equal(l.argv[1], "a bc");
	assert_string_equal(l.argv[2], "d e");
	assert_string_equal(l.argv[3], "\"q");
	disc_lex_free(&l);
	/* '#' ends the line only where an argument starts. */
	assert_int_equal(disc_lex_line("Host a#b #c\n", &l), DISC_LEX_OK);
	assert_int_equal(l.argc, 1);
	assert_string_equal(l.argv[0], "a#b");
	disc_lex_free(&l);
}

static void test_rest_keeps_command(void **state)
{
	struct disc_line l;

	(void)state;
	assert_int_equal(disc_lex_line("ProxyCommand=ssh -W '%h:%p' gw # x\r\n", &l), DISC_LEX_OK);
	assert_string_equal(l.rest, "ssh -W '%h:%p' gw # x");
	disc_lex_free(&l);
}

static void test_errors(void **state)
{
	struct disc_line l;

	(void)state;
	assert_int_equal(disc_lex_line("Port\n", &l), DISC_LEX_NOARG);
	assert_string_equal(l.keyword, "port");
	disc_lex_free(&l);
	assert_int_equal(disc_lex_line("Port =  \n", &l), DISC_LEX_NOARG);
	disc_lex_free(&l);
	assert_int_equal(disc_lex_line("User \"alice\n", &l), DISC_LEX_BADQUOTES);
	disc_lex_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blank_and_comment),
	    cmocka_unit_test(test_keyword_forms),
	    cmocka_unit_test(test_quotes_and_escapes),
	    cmocka_unit_test(test_rest_keeps_command),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

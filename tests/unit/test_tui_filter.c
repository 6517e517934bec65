#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui_filter.h"

static int score(const char *query, const char *text)
{
	struct tui_filter_match m = {0};

	return tui_filter_score(query, text, &m);
}

/* Matches and checks the byte offsets; want ends with -1. */
static void expect_pos(const char *query, const char *text, const int *want)
{
	struct tui_filter_match m = {0};
	size_t i = 0;

	assert_true(tui_filter_score(query, text, &m) > 0);
	for (i = 0; want[i] >= 0; i++) {
		assert_true(i < m.npos);
		assert_int_equal(m.pos[i], want[i]);
	}
	assert_int_equal(m.npos, i);
}

static void test_subsequence(void **state)
{
	(void)state;
	assert_true(score("cfl", "codefleet") > 0);
	assert_true(score("codefleet", "codefleet") > 0);
	assert_true(score("CODE", "codefleet") > 0);
	assert_true(score("code", "CodeFleet") > 0);
	assert_true(score("cF", "codefleet") > 0);
	assert_int_equal(score("xyz", "codefleet"), 0);
	assert_int_equal(score("ba", "ab"), 0);
	assert_int_equal(score("aa", "a"), 0);
	assert_int_equal(score("codefleets", "codefleet"), 0);
	assert_int_equal(score("a", ""), 0);
	assert_int_equal(score("a", NULL), 0);
}

static void test_empty_query(void **state)
{
	struct tui_filter_match m = {0};

	(void)state;
	assert_int_equal(tui_filter_score("", "anything", &m), 1);
	assert_int_equal(m.npos, 0);
	assert_int_equal(tui_filter_score(NULL, "", &m), 1);
	assert_int_equal(tui_filter_score("", NULL, &m), 1);
}

static void test_ordering(void **state)
{
	(void)state;
	/* consecutive beats scattered */
	assert_true(score("abc", "xabcx") > score("abc", "xaxbxcx"));
	assert_true(score("fleet", "my fleet") > score("fleet", "my f-l-e-e-t"));
	/* a word start beats the middle of a word */
	assert_true(score("b", "foo-bar") > score("b", "fooxbar"));
	assert_true(score("b", "foo/bar") > score("b", "fooxbar"));
	assert_true(score("b", "fooBar") > score("b", "foobar"));
	assert_true(score("b", "foo.bar") > score("b", "fooBar"));
	/* the start of the text beats any word start */
	assert_true(score("code", "codefleet") > score("code", "my-codefleet"));
	assert_true(score("code", "my-codefleet") > score("code", "xcodefleet"));
	/* an exact prefix is the best of all */
	assert_true(score("code", "code") >= score("code", "codefleet"));
	assert_true(score("code", "codefleet") > score("code", "c-o-d-e"));
	/* shorter gaps beat longer ones */
	assert_true(score("ab", "axb") > score("ab", "axxxxb"));
}

static void test_positions(void **state)
{
	(void)state;
	expect_pos("cf", "codefleet", (const int[]){0, 4, -1});
	expect_pos("fb", "foo/bar", (const int[]){0, 4, -1});
	expect_pos("fb", "fooBar", (const int[]){0, 3, -1});
	expect_pos("oc", "opencode", (const int[]){0, 4, -1});
	/* the best alignment, not the first one found */
	expect_pos("ab", "xaxxab", (const int[]){4, 5, -1});
	expect_pos("bar", "barfoo/bar", (const int[]){0, 1, 2, -1});
	expect_pos("fb", "fxxfoo/bar", (const int[]){0, 7, -1});
	expect_pos("fleet", "~/src/codefleet/fleet", (const int[]){16, 17, 18, 19, 20, -1});
	expect_pos("sc", "~/src/codefleet", (const int[]){2, 6, -1});
}

static void test_utf8(void **state)
{
	(void)state;
	/* é at byte 3 of café, by itself and upper-cased */
	expect_pos("\xc3\xa9", "caf\xc3\xa9", (const int[]){3, -1});
	expect_pos("\xc3\x89", "caf\xc3\xa9", (const int[]){3, -1});
	expect_pos("f\xc3\xa9", "caf\xc3\xa9 bar", (const int[]){2, 3, -1});
	/* 日本 in 東京日本語 */
	expect_pos("\xe6\x97\xa5\xe6\x9c\xac",
	           "\xe6\x9d\xb1\xe4\xba\xac\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	           (const int[]){6, 9, -1});
	expect_pos("\xe6\x9c\xac", "a/\xe6\x9c\xac", (const int[]){2, -1});
	assert_int_equal(score("\xe6\x9c\xac\xe6\x97\xa5", "\xe6\x97\xa5\xe6\x9c\xac"), 0);
	/* e does not match é: no folding of accents */
	assert_int_equal(score("e", "caf\xc3\xa9"), 0);
	/* invalid bytes decode to U+FFFD and never crash */
	assert_true(score("a", "\xff\xfe"
	                       "a") > 0);
}

static void test_long_inputs(void **state)
{
	char *text = malloc(5001);
	char *query = malloc(201);
	struct tui_filter_match m = {0};
	size_t i;

	(void)state;
	memset(text, 'a', 5000);
	text[5000] = '\0';
	memset(query, 'a', 200);
	query[200] = '\0';
	/* the query is cut to 64 code points, the text to 512 */
	assert_true(tui_filter_score(query, text, &m) > 0);
	assert_int_equal(m.npos, TUI_FILTER_MAX_QUERY);
	for (i = 1; i < m.npos; i++)
		assert_true(m.pos[i] > m.pos[i - 1]);
	assert_true(m.pos[m.npos - 1] < TUI_FILTER_MAX_TEXT);
	/* a character past the cap is not seen */
	text[4999] = 'b';
	assert_int_equal(score("ab", text), 0);
	text[TUI_FILTER_MAX_TEXT - 1] = 'b';
	assert_true(score("ab", text) > 0);
	free(text);
	/* 600 wide characters: byte offsets past 255 */
	text = malloc(600 * 3 + 1);
	for (i = 0; i < 600; i++)
		memcpy(text + 3 * i, "\xe6\x97\xa5", 3);
	text[1800] = '\0';
	expect_pos("\xe6\x97\xa5\xe6\x97\xa5", text, (const int[]){0, 3, -1});
	assert_true(score(query, text) == 0);
	free(text);
	free(query);
}

/* The raw-byte reject for ASCII must agree with the full path: case is
 * folded, order matters, and a non-ASCII letter that lowers to an ASCII
 * one (KELVIN SIGN U+212A -> k) still matches. */
static void test_fast_reject(void **state)
{
	(void)state;
	assert_true(score("FIX", "prefix the Parser") > 0);
	assert_true(score("fxp", "prefix the parser") > 0);
	assert_int_equal(score("pxf", "prefix the parser"), 0);
	assert_int_equal(score("zz", "no such letters here"), 0);
	assert_true(score("k", "\xe2\x84\xaa") > 0);
	assert_true(score("ok", "o\xe2\x84\xaa") > 0);
	assert_true(score("caf\xc3\xa9", "Caf\xc3\x89 au lait") > 0);
}

static void test_row(void **state)
{
	struct tui_filter_query q = {{0}, 0};
	struct tui_filter_row_match r = {0, {0, 0, {0}}};
	const char *row[TUI_FILTER_NFIELDS] = {NULL};

	(void)state;
	row[TUI_FILTER_HOST] = "alpha";
	row[TUI_FILTER_LABEL] = NULL;
	row[TUI_FILTER_PATH] = "~/src/codefleet";
	row[TUI_FILTER_TITLE] = "Fix login bug";
	row[TUI_FILTER_ID] = "ses_4f2a";

	tui_filter_query_init(&q, "cf");
	assert_true(tui_filter_row(&q, row, &r) > 0);
	assert_int_equal(r.field, TUI_FILTER_PATH);
	assert_int_equal(r.m.npos, 2);
	assert_int_equal(r.m.pos[0], 6);
	assert_int_equal(r.m.pos[1], 10);

	tui_filter_query_init(&q, "fix");
	assert_true(tui_filter_row(&q, row, &r) > 0);
	assert_int_equal(r.field, TUI_FILTER_TITLE);

	tui_filter_query_init(&q, "4f2");
	assert_true(tui_filter_row(&q, row, &r) > 0);
	assert_int_equal(r.field, TUI_FILTER_ID);

	/* "a" starts "alpha" (host) and is mid-word elsewhere */
	tui_filter_query_init(&q, "a");
	assert_true(tui_filter_row(&q, row, &r) > 0);
	assert_int_equal(r.field, TUI_FILTER_HOST);

	tui_filter_query_init(&q, "zzz");
	assert_int_equal(tui_filter_row(&q, row, &r), 0);
	assert_int_equal(r.field, -1);
	assert_int_equal(r.m.npos, 0);

	tui_filter_query_init(&q, "");
	assert_int_equal(tui_filter_row(&q, row, &r), 1);
	assert_int_equal(r.field, -1);
}

static void test_row_ties(void **state)
{
	struct tui_filter_query q = {{0}, 0};
	struct tui_filter_row_match r = {0, {0, 0, {0}}};
	const char *const fields[] = {"web", "web", NULL, "web-1"};

	(void)state;
	tui_filter_query_init(&q, "web");
	assert_true(tui_filter_fields(&q, fields, 4, &r) > 0);
	assert_int_equal(r.field, 0);
	tui_filter_query_init(&q, "1");
	assert_true(tui_filter_fields(&q, fields, 4, &r) > 0);
	assert_int_equal(r.field, 3);
	assert_int_equal(r.m.pos[0], 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_subsequence), cmocka_unit_test(test_empty_query),
	    cmocka_unit_test(test_ordering),    cmocka_unit_test(test_positions),
	    cmocka_unit_test(test_utf8),        cmocka_unit_test(test_long_inputs),
	    cmocka_unit_test(test_row),         cmocka_unit_test(test_row_ties),
	    cmocka_unit_test(test_fast_reject),
	};

	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fprintf(stderr, "the C.UTF-8 locale is missing\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

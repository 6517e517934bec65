#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui_text.h"
#include "util/utf8.h"

/* a b 日 本 e+U+0301 x 😀 y z: 12 cells */
#define MIXED                        \
	"ab\xe6\x97\xa5\xe6\x9c\xac" \
	"e\xcc\x81"                  \
	"x\xf0\x9f\x98\x80yz"

static char *fit(const char *s, size_t width, unsigned flags, size_t *cells)
{
	struct strbuf sb = STRBUF_INIT;

	*cells = tui_text_fit(&sb, s, width, flags);
	return strbuf_take(&sb);
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(tui_text_width("hello"), 5);
	assert_int_equal(tui_text_width(""), 0);
	assert_int_equal(tui_text_width(NULL), 0);
	assert_int_equal(tui_text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* 日本 */
	assert_int_equal(tui_text_width("\xf0\x9f\x98\x80"), 2);         /* 😀 */
	assert_int_equal(tui_text_width("e\xcc\x81"), 1);                /* e + U+0301 */
	assert_int_equal(tui_text_width("caf\xc3\xa9"), 4);              /* café */
	assert_int_equal(tui_text_width("a\xe2\x80\x8b"
	                                "b"),
	                 2);                         /* U+200B */
	assert_int_equal(tui_text_width("\xff"), 1); /* U+FFFD */
	assert_int_equal(tui_text_width(MIXED), 12);
	assert_int_equal(tui_text_width_n("\xe6\x97\xa5xyz", 4), 3);
	assert_int_equal(tui_text_cp_width(0x01), 0);
	assert_int_equal(tui_text_cp_width(0x7F), 0);
	assert_int_equal(tui_text_cp_width(0x9B), 0);
	assert_int_equal(tui_text_cp_width(0xFF21), 2); /* fullwidth A */
	assert_true(tui_text_utf8_locale());
}

static void test_width_non_utf8_locale(void **state)
{
	(void)state;
	assert_non_null(setlocale(LC_CTYPE, "C"));
	assert_false(tui_text_utf8_locale());
	assert_int_equal(tui_text_width("\xe6\x97\xa5\xe6\x9c\xac"), 2);
	assert_int_equal(tui_text_width("e\xcc\x81"), 2);
	assert_int_equal(tui_text_width("a\x01"), 1);
	assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
	assert_int_equal(tui_text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);
}

static const char *const want_utf8[] = {
    "",
    "\xe2\x80\xa6",
    "a\xe2\x80\xa6",
    "ab\xe2\x80\xa6",
    "ab\xe2\x80\xa6 ",
    "ab\xe6\x97\xa5\xe2\x80\xa6",
    "ab\xe6\x97\xa5\xe2\x80\xa6 ",
    "ab\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6",
    "ab\xe6\x97\xa5\xe6\x9c\xac"
    "e\xcc\x81\xe2\x80\xa6",
    "ab\xe6\x97\xa5\xe6\x9c\xac"
    "e\xcc\x81x\xe2\x80\xa6",
    "ab\xe6\x97\xa5\xe6\x9c\xac"
    "e\xcc\x81x\xe2\x80\xa6 ",
    "ab\xe6\x97\xa5\xe6\x9c\xac"
    "e\xcc\x81x\xf0\x9f\x98\x80\xe2\x80\xa6",
    MIXED,
    MIXED,
    MIXED,
};

static const char *const want_ascii[] = {
    "",
    ".",
    "..",
    "...",
    "a...",
    "ab...",
    "ab... ",
    "ab\xe6\x97\xa5...",
    "ab\xe6\x97\xa5... ",
    "ab\xe6\x97\xa5\xe6\x9c\xac...",
    "ab\xe6\x97\xa5\xe6\x9c\xac"
    "e\xcc\x81...",
    "ab\xe6\x97\xa5\xe6\x9c\xac"
    "e\xcc\x81x...",
    MIXED,
    MIXED,
    MIXED,
};

/* Every width from 0 to len+2: the exact text, the exact cells, valid
 * UTF-8, and the combining mark never cut from its e. */
static void check_fit_table(const char *const *want, unsigned flags)
{
	size_t w;

	for (w = 0; w <= 14; w++) {
		size_t cells = 99;
		char *got = fit(MIXED, w, flags, &cells);
		const char *e = strchr(got, 'e');

		assert_string_equal(got, want[w]);
		assert_int_equal(cells, w < 12 ? w : 12);
		assert_int_equal(tui_text_width(got), cells);
		assert_true(utf8_valid(got, strlen(got)));
		if (e)
			assert_memory_equal(e, "e\xcc\x81", 3);
		free(got);
	}
}

static void test_fit_every_width(void **state)
{
	(void)state;
	check_fit_table(want_utf8, 0);
}

static void test_fit_ascii_mode(void **state)
{
	(void)state;
	check_fit_table(want_ascii, TUI_TEXT_ASCII);
}

static void test_fit_edges(void **state)
{
	size_t cells = 99;
	char *got = fit(NULL, 5, 0, &cells);

	(void)state;
	assert_string_equal(got, "");
	assert_int_equal(cells, 0);
	free(got);
	/* a wide character that cannot fit at all */
	got = fit("\xe6\x97\xa5\xe6\x9c\xac", 2, 0, &cells);
	assert_string_equal(got, "\xe2\x80\xa6 ");
	assert_int_equal(cells, 2);
	free(got);
	/* a combining mark with no base stays at the front */
	got = fit("\xcc\x81"
	          "abcdef",
	          3, 0, &cells);
	assert_string_equal(got, "\xcc\x81"
	                         "ab\xe2\x80\xa6");
	assert_int_equal(cells, 3);
	free(got);
}

static void expect_pad(const char *s, size_t width, unsigned flags, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_puts(&sb, "|");
	tui_text_pad(&sb, s, width, flags);
	assert_string_equal(strbuf_str(&sb), want);
	assert_int_equal(tui_text_width(strbuf_str(&sb)), width + 1);
	strbuf_free(&sb);
}

static void test_pad(void **state)
{
	(void)state;
	expect_pad("ab", 5, 0, "|ab   ");
	expect_pad("ab", 5, TUI_TEXT_RIGHT, "|   ab");
	expect_pad("\xe6\x97\xa5", 3, 0, "|\xe6\x97\xa5 ");
	expect_pad("\xe6\x97\xa5", 3, TUI_TEXT_RIGHT, "| \xe6\x97\xa5");
	expect_pad("abcdef", 4, 0, "|abc\xe2\x80\xa6");
	expect_pad("abcdef", 4, TUI_TEXT_ASCII | TUI_TEXT_RIGHT, "|a...");
	expect_pad("", 2, 0, "|  ");
	expect_pad("abc", 0, 0, "|");
}

static void expect_age(int64_t ms, const char *want)
{
	char buf[TUI_TEXT_SHORT_MAX];

	assert_string_equal(tui_text_age(buf, sizeof(buf), ms), want);
}

#define SEC  1000LL
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)

static void test_age(void **state)
{
	(void)state;
	expect_age(-5 * SEC, "now");
	expect_age(0, "now");
	expect_age(999, "now");
	expect_age(SEC, "1s");
	expect_age(45 * SEC, "45s");
	expect_age(MIN - 1, "59s");
	expect_age(MIN, "1m");
	expect_age(3 * MIN + 59 * SEC, "3m");
	expect_age(HOUR - 1, "59m");
	expect_age(HOUR, "1h");
	expect_age(DAY - 1, "23h");
	expect_age(DAY, "1d");
	expect_age(7 * DAY - 1, "6d");
	expect_age(7 * DAY, "1w");
	expect_age(30 * DAY - 1, "4w");
	expect_age(30 * DAY, "1mo");
	expect_age(365 * DAY - 1, "12mo");
	expect_age(365 * DAY, "1y");
	expect_age(3 * 365 * DAY + DAY, "3y");
	expect_age(INT64_MAX, "292471208y");
}

static void expect_count(uint64_t n, const char *want)
{
	char buf[TUI_TEXT_SHORT_MAX];

	assert_string_equal(tui_text_count(buf, sizeof(buf), n), want);
}

static void test_count(void **state)
{
	(void)state;
	expect_count(0, "0");
	expect_count(999, "999");
	expect_count(1000, "1.0k");
	expect_count(1234, "1.2k");
	expect_count(9999, "9.9k");
	expect_count(10000, "10k");
	expect_count(999999, "999k");
	expect_count(1000000, "1.0M");
	expect_count(1500000, "1.5M");
	expect_count(12345678, "12M");
	expect_count(3400000000ULL, "3.4G");
	expect_count(UINT64_MAX, "18E");
}

static void expect_tilde(const char *path, const char *home, const char *want)
{
	char *got = tui_text_tilde(path, home);

	assert_string_equal(got, want);
	free(got);
}

static void test_tilde(void **state)
{
	(void)state;
	expect_tilde("/home/u/x", "/home/u", "~/x");
	expect_tilde("/home/u", "/home/u", "~");
	expect_tilde("/home/u/", "/home/u", "~/");
	expect_tilde("/home/u/x", "/home/u/", "~/x");
	expect_tilde("/home/u", "/home/u//", "~");
	expect_tilde("/home/user2/x", "/home/u", "/home/user2/x");
	expect_tilde("/home/user2", "/home/u", "/home/user2");
	expect_tilde("/home/u2/a/b", "/home/u2", "~/a/b");
	expect_tilde("/home", "/home/u", "/home");
	expect_tilde("/srv/x", "/home/u", "/srv/x");
	expect_tilde("relative/x", "/home/u", "relative/x");
	expect_tilde("/x", "/", "/x");
	expect_tilde("/x", "", "/x");
	expect_tilde("/x", NULL, "/x");
	expect_tilde("~/x", "/home/u", "~/x");
	assert_null(tui_text_tilde(NULL, "/home/u"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_width),
	    cmocka_unit_test(test_width_non_utf8_locale),
	    cmocka_unit_test(test_fit_every_width),
	    cmocka_unit_test(test_fit_ascii_mode),
	    cmocka_unit_test(test_fit_edges),
	    cmocka_unit_test(test_pad),
	    cmocka_unit_test(test_age),
	    cmocka_unit_test(test_count),
	    cmocka_unit_test(test_tilde),
	};

	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fprintf(stderr, "the C.UTF-8 locale is missing\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

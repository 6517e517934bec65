#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

static char *san(const char *s)
{
	return utf8_sanitize(s, strlen(s));
}

static void expect_san(const char *in, const char *want)
{
	char *got = san(in);

	assert_string_equal(got, want);
	free(got);
}

static void test_decode_valid(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(utf8_decode("\xe2\x9c\x93", 3, &cp), 3);
	assert_int_equal(cp, 0x2713);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
}

static void test_decode_invalid(void **state)
{
	uint32_t cp;

	(void)state;
	/* overlong '/' */
	assert_int_equal(utf8_decode("\xc0\xaf", 2, &cp), 1);
	assert_int_equal(cp, UTF8_REPLACEMENT);
	/* encoded surrogate */
	assert_int_equal(utf8_decode("\xed\xa0\x80", 3, &cp), 1);
	assert_int_equal(cp, UTF8_REPLACEMENT);
	/* truncated */
	assert_int_equal(utf8_decode("\xe2\x9c", 2, &cp), 1);
	assert_int_equal(cp, UTF8_REPLACEMENT);
	/* above U+10FFFF */
	assert_int_equal(utf8_decode("\xf4\x90\x80\x80", 4, &cp), 1);
	assert_int_equal(cp, UTF8_REPLACEMENT);
	/* lone continuation byte */
	assert_int_equal(utf8_decode("\x80", 1, &cp), 1);
	assert_int_equal(cp, UTF8_REPLACEMENT);
	assert_false(utf8_valid("a\xff", 2));
	assert_true(utf8_valid("\xe2\x9c\x93 ok", 6));
}

static void test_encode(void **state)
{
	char b[4];

	(void)state;
	assert_int_equal(utf8_encode(0x1F600, b), 4);
	assert_memory_equal(b, "\xf0\x9f\x98\x80", 4);
	assert_int_equal(utf8_encode(0xD800, b), 3);
	assert_memory_equal(b, "\xef\xbf\xbd", 3);
	assert_int_equal(utf8_encode(0x110000, b), 3);
	assert_int_equal(utf8_encode(0x7F, b), 1);
}

static void test_sanitize_plain_text_kept(void **state)
{
	(void)state;
	expect_san("alpha \"one\" \xe2\x9c\x93 \xf0\x9f\x98\x80",
	           "alpha \"one\" \xe2\x9c\x93 \xf0\x9f\x98\x80");
	expect_san("", "");
}

static void test_sanitize_escape_sequences(void **state)
{
	(void)state;
	/* OSC title set ended by BEL, CSI colour, OSC 8 link ended by ST */
	expect_san("evil \x1b]0;pwn\x07title\x1b[31m red\x1b[0m", "evil title red");
	expect_san("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb");
	/* DCS, APC, PM strings */
	expect_san("x\x1bPq#0;2;0;0;0\x1b\\y", "xy");
	expect_san("x\x1b_payload\x1b\\y\x1b^pm\x07z", "xyz");
	/* two-byte and intermediate ESC sequences */
	expect_san("a\x1b"
	           "7b\x1b(Bc\x1b#8d",
	           "abcd");
	/* cursor movement, screen clear, private modes */
	expect_san("\x1b[2J\x1b[H\x1b[?1049hhi\x1b[10;20H", "hi");
	/* an unterminated OSC eats the rest, it cannot leak */
	expect_san("ok\x1b]52;c;ZXZpbA==", "ok");
	/* a trailing lone ESC */
	expect_san("ok\x1b", "ok");
}

static void test_sanitize_c1_controls(void **state)
{
	(void)state;
	/* U+009B is CSI, U+009D OSC (as UTF-8), U+009C ST */
	expect_san("a\xc2\x9b"
	           "31mb",
	           "ab");
	expect_san("a\xc2\x9d"
	           "0;t\xc2\x9c"
	           "b",
	           "ab");
	expect_san("a\xc2\x85"
	           "b",
	           "ab");
	/* raw C1 bytes are invalid UTF-8: shown as U+FFFD, never as controls */
	expect_san("a\x9b"
	           "31mb",
	           "a\xef\xbf\xbd"
	           "31mb");
}

static void test_sanitize_controls_and_bidi(void **state)
{
	(void)state;
	expect_san("a\tb\nc\rd", "a b c d");
	expect_san("a\x01\x7f\x08z", "az");
	/* RIGHT-TO-LEFT OVERRIDE and an isolate */
	expect_san("x\xe2\x80\xaey\xe2\x81\xa6z", "xyz");
	/* NUL inside the given length is dropped, not a terminator */
	char *s = utf8_sanitize("a\0b", 3);
	assert_string_equal(s, "ab");
	free(s);
}

static void test_sanitize_invalid_utf8(void **state)
{
	char *s;

	(void)state;
	expect_san("bad \xff\xfe end", "bad \xef\xbf\xbd\xef\xbf\xbd end");
	expect_san("\xe2\x9c", "\xef\xbf\xbd\xef\xbf\xbd");
	expect_san("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	s = san("mixed \xc3\x28 ok");
	assert_true(utf8_valid(s, strlen(s)));
	assert_string_equal(s, "mixed \xef\xbf\xbd( ok");
	free(s);
}

static void test_sanitize_every_byte_is_safe(void **state)
{
	char in[512];
	char *out;

	(void)state;
	for (int i = 0; i < 512; i++)
		in[i] = (char)(i * 7 + 3);
	out = utf8_sanitize(in, sizeof(in));
	assert_true(utf8_valid(out, strlen(out)));
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		assert_true(*p >= 0x20 && *p != 0x7f);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_valid),
	    cmocka_unit_test(test_decode_invalid),
	    cmocka_unit_test(test_encode),
	    cmocka_unit_test(test_sanitize_plain_text_kept),
	    cmocka_unit_test(test_sanitize_escape_sequences),
	    cmocka_unit_test(test_sanitize_c1_controls),
	    cmocka_unit_test(test_sanitize_controls_and_bidi),
	    cmocka_unit_test(test_sanitize_invalid_utf8),
	    cmocka_unit_test(test_sanitize_every_byte_is_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

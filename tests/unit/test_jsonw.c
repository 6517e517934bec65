/* jsonw: structure (commas, nesting), string escaping, UTF-8 repair, numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonw.h"
#include "util/strbuf.h"

/* The quoted form of len bytes of s. */
static char *quoted(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	jsonw_quote(&sb, s, len);
	return strbuf_take(&sb);
}

static void expect_quoted(const char *in, size_t len, const char *want)
{
	char *got = quoted(in, len);

	assert_string_equal(got, want);
	free(got);
}

#define EXPECT(lit, want) expect_quoted(lit, sizeof(lit) - 1, want)

static void test_nesting_and_commas(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &sb);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_int(&w, 1);
	jsonw_key(&w, "b");
	jsonw_array_begin(&w);
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	jsonw_null(&w);
	jsonw_string(&w, "x");
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_int(&w, -9223372036854775807LL - 1);
	jsonw_array_end(&w);
	jsonw_key(&w, "c");
	jsonw_object_begin(&w);
	jsonw_key(&w, "d");
	jsonw_string(&w, NULL);
	jsonw_key(&w, "e");
	jsonw_string(&w, "");
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	assert_string_equal(strbuf_str(&sb),
	                    "{\"a\":1,\"b\":[true,false,null,\"x\",[],{},"
	                    "-9223372036854775808],\"c\":{\"d\":null,\"e\":\"\"}}");
	assert_int_equal(w.depth, 0);
	strbuf_free(&sb);
}

static void test_top_level_scalars_and_keys_are_escaped(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &sb);
	jsonw_object_begin(&w);
	jsonw_key(&w, "we\"ird\\key");
	jsonw_int(&w, 0);
	jsonw_object_end(&w);
	assert_string_equal(strbuf_str(&sb), "{\"we\\\"ird\\\\key\":0}");
	strbuf_free(&sb);
}

static void test_escapes(void **state)
{
	(void)state;
	EXPECT("plain", "\"plain\"");
	EXPECT("say \"hi\"", "\"say \\\"hi\\\"\"");
	EXPECT("C:\\dir", "\"C:\\\\dir\"");
	EXPECT("a\nb\tc\rd", "\"a\\u000ab\\u0009c\\u000dd\"");
	EXPECT("\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"");
	EXPECT("nul\0x", "\"nul\\u0000x\"");
	EXPECT("/ stays", "\"/ stays\"");
}

static void test_valid_utf8_is_kept(void **state)
{
	(void)state;
	EXPECT("caf\xc3\xa9", "\"caf\xc3\xa9\"");           /* é */
	EXPECT("\xe2\x82\xac", "\"\xe2\x82\xac\"");         /* € */
	EXPECT("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""); /* 😀 */
	EXPECT("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");         /* U+FFFF */
	EXPECT("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	EXPECT("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");         /* U+D7FF */
}

#define FFFD "\xef\xbf\xbd"

static void test_invalid_utf8_becomes_replacement(void **state)
{
	(void)state;
	EXPECT("a\xff"
	       "b",
	       "\"a" FFFD "b\"");                                  /* never valid */
	EXPECT("\x80", "\"" FFFD "\"");                            /* stray continuation */
	EXPECT("\xc3\x28", "\"" FFFD "(\"");                       /* bad continuation */
	EXPECT("\xc0\xaf", "\"" FFFD FFFD "\"");                   /* overlong '/' */
	EXPECT("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");          /* overlong, 3 bytes */
	EXPECT("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");          /* surrogate D800 */
	EXPECT("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\""); /* > U+10FFFF */
	EXPECT("\xe2\x82", "\"" FFFD "\"");                        /* truncated at the end */
	EXPECT("\xe2\x82z", "\"" FFFD "z\"");                      /* truncated, maximal subpart */
	EXPECT("\xf0\x9f\x98", "\"" FFFD "\"");                    /* truncated 4-byte */
	EXPECT("\xf8\x88\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD FFFD "\""); /* 5-byte form */
}

static void test_string_len_stops_at_len(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &sb);
	jsonw_array_begin(&w);
	jsonw_string_len(&w, "abc\xe2\x82\xac", 4); /* cuts the euro sign */
	jsonw_array_end(&w);
	assert_string_equal(strbuf_str(&sb), "[\"abc" FFFD "\"]");
	strbuf_free(&sb);
}

static void test_doubles(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &sb);
	jsonw_array_begin(&w);
	jsonw_double(&w, 0.1);
	jsonw_double(&w, 1.5);
	jsonw_double(&w, 0.0123);
	jsonw_double(&w, 1e300);
	jsonw_double(&w, NAN);
	jsonw_double(&w, INFINITY);
	jsonw_double(&w, -2);
	jsonw_array_end(&w);
	assert_string_equal(strbuf_str(&sb), "[0.1,1.5,0.0123,1e+300,null,null,-2]");
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nesting_and_commas),
	    cmocka_unit_test(test_top_level_scalars_and_keys_are_escaped),
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_valid_utf8_is_kept),
	    cmocka_unit_test(test_invalid_utf8_becomes_replacement),
	    cmocka_unit_test(test_string_len_stops_at_len),
	    cmocka_unit_test(test_doubles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

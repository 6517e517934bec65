#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

static void test_empty_is_empty_string(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_string_equal(strbuf_str(&sb), "");
	char *s = strbuf_take(&sb);
	assert_string_equal(s, "");
	free(s);
}

static void test_grows_past_initial_capacity(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (int i = 0; i < 1000; i++)
		strbuf_printf(&sb, "%03d,", i % 1000);
	assert_int_equal(sb.len, 4000);
	assert_memory_equal(sb.buf + 3996, "999,", 4);
	assert_int_equal(sb.buf[sb.len], '\0');
	strbuf_reset(&sb);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_putc(&sb, 'x');
	strbuf_append(&sb, "y\0z", 3);
	assert_int_equal(sb.len, 4);
	assert_memory_equal(sb.buf, "xy\0z", 4);
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_is_empty_string),
	    cmocka_unit_test(test_grows_past_initial_capacity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

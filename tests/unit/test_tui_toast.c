#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tui/tui_toast.h"

static const char *text(const struct tui_toast *t, size_t i)
{
	const struct tui_toast_msg *m = tui_toast_get(t, i);

	assert_non_null(m);
	return m->text;
}

static void test_order_and_cap(void **state)
{
	struct tui_toast t = {0};

	(void)state;
	assert_int_equal(tui_toast_count(&t), 0);
	assert_null(tui_toast_get(&t, 0));
	assert_int_equal(tui_toast_next_deadline(&t), -1);
	tui_toast_push(&t, TUI_TOAST_INFO, 1000, "one %d", 1);
	tui_toast_push(&t, TUI_TOAST_INFO, 1001, "two");
	tui_toast_push(&t, TUI_TOAST_ERROR, 1002, "three");
	assert_int_equal(tui_toast_count(&t), 3);
	assert_string_equal(text(&t, 0), "three"); /* newest first */
	assert_string_equal(text(&t, 2), "one 1");
	tui_toast_push(&t, TUI_TOAST_INFO, 1003, "four");
	assert_int_equal(tui_toast_count(&t), TUI_TOAST_MAX);
	assert_string_equal(text(&t, 0), "four");
	assert_string_equal(text(&t, 1), "three");
	assert_string_equal(text(&t, 2), "two"); /* the oldest went */
	assert_null(tui_toast_get(&t, 3));
	assert_int_equal(tui_toast_get(&t, 1)->level, TUI_TOAST_ERROR);
	tui_toast_free(&t);
	assert_int_equal(tui_toast_count(&t), 0);
	assert_null(tui_toast_last_error(&t));
}

static void test_expiry(void **state)
{
	struct tui_toast t = {0};

	(void)state;
	tui_toast_push(&t, TUI_TOAST_ERROR, 0, "bad");
	tui_toast_push(&t, TUI_TOAST_INFO, 1000, "fine");
	assert_int_equal(tui_toast_next_deadline(&t), 1000 + TUI_TOAST_INFO_MS);
	assert_false(tui_toast_expire(&t, 4999));
	assert_int_equal(tui_toast_count(&t), 2);
	assert_true(tui_toast_expire(&t, 5000)); /* info: 4 s */
	assert_int_equal(tui_toast_count(&t), 1);
	assert_string_equal(text(&t, 0), "bad");
	assert_int_equal(tui_toast_next_deadline(&t), TUI_TOAST_ERROR_MS);
	assert_false(tui_toast_expire(&t, 7999));
	assert_true(tui_toast_expire(&t, 8000)); /* error: 8 s */
	assert_int_equal(tui_toast_count(&t), 0);
	assert_int_equal(tui_toast_next_deadline(&t), -1);
	assert_false(tui_toast_expire(&t, 9000));
	/* the last error outlives its toast */
	assert_string_equal(tui_toast_last_error(&t), "bad");
	tui_toast_free(&t);
}

static void test_last_error_and_repeats(void **state)
{
	struct tui_toast t = {0};

	(void)state;
	tui_toast_push(&t, TUI_TOAST_INFO, 0, "started");
	assert_null(tui_toast_last_error(&t));
	tui_toast_push(&t, TUI_TOAST_ERROR, 0, "stop failed: %s", "denied");
	tui_toast_push(&t, TUI_TOAST_ERROR, 0, "clone failed");
	tui_toast_push(&t, TUI_TOAST_INFO, 0, "later");
	assert_string_equal(tui_toast_last_error(&t), "clone failed");
	/* the same line again renews the newest toast instead of stacking */
	tui_toast_push(&t, TUI_TOAST_INFO, 3000, "later");
	assert_int_equal(tui_toast_count(&t), 3);
	assert_int_equal(tui_toast_get(&t, 0)->deadline_ms, 3000 + TUI_TOAST_INFO_MS);
	assert_string_equal(text(&t, 2), "stop failed: denied");
	/* a different level is another toast */
	tui_toast_push(&t, TUI_TOAST_ERROR, 3000, "later");
	assert_int_equal(tui_toast_get(&t, 0)->level, TUI_TOAST_ERROR);
	assert_string_equal(text(&t, 1), "later");
	tui_toast_free(&t);
}

static void test_sanitised(void **state)
{
	struct tui_toast t = {0};

	(void)state;
	tui_toast_push(&t, TUI_TOAST_ERROR, 0, "host said:\n%s\tend", "\x1b[2Jwiped\x07\xff");
	assert_string_equal(text(&t, 0), "host said: wiped\xef\xbf\xbd end");
	assert_string_equal(tui_toast_last_error(&t), text(&t, 0));
	assert_null(strchr(text(&t, 0), '\x1b'));
	tui_toast_push(&t, TUI_TOAST_INFO, 0, "%s", "");
	assert_string_equal(text(&t, 0), "");
	tui_toast_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_cap),
	    cmocka_unit_test(test_expiry),
	    cmocka_unit_test(test_last_error_and_repeats),
	    cmocka_unit_test(test_sanitised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* tui_rows: a row's text fits its width exactly, columns go least useful
 * first, the name keeps its room, the parts carry their roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui_rows.h"
#include "tui/tui_text.h"

#define NOW 1800000000000LL

static struct tui_tree_item session(const char *title)
{
	struct tui_tree_item it;

	memset(&it, 0, sizeof(it));
	it.kind = TUI_TREE_SESSION;
	it.depth = 2;
	it.title = (char *)title;
	it.session_id = "ses_0123456789abcdefXYZ";
	it.status = PROBE_SESSION_IDLE;
	it.last_activity = NOW - 3 * 60 * 1000;
	it.detail.agent = "build";
	it.detail.model = "anthropic/claude-sonnet";
	it.detail.messages = 42;
	it.detail.todos_done = 3;
	it.detail.todos_total = 5;
	return it;
}

static void make(const struct tui_tree_item *it, size_t width, bool ascii, struct tui_rows_row *row)
{
	struct tui_rows_in in;

	memset(&in, 0, sizeof(in));
	in.it = it;
	in.g = tui_theme_glyphs(ascii);
	in.utf8 = true;
	in.now_ms = NOW;
	in.width = width;
	tui_rows_make(&in, row);
}

static void test_wide_row_has_every_column(void **state)
{
	struct tui_tree_item it = session("fix the parser");
	struct tui_rows_row row;
	const char *s;

	(void)state;
	tui_rows_init(&row);
	make(&it, 160, false, &row);
	s = strbuf_str(&row.line);
	assert_int_equal(tui_text_width(s), 160);
	assert_non_null(strstr(s, "fix the parser"));
	assert_non_null(strstr(s, "build"));
	assert_non_null(strstr(s, "claude-sonnet"));
	assert_null(strstr(s, "anthropic/")); /* the provider is left out */
	assert_non_null(strstr(s, "42 msg"));
	assert_non_null(strstr(s, "3/5"));
	assert_non_null(strstr(s, "idle"));
	assert_non_null(strstr(s, "3m"));
	assert_non_null(strstr(s, "defXYZ")); /* the id's tail */
	assert_null(strstr(s, "ses_0123"));   /* not its head */
	assert_int_equal(row.role, TUI_ROLE_IDLE);
	assert_int_equal(row.nseg, 1 + 7); /* the icon and each column has its role */
	assert_int_equal(row.seg[0].role, TUI_ROLE_IDLE);
	assert_int_equal(row.seg[1].role, TUI_ROLE_DETAIL);
	assert_int_equal(row.base, 2 * 2 + 2 + 2); /* indent, fold, icon */
	tui_rows_free(&row);
}

static void test_narrow_row_drops_columns_keeps_name(void **state)
{
	struct tui_tree_item it = session("fix the parser in the tokenizer module");
	struct tui_rows_row row;
	const char *s;

	(void)state;
	tui_rows_init(&row);
	make(&it, 60, false, &row);
	s = strbuf_str(&row.line);
	assert_int_equal(tui_text_width(s), 60);
	assert_null(strstr(s, "claude")); /* the model goes first */
	assert_null(strstr(s, "build"));  /* then the agent */
	assert_non_null(strstr(s, "3m")); /* the age stays */
	assert_true(row.name_end >= row.base + 24);
	tui_rows_free(&row);
}

static void test_every_width_fits_exactly(void **state)
{
	struct tui_tree_item it = session("日本語のタイトル with wide characters and more text");
	struct tui_rows_row row;

	(void)state;
	tui_rows_init(&row);
	for (size_t w = 10; w <= 200; w++) {
		make(&it, w, false, &row);
		assert_int_equal(tui_text_width(strbuf_str(&row.line)), w);
		for (size_t k = 0; k < row.nseg; k++)
			assert_true(row.seg[k].col + row.seg[k].width <= w);
		make(&it, w, true, &row);
		assert_int_equal(tui_text_width(strbuf_str(&row.line)), w);
	}
	tui_rows_free(&row);
}

static void test_cut_name_ends_with_ellipsis(void **state)
{
	struct tui_tree_item it =
	    session("a very long title that cannot fit in forty cells at all");
	struct tui_rows_row row;

	(void)state;
	tui_rows_init(&row);
	make(&it, 40, true, &row);
	assert_true(row.name_cut);
	assert_non_null(strstr(strbuf_str(&row.line), "..."));
	make(&it, 200, true, &row);
	assert_false(row.name_cut);
	tui_rows_free(&row);
}

static void test_control_characters_never_reach_the_screen(void **state)
{
	struct tui_tree_item it = session("evil\x1b[31mred\x07title");
	struct tui_rows_row row;

	(void)state;
	it.detail.agent = "a\tb\nc";
	tui_rows_init(&row);
	make(&it, 120, false, &row);
	for (const char *p = strbuf_str(&row.line); *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	tui_rows_free(&row);
}

static void test_host_row(void **state)
{
	struct tui_tree_item it;
	struct probe_engine_host h;
	struct tui_rows_in in;
	struct tui_rows_row row;
	const char *s;

	(void)state;
	memset(&it, 0, sizeof(it));
	memset(&h, 0, sizeof(h));
	it.kind = TUI_TREE_HOST;
	it.host = "box";
	it.label = "Main box";
	it.host_state = PROBE_HOST_OFFLINE;
	it.nsessions = 12;
	it.nrunning = 2;
	h.latency_ms = 45;
	h.probed_at = NOW - 5 * 60 * 1000;
	memset(&in, 0, sizeof(in));
	in.it = &it;
	in.host = &h;
	in.g = tui_theme_glyphs(false);
	in.utf8 = true;
	in.now_ms = NOW;
	in.width = 130;
	tui_rows_init(&row);
	tui_rows_make(&in, &row);
	s = strbuf_str(&row.line);
	assert_non_null(strstr(s, "Main box"));
	assert_non_null(strstr(s, "offline"));
	assert_non_null(strstr(s, "12 sessions"));
	assert_non_null(strstr(s, "2 running"));
	assert_non_null(strstr(s, "45ms"));
	assert_non_null(strstr(s, "5m ago")); /* the data's age: not fresh */
	assert_int_equal(row.role, TUI_ROLE_HOST_BAD);
	it.host_state = PROBE_HOST_OK;
	tui_rows_make(&in, &row);
	assert_null(strstr(strbuf_str(&row.line), "ago"));
	assert_int_equal(row.role, TUI_ROLE_HOST_OK);
	in.stale = true; /* cached: the whole row dimmed, no coloured parts */
	tui_rows_make(&in, &row);
	assert_int_equal(row.role, TUI_ROLE_STALE);
	assert_int_equal(row.nseg, 0);
	tui_rows_free(&row);
}

static void test_running_session_spins(void **state)
{
	struct tui_tree_item it = session("busy");
	const struct tui_glyphs *g = tui_theme_glyphs(false);
	struct tui_rows_in in;
	struct tui_rows_row a, b;

	(void)state;
	it.status = PROBE_SESSION_RUNNING;
	memset(&in, 0, sizeof(in));
	in.it = &it;
	in.g = g;
	in.utf8 = true;
	in.now_ms = NOW;
	in.width = 100;
	in.animate = true;
	tui_rows_init(&a);
	tui_rows_init(&b);
	tui_rows_make(&in, &a);
	in.spin = 1;
	tui_rows_make(&in, &b);
	assert_string_not_equal(strbuf_str(&a.line), strbuf_str(&b.line));
	assert_non_null(strstr(strbuf_str(&b.line), g->spinner[1]));
	assert_int_equal(a.role, TUI_ROLE_RUNNING);
	in.animate = false; /* display.animation off: the still icon */
	tui_rows_make(&in, &b);
	assert_non_null(strstr(strbuf_str(&b.line), g->status[PROBE_SESSION_RUNNING]));
	tui_rows_free(&a);
	tui_rows_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wide_row_has_every_column),
	    cmocka_unit_test(test_narrow_row_drops_columns_keeps_name),
	    cmocka_unit_test(test_every_width_fits_exactly),
	    cmocka_unit_test(test_cut_name_ends_with_ellipsis),
	    cmocka_unit_test(test_control_characters_never_reach_the_screen),
	    cmocka_unit_test(test_host_row),
	    cmocka_unit_test(test_running_session_spins),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

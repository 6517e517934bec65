#define _XOPEN_SOURCE_EXTENDED 1 /* curses.h read as every tui file reads it (wide) */
#define NCURSES_WIDECHAR       1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tui/tui_modal.h"
#include "tui/tui_keys.h"
#include "util/strbuf.h"

static void key(struct tui_modal *m, int code, bool fn, int want)
{
	assert_int_equal(tui_modal_key(m, code, fn), want);
}

static void type(struct tui_modal *m, const char *ascii)
{
	for (; *ascii; ascii++)
		key(m, (unsigned char)*ascii, false, TUI_MODAL_K_REDRAW);
}

static void test_history(void **state)
{
	struct tui_history h = {0};
	char buf[16];

	(void)state;
	tui_history_add(&h, "a");
	tui_history_add(&h, "a"); /* a consecutive duplicate */
	tui_history_add(&h, "");
	tui_history_add(&h, NULL);
	tui_history_add(&h, "b");
	tui_history_add(&h, "a"); /* not consecutive: kept */
	assert_int_equal(h.n, 3);
	assert_string_equal(h.item[0], "a");
	assert_string_equal(h.item[2], "a");
	for (int i = 0; i < TUI_HISTORY_MAX + 5; i++) {
		snprintf(buf, sizeof(buf), "e%d", i);
		tui_history_add(&h, buf);
	}
	assert_int_equal(h.n, TUI_HISTORY_MAX);
	assert_string_equal(h.item[0], "e5"); /* the oldest went */
	assert_string_equal(h.item[TUI_HISTORY_MAX - 1], "e104");
	tui_history_free(&h);
	assert_int_equal(h.n, 0);
}

static void test_confirm(void **state)
{
	struct tui_modal m = {0};

	(void)state;
	key(&m, 'y', false, TUI_MODAL_K_NONE); /* closed */
	tui_modal_confirm(&m, "Stop", "Stop \x1b[31mses_1\x1b[0m?", 7);
	assert_int_equal(m.kind, TUI_MODAL_CONFIRM);
	assert_int_equal(m.tag, 7);
	assert_string_equal(m.title, "Stop");
	assert_string_equal(m.message, "Stop ses_1?"); /* no terminal sequences */
	assert_null(tui_modal_value(&m));
	key(&m, 'x', false, TUI_MODAL_K_NONE);
	key(&m, KEY_UP, true, TUI_MODAL_K_NONE);
	key(&m, 'y', false, TUI_MODAL_K_YES);
	key(&m, 'Y', false, TUI_MODAL_K_YES);
	key(&m, '\r', false, TUI_MODAL_K_YES);
	key(&m, KEY_ENTER, true, TUI_MODAL_K_YES);
	key(&m, 'n', false, TUI_MODAL_K_NO);
	key(&m, 'N', false, TUI_MODAL_K_NO);
	key(&m, TUI_KEYS_ESC, false, TUI_MODAL_K_NO);
	key(&m, TUI_KEYS_CTRL_C, false, TUI_MODAL_K_QUIT);
	assert_int_equal(m.kind, TUI_MODAL_CONFIRM); /* the caller closes */
	tui_modal_close(&m);
	assert_int_equal(m.kind, TUI_MODAL_NONE);
	tui_modal_confirm(&m, NULL, NULL, 1);
	assert_string_equal(m.title, "");
	tui_modal_text(&m, "t", "x", 2); /* replaces what was open */
	assert_int_equal(m.kind, TUI_MODAL_TEXT);
	assert_null(m.message);
	tui_modal_close(&m);
}

static void test_input(void **state)
{
	struct tui_modal m = {0};

	(void)state;
	tui_modal_input(&m, "New session", "Folder", "~/src", NULL, 3);
	assert_string_equal(tui_modal_value(&m), "~/src");
	assert_string_equal(m.message, "Folder");
	assert_int_equal(m.line.cur, 5);
	type(&m, "/a");
	key(&m, KEY_LEFT, true, TUI_MODAL_K_REDRAW);
	key(&m, TUI_LINE_CTRL('k'), false, TUI_MODAL_K_REDRAW);
	key(&m, TUI_LINE_CTRL('k'), false, TUI_MODAL_K_NONE);
	key(&m, KEY_UP, true, TUI_MODAL_K_NONE); /* no history */
	key(&m, 'q', false, TUI_MODAL_K_REDRAW); /* q is text here */
	key(&m, '\t', false, TUI_MODAL_K_NONE);
	assert_string_equal(tui_modal_value(&m), "~/src/q");
	key(&m, '\n', false, TUI_MODAL_K_YES);
	assert_int_equal(m.tag, 3);
	assert_string_equal(tui_modal_value(&m), "~/src/q");
	key(&m, TUI_KEYS_ESC, false, TUI_MODAL_K_NO);
	key(&m, TUI_KEYS_CTRL_C, false, TUI_MODAL_K_QUIT);
	tui_modal_close(&m);
	assert_null(tui_modal_value(&m));
}

static void test_input_history(void **state)
{
	struct tui_modal m = {0};
	struct tui_history h = {0};

	(void)state;
	tui_history_add(&h, "old");
	tui_history_add(&h, "new");
	tui_modal_input(&m, "Clone", "URL", NULL, &h, 1);
	type(&m, "dra");
	key(&m, KEY_DOWN, true, TUI_MODAL_K_NONE); /* nothing newer than the draft */
	key(&m, KEY_UP, true, TUI_MODAL_K_REDRAW);
	assert_string_equal(tui_modal_value(&m), "new");
	key(&m, TUI_LINE_CTRL('p'), false, TUI_MODAL_K_REDRAW);
	assert_string_equal(tui_modal_value(&m), "old");
	key(&m, KEY_UP, true, TUI_MODAL_K_NONE); /* the oldest */
	key(&m, TUI_LINE_CTRL('n'), false, TUI_MODAL_K_REDRAW);
	assert_string_equal(tui_modal_value(&m), "new");
	key(&m, KEY_DOWN, true, TUI_MODAL_K_REDRAW);
	assert_string_equal(tui_modal_value(&m), "dra"); /* the draft is back */
	assert_int_equal(m.line.cur, 3);
	type(&m, "ft");
	key(&m, KEY_UP, true, TUI_MODAL_K_REDRAW);
	key(&m, KEY_DOWN, true, TUI_MODAL_K_REDRAW);
	assert_string_equal(tui_modal_value(&m), "draft");
	key(&m, KEY_ENTER, true, TUI_MODAL_K_YES);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.item[2], "draft");
	tui_modal_close(&m);
	assert_int_equal(h.n, 3); /* the history is the caller's */

	/* cancelled while browsing: nothing added, nothing leaked */
	tui_modal_input(&m, "Clone", "URL", "x", &h, 1);
	key(&m, KEY_UP, true, TUI_MODAL_K_REDRAW);
	key(&m, TUI_KEYS_ESC, false, TUI_MODAL_K_NO);
	tui_modal_close(&m);
	/* an empty or repeated answer is not added */
	tui_modal_input(&m, "Clone", "URL", "", &h, 1);
	key(&m, '\r', false, TUI_MODAL_K_YES);
	tui_modal_input(&m, "Clone", "URL", "draft", &h, 1);
	key(&m, '\r', false, TUI_MODAL_K_YES);
	tui_modal_close(&m);
	assert_int_equal(h.n, 3);
	tui_history_free(&h);
}

static void expect_line(const struct tui_modal *m, size_t i, const char *want)
{
	size_t len = 99;
	const char *s = tui_modal_line(m, i, &len);

	assert_non_null(s);
	assert_string_equal(s, want);
	assert_int_equal(len, strlen(want));
}

static void test_text_lines(void **state)
{
	struct tui_modal m = {0};

	(void)state;
	tui_modal_text(&m, "Error", "one\r\n\ntwo\tx\x1b]0;t\x07\nlast\n", 5);
	assert_int_equal(tui_modal_lines(&m), 4);
	expect_line(&m, 0, "one");
	expect_line(&m, 1, "");
	expect_line(&m, 2, "two x"); /* tab as a space, the OSC gone */
	expect_line(&m, 3, "last");
	assert_null(tui_modal_line(&m, 4, NULL));
	assert_null(tui_modal_value(&m));
	tui_modal_text(&m, "Empty", "", 0);
	assert_int_equal(tui_modal_lines(&m), 0);
	assert_null(tui_modal_line(&m, 0, NULL));
	tui_modal_text(&m, "One", "no newline", 0);
	assert_int_equal(tui_modal_lines(&m), 1);
	expect_line(&m, 0, "no newline");
	tui_modal_text(&m, "Null", NULL, 0);
	assert_int_equal(tui_modal_lines(&m), 0);
	tui_modal_close(&m);
	assert_int_equal(tui_modal_lines(&m), 0);
}

static void open_numbers(struct tui_modal *m, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n; i++)
		strbuf_printf(&sb, "line %zu\n", i);
	tui_modal_text(m, "Help", strbuf_str(&sb), 9);
	strbuf_free(&sb);
}

static void test_text_scroll(void **state)
{
	struct tui_modal m = {0};

	(void)state;
	open_numbers(&m, 1000); /* many lines: the line table grows */
	assert_int_equal(tui_modal_lines(&m), 1000);
	expect_line(&m, 999, "line 999");
	tui_modal_set_view(&m, 10);
	key(&m, 'k', false, TUI_MODAL_K_NONE);
	key(&m, KEY_UP, true, TUI_MODAL_K_NONE);
	key(&m, 'j', false, TUI_MODAL_K_REDRAW);
	key(&m, KEY_DOWN, true, TUI_MODAL_K_REDRAW);
	assert_int_equal(m.scroll, 2);
	key(&m, KEY_NPAGE, true, TUI_MODAL_K_REDRAW);
	assert_int_equal(m.scroll, 12);
	key(&m, TUI_LINE_CTRL('d'), false, TUI_MODAL_K_REDRAW);
	assert_int_equal(m.scroll, 17);
	key(&m, TUI_LINE_CTRL('u'), false, TUI_MODAL_K_REDRAW);
	key(&m, KEY_PPAGE, true, TUI_MODAL_K_REDRAW);
	assert_int_equal(m.scroll, 2);
	key(&m, KEY_PPAGE, true, TUI_MODAL_K_REDRAW);
	assert_int_equal(m.scroll, 0);
	key(&m, 'G', false, TUI_MODAL_K_REDRAW);
	assert_int_equal(m.scroll, 990); /* the last page is full */
	key(&m, 'j', false, TUI_MODAL_K_NONE);
	key(&m, KEY_END, true, TUI_MODAL_K_NONE);
	key(&m, 'g', false, TUI_MODAL_K_REDRAW);
	assert_int_equal(m.scroll, 0);
	key(&m, KEY_END, true, TUI_MODAL_K_REDRAW);
	key(&m, KEY_HOME, true, TUI_MODAL_K_REDRAW);
	key(&m, 'x', false, TUI_MODAL_K_NONE);
	/* a taller view clamps the scroll */
	key(&m, 'G', false, TUI_MODAL_K_REDRAW);
	tui_modal_set_view(&m, 100);
	assert_int_equal(m.scroll, 900);
	tui_modal_set_view(&m, 2000);
	assert_int_equal(m.scroll, 0);
	key(&m, 'j', false, TUI_MODAL_K_NONE); /* everything fits */
	key(&m, 'q', false, TUI_MODAL_K_NO);
	key(&m, TUI_KEYS_ESC, false, TUI_MODAL_K_NO);
	key(&m, TUI_KEYS_CTRL_C, false, TUI_MODAL_K_QUIT);
	assert_int_equal(m.tag, 9);

	/* a one-row view: a half page is still a line */
	open_numbers(&m, 3);
	tui_modal_set_view(&m, 1);
	key(&m, TUI_LINE_CTRL('d'), false, TUI_MODAL_K_REDRAW);
	assert_int_equal(m.scroll, 1);
	key(&m, 'G', false, TUI_MODAL_K_REDRAW);
	assert_int_equal(m.scroll, 2);
	tui_modal_close(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_history),    cmocka_unit_test(test_confirm),
	    cmocka_unit_test(test_input),      cmocka_unit_test(test_input_history),
	    cmocka_unit_test(test_text_lines), cmocka_unit_test(test_text_scroll),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

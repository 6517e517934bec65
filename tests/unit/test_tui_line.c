#define _XOPEN_SOURCE_EXTENDED 1 /* curses.h read as every tui file reads it (wide) */
#define NCURSES_WIDECHAR       1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curses.h>
#include <locale.h>
#include <string.h>

#include "tui/tui_line.h"
#include "tui/tui_keys.h"

#define E_ACUTE "\xc3\xa9"         /* é: 2 bytes, 1 cell */
#define HAN     "\xe6\xbc\xa2"     /* 漢: 3 bytes, 2 cells */
#define GRIN    "\xf0\x9f\x98\x80" /* 😀: 4 bytes, 2 cells */

static void key(struct tui_line *l, int code, bool fn, int want)
{
	assert_int_equal(tui_line_key(l, code, fn), want);
}

static void type(struct tui_line *l, const char *ascii)
{
	for (; *ascii; ascii++)
		key(l, (unsigned char)*ascii, false, TUI_LINE_EDITED);
}

static void test_insert_move_delete(void **state)
{
	struct tui_line l;

	(void)state;
	tui_line_init(&l, 64);
	type(&l, "qux");
	assert_string_equal(l.text, "qux");
	assert_int_equal(l.cur, 3);
	key(&l, KEY_LEFT, true, TUI_LINE_MOVED);
	key(&l, TUI_LINE_CTRL('b'), false, TUI_LINE_MOVED);
	type(&l, "a");
	assert_string_equal(l.text, "qaux");
	key(&l, 0x7f, false, TUI_LINE_EDITED);
	assert_string_equal(l.text, "qux");
	assert_int_equal(l.cur, 1);
	key(&l, KEY_DC, true, TUI_LINE_EDITED); /* under the cursor */
	assert_string_equal(l.text, "qx");
	key(&l, TUI_LINE_CTRL('d'), false, TUI_LINE_EDITED);
	assert_string_equal(l.text, "q");
	key(&l, KEY_DC, true, TUI_LINE_NONE); /* at the end */
	key(&l, KEY_RIGHT, true, TUI_LINE_NONE);
	key(&l, KEY_HOME, true, TUI_LINE_MOVED);
	key(&l, KEY_BACKSPACE, true, TUI_LINE_NONE); /* at the start */
	key(&l, KEY_LEFT, true, TUI_LINE_NONE);
	key(&l, TUI_LINE_CTRL('h'), false, TUI_LINE_NONE);
	key(&l, TUI_LINE_CTRL('e'), false, TUI_LINE_MOVED);
	key(&l, TUI_LINE_CTRL('a'), false, TUI_LINE_MOVED);
	key(&l, KEY_END, true, TUI_LINE_MOVED);
	key(&l, TUI_LINE_CTRL('f'), false, TUI_LINE_NONE);
	assert_int_equal(l.cur, 1);
}

static void test_kills_and_words(void **state)
{
	struct tui_line l;

	(void)state;
	tui_line_init(&l, 64);
	assert_true(tui_line_set(&l, "git clone  url"));
	key(&l, TUI_LINE_CTRL('w'), false, TUI_LINE_EDITED);
	assert_string_equal(l.text, "git clone  ");
	key(&l, TUI_LINE_CTRL('w'), false, TUI_LINE_EDITED); /* spaces, then the word */
	assert_string_equal(l.text, "git ");
	tui_line_set(&l, "one two three");
	key(&l, TUI_KEYS_ALT | 'b', false, TUI_LINE_MOVED);
	assert_int_equal(l.cur, 8);
	key(&l, TUI_KEYS_ALT | 'b', false, TUI_LINE_MOVED);
	assert_int_equal(l.cur, 4);
	key(&l, TUI_KEYS_ALT | 'f', false, TUI_LINE_MOVED);
	assert_int_equal(l.cur, 7);
	key(&l, TUI_KEYS_ALT | KEY_LEFT, true, TUI_LINE_MOVED);
	assert_int_equal(l.cur, 4);
	key(&l, TUI_KEYS_ALT | KEY_RIGHT, true, TUI_LINE_MOVED);
	assert_int_equal(l.cur, 7);
	key(&l, TUI_LINE_CTRL('k'), false, TUI_LINE_EDITED);
	assert_string_equal(l.text, "one two");
	key(&l, TUI_LINE_CTRL('k'), false, TUI_LINE_NONE);
	key(&l, TUI_KEYS_ALT | 'b', false, TUI_LINE_MOVED);
	key(&l, TUI_LINE_CTRL('u'), false, TUI_LINE_EDITED);
	assert_string_equal(l.text, "two");
	assert_int_equal(l.cur, 0);
	key(&l, TUI_LINE_CTRL('u'), false, TUI_LINE_NONE);
	key(&l, TUI_LINE_CTRL('w'), false, TUI_LINE_NONE);
	key(&l, TUI_KEYS_ALT | 'b', false, TUI_LINE_NONE);
	key(&l, TUI_KEYS_ALT | 'f', false, TUI_LINE_MOVED);
	key(&l, TUI_KEYS_ALT | 'f', false, TUI_LINE_NONE);
}

static void test_not_line_keys(void **state)
{
	struct tui_line l;

	(void)state;
	tui_line_init(&l, 64);
	key(&l, '\r', false, TUI_LINE_UNHANDLED);
	key(&l, '\n', false, TUI_LINE_UNHANDLED);
	key(&l, TUI_KEYS_ESC, false, TUI_LINE_UNHANDLED);
	key(&l, '\t', false, TUI_LINE_UNHANDLED);
	key(&l, TUI_KEYS_CTRL_C, false, TUI_LINE_UNHANDLED);
	key(&l, KEY_UP, true, TUI_LINE_UNHANDLED);
	key(&l, KEY_ENTER, true, TUI_LINE_UNHANDLED);
	key(&l, 0x9b, false, TUI_LINE_UNHANDLED); /* C1 CSI */
	key(&l, TUI_KEYS_ALT | 'x', false, TUI_LINE_UNHANDLED);
	assert_int_equal(l.len, 0);
	assert_true(tui_line_is_enter('\r', false));
	assert_true(tui_line_is_enter('\n', false));
	assert_true(tui_line_is_enter(KEY_ENTER, true));
	assert_false(tui_line_is_enter('\r', true));
	assert_false(tui_line_is_enter(KEY_ENTER, false));
	assert_false(tui_line_insert(&l, 0x07));
	assert_false(tui_line_insert(&l, 0x7f));
	assert_false(tui_line_insert(&l, 0x85));
	assert_true(tui_line_insert(&l, 0xa0));
}

static void test_utf8(void **state)
{
	struct tui_line l;

	(void)state;
	tui_line_init(&l, 64);
	key(&l, 'a', false, TUI_LINE_EDITED);
	key(&l, 0x00e9, false, TUI_LINE_EDITED);
	key(&l, 0x6f22, false, TUI_LINE_EDITED);
	key(&l, 0x1f600, false, TUI_LINE_EDITED);
	assert_string_equal(l.text, "a" E_ACUTE HAN GRIN);
	assert_int_equal(l.len, 10);
	assert_int_equal(tui_line_cursor_cells(&l), 1 + 1 + 2 + 2);
	assert_true(tui_line_left(&l));
	assert_int_equal(l.cur, 6);
	assert_int_equal(tui_line_cursor_cells(&l), 4);
	assert_true(tui_line_left(&l));
	assert_true(tui_line_backspace(&l)); /* the whole é */
	assert_string_equal(l.text, "a" HAN GRIN);
	assert_int_equal(l.cur, 1);
	assert_int_equal(tui_line_cursor_cells(&l), 1);
	assert_true(tui_line_delete(&l)); /* the whole 漢 */
	assert_string_equal(l.text, "a" GRIN);
	assert_true(tui_line_right(&l));
	assert_int_equal(l.cur, 5);
	assert_true(tui_line_backspace(&l));
	assert_string_equal(l.text, "a");
	/* words end at ASCII spaces only: a wide word moves whole */
	tui_line_set(&l, HAN HAN " " E_ACUTE "t" E_ACUTE);
	assert_true(tui_line_word_left(&l));
	assert_int_equal(l.cur, 7);
	assert_true(tui_line_word_left(&l));
	assert_int_equal(l.cur, 0);
	assert_true(tui_line_word_right(&l));
	assert_int_equal(tui_line_cursor_cells(&l), 4);
}

static void test_bound(void **state)
{
	struct tui_line l;

	(void)state;
	tui_line_init(&l, 5);
	assert_true(tui_line_insert(&l, 0x00e9));
	assert_true(tui_line_insert(&l, 0x00e9));
	assert_false(tui_line_insert(&l, 0x00e9)); /* 6 bytes: never half of it */
	assert_int_equal(tui_line_key(&l, 0x00e9, false), TUI_LINE_NONE);
	assert_true(tui_line_insert(&l, 'x'));
	assert_int_equal(l.len, 5);
	assert_int_equal(strlen(l.text), 5);
	assert_false(tui_line_insert(&l, 'y'));
	assert_true(tui_line_home(&l));
	assert_false(tui_line_insert(&l, 'y')); /* full in the middle too */
	assert_string_equal(l.text, E_ACUTE E_ACUTE "x");

	/* set: stops before the code point that does not fit */
	assert_true(tui_line_set(&l, "ab" HAN "c"));
	assert_string_equal(l.text, "ab" HAN);
	assert_int_equal(l.cur, 5);
	assert_true(tui_line_set(&l, "abcd" GRIN));
	assert_string_equal(l.text, "abcd");
	assert_false(tui_line_set(&l, "abcd"));
	/* controls are left out, invalid bytes become U+FFFD */
	assert_true(tui_line_set(&l, "a\tb\x1b\n"));
	assert_string_equal(l.text, "ab");
	assert_true(tui_line_set(&l, "\xff"));
	assert_string_equal(l.text, "\xef\xbf\xbd");
	assert_true(tui_line_set(&l, NULL));
	assert_int_equal(l.len, 0);

	/* the cap of every line */
	tui_line_init(&l, TUI_LINE_MAX + 100);
	assert_int_equal(l.max, TUI_LINE_MAX);
	for (int i = 0; i < TUI_LINE_MAX; i++)
		tui_line_insert(&l, 0x6f22);
	assert_true(l.len <= TUI_LINE_MAX);
	assert_true(l.len > TUI_LINE_MAX - 3);
	assert_int_equal(strlen(l.text), l.len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_insert_move_delete),
	    cmocka_unit_test(test_kills_and_words),
	    cmocka_unit_test(test_not_line_keys),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_bound),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

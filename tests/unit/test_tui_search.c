#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curses.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui_search.h"

static void type(struct tui_search *s, const char *ascii)
{
	for (; *ascii; ascii++)
		assert_int_equal(tui_search_key(s, (unsigned char)*ascii, false),
		                 TUI_SEARCH_K_EDIT);
}

static void test_editing(void **state)
{
	struct tui_search s;

	(void)state;
	tui_search_init(&s);
	assert_false(s.editing);
	assert_int_equal(tui_search_key(&s, 'q', false), TUI_SEARCH_K_NONE);
	/* the app opens the field on its filter key: `/` is not the field's */
	assert_int_equal(tui_search_key(&s, '/', false), TUI_SEARCH_K_NONE);
	assert_false(s.editing);
	tui_search_open(&s);
	assert_true(s.editing);
	assert_false(s.active);
	type(&s, "qux");
	assert_string_equal(s.line.text, "qux");
	assert_true(s.active);
	assert_int_equal(s.q.len, 3);
	assert_int_equal(tui_search_key(&s, KEY_LEFT, true), TUI_SEARCH_K_MOVE);
	assert_int_equal(tui_search_key(&s, KEY_LEFT, true), TUI_SEARCH_K_MOVE);
	type(&s, "a");
	assert_string_equal(s.line.text, "qaux");
	assert_int_equal(tui_search_key(&s, 0x7f, false), TUI_SEARCH_K_EDIT);
	assert_string_equal(s.line.text, "qux");
	assert_int_equal(s.line.cur, 1);
	assert_int_equal(tui_search_key(&s, KEY_END, true), TUI_SEARCH_K_MOVE);
	assert_int_equal(tui_search_key(&s, KEY_RIGHT, true), TUI_SEARCH_K_NONE);
	assert_int_equal(tui_search_key(&s, 0x15, false), TUI_SEARCH_K_EDIT); /* Ctrl-u */
	assert_string_equal(s.line.text, "");
	assert_false(s.active);
	assert_int_equal(tui_search_key(&s, KEY_BACKSPACE, true), TUI_SEARCH_K_NONE);
	type(&s, "a/b");
	assert_int_equal(tui_search_key(&s, 0x17, false), TUI_SEARCH_K_EDIT); /* Ctrl-w */
	assert_string_equal(s.line.text, "");
	type(&s, "ab");
	assert_int_equal(tui_search_key(&s, '\r', false), TUI_SEARCH_K_EDIT); /* Enter */
	assert_false(s.editing);
	assert_true(s.active);
	assert_string_equal(s.line.text, "ab");
	assert_int_equal(tui_search_key(&s, 'n', false), TUI_SEARCH_K_NONE);
	assert_int_equal(tui_search_key(&s, KEY_LEFT, true), TUI_SEARCH_K_NONE);
	assert_int_equal(tui_search_key(&s, 0x1b, false), TUI_SEARCH_K_EDIT); /* Esc */
	assert_false(s.active);
	assert_string_equal(s.line.text, "");
	assert_int_equal(tui_search_key(&s, 0x1b, false), TUI_SEARCH_K_NONE);
	tui_search_open(&s);
	assert_int_equal(tui_search_key(&s, '\t', false), TUI_SEARCH_K_NONE);
	assert_int_equal(tui_search_key(&s, 0x1b, false), TUI_SEARCH_K_EDIT);
	assert_false(s.editing);
	tui_search_open(&s);
	assert_int_equal(tui_search_key(&s, 0x03, false), TUI_SEARCH_K_QUIT);
}

static void test_utf8(void **state)
{
	struct tui_search s;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	tui_search_open(&s);
	assert_int_equal(tui_search_key(&s, 'a', false), TUI_SEARCH_K_EDIT);
	assert_int_equal(tui_search_key(&s, 0x6f22, false), TUI_SEARCH_K_EDIT); /* 漢, 2 cells */
	assert_int_equal(tui_search_key(&s, 0x00e9, false), TUI_SEARCH_K_EDIT);
	assert_int_equal(s.q.len, 3);
	assert_int_equal(tui_search_key(&s, KEY_LEFT, true), TUI_SEARCH_K_MOVE);
	/* "  /" then a and 漢: the field's cursor is on é */
	assert_int_equal(tui_search_header(&s, &sb, 2), 3 + 1 + 2);
	assert_string_equal(strbuf_str(&sb), "  /a\xe6\xbc\xa2\xc3\xa9   2 matches");
	strbuf_free(&sb);
	assert_int_equal(tui_search_key(&s, KEY_BACKSPACE, true), TUI_SEARCH_K_EDIT);
	assert_string_equal(s.line.text, "a\xc3\xa9");
	assert_int_equal(s.q.len, 2);
	assert_int_equal(tui_search_key(&s, 0x07, false),
	                 TUI_SEARCH_K_NONE); /* controls stay out */
	for (int i = 0; i < TUI_SEARCH_MAX; i++)
		tui_search_key(&s, 0x00e9, false);
	assert_true(s.line.len <= TUI_SEARCH_MAX);
	assert_true(s.line.len > TUI_SEARCH_MAX - 2);
	assert_int_equal(strlen(s.line.text), s.line.len);
}

static struct tui_tree_item session(char *title, char *id)
{
	struct tui_tree_item it;

	memset(&it, 0, sizeof(it));
	it.kind = TUI_TREE_SESSION;
	it.host = "alpha";
	it.path = "~/src/proj";
	it.title = title;
	it.session_id = id;
	return it;
}

static void search_for(struct tui_search *s, const char *q)
{
	tui_search_open(s);
	type(s, q);
}

static void test_scoring(void **state)
{
	struct tui_search s;
	struct tui_tree_item ses = session("Fix the parser", "ses_0123abcd");
	struct tui_tree_item host, proj, grp;
	struct tui_filter_match m;

	(void)state;
	memset(&host, 0, sizeof(host));
	host.kind = TUI_TREE_HOST;
	host.host = "alpha";
	host.label = "Build box";
	proj = host;
	proj.kind = TUI_TREE_PROJECT;
	proj.path = "~/src/proj";
	grp = host;
	grp.kind = TUI_TREE_GROUP;
	grp.group = "alpha";

	search_for(&s, "parser");
	assert_true(tui_search_match(&ses, &s) > 0);
	assert_int_equal(tui_search_match(&host, &s), 0);
	assert_int_equal(tui_search_match(&proj, &s), 0);
	/* a session scores on its own fields, not its host's or path */
	search_for(&s, "alpha");
	assert_int_equal(tui_search_match(&ses, &s), 0);
	assert_true(tui_search_match(&host, &s) > 0);
	assert_int_equal(tui_search_match(&grp, &s), 0);
	search_for(&s, "bbox"); /* the label */
	assert_true(tui_search_match(&host, &s) > 0);
	search_for(&s, "srcproj");
	assert_true(tui_search_match(&proj, &s) > 0);
	search_for(&s, "0123");
	assert_true(tui_search_match(&ses, &s) > 0);

	/* marks are where the shown text matched */
	search_for(&s, "fpar");
	ses.score = tui_search_match(&ses, &s);
	assert_true(ses.score > 0);
	assert_int_equal(tui_search_marks(&s, &ses, &m), 4);
	assert_int_equal(m.pos[0], 0);
	assert_int_equal(m.pos[1], 8);
	assert_int_equal(m.pos[3], 10);
	/* matched by the id: no marks in the title */
	search_for(&s, "0123");
	ses.score = tui_search_match(&ses, &s);
	assert_int_equal(tui_search_marks(&s, &ses, &m), 0);
	/* a host row shows its label: a name-only match has no marks */
	search_for(&s, "alpha");
	host.score = tui_search_match(&host, &s);
	assert_int_equal(tui_search_marks(&s, &host, &m), 0);
	search_for(&s, "box");
	host.score = tui_search_match(&host, &s);
	assert_int_equal(tui_search_marks(&s, &host, &m), 3);
	assert_int_equal(m.pos[0], 6);
}

static void test_cells(void **state)
{
	struct tui_search s;
	struct tui_tree_item ses = session("h\xc3\xa9llo w\xc3\xb6rld", "x");
	struct tui_search_cell c[8];

	(void)state;
	search_for(&s, "lw");
	ses.score = tui_search_match(&ses, &s);
	assert_int_equal(tui_search_cells(&s, &ses, true, c, 8), 2);
	assert_int_equal(c[0].col, 3); /* the second l: byte 4, cell 3 */
	assert_int_equal(c[0].width, 1);
	assert_int_equal(c[1].col, 6);
	assert_int_equal(tui_search_cells(&s, &ses, true, c, 1), 1);
	/* a closed field with no filter marks nothing */
	tui_search_reset(&s);
	assert_int_equal(tui_search_cells(&s, &ses, true, c, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_editing),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_scoring),
	    cmocka_unit_test(test_cells),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

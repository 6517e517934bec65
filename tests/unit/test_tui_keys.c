/* tui_keys: key names to get_wch codes, the map from codes to actions
 * (defaults, rebinding, the fixed ctrl+c and esc, the codes a key also
 * arrives as), the keys written for people, the actions' help lines. */
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR       1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_config.h"
#include "tui/tui_keys.h"
#include "util/err.h"

static void expect_parse(const char *name, int code, bool fn)
{
	int c = -1;
	bool f = !fn;

	assert_true(tui_keys_parse(name, &c, &f));
	assert_int_equal(c, code);
	assert_int_equal(f, fn);
}

static void expect_desc(const struct tui_keys *k, int action, bool ascii, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	tui_keys_describe(k, action, ascii, &sb);
	assert_string_equal(strbuf_str(&sb), want);
	strbuf_free(&sb);
}

static struct tui_keys *keys_of(const char *yaml)
{
	struct disc_config *cfg = NULL;
	struct tui_keys *k;

	assert_int_equal(disc_config_parse("t.yaml", yaml, strlen(yaml), NULL, &cfg), ERR_OK);
	k = tui_keys_new(cfg->keys);
	disc_config_free(cfg);
	return k;
}

/* Every default key parses and maps back to its own action. */
static void test_defaults_map_back(void **state)
{
	struct disc_config *cfg = disc_config_new_defaults();
	struct tui_keys *k = tui_keys_new(cfg->keys);
	int code;
	bool fn;

	(void)state;
	for (int a = 0; a < DISC_ACT_COUNT; a++) {
		assert_true(cfg->keys[a].n >= 1);
		for (size_t i = 0; i < cfg->keys[a].n; i++) {
			assert_true(tui_keys_parse(cfg->keys[a].v[i], &code, &fn));
			assert_int_equal(tui_keys_action(k, code, fn), a);
		}
	}
	assert_int_equal(tui_keys_action(k, 'j', false), DISC_ACT_MOVE_DOWN);
	assert_int_equal(tui_keys_action(k, KEY_DOWN, true), DISC_ACT_MOVE_DOWN);
	assert_int_equal(tui_keys_action(k, KEY_NPAGE, true), DISC_ACT_PAGE_DOWN);
	assert_int_equal(tui_keys_action(k, 0x04, false), DISC_ACT_PAGE_DOWN);
	assert_int_equal(tui_keys_action(k, ' ', false), DISC_ACT_TOGGLE);
	assert_int_equal(tui_keys_action(k, 'G', false), DISC_ACT_BOTTOM);
	assert_int_equal(tui_keys_action(k, KEY_HOME, true), DISC_ACT_TOP);
	assert_int_equal(tui_keys_action(k, 'c', false), DISC_ACT_NEW_SESSION);
	assert_int_equal(tui_keys_action(k, 'C', false), DISC_ACT_GIT_CLONE);
	assert_int_equal(tui_keys_action(k, '\t', false), DISC_ACT_CYCLE_VIEW);
	assert_int_equal(tui_keys_action(k, '?', false), DISC_ACT_HELP);
	tui_keys_free(k);
	disc_config_free(cfg);
}

/* Enter arrives as CR, LF or KEY_ENTER; Backspace as DEL, BS or
 * KEY_BACKSPACE; all of them are the one key, with alt too. */
static void test_codes_a_key_also_arrives_as(void **state)
{
	struct tui_keys *k = keys_of("keybindings:\n  help: [backspace, alt+enter]\n");

	(void)state;
	assert_int_equal(tui_keys_action(k, '\r', false), DISC_ACT_ATTACH);
	assert_int_equal(tui_keys_action(k, '\n', false), DISC_ACT_ATTACH);
	assert_int_equal(tui_keys_action(k, KEY_ENTER, true), DISC_ACT_ATTACH);
	assert_int_equal(tui_keys_action(k, 127, false), DISC_ACT_HELP);
	assert_int_equal(tui_keys_action(k, 8, false), DISC_ACT_HELP);
	assert_int_equal(tui_keys_action(k, KEY_BACKSPACE, true), DISC_ACT_HELP);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_ALT | '\r', false), DISC_ACT_HELP);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_ALT | '\n', false), DISC_ACT_HELP);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_ALT | KEY_ENTER, true), DISC_ACT_HELP);
	assert_int_equal(tui_keys_action(k, '?', false), -1);
	tui_keys_free(k);
}

/* Names with modifiers, named keys, spellings; names with no code. */
static void test_parse(void **state)
{
	int code;
	bool fn;

	(void)state;
	expect_parse("j", 'j', false);
	expect_parse("G", 'G', false);
	expect_parse("?", '?', false);
	expect_parse("space", ' ', false);
	expect_parse("enter", '\r', false);
	expect_parse("Return", '\r', false);
	expect_parse("tab", '\t', false);
	expect_parse("esc", 27, false);
	expect_parse("backspace", 127, false);
	expect_parse("ctrl+r", 0x12, false);
	expect_parse("ctrl+R", 0x12, false);
	expect_parse("ctrl+@", 0, false);
	expect_parse("ctrl+]", 0x1d, false);
	expect_parse("ctrl+i", '\t', false);
	expect_parse("alt+x", TUI_KEYS_ALT | 'x', false);
	expect_parse("alt+X", TUI_KEYS_ALT | 'X', false);
	expect_parse("alt+ctrl+r", TUI_KEYS_ALT | 0x12, false);
	expect_parse("alt+down", TUI_KEYS_ALT | KEY_DOWN, true);
	expect_parse("f5", KEY_F(5), true);
	expect_parse("F12", KEY_F(12), true);
	expect_parse("btab", KEY_BTAB, true);
	expect_parse("shift+tab", KEY_BTAB, true);
	expect_parse("pgdown", KEY_NPAGE, true);
	expect_parse("pgup", KEY_PPAGE, true);
	expect_parse("home", KEY_HOME, true);
	expect_parse("end", KEY_END, true);
	expect_parse("delete", KEY_DC, true);
	expect_parse("insert", KEY_IC, true);
	expect_parse("left", KEY_LEFT, true);
	assert_false(tui_keys_parse("ctrl+shift+q", &code, &fn));
	assert_false(tui_keys_parse("f13", &code, &fn));
	assert_false(tui_keys_parse("alt+alt+x", &code, &fn));
	assert_false(tui_keys_parse("", &code, &fn));
	assert_false(tui_keys_parse("é", &code, &fn));
}

/* Keys bound to nothing, and a character against the KEY_* code with the
 * same number. */
static void test_unbound(void **state)
{
	struct disc_config *cfg = disc_config_new_defaults();
	struct tui_keys *k = tui_keys_new(cfg->keys);

	(void)state;
	assert_int_equal(tui_keys_action(k, 'z', false), -1);
	assert_int_equal(tui_keys_action(k, 'j', true), -1);
	assert_int_equal(tui_keys_action(k, KEY_DOWN, false), -1);
	assert_int_equal(tui_keys_action(k, KEY_F(5), true), -1);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_ALT | 'j', false), -1);
	assert_int_equal(tui_keys_action(k, 0x00e9, false), -1);
	/* The fixed keys: ctrl+c quits, esc is the caller's. */
	assert_int_equal(tui_keys_action(k, TUI_KEYS_CTRL_C, false), DISC_ACT_QUIT);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_ESC, false), -1);
	tui_keys_free(k);
	disc_config_free(cfg);
}

/* A rebinding moves the action: top takes j, move_down keeps the arrow. */
static void test_rebinding_moves_the_action(void **state)
{
	struct tui_keys *k = keys_of("keybindings:\n  move_down: [down, ctrl+n]\n"
	                             "  top: [j, home]\n  refresh: [r, f5]\n"
	                             "  stop_session: alt+S\n  quit: [q, ctrl+q]\n");

	(void)state;
	assert_int_equal(tui_keys_action(k, 'j', false), DISC_ACT_TOP);
	assert_int_equal(tui_keys_action(k, 'g', false), -1);
	assert_int_equal(tui_keys_action(k, KEY_DOWN, true), DISC_ACT_MOVE_DOWN);
	assert_int_equal(tui_keys_action(k, 0x0e, false), DISC_ACT_MOVE_DOWN);
	assert_int_equal(tui_keys_action(k, KEY_F(5), true), DISC_ACT_REFRESH);
	assert_int_equal(tui_keys_action(k, 'r', false), DISC_ACT_REFRESH);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_ALT | 'S', false), DISC_ACT_STOP_SESSION);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_ALT | 's', false), -1);
	assert_int_equal(tui_keys_action(k, 's', false), -1);
	assert_int_equal(tui_keys_action(k, 0x11, false), DISC_ACT_QUIT);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_CTRL_C, false), DISC_ACT_QUIT);
	expect_desc(k, DISC_ACT_TOP, false, "j/home");
	expect_desc(k, DISC_ACT_MOVE_DOWN, false, "↓/ctrl+n");
	expect_desc(k, DISC_ACT_STOP_SESSION, true, "alt+S");
	tui_keys_free(k);
}

/* Lists built by hand: ctrl+c and esc never reach an action, a name with
 * no code is skipped, a key two actions claim goes to the first. */
static void test_hand_built_lists(void **state)
{
	struct disc_strv keys[DISC_ACT_COUNT];
	struct tui_keys *k;

	(void)state;
	memset(keys, 0, sizeof(keys));
	disc_strv_push(&keys[DISC_ACT_QUIT], "q");
	disc_strv_push(&keys[DISC_ACT_QUIT], "ctrl+c");
	disc_strv_push(&keys[DISC_ACT_QUIT], "esc");
	disc_strv_push(&keys[DISC_ACT_HELP], "Escape");
	disc_strv_push(&keys[DISC_ACT_HELP], "alt+esc");
	disc_strv_push(&keys[DISC_ACT_HELP], "hyper+h");
	disc_strv_push(&keys[DISC_ACT_HELP], "x");
	disc_strv_push(&keys[DISC_ACT_MOVE_UP], "x");
	disc_strv_push(&keys[DISC_ACT_INSPECT], "enter");
	disc_strv_push(&keys[DISC_ACT_INSPECT], "ctrl+m");
	k = tui_keys_new(keys);
	assert_int_equal(tui_keys_action(k, 'q', false), DISC_ACT_QUIT);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_CTRL_C, false), DISC_ACT_QUIT);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_ESC, false), -1);
	assert_int_equal(tui_keys_action(k, TUI_KEYS_ALT | TUI_KEYS_ESC, false), -1);
	assert_int_equal(tui_keys_action(k, 'x', false), DISC_ACT_MOVE_UP);
	assert_int_equal(tui_keys_action(k, '\r', false), DISC_ACT_INSPECT);
	expect_desc(k, DISC_ACT_QUIT, false, "q");
	expect_desc(k, DISC_ACT_HELP, false, "x");
	expect_desc(k, DISC_ACT_INSPECT, false, "enter");
	expect_desc(k, DISC_ACT_ATTACH, false, "");
	tui_keys_free(k);
	for (int a = 0; a < DISC_ACT_COUNT; a++)
		disc_strv_free(&keys[a]);
}

/* The keys as the help overlay and the footer write them. */
static void test_describe(void **state)
{
	struct disc_config *cfg = disc_config_new_defaults();
	struct tui_keys *k = tui_keys_new(cfg->keys);
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	expect_desc(k, DISC_ACT_MOVE_DOWN, false, "j/↓");
	expect_desc(k, DISC_ACT_MOVE_DOWN, true, "j/down");
	expect_desc(k, DISC_ACT_MOVE_UP, false, "k/↑");
	expect_desc(k, DISC_ACT_COLLAPSE, false, "h/←");
	expect_desc(k, DISC_ACT_EXPAND, false, "l/→");
	expect_desc(k, DISC_ACT_EXPAND, true, "l/right");
	expect_desc(k, DISC_ACT_PAGE_DOWN, false, "ctrl+d/pgdn");
	expect_desc(k, DISC_ACT_PAGE_DOWN, true, "ctrl+d/pgdn");
	expect_desc(k, DISC_ACT_PAGE_UP, true, "ctrl+u/pgup");
	expect_desc(k, DISC_ACT_TOP, false, "g/home");
	expect_desc(k, DISC_ACT_ATTACH, false, "enter");
	expect_desc(k, DISC_ACT_TOGGLE, true, "space");
	expect_desc(k, DISC_ACT_HELP, true, "?");
	expect_desc(k, DISC_ACT_COUNT, true, "");
	/* It appends. */
	strbuf_puts(&sb, "quit: ");
	tui_keys_describe(k, DISC_ACT_QUIT, false, &sb);
	assert_string_equal(strbuf_str(&sb), "quit: q");
	strbuf_free(&sb);
	tui_keys_free(k);
	disc_config_free(cfg);
}

static void test_action_help(void **state)
{
	(void)state;
	for (int a = 0; a < DISC_ACT_COUNT; a++) {
		assert_non_null(tui_keys_action_help(a));
		assert_string_not_equal(tui_keys_action_help(a), "?");
	}
	assert_string_equal(tui_keys_action_help(DISC_ACT_MOVE_DOWN), "move down");
	assert_string_equal(tui_keys_action_help(DISC_ACT_ATTACH), "attach to the session");
	assert_string_equal(tui_keys_action_help(-1), "?");
	assert_string_equal(tui_keys_action_help(DISC_ACT_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_map_back),
	    cmocka_unit_test(test_codes_a_key_also_arrives_as),
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_unbound),
	    cmocka_unit_test(test_rebinding_moves_the_action),
	    cmocka_unit_test(test_hand_built_lists),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_action_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* disc_keys: keybindings: default key lists, key names and their aliases,
 * swapping and moving keys, the fixed ctrl+c and esc, malformed names, one
 * key on two actions (an error, or in an import a warning and the
 * defaults back). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_testlib.h"
#include "discovery/disc_keys.h"

/* Every action has defaults, already normalised, none fixed, none shared. */
static void test_defaults(void **state)
{
	struct disc_strv a = {NULL, 0}, b = {NULL, 0};
	const char *k;

	(void)state;
	disc_keys_default(DISC_ACT_MOVE_DOWN, &a);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.v[0], "j");
	assert_string_equal(a.v[1], "down");
	assert_null(a.v[2]);
	disc_keys_default(DISC_ACT_PAGE_UP, &a);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.v[0], "ctrl+u");
	assert_string_equal(a.v[1], "pgup");
	disc_keys_default(DISC_ACT_NEW_SESSION, &a);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.v[0], "c");
	for (int i = 0; i < DISC_ACT_COUNT; i++) {
		disc_keys_default(i, &a);
		assert_true(a.n >= 1);
		for (size_t j = 0; j < a.n; j++) {
			char *n = disc_keys_normalise(a.v[j]);

			assert_non_null(n);
			assert_string_equal(n, a.v[j]);
			assert_false(disc_keys_fixed(n));
			free(n);
		}
		for (int o = i + 1; o < DISC_ACT_COUNT; o++) {
			disc_keys_default(o, &b);
			assert_false(disc_strv_shares(&a, &b, &k));
		}
	}
	disc_strv_free(&a);
	disc_strv_free(&b);
}

static void expect_name(const char *in, const char *want)
{
	char *n = disc_keys_normalise(in);

	if (!want) {
		assert_null(n);
		return;
	}
	assert_non_null(n);
	assert_string_equal(n, want);
	free(n);
}

/* Spellings, and control keys that are a named key's byte. */
static void test_normalise(void **state)
{
	(void)state;
	expect_name("Enter", "enter");
	expect_name("RETURN", "enter");
	expect_name("ctrl+R", "ctrl+r");
	expect_name("Alt+S", "alt+S");
	expect_name("PageDown", "pgdown");
	expect_name("F10", "f10");
	expect_name(" ", "space");
	expect_name("ctrl+I", "tab");
	expect_name("ctrl+m", "enter");
	expect_name("ctrl+j", "enter");
	expect_name("ctrl+h", "backspace");
	expect_name("ctrl+[", "esc");
	expect_name("alt+ctrl+i", "alt+tab");
	expect_name("ctrl+shift+q", NULL);
	expect_name("f13", NULL);
	expect_name("alt+alt+x", NULL);
	expect_name("", NULL);
	assert_true(disc_keys_fixed("ctrl+c"));
	assert_true(disc_keys_fixed("esc"));
	assert_true(disc_keys_fixed("alt+esc"));
	assert_false(disc_keys_fixed("ctrl+d"));
	assert_false(disc_keys_fixed("c"));
}

/* Swapping two keys works when both actions are rebound. */
static void test_keys_can_be_swapped(void **state)
{
	struct disc_config *cfg = NULL;

	(void)state;
	assert_int_equal(parse("keybindings:\n  search: r\n  refresh: /\n", &cfg), ERR_OK);
	assert_string_equal(cfg->keys[DISC_ACT_SEARCH].v[0], "r");
	assert_string_equal(cfg->keys[DISC_ACT_REFRESH].v[0], "/");
	disc_config_free(cfg);
}

/* The tree's keys are ordinary actions now: they move like any other. */
static void test_tree_keys_can_be_rebound(void **state)
{
	struct disc_config *cfg = NULL;

	(void)state;
	assert_int_equal(parse("keybindings:\n  move_down: down\n  top: [j, home]\n"
	                       "  toggle: t\n  search: [/, space]\n",
	                       &cfg),
	                 ERR_OK);
	assert_int_equal(cfg->keys[DISC_ACT_MOVE_DOWN].n, 1);
	assert_string_equal(cfg->keys[DISC_ACT_MOVE_DOWN].v[0], "down");
	assert_string_equal(cfg->keys[DISC_ACT_TOP].v[0], "j");
	assert_string_equal(cfg->keys[DISC_ACT_TOGGLE].v[0], "t");
	assert_string_equal(cfg->keys[DISC_ACT_SEARCH].v[1], "space");
	/* Left alone: the defaults. */
	assert_string_equal(cfg->keys[DISC_ACT_MOVE_UP].v[0], "k");
	assert_string_equal(cfg->keys[DISC_ACT_MOVE_UP].v[1], "up");
	disc_config_free(cfg);
}

/* Bindings the walker accepts as YAML but the keys module refuses. */
static void test_bad_bindings(void **state)
{
	(void)state;
	expect_error("keybindings:\n  search: r\n",
	             "t.yaml:2:11: keybindings.search: key 'r' is already bound to refresh "
	             "(rebind that action too)");
	expect_error("keybindings:\n  top: j\n",
	             "t.yaml:2:8: keybindings.top: key 'j' is already bound to move_down "
	             "(rebind that action too)");
	/* ctrl+i is tab, which cycle_view has. */
	expect_error("keybindings:\n  help: ctrl+i\n",
	             "t.yaml:2:9: keybindings.help: key 'tab' is already bound to cycle_view "
	             "(rebind that action too)");
	expect_error("keybindings:\n  quit: ctrl+shift+q\n",
	             "t.yaml:2:9: keybindings.quit: expected a key like q, enter, tab, f5, ctrl+r "
	             "or alt+x (or a list of them), got 'ctrl+shift+q'");
}

/* ctrl+c and esc, under any spelling, belong to no action. */
static void test_fixed_keys(void **state)
{
	static const char fixed[] = "expected a key other than ctrl+c and esc (ctrl+c always "
	                            "quits, esc always closes), got ";
	char *want;

	(void)state;
	want = xasprintf("t.yaml:2:13: keybindings.quit: %s'ctrl+c'", fixed);
	expect_error("keybindings:\n  quit: [q, ctrl+c]\n", want);
	free(want);
	want = xasprintf("t.yaml:2:9: keybindings.help: %s'Escape'", fixed);
	expect_error("keybindings:\n  help: Escape\n", want);
	free(want);
	want = xasprintf("t.yaml:2:11: keybindings.search: %s'ctrl+['", fixed);
	expect_error("keybindings:\n  search: \"ctrl+[\"\n", want);
	free(want);
	want = xasprintf("t.yaml:4:5: keybindings.refresh: %s'alt+esc'", fixed);
	expect_error("keybindings:\n  refresh:\n  - r\n  - alt+esc\n", want);
	free(want);
}

/* An import: a clash gives the action the file set its defaults back; when
 * that default is another binding's key, that one goes back too. */
static void test_import_clash_keeps_defaults(void **state)
{
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/remote-tui.yaml", dir);
	struct disc_config *cfg = NULL;
	struct capture cap;

	(void)state;
	write_text(path, "keybindings:\n  search: c\n  new_session: n\n  quit: Q\n  top: j\n");
	cap_open(&cap);
	assert_int_equal(disc_config_import(path, cap.fp, &cfg), ERR_OK);
	assert_non_null(strstr(cap_text(&cap), ":3:16: keybindings.new_session: key 'n' is "
	                                       "already bound to next_match; kept the default "
	                                       "(c)\n"));
	assert_non_null(strstr(cap_text(&cap), ":2:11: keybindings.search: key 'c' is already "
	                                       "bound to new_session; kept the default (/)\n"));
	assert_non_null(strstr(cap_text(&cap), ":5:8: keybindings.top: key 'j' is already bound "
	                                       "to move_down; kept the default (g, home)\n"));
	assert_string_equal(cfg->keys[DISC_ACT_NEW_SESSION].v[0], "c");
	assert_string_equal(cfg->keys[DISC_ACT_SEARCH].v[0], "/");
	assert_int_equal(cfg->keys[DISC_ACT_TOP].n, 2);
	assert_string_equal(cfg->keys[DISC_ACT_QUIT].v[0], "Q");
	cap_close(&cap);
	disc_config_free(cfg);
	rm_rf(dir);
	free(path);
	free(dir);
}

/* An import binding a fixed key warns and keeps that action's default. */
static void test_import_fixed_key_warns(void **state)
{
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/remote-tui.yaml", dir);
	struct disc_config *cfg = NULL;
	struct capture cap;

	(void)state;
	write_text(path, "keybindings:\n  quit: ctrl+c\n  refresh: ctrl+r\n");
	cap_open(&cap);
	assert_int_equal(disc_config_import(path, cap.fp, &cfg), ERR_OK);
	assert_non_null(strstr(cap_text(&cap), ":2:9: keybindings.quit: expected a key other than "
	                                       "ctrl+c and esc"));
	assert_non_null(strstr(cap_text(&cap), "; kept the default\n"));
	assert_string_equal(cfg->keys[DISC_ACT_QUIT].v[0], "q");
	assert_string_equal(cfg->keys[DISC_ACT_REFRESH].v[0], "ctrl+r");
	cap_close(&cap);
	disc_config_free(cfg);
	rm_rf(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_keys_can_be_swapped),
	    cmocka_unit_test(test_tree_keys_can_be_rebound),
	    cmocka_unit_test(test_bad_bindings),
	    cmocka_unit_test(test_fixed_keys),
	    cmocka_unit_test(test_import_clash_keeps_defaults),
	    cmocka_unit_test(test_import_fixed_key_warns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

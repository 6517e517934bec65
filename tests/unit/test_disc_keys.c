/* disc_keys: keybindings: swapping keys, reserved keys, malformed key
 * names, one key on two actions. */
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

/* Bindings the walker accepts as YAML but the keys module refuses. */
static void test_bad_bindings(void **state)
{
	(void)state;
	expect_error("keybindings:\n  search: r\n",
	             "t.yaml:2:11: keybindings.search: key 'r' is already bound to refresh "
	             "(rebind that action too)");
	expect_error("keybindings:\n  quit: j\n",
	             "t.yaml:2:9: keybindings.quit: expected a key other than the tree's own "
	             "(arrows, h, j, k, l, space), got 'j'");
	expect_error("keybindings:\n  quit: ctrl+shift+q\n",
	             "t.yaml:2:9: keybindings.quit: expected a key like q, enter, tab, f5, ctrl+r "
	             "or alt+x (or a list of them), got 'ctrl+shift+q'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys_can_be_swapped),
	    cmocka_unit_test(test_bad_bindings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

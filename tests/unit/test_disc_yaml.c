/* disc_yaml: the walker's messages (file:line:col, key, expected form),
 * duplicate keys, malformed YAML as one line, unknown keys as warnings.
 * Driven through the configuration's schema (disc_config_parse). Working
 * directory: tests/. */
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

/* ---- errors ---- */

static void test_errors_name_file_line_column(void **state)
{
	(void)state;
	expect_error("# c\npolling:\n  timeout: 5s\n  interval: soon\n",
	             "t.yaml:4:13: polling.interval: expected a duration like 30s, 10m or 24h, "
	             "got 'soon'");
	expect_error("polling:\n  interval: 500ms\n",
	             "t.yaml:2:13: polling.interval: expected a duration of at least 1s, got "
	             "'500ms'");
	expect_error("display:\n  theme: dark\n",
	             "t.yaml:2:10: display.theme: expected one of auto, nightops, light, minimal, "
	             "got 'dark'");
	expect_error("display: {unicode: maybe}\n",
	             "t.yaml:1:20: display.unicode: expected true or false, got 'maybe'");
	expect_error("polling:\n  max_parallel: 0\n",
	             "t.yaml:2:17: polling.max_parallel: expected a whole number from 1 to 256, "
	             "got '0'");
	expect_error("mode: admin\n",
	             "t.yaml:1:7: mode: expected one of read-only, operator, got 'admin'");
	expect_error("roots: [\"~\", src]\n",
	             "t.yaml:1:14: roots: expected a folder that is absolute or starts with ~/ "
	             "(like ~/src), got 'src'");
	expect_error("roots: []\n",
	             "t.yaml:1:8: roots: expected a list with at least one entry, got a list");
	expect_error("hosts:\n  include: []\n",
	             "t.yaml:2:12: hosts.include: expected a list with at least one entry, got a "
	             "list");
	expect_error("hosts:\n  overrides:\n    web:\n      priority: high\n",
	             "t.yaml:4:17: hosts.overrides.web.priority: expected a whole number from "
	             "-1000000 to 1000000, got 'high'");
	expect_error("hosts:\n  overrides:\n    web: 3\n",
	             "t.yaml:3:10: hosts.overrides.web: expected a mapping of label, priority, "
	             "opencode_path, roots, mode, got '3'");
	expect_error("polling: 5\n", "t.yaml:1:10: polling: expected a mapping, got '5'");
	expect_error("- a\n- b\n", "t.yaml:1:1: expected a mapping of settings (like polling:, "
	                           "hosts:) at the top level, got a list");
	expect_error("display:\n  active_threshold: 2d\n",
	             "t.yaml:2:3: display: expected active_threshold (2d) not longer than "
	             "idle_threshold (1d)");
}

static void test_structural_errors(void **state)
{
	(void)state;
	expect_error("polling:\n  interval: 1m\n  interval: 2m\n",
	             "t.yaml:3:3: duplicate key 'interval' (first at line 2)");
	expect_error("hosts:\n  groups:\n    a: [x]\n    a: [y]\n",
	             "t.yaml:4:5: duplicate key 'a' (first at line 3)");
}

static void test_malformed_yaml_is_one_line_error(void **state)
{
	static const char *const texts[] = {
	    "polling: [\n",     "a: b: c\n",   "polling:\n  interval: 30s\n interval: 1m\n",
	    "\"unterminated\n", "a:\n\t- b\n", "x: *nope\n"};
	struct disc_config *cfg = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(parse(texts[i], &cfg), ERR_CONFIG);
		assert_null(cfg);
		assert_non_null(strstr(err_text(), "malformed YAML"));
		assert_null(strchr(err_text(), '\n'));
		assert_int_equal(strncmp(err_text(), "t.yaml:", 7), 0);
	}
	/* Invalid UTF-8 has only a byte offset; it is turned into line:col. */
	assert_int_equal(parse("a: 1\nbb: \xff\n", &cfg), ERR_CONFIG);
	assert_int_equal(strncmp(err_text(), "t.yaml:2:5: malformed YAML: invalid", 35), 0);
	/* Positions: "a: b: c" fails at line 1, column 5. */
	parse("a: b: c\n", &cfg);
	assert_int_equal(strncmp(err_text(), "t.yaml:1:5: malformed YAML: ", 28), 0);
}

static void test_unknown_keys_warn_and_are_ignored(void **state)
{
	static const char text[] = "polling:\n  intervall: 5s\n  interval: 1m\ncolour: red\n"
	                           "keybindings:\n  teleport: t\n";
	struct disc_config *cfg = NULL;
	struct capture cap;

	(void)state;
	cap_open(&cap);
	assert_int_equal(disc_config_parse("c.yaml", text, strlen(text), cap.fp, &cfg), ERR_OK);
	assert_string_equal(cap_text(&cap),
	                    "codefleet: warning: c.yaml:2:3: unknown key 'polling.intervall' "
	                    "ignored\n"
	                    "codefleet: warning: c.yaml:4:1: unknown key 'colour' ignored\n"
	                    "codefleet: warning: c.yaml:6:3: unknown key 'keybindings.teleport' "
	                    "ignored\n");
	assert_int_equal(cfg->polling.interval_ms, 60000);
	cap_close(&cap);
	disc_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errors_name_file_line_column),
	    cmocka_unit_test(test_structural_errors),
	    cmocka_unit_test(test_malformed_yaml_is_one_line_error),
	    cmocka_unit_test(test_unknown_keys_warn_and_are_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

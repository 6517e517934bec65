/* disc_config: the schema (every key), defaults, the embedded default, the
 * remote-tui.yaml import, and the first run (bootstrap, open). Working
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
#include "discovery/disc_cfgfile.h"

static void test_empty_file_is_defaults(void **state)
{
	static const char *const texts[] = {"", "# nothing\n", "---\n", "~\n", "\n\n"};
	struct disc_config *cfg = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(parse(texts[i], &cfg), ERR_OK);
		assert_defaults(cfg);
		disc_config_free(cfg);
	}
}

static void test_null_sections_keep_defaults(void **state)
{
	struct disc_config *cfg = NULL;

	(void)state;
	assert_int_equal(parse("polling:\nhosts:\n  groups:\n  overrides:\nkeybindings:\n", &cfg),
	                 ERR_OK);
	assert_defaults(cfg);
	disc_config_free(cfg);
}

/* The shipped file is embedded byte for byte, parses without a warning and
 * spells out exactly the built-in defaults. */
static void test_embedded_default_is_the_shipped_file(void **state)
{
	struct disc_config *cfg = NULL, *def = disc_config_new_defaults();
	struct capture cap;
	size_t len;
	const char *text = disc_config_default_text(&len);
	char *file = read_all("../config/codefleet.yaml");
	char *a, *b;

	(void)state;
	assert_non_null(file);
	assert_int_equal(len, strlen(file));
	assert_string_equal(text, file);
	cap_open(&cap);
	assert_int_equal(disc_config_parse("codefleet.yaml", text, len, cap.fp, &cfg), ERR_OK);
	assert_string_equal(cap_text(&cap), "");
	assert_defaults(cfg);
	a = yaml_of(cfg);
	b = yaml_of(def);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(file);
	cap_close(&cap);
	disc_config_free(cfg);
	disc_config_free(def);
}

/* ---- every key ---- */

static void test_full_file_sets_every_key(void **state)
{
	struct disc_config *cfg = NULL;
	const struct disc_config_override *ov;
	struct capture cap;

	(void)state;
	cap_open(&cap);
	assert_int_equal(disc_config_load("fixtures/config/full.yaml", cap.fp, &cfg), ERR_OK);
	assert_string_equal(cap_text(&cap), "");
	assert_string_equal(cfg->path, "fixtures/config/full.yaml");
	assert_int_equal(cfg->polling.interval_ms, 60000);
	assert_int_equal(cfg->polling.timeout_ms, 5400000);
	assert_int_equal(cfg->polling.max_parallel, 3);
	assert_int_equal(cfg->display.theme, DISC_THEME_LIGHT);
	assert_false(cfg->display.unicode);
	assert_false(cfg->display.animation);
	assert_int_equal(cfg->display.active_threshold_ms, 120000);
	assert_int_equal(cfg->display.idle_threshold_ms, 7 * 86400000LL);
	assert_int_equal(cfg->hosts.include.n, 3);
	assert_string_equal(cfg->hosts.include.v[2], "Gpu*");
	assert_null(cfg->hosts.include.v[3]);
	assert_int_equal(cfg->hosts.ignore.n, 1);
	assert_string_equal(cfg->hosts.ignore.v[0], "*-old");
	assert_int_equal(cfg->hosts.n_groups, 2);
	assert_string_equal(cfg->hosts.groups[0].name, "databases");
	assert_string_equal(cfg->hosts.groups[1].name, "web");
	assert_int_equal(cfg->hosts.groups[1].globs.n, 2);
	assert_int_equal(cfg->hosts.n_overrides, 2);
	ov = disc_config_override_for(cfg, "WEB-1");
	assert_non_null(ov);
	assert_string_equal(ov->label, "Front door");
	assert_true(ov->has_priority);
	assert_int_equal(ov->priority, -5);
	assert_string_equal(ov->opencode_path, "/opt/oc/bin/opencode");
	assert_int_equal(ov->roots.n, 2);
	assert_string_equal(ov->roots.v[0], "~/sites");
	assert_int_equal(ov->mode, DISC_MODE_READ_ONLY);
	ov = disc_config_override_for(cfg, "db-2");
	assert_non_null(ov);
	assert_null(ov->label);
	assert_false(ov->has_priority);
	assert_int_equal(ov->mode, -1);
	assert_int_equal(ov->roots.n, 0);
	assert_null(disc_config_override_for(cfg, "db-3"));
	assert_int_equal(cfg->ssh.connect_timeout_ms, 2500);
	assert_false(cfg->ssh.batch_mode);
	assert_int_equal(cfg->ssh.keepalive_interval_ms, 0);
	assert_int_equal(cfg->ssh.keepalive_count_max, 7);
	assert_int_equal(cfg->ssh.strict_host_key_checking, DISC_HOSTKEY_ACCEPT_NEW);
	assert_int_equal(cfg->ssh.max_channels, 2);
	assert_true(cfg->ssh.compression);
	assert_int_equal(cfg->sessions.sort_by, DISC_SORT_HOST);
	assert_true(cfg->sessions.show_archived);
	assert_int_equal(cfg->sessions.max_display, 0);
	assert_true(cfg->sessions.show_empty_projects);
	assert_int_equal(cfg->keys[DISC_ACT_QUIT].n, 3);
	assert_string_equal(cfg->keys[DISC_ACT_QUIT].v[1], "ctrl+q");
	assert_string_equal(cfg->keys[DISC_ACT_QUIT].v[2], "f10");
	assert_string_equal(cfg->keys[DISC_ACT_REFRESH].v[0], "R");
	/* r and R swapped: both actions rebound. */
	assert_string_equal(cfg->keys[DISC_ACT_REFRESH_HOST].v[0], "r");
	assert_string_equal(cfg->keys[DISC_ACT_REFRESH_HOST].v[1], "alt+r");
	assert_int_equal(cfg->keys[DISC_ACT_MOVE_DOWN].n, 3);
	assert_string_equal(cfg->keys[DISC_ACT_MOVE_DOWN].v[1], "down");
	assert_string_equal(cfg->keys[DISC_ACT_MOVE_DOWN].v[2], "ctrl+n");
	/* g moved from top to new_session. */
	assert_int_equal(cfg->keys[DISC_ACT_TOP].n, 1);
	assert_string_equal(cfg->keys[DISC_ACT_TOP].v[0], "home");
	assert_string_equal(cfg->keys[DISC_ACT_NEW_SESSION].v[0], "g");
	/* alt+S (ESC S) is not alt+s: the character keeps its case. */
	assert_string_equal(cfg->keys[DISC_ACT_STOP_SESSION].v[0], "alt+S");
	assert_string_equal(cfg->keys[DISC_ACT_ATTACH].v[0], "enter");
	assert_int_equal(cfg->roots.n, 2);
	assert_string_equal(cfg->roots.v[1], "/data");
	assert_int_equal(cfg->mode, DISC_MODE_READ_ONLY);
	assert_false(cfg->local);
	cap_close(&cap);
	disc_config_free(cfg);
}

/* ---- import ---- */

static void test_import_maps_reference_config(void **state)
{
	struct disc_config *cfg = NULL;
	const struct disc_config_override *ov;
	struct capture cap;

	(void)state;
	cap_open(&cap);
	assert_int_equal(disc_config_import("fixtures/config/remote-tui.yaml", cap.fp, &cfg),
	                 ERR_OK);
	/* Known reference keys that mean nothing here are dropped silently; its
	 * n and g would take next_match's and top's keys, so those two bindings
	 * warn and keep our defaults, and the rest of its bindings stay. */
	assert_string_equal(cap_text(&cap),
	                    "codefleet: warning: fixtures/config/remote-tui.yaml:55:14: "
	                    "keybindings.git_clone: key 'g' is already bound to top; kept the "
	                    "default (C)\n"
	                    "codefleet: warning: fixtures/config/remote-tui.yaml:52:16: "
	                    "keybindings.new_session: key 'n' is already bound to next_match; "
	                    "kept the default (c)\n");
	assert_int_equal(cfg->polling.interval_ms, 45000);
	assert_int_equal(cfg->polling.timeout_ms, 90000);
	assert_int_equal(cfg->polling.max_parallel, 8);
	assert_int_equal(cfg->display.theme, DISC_THEME_NIGHTOPS);
	assert_false(cfg->display.unicode);
	assert_int_equal(cfg->display.active_threshold_ms, 300000);
	assert_int_equal(cfg->display.idle_threshold_ms, 12 * 3600000);
	assert_int_equal(cfg->hosts.include.n, 3);
	assert_string_equal(cfg->hosts.ignore.v[0], "backup-*");
	assert_int_equal(cfg->hosts.n_groups, 2);
	assert_string_equal(cfg->hosts.groups[0].name, "production");
	ov = disc_config_override_for(cfg, "prod-api");
	assert_non_null(ov);
	assert_string_equal(ov->label, "Main API Server");
	assert_int_equal(ov->priority, 1);
	assert_string_equal(ov->opencode_path, "/usr/local/bin/opencode");
	assert_int_equal(ov->roots.n, 2);
	assert_string_equal(ov->roots.v[1], "/srv/work");
	assert_false(cfg->ssh.batch_mode);
	assert_int_equal(cfg->ssh.connect_timeout_ms, 20000);
	assert_int_equal(cfg->sessions.sort_by, DISC_SORT_NAME);
	assert_true(cfg->sessions.show_archived);
	assert_int_equal(cfg->sessions.max_display, 25);
	assert_int_equal(cfg->roots.n, 1);
	assert_string_equal(cfg->roots.v[0], "~/code");
	assert_string_equal(cfg->keys[DISC_ACT_ARCHIVE_SESSION].v[0], "x");
	assert_string_equal(cfg->keys[DISC_ACT_REFRESH].v[0], "ctrl+r");
	assert_string_equal(cfg->keys[DISC_ACT_QUIT].v[0], "Q");
	assert_string_equal(cfg->keys[DISC_ACT_NEW_SESSION].v[0], "c");
	assert_string_equal(cfg->keys[DISC_ACT_GIT_CLONE].v[0], "C");
	assert_string_equal(cfg->keys[DISC_ACT_NEXT_MATCH].v[0], "n");
	assert_int_equal(cfg->keys[DISC_ACT_TOP].n, 2);
	assert_string_equal(cfg->keys[DISC_ACT_TOP].v[0], "g");
	cap_close(&cap);
	disc_config_free(cfg);
}

/* A bad value in the reference file warns and keeps our default. */
static void test_import_is_lenient(void **state)
{
	struct disc_config *cfg = NULL;
	struct capture cap;
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/remote-tui.yaml", dir);

	(void)state;
	write_text(path, "display:\n  theme: neon\npolling:\n  interval: 1m\n");
	cap_open(&cap);
	assert_int_equal(disc_config_import(path, cap.fp, &cfg), ERR_OK);
	assert_non_null(strstr(cap_text(&cap),
	                       ":2:10: display.theme: expected one of auto, nightops, light, "
	                       "minimal, got 'neon'; kept the default\n"));
	assert_int_equal(strncmp(cap_text(&cap), "codefleet: warning: /tmp/", 25), 0);
	assert_int_equal(cfg->display.theme, DISC_THEME_AUTO);
	assert_int_equal(cfg->polling.interval_ms, 60000);
	cap_close(&cap);
	disc_config_free(cfg);
	rm_rf(dir);
	free(path);
	free(dir);
}

/* ---- first run ---- */

static void test_bootstrap_imports_reference_config(void **state)
{
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/codefleet/config.yaml", dir);
	struct disc_config *cfg = NULL;
	struct capture cap;
	char *want;

	(void)state;
	cap_open(&cap);
	assert_int_equal(disc_config_bootstrap(path, "fixtures/config/remote-tui.yaml", cap.fp),
	                 ERR_OK);
	want = xasprintf("codefleet: imported settings from fixtures/config/remote-tui.yaml "
	                 "into %s\n",
	                 path);
	/* After the import's warnings (test_import_maps_reference_config). */
	assert_true(strlen(cap_text(&cap)) >= strlen(want));
	assert_string_equal(cap_text(&cap) + strlen(cap_text(&cap)) - strlen(want), want);
	assert_int_equal(disc_config_load(path, NULL, &cfg), ERR_OK);
	assert_int_equal(cfg->polling.interval_ms, 45000);
	assert_string_equal(disc_config_override_for(cfg, "prod-api")->label, "Main API Server");
	assert_string_equal(cfg->keys[DISC_ACT_NEW_SESSION].v[0], "c");
	assert_string_equal(cfg->keys[DISC_ACT_QUIT].v[0], "Q");
	disc_config_free(cfg);
	cap_close(&cap);
	rm_rf(dir);
	free(want);
	free(path);
	free(dir);
}

/* disc_config_open: the first call writes the file, the second reads it;
 * an explicit path is never created. */
static void test_open_first_run_then_reuse(void **state)
{
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/cfg/codefleet/config.yaml", dir);
	char *missing = xasprintf("%s/missing.yaml", dir);
	char *xdg = xasprintf("%s/cfg", dir);
	struct disc_config *cfg = NULL;
	struct capture cap;

	(void)state;
	setenv("HOME", dir, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	cap_open(&cap);
	assert_int_equal(disc_config_open(NULL, cap.fp, &cfg), ERR_OK);
	assert_string_equal(cap_text(&cap), "");
	assert_string_equal(cfg->path, path);
	assert_defaults(cfg);
	disc_config_free(cfg);
	write_text(path, "local: false\n");
	assert_int_equal(disc_config_open(NULL, cap.fp, &cfg), ERR_OK);
	assert_false(cfg->local);
	disc_config_free(cfg);
	assert_int_equal(disc_config_open(missing, cap.fp, &cfg), ERR_CONFIG);
	assert_null(cfg);
	assert_int_equal(access(missing, F_OK), -1);
	cap_close(&cap);
	rm_rf(dir);
	free(xdg);
	free(missing);
	free(path);
	free(dir);
}

/* The names the rest of the program calls give what the modules give. */
static void test_kept_names(void **state)
{
	struct disc_config *cfg = disc_config_new_defaults();
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	char buf[32];
	int64_t ms = 0;
	char *p, *q;

	(void)state;
	assert_true(disc_config_parse_duration("1h30m", &ms));
	assert_int_equal(ms, 5400000);
	assert_false(disc_config_parse_duration("soon", &ms));
	disc_config_format_duration(90061001, buf, sizeof(buf));
	assert_string_equal(buf, "1d1h1m1s1ms");
	disc_config_write_yaml(cfg, &a);
	disc_cfgwrite_yaml(cfg, &b);
	assert_string_equal(strbuf_str(&a), strbuf_str(&b));
	setenv("HOME", "/home/u", 1);
	unsetenv("XDG_CONFIG_HOME");
	p = disc_config_default_path();
	q = disc_cfgfile_default_path();
	assert_string_equal(p, q);
	free(p);
	free(q);
	strbuf_free(&a);
	strbuf_free(&b);
	disc_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_file_is_defaults),
	    cmocka_unit_test(test_null_sections_keep_defaults),
	    cmocka_unit_test(test_embedded_default_is_the_shipped_file),
	    cmocka_unit_test(test_full_file_sets_every_key),
	    cmocka_unit_test(test_import_maps_reference_config),
	    cmocka_unit_test(test_import_is_lenient),
	    cmocka_unit_test(test_bootstrap_imports_reference_config),
	    cmocka_unit_test(test_open_first_run_then_reuse),
	    cmocka_unit_test(test_kept_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

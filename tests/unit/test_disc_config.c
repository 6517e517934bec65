/* disc_config: durations, the schema (every key), error positions and
 * messages, unknown-key warnings, the embedded default, the remote-tui.yaml
 * import and the first-run bootstrap. Working directory: tests/. */
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

#include "discovery/disc_config.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

/* ---- helpers ---- */

struct capture {
	char *buf;
	size_t len;
	FILE *fp;
};

static void cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->buf, &c->len);
	assert_non_null(c->fp);
}

static const char *cap_text(struct capture *c)
{
	fflush(c->fp);
	return c->buf ? c->buf : "";
}

static void cap_close(struct capture *c)
{
	fclose(c->fp);
	free(c->buf);
}

/* Parses text; returns the code, leaves *out (or NULL). */
static int parse(const char *text, struct disc_config **out)
{
	return disc_config_parse("t.yaml", text, strlen(text), NULL, out);
}

/* Parses text that must fail; checks err_text() equals want. */
static void expect_error(const char *text, const char *want)
{
	struct disc_config *cfg = NULL;

	assert_int_equal(parse(text, &cfg), ERR_CONFIG);
	assert_null(cfg);
	assert_string_equal(err_text(), want);
}

static char *yaml_of(const struct disc_config *cfg)
{
	struct strbuf sb = STRBUF_INIT;

	disc_config_write_yaml(cfg, &sb);
	return strbuf_take(&sb);
}

static char *read_all(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_append(&sb, buf, n);
	fclose(fp);
	return strbuf_take(&sb);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static char *make_tmpdir(void)
{
	char *d = xstrdup("/tmp/cf-config-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* ---- durations ---- */

static void test_duration_parse(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} ok[] = {{"30s", 30000}, {"10m", 600000},   {"24h", 86400000}, {"1h30m", 5400000},
	          {"500ms", 500}, {"1.5h", 5400000}, {"7d", 604800000}, {"0", 0},
	          {"0s", 0},      {"2m30s", 150000}, {"1s500ms", 1500}, {"0.25s", 250}};
	static const char *const bad[] = {
	    "soon", "",   "10", "-5s", "5x", "s", "1h-", "1.s", ".5s", "1 h", "99999999999999d",
	    "5S",   "1hh"};
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ms = -1;
		assert_true(disc_config_parse_duration(ok[i].s, &ms));
		assert_int_equal(ms, ok[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(disc_config_parse_duration(bad[i], &ms));
}

static void test_duration_format_round_trips(void **state)
{
	static const int64_t v[] = {0, 1, 999, 1000, 1500, 60000, 5400000, 86400000, 90061001};
	static const char *const want[] = {"0s", "1ms",   "999ms", "1s",         "1s500ms",
	                                   "1m", "1h30m", "1d",    "1d1h1m1s1ms"};
	char buf[64];
	int64_t back;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		disc_config_format_duration(v[i], buf, sizeof(buf));
		assert_string_equal(buf, want[i]);
		assert_true(disc_config_parse_duration(buf, &back));
		assert_int_equal(back, v[i]);
	}
}

/* ---- defaults, the embedded file ---- */

static void assert_defaults(const struct disc_config *cfg)
{
	assert_int_equal(cfg->polling.interval_ms, 30000);
	assert_int_equal(cfg->polling.timeout_ms, 10000);
	assert_int_equal(cfg->polling.max_parallel, 16);
	assert_int_equal(cfg->display.theme, DISC_THEME_AUTO);
	assert_true(cfg->display.unicode);
	assert_int_equal(cfg->display.active_threshold_ms, 600000);
	assert_int_equal(cfg->display.idle_threshold_ms, 86400000);
	assert_int_equal(cfg->hosts.include.n, 1);
	assert_string_equal(cfg->hosts.include.v[0], "*");
	assert_int_equal(cfg->hosts.ignore.n, 0);
	assert_int_equal(cfg->hosts.n_groups, 0);
	assert_int_equal(cfg->hosts.n_overrides, 0);
	assert_int_equal(cfg->ssh.connect_timeout_ms, 10000);
	assert_true(cfg->ssh.batch_mode);
	assert_int_equal(cfg->sessions.sort_by, DISC_SORT_LAST_ACTIVITY);
	assert_int_equal(cfg->sessions.max_display, 50);
	assert_string_equal(cfg->keys[DISC_ACT_ATTACH].v[0], "enter");
	assert_string_equal(cfg->keys[DISC_ACT_QUIT].v[0], "q");
	assert_int_equal(cfg->roots.n, 1);
	assert_string_equal(cfg->roots.v[0], "~");
	assert_int_equal(cfg->mode, DISC_MODE_OPERATOR);
	assert_true(cfg->local);
}

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
	assert_string_equal(cfg->keys[DISC_ACT_QUIT].v[1], "ctrl+c");
	assert_string_equal(cfg->keys[DISC_ACT_QUIT].v[2], "f10");
	assert_string_equal(cfg->keys[DISC_ACT_REFRESH].v[0], "R");
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

/* What disc_config_write_yaml writes reads back to the same configuration. */
static void test_write_yaml_round_trips(void **state)
{
	struct disc_config *cfg = NULL, *back = NULL;
	char *a, *b;

	(void)state;
	assert_int_equal(disc_config_load("fixtures/config/full.yaml", NULL, &cfg), ERR_OK);
	a = yaml_of(cfg);
	assert_int_equal(parse(a, &back), ERR_OK);
	b = yaml_of(back);
	assert_string_equal(a, b);
	assert_string_equal(disc_config_override_for(back, "web-1")->label, "Front door");
	free(a);
	free(b);
	disc_config_free(cfg);
	disc_config_free(back);
}

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

static void test_missing_file_is_an_error(void **state)
{
	struct disc_config *cfg = NULL;

	(void)state;
	assert_int_equal(disc_config_load("fixtures/config/nope.yaml", NULL, &cfg), ERR_CONFIG);
	assert_null(cfg);
	assert_non_null(strstr(err_text(), "fixtures/config/nope.yaml: cannot read"));
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
	/* Known reference keys that mean nothing here are dropped silently. */
	assert_string_equal(cap_text(&cap), "");
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

static void test_bootstrap_writes_default_and_never_clobbers(void **state)
{
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/a/b/codefleet/config.yaml", dir);
	char *sub = xasprintf("%s/a/b/codefleet", dir);
	char *text;
	struct stat st;

	(void)state;
	assert_int_equal(disc_config_bootstrap(path, NULL, NULL), ERR_OK);
	text = read_all(path);
	assert_non_null(text);
	assert_string_equal(text, disc_config_default_text(NULL));
	free(text);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(count_entries(sub), 1); /* no temporary left behind */

	write_text(path, "mode: read-only\n");
	assert_int_equal(disc_config_bootstrap(path, NULL, NULL), ERR_OK);
	text = read_all(path);
	assert_string_equal(text, "mode: read-only\n");
	free(text);
	assert_int_equal(count_entries(sub), 1);
	rm_rf(dir);
	free(sub);
	free(path);
	free(dir);
}

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
	assert_string_equal(cap_text(&cap), want);
	assert_int_equal(disc_config_load(path, NULL, &cfg), ERR_OK);
	assert_int_equal(cfg->polling.interval_ms, 45000);
	assert_string_equal(disc_config_override_for(cfg, "prod-api")->label, "Main API Server");
	disc_config_free(cfg);
	cap_close(&cap);
	rm_rf(dir);
	free(want);
	free(path);
	free(dir);
}

static void test_default_path_follows_xdg(void **state)
{
	char *p;

	(void)state;
	setenv("HOME", "/home/u", 1);
	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	p = disc_config_default_path();
	assert_string_equal(p, "/x/cfg/codefleet/config.yaml");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative", 1); /* invalid per the XDG spec: ignored */
	p = disc_config_default_path();
	assert_string_equal(p, "/home/u/.config/codefleet/config.yaml");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = disc_config_default_path();
	assert_string_equal(p, "/home/u/.config/codefleet/config.yaml");
	free(p);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_duration_parse),
	    cmocka_unit_test(test_duration_format_round_trips),
	    cmocka_unit_test(test_empty_file_is_defaults),
	    cmocka_unit_test(test_null_sections_keep_defaults),
	    cmocka_unit_test(test_embedded_default_is_the_shipped_file),
	    cmocka_unit_test(test_full_file_sets_every_key),
	    cmocka_unit_test(test_write_yaml_round_trips),
	    cmocka_unit_test(test_errors_name_file_line_column),
	    cmocka_unit_test(test_structural_errors),
	    cmocka_unit_test(test_keys_can_be_swapped),
	    cmocka_unit_test(test_malformed_yaml_is_one_line_error),
	    cmocka_unit_test(test_unknown_keys_warn_and_are_ignored),
	    cmocka_unit_test(test_missing_file_is_an_error),
	    cmocka_unit_test(test_import_maps_reference_config),
	    cmocka_unit_test(test_import_is_lenient),
	    cmocka_unit_test(test_bootstrap_writes_default_and_never_clobbers),
	    cmocka_unit_test(test_bootstrap_imports_reference_config),
	    cmocka_unit_test(test_default_path_follows_xdg),
	    cmocka_unit_test(test_open_first_run_then_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

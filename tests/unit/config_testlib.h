/* Shared by the configuration tests (test_disc_config.c and the modules it
 * is made of): captured warnings, parse-and-expect-an-error, files in a
 * scratch folder, the built-in defaults. Working directory: tests/. Include
 * after cmocka.h. */
#ifndef CODEFLEET_TEST_CONFIG_TESTLIB_H
#define CODEFLEET_TEST_CONFIG_TESTLIB_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_cfgwrite.h"
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

static __attribute__((unused)) void cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->buf, &c->len);
	assert_non_null(c->fp);
}

static __attribute__((unused)) const char *cap_text(struct capture *c)
{
	fflush(c->fp);
	return c->buf ? c->buf : "";
}

static __attribute__((unused)) void cap_close(struct capture *c)
{
	fclose(c->fp);
	free(c->buf);
}

/* Parses text; returns the code, leaves *out (or NULL). */
static __attribute__((unused)) int parse(const char *text, struct disc_config **out)
{
	return disc_config_parse("t.yaml", text, strlen(text), NULL, out);
}

/* Parses text that must fail; checks err_text() equals want. */
static __attribute__((unused)) void expect_error(const char *text, const char *want)
{
	struct disc_config *cfg = NULL;

	assert_int_equal(parse(text, &cfg), ERR_CONFIG);
	assert_null(cfg);
	assert_string_equal(err_text(), want);
}

static __attribute__((unused)) char *yaml_of(const struct disc_config *cfg)
{
	struct strbuf sb = STRBUF_INIT;

	disc_cfgwrite_yaml(cfg, &sb);
	return strbuf_take(&sb);
}

static __attribute__((unused)) char *read_all(const char *path)
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

static __attribute__((unused)) void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static __attribute__((unused)) char *make_tmpdir(void)
{
	char *d = xstrdup("/tmp/cf-config-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static __attribute__((unused)) void rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static __attribute__((unused)) size_t count_entries(const char *dir)
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

static __attribute__((unused)) void assert_defaults(const struct disc_config *cfg)
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

#endif

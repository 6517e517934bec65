/* Shared by the ssh_config tests (test_disc_sshcfg.c: loading;
 * test_disc_resolve.c: resolving): a scratch folder per test group, files
 * written into it, and load-then-resolve. Include after cmocka.h. */
#ifndef CODEFLEET_TEST_SSHCFG_TESTLIB_H
#define CODEFLEET_TEST_SSHCFG_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "discovery/disc_sshcfg.h"
#include "util/err.h"

static char dir[64];

static __attribute__((unused)) int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/cf-sshcfg-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("SHELL", "/bin/sh", 1);
	return 0;
}

static __attribute__((unused)) int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Writes dir/name with `text` (0644) and returns its path (static buffer). */
static __attribute__((unused)) const char *put_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0644);
	return path;
}

static __attribute__((unused)) struct disc_opts *resolve(const char *text, const char *host)
{
	struct disc_sshcfg *cfg = NULL;
	struct disc_opts *o = NULL;
	const char *path = put_file("config", text);

	assert_int_equal(disc_sshcfg_load(path, &cfg), ERR_OK);
	assert_int_equal(disc_sshcfg_resolve(cfg, host, &o), ERR_OK);
	disc_sshcfg_free(cfg);
	return o;
}

static __attribute__((unused)) char *printed(const struct disc_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	disc_opts_print(o, fp);
	fclose(fp);
	return buf;
}

#endif

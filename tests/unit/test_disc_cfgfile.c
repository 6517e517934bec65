/* disc_cfgfile: the default path (XDG), reading a missing file, and
 * creating a file atomically without ever replacing one. Working directory:
 * tests/. */
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

#include "discovery/disc_cfgfile.h"
#include "config_testlib.h"

static void test_missing_file_is_an_error(void **state)
{
	struct disc_config *cfg = NULL;

	(void)state;
	assert_int_equal(disc_config_load("fixtures/config/nope.yaml", NULL, &cfg), ERR_CONFIG);
	assert_null(cfg);
	assert_non_null(strstr(err_text(), "fixtures/config/nope.yaml: cannot read"));
}

static void test_default_path_follows_xdg(void **state)
{
	char *p;

	(void)state;
	setenv("HOME", "/home/u", 1);
	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	p = disc_cfgfile_default_path();
	assert_string_equal(p, "/x/cfg/codefleet/config.yaml");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative", 1); /* invalid per the XDG spec: ignored */
	p = disc_cfgfile_default_path();
	assert_string_equal(p, "/home/u/.config/codefleet/config.yaml");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = disc_cfgfile_default_path();
	assert_string_equal(p, "/home/u/.config/codefleet/config.yaml");
	free(p);
}

/* disc_config_bootstrap without an import: the shipped text goes through
 * disc_cfgfile_create (folders 0700, no temporary left, never replaces). */
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

static void test_read_whole_file(void **state)
{
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/f.yaml", dir);
	char *text = NULL;
	size_t len = 0;

	(void)state;
	write_text(path, "mode: operator\n");
	assert_int_equal(disc_cfgfile_read(path, &text, &len), ERR_OK);
	assert_int_equal(len, 15);
	assert_string_equal(text, "mode: operator\n");
	free(text);
	rm_rf(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_file_is_an_error),
	    cmocka_unit_test(test_default_path_follows_xdg),
	    cmocka_unit_test(test_bootstrap_writes_default_and_never_clobbers),
	    cmocka_unit_test(test_read_whole_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* disc_sshcfg: loading ssh_config files: Include (where it applies, its
 * permissions), the concrete aliases, and errors named FILE:LINE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discovery/disc_sshcfg.h"
#include "util/err.h"

#include "sshcfg_testlib.h"

static void test_include_applies_conditionally(void **state)
{
	char text[512];
	struct disc_opts *o;

	(void)state;
	put_file("inc.conf", "User from-include\nMatch all\n  Port 4000\n");
	put_file("never.conf", "Host *\n  IdentityFile ~/never\n");
	snprintf(text, sizeof(text),
	         "Host withinc\n  Include %s/inc.conf\n  ConnectTimeout 9\n"
	         "Host nothere\n  Include %s/never*.conf\n"
	         "Host *\n  User fallback\n",
	         dir, dir);
	o = resolve(text, "withinc");
	assert_string_equal(disc_opts_get(o, "user"), "from-include");
	assert_string_equal(disc_opts_get(o, "port"), "4000");
	/* The include's Match does not end the including Host block. */
	assert_string_equal(disc_opts_get(o, "connecttimeout"), "9");
	disc_opts_free(o);
	o = resolve(text, "other");
	assert_string_equal(disc_opts_get(o, "user"), "fallback");
	assert_string_equal(disc_opts_get(o, "port"), "22");
	/* A file included from an inactive block never applies, even Host *. */
	assert_string_equal(disc_opts_get(o, "identityfile"), "~/.ssh/id_rsa");
	disc_opts_free(o);
}

static void test_aliases(void **state)
{
	struct disc_sshcfg *cfg = NULL;
	const char *const *names = NULL;
	char text[256];

	(void)state;
	put_file("more.conf", "Host c a d*\n");
	snprintf(text, sizeof(text),
	         "Host a b !neg *.wild\nMatch host x\n  Include %s/more.conf\nHost b e\n", dir);
	assert_int_equal(disc_sshcfg_load(put_file("config", text), &cfg), ERR_OK);
	assert_int_equal(disc_sshcfg_aliases(cfg, &names), 4);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_string_equal(names[2], "c");
	assert_string_equal(names[3], "e");
	assert_null(names[4]);
	disc_sshcfg_free(cfg);
}

/* Loads `text`; expects ERR_CONFIG with err_text() containing `want`. */
static void load_fails(const char *text, const char *want)
{
	struct disc_sshcfg *cfg = NULL;

	assert_int_equal(disc_sshcfg_load(put_file("bad", text), &cfg), ERR_CONFIG);
	assert_null(cfg);
	if (!strstr(err_text(), want))
		fail_msg("'%s' lacks '%s'", err_text(), want);
}

static void test_errors_name_file_and_line(void **state)
{
	struct disc_sshcfg *cfg = NULL;
	char want[128], text[256];

	(void)state;
	snprintf(want, sizeof(want), "%s/bad:3: bad port 'abc'", dir);
	load_fails("# c\nHost x\n  Port abc\n", want);
	/* Checked even where the block does not apply. */
	load_fails("Host nothing\n  BatchMode maybe\n", "bad:2: unsupported option");
	load_fails("Match bogus x\n", "bad:1: bad Match condition");
	load_fails("Host x\n  HostName\n", "no argument");
	snprintf(text, sizeof(text), "Include %s/bad\n", dir);
	load_fails(text, "too many nested Include");
	snprintf(text, sizeof(text), "%s/missing", dir);
	assert_int_equal(disc_sshcfg_load(text, &cfg), ERR_CONFIG);
	assert_non_null(strstr(err_text(), "missing: cannot read"));
	/* Unknown keywords are ignored; the rest still applies. */
	assert_int_equal(
	    disc_sshcfg_load(put_file("ok", "NoSuchOption 1\nFooBar\nPort 99\n"), &cfg), ERR_OK);
	disc_sshcfg_free(cfg);
}

static void test_include_permissions(void **state)
{
	struct disc_sshcfg *cfg = NULL;
	char text[256];
	const char *p = put_file("loose.conf", "Port 1\n");

	(void)state;
	chmod(p, 0666);
	snprintf(text, sizeof(text), "Include %s/loose.conf\n", dir);
	assert_int_equal(disc_sshcfg_load(put_file("config", text), &cfg), ERR_CONFIG);
	assert_non_null(strstr(err_text(), "config:1:"));
	assert_non_null(strstr(err_text(), "permissions"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_include_applies_conditionally),
	    cmocka_unit_test(test_aliases),
	    cmocka_unit_test(test_errors_name_file_and_line),
	    cmocka_unit_test(test_include_permissions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* ctl_attach: the command an attach runs — quoting of host data, the
 * read-only refusal, local runs in the session's directory — and running a
 * real child with its exit status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "control/ctl_attach.h"
#include "util/err.h"

static struct ctl_attach_req req(void)
{
	struct ctl_attach_req r;

	memset(&r, 0, sizeof(r));
	r.host = "box";
	r.session_id = "ses_abc";
	r.directory = "/home/u/it's here";
	r.opencode = "/opt/oc/bin/opencode";
	return r;
}

static void test_remote_command_is_quoted(void **state)
{
	struct ctl_attach_req r = req();
	struct ctl_attach p;

	(void)state;
	r.ssh_config_path = "/tmp/cfg";
	r.session_id = "ses_x; rm -rf ~";
	assert_int_equal(ctl_attach_plan(&r, &p), ERR_OK);
	assert_string_equal(p.argv[0], "ssh");
	assert_string_equal(p.argv[1], "-F");
	assert_string_equal(p.argv[2], "/tmp/cfg");
	assert_string_equal(p.argv[3], "-t");
	assert_string_equal(p.argv[4], "--");
	assert_string_equal(p.argv[5], "box");
	assert_string_equal(p.argv[6],
	                    "cd -- '/home/u/it'\\''s here' && exec '/opt/oc/bin/opencode' "
	                    "-s 'ses_x; rm -rf ~'");
	assert_null(p.argv[7]);
	assert_null(p.cwd);
	ctl_attach_free(&p);
	r.batch_mode = true; /* ssh.batch_mode: no prompts from ssh either */
	assert_int_equal(ctl_attach_plan(&r, &p), ERR_OK);
	assert_string_equal(p.argv[3], "-o");
	assert_string_equal(p.argv[4], "BatchMode=yes");
	assert_string_equal(p.argv[5], "-t");
	ctl_attach_free(&p);
}

static void test_remote_without_directory_or_binary(void **state)
{
	struct ctl_attach_req r = req();
	struct ctl_attach p;

	(void)state;
	r.directory = NULL;
	r.opencode = NULL;
	assert_int_equal(ctl_attach_plan(&r, &p), ERR_OK);
	assert_string_equal(p.argv[3], "box");
	assert_string_equal(p.argv[4], "exec 'opencode' -s 'ses_abc'");
	ctl_attach_free(&p);
}

static void test_local_runs_in_the_directory(void **state)
{
	struct ctl_attach_req r = req();
	struct ctl_attach p;

	(void)state;
	r.is_local = true;
	assert_int_equal(ctl_attach_plan(&r, &p), ERR_OK);
	assert_string_equal(p.argv[0], "/opt/oc/bin/opencode");
	assert_string_equal(p.argv[1], "-s");
	assert_string_equal(p.argv[2], "ses_abc");
	assert_null(p.argv[3]);
	assert_string_equal(p.cwd, "/home/u/it's here");
	ctl_attach_free(&p);
}

static void test_read_only_and_no_id_refused(void **state)
{
	struct ctl_attach_req r = req();
	struct ctl_attach p;

	(void)state;
	r.read_only = true;
	assert_int_equal(ctl_attach_plan(&r, &p), ERR_USAGE);
	assert_non_null(strstr(err_text(), "read-only"));
	assert_null(p.argv);
	r.read_only = false;
	r.session_id = "";
	assert_int_equal(ctl_attach_plan(&r, &p), ERR_USAGE);
	ctl_attach_free(&p);
}

/* Real children: `false -s ID` exits 1; a directory that does not exist
 * gives 126, a binary that does not exist 127. */
static void test_run_reports_the_status(void **state)
{
	struct ctl_attach_req r = req();
	struct ctl_attach p;

	(void)state;
	r.is_local = true;
	r.opencode = "false";
	r.directory = "/";
	assert_int_equal(ctl_attach_plan(&r, &p), ERR_OK);
	assert_int_equal(ctl_attach_run(&p), 1);
	ctl_attach_free(&p);
	r.opencode = "true";
	r.directory = "/nonexistent/dir";
	assert_int_equal(ctl_attach_plan(&r, &p), ERR_OK);
	assert_int_equal(ctl_attach_run(&p), 126);
	ctl_attach_free(&p);
	r.opencode = "/nonexistent/opencode";
	r.directory = "/";
	assert_int_equal(ctl_attach_plan(&r, &p), ERR_OK);
	assert_int_equal(ctl_attach_run(&p), 127);
	ctl_attach_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_remote_command_is_quoted),
	    cmocka_unit_test(test_remote_without_directory_or_binary),
	    cmocka_unit_test(test_local_runs_in_the_directory),
	    cmocka_unit_test(test_read_only_and_no_id_refused),
	    cmocka_unit_test(test_run_reports_the_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

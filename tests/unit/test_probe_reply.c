#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_model.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/xmem.h"

#include "reply_testlib.h"

static void test_status_lines(void **state)
{
	struct probe_result *r;

	(void)state;
	assert_int_equal(decode_str(M " end unchanged\n", &r), ERR_OK);
	assert_true(r->unchanged);
	assert_int_equal(r->state, PROBE_HOST_OK);
	probe_result_free(r);

	assert_int_equal(
	    decode_str(M " error opencode not found \x1b[31mhere\n" M " end no-opencode\n", &r),
	    ERR_OK);
	assert_int_equal(r->state, PROBE_HOST_NO_OPENCODE);
	assert_string_equal(r->reason, "opencode not found here");
	assert_string_equal(probe_host_state_name(r->state), "no-opencode");
	probe_result_free(r);

	assert_int_equal(decode_str(M " end error\n", &r), ERR_OK);
	assert_int_equal(r->state, PROBE_HOST_ERROR);
	assert_non_null(r->reason);
	probe_result_free(r);

	expect_proto(M " end bogus\n", "unknown status");
	expect_proto(M " end ok\n", "without data");
}

static void test_state_names(void **state)
{
	static const char *const names[] = {
	    "ok",          "stale",         "connecting",      "offline",
	    "timeout",     "auth-required", "hostkey-unknown", "hostkey-changed",
	    "no-opencode", "error",
	};
	enum probe_host_state st;

	(void)state;
	assert_int_equal(PROBE_HOST_STATE_COUNT, 10);
	for (int i = 0; i < 10; i++) {
		assert_string_equal(probe_host_state_name((enum probe_host_state)i), names[i]);
		assert_int_equal(probe_host_state_parse(names[i], &st), 0);
		assert_int_equal(st, i);
	}
	assert_int_equal(probe_host_state_parse("auth required", &st), -1);
}

static void test_garbage(void **state)
{
	char buf[4096];
	struct probe_result *r;

	(void)state;
	expect_proto("SSH-2.0-garbage\r\n", "marker");
	expect_proto("", "empty");
	srand(7);
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (char)(rand() & 0xff);
		assert_int_equal(decode(buf, sizeof(buf), &r), ERR_PROTO);
		probe_result_free(r);
	}
}

static void test_truncated_everywhere(void **state)
{
	char *s = make_reply(projects, sessions, processes, NULL);
	size_t len = strlen(s);
	struct probe_result *r;

	(void)state;
	/* Every proper prefix is an error, never a crash or a partial "ok". */
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(decode(s, n, &r), ERR_PROTO);
		probe_result_free(r);
	}
	assert_int_equal(decode(s, len, &r), ERR_OK);
	probe_result_free(r);
	free(s);
}

static void test_mutations_never_crash(void **state)
{
	char *s = make_reply(projects, sessions, processes, NULL);
	size_t len = strlen(s);
	char *m = xmalloc(len);
	struct probe_result *r;

	(void)state;
	srand(11);
	for (int round = 0; round < 3000; round++) {
		memcpy(m, s, len);
		for (int k = 0; k < 1 + round % 4; k++)
			m[(size_t)rand() % len] = (char)(rand() & 0xff);
		int rc = decode(m, len, &r);
		assert_true(rc == ERR_OK || rc == ERR_PROTO);
		for (size_t i = 0; rc == ERR_OK && i < r->nsessions; i++)
			assert_true(utf8_valid(r->sessions[i].title, strlen(r->sessions[i].title)));
		probe_result_free(r);
	}
	free(m);
	free(s);
}

static void test_over_long(void **state)
{
	size_t len = 50u * 1024 * 1024;
	char *big = xmalloc(len);
	struct probe_result *r;

	(void)state;
	memset(big, 'x', len);
	memcpy(big, M " begin 1\n", strlen(M " begin 1\n"));
	memcpy(big + len - strlen(M " end ok\n"), M " end ok\n", strlen(M " end ok\n"));
	assert_int_equal(decode(big, len, &r), ERR_PROTO);
	assert_non_null(strstr(err_text(), "longer than"));
	probe_result_free(r);
	free(big);
}

static void test_framing_errors(void **state)
{
	char *s;

	(void)state;
	s = make_reply(projects, NULL, NULL, NULL);
	s = xrealloc(s, strlen(s) + 8, 1);
	strcat(s, "junk\n");
	expect_proto(s, "after the end");
	free(s);
	expect_proto(M " begin 2\n" M " end ok\n", "begin");
	expect_proto(M " begin 1\n" M " projects\n[]\n" M " projects\n[]\n" M " end ok\n",
	             "unexpected section");
	expect_proto(M " begin 1\n" M " projects\n[]\n" M " end ok\n", "no host section");
	/* another connection's marker is just data: the reply lacks an end */
	expect_proto("Zz0123456789abcdef end ok\n", "marker");
	/* an unknown section from a newer script is skipped */
	s = make_reply(projects, NULL, NULL, M " future-thing\n{\"x\":[1,2,3]}\n");
	struct probe_result *r;
	assert_int_equal(decode_str(s, &r), ERR_OK);
	probe_result_free(r);
	free(s);
	/* a host section with a method we do not know */
	s = xasprintf(M " begin 1\n" M " host\n{\"protocol\":1,\"method\":\"magic\","
	                "\"token\":\"t\"}\n" M " end ok\n");
	expect_proto(s, "unknown method");
	free(s);
}

static void test_requests_and_framing(void **state)
{
	char mk[PROBE_MARKER_SIZE], mk2[PROBE_MARKER_SIZE];
	char *q;
	size_t scan = 0;
	const char *buf = "x\n" M " projects\n" M " end ok\nrest";

	(void)state;
	assert_int_equal(probe_reply_new_marker(mk), ERR_OK);
	assert_int_equal(probe_reply_new_marker(mk2), ERR_OK);
	assert_int_equal(strlen(mk), 32);
	assert_true(probe_reply_marker_ok(mk));
	assert_string_not_equal(mk, mk2);
	assert_false(probe_reply_marker_ok("short"));
	assert_false(probe_reply_marker_ok("has space in it"));
	q = probe_reply_request(M, "v1-1-2", NULL);
	assert_string_equal(q, "probe " M " v1-1-2\n");
	free(q);
	q = probe_reply_request(M, "x; rm -rf ~", "python3");
	assert_string_equal(q, "probe " M " - method=python3\n");
	free(q);
	assert_null(probe_reply_request(M, NULL, "bogus"));
	assert_null(probe_reply_request("bad marker", NULL, NULL));
	assert_null(probe_reply_set_path_request(M, "/a\nprobe"));
	q = probe_reply_set_path_request(M, "/opt/my tools/opencode");
	assert_string_equal(q, "set " M " opencode_path /opt/my tools/opencode\n");
	free(q);
	/* the end line found across calls */
	assert_int_equal(probe_reply_find_end(buf, 10, M, &scan), 0);
	assert_int_equal(probe_reply_find_end(buf, 30, M, &scan), 0);
	assert_int_equal(probe_reply_find_end(buf, strlen(buf), M, &scan),
	                 strlen(buf) - strlen("rest"));
}
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_lines),
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_truncated_everywhere),
	    cmocka_unit_test(test_mutations_never_crash),
	    cmocka_unit_test(test_over_long),
	    cmocka_unit_test(test_framing_errors),
	    cmocka_unit_test(test_requests_and_framing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

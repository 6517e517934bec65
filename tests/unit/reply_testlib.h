/* Shared by the probe reply tests (test_probe_reply.c and the tests of the
 * modules under it: probe_rows, probe_decode): the marker, sample sections
 * as the script sends them, and helpers that build and decode a reply.
 * Include after cmocka.h; each test program gets its own copy of these
 * statics. */
#ifndef CODEFLEET_TEST_REPLY_TESTLIB_H
#define CODEFLEET_TEST_REPLY_TESTLIB_H

#include <stdlib.h>
#include <string.h>

#include "probe/probe_model.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#define M "Mk0123456789abcdef"

static __attribute__((unused)) const char *const host_line =
    "{\"protocol\":1,\"method\":\"sqlite3\",\"opencode\":\"/home/u/.opencode/bin/opencode\","
    "\"opencode_version\":\"1.18.33\",\"db\":\"/home/u/.local/share/opencode/opencode.db\","
    "\"storage\":null,\"token\":\"v1-123-45\",\"now\":1796011333000,"
    "\"sqlite_version\":\"3.40.1\",\"hostname\":\"box\",\"warnings\":null}\n";

static __attribute__((unused)) const char *const projects =
    "[{\"id\":\"global\",\"worktree\":\"/\",\"vcs\":null,\"name\":null,"
    "\"time_created\":1,\"time_updated\":2},\n"
    "{\"id\":\"abc123\",\"worktree\":\"/home/u/alpha\",\"vcs\":\"git\",\"name\":null,"
    "\"time_created\":3,\"time_updated\":4}]\n";

/* Sessions as sqlite3 -json prints them (REAL noise included). */
static __attribute__((unused)) const char *const sessions =
    "[{\"id\":\"ses_a\",\"project_id\":\"abc123\",\"project_worktree\":\"/home/u/alpha\","
    "\"directory\":\"/home/u/alpha\",\"title\":\"alpha \\\"one\\\" \\u2713 \\ud83d\\ude00\","
    "\"parent_id\":null,\"time_created\":1000,\"time_updated\":2000,\"time_archived\":null,"
    "\"messages\":4,\"todos_total\":3,\"todos_done\":1,\"agent\":\"build\",\"model\":null,"
    "\"cost\":0.0065820000000000001769,\"tokens_input\":1609,\"tokens_output\":95,"
    "\"tokens_reasoning\":14,\"tokens_cache_read\":400,\"tokens_cache_write\":0,\"busy\":0,"
    "\"errored\":0,\"error_name\":null,\"last_agent\":\"plan\",\"last_model\":\"mock/mock-1\","
    "\"last_message\":2500},\n"
    "{\"id\":\"ses_b\",\"project_id\":\"global\",\"project_worktree\":\"/\","
    "\"directory\":\"/tmp/x\",\"title\":\"evil \\u001b]0;pwn\\u0007title\\u001b[31m red\","
    "\"parent_id\":\"ses_a\",\"time_created\":1,\"time_updated\":2,\"time_archived\":5,"
    "\"messages\":0,\"todos_total\":null,\"todos_done\":null,\"agent\":null,\"model\":null,"
    "\"cost\":0.0,\"tokens_input\":0,\"tokens_output\":0,\"tokens_reasoning\":0,"
    "\"tokens_cache_read\":0,\"tokens_cache_write\":0,\"busy\":1,\"errored\":1,"
    "\"error_name\":\"APIError\",\"last_agent\":null,\"last_model\":null,\"last_message\":null}]\n";

static __attribute__((unused)) const char *const processes =
    "[{\"pid\":4242,\"ppid\":1,\"start\":1796011000000,\"cwd\":\"/home/u/alpha\","
    "\"args\":[\"/home/u/.opencode/bin/opencode\",\"-s\",\"ses_a\"],\"listen\":[]},\n"
    "{\"pid\":4343,\"ppid\":1,\"start\":1796011000000,\"cwd\":\"/srv\","
    "\"args\":[\"opencode\",\"serve\",\"--port\",\"0\"],\"listen\":[4096,4097]}]\n";

/* Builds a complete ok reply from the given sections (NULL: left out). */
static __attribute__((unused)) char *make_reply(const char *proj, const char *sess,
                                                const char *procs, const char *extra)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_puts(&sb, M " begin 1\n");
	if (proj)
		strbuf_printf(&sb, M " projects\n%s", proj);
	if (sess)
		strbuf_printf(&sb, M " sessions\n%s", sess);
	if (extra)
		strbuf_puts(&sb, extra);
	if (procs)
		strbuf_printf(&sb, M " processes\n%s", procs);
	strbuf_printf(&sb, M " host\n%s", host_line);
	strbuf_puts(&sb, M " end ok\n");
	return strbuf_take(&sb);
}

static __attribute__((unused)) int decode(const char *buf, size_t len, struct probe_result **out)
{
	struct probe_result *r = probe_result_new();
	int rc = probe_reply_decode(buf, len, M, r);

	*out = r;
	return rc;
}

static __attribute__((unused)) int decode_str(const char *s, struct probe_result **out)
{
	return decode(s, strlen(s), out);
}

static __attribute__((unused)) void expect_proto(const char *s, const char *needle)
{
	struct probe_result *r;
	int rc = decode_str(s, &r);

	assert_int_equal(rc, ERR_PROTO);
	if (needle && !strstr(err_text(), needle))
		fail_msg("error '%s' lacks '%s'", err_text(), needle);
	probe_result_free(r);
}

/* Builds a reply from the sections (as make_reply) and expects ERR_PROTO
 * with needle in the text. */
static __attribute__((unused)) void expect_reply_proto(const char *proj, const char *sess,
                                                       const char *procs, const char *extra,
                                                       const char *needle)
{
	char *s = make_reply(proj, sess, procs, extra);

	expect_proto(s, needle);
	free(s);
}

/* Builds a reply from the sections (as make_reply), decodes it and
 * expects ERR_OK; the caller frees the result. */
static __attribute__((unused)) struct probe_result *reply_ok(const char *proj, const char *sess,
                                                             const char *procs, const char *extra)
{
	char *s = make_reply(proj, sess, procs, extra);
	struct probe_result *r;

	assert_int_equal(decode_str(s, &r), ERR_OK);
	free(s);
	return r;
}

#endif

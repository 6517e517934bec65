/* probe_json: the `ls --json` / `watch` document and the `ls` table, from a
 * decoded probe reply (the wire format of docs/probe-protocol.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_json.h"
#include "probe/probe_model.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#define M    "Mk0123456789abcdef"
#define NOW  1796011333000LL
#define HOUR 3600000LL

/* A reply as the script sends it for a 1.18 host: two projects, a running
 * session (a live `opencode -s`), its sub-agent child, an archived one with
 * a hostile title, and one with unknown counts. */
static const char reply[] =
    M " begin 1\n" M " projects\n"
      "[{\"id\":\"global\",\"worktree\":\"/\",\"vcs\":null,\"name\":null,"
      "\"time_created\":1,\"time_updated\":2},\n"
      "{\"id\":\"abc123\",\"worktree\":\"/home/u/alpha\",\"vcs\":\"git\",\"name\":null,"
      "\"time_created\":3,\"time_updated\":4}]\n" M " sessions\n"
      "[{\"id\":\"ses_a\",\"project_id\":\"abc123\",\"project_worktree\":\"/home/u/alpha\","
      "\"directory\":\"/home/u/alpha\",\"title\":\"alpha \\\"one\\\" \\u2713\","
      "\"parent_id\":null,\"time_created\":1796000000000,\"time_updated\":1796011000000,"
      "\"time_archived\":null,\"messages\":4,\"todos_total\":3,\"todos_done\":1,"
      "\"agent\":\"build\",\"model\":\"mock/mock-1\",\"cost\":0.25,\"tokens_input\":1,"
      "\"tokens_output\":2,\"tokens_reasoning\":0,\"tokens_cache_read\":0,"
      "\"tokens_cache_write\":0,\"busy\":0,\"errored\":0,\"error_name\":null,"
      "\"last_agent\":\"build\",\"last_model\":\"mock/mock-1\",\"last_message\":1796011000000},\n"
      "{\"id\":\"ses_c\",\"project_id\":\"abc123\",\"project_worktree\":\"/home/u/alpha\","
      "\"directory\":\"/home/u/alpha\",\"title\":\"child\",\"parent_id\":\"ses_a\","
      "\"time_created\":1796000000000,\"time_updated\":1795000000000,\"time_archived\":null,"
      "\"messages\":2,\"todos_total\":null,\"todos_done\":null,\"agent\":null,\"model\":null,"
      "\"cost\":0,\"tokens_input\":0,\"tokens_output\":0,\"tokens_reasoning\":0,"
      "\"tokens_cache_read\":0,\"tokens_cache_write\":0,\"busy\":0,\"errored\":0,"
      "\"error_name\":null,\"last_agent\":null,\"last_model\":null,\"last_message\":null},\n"
      "{\"id\":\"ses_b\",\"project_id\":\"global\",\"project_worktree\":\"/\","
      "\"directory\":\"/tmp/x\",\"title\":\"evil \\u001b]0;pwn\\u0007title\\u001b[31m red\","
      "\"parent_id\":null,\"time_created\":1,\"time_updated\":2,\"time_archived\":5,"
      "\"messages\":0,\"todos_total\":null,\"todos_done\":null,\"agent\":null,\"model\":null,"
      "\"cost\":0.0,\"tokens_input\":0,\"tokens_output\":0,\"tokens_reasoning\":0,"
      "\"tokens_cache_read\":0,\"tokens_cache_write\":0,\"busy\":0,\"errored\":0,"
      "\"error_name\":null,\"last_agent\":null,\"last_model\":null,\"last_message\":null}]\n" M
      " processes\n"
      "[{\"pid\":4242,\"ppid\":1,\"start\":1796011000000,\"cwd\":\"/home/u/alpha\","
      "\"args\":[\"/home/u/.opencode/bin/opencode\",\"-s\",\"ses_a\"],\"listen\":[]}]\n" M " host\n"
      "{\"protocol\":1,\"method\":\"sqlite3\",\"opencode\":\"/home/u/.opencode/bin/opencode\","
      "\"opencode_version\":\"1.18.33\",\"db\":\"/home/u/.local/share/opencode/opencode.db\","
      "\"storage\":null,\"token\":\"v1-123-45\",\"now\":1796011333000,"
      "\"sqlite_version\":\"3.40.1\",\"hostname\":\"box\",\"home\":\"/home/u\","
      "\"warnings\":null}\n" M " end ok\n";

static const char expect_host[] =
    "{\"name\":\"web-1\",\"state\":\"ok\",\"reason\":null,\"method\":\"sqlite3\","
    "\"opencode_version\":\"1.18.33\",\"home\":\"/home/u\",\"probed_at\":1796011333000,"
    "\"latency_ms\":42,"
    "\"projects\":["
    "{\"path\":\"/\",\"name\":\"global\",\"sessions\":["
    "{\"id\":\"ses_b\",\"title\":\"evil title red\",\"directory\":\"/tmp/x\",\"parent_id\":null,"
    "\"status\":\"archived\",\"created\":1,\"updated\":2,\"archived\":5,\"agent\":null,"
    "\"model\":null,\"messages\":0,\"cost\":0,\"todos_done\":null,\"todos_total\":null}]},"
    "{\"path\":\"/home/u/alpha\",\"name\":\"alpha\",\"sessions\":["
    "{\"id\":\"ses_a\",\"title\":\"alpha \\\"one\\\" \u2713\",\"directory\":\"/home/u/alpha\","
    "\"parent_id\":null,\"status\":\"running\",\"created\":1796000000000,"
    "\"updated\":1796011000000,\"archived\":null,\"agent\":\"build\",\"model\":\"mock/mock-1\","
    "\"messages\":4,\"cost\":0.25,\"todos_done\":1,\"todos_total\":3},"
    "{\"id\":\"ses_c\",\"title\":\"child\",\"directory\":\"/home/u/alpha\","
    "\"parent_id\":\"ses_a\",\"status\":\"idle\",\"created\":1796000000000,"
    "\"updated\":1795000000000,\"archived\":null,\"agent\":null,\"model\":null,"
    "\"messages\":2,\"cost\":0,\"todos_done\":null,\"todos_total\":null}]}]}";

static struct probe_result *decoded(void)
{
	struct probe_result *r = probe_result_new();

	assert_int_equal(probe_reply_decode(reply, strlen(reply), M, r), ERR_OK);
	r->probed_at = NOW;
	probe_result_classify(r, NOW, HOUR);
	return r;
}

static struct probe_engine_host host_ok(const struct probe_result *r)
{
	struct probe_engine_host h;

	memset(&h, 0, sizeof(h));
	h.name = "web-1";
	h.state = PROBE_HOST_OK;
	h.result = r;
	h.probed_at = r ? r->probed_at : 0;
	h.latency_ms = 42;
	h.changed = 1;
	return h;
}

static void test_ls_document(void **state)
{
	struct probe_result *r = decoded();
	struct probe_engine_host h = host_ok(r);
	const struct probe_engine_host *v[] = {&h};
	struct strbuf sb = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT;

	(void)state;
	probe_json_write(&sb, v, 1, NULL);
	strbuf_printf(&want, "{\"hosts\":[%s]}", expect_host);
	assert_string_equal(strbuf_str(&sb), strbuf_str(&want));
	assert_null(strchr(strbuf_str(&sb), '\n'));
	assert_null(strchr(strbuf_str(&sb), '\033'));
	strbuf_free(&sb);
	strbuf_free(&want);
	probe_result_free(r);
}

/* A host that failed keeps the cached data; one never reached has none. */
static void test_failed_hosts(void **state)
{
	struct probe_result *r = decoded();
	struct probe_engine_host a = host_ok(r);
	struct probe_engine_host b = host_ok(NULL);
	const struct probe_engine_host *v[] = {&a, &b};
	struct strbuf sb = STRBUF_INIT;
	const char *s;

	(void)state;
	a.state = PROBE_HOST_OFFLINE;
	a.reason = "connection refused";
	a.changed = -1;
	b.name = "db-2";
	b.state = PROBE_HOST_HOSTKEY_CHANGED;
	b.reason = "the host key changed";
	b.latency_ms = -1;
	probe_json_write(&sb, v, 2, NULL);
	s = strbuf_str(&sb);
	assert_non_null(strstr(s, "{\"name\":\"web-1\",\"state\":\"offline\",\"reason\":"
	                          "\"connection refused\",\"method\":\"sqlite3\""));
	assert_non_null(strstr(s, "\"id\":\"ses_a\""));
	assert_non_null(
	    strstr(s, "{\"name\":\"db-2\",\"state\":\"hostkey-changed\",\"reason\":"
	              "\"the host key changed\",\"method\":null,\"opencode_version\":null,"
	              "\"home\":null,\"probed_at\":null,\"latency_ms\":null,\"projects\":[]}"));
	strbuf_free(&sb);
	probe_result_free(r);
}

static void test_watch_fields(void **state)
{
	struct probe_result *r = decoded();
	struct probe_engine_host a = host_ok(r);
	struct probe_engine_host b = host_ok(r);
	struct probe_engine_host c = host_ok(NULL);
	const struct probe_engine_host *v[] = {&a, &b, &c};
	struct probe_json_round jr = {3, 17};
	struct strbuf sb = STRBUF_INIT;
	const char *s;

	(void)state;
	b.name = "web-2";
	b.changed = 0;
	c.name = "web-3";
	c.state = PROBE_HOST_TIMEOUT;
	c.reason = "timed out";
	c.changed = -1;
	probe_json_write(&sb, v, 3, &jr);
	s = strbuf_str(&sb);
	assert_true(!strncmp(s, "{\"round\":3,\"elapsed_ms\":17,\"hosts\":[", 36));
	assert_non_null(strstr(s, "\"name\":\"web-1\""));
	assert_non_null(strstr(s, "\"latency_ms\":42,\"changed\":true,\"projects\""));
	assert_non_null(strstr(s, "\"latency_ms\":42,\"changed\":false,\"projects\""));
	assert_non_null(strstr(s, "\"changed\":null,\"projects\":[]"));
	strbuf_free(&sb);
	probe_result_free(r);
}

static char *table_of(const struct probe_engine_host *const *v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	probe_json_print_table(fp, v, n);
	fclose(fp);
	return buf;
}

static void test_table(void **state)
{
	struct probe_result *r = decoded();
	struct probe_engine_host a = host_ok(r);
	struct probe_engine_host b = host_ok(NULL);
	const struct probe_engine_host *v[] = {&a, &b};
	char *t = NULL;

	(void)state;
	b.name = "db-2";
	b.state = PROBE_HOST_OFFLINE;
	b.reason = "connection refused";
	t = table_of(v, 2);
	assert_non_null(strstr(t, "web-1"));
	assert_non_null(strstr(t, "3 sessions (1 running, 1 idle, 1 archived)"));
	assert_non_null(strstr(t, "  /home/u/alpha  (2)\n"));
	/* the child is indented under its parent */
	assert_non_null(strstr(t, "    running   ses_a  alpha \"one\" \u2713\n"
	                          "      idle      ses_c  child\n"));
	assert_non_null(strstr(t, "archived  ses_b  evil title red\n"));
	assert_non_null(strstr(t, "db-2"));
	assert_non_null(strstr(t, "offline"));
	assert_non_null(strstr(t, "connection refused\n"));
	assert_null(strchr(t, '\033'));
	free(t);
	probe_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ls_document),
	    cmocka_unit_test(test_failed_hosts),
	    cmocka_unit_test(test_watch_fields),
	    cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

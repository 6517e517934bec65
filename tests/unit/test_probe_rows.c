#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe/probe_model.h"
#include "probe/probe_reply.h"
#include "probe/probe_rows.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#include "reply_testlib.h"

static void test_full_reply(void **state)
{
	struct probe_result *r;
	struct probe_session *a, *b;

	(void)state;
	r = reply_ok(projects, sessions, processes, NULL);
	assert_int_equal(r->state, PROBE_HOST_OK);
	assert_int_equal(r->method, PROBE_METHOD_SQLITE3);
	assert_string_equal(r->opencode_version, "1.18.33");
	assert_string_equal(r->token, "v1-123-45");
	assert_int_equal(r->host_now, 1796011333000LL);
	assert_false(r->unchanged);
	assert_int_equal(r->nprojects, 2);
	assert_int_equal(r->nsessions, 2);
	a = probe_result_find_session(r, "ses_a");
	b = probe_result_find_session(r, "ses_b");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->title, "alpha \"one\" \xe2\x9c\x93 \xf0\x9f\x98\x80");
	assert_string_equal(a->agent, "build");
	assert_string_equal(a->model, "mock/mock-1"); /* model null -> last_model */
	assert_true(a->cost > 0.00658 && a->cost < 0.00659);
	assert_int_equal(a->tokens_input, 1609);
	assert_int_equal(a->tokens_cache_read, 400);
	assert_int_equal(a->messages, 4);
	assert_int_equal(a->todos_total, 3);
	assert_int_equal(a->todos_done, 1);
	assert_int_equal(a->last_message, 2500);
	assert_null(a->parent_id);
	assert_string_equal(a->project_worktree, "/home/u/alpha");
	assert_string_equal(b->title, "evil title red");
	assert_string_equal(b->parent_id, "ses_a");
	assert_int_equal(b->archived, 5);
	assert_true(b->busy);
	assert_true(b->errored);
	assert_string_equal(b->error_name, "APIError");
	assert_int_equal(b->todos_total, -1);
	assert_int_equal(r->nprocs, 2);
	assert_int_equal(r->procs[0].pid, 4242);
	assert_string_equal(r->procs[0].session_arg, "ses_a");
	assert_false(r->procs[0].serve);
	assert_true(r->procs[1].serve);
	assert_int_equal(r->procs[1].nlisten, 2);
	assert_int_equal(r->procs[1].listen[1], 4097);
	probe_result_free(r);
}

static void test_classify(void **state)
{
	const char *sess =
	    "[{\"id\":\"ses_run\",\"project_id\":\"p\",\"directory\":\"/w/a\",\"title\":\"t\","
	    "\"time_created\":1,\"time_updated\":100},"
	    "{\"id\":\"ses_tui_old\",\"project_id\":\"p\",\"directory\":\"/w/tui\",\"title\":\"t\","
	    "\"time_created\":1,\"time_updated\":50},"
	    "{\"id\":\"ses_tui_new\",\"project_id\":\"p\",\"directory\":\"/w/tui\",\"title\":\"t\","
	    "\"time_created\":1,\"time_updated\":60},"
	    "{\"id\":\"ses_busy_dead\",\"project_id\":\"p\",\"directory\":\"/w/"
	    "none\",\"title\":\"t\","
	    "\"time_created\":1,\"time_updated\":1,\"busy\":1},"
	    "{\"id\":\"ses_err\",\"project_id\":\"p\",\"directory\":\"/w/e\",\"title\":\"t\","
	    "\"time_created\":1,\"time_updated\":1,\"errored\":1},"
	    "{\"id\":\"ses_arch\",\"project_id\":\"p\",\"directory\":\"/w/e\",\"title\":\"t\","
	    "\"time_created\":1,\"time_updated\":1,\"time_archived\":9},"
	    "{\"id\":\"ses_recent\",\"project_id\":\"p\",\"directory\":\"/w/r\",\"title\":\"t\","
	    "\"time_created\":1,\"time_updated\":9990}]\n";
	const char *procs =
	    "[{\"pid\":10,\"ppid\":1,\"start\":0,\"cwd\":\"/w/a\","
	    "\"args\":[\"opencode\",\"--session=ses_run\"],\"listen\":[]},"
	    "{\"pid\":11,\"ppid\":1,\"start\":0,\"cwd\":\"/w/tui/\",\"args\":[\"opencode\"],"
	    "\"listen\":[]}]\n";
	struct probe_result *r;

	(void)state;
	r = reply_ok(NULL, sess, procs, NULL);
	probe_result_classify(r, 10000, 1000);
	assert_int_equal(probe_result_find_session(r, "ses_run")->status, PROBE_SESSION_RUNNING);
	assert_int_equal(probe_result_find_session(r, "ses_tui_new")->status,
	                 PROBE_SESSION_RUNNING);
	assert_int_equal(probe_result_find_session(r, "ses_tui_old")->status, PROBE_SESSION_IDLE);
	assert_int_equal(probe_result_find_session(r, "ses_busy_dead")->status, PROBE_SESSION_IDLE);
	assert_int_equal(probe_result_find_session(r, "ses_err")->status, PROBE_SESSION_ERRORED);
	assert_int_equal(probe_result_find_session(r, "ses_arch")->status, PROBE_SESSION_ARCHIVED);
	assert_int_equal(probe_result_find_session(r, "ses_recent")->status, PROBE_SESSION_ACTIVE);
	/* the same rules name the session each process runs */
	assert_ptr_equal(probe_result_process_session(r, &r->procs[0]),
	                 probe_result_find_session(r, "ses_run"));
	assert_ptr_equal(probe_result_process_session(r, &r->procs[1]),
	                 probe_result_find_session(r, "ses_tui_new"));
	assert_true(
	    probe_process_may_write(&r->procs[1], probe_result_find_session(r, "ses_tui_old")));
	assert_false(
	    probe_process_may_write(&r->procs[1], probe_result_find_session(r, "ses_err")));
	/* the sessions referenced project "p" that no section listed */
	assert_non_null(probe_result_find_project(r, "p"));
	assert_int_equal(r->nserve_ports, 0);
	assert_string_equal(probe_session_status_name(PROBE_SESSION_ERRORED), "errored");
	probe_result_free(r);
}

static void test_busy_with_serve_is_running(void **state)
{
	const char *sess = "[{\"id\":\"ses_x\",\"project_id\":\"p\",\"directory\":\"/d\","
	                   "\"title\":\"t\",\"time_created\":1,\"time_updated\":1,\"busy\":1}]\n";
	struct probe_result *r;

	(void)state;
	r = reply_ok(NULL, sess, processes, NULL);
	probe_result_classify(r, 10, 1);
	assert_int_equal(r->sessions[0].status, PROBE_SESSION_RUNNING);
	assert_int_equal(r->nserve_ports, 2);
	assert_int_equal(r->serve_ports[0], 4096);
	assert_null(probe_result_process_session(r, &r->procs[1])); /* a serve runs none */
	assert_true(probe_process_may_write(&r->procs[1], &r->sessions[0]));
	probe_result_free(r);
}
/* A big host: 20000 sessions (about 12 MB) decode quickly, duplicates
 * among them are still found. */
static void test_many_sessions(void **state)
{
	struct strbuf sess = STRBUF_INIT;
	struct probe_result *r;
	char *s;
	int64_t t0;
	struct timespec ts;

	(void)state;
	strbuf_puts(&sess, "[");
	for (int i = 0; i < 20000; i++)
		strbuf_printf(&sess,
		              "%s{\"id\":\"ses_%026d\",\"project_id\":\"p%d\","
		              "\"project_worktree\":\"/w/%d\",\"directory\":\"/w/%d/sub\","
		              "\"title\":\"session number %d \\u2713 with a longer title text\","
		              "\"parent_id\":null,\"time_created\":%d,\"time_updated\":%d,"
		              "\"time_archived\":null,\"messages\":%d,\"todos_total\":0,"
		              "\"todos_done\":0,\"agent\":\"build\",\"model\":\"mock/mock-1\","
		              "\"cost\":0.5,\"tokens_input\":1,\"tokens_output\":2,"
		              "\"tokens_reasoning\":0,\"tokens_cache_read\":0,"
		              "\"tokens_cache_write\":0,\"busy\":0,\"errored\":0}\n",
		              i ? "," : "", i, i % 50, i % 50, i % 50, i, i, i, i);
	strbuf_puts(&sess, "]\n");
	s = make_reply(NULL, sess.buf, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	assert_int_equal(decode_str(s, &r), ERR_OK);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	print_message("20000 sessions, %zu bytes: %lld ms\n", strlen(s),
	              (long long)((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - t0));
	/* linear: ~0.1 s optimised, ~0.4 s under ASan; quadratic took 5-20 s */
	assert_true((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - t0 < 4000);
	assert_int_equal(r->nsessions, 20000);
	assert_int_equal(r->nprojects, 50);
	assert_string_equal(probe_result_find_session(r, "ses_00000000000000000000019999")->title,
	                    "session number 19999 \xe2\x9c\x93 with a longer title text");
	probe_result_free(r);
	free(s);
	/* the same list twice: the duplicate is found at the first repeat */
	strbuf_printf(&sess, "[{\"id\":\"ses_%026d\",\"project_id\":\"p\"}]\n", 12345);
	expect_reply_proto(NULL, sess.buf, NULL, NULL,
	                   "duplicate session id ses_00000000000000000000012345");
	strbuf_free(&sess);
}

static void test_json_files_and_dedup(void **state)
{
	const char *extra =
	    M " json-projects\n"
	      "{\n  \"id\": \"abc123\",\n  \"worktree\": \"/old/alpha\",\n  \"vcs\": \"git\"\n}"
	      "{\"id\":\"oldp\",\"worktree\":\"/old/p\",\"time\":{\"created\":7,\"updated\":8}}\n" M
	      " json-sessions\n"
	      "{\"id\":\"ses_a\",\"projectID\":\"abc123\",\"directory\":\"/old\",\"title\":\"OLD\","
	      "\"time\":{\"created\":1,\"updated\":2}}\n"
	      "{\"id\":\"ses_old\",\"projectID\":\"oldp\",\"directory\":\"/old/p\","
	      "\"title\":\"old "
	      "one\",\"parentID\":\"ses_a\",\"time\":{\"created\":11,\"updated\":12}}\n" M
	      " json-stats\n"
	      "[{\"id\":\"ses_old\",\"messages\":2,\"cost\":0.5,\"tokens_input\":10,"
	      "\"tokens_output\":3,\"tokens_reasoning\":0,\"tokens_cache_read\":0,"
	      "\"tokens_cache_write\":0,\"busy\":0,\"errored\":1,\"last_agent\":\"build\","
	      "\"last_model\":\"mock/mock-1\",\"todos_total\":2,\"todos_done\":2},"
	      "{\"id\":\"ses_a\",\"messages\":99}]\n" M " session-list\n"
	      "[{\"id\":\"ses_old\",\"title\":\"x\",\"updated\":1,\"created\":1,\"projectId\":"
	      "\"oldp\","
	      "\"directory\":\"/"
	      "\"},{\"id\":\"ses_l\",\"title\":\"listed\",\"updated\":1,\"created\":1,"
	      "\"projectId\":\"global\",\"directory\":\"/h\"}]\n";
	struct probe_result *r;
	struct probe_session *a, *o;

	(void)state;
	r = reply_ok(projects, sessions, NULL, extra);
	assert_int_equal(r->nsessions, 4);
	a = probe_result_find_session(r, "ses_a");
	assert_int_equal(a->source, PROBE_SOURCE_DB);
	assert_string_equal(a->title, "alpha \"one\" \xe2\x9c\x93 \xf0\x9f\x98\x80");
	assert_int_equal(a->messages, 4); /* stats only complete JSON sessions */
	o = probe_result_find_session(r, "ses_old");
	assert_int_equal(o->source, PROBE_SOURCE_JSON_FILES);
	assert_string_equal(o->title, "old one");
	assert_string_equal(o->parent_id, "ses_a");
	assert_string_equal(o->project_worktree, "/old/p");
	assert_int_equal(o->created, 11);
	assert_int_equal(o->messages, 2);
	assert_true(o->errored);
	assert_string_equal(o->model, "mock/mock-1");
	assert_int_equal(o->todos_done, 2);
	assert_int_equal(probe_result_find_session(r, "ses_l")->source, PROBE_SOURCE_SESSION_LIST);
	/* abc123 came from the database: the file's worktree does not win */
	assert_string_equal(probe_result_find_project(r, "abc123")->worktree, "/home/u/alpha");
	assert_int_equal(probe_result_find_project(r, "oldp")->updated, 8);
	probe_result_free(r);
}

static void test_duplicates(void **state)
{
	const char *dup =
	    "[{\"id\":\"ses_a\",\"project_id\":\"p\"},{\"id\":\"ses_a\",\"project_id\":\"p\"}]\n";
	const char *pdup =
	    "[{\"id\":\"p\",\"worktree\":\"/\"},{\"id\":\"p\",\"worktree\":\"/x\"}]\n";
	(void)state;
	expect_reply_proto(NULL, dup, NULL, NULL, "duplicate session id ses_a");
	expect_reply_proto(pdup, NULL, NULL, NULL, "duplicate project id");
}

static void test_missing_and_range(void **state)
{
	(void)state;
	expect_reply_proto(NULL, "[{\"title\":\"no id\"}]\n", NULL, NULL, "missing");
	expect_reply_proto(NULL, NULL, "[{\"pid\":-3,\"args\":[]}]\n", NULL, "pid");
}

static void test_sections(void **state)
{
	struct probe_rows_span sp[PROBE_ROWS_COUNT];
	struct probe_result *r = probe_result_new();

	(void)state;
	for (int i = 0; i < PROBE_ROWS_COUNT; i++) {
		const char *name = probe_rows_section_name((enum probe_rows_section)i);

		assert_int_equal(probe_rows_section_find(name, strlen(name)), i);
	}
	assert_string_equal(probe_rows_section_name(PROBE_ROWS_JSON_STATS), "json-stats");
	assert_int_equal(probe_rows_section_find("json-statsX", 10), PROBE_ROWS_JSON_STATS);
	assert_int_equal(probe_rows_section_find("json-stat", 9), -1);
	assert_int_equal(probe_rows_section_find("future-thing", 12), -1);
	/* straight from spans: the host is required, the rest optional */
	memset(sp, 0, sizeof(sp));
	assert_int_equal(probe_rows_decode(sp, r), ERR_PROTO);
	assert_non_null(strstr(err_text(), "no host section"));
	sp[PROBE_ROWS_HOST] = (struct probe_rows_span){host_line, strlen(host_line), true};
	sp[PROBE_ROWS_SESSION_LIST] =
	    (struct probe_rows_span){"{\"id\":\"ses_l\",\"projectId\":\"px\"}", 31, true};
	assert_int_equal(probe_rows_decode(sp, r), ERR_OK);
	assert_string_equal(r->token, "v1-123-45");
	assert_int_equal(r->nsessions, 1);
	assert_int_equal(r->sessions[0].source, PROBE_SOURCE_SESSION_LIST);
	assert_string_equal(r->sessions[0].title, ""); /* linked: never NULL */
	assert_string_equal(probe_result_find_project(r, "px")->worktree, "");
	probe_result_free(r);
}

/* Decodes a host section alone; returns probe_rows_decode's code. */
static int host_only(const char *host, struct probe_result *r)
{
	struct probe_rows_span sp[PROBE_ROWS_COUNT];

	memset(sp, 0, sizeof(sp));
	sp[PROBE_ROWS_HOST] = (struct probe_rows_span){host, strlen(host), true};
	return probe_rows_decode(sp, r);
}

/* The host's $HOME: optional (a reply made before the script sent it has
 * none, e.g. one read back from the cache), sanitised like every text. */
static void test_host_home(void **state)
{
#define HOST_WITH(home) "{\"protocol\":1,\"method\":\"none\",\"token\":\"v1-1-2\"" home "}"
	static const struct {
		const char *host, *want;
	} cases[] = {
	    {HOST_WITH(""), NULL},
	    {HOST_WITH(",\"home\":null"), NULL},
	    {HOST_WITH(",\"home\":\"/home/u\""), "/home/u"},
	    {HOST_WITH(",\"home\":\"/home/\\u001b[31mu\\u0007\\u001b[0m\\n\xff\""),
	     "/home/u \xef\xbf\xbd"},
	};
	struct probe_result *r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = probe_result_new();
		assert_int_equal(host_only(cases[i].host, r), ERR_OK);
		if (cases[i].want)
			assert_string_equal(r->home, cases[i].want);
		else
			assert_null(r->home);
		probe_result_free(r);
	}
	r = probe_result_new();
	assert_int_equal(host_only(HOST_WITH(",\"home\":5"), r), ERR_PROTO);
	assert_non_null(strstr(err_text(), "home: expected a string"));
	probe_result_free(r);
#undef HOST_WITH
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_reply),
	    cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_busy_with_serve_is_running),
	    cmocka_unit_test(test_many_sessions),
	    cmocka_unit_test(test_json_files_and_dedup),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_missing_and_range),
	    cmocka_unit_test(test_sections),
	    cmocka_unit_test(test_host_home),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

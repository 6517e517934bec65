/* tui_inspect: the inspect panel's rows for each kind of row, unknown
 * values, a host in error, missing inputs, and the ssh options helper.
 * Results are built by hand; the tree items come from a real tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>

#include "discovery/disc_sshcfg.h"
#include "probe/probe_engine.h"
#include "tui/tui_inspect.h"
#include "tui/tui_tree.h"
#include "util/strbuf.h"

#include "sshcfg_testlib.h"
#include "tree_testlib.h"

/* 2026-11-30 06:21:40 UTC */
#define NOW 1796019700000LL
#define MIN 60000LL

static const char ssh_opts[] = "hostname 127.0.0.1\n"
                               "user dev\n"
                               "port 2201\n"
                               "identityfile ~/.ssh/id_a\n"
                               "identityfile ~/.ssh/id_b\n"
                               "stricthostkeychecking yes\n";

/* The value of the first row labelled label after heading (NULL: from the
 * top); fails when there is none. */
static const char *val_in(const struct tui_inspect *in, const char *heading, const char *label)
{
	bool in_section = heading == NULL;

	for (size_t i = 0; i < in->n; i++) {
		if (!in->rows[i].value && heading)
			in_section = !strcmp(in->rows[i].label, heading);
		else if (in_section && !strcmp(in->rows[i].label, label))
			return in->rows[i].value;
	}
	fail_msg("no row '%s' under '%s'", label, heading ? heading : "(any)");
	return NULL;
}

static const char *val(const struct tui_inspect *in, const char *label)
{
	return val_in(in, NULL, label);
}

static bool has_row(const struct tui_inspect *in, const char *label)
{
	for (size_t i = 0; i < in->n; i++)
		if (in->rows[i].value && !strcmp(in->rows[i].label, label))
			return true;
	return false;
}

/* A host "web" with a full session ses_a (run by pid 4242), its sub-agent
 * ses_c with nothing known, and an unrelated process. */
static struct probe_result *web_result(struct fleet *f)
{
	struct probe_result *r = add_host(f, "web", NULL);
	struct probe_session *s =
	    add_sess(r, "ses_a", "fix the parser", "alpha", NULL, NOW - 3 * MIN);
	struct probe_session *c = add_sess(r, "ses_c", "child", "alpha", "ses_a", 0);
	struct probe_project *p = probe_result_add_project(r);
	struct probe_process *pr = probe_result_add_process(r);

	r->method = PROBE_METHOD_SQLITE3;
	r->opencode_version = xstrdup("1.18.33");
	r->opencode_path = xstrdup("/home/u/.opencode/bin/opencode");
	r->db_path = xstrdup("/home/u/.local/share/opencode/opencode.db");
	r->hostname = xstrdup("box");
	r->home = xstrdup("/home/u");
	r->probed_at = NOW - 12000;
	s->created = NOW - 120 * MIN;
	s->last_message = NOW - 3 * MIN;
	s->agent = xstrdup("build");
	s->model = xstrdup("mock/mock-1");
	s->cost = 0.01234;
	s->tokens_input = 1234;
	s->tokens_output = 345;
	s->tokens_cache_read = 10000;
	s->messages = 4;
	s->todos_done = 3;
	s->todos_total = 5;
	s->status = PROBE_SESSION_RUNNING;
	c->created = 0;
	p->id = xstrdup("alpha");
	p->worktree = xstrdup("/home/u/alpha");
	p->vcs = xstrdup("git");
	p->created = NOW - 24 * 60 * MIN;
	pr->pid = 4242;
	pr->argc = 3;
	pr->argv = xcalloc(4, sizeof(char *));
	pr->argv[0] = xstrdup("/home/u/.opencode/bin/opencode");
	pr->argv[1] = xstrdup("-s");
	pr->argv[2] = xstrdup("ses_a");
	pr->session_arg = xstrdup("ses_a");
	pr = probe_result_add_process(r);
	pr->pid = 77;
	pr->cwd = xstrdup("/elsewhere");
	pr->argc = 1;
	pr->argv = xcalloc(2, sizeof(char *));
	pr->argv[0] = xstrdup("opencode");
	return r;
}

static struct probe_engine_host engine_host(const char *name, const struct probe_result *r)
{
	struct probe_engine_host h;

	memset(&h, 0, sizeof(h));
	h.name = name;
	h.state = PROBE_HOST_OK;
	h.result = r;
	h.probed_at = r ? r->probed_at : 0;
	h.latency_ms = r ? 45 : -1;
	h.changed = r ? 1 : -1;
	h.probes = r ? 3 : 0;
	return h;
}

/* One test's world: a fleet whose first host is "web", its tree, that
 * host's engine entry, the panel's source and the panel. */
struct fix {
	struct fleet f;
	struct probe_result *r; /* web's */
	struct tui_tree *t;
	struct probe_engine_host h;
	struct tui_inspect_src src;
	struct tui_inspect in;
};

/* web holds web_result() when full, else nothing yet. */
static void fix_init(struct fix *x, bool full)
{
	fleet_init(&x->f);
	x->r = full ? web_result(&x->f) : add_host(&x->f, "web", NULL);
	x->t = NULL;
	x->in = (struct tui_inspect)TUI_INSPECT_INIT;
}

/* Builds the tree, selects session sid (NULL: the row `down` rows below
 * the top) and builds the panel for it. */
static void fix_open(struct fix *x, const char *sid, long down)
{
	x->h = engine_host("web", x->r);
	x->t = tui_tree_build(NULL, &x->f.src, 0);
	if (sid)
		select_session(x->t, "web", sid);
	else
		tui_tree_move(x->t, down);
	memset(&x->src, 0, sizeof(x->src));
	x->src.item = sel(x->t);
	x->src.host = &x->h;
	x->src.ssh_options = ssh_opts;
	x->src.now_ms = NOW;
	x->src.active_ms = 10 * MIN;
	tui_inspect_build(&x->src, &x->in);
}

/* Builds the panel again (after a change to the source). */
static const struct tui_inspect *fix_rebuild(struct fix *x)
{
	tui_inspect_build(&x->src, &x->in);
	return &x->in;
}

static void fix_free(struct fix *x)
{
	tui_inspect_free(&x->in);
	tui_tree_free(x->t);
	fleet_free(&x->f);
}

static void test_session(void **state)
{
	struct fix x;
	const struct tui_inspect *in = &x.in;

	(void)state;
	fix_init(&x, true);
	fix_open(&x, "ses_a", 0);
	assert_string_equal(in->rows[0].label, "Session");
	assert_null(in->rows[0].value);
	assert_string_equal(val(in, "id"), "ses_a");
	assert_string_equal(val(in, "title"), "fix the parser");
	assert_string_equal(val(in, "status"), "running");
	assert_string_equal(val(in, "sub-agents"), "1");
	assert_string_equal(val(in, "directory"), "/home/u/alpha");
	assert_string_equal(val(in, "project"), "/home/u/alpha");
	assert_string_equal(val(in, "project id"), "alpha");
	assert_string_equal(val(in, "parent"), "none (a root session)");
	assert_string_equal(val(in, "created"), "2026-11-30 04:21 (2h ago)");
	assert_string_equal(val(in, "updated"), "2026-11-30 06:18 (3m ago)");
	assert_string_equal(val(in, "archived"), "no");
	assert_string_equal(val(in, "agent"), "build");
	assert_string_equal(val(in, "model"), "mock/mock-1");
	assert_string_equal(val(in, "cost"), "$0.0123");
	assert_string_equal(val(in, "tokens"), "in 1.2k  out 345  reasoning 0  cache r/w 10k/0");
	assert_string_equal(val(in, "messages"), "4");
	assert_string_equal(val(in, "todos"), "3/5 done");
	assert_string_equal(val(in, "processes"),
	                    "pid 4242  /home/u/.opencode/bin/opencode -s ses_a  (runs it)");
	assert_string_equal(val(in, "read from"),
	                    "the database /home/u/.local/share/opencode/opencode.db");
	assert_string_equal(val_in(in, "Host", "host"), "web");
	assert_string_equal(val_in(in, "Host", "address"), "dev@127.0.0.1:2201");
	assert_string_equal(val_in(in, "Host", "probed by"),
	                    "sqlite3 over ssh (127.0.0.1:2201), 45 ms, 12s ago");
	assert_false(has_row(in, "state")); /* only said when not ok */
	fix_free(&x);
}

/* -1 counts, zero times, no agent: said as such; a session the result no
 * longer holds keeps what the row knows. */
static void test_session_unknowns(void **state)
{
	struct fix x;
	const struct tui_inspect *in = &x.in;

	(void)state;
	fix_init(&x, true);
	fix_open(&x, "ses_c", 0);
	assert_string_equal(val(in, "status"), "idle (no activity within the last 10m)");
	assert_string_equal(val(in, "parent"), "ses_a");
	assert_string_equal(val(in, "created"), "unknown");
	assert_string_equal(val(in, "updated"), "unknown");
	assert_string_equal(val(in, "last message"), "none");
	assert_string_equal(val(in, "agent"), "none yet");
	assert_string_equal(val(in, "messages"), "unknown");
	assert_string_equal(val(in, "todos"), "unknown");
	assert_string_equal(val(in, "cost"), "$0.0000");
	assert_string_equal(val(in, "processes"), "none");
	/* `opencode session list` tells no cost or tokens */
	probe_result_find_session(x.r, "ses_c")->source = PROBE_SOURCE_SESSION_LIST;
	fix_rebuild(&x);
	assert_string_equal(val(in, "cost"), "unknown");
	assert_string_equal(val(in, "tokens"), "unknown");
	assert_string_equal(val(in, "agent"), "unknown");
	assert_non_null(strstr(val(in, "read from"), "opencode session list"));
	/* the host stopped reporting it */
	x.h.result = NULL;
	fix_rebuild(&x);
	assert_string_equal(val(in, "title"), "child");
	assert_string_equal(val(in, "details"), "not in the host's last result");
	assert_false(has_row(in, "cost"));
	assert_string_equal(val(in, "probed by"), "no good answer yet");
	fix_free(&x);
}

/* An unfinished reply with a server alive: the server is named. */
static void test_session_busy(void **state)
{
	struct fix x;
	struct probe_process *p;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	fix_init(&x, false);
	add_sess(x.r, "ses_b", "busy", "beta", NULL, NOW)->busy = true;
	p = probe_result_add_process(x.r);
	p->pid = 9;
	p->serve = true;
	p->argc = 2;
	p->argv = xcalloc(3, sizeof(char *));
	p->argv[0] = xstrdup("opencode");
	p->argv[1] = xstrdup("serve");
	fix_open(&x, "ses_b", 0);
	assert_string_equal(val(&x.in, "processes"),
	                    "pid 9  opencode serve  (a server that may be writing its reply)");
	assert_non_null(strstr(val(&x.in, "reply"), "unfinished"));
	tui_inspect_text(&x.in, &sb);
	assert_non_null(strstr(strbuf_str(&sb), "\nreply         unfinished"));
	strbuf_free(&sb);
	fix_free(&x);
}

/* A host in error keeps its last result; the detail gets a row a line. */
static void test_host_in_error(void **state)
{
	struct fix x;
	const struct tui_inspect *in = &x.in;
	size_t i;

	(void)state;
	fix_init(&x, true);
	fix_open(&x, NULL, 0);
	x.h.state = PROBE_HOST_AUTH_REQUIRED;
	x.h.reason = "no key was accepted";
	x.h.detail = "none: refused\nagent: no agent\n";
	x.h.changed = 0;
	fix_rebuild(&x);
	assert_string_equal(in->rows[0].label, "Host");
	assert_string_equal(val(in, "host"), "web");
	assert_string_equal(val(in, "group"), "none");
	assert_string_equal(val(in, "state"), "auth-required");
	assert_string_equal(val(in, "reason"), "no key was accepted");
	for (i = 0; i < in->n && strcmp(in->rows[i].label, "detail"); i++)
		;
	assert_true(i + 1 < in->n);
	assert_string_equal(in->rows[i].value, "none: refused");
	assert_string_equal(in->rows[i + 1].label, ""); /* continues the detail */
	assert_string_equal(in->rows[i + 1].value, "agent: no agent");
	assert_string_equal(val(in, "last probe"), "2026-11-30 06:21 (12s ago)");
	assert_string_equal(val(in, "latency"), "45 ms");
	assert_string_equal(val(in, "last answer"), "unchanged (the short reply)");
	assert_string_equal(val_in(in, "OpenCode", "version"), "1.18.33");
	assert_string_equal(val_in(in, "OpenCode", "method"), "sqlite3");
	assert_string_equal(val_in(in, "OpenCode", "home"), "/home/u");
	assert_string_equal(val_in(in, "OpenCode", "hostname"), "box");
	assert_string_equal(val_in(in, "OpenCode", "sessions"), "2 (1 running)");
	assert_string_equal(val_in(in, "SSH", "hostname"), "127.0.0.1");
	assert_string_equal(val_in(in, "SSH", "identityfile"), "~/.ssh/id_a");
	assert_string_equal(val_in(in, "SSH", "stricthostkeychecking"), "yes");
	fix_free(&x);
}

/* Nothing known yet: no result, no ssh options, even no engine entry. */
static void test_host_without_result(void **state)
{
	struct fix x;
	const struct tui_inspect *in = &x.in;

	(void)state;
	fix_init(&x, false);
	x.f.h[0].group = "prod";
	fix_open(&x, NULL, 1);
	x.h = engine_host("web", NULL);
	x.src.ssh_options = NULL;
	fix_rebuild(&x);
	assert_string_equal(val(in, "group"), "prod");
	assert_string_equal(val(in, "address"), "web");
	assert_string_equal(val(in, "last probe"), "never");
	assert_string_equal(val(in, "latency"), "unknown");
	assert_string_equal(val(in, "probed by"), "not probed yet");
	assert_string_equal(val(in, "last answer"), "none yet");
	assert_string_equal(val_in(in, "OpenCode", "version"), "unknown");
	assert_string_equal(val_in(in, "SSH", "options"), "not resolved");
	x.src.host = NULL;
	fix_rebuild(&x);
	assert_string_equal(val(in, "state"), "ok");
	assert_string_equal(val_in(in, "OpenCode", "version"), "unknown");
	/* the local host: no ssh */
	x.h.is_local = true;
	x.src.host = &x.h;
	fix_rebuild(&x);
	assert_string_equal(val(in, "address"), "this machine");
	assert_non_null(strstr(val_in(in, "SSH", "ssh"), "not used"));
	fix_free(&x);
}

static void test_project(void **state)
{
	struct fix x;
	const struct tui_inspect *in = &x.in;

	(void)state;
	fix_init(&x, true);
	fix_open(&x, NULL, 1);
	assert_string_equal(in->rows[0].label, "Project");
	assert_string_equal(val(in, "path"), "/home/u/alpha");
	assert_string_equal(val(in, "project id"), "alpha");
	assert_string_equal(val(in, "vcs"), "git");
	assert_string_equal(val(in, "sessions"), "2 (1 running)");
	assert_string_equal(val(in, "last activity"), "2026-11-30 06:18 (3m ago)");
	assert_string_equal(val(in, "created"), "2026-11-29 06:21 (1d ago)");
	assert_string_equal(val_in(in, "Host", "host"), "web");
	/* without the result: what the row knows */
	x.h.result = NULL;
	fix_rebuild(&x);
	assert_string_equal(val(in, "path"), "~/alpha");
	assert_string_equal(val(in, "vcs"), "unknown");
	fix_free(&x);
}

static void test_group(void **state)
{
	struct fix x;
	const struct tui_inspect *in = &x.in;

	(void)state;
	fix_init(&x, false);
	x.f.h[0].group = "prod";
	add_sess(x.r, "a1", "t", "p", NULL, NOW);
	add_host(&x.f, "b", "prod");
	fix_open(&x, NULL, 0);
	x.src.host = NULL;
	x.src.tree = x.t;
	fix_rebuild(&x);
	assert_string_equal(in->rows[0].label, "Group");
	assert_string_equal(val(in, "name"), "prod");
	assert_string_equal(val(in, "hosts"), "2: web, b");
	assert_string_equal(val(in, "sessions"), "1 (0 running)");
	x.src.tree = NULL;
	fix_rebuild(&x);
	assert_string_equal(val(in, "hosts"), "unknown");
	fix_free(&x);
}

static void test_nothing_selected(void **state)
{
	struct tui_inspect_src src;
	struct tui_inspect in = TUI_INSPECT_INIT;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	memset(&src, 0, sizeof(src));
	tui_inspect_build(NULL, &in);
	assert_int_equal(in.n, 1);
	tui_inspect_build(&src, &in);
	tui_inspect_text(&in, &sb);
	assert_string_equal(strbuf_str(&sb), "Nothing selected\n");
	assert_int_equal(tui_inspect_label_width(&in), 0);
	strbuf_free(&sb);
	tui_inspect_free(&in);
	tui_inspect_free(&in); /* twice is fine, and NULL */
	tui_inspect_free(NULL);
}

/* Text that bypassed the probe's sanitiser still cannot reach the screen
 * raw; labels line up. */
static void test_text_is_safe_and_aligned(void **state)
{
	const char *head = "Session\nid            ses_x\n";
	struct fix x;
	struct strbuf sb = STRBUF_INIT;
	const char *s;

	(void)state;
	fix_init(&x, false);
	add_sess(x.r, "ses_x", "t", "p", NULL, NOW);
	free(x.r->sessions[0].title);
	x.r->sessions[0].title = xstrdup("evil \x1b]0;pwn\x07title\x1b[31m\tred\r\n\x9b"
	                                 "2J");
	fix_open(&x, "ses_x", 0);
	x.src.ssh_options = "hostname \x1b[2Jx\n";
	fix_rebuild(&x);
	assert_string_equal(val(&x.in, "title"), "evil title red  \xef\xbf\xbd"
	                                         "2J");
	tui_inspect_text(&x.in, &sb);
	for (s = strbuf_str(&sb); *s; s++)
		assert_true((unsigned char)*s >= 0x20 || *s == '\n');
	s = strbuf_str(&sb);
	assert_true(!strncmp(s, head, strlen(head)));
	assert_non_null(strstr(s, "\n\nHost\nhost          web\n"));
	assert_non_null(strstr(s, "\naddress       x\n"));
	assert_int_equal(tui_inspect_label_width(&x.in), strlen("last message"));
	strbuf_free(&sb);
	fix_free(&x);
}

static void test_more_row(void **state)
{
	struct fix x;

	(void)state;
	fix_init(&x, false);
	add_sess(x.r, "s1", "t", "p", NULL, 3);
	add_sess(x.r, "s2", "t", "p", NULL, 2);
	add_sess(x.r, "s3", "t", "p", NULL, 1);
	x.f.src.max_display = 1;
	fix_open(&x, NULL, 3);
	assert_int_equal(x.src.item->kind, TUI_TREE_MORE);
	assert_string_equal(val(&x.in, "hidden"), "2 root sessions past sessions.max_display");
	assert_string_equal(val(&x.in, "host"), "web");
	fix_free(&x);
}

static void test_ssh_options(void **state)
{
	struct disc_sshcfg *cfg = NULL;
	const char *path = put_file("config", "Host web\n"
	                                      "  HostName 10.0.0.1\n"
	                                      "  User dev\n"
	                                      "  Port 2201\n"
	                                      "  ProxyJump bastion\n"
	                                      "  IdentityFile /k/a\n"
	                                      "  IdentityFile /k/b\n"
	                                      "  UserKnownHostsFile /k/h1 /k/h2\n"
	                                      "  StrictHostKeyChecking accept-new\n"
	                                      "  Ciphers aes128-ctr\n");
	const char *want = "hostname 10.0.0.1\nuser dev\nport 2201\nproxyjump bastion\n";
	char *s;

	(void)state;
	assert_int_equal(disc_sshcfg_load(path, &cfg), ERR_OK);
	s = tui_inspect_ssh_options(cfg, "web");
	assert_non_null(s);
	assert_true(!strncmp(s, want, strlen(want)));
	assert_non_null(strstr(s, "\nidentityfile /k/a\nidentityfile /k/b\n"));
	assert_non_null(strstr(s, "\nstricthostkeychecking accept-new\n"));
	assert_non_null(strstr(s, "\nuserknownhostsfile /k/h1 /k/h2\n"));
	assert_null(strstr(s, "ciphers"));
	assert_null(strstr(s, "proxycommand")); /* ProxyJump, not a command */
	free(s);
	assert_null(tui_inspect_ssh_options(cfg, "-bad"));
	disc_sshcfg_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_session),
	    cmocka_unit_test(test_session_unknowns),
	    cmocka_unit_test(test_session_busy),
	    cmocka_unit_test(test_host_in_error),
	    cmocka_unit_test(test_host_without_result),
	    cmocka_unit_test(test_project),
	    cmocka_unit_test(test_group),
	    cmocka_unit_test(test_nothing_selected),
	    cmocka_unit_test(test_text_is_safe_and_aligned),
	    cmocka_unit_test(test_more_row),
	    cmocka_unit_test(test_ssh_options),
	};

	/* times show in local time: make it UTC */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, setup, teardown);
}

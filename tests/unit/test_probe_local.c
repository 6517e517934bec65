/* The probe script run for real (probe_local) on real OpenCode data.
 *
 * Data: the fixtures in tests/fixtures/ (opencode-1.18.db, opencode-1.2.db,
 * opencode-1.1-storage/) when they exist, else data made once by the real
 * CLI (tests/unit/probe_local_mkdata.sh, kept in
 * $OPENCODE_CACHE/probe-local-data/VERSION). Every test works on a private
 * copy in a temporary HOME. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe/probe_local.h"
#include "probe/probe_model.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/xmem.h"

extern char **environ;

#define TIMEOUT_MS 60000
/* ctest stops a unit test after 120 s: past this the slow extras give way */
#define BUDGET_MS 75000

static int64_t suite_start;

struct dataset {
	const char *ver;
	const char *fixture; /* under tests/fixtures */
	bool json;           /* <=1.1 JSON storage */
	bool generated;      /* made by probe_local_mkdata.sh, not a fixture */
	char *tmp;           /* private temporary folder */
	char *home;
	char *data; /* $XDG_DATA_HOME/opencode */
	char **ids; /* the sessions the data holds, read independently */
	size_t nids;
	pid_t groups[4]; /* process groups a test started, killed at teardown */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True (and says so) when the suite has used up its time budget. */
static bool over_budget(const char *what)
{
	if (now_ms() - suite_start < BUDGET_MS)
		return false;
	print_message("%s: skipped, over the time budget (a loaded machine)\n", what);
	return true;
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int rc;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	rc = system(cmd);
	free(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void add_id(struct dataset *d, const char *id)
{
	d->ids = xrealloc(d->ids, d->nids + 1, sizeof(char *));
	d->ids[d->nids++] = xstrdup(id);
}

static void read_db_ids(struct dataset *d)
{
	char *path = xasprintf("%s/opencode.db", d->data);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM session", -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		add_id(d, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
}

static void read_json_ids(struct dataset *d)
{
	char *pat = xasprintf("%s/storage/session/*/*.json", d->data);
	glob_t g;

	memset(&g, 0, sizeof(g));
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char *base = strrchr(g.gl_pathv[i], '/') + 1;
			char *id = xstrndup(base, strlen(base) - 5);

			add_id(d, id);
			free(id);
		}
	}
	globfree(&g);
	free(pat);
}

/* Copies a fixture; tries again once, in case tests/fixtures/regen.sh is
 * rewriting it at this moment. */
static void copy_fixture(struct dataset *d, const char *fix)
{
	/* the storage fixture folder is storage/ itself, or holds it */
	char *inner = xasprintf("%s/storage", fix);
	const char *from = d->json && exists(inner) ? inner : fix;
	int rc = 1;

	for (int i = 0; i < 2 && rc != 0; i++) {
		if (i)
			sleep(3);
		if (d->json)
			rc = sh("rm -rf '%s/storage' && cp -R '%s' '%s/storage'", d->data, from,
			        d->data);
		else
			rc = sh("cp '%s' '%s/opencode.db'", from, d->data);
	}
	assert_int_equal(rc, 0);
	free(inner);
}

/* Data made by the real CLI, once, kept next to the CLI installs so that
 * every build folder shares it. */
static int copy_generated(struct dataset *d, const char *src, const char *store)
{
	char *gen = xasprintf("%s/probe-local-data/%s", store, d->ver);
	char *ok = xasprintf("%s/ok", gen);
	int rc = 0;

	if (!exists(ok)) {
		print_message("making OpenCode %s data with the real CLI in %s\n", d->ver, gen);
		sh("mkdir -p '%s/probe-local-data'", store);
		if (sh("sh '%s/tests/unit/probe_local_mkdata.sh' '%s' '%s' >'%s.log' 2>&1", src,
		       d->ver, gen, gen) != 0 ||
		    !exists(ok))
			rc = -1;
	}
	if (rc == 0)
		assert_int_equal(sh("cp -R '%s/home/.local/share/opencode/.' '%s/'", gen, d->data),
		                 0);
	d->generated = rc == 0;
	free(ok);
	free(gen);
	return rc;
}

/* Copies the data of d into a fresh temporary HOME and lists its sessions
 * independently of the probe. Returns 0, or -1 when no data can be had
 * here (the test is then skipped). */
static int dataset_setup(struct dataset *d)
{
	const char *src = env_or("CODEFLEET_SRC", "..");
	const char *store = env_or("OPENCODE_CACHE", env_or("CODEFLEET_BUILD", "/tmp"));
	char tmpl[] = "/tmp/cf-probe-local.XXXXXX";
	char *fix = xasprintf("%s/tests/fixtures/%s", src, d->fixture);
	int rc = 0;

	assert_non_null(mkdtemp(tmpl));
	d->tmp = xstrdup(tmpl);
	d->home = xasprintf("%s/home", d->tmp);
	d->data = xasprintf("%s/home/.local/share/opencode", d->tmp);
	assert_int_equal(sh("mkdir -p '%s'", d->data), 0);
	/* PROBE_LOCAL_DATA=generated uses the CLI-made data even with fixtures */
	if (exists(fix) && strcmp(env_or("PROBE_LOCAL_DATA", ""), "generated") != 0)
		copy_fixture(d, fix);
	else
		rc = copy_generated(d, src, store);
	free(fix);
	if (rc != 0)
		return -1;
	if (d->json)
		read_json_ids(d);
	else
		read_db_ids(d);
	return d->nids > 0 ? 0 : -1;
}

static void stop_group(pid_t pid);

static void dataset_teardown(struct dataset *d)
{
	for (int i = 0; i < 4; i++) {
		stop_group(d->groups[i]);
		d->groups[i] = 0;
	}
	if (d->tmp)
		sh("rm -rf '%s'", d->tmp);
	for (size_t i = 0; i < d->nids; i++)
		free(d->ids[i]);
	free(d->ids);
	free(d->tmp);
	free(d->home);
	free(d->data);
	d->ids = NULL;
	d->nids = 0;
	d->tmp = d->home = d->data = NULL;
}

/* The environment the script inherits: this dataset's HOME, and the
 * matching opencode first on PATH. */
static void use_env(const struct dataset *d)
{
	const char *cache = env_or("OPENCODE_CACHE", "/nonexistent");
	char *path =
	    xasprintf("%s/%s/node_modules/.bin:/usr/local/bin:/usr/bin:/bin", cache, d->ver);
	char *xdg = xasprintf("%s/.local/share", d->home);

	setenv("HOME", d->home, 1);
	setenv("XDG_DATA_HOME", xdg, 1);
	setenv("PATH", path, 1);
	unsetenv("OPENCODE_DB");
	unsetenv("CODEFLEET_PROBE_METHOD");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_CACHE_HOME");
	free(path);
	free(xdg);
}

static struct probe_local *start(const char *shell)
{
	struct probe_local_opts o = {shell, NULL, 0, NULL, 0};
	struct probe_local *pl = NULL;

	if (probe_local_start(&pl, &o, TIMEOUT_MS) != ERR_OK)
		fail_msg("start: %s", err_text());
	return pl;
}

static struct probe_result *probe(struct probe_local *pl, const char *token, const char *method)
{
	struct probe_result *r = probe_result_new();

	if (probe_local_probe(pl, token, method, TIMEOUT_MS, r) != ERR_OK)
		fail_msg("probe (method %s): %s", method ? method : "auto", err_text());
	return r;
}

/* Every session of the data is in r, each with its project. */
static void expect_all_sessions(const struct dataset *d, const struct probe_result *r)
{
	for (size_t i = 0; i < d->nids; i++) {
		const struct probe_session *s = probe_result_find_session(r, d->ids[i]);

		if (!s)
			fail_msg("session %s missing (method %s)", d->ids[i],
			         probe_method_name(r->method));
		assert_non_null(probe_result_find_project(r, s->project_id));
		assert_non_null(s->project_worktree);
		assert_non_null(strchr(s->directory, '/'));
		assert_null(strchr(s->title, '\x1b'));
		if (strncmp(s->title, "evil", 4) == 0)
			assert_string_equal(s->title, "evil title red");
		if (strncmp(s->title, "beta: \"quoted\"", 14) == 0)
			assert_string_equal(s->title, "beta: \"quoted\" 'single' tab here next "
			                              "line 🚀 ünïcødé 日本 red");
	}
	assert_int_equal(r->nsessions, d->nids);
}

/* Compares r with the counts regen.sh wrote for a fixture:
 * "sessions root archived children projects". */
static void expect_fixture_counts(const struct dataset *d, const struct probe_result *r)
{
	const char *src = env_or("CODEFLEET_SRC", "..");
	char *path = xasprintf("%s/tests/fixtures/opencode-fixtures.env", src);
	char *key = xasprintf("OPENCODE_%s_COUNTS=", d->json            ? "1_1"
	                                             : d->ver[2] == '1' ? "1_18"
	                                                                : "1_2");
	FILE *f = fopen(path, "r");
	char line[256];
	long want[5] = {-1, -1, -1, -1, -1};
	long got[5] = {(long)r->nsessions, 0, 0, 0, (long)r->nprojects};

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, key, strlen(key)) == 0)
				sscanf(line + strlen(key), "\"%ld %ld %ld %ld %ld", &want[0],
				       &want[1], &want[2], &want[3], &want[4]);
		}
		fclose(f);
	}
	free(path);
	free(key);
	if (want[0] < 0)
		return;
	for (size_t i = 0; i < r->nsessions; i++) {
		got[1] += r->sessions[i].parent_id == NULL;
		got[2] += r->sessions[i].archived != 0;
		got[3] += r->sessions[i].parent_id != NULL;
	}
	for (int i = 0; i < 5; i++)
		if (got[i] != want[i])
			fail_msg("fixture count %d: got %ld, want %ld", i, got[i], want[i]);
}

static int setup_118(void **state)
{
	static struct dataset d = {.ver = "1.18.33", .fixture = "opencode-1.18.db"};

	*state = &d;
	return 0;
}

static int setup_12(void **state)
{
	static struct dataset d = {.ver = "1.2.27", .fixture = "opencode-1.2.db"};

	*state = &d;
	return 0;
}

static int setup_11(void **state)
{
	static struct dataset d = {
	    .ver = "1.1.65", .fixture = "opencode-1.1-storage", .json = true};

	*state = &d;
	return 0;
}

static int teardown_ds(void **state)
{
	dataset_teardown(*state);
	return 0;
}

static void ds_begin(struct dataset *d)
{
	if (dataset_setup(d) != 0) {
		print_message("no OpenCode %s data here (make deps; node): skipped\n", d->ver);
		skip();
	}
	use_env(d);
}

static void test_all_sessions(void **state)
{
	struct dataset *d = *state;
	struct probe_local *pl;
	struct probe_result *r;

	ds_begin(d);
	pl = start(NULL);
	r = probe(pl, NULL, NULL);
	assert_int_equal(r->state, PROBE_HOST_OK);
	assert_int_equal(r->method, d->json ? PROBE_METHOD_JSON_FILES : PROBE_METHOD_SQLITE3);
	assert_string_equal(r->opencode_version, d->ver);
	assert_non_null(r->token);
	assert_string_equal(r->home, d->home); /* the script's own $HOME */
	expect_all_sessions(d, r);
	if (!d->generated)
		expect_fixture_counts(d, r);
	probe_result_free(r);
	probe_local_free(pl);
}

/* Changes one session's title behind the probe's back. */
static void change_data(const struct dataset *d)
{
	if (d->json) {
		char *pat = xasprintf("%s/storage/session/*/%s.json", d->data, d->ids[0]);

		assert_int_equal(sh("f=$(ls %s) && sed 's/\"title\": \".*\"/\"title\": \"changed "
		                    "title\"/' \"$f\" >\"$f.new\" && mv \"$f.new\" \"$f\"",
		                    pat),
		                 0);
		free(pat);
		return;
	}
	char *path = xasprintf("%s/opencode.db", d->data);
	char *sql = xasprintf("UPDATE session SET title = 'changed title', "
	                      "time_updated = time_updated + 1 WHERE id = '%s'",
	                      d->ids[0]);
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(sql);
	free(path);
}

/* Probes until two answers in a row share a token: other OpenCode
 * processes of this user (other tests) come and go, and they are part of
 * the token. Returns the last full result; *unchanged the short one. */
static struct probe_result *settle(struct probe_local *pl, struct probe_result **unchanged)
{
	struct probe_result *r = probe(pl, NULL, NULL);

	for (int i = 0; i < 10; i++) {
		int64_t t0 = now_ms();
		struct probe_result *r2 = probe(pl, r->token, NULL);

		if (r2->unchanged) {
			print_message("unchanged round trip: %lld ms\n",
			              (long long)(now_ms() - t0));
			*unchanged = r2;
			return r;
		}
		assert_string_not_equal(r2->token, r->token);
		probe_result_free(r);
		r = r2;
	}
	fail_msg("the change token never settled");
	return NULL;
}

static void test_change_token(void **state)
{
	struct dataset *d = *state;
	struct probe_local *pl;
	struct probe_result *r, *r2 = NULL, *r3;

	ds_begin(d);
	pl = start(NULL);
	r = settle(pl, &r2);
	assert_false(r->unchanged);
	assert_true(r2->unchanged);
	assert_int_equal(r2->nsessions, 0);
	assert_int_equal(r2->state, PROBE_HOST_OK);
	change_data(d);
	r3 = probe(pl, r->token, NULL);
	assert_false(r3->unchanged);
	assert_string_not_equal(r3->token, r->token);
	assert_string_equal(probe_result_find_session(r3, d->ids[0])->title, "changed title");
	expect_all_sessions(d, r3);
	probe_result_free(r);
	probe_result_free(r2);
	probe_result_free(r3);
	probe_local_free(pl);
}

/* The messages of a session, counted without the probe. */
static int64_t count_messages(const struct dataset *d, const char *id)
{
	int64_t n = 0;

	if (d->json) {
		char *pat = xasprintf("%s/storage/message/%s/*.json", d->data, id);
		glob_t g;

		memset(&g, 0, sizeof(g));
		if (glob(pat, 0, NULL, &g) == 0)
			n = (int64_t)g.gl_pathc;
		globfree(&g);
		free(pat);
		return n;
	}
	char *path = xasprintf("%s/opencode.db", d->data);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM message WHERE session_id = ?",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	return n;
}

static void expect_same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* Two methods decoded the same sessions with the same details. */
static void expect_same(const struct probe_result *a, const struct probe_result *b)
{
	assert_int_equal(a->nsessions, b->nsessions);
	assert_int_equal(a->nprojects, b->nprojects);
	for (size_t i = 0; i < a->nsessions; i++) {
		const struct probe_session *x = &a->sessions[i];
		const struct probe_session *y = probe_result_find_session(b, x->id);

		assert_non_null(y);
		expect_same_str(x->title, y->title);
		expect_same_str(x->directory, y->directory);
		expect_same_str(x->project_id, y->project_id);
		expect_same_str(x->project_worktree, y->project_worktree);
		expect_same_str(x->parent_id, y->parent_id);
		expect_same_str(x->agent, y->agent);
		expect_same_str(x->model, y->model);
		assert_int_equal(x->created, y->created);
		assert_int_equal(x->updated, y->updated);
		assert_int_equal(x->archived, y->archived);
		assert_int_equal(x->messages, y->messages);
		assert_int_equal(x->todos_total, y->todos_total);
		assert_int_equal(x->todos_done, y->todos_done);
		assert_int_equal(x->tokens_input, y->tokens_input);
		assert_int_equal(x->tokens_output, y->tokens_output);
		assert_true(x->cost - y->cost < 1e-9 && y->cost - x->cost < 1e-9);
		assert_int_equal(x->busy, y->busy);
		assert_int_equal(x->errored, y->errored);
	}
}

/* Gives a session three todos, two of them done. */
static void add_todos(const struct dataset *d, const char *id)
{
	char *path = xasprintf("%s/opencode.db", d->data);
	char *sql = xasprintf("INSERT INTO todo (session_id, content, status, priority, position, "
	                      "time_created, time_updated) VALUES "
	                      "('%s', 'one', 'completed', 'high', 0, 1, 1), "
	                      "('%s', 'two', 'completed', 'low', 1, 1, 1), "
	                      "('%s', 'three', 'pending', 'low', 2, 1, 1)",
	                      id, id, id);
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(sql);
	free(path);
}

/* Every way of reading the data finds the same sessions. */
static void test_methods_agree(void **state)
{
	static const char *const db_methods[] = {"sqlite3", "python3", "opencode-db", NULL};
	static const char *const json_methods[] = {"json-files", NULL};
	struct dataset *d = *state;
	struct probe_result *ref = NULL;
	struct probe_local *pl;

	ds_begin(d);
	if (!d->json)
		add_todos(d, d->ids[0]);
	pl = start(NULL);
	for (const char *const *m = d->json ? json_methods : db_methods; *m; m++) {
		if (!strcmp(*m, "opencode-db") && over_budget("opencode-db"))
			continue;
		struct probe_result *r = probe(pl, NULL, *m);

		assert_int_equal(r->state, PROBE_HOST_OK);
		assert_string_equal(probe_method_name(r->method), *m);
		expect_all_sessions(d, r);
		for (size_t i = 0; i < r->nsessions; i++)
			assert_int_equal(r->sessions[i].messages,
			                 count_messages(d, r->sessions[i].id));
		if (!d->json) {
			assert_int_equal(probe_result_find_session(r, d->ids[0])->todos_total, 3);
			assert_int_equal(probe_result_find_session(r, d->ids[0])->todos_done, 2);
		}
		if (ref)
			expect_same(ref, r);
		else
			ref = r;
		if (r != ref)
			probe_result_free(r);
	}
	probe_result_free(ref);
	/* the last resort only sees the project of $HOME: a subset */
	if (over_budget("session-list")) {
		probe_local_free(pl);
		return;
	}
	struct probe_result *r = probe(pl, NULL, "session-list");
	if (r->state == PROBE_HOST_OK) {
		assert_int_equal(r->method, PROBE_METHOD_SESSION_LIST);
		for (size_t i = 0; i < r->nsessions; i++) {
			bool known = false;

			for (size_t j = 0; j < d->nids; j++)
				known = known || !strcmp(d->ids[j], r->sessions[i].id);
			assert_true(known);
		}
	}
	probe_result_free(r);
	probe_local_free(pl);
}

/* Sessions made by the mock model: usage, agent, model, the failed one. */
static void test_session_details(void **state)
{
	struct dataset *d = *state;
	struct probe_local *pl;
	struct probe_result *r;
	int errored = 0, with_cost = 0;

	ds_begin(d);
	pl = start(NULL);
	r = probe(pl, NULL, NULL);
	for (size_t i = 0; i < r->nsessions; i++) {
		const struct probe_session *s = &r->sessions[i];

		errored += s->errored;
		if (s->cost > 0 && s->tokens_input > 0) {
			with_cost++;
			assert_non_null(s->model);
			assert_non_null(s->agent);
		}
		assert_false(s->busy);
	}
	if (d->generated) {
		/* generated data: one failed model call, three good ones */
		assert_true(errored >= 1);
		assert_true(with_cost >= 1);
	}
	probe_result_classify(r, 0, 0);
	for (size_t i = 0; i < r->nsessions; i++)
		assert_true(r->sessions[i].status != PROBE_SESSION_RUNNING);
	probe_result_free(r);
	probe_local_free(pl);
}

/* A live `opencode -s ID` process makes that session running. */
static void test_live_process(void **state)
{
	struct dataset *d = *state;
	char *fake, *script;
	struct probe_local *pl;
	struct probe_result *r;
	posix_spawnattr_t attr;
	pid_t pid;
	FILE *f;

	ds_begin(d);
	fake = xasprintf("%s/opencode", d->tmp);
	f = fopen(fake, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nsleep 60\n", f);
	fclose(f);
	chmod(fake, 0755);
	char *argv[] = {"/bin/sh", fake, "-s", d->ids[0], NULL};
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	assert_int_equal(posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, environ), 0);
	posix_spawnattr_destroy(&attr);
	usleep(200 * 1000);
	pl = start(NULL);
	r = probe(pl, NULL, NULL);
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
	bool seen = false;
	for (size_t i = 0; i < r->nprocs; i++) {
		if (r->procs[i].pid == pid) {
			seen = true;
			assert_string_equal(r->procs[i].session_arg, d->ids[0]);
			assert_true(r->procs[i].start > 0);
			assert_non_null(r->procs[i].cwd);
		}
	}
	assert_true(seen);
	probe_result_classify(r, 0, 0);
	assert_int_equal(probe_result_find_session(r, d->ids[0])->status, PROBE_SESSION_RUNNING);
	/* the process is gone: the token differs, a full reply follows */
	script = xstrdup(r->token);
	probe_result_free(r);
	r = probe(pl, script, NULL);
	assert_false(r->unchanged);
	probe_result_classify(r, 0, 0);
	assert_int_not_equal(probe_result_find_session(r, d->ids[0])->status,
	                     PROBE_SESSION_RUNNING);
	probe_result_free(r);
	probe_local_free(pl);
	free(script);
	free(fake);
}

/* dash and bash (POSIX mode through sh -s) read the same sessions. */
static void test_other_shells(void **state)
{
	static const char *const shells[] = {"/bin/dash", "/bin/bash", "/usr/bin/busybox", NULL};
	struct dataset *d = *state;

	if (over_budget("other_shells"))
		skip();
	ds_begin(d);
	for (const char *const *sh_ = shells; *sh_; sh_++) {
		if (access(*sh_, X_OK) != 0)
			continue;
		struct probe_local *pl = start(*sh_);
		struct probe_result *r = probe(pl, NULL, NULL);

		expect_all_sessions(d, r);
		probe_result_free(r);
		probe_local_free(pl);
	}
}

/* An upgraded host: 1.18 does not migrate the <=1.1 JSON files, so both are
 * read; a session in both places is taken from the database. */
static void test_upgraded_host(void **state)
{
	struct dataset *d = *state;
	struct dataset old = {.ver = "1.1.65", .fixture = "", .json = true};
	const char *src = env_or("CODEFLEET_SRC", "..");
	char *fix = xasprintf("%s/tests/fixtures/opencode-1.1-storage/storage", src);
	struct probe_local *pl;
	struct probe_result *r;

	ds_begin(d);
	if (!exists(fix)) {
		free(fix);
		print_message("no 1.1 storage fixture: skipped\n");
		skip();
	}
	assert_int_equal(sh("cp -R '%s' '%s/storage'", fix, d->data), 0);
	old.data = d->data;
	read_json_ids(&old);
	/* the same id as a database session, with another title */
	assert_int_equal(sh("mkdir -p '%s/storage/session/global' && printf '%%s' "
	                    "'{\"id\":\"%s\",\"projectID\":\"global\",\"directory\":\"/x\","
	                    "\"title\":\"from json\",\"time\":{\"created\":1,\"updated\":2}}' "
	                    ">'%s/storage/session/global/%s.json'",
	                    d->data, d->ids[0], d->data, d->ids[0]),
	                 0);
	pl = start(NULL);
	r = probe(pl, NULL, NULL);
	assert_int_equal(r->method, PROBE_METHOD_SQLITE3);
	assert_non_null(r->storage_path);
	assert_int_equal(r->nsessions, d->nids + old.nids);
	for (size_t i = 0; i < d->nids; i++)
		assert_int_equal(probe_result_find_session(r, d->ids[i])->source, PROBE_SOURCE_DB);
	assert_string_not_equal(probe_result_find_session(r, d->ids[0])->title, "from json");
	for (size_t i = 0; i < old.nids; i++) {
		const struct probe_session *s = probe_result_find_session(r, old.ids[i]);

		assert_non_null(s);
		assert_int_equal(s->source, PROBE_SOURCE_JSON_FILES);
		assert_int_equal(s->messages, count_messages(&old, s->id));
		assert_non_null(probe_result_find_project(r, s->project_id));
	}
	probe_result_free(r);
	/* a forced method reads only what it names */
	r = probe(pl, NULL, "sqlite3");
	assert_int_equal(r->nsessions, d->nids);
	probe_result_free(r);
	probe_local_free(pl);
	old.data = NULL;
	dataset_teardown(&old);
	free(fix);
}

/* A database whose data would make a reply over 16 MiB: the script says so
 * in one error line instead of sending it. */
static void test_script_output_cap(void **state)
{
	struct dataset *d = *state;
	char *path, *sql;
	struct probe_local *pl;
	struct probe_result *r;
	sqlite3 *db = NULL;

	ds_begin(d);
	path = xasprintf("%s/opencode.db", d->data);
	sql = xasprintf("UPDATE session SET title = substr(hex(zeroblob(9000000)), 1, 17000000) "
	                "WHERE id = '%s'",
	                d->ids[0]);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	pl = start(NULL);
	r = probe(pl, NULL, NULL);
	assert_int_equal(r->state, PROBE_HOST_ERROR);
	assert_non_null(strstr(r->reason, "larger than 16777216"));
	assert_int_equal(r->nsessions, 0);
	probe_result_free(r);
	probe_local_free(pl);
	free(sql);
	free(path);
}

/* Starts argv in its own process group, in dir, output to log. */
static pid_t spawn_in(const char *dir, char *const argv[], const char *log)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	pid_t pid = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	if (posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ) != 0)
		pid = -1;
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static void stop_group(pid_t pid)
{
	if (pid > 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* The session whose directory is dir, or NULL. */
static const struct probe_session *session_in(const struct probe_result *r, const char *dir)
{
	for (size_t i = 0; i < r->nsessions; i++)
		if (!strcmp(r->sessions[i].directory, dir))
			return &r->sessions[i];
	return NULL;
}

static int read_port(const char *file, int ms)
{
	for (int i = 0; i < ms / 50; i++) {
		FILE *f = fopen(file, "r");
		int port = 0;

		if (f) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
		if (port > 0)
			return port;
		usleep(50 * 1000);
	}
	return 0;
}

static void write_mock_config(const struct dataset *d, int port)
{
	char *dir = xasprintf("%s/.config/opencode", d->home);
	char *file = xasprintf("%s/opencode.json", dir);
	FILE *f;

	assert_int_equal(sh("mkdir -p '%s'", dir), 0);
	f = fopen(file, "w");
	assert_non_null(f);
	fprintf(f,
	        "{\"autoupdate\": false, \"share\": \"disabled\", \"model\": \"mock/mock-1\","
	        " \"small_model\": \"mock/mock-1\", \"provider\": {\"mock\": {"
	        "\"npm\": \"@ai-sdk/openai-compatible\", \"name\": \"Mock\", \"options\": "
	        "{\"baseURL\": \"http://127.0.0.1:%d/v1\", \"apiKey\": \"dummy\"}, "
	        "\"models\": {\"mock-1\": {\"name\": \"Mock One\"}}}}}\n",
	        port);
	fclose(f);
	free(file);
	free(dir);
}

/* Probes until the session in dir is busy (at most ~60 s). */
static struct probe_result *wait_busy(struct probe_local *pl, const char *dir)
{
	for (int i = 0; i < 90 && now_ms() - suite_start < BUDGET_MS + 25000; i++) {
		struct probe_result *r = probe(pl, NULL, NULL);
		const struct probe_session *s = session_in(r, dir);

		if (getenv("PROBE_LOCAL_DEBUG"))
			print_message(
			    "%d: %zu sessions, first %s, in dir: %s busy %d msgs %lld\n", i,
			    r->nsessions, r->nsessions ? r->sessions[0].directory : "-",
			    s ? s->id : "-", s ? s->busy : -1, s ? (long long)s->messages : -1LL);
		if (s && s->busy)
			return r;
		probe_result_free(r);
		usleep(500 * 1000);
	}
	return NULL;
}

/* A real session kept busy: `opencode run` waiting on a slow model reply is
 * running; once the process is gone, the unfinished message alone is not.
 * OpenCode fetches its provider package on first use: the cache is kept in
 * $OPENCODE_CACHE/probe-local-data, and a host that cannot fetch it skips. */
static void test_running_session(void **state)
{
	struct dataset *d = *state;
	char *server = xasprintf("%s/tests/fleet/model_server.js", env_or("CODEFLEET_SRC", ".."));
	char *cache =
	    xasprintf("%s/probe-local-data/cache-%s",
	              env_or("OPENCODE_CACHE", env_or("CODEFLEET_BUILD", "/tmp")), d->ver);
	char *portf, *dir, *cfg, *mlog, *rlog, *oldpwd;
	struct probe_local *pl;
	struct probe_result *r;
	int port;

	if (!exists(server) || sh("command -v node >/dev/null") != 0 ||
	    over_budget("running_session")) {
		free(server);
		free(cache);
		print_message("running_session: skipped\n");
		skip();
	}
	ds_begin(d);
	portf = xasprintf("%s/port", d->tmp);
	dir = xasprintf("%s/proj/busy", d->home);
	cfg = xasprintf("%s/.config", d->home);
	mlog = xasprintf("%s/model.log", d->tmp);
	rlog = xasprintf("%s/run.log", d->tmp);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	setenv("XDG_CACHE_HOME", cache, 1);
	setenv("OPENCODE_DISABLE_AUTOUPDATE", "1", 1);
	setenv("OPENCODE_DISABLE_MODELS_FETCH", "1", 1);
	assert_int_equal(sh("mkdir -p '%s' '%s'", dir, cache), 0);
	char *msrv[] = {"node",      server,   "--port",       "0",   "--port-file", portf,
	                "--slow-ms", "120000", "--trickle-ms", "300", NULL};
	d->groups[0] = spawn_in(d->tmp, msrv, mlog);
	assert_true(d->groups[0] > 0);
	port = read_port(portf, 10000);
	assert_true(port > 0);
	write_mock_config(d, port);
	char *run[] = {"opencode", "run", "--print-logs", "please be SLOW about it", NULL};
	oldpwd = xstrdup(getenv("PWD"));
	setenv("PWD", dir, 1); /* opencode takes the session's directory from $PWD */
	d->groups[1] = spawn_in(dir, run, rlog);
	if (oldpwd)
		setenv("PWD", oldpwd, 1);
	free(oldpwd);
	assert_true(d->groups[1] > 0);
	pl = start(NULL);
	r = wait_busy(pl, dir);
	if (!r) {
		r = probe(pl, NULL, NULL);
		bool made = session_in(r, dir) != NULL;

		probe_result_free(r);
		probe_local_free(pl);
		sh("tail -3 '%s' | cut -c1-300", rlog);
		free(server);
		free(cache);
		free(portf);
		free(dir);
		free(cfg);
		free(mlog);
		free(rlog);
		if (made && now_ms() - suite_start < BUDGET_MS + 25000)
			fail_msg("a session ran but was never seen busy");
		print_message("opencode run made no session here (offline?): skipped\n");
		skip();
	}
	probe_result_classify(r, 0, 0);
	assert_int_equal(session_in(r, dir)->status, PROBE_SESSION_RUNNING);
	assert_true(session_in(r, dir)->live); /* matched by the process's $PWD */
	probe_result_free(r);
	stop_group(d->groups[1]);
	d->groups[1] = 0;
	r = probe(pl, NULL, NULL);
	probe_result_classify(r, 0, 0);
	assert_true(session_in(r, dir)->busy);
	assert_int_not_equal(session_in(r, dir)->status, PROBE_SESSION_RUNNING);
	probe_result_free(r);
	probe_local_free(pl);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_CACHE_HOME");
	free(mlog);
	free(rlog);
	free(cfg);
	free(dir);
	free(portf);
	free(cache);
	free(server);
}

/* A busybox userland: its sh, awk, find, stat, sed, grep, head... first on
 * PATH (sqlite3 and what busybox lacks come after). */
static void test_busybox_userland(void **state)
{
	struct dataset *d = *state;
	char *bb, *path, *shell;
	struct probe_local *pl;
	struct probe_result *r;

	if (access("/usr/bin/busybox", X_OK) != 0) {
		print_message("no /usr/bin/busybox: skipped\n");
		skip();
	}
	if (over_budget("busybox_userland"))
		skip();
	ds_begin(d);
	bb = xasprintf("%s/bb", d->tmp);
	assert_int_equal(sh("mkdir -p '%s' && cd '%s' && for a in $(/usr/bin/busybox --list); do "
	                    "ln -s /usr/bin/busybox \"$a\"; done",
	                    bb, bb),
	                 0);
	path = xasprintf("%s:%s", bb, getenv("PATH"));
	setenv("PATH", path, 1);
	shell = xasprintf("%s/sh", bb);
	pl = start(shell);
	r = probe(pl, NULL, NULL);
	assert_int_equal(r->state, PROBE_HOST_OK);
	expect_all_sessions(d, r);
	probe_result_free(r);
	r = probe(pl, NULL, d->json ? "json-files" : "python3");
	expect_all_sessions(d, r);
	probe_result_free(r);
	probe_local_free(pl);
	free(shell);
	free(path);
	free(bb);
}

/* The host's opencode_path override, in a folder whose name needs quoting,
 * given at start (sh -s -- PATH) and with a `set` request. */
static void test_opencode_path_override(void **state)
{
	struct dataset *d = *state;
	char *odd, *bin, *target;
	struct probe_local_opts o = {NULL, NULL, 0, NULL, 0};
	struct probe_local *pl = NULL;
	struct probe_result *r;

	if (over_budget("opencode_path_override"))
		skip();
	ds_begin(d);
	odd = xasprintf("%s/my 'odd' $(dir) \"x\"", d->tmp);
	bin = xasprintf("%s/opencode", odd);
	target =
	    xasprintf("%s/%s/node_modules/.bin/opencode", env_or("OPENCODE_CACHE", "/x"), d->ver);
	assert_int_equal(mkdir(odd, 0755), 0);
	assert_int_equal(symlink(target, bin), 0);
	setenv("PATH", "/usr/bin:/bin", 1);
	o.opencode_path = bin;
	assert_int_equal(probe_local_start(&pl, &o, TIMEOUT_MS), ERR_OK);
	r = probe(pl, NULL, NULL);
	assert_string_equal(r->opencode_path, bin);
	assert_string_equal(r->opencode_version, d->ver);
	probe_result_free(r);
	probe_local_free(pl);

	pl = start(NULL);
	r = probe(pl, NULL, NULL);
	assert_null(r->opencode_path);
	expect_all_sessions(d, r); /* sqlite3 needs no opencode */
	probe_result_free(r);
	assert_int_equal(probe_local_set_opencode_path(pl, odd, TIMEOUT_MS), ERR_OK);
	r = probe(pl, NULL, "opencode-db");
	assert_string_equal(r->opencode_path, bin);
	expect_all_sessions(d, r);
	probe_result_free(r);
	assert_int_equal(probe_local_set_opencode_path(pl, "/a\nprobe", TIMEOUT_MS), ERR_USAGE);
	probe_local_free(pl);
	free(target);
	free(bin);
	free(odd);
}

static void test_no_opencode(void **state)
{
	char tmpl[] = "/tmp/cf-probe-empty.XXXXXX";
	struct probe_local *pl;
	struct probe_result *r;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	setenv("HOME", tmpl, 1);
	unsetenv("XDG_DATA_HOME");
	setenv("PATH", "/usr/bin:/bin", 1);
	pl = start(NULL);
	r = probe(pl, NULL, NULL);
	assert_int_equal(r->state, PROBE_HOST_NO_OPENCODE);
	assert_non_null(strstr(r->reason, "opencode not found"));
	probe_result_free(r);
	probe_local_free(pl);

	/* installed but never used: ok, no sessions, and the probe left no
	 * trace (no `opencode db path`, which would create the database) */
	char *path = xasprintf("%s/1.18.33/node_modules/.bin:/usr/bin:/bin",
	                       env_or("OPENCODE_CACHE", "/nonexistent"));
	setenv("PATH", path, 1);
	free(path);
	pl = start(NULL);
	r = probe(pl, NULL, NULL);
	if (r->opencode_path) {
		assert_int_equal(r->state, PROBE_HOST_OK);
		assert_int_equal(r->method, PROBE_METHOD_NONE);
		assert_int_equal(r->nsessions, 0);
		assert_string_equal(r->opencode_version, "1.18.33");
		if (sh("[ -z \"$(ls -A '%s')\" ]", tmpl) != 0) {
			sh("find '%s' | head -5", tmpl);
			fail_msg("the probe left files in an unused HOME");
		}
	}
	probe_result_free(r);
	probe_local_free(pl);
	sh("rm -rf '%s'", tmpl);
}

static struct probe_local *start_script(const char *text, size_t max_reply, int timeout_ms, int *rc)
{
	struct probe_local_opts o = {NULL, text, strlen(text), NULL, max_reply};
	struct probe_local *pl = NULL;

	*rc = probe_local_start(&pl, &o, timeout_ms);
	return pl;
}

/* Number of processes of process group pgid that are not zombies. */
static int group_alive(pid_t pgid)
{
	glob_t g;
	int n = 0;

	memset(&g, 0, sizeof(g));
	if (glob("/proc/[0-9]*/stat", 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		char buf[1024], state = 0;
		long grp = 0;
		size_t len;
		char *rp;

		if (!f)
			continue;
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		rp = strrchr(buf, ')');
		if (rp && sscanf(rp + 1, " %c %*d %ld", &state, &grp) == 2 && grp == pgid &&
		    state != 'Z')
			n++;
	}
	globfree(&g);
	return n;
}

/* A script that stalls is killed at the deadline, with its children. */
static void test_deadline_kills_stalled_script(void **state)
{
	const char *text =
	    "{ echo 'codefleet-probe 1 ready'; while read -r l; do sleep 60; done; }";
	struct probe_local *pl;
	char *reply = NULL;
	size_t len = 0;
	int64_t t0;
	pid_t pid;
	int rc;

	(void)state;
	pl = start_script(text, 0, 5000, &rc);
	assert_int_equal(rc, ERR_OK);
	pid = probe_local_pid(pl);
	assert_true(pid > 0);
	assert_true(group_alive(pid) >= 1);
	t0 = now_ms();
	rc = probe_local_exchange(pl, NULL, NULL, 700, &reply, &len);
	assert_int_equal(rc, ERR_TIMEOUT);
	assert_true(now_ms() - t0 < 1700);
	assert_null(reply);
	assert_int_equal(probe_local_pid(pl), -1);
	/* reaped, and nothing of its process group (the sleep) is left alive;
	 * orphaned zombies are init's to reap, and some inits are slow */
	assert_int_equal(kill(pid, 0), -1);
	/* SIGKILL reaches the rest of the group asynchronously */
	for (int i = 0; i < 200 && group_alive(pid) > 0; i++)
		usleep(10 * 1000);
	assert_int_equal(group_alive(pid), 0);
	/* a dead probe fails at once */
	t0 = now_ms();
	assert_int_not_equal(probe_local_exchange(pl, NULL, NULL, 5000, &reply, &len), ERR_OK);
	assert_true(now_ms() - t0 < 500);
	probe_local_free(pl);
}

static void test_start_timeout(void **state)
{
	int64_t t0 = now_ms();
	int rc;
	struct probe_local *pl = start_script("sleep 60", 0, 500, &rc);

	(void)state;
	assert_int_equal(rc, ERR_TIMEOUT);
	assert_null(pl);
	assert_true(now_ms() - t0 < 1500);
}

static void test_reply_cap(void **state)
{
	const char *text = "{ echo 'codefleet-probe 1 ready'; read -r l; "
	                   "while :; do echo 0123456789abcdef0123456789abcdef; done; }";
	struct probe_local *pl;
	char *reply = NULL;
	size_t len = 0;
	int rc;

	(void)state;
	pl = start_script(text, 1 << 20, 5000, &rc);
	assert_int_equal(rc, ERR_OK);
	rc = probe_local_exchange(pl, NULL, NULL, 20000, &reply, &len);
	assert_int_equal(rc, ERR_PROTO);
	assert_non_null(strstr(err_text(), "longer"));
	assert_int_equal(probe_local_pid(pl), -1);
	probe_local_free(pl);
}

/* A descriptor the caller left open without close-on-exec does not reach
 * the script. */
static void test_no_fd_leak(void **state)
{
	const char *text = "{ echo 'codefleet-probe 1 ready'; while read -r c m t; do "
	                   "if [ -e /proc/$$/fd/77 ]; then echo \"$m leak\"; fi; "
	                   "if [ -e /proc/$$/fd/1 ]; then echo \"$m has-stdout\"; fi; "
	                   "echo \"$m end ok\"; done; }";
	struct probe_local *pl;
	char *reply = NULL;
	size_t len = 0;
	int rc;

	(void)state;
	if (access("/proc/self/fd", F_OK) != 0)
		skip();
	assert_int_equal(dup2(2, 77), 77);
	pl = start_script(text, 0, 5000, &rc);
	close(77);
	assert_int_equal(rc, ERR_OK);
	assert_int_equal(probe_local_exchange(pl, NULL, NULL, 5000, &reply, &len), ERR_OK);
	assert_non_null(strstr(reply, "has-stdout"));
	assert_null(strstr(reply, "leak"));
	free(reply);
	probe_local_free(pl);
}

static void test_script_dies(void **state)
{
	struct probe_local *pl;
	char *reply = NULL;
	size_t len = 0;
	int rc;

	(void)state;
	pl = start_script("{ echo 'codefleet-probe 1 ready'; read -r l; exit 3; }", 0, 5000, &rc);
	assert_int_equal(rc, ERR_OK);
	assert_int_equal(probe_local_exchange(pl, NULL, NULL, 5000, &reply, &len), ERR_IO);
	probe_local_free(pl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    /* no data needed */
	    cmocka_unit_test(test_deadline_kills_stalled_script),
	    cmocka_unit_test(test_start_timeout),
	    cmocka_unit_test(test_reply_cap),
	    cmocka_unit_test(test_script_dies),
	    cmocka_unit_test(test_no_fd_leak),
	    cmocka_unit_test(test_no_opencode),
	    /* the core, on each storage format */
	    cmocka_unit_test_setup_teardown(test_all_sessions, setup_118, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_all_sessions, setup_12, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_all_sessions, setup_11, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_change_token, setup_118, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_change_token, setup_12, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_change_token, setup_11, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_session_details, setup_118, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_session_details, setup_12, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_session_details, setup_11, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_live_process, setup_118, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_upgraded_host, setup_118, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_script_output_cap, setup_118, teardown_ds),
	    /* the ones that run the opencode CLI (about 1 s a call) come last and
	     * give way when the machine is too loaded for the ctest time limit */
	    cmocka_unit_test_setup_teardown(test_methods_agree, setup_118, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_methods_agree, setup_12, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_methods_agree, setup_11, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_opencode_path_override, setup_12, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_running_session, setup_118, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_other_shells, setup_12, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_other_shells, setup_11, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_busybox_userland, setup_118, teardown_ds),
	    cmocka_unit_test_setup_teardown(test_busybox_userland, setup_11, teardown_ds),
	};
	suite_start = now_ms();
	/* e.g. PROBE_LOCAL_FILTER='test_deadline*' to run a few while developing */
	if (getenv("PROBE_LOCAL_FILTER"))
		cmocka_set_test_filter(getenv("PROBE_LOCAL_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* cache: the rows: round trip, host order, the default path, one
 * transaction per put, eviction, and the time to load a full cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache_testlib.h"

/* ---- round trip ---------------------------------------------------------- */

static void test_round_trip(void **state)
{
	struct scratch *s = *state;
	unsigned char *reply = make_reply(BIG, 1);
	struct cache_entry e = entry("alpha", reply, BIG, 1000);
	struct cache_entry *got = NULL;
	struct cache *c = cache_open(s->path);
	sqlite3 *db = NULL;

	assert_null(cache_warning(c));
	assert_false(cache_in_memory(c));
	assert_string_equal(cache_path(c), s->path);
	e.reason = "fine";
	e.seen_at = 900;
	put_ok(c, &e);
	assert_int_equal(cache_get(c, "alpha", &got), ERR_OK);
	assert_non_null(got);
	assert_string_equal(got->host, "alpha");
	assert_int_equal(got->reply_len, BIG);
	assert_memory_equal(got->reply, reply, BIG);
	assert_string_equal(got->token, "tok-1");
	assert_string_equal(got->method, "sqlite3");
	assert_string_equal(got->opencode_version, "1.18.33");
	assert_int_equal(got->probed_at, 1000);
	assert_int_equal(got->latency_ms, 42);
	assert_string_equal(got->state, "ok");
	assert_string_equal(got->reason, "fine");
	assert_int_equal(got->state_at, 1000);
	assert_int_equal(got->seen_at, 900);
	free(got);

	assert_int_equal(cache_get(c, "nobody", &got), ERR_OK);
	assert_null(got);

	/* An "unchanged" answer: no reply, so the stored one stays. */
	e.reply = NULL;
	e.token = "tok-2";
	e.probed_at = 2000;
	e.seen_at = 0;
	e.method = NULL;
	put_ok(c, &e);
	assert_int_equal(cache_get(c, "alpha", &got), ERR_OK);
	assert_int_equal(got->reply_len, BIG);
	assert_memory_equal(got->reply, reply, BIG);
	assert_string_equal(got->token, "tok-2");
	assert_string_equal(got->method, "");
	assert_int_equal(got->probed_at, 2000);
	assert_int_equal(got->seen_at, 900);
	free(got);

	/* A failed probe keeps the last good reply. */
	assert_int_equal(cache_set_state(c, "alpha", "offline", "connection refused", 3000),
	                 ERR_OK);
	assert_int_equal(cache_touch(c, "alpha", 3500), ERR_OK);
	assert_int_equal(cache_get(c, "alpha", &got), ERR_OK);
	assert_string_equal(got->state, "offline");
	assert_string_equal(got->reason, "connection refused");
	assert_int_equal(got->state_at, 3000);
	assert_int_equal(got->seen_at, 3500);
	assert_int_equal(got->probed_at, 2000);
	assert_memory_equal(got->reply, reply, BIG);
	free(got);

	/* A host never probed well: a state, no reply. An empty reply is not
	 * "no reply". */
	assert_int_equal(cache_set_state(c, "beta", "auth-required", "no key", 10), ERR_OK);
	assert_int_equal(cache_get(c, "beta", &got), ERR_OK);
	assert_null(got->reply);
	assert_int_equal(got->reply_len, 0);
	assert_string_equal(got->token, "");
	free(got);
	e = entry("gamma", "", 0, 20);
	put_ok(c, &e);
	assert_int_equal(cache_get(c, "gamma", &got), ERR_OK);
	assert_non_null(got->reply);
	assert_int_equal(got->reply_len, 0);
	free(got);
	assert_int_equal(cache_count(c), 3);
	assert_int_equal(cache_touch(c, "nobody", 1), ERR_OK);
	assert_int_equal(cache_count(c), 3);
	assert_int_equal(cache_remove(c, "gamma"), ERR_OK);
	assert_int_equal(cache_count(c), 2);
	e.host = NULL;
	assert_int_equal(cache_put(c, &e), ERR_IO);
	cache_close(c);

	/* It is on disk, in WAL mode, with our id and version. */
	c = cache_open(s->path);
	assert_null(cache_warning(c));
	assert_int_equal(cache_count(c), 2);
	assert_int_equal(cache_get(c, "alpha", &got), ERR_OK);
	assert_memory_equal(got->reply, reply, BIG);
	free(got);
	db = raw_open(s->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), CACHE_SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "PRAGMA application_id"), CACHE_APPLICATION_ID);
	assert_int_equal(raw_int(db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	sqlite3_close(db);
	cache_close(c);
	free(reply);
}

static void test_each_in_host_order(void **state)
{
	struct scratch *s = *state;
	struct cache *c = cache_open(s->path);
	const char *hosts[] = {"delta", "alpha", "charlie", "bravo"};
	struct collect col = {0};

	for (int i = 0; i < 4; i++) {
		struct cache_entry e = entry(hosts[i], "xyz", 3, i);

		put_ok(c, &e);
	}
	assert_int_equal(cache_each(c, collect_one, &col), ERR_OK);
	assert_int_equal(col.n, 4);
	assert_int_equal(col.bytes, 12);
	assert_string_equal(col.names[0], "alpha");
	assert_string_equal(col.names[1], "bravo");
	assert_string_equal(col.names[3], "delta");
	memset(&col, 0, sizeof(col));
	col.stop_at = 2;
	assert_int_equal(cache_each(c, collect_one, &col), 7);
	assert_int_equal(col.n, 2);
	/* The statement was reset: a full pass works again. */
	memset(&col, 0, sizeof(col));
	assert_int_equal(cache_each(c, collect_one, &col), ERR_OK);
	assert_int_equal(col.n, 4);
	cache_close(c);
}

static void test_default_path(void **state)
{
	char *old_xdg = xstrdup(getenv("XDG_CACHE_HOME"));
	char *old_home = xstrdup(getenv("HOME"));
	char *p = NULL;

	(void)state;
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("HOME", "/home/u", 1);
	p = cache_default_path();
	assert_string_equal(p, "/x/cache/codefleet/cache.db");
	free(p);
	setenv("XDG_CACHE_HOME", "relative", 1);
	p = cache_default_path();
	assert_string_equal(p, "/home/u/.cache/codefleet/cache.db");
	free(p);
	unsetenv("XDG_CACHE_HOME");
	p = cache_default_path();
	assert_string_equal(p, "/home/u/.cache/codefleet/cache.db");
	free(p);
	unsetenv("HOME");
	assert_null(cache_default_path());
	if (old_xdg)
		setenv("XDG_CACHE_HOME", old_xdg, 1);
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
}

/* ---- one transaction per put -------------------------------------------- */

static void test_failed_put_keeps_old_row(void **state)
{
	struct scratch *s = *state;
	unsigned char *old = make_reply(BIG, 1);
	unsigned char *new = make_reply(BIG, 2);
	struct cache_entry e = entry("alpha", old, BIG, 1);
	struct cache *c = cache_open(s->path);
	sqlite3 *other = NULL;
	double t0 = 0;

	put_ok(c, &e);
	/* A fault half-way through the write (a trigger that aborts it). */
	raw_exec(s->path, "CREATE TRIGGER boom BEFORE UPDATE ON cache_host"
	                  " WHEN new.token = 'boom' BEGIN SELECT RAISE(ABORT, 'injected'); END");
	e.reply = new;
	e.token = "boom";
	assert_int_equal(cache_put(c, &e), ERR_IO);
	assert_non_null(strstr(err_text(), "injected"));
	assert_row(c, "alpha", "tok-1", old, BIG);
	/* No transaction was left open: the next put works. */
	e.token = "tok-2";
	put_ok(c, &e);
	assert_row(c, "alpha", "tok-2", new, BIG);

	/* Another process holds the write lock past the busy timeout. */
	other = raw_open(s->path);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	e.reply = old;
	e.token = "tok-3";
	t0 = mono_ms();
	assert_int_equal(cache_put(c, &e), ERR_TIMEOUT);
	assert_true(mono_ms() - t0 >= 1000);
	assert_row(c, "alpha", "tok-2", new, BIG);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	put_ok(c, &e);
	assert_row(c, "alpha", "tok-3", old, BIG);
	assert_null(cache_warning(c));
	cache_close(c);
	free(old);
	free(new);
}

/* A writer killed at random moments: the row is always one whole version
 * (token gN and every reply byte N), never a mix, and the file is sound. */
static void test_crash_mid_write(void **state)
{
	struct scratch *s = *state;
	const size_t len = 2 * 1024 * 1024;
	struct cache *c = cache_open(s->path);
	struct cache_entry *got = NULL;
	unsigned char *reply = make_reply(len, 0);
	struct cache_entry e = entry("alpha", reply, len, 0);

	put_ok(c, &e);
	cache_close(c);
	for (int round = 0; round < 8; round++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			struct cache *cc = cache_open(s->path);
			char token[32];

			for (int g = 0;; g++) {
				int v = 1 + g % 250;

				memset(reply, v, len);
				snprintf(token, sizeof(token), "g%d", v);
				e.token = token;
				e.probed_at = v;
				if (cache_put(cc, &e) != ERR_OK)
					_exit(3);
			}
		}
		usleep(20000 + (useconds_t)round * 7000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		c = cache_open(s->path);
		assert_null(cache_warning(c));
		assert_int_equal(cache_get(c, "alpha", &got), ERR_OK);
		assert_int_equal(got->reply_len, len);
		{
			char want[32];
			unsigned char g = ((const unsigned char *)got->reply)[0];
			const unsigned char *r = got->reply;
			size_t bad = 0;

			snprintf(want, sizeof(want), "g%d", (int)got->probed_at);
			if (got->probed_at)
				assert_string_equal(got->token, want);
			assert_int_equal(g, got->probed_at ? (int)got->probed_at : 0);
			for (size_t i = got->probed_at ? 0 : len; i < len; i++)
				bad += r[i] != g;
			assert_int_equal(bad, 0);
		}
		free(got);
		assert_int_equal(cache_check(c), ERR_OK);
		cache_close(c);
	}
	free(reply);
}

/* ---- eviction ------------------------------------------------------------ */

static void test_evict(void **state)
{
	struct scratch *s = *state;
	const int64_t day = 86400000;
	const int64_t now = 100 * day;
	unsigned char *reply = make_reply(256 * 1024, 5);
	struct cache *c = cache_open(s->path);
	struct cache_entry e = entry("old", reply, 256 * 1024, now - 40 * day);
	sqlite3 *db = NULL;
	int64_t pages_before = 0;
	int n = -1;

	put_ok(c, &e);
	e.host = "old2";
	put_ok(c, &e);
	e.host = "seen"; /* probed long ago, looked at yesterday */
	put_ok(c, &e);
	assert_int_equal(cache_touch(c, "seen", now - day), ERR_OK);
	e.host = "tried"; /* its last probes failed, recently */
	put_ok(c, &e);
	assert_int_equal(cache_set_state(c, "tried", "offline", "refused", now - day), ERR_OK);
	e.host = "fresh";
	e.probed_at = now - day;
	put_ok(c, &e);
	db = raw_open(s->path);
	pages_before = raw_int(db, "PRAGMA page_count");

	assert_int_equal(cache_evict(c, 30 * day, now, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(cache_count(c), 3);
	{
		struct cache_entry *got = NULL;

		assert_int_equal(cache_get(c, "old", &got), ERR_OK);
		assert_null(got);
		assert_int_equal(cache_get(c, "seen", &got), ERR_OK);
		assert_non_null(got);
		free(got);
		assert_int_equal(cache_get(c, "tried", &got), ERR_OK);
		assert_non_null(got);
		free(got);
	}
	/* The space of the two 256 KB replies went back. */
	assert_true(raw_int(db, "PRAGMA page_count") < pages_before - 20);
	sqlite3_close(db);
	/* A shorter age takes the rest; nothing left to take is fine. */
	assert_int_equal(cache_evict(c, day / 2, now, &n), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(cache_evict(c, day / 2, now, NULL), ERR_OK);
	assert_int_equal(cache_count(c), 0);
	cache_close(c);
	free(reply);
}

/* ---- speed: the first frame ---------------------------------------------- */

static int keep_copy(const struct cache_entry *e, void *arg)
{
	struct cache_entry **slot = *(struct cache_entry ***)arg;

	*slot = cache_entry_dup(e);
	*(struct cache_entry ***)arg = slot + 1;
	return 0;
}

static void test_load_200_hosts_timing(void **state)
{
	struct scratch *s = *state;
	enum { HOSTS = 200 };
	unsigned char *reply = make_reply(BIG, 8);
	struct cache_entry *copies[HOSTS];
	struct cache_entry **slot = copies;
	struct cache *c = cache_open(s->path);
	struct collect col = {0};
	double t0 = mono_ms();
	double fill_ms = 0;
	double open_ms = 0;
	double each_ms = 0;
	double dup_ms = 0;
	double warm_ms = 0;
	double put_ms = 0;

	for (int i = 0; i < HOSTS; i++) {
		char name[32];
		struct cache_entry e = entry(name, reply, BIG, now_ms());

		snprintf(name, sizeof(name), "host%03d", i);
		reply[0] = (unsigned char)i;
		put_ok(c, &e);
	}
	fill_ms = mono_ms() - t0;
	cache_close(c);

	t0 = mono_ms();
	c = cache_open(s->path);
	open_ms = mono_ms() - t0;
	assert_null(cache_warning(c));
	t0 = mono_ms();
	assert_int_equal(cache_each(c, collect_one, &col), ERR_OK);
	each_ms = mono_ms() - t0;
	assert_int_equal(col.n, HOSTS);
	assert_int_equal(col.bytes, (size_t)HOSTS * BIG);
	t0 = mono_ms();
	assert_int_equal(cache_each(c, keep_copy, &slot), ERR_OK);
	dup_ms = mono_ms() - t0;
	assert_int_equal(slot - copies, HOSTS);
	for (int i = 0; i < HOSTS; i++) {
		assert_int_equal(((const unsigned char *)copies[i]->reply)[0], i);
		assert_memory_equal((const char *)copies[i]->reply + 1, reply + 1, BIG - 1);
		free(copies[i]);
	}
	memset(&col, 0, sizeof(col));
	t0 = mono_ms();
	assert_int_equal(cache_each(c, collect_one, &col), ERR_OK);
	warm_ms = mono_ms() - t0;
	t0 = mono_ms();
	for (int i = 0; i < 20; i++) {
		struct cache_entry e = entry("host007", reply, BIG, now_ms());

		put_ok(c, &e);
	}
	put_ms = (mono_ms() - t0) / 20;
	cache_close(c);
	printf("cache: %d hosts x %d KB: fill %.1f ms (%.2f ms/put), open %.2f ms, "
	       "load all %.2f ms (first), %.2f ms (again), with copies %.2f ms; "
	       "one put on a full file %.2f ms\n",
	       HOSTS, BIG / 1024, fill_ms, fill_ms / HOSTS, open_ms, each_ms, warm_ms, dup_ms,
	       put_ms);
	free(reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_round_trip),
	    T(test_each_in_host_order),
	    T(test_default_path),
	    T(test_failed_put_keeps_old_row),
	    T(test_crash_mid_write),
	    T(test_evict),
	    T(test_load_200_hosts_timing),
	};

	/* CACHE_TEST_FILTER=test_evict runs just the tests matching it. */
	if (getenv("CACHE_TEST_FILTER"))
		cmocka_set_test_filter(getenv("CACHE_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}

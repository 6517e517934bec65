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

#include "probe/cache.h"
#include "util/err.h"
#include "util/xmem.h"

#define BIG (50 * 1024)

/* Each test gets a scratch folder, removed afterwards. */
struct scratch {
	char dir[4096];
	char *path; /* dir/sub/cache.db: the folders do not exist yet */
};

static int setup(void **state)
{
	struct scratch *s = xcalloc(1, sizeof(*s));
	const char *tmp = getenv("TMPDIR");

	snprintf(s->dir, sizeof(s->dir), "%s/cache-test-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(s->dir)) {
		free(s);
		return -1;
	}
	s->path = xasprintf("%s/sub/codefleet/cache.db", s->dir);
	*state = s;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static int teardown(void **state)
{
	struct scratch *s = *state;

	chmod(s->dir, 0700);
	nftw(s->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(s->path);
	free(s);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A reply of len bytes, each (seed + i * 7) & 0xff: NULs included. */
static unsigned char *make_reply(size_t len, unsigned seed)
{
	unsigned char *b = xmalloc(len ? len : 1);

	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)(seed + i * 7);
	return b;
}

static struct cache_entry entry(const char *host, const void *reply, size_t len, int64_t t)
{
	struct cache_entry e = {
	    .host = host,
	    .reply = reply,
	    .reply_len = len,
	    .token = "tok-1",
	    .method = "sqlite3",
	    .opencode_version = "1.18.33",
	    .probed_at = t,
	    .latency_ms = 42,
	};
	return e;
}

static void put_ok(struct cache *c, const struct cache_entry *e)
{
	int rc = cache_put(c, e);

	if (rc != ERR_OK)
		fprintf(stderr, "put %s: %s\n", e->host, err_text());
	assert_int_equal(rc, ERR_OK);
}

/* Opens the file with plain SQLite, to look behind the module's back. */
static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", sql, msg);
	assert_null(msg);
	sqlite3_close(db);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n = 0;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The names in the folder of path that start with "cache.db.<tag>-" and
 * have no -wal/-shm suffix; the first one in *first (caller frees). */
static int count_aside(const char *path, const char *tag, char **first)
{
	char *dir = xstrdup(path);
	char *prefix = xasprintf("cache.db.%s-", tag);
	DIR *d = NULL;
	struct dirent *de = NULL;
	int n = 0;

	*strrchr(dir, '/') = '\0';
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		if (len > 4 && (!strcmp(de->d_name + len - 4, "-wal") ||
		                !strcmp(de->d_name + len - 4, "-shm")))
			continue;
		if (n++ == 0 && first)
			*first = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	free(prefix);
	free(dir);
	return n;
}

static void make_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *cmd = NULL;

	*strrchr(dir, '/') = '\0';
	cmd = xasprintf("mkdir -p '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
}

/* After a recovery: the file works, survives a reopen, and is sound. */
static void assert_rebuilt(const char *path)
{
	struct cache *c = cache_open(path);
	struct cache_entry *got = NULL;
	unsigned char *reply = make_reply(1000, 3);
	struct cache_entry e = entry("after", reply, 1000, 5);
	sqlite3 *db = NULL;

	assert_null(cache_warning(c));
	assert_false(cache_in_memory(c));
	put_ok(c, &e);
	cache_close(c);
	c = cache_open(path);
	assert_null(cache_warning(c));
	assert_int_equal(cache_get(c, "after", &got), ERR_OK);
	assert_non_null(got);
	assert_memory_equal(got->reply, reply, 1000);
	assert_int_equal(cache_count(c), 1);
	assert_int_equal(cache_check(c), ERR_OK);
	cache_close(c);
	db = raw_open(path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), CACHE_SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "PRAGMA application_id"), CACHE_APPLICATION_ID);
	sqlite3_close(db);
	free(got);
	free(reply);
}

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

struct collect {
	int n;
	char names[8][16];
	size_t bytes;
	int stop_at;
};

static int collect_one(const struct cache_entry *e, void *arg)
{
	struct collect *col = arg;

	if (col->n < 8)
		snprintf(col->names[col->n], sizeof(col->names[0]), "%s", e->host);
	col->bytes += e->reply_len;
	col->n++;
	return col->n == col->stop_at ? 7 : 0;
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

static void assert_row(struct cache *c, const char *host, const char *token,
                       const unsigned char *reply, size_t len)
{
	struct cache_entry *got = NULL;

	assert_int_equal(cache_get(c, host, &got), ERR_OK);
	assert_non_null(got);
	assert_string_equal(got->token, token);
	assert_int_equal(got->reply_len, len);
	assert_memory_equal(got->reply, reply, len);
	free(got);
}

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

/* ---- damaged files ------------------------------------------------------- */

/* Opens a damaged file: a warning, the file moved aside with its -wal and
 * -shm and its bytes unchanged, and a working cache in its place. */
static void check_recovered(const char *path, const char *tag, const char *content, size_t len)
{
	struct cache *c = NULL;
	char *aside = NULL;
	char *side = NULL;
	char *bytes = NULL;
	size_t n = 0;
	struct stat st;

	c = cache_open(path);
	assert_non_null(cache_warning(c));
	assert_non_null(strstr(cache_warning(c), "moved aside"));
	assert_non_null(strstr(cache_warning(c), path));
	assert_false(cache_in_memory(c));
	cache_close(c);
	assert_int_equal(count_aside(path, tag, &aside), 1);
	if (content) {
		bytes = read_file(aside, &n);
		assert_int_equal(n, len);
		assert_memory_equal(bytes, content, len);
		free(bytes);
	}
	side = xasprintf("%s-wal", aside);
	if (lstat(side, &st) == 0)
		assert_true(S_ISREG(st.st_mode));
	free(side);
	free(aside);
	assert_rebuilt(path);
}

static void test_garbage_file(void **state)
{
	struct scratch *s = *state;
	char junk[8192];
	char *wal = xasprintf("%s-wal", s->path);
	char *shm = xasprintf("%s-shm", s->path);
	char *aside = NULL;
	char *side = NULL;
	struct stat st;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 131 + 17);
	make_parent(s->path);
	write_file(s->path, junk, sizeof(junk));
	write_file(wal, "junk wal", 8);
	write_file(shm, "junk shm", 8);
	check_recovered(s->path, "corrupt", junk, sizeof(junk));
	/* The -wal and -shm went along with it. */
	assert_int_equal(count_aside(s->path, "corrupt", &aside), 1);
	side = xasprintf("%s-wal", aside);
	assert_int_equal(lstat(side, &st), 0);
	assert_int_equal(st.st_size, 8);
	free(side);
	side = xasprintf("%s-shm", aside);
	assert_int_equal(lstat(side, &st), 0);
	free(side);
	free(aside);
	free(wal);
	free(shm);
}

static void test_zero_file(void **state)
{
	struct scratch *s = *state;
	char *zeros = xcalloc(1, 65536);

	make_parent(s->path);
	write_file(s->path, zeros, 65536);
	check_recovered(s->path, "corrupt", zeros, 65536);
	free(zeros);
}

/* An empty file is a new database, not damage. */
static void test_empty_file_is_fresh(void **state)
{
	struct scratch *s = *state;

	make_parent(s->path);
	write_file(s->path, "", 0);
	assert_rebuilt(s->path);
	assert_int_equal(count_aside(s->path, "corrupt", NULL), 0);
}

static void fill(const char *path, int hosts, size_t len)
{
	struct cache *c = cache_open(path);
	unsigned char *reply = make_reply(len, 9);

	for (int i = 0; i < hosts; i++) {
		char name[32];
		struct cache_entry e = entry(name, reply, len, 1000 + i);

		snprintf(name, sizeof(name), "host%03d", i);
		put_ok(c, &e);
	}
	cache_close(c);
	free(reply);
}

static void test_truncated_file(void **state)
{
	struct scratch *s = *state;
	struct stat st;

	fill(s->path, 20, 200 * 1024);
	assert_int_equal(stat(s->path, &st), 0);
	assert_true(st.st_size > 3 * 1024 * 1024);
	assert_int_equal(truncate(s->path, st.st_size / 3), 0);
	check_recovered(s->path, "corrupt", NULL, 0);
}

static void test_directory_in_place(void **state)
{
	struct scratch *s = *state;
	char *inner = xasprintf("%s/keep.txt", s->path);
	char *aside = NULL;
	char *moved = NULL;
	struct stat st;

	make_parent(s->path);
	assert_int_equal(mkdir(s->path, 0700), 0);
	write_file(inner, "mine", 4);
	check_recovered(s->path, "corrupt", NULL, 0);
	assert_int_equal(count_aside(s->path, "corrupt", &aside), 1);
	moved = xasprintf("%s/keep.txt", aside);
	assert_int_equal(stat(moved, &st), 0);
	assert_int_equal(st.st_size, 4);
	free(moved);
	free(aside);
	free(inner);
}

static void test_fifo_in_place(void **state)
{
	struct scratch *s = *state;

	make_parent(s->path);
	assert_int_equal(mkfifo(s->path, 0600), 0);
	check_recovered(s->path, "corrupt", NULL, 0);
}

/* Too short for a header, and a right header over junk (which SQLite
 * itself, not the sniffing, finds bad). */
static void test_short_and_fake_headers(void **state)
{
	struct scratch *s = *state;
	static const size_t sizes[] = {1, 15, 100, 4096, 20000};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *path = xasprintf("%s/case%zu/cache.db", s->dir, i);
		char *bytes = xmalloc(sizes[i]);

		memset(bytes, 0xa5, sizes[i]);
		if (sizes[i] >= 16)
			memcpy(bytes, "SQLite format 3", 16);
		make_parent(path);
		write_file(path, bytes, sizes[i]);
		check_recovered(path, "corrupt", bytes, sizes[i]);
		free(bytes);
		free(path);
	}
}

static void test_foreign_sqlite_file(void **state)
{
	struct scratch *s = *state;
	sqlite3 *db = NULL;
	char *aside = NULL;

	make_parent(s->path);
	raw_exec(s->path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
	                  "INSERT INTO notes (body) VALUES ('precious');");
	check_recovered(s->path, "corrupt", NULL, 0);
	/* The other application's data is intact where it went. */
	assert_int_equal(count_aside(s->path, "corrupt", &aside), 1);
	db = raw_open(aside);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM notes WHERE body = 'precious'"), 1);
	sqlite3_close(db);
	free(aside);
}

static void test_foreign_application_id(void **state)
{
	struct scratch *s = *state;

	make_parent(s->path);
	/* Even an empty database stamped by someone else is not ours. */
	raw_exec(s->path, "PRAGMA application_id = 1234");
	check_recovered(s->path, "corrupt", NULL, 0);
}

/* Overwrites the start of the host table's root page, behind SQLite. */
static void damage_table_root(const char *path)
{
	int64_t root = 0;
	int64_t page = 0;
	sqlite3 *db = raw_open(path);
	char junk[512];
	int fd = -1;

	assert_int_equal(
	    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL), SQLITE_OK);
	root = raw_int(db, "SELECT rootpage FROM sqlite_schema WHERE name = 'cache_host'");
	page = raw_int(db, "PRAGMA page_size");
	sqlite3_close(db);
	memset(junk, 0x5a, sizeof(junk));
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), (off_t)((root - 1) * page)),
	                 (ssize_t)sizeof(junk));
	close(fd);
}

/* Damage past the header: found when the rows are read, then healed. */
static void test_damaged_pages(void **state)
{
	struct scratch *s = *state;
	struct cache *c = NULL;
	struct collect col = {0};
	struct cache_entry e = entry("new", "abc", 3, 1);

	fill(s->path, 50, 20 * 1024);
	damage_table_root(s->path);
	c = cache_open(s->path);
	assert_int_equal(cache_each(c, collect_one, &col), ERR_IO);
	assert_non_null(cache_warning(c));
	assert_non_null(strstr(cache_warning(c), "moved aside"));
	assert_false(cache_in_memory(c));
	/* It goes on working, empty, in a new file. */
	assert_int_equal(cache_count(c), 0);
	put_ok(c, &e);
	assert_int_equal(cache_count(c), 1);
	assert_int_equal(cache_remove(c, "new"), ERR_OK);
	cache_close(c);
	assert_int_equal(count_aside(s->path, "corrupt", NULL), 1);
	assert_rebuilt(s->path);
}

static void test_check_finds_damage(void **state)
{
	struct scratch *s = *state;
	struct cache *c = NULL;
	int64_t root = 0;
	int64_t page = 0;
	sqlite3 *db = NULL;
	char junk[64];
	int fd = -1;

	fill(s->path, 30, 20 * 1024);
	db = raw_open(s->path);
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	/* The header of the host-name index: only a walk of the whole file
	 * (or a look-up by name) finds it. */
	root = raw_int(db, "SELECT rootpage FROM sqlite_schema WHERE type = 'index'");
	page = raw_int(db, "PRAGMA page_size");
	sqlite3_close(db);
	memset(junk, 0xff, sizeof(junk));
	fd = open(s->path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), (off_t)((root - 1) * page)),
	                 (ssize_t)sizeof(junk));
	close(fd);
	c = cache_open(s->path);
	assert_int_equal(cache_check(c), ERR_IO);
	assert_non_null(cache_warning(c));
	assert_int_equal(cache_count(c), 0);
	assert_int_equal(cache_check(c), ERR_OK);
	cache_close(c);
	assert_int_equal(count_aside(s->path, "corrupt", NULL), 1);
}

/* ---- schema versions ----------------------------------------------------- */

static void test_newer_schema_moved_aside(void **state)
{
	struct scratch *s = *state;
	struct cache *c = NULL;
	sqlite3 *db = NULL;
	char *aside = NULL;

	fill(s->path, 3, 100);
	raw_exec(s->path, "PRAGMA user_version = 99");
	c = cache_open(s->path);
	assert_non_null(cache_warning(c));
	assert_non_null(strstr(cache_warning(c), "newer"));
	assert_int_equal(cache_count(c), 0);
	cache_close(c);
	assert_int_equal(count_aside(s->path, "newer", &aside), 1);
	assert_int_equal(count_aside(s->path, "corrupt", NULL), 0);
	db = raw_open(aside);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 99);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM cache_host"), 3);
	sqlite3_close(db);
	free(aside);
	assert_rebuilt(s->path);
}

static void test_older_schema_rebuilt_in_place(void **state)
{
	struct scratch *s = *state;
	struct cache *c = NULL;
	char *sql = NULL;
	struct cache_entry e = entry("alpha", "new", 3, 1);

	make_parent(s->path);
	/* Ours (our id), but an older layout and version. */
	sql = xasprintf("PRAGMA application_id = %d; PRAGMA user_version = 0;"
	                "CREATE TABLE cache_host (host TEXT, blob BLOB);"
	                "INSERT INTO cache_host VALUES ('alpha', x'00');",
	                CACHE_APPLICATION_ID);
	raw_exec(s->path, sql);
	free(sql);
	c = cache_open(s->path);
	assert_null(cache_warning(c));
	assert_int_equal(cache_count(c), 0);
	put_ok(c, &e);
	cache_close(c);
	assert_int_equal(count_aside(s->path, "corrupt", NULL), 0);
	assert_int_equal(count_aside(s->path, "newer", NULL), 0);
	c = cache_open(s->path);
	assert_null(cache_warning(c));
	assert_int_equal(cache_count(c), 1);
	cache_close(c);
}

/* ---- when even rebuilding fails: memory ---------------------------------- */

static void test_memory_fallback(void **state)
{
	struct scratch *s = *state;
	char *file = xasprintf("%s/plainfile", s->dir);
	char *path = xasprintf("%s/codefleet/cache.db", file);
	struct cache *c = NULL;
	struct cache_entry *got = NULL;
	struct cache_entry e = entry("alpha", "abc", 3, 1);

	write_file(file, "x", 1);
	c = cache_open(path);
	assert_true(cache_in_memory(c));
	assert_string_equal(cache_path(c), ":memory:");
	assert_non_null(cache_warning(c));
	assert_non_null(strstr(cache_warning(c), "memory"));
	put_ok(c, &e);
	assert_int_equal(cache_get(c, "alpha", &got), ERR_OK);
	assert_memory_equal(got->reply, "abc", 3);
	free(got);
	cache_clear_warning(c);
	assert_null(cache_warning(c));
	cache_close(c);

	c = cache_open(NULL);
	assert_true(cache_in_memory(c));
	assert_null(cache_warning(c));
	put_ok(c, &e);
	assert_int_equal(cache_count(c), 1);
	cache_close(c);
	free(path);
	free(file);
}

/* Permission cases need a user the kernel checks: as root, a child drops
 * to nobody. Each check failing exits the child with its line number. */
#define CHILD_CHECK(cond)                                                         \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "child: line %d: %s\n", __LINE__, #cond); \
			_exit(__LINE__ % 250 + 1);                                \
		}                                                                 \
	} while (0)

/* Takes dir (the child's copy) and frees it: valgrind checks children too. */
static __attribute__((noreturn)) void child_permissions(char *dir)
{
	char *path = xasprintf("%s/cache.db", dir);
	char *ro = xasprintf("%s/ro", dir);
	char *ro_path = xasprintf("%s/ro/cache.db", dir);
	struct cache_entry e = entry("alpha", "abc", 3, 1);
	struct cache *c = NULL;
	struct cache_entry *got = NULL;

	/* An unreadable file: moved aside, rebuilt. */
	c = cache_open(path);
	CHILD_CHECK(!cache_warning(c));
	CHILD_CHECK(cache_put(c, &e) == ERR_OK);
	cache_close(c);
	CHILD_CHECK(chmod(path, 0) == 0);
	c = cache_open(path);
	CHILD_CHECK(cache_warning(c) && strstr(cache_warning(c), "moved aside"));
	CHILD_CHECK(!cache_in_memory(c));
	CHILD_CHECK(cache_put(c, &e) == ERR_OK);
	cache_close(c);

	/* A read-only file: the same. */
	CHILD_CHECK(chmod(path, 0444) == 0);
	c = cache_open(path);
	CHILD_CHECK(cache_warning(c) && strstr(cache_warning(c), "read-only"));
	CHILD_CHECK(!cache_in_memory(c));
	CHILD_CHECK(cache_put(c, &e) == ERR_OK);
	CHILD_CHECK(cache_get(c, "alpha", &got) == ERR_OK && got);
	free(got);
	cache_close(c);

	/* A read-only folder: nothing can be created, so memory only. */
	CHILD_CHECK(mkdir(ro, 0500) == 0);
	c = cache_open(ro_path);
	CHILD_CHECK(cache_in_memory(c));
	CHILD_CHECK(cache_warning(c) && strstr(cache_warning(c), "memory"));
	CHILD_CHECK(cache_put(c, &e) == ERR_OK);
	cache_close(c);

	/* A read-only folder holding an unreadable file: cannot even be
	 * moved aside, so memory only, and the file is left alone. */
	CHILD_CHECK(chmod(ro, 0700) == 0);
	c = cache_open(ro_path);
	CHILD_CHECK(!cache_warning(c));
	cache_close(c);
	CHILD_CHECK(chmod(ro_path, 0) == 0);
	CHILD_CHECK(chmod(ro, 0500) == 0);
	c = cache_open(ro_path);
	CHILD_CHECK(cache_in_memory(c));
	CHILD_CHECK(cache_warning(c) && strstr(cache_warning(c), "memory"));
	cache_close(c);
	CHILD_CHECK(access(ro_path, F_OK) == 0);
	chmod(ro, 0700); /* so that the teardown can empty it */
	free(ro_path);
	free(ro);
	free(path);
	free(dir);
	_exit(0);
}

static void test_permissions(void **state)
{
	struct scratch *s = *state;
	char *dir = xasprintf("%s/perm", s->dir);
	char *path = NULL;
	int status = 0;
	pid_t pid;

	assert_int_equal(mkdir(dir, 0700), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_int_equal(chmod(s->dir, 0755), 0);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(200);
		child_permissions(dir); /* exits */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 200) {
		free(dir);
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	path = xasprintf("%s/cache.db", dir);
	assert_int_equal(count_aside(path, "corrupt", NULL), 2);
	free(path);
	free(dir);
}

/* ---- two processes ------------------------------------------------------- */

static void test_two_handles(void **state)
{
	struct scratch *s = *state;
	struct cache *a = cache_open(s->path);
	struct cache *b = cache_open(s->path);
	unsigned char *reply = make_reply(BIG, 4);
	struct cache_entry *got = NULL;
	struct cache_entry e = entry("alpha", reply, BIG, 1);
	struct collect col = {0};

	assert_null(cache_warning(a));
	assert_null(cache_warning(b));
	put_ok(a, &e);
	assert_int_equal(cache_get(b, "alpha", &got), ERR_OK);
	assert_non_null(got);
	assert_memory_equal(got->reply, reply, BIG);
	free(got);
	e.host = "bravo";
	put_ok(b, &e);
	e.token = "from-a";
	put_ok(a, &e);
	assert_row(b, "bravo", "from-a", reply, BIG);
	assert_int_equal(cache_each(b, collect_one, &col), ERR_OK);
	assert_int_equal(col.n, 2);
	cache_close(a);
	cache_close(b);
	free(reply);
}

/* Both dashboards find the same damage: the first moves the file aside and
 * starts a new one; the second must not move that new file aside too. */
static void test_two_handles_heal_once(void **state)
{
	struct scratch *s = *state;
	struct cache *a = NULL;
	struct cache *b = NULL;
	struct collect col = {0};
	struct cache_entry e = entry("a1", "abc", 3, 1);
	struct cache_entry *got = NULL;

	fill(s->path, 50, 20 * 1024);
	damage_table_root(s->path);
	a = cache_open(s->path);
	b = cache_open(s->path);
	assert_null(cache_warning(a));
	assert_null(cache_warning(b));
	assert_int_equal(cache_each(a, collect_one, &col), ERR_IO);
	assert_non_null(strstr(cache_warning(a), "moved aside"));
	put_ok(a, &e);
	assert_int_equal(cache_each(b, collect_one, &col), ERR_IO);
	assert_non_null(cache_warning(b));
	assert_non_null(strstr(cache_warning(b), "replaced"));
	assert_null(strstr(cache_warning(b), "moved aside"));
	/* Both now use the new file: b sees what a wrote. */
	assert_int_equal(cache_get(b, "a1", &got), ERR_OK);
	assert_non_null(got);
	free(got);
	cache_close(a);
	cache_close(b);
	assert_int_equal(count_aside(s->path, "corrupt", NULL), 1);
}

/* Two dashboards at once: several processes open the same new file at the
 * same moment and write; none fails, nothing is lost, the file is sound. */
static void test_processes_share_the_file(void **state)
{
	struct scratch *s = *state;
	enum { KIDS = 3, PUTS = 150 };
	int go[2] = {-1, -1};
	pid_t pids[KIDS];
	struct cache *c = NULL;
	struct collect col = {0};
	char byte = 0;

	assert_int_equal(pipe(go), 0);
	for (int k = 0; k < KIDS; k++) {
		pids[k] = fork();
		assert_true(pids[k] >= 0);
		if (pids[k] == 0) {
			unsigned char *reply = make_reply(20 * 1024, (unsigned)k);
			struct cache *cc = NULL;
			struct collect kc = {0};

			close(go[1]);
			CHILD_CHECK(read(go[0], &byte, 1) == 0);
			cc = cache_open(s->path);
			if (cache_warning(cc))
				fprintf(stderr, "child: %s\n", cache_warning(cc));
			CHILD_CHECK(!cache_warning(cc));
			CHILD_CHECK(!cache_in_memory(cc));
			for (int i = 0; i < PUTS; i++) {
				char name[32];
				struct cache_entry e = entry(name, reply, 20 * 1024, i);

				snprintf(name, sizeof(name), "k%d-%03d", k, i);
				CHILD_CHECK(cache_put(cc, &e) == ERR_OK);
				e.host = "shared";
				CHILD_CHECK(cache_put(cc, &e) == ERR_OK);
				CHILD_CHECK(cache_touch(cc, "shared", i) == ERR_OK);
				if (i % 25 == 0)
					CHILD_CHECK(cache_each(cc, collect_one, &kc) == ERR_OK);
			}
			cache_close(cc);
			free(reply);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]); /* all start now */
	for (int k = 0; k < KIDS; k++) {
		int status = 0;

		assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	c = cache_open(s->path);
	assert_null(cache_warning(c));
	assert_int_equal(cache_count(c), KIDS * PUTS + 1);
	assert_int_equal(cache_each(c, collect_one, &col), ERR_OK);
	assert_int_equal(col.bytes, (size_t)(KIDS * PUTS + 1) * 20 * 1024);
	assert_int_equal(cache_check(c), ERR_OK);
	cache_close(c);
	assert_int_equal(count_aside(s->path, "corrupt", NULL), 0);
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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_round_trip),
	    T(test_each_in_host_order),
	    T(test_default_path),
	    T(test_failed_put_keeps_old_row),
	    T(test_crash_mid_write),
	    T(test_garbage_file),
	    T(test_zero_file),
	    T(test_empty_file_is_fresh),
	    T(test_truncated_file),
	    T(test_directory_in_place),
	    T(test_fifo_in_place),
	    T(test_short_and_fake_headers),
	    T(test_foreign_sqlite_file),
	    T(test_foreign_application_id),
	    T(test_damaged_pages),
	    T(test_check_finds_damage),
	    T(test_newer_schema_moved_aside),
	    T(test_older_schema_rebuilt_in_place),
	    T(test_memory_fallback),
	    T(test_permissions),
	    T(test_two_handles),
	    T(test_two_handles_heal_once),
	    T(test_processes_share_the_file),
	    T(test_evict),
	    T(test_load_200_hosts_timing),
	};

	/* CACHE_TEST_FILTER=test_evict runs just the tests matching it. */
	if (getenv("CACHE_TEST_FILTER"))
		cmocka_set_test_filter(getenv("CACHE_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Shared by the cache tests (test_cache.c: the rows; test_cache_file.c:
 * the file and its damage): a scratch folder per test, entries, and plain
 * SQLite access to look behind the module's back. Include after cmocka.h. */
#ifndef CODEFLEET_TEST_CACHE_TESTLIB_H
#define CODEFLEET_TEST_CACHE_TESTLIB_H

#include <dirent.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "probe/cache.h"
#include "util/err.h"
#include "util/xmem.h"

#define BIG (50 * 1024)

/* Each test gets a scratch folder, removed afterwards. */
struct scratch {
	char dir[4096];
	char *path; /* dir/sub/cache.db: the folders do not exist yet */
};

static __attribute__((unused)) int setup(void **state)
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

static __attribute__((unused)) int rm_one(const char *path, const struct stat *st, int flag,
                                          struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static __attribute__((unused)) int teardown(void **state)
{
	struct scratch *s = *state;

	chmod(s->dir, 0700);
	nftw(s->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(s->path);
	free(s);
	return 0;
}

static __attribute__((unused)) int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static __attribute__((unused)) double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A reply of len bytes, each (seed + i * 7) & 0xff: NULs included. */
static __attribute__((unused)) unsigned char *make_reply(size_t len, unsigned seed)
{
	unsigned char *b = xmalloc(len ? len : 1);

	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)(seed + i * 7);
	return b;
}

static __attribute__((unused)) struct cache_entry entry(const char *host, const void *reply,
                                                        size_t len, int64_t t)
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

static __attribute__((unused)) void put_ok(struct cache *c, const struct cache_entry *e)
{
	int rc = cache_put(c, e);

	if (rc != ERR_OK)
		fprintf(stderr, "put %s: %s\n", e->host, err_text());
	assert_int_equal(rc, ERR_OK);
}

/* Opens the file with plain SQLite, to look behind the module's back. */
static __attribute__((unused)) sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static __attribute__((unused)) int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static __attribute__((unused)) void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", sql, msg);
	assert_null(msg);
	sqlite3_close(db);
}

static __attribute__((unused)) void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static __attribute__((unused)) char *read_file(const char *path, size_t *len)
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
static __attribute__((unused)) int count_aside(const char *path, const char *tag, char **first)
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

static __attribute__((unused)) void make_parent(const char *path)
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
static __attribute__((unused)) void assert_rebuilt(const char *path)
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

/* cache_each callback: counts rows and bytes, keeps the first 8 names,
 * stops (returning 7) at row stop_at. */
struct collect {
	int n;
	char names[8][16];
	size_t bytes;
	int stop_at;
};

static __attribute__((unused)) int collect_one(const struct cache_entry *e, void *arg)
{
	struct collect *col = arg;

	if (col->n < 8)
		snprintf(col->names[col->n], sizeof(col->names[0]), "%s", e->host);
	col->bytes += e->reply_len;
	col->n++;
	return col->n == col->stop_at ? 7 : 0;
}

/* The host's row has this token and reply. */
static __attribute__((unused)) void assert_row(struct cache *c, const char *host, const char *token,
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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#endif

/* cache_file: the file behind the cache: damaged, foreign, newer and
 * unreadable files are moved aside and rebuilt, memory when even that
 * fails, and several handles and processes sharing one file. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
	};

	/* CACHE_TEST_FILTER=test_evict runs just the tests matching it. */
	if (getenv("CACHE_TEST_FILTER"))
		cmocka_set_test_filter(getenv("CACHE_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}

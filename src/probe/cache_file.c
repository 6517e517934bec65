/* cache_file: opening the cache's SQLite file, judging what is in it, and
 * moving a bad file aside (see cache_file.h and docs/cache.md). */
#include "probe/cache_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "probe/cache.h"
#include "util/err.h"
#include "util/xmem.h"

/* How long a statement waits for another process's lock before giving up.
 * Writers hold the lock for a millisecond or two (one row), so this is only
 * reached when something is wrong; it bounds how long the UI can stall. */
#define CACHE_BUSY_TIMEOUT_MS 2000
/* Set on a new file only (it cannot change once WAL is on). Large pages
 * keep a 50 KB reply in few overflow pages, which makes loading faster. */
#define CACHE_PAGE_SIZE 16384
/* Where the WAL is cut back to after a checkpoint. */
#define CACHE_WAL_LIMIT (4 * 1024 * 1024)

/* Opening meets a lock the busy handler does not wait for: retries. */
#define OPEN_BUSY_RETRIES 20
#define OPEN_BUSY_WAIT_MS 25

#define MEMORY_PATH       ":memory:"

static const char schema_sql[] = "CREATE TABLE IF NOT EXISTS cache_host ("
                                 " host TEXT NOT NULL UNIQUE,"
                                 " token TEXT NOT NULL DEFAULT '',"
                                 " method TEXT NOT NULL DEFAULT '',"
                                 " opencode_version TEXT NOT NULL DEFAULT '',"
                                 " probed_at INTEGER NOT NULL DEFAULT 0,"
                                 " latency_ms INTEGER NOT NULL DEFAULT 0,"
                                 " state TEXT NOT NULL DEFAULT '',"
                                 " reason TEXT NOT NULL DEFAULT '',"
                                 " state_at INTEGER NOT NULL DEFAULT 0,"
                                 " seen_at INTEGER NOT NULL DEFAULT 0,"
                                 " reply BLOB);";

/* What opening a file found. */
enum verdict {
	V_OK,
	V_BAD,   /* damaged, foreign or unreadable: move aside and rebuild */
	V_NEWER, /* written by a newer codefleet: move aside and rebuild */
	V_BUSY,  /* locked by another process: try again shortly */
	V_FAIL,  /* cannot be used now, but not the file's fault: memory only */
};

/* What the header of an open database says. */
enum kind {
	K_FRESH,   /* empty file: ours to set up */
	K_CURRENT, /* our schema, this version */
	K_OLDER,   /* our schema, an older version: migrate */
	K_NEWER,
	K_FOREIGN,
};

static void warn(struct cache_file *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct cache_file *f, const char *fmt, ...)
{
	va_list ap;

	if (f->warning.len)
		strbuf_putc(&f->warning, '\n');
	va_start(ap, fmt);
	strbuf_vprintf(&f->warning, fmt, ap);
	va_end(ap);
}

bool cache_file_is_damage(int rc)
{
	int primary = rc & 0xff;

	return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

int cache_file_err_code(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY ? ERR_TIMEOUT : ERR_IO;
}

int cache_file_sql_error(struct cache_file *f, int rc, const char *what)
{
	return err_set(cache_file_err_code(rc), "cache %s: %s: %s", cache_file_path(f), what,
	               f->db ? sqlite3_errmsg(f->db) : sqlite3_errstr(rc));
}
/* Creates the folders above path (mode 0700, like ~/.cache). */
static int make_parents(const char *path)
{
	char *dir = xstrdup(path);
	int rc = ERR_OK;

	for (char *p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST) {
			rc = err_set(ERR_IO, "cannot create %s: %s", dir, strerror(errno));
			goto out;
		}
		*p = '/';
	}
out:
	free(dir);
	return rc;
}

/* Renames `from` to `to` when it exists. */
static int rename_if_there(const char *from, const char *to)
{
	struct stat st;

	if (lstat(from, &st) && errno == ENOENT)
		return ERR_OK;
	if (rename(from, to))
		return err_set(ERR_IO, "cannot rename %s to %s: %s", from, to, strerror(errno));
	return ERR_OK;
}

/* Remembers which file is at f->path now. */
static void note_file(struct cache_file *f)
{
	struct stat st;

	f->have_id = stat(f->path, &st) == 0;
	f->dev = f->have_id ? st.st_dev : 0;
	f->ino = f->have_id ? st.st_ino : 0;
}

/* True when f->path is no longer the file noted: another process moved it
 * aside and maybe started a new one, which must not be moved in its turn. */
static bool file_replaced(const struct cache_file *f)
{
	struct stat st;

	if (!f->have_id)
		return false;
	if (stat(f->path, &st))
		return errno == ENOENT;
	return st.st_dev != f->dev || st.st_ino != f->ino;
}

/* Moves path, path-wal and path-shm to path.TAG-<UTC time>[.N]. Returns
 * ERR_OK with the new name of path in *dest (caller frees), or ERR_IO. */
static int move_aside(const char *path, const char *tag, char **dest)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	struct stat st;
	char *to = NULL;
	char *from_side = NULL;
	char *to_side = NULL;
	int rc = ERR_OK;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	to = xasprintf("%s.%s-%s", path, tag, stamp);
	for (int n = 1; lstat(to, &st) == 0 && n < 1000; n++) {
		free(to);
		to = xasprintf("%s.%s-%s.%d", path, tag, stamp, n);
	}
	rc = rename_if_there(path, to);
	for (int i = 0; rc == ERR_OK && i < 2; i++) {
		const char *suffix = i ? "-shm" : "-wal";

		from_side = xasprintf("%s%s", path, suffix);
		to_side = xasprintf("%s%s", to, suffix);
		rc = rename_if_there(from_side, to_side);
		free(from_side);
		free(to_side);
	}
	if (rc == ERR_OK) {
		*dest = to;
		to = NULL;
	}
	free(to);
	return rc;
}

void cache_file_close(struct cache_file *f)
{
	for (int i = 0; i < f->n_st; i++) {
		sqlite3_finalize(f->st[i]);
		f->st[i] = NULL;
	}
	sqlite3_close(f->db);
	f->db = NULL;
}

/* Reads the header and the schema in one statement, so in one snapshot:
 * another process may set the file up between two statements. Reading them
 * fails on a file damaged in its first pages. */
static int read_kind(sqlite3 *db, enum kind *kind, int64_t *version)
{
	static const char sql[] = "SELECT (SELECT application_id FROM pragma_application_id),"
	                          " (SELECT user_version FROM pragma_user_version),"
	                          " (SELECT count(*) FROM sqlite_schema)";
	sqlite3_stmt *st = NULL;
	int64_t app = 0;
	int64_t tables = 0;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		app = sqlite3_column_int64(st, 0);
		*version = sqlite3_column_int64(st, 1);
		tables = sqlite3_column_int64(st, 2);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return rc;
	if (app == CACHE_APPLICATION_ID && *version == CACHE_SCHEMA_VERSION)
		*kind = K_CURRENT;
	else if (app == CACHE_APPLICATION_ID && *version > CACHE_SCHEMA_VERSION)
		*kind = K_NEWER;
	else if (app == CACHE_APPLICATION_ID)
		*kind = K_OLDER;
	else if (app == 0 && tables == 0)
		*kind = K_FRESH;
	else
		*kind = K_FOREIGN;
	return SQLITE_OK;
}

/* Brings an older schema to this version. Version 1 is the first, so every
 * older file (only a hand-made one today) is rebuilt in place: the cache
 * holds nothing that the next probe cannot fetch again. A later version adds
 * its ALTER steps here, one `if (from < N)` each. */
static int migrate(sqlite3 *db, int64_t from)
{
	(void)from;
	return sqlite3_exec(db, "DROP TABLE IF EXISTS cache_host", NULL, NULL, NULL);
}

/* Creates or migrates the schema in one write transaction, looking at the
 * header again under the lock (another process may have just set it up). */
static int set_up_schema(sqlite3 *db, enum kind *kind)
{
	char sql[128];
	int64_t version = 0;
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = read_kind(db, kind, &version);
	if (rc != SQLITE_OK || *kind == K_NEWER || *kind == K_FOREIGN)
		goto out;
	if (*kind == K_OLDER)
		rc = migrate(db, version);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, schema_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK && *kind != K_CURRENT) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d",
		         CACHE_APPLICATION_ID, CACHE_SCHEMA_VERSION);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
out:
	if (rc != SQLITE_OK || *kind == K_NEWER || *kind == K_FOREIGN)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* PRAGMAs of a connection; the first ones apply to a new file only. */
static int configure(sqlite3 *db, enum kind kind)
{
	char sql[256];
	int rc = SQLITE_OK;

	if (kind == K_FRESH) {
		snprintf(sql, sizeof(sql),
		         "PRAGMA page_size = %d; PRAGMA auto_vacuum = INCREMENTAL",
		         CACHE_PAGE_SIZE);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		snprintf(sql, sizeof(sql),
		         "PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = %d",
		         CACHE_WAL_LIMIT);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	return rc;
}

static int prepare_all(struct cache_file *f)
{
	int rc = SQLITE_OK;

	for (int i = 0; i < f->n_st && rc == SQLITE_OK; i++)
		rc = sqlite3_prepare_v3(f->db, f->stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                        &f->st[i], NULL);
	return rc;
}

/* Sets why to the reason of a bad verdict. */
static enum verdict judge(int rc, sqlite3 *db, struct strbuf *why)
{
	int primary = rc & 0xff;

	strbuf_reset(why);
	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
		strbuf_printf(why, "stayed locked by another process (%s)", sqlite3_errstr(rc));
		return V_BUSY;
	}
	if (primary == SQLITE_NOMEM || primary == SQLITE_FULL) {
		strbuf_printf(why, "cannot be used now (%s)", sqlite3_errstr(rc));
		return V_FAIL;
	}
	strbuf_printf(why, "%s (%s)", cache_file_is_damage(rc) ? "is damaged" : "cannot be opened",
	              db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return V_BAD;
}

/* Looks at the file before SQLite does: SQLite would open (and on close
 * delete) a -wal and -shm next to a file that is not a database at all, and
 * would block on a FIFO. Returns true when it may be a database (or is
 * absent); false with why set otherwise. */
static bool sniff(const char *path, struct strbuf *why)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	struct stat st;
	ssize_t n = 0;
	int fd = -1;

	strbuf_reset(why);
	if (stat(path, &st))
		return true; /* absent: SQLite creates it (or says why not) */
	if (!S_ISREG(st.st_mode)) {
		strbuf_puts(why, S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
		return false;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		strbuf_printf(why, "is unreadable (%s)", strerror(errno));
		return false;
	}
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	if (n < 0)
		strbuf_printf(why, "is unreadable (%s)", strerror(errno));
	else if (n > 0 && (n < (ssize_t)sizeof(head) || memcmp(head, magic, sizeof(magic))))
		strbuf_puts(why, "is not an SQLite database");
	return why->len == 0;
}

/* Opens path as the cache file. On V_OK f->db is ready; otherwise it is
 * closed and why says what was wrong. */
static enum verdict try_open(struct cache_file *f, const char *path, struct strbuf *why)
{
	enum kind kind = K_FRESH;
	struct stat st;
	int64_t version = 0;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	enum verdict v = V_OK;
	int rc = SQLITE_OK;

	if (!f->memory)
		note_file(f);
	if (!f->memory && !sniff(path, why))
		return V_BAD;
	rc = sqlite3_open_v2(path, &f->db, flags, NULL);
	if (rc != SQLITE_OK)
		goto bad;
	sqlite3_extended_result_codes(f->db, 1);
	sqlite3_busy_timeout(f->db, CACHE_BUSY_TIMEOUT_MS);
	if (sqlite3_db_readonly(f->db, "main") == 1) {
		strbuf_reset(why);
		strbuf_puts(why, "is read-only");
		v = V_BAD;
		goto out;
	}
	rc = read_kind(f->db, &kind, &version);
	if (rc == SQLITE_OK && kind != K_FOREIGN && kind != K_NEWER)
		rc = configure(f->db, kind);
	/* A current file needs no write lock; the others are set up under it. */
	if (rc == SQLITE_OK && (kind == K_FRESH || kind == K_OLDER))
		rc = set_up_schema(f->db, &kind);
	if (rc != SQLITE_OK)
		goto bad;
	strbuf_reset(why);
	if (kind == K_FOREIGN) {
		strbuf_puts(why, "belongs to another application");
		v = V_BAD;
	} else if (kind == K_NEWER) {
		strbuf_printf(why,
		              "was written by a newer codefleet (cache schema %lld, this one "
		              "reads %d)",
		              (long long)version, CACHE_SCHEMA_VERSION);
		v = V_NEWER;
	} else if ((rc = prepare_all(f)) != SQLITE_OK) {
		strbuf_printf(why, "has an unexpected layout (%s)", sqlite3_errmsg(f->db));
		v = V_BAD;
	}
	goto out;
bad:
	v = judge(rc, f->db, why);
	if (v == V_BAD && !f->memory && lstat(path, &st) && errno == ENOENT) {
		/* Nothing to move aside: the folder refuses a new file. */
		strbuf_reset(why);
		strbuf_printf(why, "cannot be created (%s)",
		              f->db ? sqlite3_errmsg(f->db) : sqlite3_errstr(rc));
		v = V_FAIL;
	}
out:
	if (v != V_OK)
		cache_file_close(f);
	else if (!f->memory)
		note_file(f); /* it may have just been created */
	return v;
}

static void open_memory(struct cache_file *f)
{
	struct strbuf why = STRBUF_INIT;

	f->memory = true;
	if (try_open(f, MEMORY_PATH, &why) != V_OK)
		xmem_die("cache: SQLite cannot open a memory database");
	strbuf_free(&why);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Opens f->path, moving a bad file aside (at most twice: the second try
 * starts from nothing); falls back to memory.
 *
 * A few steps of opening can meet SQLITE_BUSY without the busy handler
 * being asked (switching a new file to WAL while another process does the
 * same), so a busy verdict is retried a few times before giving up. */
static void open_file(struct cache_file *f)
{
	struct strbuf why = STRBUF_INIT;
	char *dest = NULL;
	enum verdict v = V_FAIL;
	int moves = 0;
	int waits = 0;

	if (make_parents(f->path) != ERR_OK) {
		warn(f, "cache: %s; keeping the cache in memory only", err_text());
		goto memory;
	}
	for (;;) {
		v = try_open(f, f->path, &why);
		if (v == V_BUSY && waits++ < OPEN_BUSY_RETRIES) {
			sleep_ms(OPEN_BUSY_WAIT_MS);
			continue;
		}
		if ((v != V_BAD && v != V_NEWER) || moves++ == 2)
			break;
		if (file_replaced(f))
			continue; /* another process got there first: look again */
		if (move_aside(f->path, v == V_NEWER ? "newer" : "corrupt", &dest) != ERR_OK) {
			strbuf_printf(&why, " and %s", err_text());
			break;
		}
		warn(f, "cache: %s %s: moved aside to %s, starting empty", f->path,
		     strbuf_str(&why), dest);
		free(dest);
		dest = NULL;
	}
	if (v == V_OK)
		goto out;
	warn(f, "cache: %s %s; keeping the cache in memory only", f->path, strbuf_str(&why));
memory:
	open_memory(f);
out:
	strbuf_free(&why);
}

void cache_file_open(struct cache_file *f)
{
	if (f->path)
		open_file(f);
	else
		open_memory(f);
}

const char *cache_file_path(const struct cache_file *f)
{
	return f->memory ? MEMORY_PATH : f->path;
}

bool cache_file_heal(struct cache_file *f, int rc, const char *detail)
{
	struct strbuf why = STRBUF_INIT;
	char *dest = NULL;

	if (f->memory || !cache_file_is_damage(rc))
		return false;
	strbuf_printf(&why, "is damaged (%s)", detail ? detail : sqlite3_errmsg(f->db));
	cache_file_close(f);
	if (file_replaced(f)) {
		warn(f, "cache: %s %s, and another process has replaced it: reopened", f->path,
		     strbuf_str(&why));
	} else if (move_aside(f->path, "corrupt", &dest) == ERR_OK) {
		warn(f, "cache: %s %s: moved aside to %s, starting empty", f->path,
		     strbuf_str(&why), dest);
	} else {
		warn(f, "cache: %s %s and %s; keeping the cache in memory only", f->path,
		     strbuf_str(&why), err_text());
		open_memory(f);
		goto out;
	}
	open_file(f);
out:
	free(dest);
	strbuf_free(&why);
	return true;
}

#include "probe/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/strbuf.h"
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

#define COLUMNS                                                                         \
	"host, token, method, opencode_version, probed_at, latency_ms, state, reason, " \
	"state_at, seen_at, reply"

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

enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_PUT,
	ST_STATE,
	ST_TOUCH,
	ST_GET,
	ST_ALL,
	ST_COUNT,
	ST_EVICT,
	ST_REMOVE,
	ST_N
};

static const char *const stmt_sql[ST_N] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_PUT] = "INSERT INTO cache_host (" COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
               " ?10, ?11) ON CONFLICT (host) DO UPDATE SET token = excluded.token,"
               " method = excluded.method, opencode_version = excluded.opencode_version,"
               " probed_at = excluded.probed_at, latency_ms = excluded.latency_ms,"
               " state = excluded.state, reason = excluded.reason, state_at = excluded.state_at,"
               " seen_at = iif(excluded.seen_at = 0, seen_at, excluded.seen_at),"
               " reply = iif(excluded.reply IS NULL, reply, excluded.reply)",
    [ST_STATE] = "INSERT INTO cache_host (host, state, reason, state_at) VALUES (?1, ?2, ?3, ?4)"
                 " ON CONFLICT (host) DO UPDATE SET state = excluded.state,"
                 " reason = excluded.reason, state_at = excluded.state_at",
    [ST_TOUCH] = "UPDATE cache_host SET seen_at = ?2 WHERE host = ?1",
    [ST_GET] = "SELECT " COLUMNS " FROM cache_host WHERE host = ?1",
    [ST_ALL] = "SELECT " COLUMNS " FROM cache_host ORDER BY host",
    [ST_COUNT] = "SELECT count(*) FROM cache_host",
    [ST_EVICT] = "DELETE FROM cache_host WHERE max(probed_at, state_at, seen_at) < ?1",
    [ST_REMOVE] = "DELETE FROM cache_host WHERE host = ?1",
};

struct cache {
	sqlite3 *db;
	char *path; /* the file asked for; NULL for a memory cache by request */
	bool memory;
	/* The file that was judged or opened at path, so that a file another
	 * process has already replaced is never moved aside by mistake. */
	bool have_id;
	dev_t dev;
	ino_t ino;
	struct strbuf warning;
	sqlite3_stmt *st[ST_N];
};

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

static void warn(struct cache *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct cache *c, const char *fmt, ...)
{
	va_list ap;

	if (c->warning.len)
		strbuf_putc(&c->warning, '\n');
	va_start(ap, fmt);
	strbuf_vprintf(&c->warning, fmt, ap);
	va_end(ap);
}

static bool is_damage(int rc)
{
	int primary = rc & 0xff;

	return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

static int err_code(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY ? ERR_TIMEOUT : ERR_IO;
}

static int sql_error(struct cache *c, int rc, const char *what)
{
	return err_set(err_code(rc), "cache %s: %s: %s", cache_path(c), what,
	               c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
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

/* Remembers which file is at c->path now. */
static void note_file(struct cache *c)
{
	struct stat st;

	c->have_id = stat(c->path, &st) == 0;
	c->dev = c->have_id ? st.st_dev : 0;
	c->ino = c->have_id ? st.st_ino : 0;
}

/* True when c->path is no longer the file noted: another process moved it
 * aside and maybe started a new one, which must not be moved in its turn. */
static bool file_replaced(const struct cache *c)
{
	struct stat st;

	if (!c->have_id)
		return false;
	if (stat(c->path, &st))
		return errno == ENOENT;
	return st.st_dev != c->dev || st.st_ino != c->ino;
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

static void close_db(struct cache *c)
{
	for (int i = 0; i < ST_N; i++) {
		sqlite3_finalize(c->st[i]);
		c->st[i] = NULL;
	}
	sqlite3_close(c->db);
	c->db = NULL;
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

static int prepare_all(struct cache *c)
{
	int rc = SQLITE_OK;

	for (int i = 0; i < ST_N && rc == SQLITE_OK; i++)
		rc = sqlite3_prepare_v3(c->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                        &c->st[i], NULL);
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
	strbuf_printf(why, "%s (%s)", is_damage(rc) ? "is damaged" : "cannot be opened",
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

/* Opens path as the cache file. On V_OK c->db is ready; otherwise it is
 * closed and why says what was wrong. */
static enum verdict try_open(struct cache *c, const char *path, struct strbuf *why)
{
	enum kind kind = K_FRESH;
	struct stat st;
	int64_t version = 0;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	enum verdict v = V_OK;
	int rc = SQLITE_OK;

	if (!c->memory)
		note_file(c);
	if (!c->memory && !sniff(path, why))
		return V_BAD;
	rc = sqlite3_open_v2(path, &c->db, flags, NULL);
	if (rc != SQLITE_OK)
		goto bad;
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, CACHE_BUSY_TIMEOUT_MS);
	if (sqlite3_db_readonly(c->db, "main") == 1) {
		strbuf_reset(why);
		strbuf_puts(why, "is read-only");
		v = V_BAD;
		goto out;
	}
	rc = read_kind(c->db, &kind, &version);
	if (rc == SQLITE_OK && kind != K_FOREIGN && kind != K_NEWER)
		rc = configure(c->db, kind);
	/* A current file needs no write lock; the others are set up under it. */
	if (rc == SQLITE_OK && (kind == K_FRESH || kind == K_OLDER))
		rc = set_up_schema(c->db, &kind);
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
	} else if ((rc = prepare_all(c)) != SQLITE_OK) {
		strbuf_printf(why, "has an unexpected layout (%s)", sqlite3_errmsg(c->db));
		v = V_BAD;
	}
	goto out;
bad:
	v = judge(rc, c->db, why);
	if (v == V_BAD && !c->memory && lstat(path, &st) && errno == ENOENT) {
		/* Nothing to move aside: the folder refuses a new file. */
		strbuf_reset(why);
		strbuf_printf(why, "cannot be created (%s)",
		              c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		v = V_FAIL;
	}
out:
	if (v != V_OK)
		close_db(c);
	else if (!c->memory)
		note_file(c); /* it may have just been created */
	return v;
}

static void open_memory(struct cache *c)
{
	struct strbuf why = STRBUF_INIT;

	c->memory = true;
	if (try_open(c, MEMORY_PATH, &why) != V_OK)
		xmem_die("cache: SQLite cannot open a memory database");
	strbuf_free(&why);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Opens c->path, moving a bad file aside (at most twice: the second try
 * starts from nothing); falls back to memory.
 *
 * A few steps of opening can meet SQLITE_BUSY without the busy handler
 * being asked (switching a new file to WAL while another process does the
 * same), so a busy verdict is retried a few times before giving up. */
static void open_file(struct cache *c)
{
	struct strbuf why = STRBUF_INIT;
	char *dest = NULL;
	enum verdict v = V_FAIL;
	int moves = 0;
	int waits = 0;

	if (make_parents(c->path) != ERR_OK) {
		warn(c, "cache: %s; keeping the cache in memory only", err_text());
		goto memory;
	}
	for (;;) {
		v = try_open(c, c->path, &why);
		if (v == V_BUSY && waits++ < OPEN_BUSY_RETRIES) {
			sleep_ms(OPEN_BUSY_WAIT_MS);
			continue;
		}
		if ((v != V_BAD && v != V_NEWER) || moves++ == 2)
			break;
		if (file_replaced(c))
			continue; /* another process got there first: look again */
		if (move_aside(c->path, v == V_NEWER ? "newer" : "corrupt", &dest) != ERR_OK) {
			strbuf_printf(&why, " and %s", err_text());
			break;
		}
		warn(c, "cache: %s %s: moved aside to %s, starting empty", c->path,
		     strbuf_str(&why), dest);
		free(dest);
		dest = NULL;
	}
	if (v == V_OK)
		goto out;
	warn(c, "cache: %s %s; keeping the cache in memory only", c->path, strbuf_str(&why));
memory:
	open_memory(c);
out:
	strbuf_free(&why);
}

struct cache *cache_open(const char *path)
{
	struct cache *c = xcalloc(1, sizeof(*c));

	if (!path || !path[0] || !strcmp(path, MEMORY_PATH)) {
		open_memory(c);
		return c;
	}
	c->path = xstrdup(path);
	open_file(c);
	return c;
}

void cache_close(struct cache *c)
{
	if (!c)
		return;
	close_db(c);
	strbuf_free(&c->warning);
	free(c->path);
	free(c);
}

char *cache_default_path(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	/* The XDG spec: a relative value is invalid and must be ignored. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/codefleet/cache.db", xdg);
	if (home && home[0])
		return xasprintf("%s/.cache/codefleet/cache.db", home);
	return NULL;
}

const char *cache_warning(const struct cache *c)
{
	return c->warning.len ? c->warning.buf : NULL;
}

void cache_clear_warning(struct cache *c)
{
	strbuf_reset(&c->warning);
}

bool cache_in_memory(const struct cache *c)
{
	return c->memory;
}

const char *cache_path(const struct cache *c)
{
	return c->memory ? MEMORY_PATH : c->path;
}

/* After an error: a damaged file is moved aside and rebuilt (or the cache
 * goes to memory). detail says what was found (NULL: SQLite's message).
 * Returns true when that happened. */
static bool heal_because(struct cache *c, int rc, const char *detail)
{
	struct strbuf why = STRBUF_INIT;
	char *dest = NULL;

	if (c->memory || !is_damage(rc))
		return false;
	strbuf_printf(&why, "is damaged (%s)", detail ? detail : sqlite3_errmsg(c->db));
	close_db(c);
	if (file_replaced(c)) {
		warn(c, "cache: %s %s, and another process has replaced it: reopened", c->path,
		     strbuf_str(&why));
	} else if (move_aside(c->path, "corrupt", &dest) == ERR_OK) {
		warn(c, "cache: %s %s: moved aside to %s, starting empty", c->path,
		     strbuf_str(&why), dest);
	} else {
		warn(c, "cache: %s %s and %s; keeping the cache in memory only", c->path,
		     strbuf_str(&why), err_text());
		open_memory(c);
		goto out;
	}
	open_file(c);
out:
	free(dest);
	strbuf_free(&why);
	return true;
}

static bool heal(struct cache *c, int rc)
{
	return heal_because(c, rc, NULL);
}

/* The error of a read that failed: healed (the caller starts empty) or not. */
static int read_error(struct cache *c, int rc, const char *what)
{
	if (!heal(c, rc))
		return sql_error(c, rc, what);
	return err_set(ERR_IO, "cache %s: %s: %s", cache_path(c), what, cache_warning(c));
}

/* Steps a statement that returns no row and resets it. */
static int run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

static int bind_entry(sqlite3_stmt *st, const struct cache_entry *e)
{
	int rc = SQLITE_OK;

	bind_text(st, 1, e->host);
	bind_text(st, 2, e->token);
	bind_text(st, 3, e->method);
	bind_text(st, 4, e->opencode_version);
	sqlite3_bind_int64(st, 5, e->probed_at);
	sqlite3_bind_int64(st, 6, e->latency_ms);
	bind_text(st, 7, e->state ? e->state : "ok");
	bind_text(st, 8, e->reason);
	sqlite3_bind_int64(st, 9, e->state_at ? e->state_at : e->probed_at);
	sqlite3_bind_int64(st, 10, e->seen_at);
	if (!e->reply)
		rc = sqlite3_bind_null(st, 11);
	else if (e->reply_len > INT32_MAX)
		rc = SQLITE_TOOBIG;
	else
		rc = sqlite3_bind_blob(st, 11, e->reply_len ? e->reply : "", (int)e->reply_len,
		                       SQLITE_STATIC);
	return rc;
}

/* One transaction: BEGIN IMMEDIATE (so a busy file waits at the start, not
 * half-way), the row, COMMIT; ROLLBACK on any error. */
static int put_once(struct cache *c, const struct cache_entry *e)
{
	int rc = run(c->st[ST_BEGIN]);

	if (rc != SQLITE_OK)
		goto out;
	rc = bind_entry(c->st[ST_PUT], e);
	if (rc == SQLITE_OK)
		rc = run(c->st[ST_PUT]);
	sqlite3_clear_bindings(c->st[ST_PUT]);
	if (rc == SQLITE_OK)
		rc = run(c->st[ST_COMMIT]);
out:
	if (rc != SQLITE_OK) {
		/* The message first: ROLLBACK replaces it. */
		sql_error(c, rc, "cannot store a probe result");
		if (!sqlite3_get_autocommit(c->db))
			run(c->st[ST_ROLLBACK]);
	}
	return rc;
}

int cache_put(struct cache *c, const struct cache_entry *e)
{
	int rc = SQLITE_OK;

	if (!e->host || !e->host[0])
		return err_set(ERR_IO, "cache: a result without a host name");
	rc = put_once(c, e);
	/* A damaged file is replaced by a new one: write the row there. */
	if (rc != SQLITE_OK && heal(c, rc))
		rc = put_once(c, e);
	return rc == SQLITE_OK ? ERR_OK : err_code(rc);
}

/* Runs one single-statement write with the given text and integer binds. */
static int write_row(struct cache *c, enum stmt which, const char *host, const char *a,
                     const char *b, int64_t n, int n_index)
{
	sqlite3_stmt *st = c->st[which];
	int rc = SQLITE_OK;

	bind_text(st, 1, host);
	if (a)
		bind_text(st, 2, a);
	if (b)
		bind_text(st, 3, b);
	if (n_index)
		sqlite3_bind_int64(st, n_index, n);
	rc = run(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int cache_set_state(struct cache *c, const char *host, const char *state, const char *reason,
                    int64_t now_ms)
{
	int rc = SQLITE_OK;

	if (!host || !host[0])
		return err_set(ERR_IO, "cache: a state without a host name");
	state = state ? state : "";
	reason = reason ? reason : "";
	rc = write_row(c, ST_STATE, host, state, reason, now_ms, 4);
	if (rc != SQLITE_OK && heal(c, rc))
		rc = write_row(c, ST_STATE, host, state, reason, now_ms, 4);
	if (rc != SQLITE_OK)
		return sql_error(c, rc, "cannot store a host state");
	return ERR_OK;
}

int cache_touch(struct cache *c, const char *host, int64_t now_ms)
{
	int rc = write_row(c, ST_TOUCH, host, NULL, NULL, now_ms, 2);

	if (rc != SQLITE_OK && !heal(c, rc))
		return sql_error(c, rc, "cannot mark a host seen");
	return ERR_OK;
}

int cache_remove(struct cache *c, const char *host)
{
	int rc = write_row(c, ST_REMOVE, host, NULL, NULL, 0, 0);

	if (rc != SQLITE_OK && !heal(c, rc))
		return sql_error(c, rc, "cannot remove a host");
	return ERR_OK;
}

static const char *column_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

/* Points e into the current row of st (borrowed until the next step). */
static void read_row(sqlite3_stmt *st, struct cache_entry *e)
{
	e->host = column_text(st, 0);
	e->token = column_text(st, 1);
	e->method = column_text(st, 2);
	e->opencode_version = column_text(st, 3);
	e->probed_at = sqlite3_column_int64(st, 4);
	e->latency_ms = sqlite3_column_int64(st, 5);
	e->state = column_text(st, 6);
	e->reason = column_text(st, 7);
	e->state_at = sqlite3_column_int64(st, 8);
	e->seen_at = sqlite3_column_int64(st, 9);
	e->reply = NULL;
	e->reply_len = 0;
	if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
		e->reply = sqlite3_column_blob(st, 10);
		e->reply_len = (size_t)sqlite3_column_bytes(st, 10);
		if (!e->reply)
			e->reply = "";
	}
}

int cache_get(struct cache *c, const char *host, struct cache_entry **out)
{
	sqlite3_stmt *st = c->st[ST_GET];
	struct cache_entry e = {0};
	int rc = SQLITE_OK;

	*out = NULL;
	bind_text(st, 1, host);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_row(st, &e);
		*out = cache_entry_dup(&e);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_OK)
		return read_error(c, rc, "cannot read a host");
	return ERR_OK;
}

int cache_each(struct cache *c, cache_each_fn fn, void *arg)
{
	sqlite3_stmt *st = c->st[ST_ALL];
	struct cache_entry e = {0};
	int stop = 0;
	int rc = SQLITE_OK;

	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &e);
		stop = fn(&e, arg);
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	if (rc == SQLITE_DONE)
		return ERR_OK;
	return read_error(c, rc, "cannot read the hosts");
}

long cache_count(struct cache *c)
{
	sqlite3_stmt *st = c->st[ST_COUNT];
	long n = -1;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		read_error(c, rc, "cannot count the hosts");
	return n;
}

int cache_evict(struct cache *c, int64_t max_age_ms, int64_t now_ms, int *evicted)
{
	sqlite3_stmt *st = c->st[ST_EVICT];
	int rc = SQLITE_OK;

	sqlite3_bind_int64(st, 1, now_ms - max_age_ms);
	rc = run(st);
	if (rc == SQLITE_OK && evicted)
		*evicted = sqlite3_changes(c->db);
	/* Hand the freed pages back (auto_vacuum = INCREMENTAL). */
	if (rc == SQLITE_OK && sqlite3_changes(c->db) > 0)
		rc = sqlite3_exec(c->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return read_error(c, rc, "cannot evict old hosts");
	return ERR_OK;
}

int cache_check(struct cache *c)
{
	sqlite3_stmt *st = NULL;
	char *found = NULL;
	int ret = ERR_OK;
	int rc = sqlite3_prepare_v2(c->db, "PRAGMA quick_check", -1, &st, NULL);

	/* One row "ok" when sound; else rows saying what is wrong. */
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		if (strcmp(column_text(st, 0), "ok")) {
			found = xstrdup(column_text(st, 0));
			rc = SQLITE_CORRUPT;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK && heal_because(c, rc, found))
		ret = err_set(ERR_IO, "%s", cache_warning(c));
	else if (rc != SQLITE_OK)
		ret = sql_error(c, rc, "cannot check the file");
	free(found);
	return ret;
}

struct cache_entry *cache_entry_dup(const struct cache_entry *e)
{
	const char *strs[] = {e->host,  e->token, e->method, e->opencode_version,
	                      e->state, e->reason};
	size_t lens[6];
	size_t size = sizeof(*e) + (e->reply ? e->reply_len + 1 : 0);
	struct cache_entry *d = NULL;
	char *p = NULL;

	for (int i = 0; i < 6; i++) {
		lens[i] = strs[i] ? strlen(strs[i]) : 0;
		size += lens[i] + 1;
	}
	d = xmalloc(size);
	*d = *e;
	p = (char *)(d + 1);
	if (e->reply) {
		if (e->reply_len)
			memcpy(p, e->reply, e->reply_len);
		p[e->reply_len] = '\0'; /* a text reply can be used as a string */
		d->reply = p;
		p += e->reply_len + 1;
	}
	for (int i = 0; i < 6; i++) {
		if (lens[i])
			memcpy(p, strs[i], lens[i]);
		p[lens[i]] = '\0';
		strs[i] = p;
		p += lens[i] + 1;
	}
	d->host = strs[0];
	d->token = strs[1];
	d->method = strs[2];
	d->opencode_version = strs[3];
	d->state = strs[4];
	d->reason = strs[5];
	return d;
}

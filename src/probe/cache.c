/* cache: the rows of the cache (one per host) on top of cache_file, which
 * owns the SQLite file and heals it when it is damaged. */
#include "probe/cache.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/cache_file.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#define COLUMNS                                                                         \
	"host, token, method, opencode_version, probed_at, latency_ms, state, reason, " \
	"state_at, seen_at, reply"

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
	struct cache_file file;
	sqlite3_stmt *st[ST_N];
};

struct cache *cache_open(const char *path)
{
	struct cache *c = xcalloc(1, sizeof(*c));

	c->file.stmt_sql = stmt_sql;
	c->file.st = c->st;
	c->file.n_st = ST_N;
	/* NULL, "" and ":memory:" ask for memory (file.path stays NULL). */
	if (path && path[0] && strcmp(path, ":memory:"))
		c->file.path = xstrdup(path);
	cache_file_open(&c->file);
	return c;
}

void cache_close(struct cache *c)
{
	if (!c)
		return;
	cache_file_close(&c->file);
	strbuf_free(&c->file.warning);
	free(c->file.path);
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
	return c->file.warning.len ? c->file.warning.buf : NULL;
}

void cache_clear_warning(struct cache *c)
{
	strbuf_reset(&c->file.warning);
}

bool cache_in_memory(const struct cache *c)
{
	return c->file.memory;
}

const char *cache_path(const struct cache *c)
{
	return cache_file_path(&c->file);
}

static bool heal(struct cache *c, int rc)
{
	return cache_file_heal(&c->file, rc, NULL);
}

static int sql_error(struct cache *c, int rc, const char *what)
{
	return cache_file_sql_error(&c->file, rc, what);
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
		if (!sqlite3_get_autocommit(c->file.db))
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
	return rc == SQLITE_OK ? ERR_OK : cache_file_err_code(rc);
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
		*evicted = sqlite3_changes(c->file.db);
	/* Hand the freed pages back (auto_vacuum = INCREMENTAL). */
	if (rc == SQLITE_OK && sqlite3_changes(c->file.db) > 0)
		rc = sqlite3_exec(c->file.db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return read_error(c, rc, "cannot evict old hosts");
	return ERR_OK;
}

int cache_check(struct cache *c)
{
	sqlite3_stmt *st = NULL;
	char *found = NULL;
	int ret = ERR_OK;
	int rc = sqlite3_prepare_v2(c->file.db, "PRAGMA quick_check", -1, &st, NULL);

	/* One row "ok" when sound; else rows saying what is wrong. */
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		if (strcmp(column_text(st, 0), "ok")) {
			found = xstrdup(column_text(st, 0));
			rc = SQLITE_CORRUPT;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK && cache_file_heal(&c->file, rc, found))
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

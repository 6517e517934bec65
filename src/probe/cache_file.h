/* cache_file: the SQLite file behind the cache, and what happens to it when
 * it is damaged.
 *
 * Opening sniffs the file, reads its header (application id, schema
 * version), sets up or migrates the schema and prepares the caller's
 * statements. A damaged, foreign, newer or unreadable file is moved aside
 * (PATH.corrupt-<time> or PATH.newer-<time>, with its -wal and -shm) and
 * rebuilt; when even that fails the cache lives in memory. Each event adds a
 * line to `warning`. The rows themselves are cache.c's business. */
#ifndef CODEFLEET_PROBE_CACHE_FILE_H
#define CODEFLEET_PROBE_CACHE_FILE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/strbuf.h"

struct cache_file {
	sqlite3 *db;
	char *path; /* the file asked for; NULL for a memory cache by request */
	bool memory;
	/* The file that was judged or opened at path, so that a file another
	 * process has already replaced is never moved aside by mistake. */
	bool have_id;
	dev_t dev;
	ino_t ino;
	struct strbuf warning;
	/* The statements prepared on every (re)opening, n_st of them: a file
	 * they do not prepare on "has an unexpected layout". */
	const char *const *stmt_sql;
	sqlite3_stmt **st;
	int n_st;
};

/* Opens f->path (NULL: memory) with f->stmt_sql, f->st and f->n_st set by
 * the caller. Never fails: see f->warning. */
void cache_file_open(struct cache_file *f);
/* Finalizes the statements and closes the connection (not the warning). */
void cache_file_close(struct cache_file *f);
/* The file in use; ":memory:" when in memory. */
const char *cache_file_path(const struct cache_file *f);

/* True when an SQLite result code says the file is damaged. */
bool cache_file_is_damage(int rc);
/* ERR_TIMEOUT for a busy file, else ERR_IO. */
int cache_file_err_code(int rc);
/* Records "cache PATH: what: SQLite's message" with err_set; returns the code. */
int cache_file_sql_error(struct cache_file *f, int rc, const char *what);

/* After an error: a damaged file is moved aside and rebuilt (or the cache
 * goes to memory). detail says what was found (NULL: SQLite's message).
 * Returns true when that happened. */
bool cache_file_heal(struct cache_file *f, int rc, const char *detail);

#endif

/* cache: every host's last good probe result, kept in a local SQLite file
 * ($XDG_CACHE_HOME/codefleet/cache.db) so the first frame is drawn from it
 * before any network (stale-while-revalidate, STYLE.md habit 7).
 *
 * The reply is stored as opaque bytes: the probe module decodes it, so the
 * cache does not depend on the fleet model. Each write is one transaction.
 *
 * The cache never stops the program: a corrupt, foreign, newer or unreadable
 * file is moved aside (cache.db -> cache.db.corrupt-<time>, or .newer-<time>
 * for a newer schema, with its -wal and -shm) and rebuilt; if even that fails the cache lives in
 * memory only. Either way cache_warning() then holds a line for the user. Several processes may
 * share one file (WAL, busy timeout). A struct cache is used by one thread at a time. See
 * docs/cache.md for the decisions. */
#ifndef CODEFLEET_PROBE_CACHE_H
#define CODEFLEET_PROBE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Written in PRAGMA user_version; bump it with a migration in cache_file.c. */
#define CACHE_SCHEMA_VERSION 1
/* Written in PRAGMA application_id: "CFLC", codefleet cache. */
#define CACHE_APPLICATION_ID 0x43464c43

/* A suggested eviction age: a host nobody probed or looked at for 30 days
 * (it left ssh_config, most likely). */
#define CACHE_DEFAULT_MAX_AGE_MS (30LL * 24 * 60 * 60 * 1000)

struct cache;

/* One host's row. Strings are never NULL when read back ("" when unknown).
 * reply is NULL when the host never answered a probe well (only its state
 * is known); otherwise it points to reply_len bytes (maybe zero). */
struct cache_entry {
	const char *host;
	const void *reply; /* raw bytes of the last good probe reply */
	size_t reply_len;
	const char *token;  /* change token of that reply */
	const char *method; /* how the host was read: "sqlite3", ... */
	const char *opencode_version;
	int64_t probed_at;  /* ms since the epoch, of the last good probe */
	int64_t latency_ms; /* of the last good probe */
	const char *state;  /* last state seen: "ok", "offline", ... */
	const char *reason; /* its one-line reason */
	int64_t state_at;   /* ms, when that state was seen */
	int64_t seen_at;    /* ms, when a user last looked at the host */
};

/* The default file: $XDG_CACHE_HOME/codefleet/cache.db, else
 * $HOME/.cache/codefleet/cache.db. Returns a new string (caller frees), or
 * NULL when neither variable is set. */
char *cache_default_path(void);

/* Opens (creating its folders) or creates the cache at path; path NULL, ""
 * or ":memory:" keeps it in memory. Never fails: see cache_warning(). Returns a
 * new cache, free with cache_close(). */
struct cache *cache_open(const char *path);
/* Closes the file; NULL is fine. */
void cache_close(struct cache *c);

/* What went wrong and what was done about it, one line per event, for the
 * user ("cache: PATH is not an SQLite database: moved aside to PATH.corrupt-
 * 20261130T040519Z, starting empty"); NULL when nothing happened. Events
 * accumulate (a file can be healed while in use) until cleared. Valid until
 * the next call on c. */
const char *cache_warning(const struct cache *c);
void cache_clear_warning(struct cache *c);
/* True when the cache lives in memory only (by request or by necessity). */
bool cache_in_memory(const struct cache *c);
/* The file in use; ":memory:" when in memory. */
const char *cache_path(const struct cache *c);

/* Stores a good probe result: the fields of e replace the host's row in one
 * transaction. NULL strings are stored as ""; state NULL means "ok" and
 * state_at 0 means probed_at; seen_at 0 keeps the stored one; reply NULL
 * keeps the stored reply (an "unchanged" answer: the change token matched,
 * so 50 KB need not be written again). A damaged file is moved aside and
 * the row written to the new one. Returns ERR_OK, ERR_TIMEOUT when another
 * process held the file past the busy timeout, or ERR_IO; on error the old
 * row is intact. */
int cache_put(struct cache *c, const struct cache_entry *e);
/* Records the state last seen for a host (a failed probe keeps the reply of
 * the last good one), creating the row if needed. Returns ERR_OK or ERR_IO. */
int cache_set_state(struct cache *c, const char *host, const char *state, const char *reason,
                    int64_t now_ms);
/* Marks a host as looked at now (keeps it from eviction). Returns ERR_OK or
 * ERR_IO; a host without a row is ignored. */
int cache_touch(struct cache *c, const char *host, int64_t now_ms);

/* Finds a host. Returns ERR_OK with a new *out (free with free()), or
 * ERR_OK with *out NULL when the host has no row, or ERR_IO. */
int cache_get(struct cache *c, const char *host, struct cache_entry **out);

/* Called once per row, in host order. The entry and its bytes are borrowed:
 * valid only during the call (copy with cache_entry_dup()). Return 0 to go
 * on, anything else to stop (cache_each() then returns that value). */
typedef int (*cache_each_fn)(const struct cache_entry *e, void *arg);
/* Calls fn for every row, in one read transaction (a consistent snapshot).
 * fn must not call other functions on the same cache. Returns ERR_OK, fn's
 * non-zero value, or ERR_IO (a damaged file is then moved aside and rebuilt,
 * with a warning: drop the rows already delivered). */
int cache_each(struct cache *c, cache_each_fn fn, void *arg);
/* The number of rows, or -1 on error. */
long cache_count(struct cache *c);

/* Deletes the rows whose every time (probed_at, state_at, seen_at) is older
 * than now_ms - max_age_ms, then returns their space to the file system.
 * Returns ERR_OK (and the number deleted in *evicted when not NULL) or ERR_IO. */
int cache_evict(struct cache *c, int64_t max_age_ms, int64_t now_ms, int *evicted);
/* Deletes one host's row. Returns ERR_OK or ERR_IO. */
int cache_remove(struct cache *c, const char *host);

/* Runs SQLite's quick_check over the whole file (slower than opening: for
 * idle time or `codefleet doctor`). A damaged file is moved aside and
 * rebuilt, with a warning. Returns ERR_OK when the file was sound. */
int cache_check(struct cache *c);

/* Returns a copy of e in one allocation (free with free()). */
struct cache_entry *cache_entry_dup(const struct cache_entry *e);

#endif

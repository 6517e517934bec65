/* probe_model: one host's probe result — host state, the OpenCode data read
 * there (projects, sessions) and the running OpenCode processes.
 *
 * A result owns every string and array in it; probe_result_free() frees all.
 * Text fields shown on screen (titles, paths, agent, model, reason) are
 * always valid, sanitised UTF-8 (util/utf8.h) once probe_reply filled them.
 * Times are milliseconds since the epoch; 0 means unknown or not set. */
#ifndef CODEFLEET_PROBE_MODEL_H
#define CODEFLEET_PROBE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(enum suffix, JSON/state name) — the names are the stable `state` words. */
#define PROBE_HOST_STATES(X)                  \
	X(OK, "ok")                           \
	X(STALE, "stale")                     \
	X(CONNECTING, "connecting")           \
	X(OFFLINE, "offline")                 \
	X(TIMEOUT, "timeout")                 \
	X(AUTH_REQUIRED, "auth-required")     \
	X(HOSTKEY_UNKNOWN, "hostkey-unknown") \
	X(HOSTKEY_CHANGED, "hostkey-changed") \
	X(NO_OPENCODE, "no-opencode")         \
	X(ERROR, "error")

enum probe_host_state {
#define PROBE_HOST_ENUM(name, text) PROBE_HOST_##name,
	PROBE_HOST_STATES(PROBE_HOST_ENUM)
#undef PROBE_HOST_ENUM
	    PROBE_HOST_STATE_COUNT
};

#define PROBE_SESSION_STATUSES(X) \
	X(IDLE, "idle")           \
	X(ACTIVE, "active")       \
	X(RUNNING, "running")     \
	X(ERRORED, "errored")     \
	X(ARCHIVED, "archived")

enum probe_session_status {
#define PROBE_SESSION_ENUM(name, text) PROBE_SESSION_##name,
	PROBE_SESSION_STATUSES(PROBE_SESSION_ENUM)
#undef PROBE_SESSION_ENUM
	    PROBE_SESSION_STATUS_COUNT
};

/* How the remote probe read the data (the `method` word). */
#define PROBE_METHODS(X)              \
	X(NONE, "none")               \
	X(SQLITE3, "sqlite3")         \
	X(PYTHON3, "python3")         \
	X(OPENCODE_DB, "opencode-db") \
	X(JSON_FILES, "json-files")   \
	X(SESSION_LIST, "session-list")

enum probe_method {
#define PROBE_METHOD_ENUM(name, text) PROBE_METHOD_##name,
	PROBE_METHODS(PROBE_METHOD_ENUM)
#undef PROBE_METHOD_ENUM
	    PROBE_METHOD_COUNT
};

/* Where a session's row came from; the database wins over older sources. */
enum probe_source {
	PROBE_SOURCE_DB,
	PROBE_SOURCE_JSON_FILES,
	PROBE_SOURCE_SESSION_LIST,
};

struct probe_process {
	long pid;
	long ppid;
	int64_t start; /* ms since the epoch, 0 when unknown */
	char *cwd;     /* NULL when unknown */
	char **argv;   /* argc strings, argv[0] the opencode binary */
	size_t argc;
	int *listen; /* TCP ports it listens on */
	size_t nlisten;
	bool serve;        /* `opencode serve` or `opencode web` */
	char *session_arg; /* the id given with -s/--session, or NULL */
	bool continues;    /* -c/--continue */
	char *pwd;         /* its $PWD, which opencode records as a session's
	                    * directory (symlinks kept); NULL when unknown */
};

struct probe_project {
	char *id;
	char *worktree;
	char *vcs;  /* NULL when none */
	char *name; /* NULL when none */
	int64_t created;
	int64_t updated;
};

struct probe_session {
	char *id;
	char *title;
	char *directory;
	char *project_id;
	char *project_worktree; /* NULL when unknown */
	char *parent_id;        /* NULL for a root session */
	char *agent;            /* last agent, NULL when none yet */
	char *model;            /* "provider/model", NULL when none yet */
	char *error_name;       /* newest assistant message's error, or NULL */
	int64_t created;
	int64_t updated;
	int64_t archived;     /* 0 when not archived */
	int64_t last_message; /* newest message update, 0 when none */
	double cost;
	int64_t tokens_input;
	int64_t tokens_output;
	int64_t tokens_reasoning;
	int64_t tokens_cache_read;
	int64_t tokens_cache_write;
	int64_t messages;    /* -1 when unknown */
	int64_t todos_done;  /* -1 when unknown */
	int64_t todos_total; /* -1 when unknown */
	bool busy;           /* newest assistant message has no time.completed */
	bool errored;        /* newest assistant message carries an error */
	bool live;           /* a running process was matched to it */
	enum probe_source source;
	enum probe_session_status status; /* set by probe_result_classify() */
};

struct probe_result {
	enum probe_host_state state;
	char *reason; /* one line, NULL when state is ok */
	enum probe_method method;
	bool unchanged; /* the host said nothing changed since the given token */
	char *opencode_path;
	char *opencode_version;
	char *db_path;
	char *storage_path;
	char *hostname;
	char *home; /* $HOME as the probe's shell saw it; NULL when unset or
	             * the reply predates it */
	char *sqlite_version;
	char *warnings;
	char *token;       /* the change token to send next time */
	int64_t probed_at; /* local clock, set by the caller */
	int64_t host_now;  /* the host's clock when it answered */

	struct probe_process *procs;
	size_t nprocs;
	int *serve_ports;
	size_t nserve_ports;
	struct probe_project *projects;
	size_t nprojects;
	struct probe_session *sessions;
	size_t nsessions;
};

/* Returns a new empty result (state error, method none); free with
 * probe_result_free(). */
struct probe_result *probe_result_new(void);
void probe_result_free(struct probe_result *r);

/* The stable name of a state ("auth-required"); "error" for a bad value. */
const char *probe_host_state_name(enum probe_host_state st);
/* Parses a state name; returns 0 and sets *out, or -1 when unknown. */
int probe_host_state_parse(const char *name, enum probe_host_state *out);
const char *probe_session_status_name(enum probe_session_status st);
const char *probe_method_name(enum probe_method m);
int probe_method_parse(const char *name, enum probe_method *out);

/* Sets r->state and r->reason (copied, may be NULL). */
void probe_result_set_state(struct probe_result *r, enum probe_host_state st, const char *reason);

/* Adds an empty element and returns it (owned by r). */
struct probe_session *probe_result_add_session(struct probe_result *r);
struct probe_project *probe_result_add_project(struct probe_result *r);
struct probe_process *probe_result_add_process(struct probe_result *r);

/* Free what an element owns (not the element) and zero it. */
void probe_session_clear(struct probe_session *s);
void probe_project_clear(struct probe_project *p);
void probe_process_clear(struct probe_process *p);

struct probe_session *probe_result_find_session(const struct probe_result *r, const char *id);
struct probe_project *probe_result_find_project(const struct probe_result *r, const char *id);

/* The session process p runs, by the rules of probe_result_classify
 * (-s ID; else the newest non-archived root session of its $PWD, else of
 * its cwd; a serve runs none), or NULL. */
struct probe_session *probe_result_process_session(const struct probe_result *r,
                                                   const struct probe_process *p);
/* True when p could be writing s's unfinished assistant message: a serve,
 * or any opencode process in s's directory. */
bool probe_process_may_write(const struct probe_process *p, const struct probe_session *s);

/* Derives each session's status (see docs/probe-protocol.md, "Status"):
 *   running  a live process runs it: `opencode -s ID` / `--session ID`;
 *            a TUI or `run` (no id, or -c) whose $PWD (else cwd) is the
 *            session's directory runs that directory's newest non-archived
 *            root session; or its newest assistant message is unfinished while
 *            an opencode process (a serve, or any TUI in that directory)
 *            is alive. An unfinished message with no opencode process on
 *            the host is a leftover of a crash: not running.
 *   archived time_archived set (and not running)
 *   errored  the newest assistant message carries an error
 *   active   updated (or a message updated) within active_ms of now_ms
 *   idle     everything else.
 * Also fills serve_ports from the serve processes. */
void probe_result_classify(struct probe_result *r, int64_t now_ms, int64_t active_ms);

#endif

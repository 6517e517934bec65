/* disc_config: the codefleet configuration file (YAML, libyaml).
 *
 * Durations are disc_duration's, the walker disc_yaml's, keybindings
 * disc_keys', the file on disk disc_cfgfile's, writing it back
 * disc_cfgwrite's; this header is what the rest of the program uses.
 *
 * Every key, its type, default and meaning is documented in
 * docs/configuration.md; the shipped, commented default is
 * config/codefleet.yaml, which is embedded in the binary and written on the
 * first run. A loaded configuration is read-only afterwards. */
#ifndef CODEFLEET_DISC_CONFIG_H
#define CODEFLEET_DISC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "discovery/disc_strv.h"

struct strbuf;

enum disc_mode {
	DISC_MODE_READ_ONLY, /* look, never act */
	DISC_MODE_OPERATOR,  /* actions allowed inside the host's roots */
};

enum disc_theme {
	DISC_THEME_AUTO,
	DISC_THEME_NIGHTOPS,
	DISC_THEME_LIGHT,
	DISC_THEME_MINIMAL,
};

enum disc_sort {
	DISC_SORT_LAST_ACTIVITY,
	DISC_SORT_NAME,
	DISC_SORT_HOST,
};

enum disc_hostkey {
	DISC_HOSTKEY_ASK,        /* unknown key: the host waits for the user */
	DISC_HOSTKEY_YES,        /* unknown key: refused */
	DISC_HOSTKEY_ACCEPT_NEW, /* unknown key: recorded and accepted */
};

/* Every key of the dashboard is an action (keybindings.<name>); the third
 * column is its default keys, space-separated ("j down"), split when the
 * defaults are filled (disc_keys_default). No two actions share a default.
 * Ctrl-c and Esc are not here: they always quit and close (disc_keys). */
#define DISC_ACTIONS(X)                            \
	X(MOVE_DOWN, "move_down", "j down")        \
	X(MOVE_UP, "move_up", "k up")              \
	X(COLLAPSE, "collapse", "h left")          \
	X(EXPAND, "expand", "l right")             \
	X(TOGGLE, "toggle", "space")               \
	X(TOP, "top", "g home")                    \
	X(BOTTOM, "bottom", "G end")               \
	X(PAGE_DOWN, "page_down", "ctrl+d pgdown") \
	X(PAGE_UP, "page_up", "ctrl+u pgup")       \
	X(ATTACH, "attach", "enter")               \
	X(SEARCH, "search", "/")                   \
	X(NEXT_MATCH, "next_match", "n")           \
	X(PREV_MATCH, "prev_match", "N")           \
	X(REFRESH, "refresh", "r")                 \
	X(REFRESH_HOST, "refresh_host", "R")       \
	X(QUIT, "quit", "q")                       \
	X(NEW_SESSION, "new_session", "c")         \
	X(STOP_SESSION, "stop_session", "s")       \
	X(ARCHIVE_SESSION, "archive_session", "d") \
	X(GIT_CLONE, "git_clone", "C")             \
	X(INSPECT, "inspect", "i")                 \
	X(CYCLE_VIEW, "cycle_view", "tab")         \
	X(AUTHENTICATE, "authenticate", "a")       \
	X(ERROR_DETAIL, "error_detail", "e")       \
	X(HELP, "help", "?")

enum disc_action {
#define DISC_ACTION_ENUM(id, name, keys) DISC_ACT_##id,
	DISC_ACTIONS(DISC_ACTION_ENUM)
#undef DISC_ACTION_ENUM
	    DISC_ACT_COUNT
};

struct disc_config_group {
	char *name;
	struct disc_strv globs;
};

/* hosts.overrides.<alias>: what is unset here comes from the top level. */
struct disc_config_override {
	char *alias;
	char *label; /* NULL: unset */
	bool has_priority;
	int priority;
	char *opencode_path;    /* NULL: unset */
	struct disc_strv roots; /* n == 0: unset */
	int mode;               /* enum disc_mode, or -1: unset */
};

struct disc_config {
	char *path; /* the file read; NULL for built-in defaults */
	struct {
		int64_t interval_ms;
		int64_t timeout_ms;
		int max_parallel;
	} polling;
	struct {
		int theme; /* enum disc_theme */
		bool unicode;
		bool animation;
		int64_t active_threshold_ms;
		int64_t idle_threshold_ms;
	} display;
	struct {
		struct disc_strv include;
		struct disc_strv ignore;
		struct disc_config_group *groups; /* in file order */
		size_t n_groups;
		struct disc_config_override *overrides;
		size_t n_overrides;
	} hosts;
	struct {
		int64_t connect_timeout_ms;
		bool batch_mode;
		int64_t keepalive_interval_ms; /* 0: off */
		int keepalive_count_max;
		int strict_host_key_checking; /* enum disc_hostkey */
		int max_channels;
		bool compression;
	} ssh;
	struct {
		int sort_by; /* enum disc_sort */
		bool show_archived;
		int max_display;
		bool show_empty_projects;
	} sessions;
	struct disc_strv keys[DISC_ACT_COUNT]; /* per action: normalised key names */
	struct disc_strv roots;
	int mode; /* enum disc_mode */
	bool local;
};

/* Built-in defaults (the values config/codefleet.yaml spells out). */
struct disc_config *disc_config_new_defaults(void);
void disc_config_free(struct disc_config *cfg);

/* Reads one config file over the defaults. Warnings (unknown keys) go to
 * `warn` as "codefleet: warning: FILE:LINE:COL: ..." lines; NULL drops them.
 * A missing file is an error. Returns ERR_OK and a new *out, or ERR_CONFIG
 * with err_text() "FILE:LINE:COL: key: expected ..., got '...'". */
int disc_config_load(const char *path, FILE *warn, struct disc_config **out);

/* Parses YAML text (`name` is used in messages), as disc_config_load. */
int disc_config_parse(const char *name, const char *text, size_t len, FILE *warn,
                      struct disc_config **out);

/* What the command line uses: `cli_path` (-c) when given (must exist), else
 * the default path (disc_cfgfile_default_path); when that does not exist
 * yet, it is created first (disc_config_bootstrap). Messages go to `msgs`. */
int disc_config_open(const char *cli_path, FILE *msgs, struct disc_config **out);

/* First run: writes `path` (creating folders, atomically, never replacing an
 * existing file: disc_cfgfile_create). When `import_path` (normally
 * ~/.opencode/remote-tui.yaml) exists and reads, its values are converted and
 * written (disc_cfgwrite_yaml), and one line says so on `msgs`; otherwise the
 * shipped default text is written.
 * Returns ERR_OK, or ERR_IO with the reason. */
int disc_config_bootstrap(const char *path, const char *import_path, FILE *msgs);

/* Converts a reference-TUI remote-tui.yaml file into a configuration.
 * Values it cannot use are reported on `warn` and left at their defaults. */
int disc_config_import(const char *path, FILE *warn, struct disc_config **out);

/* The shipped config/codefleet.yaml, embedded at build time by
 * cmake/embed.cmake (NUL-terminated). */
const char *disc_config_default_text(size_t *len);

/* The same as disc_cfgfile_default_path(), disc_cfgwrite_yaml(),
 * disc_duration_parse() and disc_duration_format(): the names the rest of
 * the program calls. */
char *disc_config_default_path(void);
void disc_config_write_yaml(const struct disc_config *cfg, struct strbuf *sb);
bool disc_config_parse_duration(const char *s, int64_t *ms);
void disc_config_format_duration(int64_t ms, char *buf, size_t size);

/* Name lookups for the enums ("read-only", "nightops", ...). */
const char *disc_config_mode_name(int mode);
const char *disc_config_theme_name(int theme);
const char *disc_config_sort_name(int sort);
const char *disc_config_hostkey_name(int hk);
const char *disc_config_action_name(int action);

/* The override for a host name (case-insensitive), or NULL. */
const struct disc_config_override *disc_config_override_for(const struct disc_config *cfg,
                                                            const char *name);

#endif

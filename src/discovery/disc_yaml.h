/* disc_yaml: a schema walker over a libyaml document tree, whose messages
 * name FILE:LINE:COL, the dotted key and the form that was expected.
 *
 * A schema is a table of fields (key, kind, offset into the walked struct);
 * each leaf kind has one setter that checks and converts a node. Unknown
 * keys warn and are ignored, duplicate keys are errors. A lenient walk (an
 * import of someone else's file) turns a bad value into a warning and keeps
 * what was there. disc_config holds the schema itself. */
#ifndef CODEFLEET_DISC_YAML_H
#define CODEFLEET_DISC_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <yaml.h>

#include "discovery/disc_strv.h"
#include "util/strbuf.h"

enum disc_yaml_kind {
	DISC_YAML_SECTION,    /* mapping of sub-fields */
	DISC_YAML_DURATION,   /* int64_t milliseconds, at least min */
	DISC_YAML_SECONDS,    /* the same, also from a whole number of seconds */
	DISC_YAML_INT,        /* int from min to max */
	DISC_YAML_BOOL,       /* bool */
	DISC_YAML_ENUM,       /* int index into names */
	DISC_YAML_STRING,     /* char *, replaced */
	DISC_YAML_GLOBS,      /* struct disc_strv of non-empty globs, at least one */
	DISC_YAML_GLOBS0,     /* the same, may be empty */
	DISC_YAML_ROOTS,      /* struct disc_strv of folders: ~, ~/... or /... */
	DISC_YAML_MAP,        /* a mapping that fn walks; lenient like a leaf */
	DISC_YAML_MAP_STRICT, /* the same, but its errors stop a lenient walk too */
	DISC_YAML_IGNORE,     /* accepted and dropped */
};

struct disc_yaml;

/* A field's hook. SECTION and leaves: runs after the value is set (a check
 * across fields, or a mark); MAP: walks the mapping. base is the struct the
 * field's table walks. Returns ERR_OK or ERR_CONFIG. */
typedef int (*disc_yaml_fn)(struct disc_yaml *y, yaml_node_t *node, void *base);

struct disc_yaml_field {
	const char *key;
	enum disc_yaml_kind kind;
	size_t off;                        /* into base */
	const struct disc_yaml_field *sub; /* SECTION: its fields (base stays the same) */
	const char *const *names;          /* ENUM: NULL-terminated */
	long long min, max;                /* INT, DURATION */
	disc_yaml_fn fn;
};

struct disc_yaml {
	const char *name;        /* the file, for messages */
	const char *root_expect; /* what the top level must be, for messages */
	FILE *warn;              /* NULL drops warnings */
	bool lenient;            /* a bad value warns and keeps the default */
	void *user;              /* the caller's, for its hooks */
	yaml_document_t *doc;    /* set during disc_yaml_walk */
	struct strbuf path;      /* the dotted key being walked */
};

/* Parses text and walks its top-level mapping with fields over base; an
 * empty document is fine. Returns ERR_OK or ERR_CONFIG with err_text()
 * "NAME:LINE:COL: ...". Free y->path with strbuf_free afterwards. */
int disc_yaml_walk(struct disc_yaml *y, const char *text, size_t len,
                   const struct disc_yaml_field *fields, void *base);
/* Walks one mapping node with fields over base. */
int disc_yaml_walk_mapping(struct disc_yaml *y, yaml_node_t *map,
                           const struct disc_yaml_field *fields, void *base);

/* One entry of a mapping of names (groups, overrides, keybindings). */
typedef int (*disc_yaml_entry_fn)(struct disc_yaml *y, yaml_node_t *key, yaml_node_t *value,
                                  void *base);
/* Checks that every key of map is a non-empty name used once, then calls fn
 * for each entry in file order with the key on the path; stops at the first
 * error. */
int disc_yaml_walk_names(struct disc_yaml *y, yaml_node_t *map, disc_yaml_entry_fn fn, void *base);

const char *disc_yaml_scalar(const yaml_node_t *n);
/* An empty plain scalar, ~ or null. */
bool disc_yaml_is_null(const yaml_node_t *n);

typedef bool (*disc_yaml_item_ok)(const char *s);
/* A list of strings each passing ok, or one string as a list of one; on
 * success it replaces *dst. expect_item is named in messages. */
int disc_yaml_set_list(struct disc_yaml *y, yaml_node_t *n, struct disc_strv *dst,
                       disc_yaml_item_ok ok, const char *expect_item, bool allow_empty);
/* What DISC_YAML_GLOBS accepts, and how it says so. */
bool disc_yaml_glob_ok(const char *s);
#define DISC_YAML_GLOB_EXPECT "a non-empty glob like web-*"

/* Records "NAME:LINE:COL: key: expected E, got 'V'" and returns ERR_CONFIG. */
int disc_yaml_bad(struct disc_yaml *y, const yaml_node_t *n, const char *expected);
/* "codefleet: warning: NAME:LINE:COL: " then fmt with arg, on y->warn. */
void disc_yaml_warn(struct disc_yaml *y, yaml_mark_t m, const char *fmt, const char *arg);
/* "unknown key 'KEY' ignored" for key node k (its path already pushed). */
void disc_yaml_warn_unknown(struct disc_yaml *y, const yaml_node_t *k);
/* The recorded error (which names file:line:col) as a warning, then what. */
void disc_yaml_warn_err(struct disc_yaml *y, const char *what);

#endif

/* disc_config: load, validate, import and write the YAML configuration.
 *
 * The schema is a set of field tables (struct field) walked over the libyaml
 * document tree; each leaf kind has one setter that checks and converts a
 * node and names file:line:col, key and expected form when it cannot. The
 * reference TUI's remote-tui.yaml is read by the same walker with its own
 * tables and `import` set, which turns a bad value into a warning. */
#include "discovery/disc_config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "util/err.h"
#include "util/jsonw.h"
#include "util/strbuf.h"
#include "util/xmem.h"

/* config/codefleet.yaml as a C string (cmake/embed.cmake): one source of truth. */
#include "embed/embed_default_config.h"

#define PRIORITY_MIN (-1000000)
#define PRIORITY_MAX 1000000
#define DURATION_MAX ((int64_t)1000 * 1000 * 1000 * 1000 * 1000) /* ~31700 years */

const char *disc_config_default_text(size_t *len)
{
	if (len)
		*len = sizeof(embed_default_config) - 1;
	return embed_default_config;
}

/* ---- names ---------------------------------------------------------------- */

static const char *const mode_names[] = {"read-only", "operator", NULL};
static const char *const theme_names[] = {"auto", "nightops", "light", "minimal", NULL};
static const char *const sort_names[] = {"last_activity", "name", "host", NULL};
static const char *const hostkey_names[] = {"ask", "yes", "accept-new", NULL};

static const char *const action_names[] = {
#define DISC_ACTION_NAME(id, name, key) name,
    DISC_ACTIONS(DISC_ACTION_NAME)
#undef DISC_ACTION_NAME
        NULL};

static const char *const action_default_keys[] = {
#define DISC_ACTION_KEY(id, name, key) key,
    DISC_ACTIONS(DISC_ACTION_KEY)
#undef DISC_ACTION_KEY
};

static const char *name_of(const char *const *names, int v)
{
	for (int i = 0; names[i]; i++)
		if (i == v)
			return names[i];
	return "?";
}

const char *disc_config_mode_name(int mode)
{
	return name_of(mode_names, mode);
}

const char *disc_config_theme_name(int theme)
{
	return name_of(theme_names, theme);
}

const char *disc_config_sort_name(int sort)
{
	return name_of(sort_names, sort);
}

const char *disc_config_hostkey_name(int hk)
{
	return name_of(hostkey_names, hk);
}

const char *disc_config_action_name(int action)
{
	return name_of(action_names, action);
}

/* ---- string lists ----------------------------------------------------------- */

static void strv_free(struct disc_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

static void strv_push(struct disc_strv *sv, const char *s)
{
	sv->v = xrealloc(sv->v, sv->n + 2, sizeof(char *));
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

static void strv_set1(struct disc_strv *sv, const char *s)
{
	strv_free(sv);
	strv_push(sv, s);
}

/* ---- defaults and free ---------------------------------------------------- */

struct disc_config *disc_config_new_defaults(void)
{
	struct disc_config *cfg = xcalloc(1, sizeof(*cfg));

	cfg->polling.interval_ms = 30 * 1000;
	cfg->polling.timeout_ms = 10 * 1000;
	cfg->polling.max_parallel = 16;
	cfg->display.theme = DISC_THEME_AUTO;
	cfg->display.unicode = true;
	cfg->display.animation = true;
	cfg->display.active_threshold_ms = 10 * 60 * 1000;
	cfg->display.idle_threshold_ms = 24 * 3600 * 1000;
	strv_push(&cfg->hosts.include, "*");
	cfg->ssh.connect_timeout_ms = 10 * 1000;
	cfg->ssh.batch_mode = true;
	cfg->ssh.keepalive_interval_ms = 30 * 1000;
	cfg->ssh.keepalive_count_max = 3;
	cfg->ssh.strict_host_key_checking = DISC_HOSTKEY_ASK;
	cfg->ssh.max_channels = 4;
	cfg->ssh.compression = false;
	cfg->sessions.sort_by = DISC_SORT_LAST_ACTIVITY;
	cfg->sessions.show_archived = false;
	cfg->sessions.max_display = 50;
	cfg->sessions.show_empty_projects = false;
	for (int i = 0; i < DISC_ACT_COUNT; i++)
		strv_push(&cfg->keys[i], action_default_keys[i]);
	strv_push(&cfg->roots, "~");
	cfg->mode = DISC_MODE_OPERATOR;
	cfg->local = true;
	return cfg;
}

static void override_free(struct disc_config_override *ov)
{
	free(ov->alias);
	free(ov->label);
	free(ov->opencode_path);
	strv_free(&ov->roots);
}

static void groups_clear(struct disc_config *cfg)
{
	for (size_t i = 0; i < cfg->hosts.n_groups; i++) {
		free(cfg->hosts.groups[i].name);
		strv_free(&cfg->hosts.groups[i].globs);
	}
	free(cfg->hosts.groups);
	cfg->hosts.groups = NULL;
	cfg->hosts.n_groups = 0;
}

static void overrides_clear(struct disc_config *cfg)
{
	for (size_t i = 0; i < cfg->hosts.n_overrides; i++)
		override_free(&cfg->hosts.overrides[i]);
	free(cfg->hosts.overrides);
	cfg->hosts.overrides = NULL;
	cfg->hosts.n_overrides = 0;
}

void disc_config_free(struct disc_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	strv_free(&cfg->hosts.include);
	strv_free(&cfg->hosts.ignore);
	groups_clear(cfg);
	overrides_clear(cfg);
	for (int i = 0; i < DISC_ACT_COUNT; i++)
		strv_free(&cfg->keys[i]);
	strv_free(&cfg->roots);
	free(cfg);
}

const struct disc_config_override *disc_config_override_for(const struct disc_config *cfg,
                                                            const char *name)
{
	for (size_t i = 0; i < cfg->hosts.n_overrides; i++)
		if (!strcasecmp(cfg->hosts.overrides[i].alias, name))
			return &cfg->hosts.overrides[i];
	return NULL;
}

/* ---- durations ------------------------------------------------------------ */

static int64_t unit_ms(const char **p)
{
	const char *s = *p;

	if (!strncmp(s, "ms", 2)) {
		*p = s + 2;
		return 1;
	}
	*p = s + 1;
	switch (*s) {
	case 's':
		return 1000;
	case 'm':
		return 60 * 1000;
	case 'h':
		return 3600 * 1000;
	case 'd':
		return 24 * 3600 * 1000;
	}
	*p = s;
	return 0;
}

bool disc_config_parse_duration(const char *s, int64_t *ms)
{
	double total = 0;

	if (!strcmp(s, "0")) {
		*ms = 0;
		return true;
	}
	if (!*s)
		return false;
	while (*s) {
		double num = 0, frac = 0.1;
		int64_t unit;
		bool digits = false;

		for (; *s >= '0' && *s <= '9'; s++, digits = true)
			num = num * 10 + (*s - '0');
		if (*s == '.') {
			if (!digits || s[1] < '0' || s[1] > '9')
				return false;
			for (s++; *s >= '0' && *s <= '9'; s++, frac /= 10)
				num += frac * (*s - '0');
		}
		unit = unit_ms(&s);
		if (!digits || unit == 0)
			return false;
		total += num * (double)unit;
		if (total > (double)DURATION_MAX)
			return false;
	}
	*ms = (int64_t)(total + 0.5);
	return true;
}

void disc_config_format_duration(int64_t ms, char *buf, size_t size)
{
	static const struct {
		int64_t ms;
		const char *unit;
	} units[] = {
	    {24 * 3600 * 1000, "d"}, {3600 * 1000, "h"}, {60 * 1000, "m"}, {1000, "s"}, {1, "ms"}};
	size_t off = 0;

	buf[0] = '\0';
	if (ms <= 0) {
		snprintf(buf, size, "0s");
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && ms > 0; i++) {
		int64_t n = ms / units[i].ms;

		if (n == 0 || off >= size)
			continue;
		off +=
		    (size_t)snprintf(buf + off, size - off, "%lld%s", (long long)n, units[i].unit);
		ms -= n * units[i].ms;
	}
}

/* ---- the walker ----------------------------------------------------------- */

enum kind {
	K_SECTION,   /* mapping of sub-fields */
	K_DURATION,  /* int64_t milliseconds */
	K_SECONDS,   /* int64_t milliseconds from a whole number of seconds or a duration */
	K_INT,       /* int */
	K_PRIORITY,  /* int, sets the override's has_priority */
	K_BOOL,      /* bool */
	K_ENUM,      /* int index into names */
	K_STRING,    /* char *, replaced */
	K_GLOBS,     /* struct disc_strv of non-empty globs, at least one */
	K_GLOBS0,    /* the same, may be empty */
	K_ROOTS,     /* struct disc_strv of folders */
	K_GROUPS,    /* hosts.groups */
	K_OVERRIDES, /* hosts.overrides */
	K_KEYS,      /* keybindings */
	K_IGNORE,    /* accepted and dropped (import only) */
};

struct ctx;
struct field {
	const char *key;
	enum kind kind;
	size_t off;
	const struct field *sub;                        /* K_SECTION: its fields */
	const char *const *names;                       /* K_ENUM */
	long long min, max;                             /* K_INT, K_DURATION */
	int (*check)(struct ctx *c, yaml_node_t *node); /* K_SECTION: after the walk */
};

struct ctx {
	const char *name;
	yaml_document_t *doc;
	FILE *warn;
	bool import; /* reading remote-tui.yaml: bad values warn and keep defaults */
	const struct field *override_fields;
	struct strbuf path;
	struct disc_config *cfg;
	bool key_set[DISC_ACT_COUNT];
	yaml_mark_t key_mark[DISC_ACT_COUNT];
};

#define AT(field) offsetof(struct disc_config, field)
#define OV(field) offsetof(struct disc_config_override, field)

static bool is_null(const yaml_node_t *n)
{
	const char *v;

	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static const char *scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* What a node is, for "got ..." in messages: 'text' (shortened, one line). */
static void describe(const yaml_node_t *n, char *buf, size_t size)
{
	const char *v = scalar(n);
	size_t o = 0;

	if (n->type == YAML_MAPPING_NODE) {
		snprintf(buf, size, "a mapping");
		return;
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		snprintf(buf, size, "a list");
		return;
	}
	buf[o++] = '\'';
	for (; *v && o + 5 < size; v++)
		buf[o++] = (unsigned char)*v < 0x20 ? '?' : *v;
	if (*v) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}

/* The key path with control characters (from quoted keys) made '?', so a
 * message stays on one line. Returns a new string. */
static char *key_path(struct ctx *c)
{
	char *k = xstrdup(strbuf_str(&c->path));

	for (char *p = k; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	return k;
}

static int bad(struct ctx *c, const yaml_node_t *n, const char *expected)
{
	char *key = key_path(c);
	char got[96];
	int rc;

	describe(n, got, sizeof(got));
	rc = err_set(ERR_CONFIG, "%s:%zu:%zu: %s%sexpected %s, got %s", c->name,
	             n->start_mark.line + 1, n->start_mark.column + 1, key, *key ? ": " : "",
	             expected, got);
	free(key);
	return rc;
}

static void warn(struct ctx *c, yaml_mark_t m, const char *fmt, const char *arg)
{
	if (!c->warn)
		return;
	fprintf(c->warn, "codefleet: warning: %s:%zu:%zu: ", c->name, m.line + 1, m.column + 1);
	fprintf(c->warn, fmt, arg);
	fputc('\n', c->warn);
}

static void warn_unknown(struct ctx *c, const yaml_node_t *k)
{
	char *key = key_path(c);

	warn(c, k->start_mark, "unknown key '%s' ignored", key);
	free(key);
}

/* The recorded error (which names file:line:col) as a warning, on import. */
static void warn_err(struct ctx *c, const char *what)
{
	if (c->warn)
		fprintf(c->warn, "codefleet: warning: %s; %s\n", err_text(), what);
}

static size_t path_push(struct ctx *c, const char *key)
{
	size_t old = c->path.len;

	if (old)
		strbuf_putc(&c->path, '.');
	strbuf_puts(&c->path, key);
	return old;
}

static void path_pop(struct ctx *c, size_t old)
{
	c->path.len = old;
	if (c->path.buf)
		c->path.buf[old] = '\0';
}

static yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

/* ---- leaf setters ----------------------------------------------------------- */

static int set_duration(struct ctx *c, const struct field *f, yaml_node_t *n, void *dst)
{
	const char *v = scalar(n);
	int64_t ms;
	char expect[96], minbuf[32];

	if (!v || !disc_config_parse_duration(v, &ms))
		return bad(c, n, "a duration like 30s, 10m or 24h");
	if (ms < f->min) {
		disc_config_format_duration(f->min, minbuf, sizeof(minbuf));
		snprintf(expect, sizeof(expect), "a duration of at least %s", minbuf);
		return bad(c, n, expect);
	}
	*(int64_t *)dst = ms;
	return ERR_OK;
}

static bool parse_int(const char *v, long long *out)
{
	char *end = NULL;

	if (!v || !*v)
		return false;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno == 0 && *end == '\0';
}

static int set_seconds(struct ctx *c, const struct field *f, yaml_node_t *n, void *dst)
{
	long long s;

	if (parse_int(scalar(n), &s) && s >= 0 && s <= 86400 * 365) {
		*(int64_t *)dst = s * 1000;
		return ERR_OK;
	}
	return set_duration(c, f, n, dst);
}

static int set_int(struct ctx *c, const struct field *f, yaml_node_t *n, void *dst)
{
	long long v;
	char expect[96];

	if (!parse_int(scalar(n), &v) || v < f->min || v > f->max) {
		snprintf(expect, sizeof(expect), "a whole number from %lld to %lld", f->min,
		         f->max);
		return bad(c, n, expect);
	}
	*(int *)dst = (int)v;
	return ERR_OK;
}

static int set_bool(struct ctx *c, yaml_node_t *n, void *dst)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	const char *v = scalar(n);

	for (size_t i = 0; v && i < 3; i++) {
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			*(bool *)dst = !strcasecmp(v, yes[i]);
			return ERR_OK;
		}
	}
	return bad(c, n, "true or false");
}

static int set_enum(struct ctx *c, const struct field *f, yaml_node_t *n, void *dst)
{
	const char *v = scalar(n);
	struct strbuf expect = STRBUF_INIT;
	int rc;

	for (int i = 0; v && f->names[i]; i++) {
		if (!strcasecmp(v, f->names[i])) {
			*(int *)dst = i;
			return ERR_OK;
		}
	}
	strbuf_puts(&expect, "one of ");
	for (int i = 0; f->names[i]; i++)
		strbuf_printf(&expect, "%s%s", i ? ", " : "", f->names[i]);
	rc = bad(c, n, strbuf_str(&expect));
	strbuf_free(&expect);
	return rc;
}

static int set_string(struct ctx *c, yaml_node_t *n, void *dst)
{
	const char *v = scalar(n);

	if (!v || !*v)
		return bad(c, n, "a non-empty string");
	free(*(char **)dst);
	*(char **)dst = xstrdup(v);
	return ERR_OK;
}

typedef bool (*item_ok_fn)(const char *s);

static bool glob_ok(const char *s)
{
	return *s != '\0';
}

/* A root: "~", "~/..." or an absolute path. */
static bool root_ok(const char *s)
{
	return !strcmp(s, "~") || !strncmp(s, "~/", 2) || s[0] == '/';
}

/* A list of strings, or one string as a list of one. */
static int set_list(struct ctx *c, yaml_node_t *n, struct disc_strv *dst, item_ok_fn ok,
                    const char *expect_item, bool allow_empty)
{
	struct disc_strv out = {NULL, 0};
	yaml_node_item_t *it;
	int rc = ERR_OK;

	if (n->type == YAML_SCALAR_NODE) {
		if (!ok(scalar(n)))
			return bad(c, n, expect_item);
		strv_set1(dst, scalar(n));
		return ERR_OK;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(c, n, "a list");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = node(c, *it);

		if (!scalar(item) || !ok(scalar(item))) {
			rc = bad(c, item, expect_item);
			goto out;
		}
		strv_push(&out, scalar(item));
	}
	if (!allow_empty && out.n == 0) {
		rc = bad(c, n, "a list with at least one entry");
		goto out;
	}
	strv_free(dst);
	*dst = out;
	out.v = NULL;
	out.n = 0;
out:
	strv_free(&out);
	return rc;
}

static char *trim_root(const char *s)
{
	char *r = xstrdup(s);
	size_t len = strlen(r);

	while (len > 1 && r[len - 1] == '/')
		r[--len] = '\0';
	return r;
}

static int set_roots(struct ctx *c, yaml_node_t *n, struct disc_strv *dst)
{
	int rc = set_list(c, n, dst, root_ok,
	                  "a folder that is absolute or starts with ~/ (like ~/src)", false);

	for (size_t i = 0; rc == ERR_OK && i < dst->n; i++) {
		char *t = trim_root(dst->v[i]);

		free(dst->v[i]);
		dst->v[i] = t;
	}
	return rc;
}

/* ---- keys ------------------------------------------------------------------- */

static const char *const named_keys[] = {"enter",  "tab",  "space", "esc",  "backspace", "delete",
                                         "insert", "home", "end",   "pgup", "pgdown",    "up",
                                         "down",   "left", "right", "btab", NULL};

static const struct {
	const char *alias, *name;
} key_aliases[] = {{"return", "enter"},    {"escape", "esc"},  {"pageup", "pgup"},
                   {"pagedown", "pgdown"}, {"pgdn", "pgdown"}, {"del", "delete"},
                   {"ins", "insert"},      {" ", "space"},     {"shift+tab", "btab"}};

/* Normalises a key name ("Enter" -> "enter", "ctrl+R" -> "ctrl+r"); NULL if
 * it is not one. Returns a new string. */
static char *key_normalise(const char *k)
{
	char low[32];
	size_t len = strlen(k);

	if (len == 1 && ((unsigned char)k[0] > 0x20 && (unsigned char)k[0] < 0x7f))
		return xstrdup(k);
	if (len == 0 || len >= sizeof(low))
		return NULL;
	for (size_t i = 0; i <= len; i++)
		low[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] + 32 : k[i]);
	for (size_t i = 0; i < sizeof(key_aliases) / sizeof(key_aliases[0]); i++)
		if (!strcmp(low, key_aliases[i].alias))
			return xstrdup(key_aliases[i].name);
	for (int i = 0; named_keys[i]; i++)
		if (!strcmp(low, named_keys[i]))
			return xstrdup(low);
	if (low[0] == 'f' && len <= 3 && atoi(low + 1) >= 1 && atoi(low + 1) <= 12 &&
	    strspn(low + 1, "0123456789") == len - 1)
		return xasprintf("f%d", atoi(low + 1));
	if (!strncmp(low, "ctrl+", 5) && len == 6 &&
	    ((low[5] >= 'a' && low[5] <= 'z') || strchr("@[\\]^_", low[5])))
		return xstrdup(low);
	if (!strncmp(low, "alt+", 4)) {
		char *rest = key_normalise(k + 4), *r = NULL;

		if (rest && strncmp(rest, "alt+", 4))
			r = xasprintf("alt+%s", rest);
		free(rest);
		return r;
	}
	return NULL;
}

static bool key_ok(const char *s)
{
	char *k = key_normalise(s);

	free(k);
	return k != NULL;
}

/* Keys the tree uses for moving and folding; not rebindable. */
static bool key_reserved(const char *k)
{
	static const char *const reserved[] = {"up", "down", "left", "right", "h",
	                                       "j",  "k",    "l",    "space", NULL};

	for (int i = 0; reserved[i]; i++)
		if (!strcmp(k, reserved[i]))
			return true;
	return false;
}

static int set_keys(struct ctx *c, yaml_node_t *n, int action)
{
	struct disc_strv keys = {NULL, 0};
	int rc;

	rc = set_list(c, n, &keys, key_ok,
	              "a key like q, enter, tab, f5, ctrl+r or alt+x (or a list of them)", false);
	for (size_t i = 0; rc == ERR_OK && i < keys.n; i++) {
		char *k = key_normalise(keys.v[i]);

		free(keys.v[i]);
		keys.v[i] = k;
		if (key_reserved(k))
			rc = bad(c, n,
			         "a key other than the tree's own (arrows, h, j, k, l, space)");
	}
	if (rc != ERR_OK) {
		strv_free(&keys);
		return rc;
	}
	strv_free(&c->cfg->keys[action]);
	c->cfg->keys[action] = keys;
	c->key_set[action] = true;
	c->key_mark[action] = n->start_mark;
	return ERR_OK;
}

/* Reference TUI action names that mean something else here. */
static const struct {
	const char *from, *to; /* to NULL: no such action here */
} import_actions[] = {
    {"kill_session", "archive_session"}, {"detach", NULL}, {"reload_sessions", NULL}};

static int action_for(struct ctx *c, const char *name, bool *dropped)
{
	*dropped = false;
	for (size_t i = 0; c->import && i < sizeof(import_actions) / sizeof(import_actions[0]);
	     i++) {
		if (!strcmp(name, import_actions[i].from)) {
			if (!import_actions[i].to) {
				*dropped = true;
				return -1;
			}
			name = import_actions[i].to;
		}
	}
	for (int i = 0; i < DISC_ACT_COUNT; i++)
		if (!strcmp(name, action_names[i]))
			return i;
	return -1;
}

static bool strv_shares(const struct disc_strv *a, const struct disc_strv *b, const char **k)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++)
			if (!strcmp(a->v[i], b->v[j])) {
				*k = a->v[i];
				return true;
			}
	return false;
}

/* Two actions on one key: name the one the file set (the later, if both). */
static int check_keys(struct ctx *c, yaml_node_t *n)
{
	const char *k = NULL;

	(void)n;
	for (int a = 0; a < DISC_ACT_COUNT; a++) {
		for (int b = a + 1; b < DISC_ACT_COUNT; b++) {
			int who = c->key_set[b] ? b : a;
			int other = who == b ? a : b;
			yaml_mark_t m = c->key_mark[who];

			if (!strv_shares(&c->cfg->keys[a], &c->cfg->keys[b], &k))
				continue;
			if (c->import) {
				warn(c, m, "key '%s' bound twice; kept the default keys", k);
				for (int i = 0; i < DISC_ACT_COUNT; i++)
					strv_set1(&c->cfg->keys[i], action_default_keys[i]);
				return ERR_OK;
			}
			return err_set(
			    ERR_CONFIG,
			    "%s:%zu:%zu: keybindings.%s: key '%s' is already bound to %s "
			    "(rebind that action too)",
			    c->name, m.line + 1, m.column + 1, action_names[who], k,
			    action_names[other]);
		}
	}
	return ERR_OK;
}

/* ---- walking ---------------------------------------------------------------- */

static int walk_mapping(struct ctx *c, yaml_node_t *map, const struct field *fields, void *base);
static int check_names(struct ctx *c, yaml_node_t *map);

static int walk_keys(struct ctx *c, yaml_node_t *map)
{
	int rc0 = check_names(c, map);

	if (rc0 != ERR_OK)
		return rc0;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		bool dropped;
		int a = scalar(k) ? action_for(c, scalar(k), &dropped) : -1;
		size_t old;
		int rc;

		if (a < 0) {
			if (!dropped && scalar(k)) {
				old = path_push(c, scalar(k));
				warn_unknown(c, k);
				path_pop(c, old);
			}
			continue;
		}
		if (is_null(v))
			continue;
		old = path_push(c, scalar(k));
		rc = set_keys(c, v, a);
		path_pop(c, old);
		if (rc != ERR_OK && !c->import)
			return rc;
		if (rc != ERR_OK)
			warn_err(c, "kept the default");
	}
	return ERR_OK;
}

static int walk_groups(struct ctx *c, yaml_node_t *map)
{
	struct disc_config *cfg = c->cfg;
	int rc0 = check_names(c, map);

	if (rc0 != ERR_OK)
		return rc0;
	groups_clear(cfg);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		struct disc_config_group *g;
		size_t old = path_push(c, scalar(k));
		int rc = ERR_OK;

		cfg->hosts.groups = xrealloc(cfg->hosts.groups, cfg->hosts.n_groups + 1,
		                             sizeof(*cfg->hosts.groups));
		g = &cfg->hosts.groups[cfg->hosts.n_groups++];
		memset(g, 0, sizeof(*g));
		g->name = xstrdup(scalar(k));
		if (!is_null(v))
			rc =
			    set_list(c, v, &g->globs, glob_ok, "a non-empty glob like web-*", true);
		path_pop(c, old);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

static int walk_overrides(struct ctx *c, yaml_node_t *map)
{
	struct disc_config *cfg = c->cfg;
	int rc0 = check_names(c, map);

	if (rc0 != ERR_OK)
		return rc0;
	overrides_clear(cfg);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		struct disc_config_override *ov;
		size_t old = path_push(c, scalar(k));
		int rc = ERR_OK;

		cfg->hosts.overrides = xrealloc(cfg->hosts.overrides, cfg->hosts.n_overrides + 1,
		                                sizeof(*cfg->hosts.overrides));
		ov = &cfg->hosts.overrides[cfg->hosts.n_overrides++];
		memset(ov, 0, sizeof(*ov));
		ov->alias = xstrdup(scalar(k));
		ov->mode = -1;
		if (v->type == YAML_MAPPING_NODE)
			rc = walk_mapping(c, v, c->override_fields, ov);
		else if (!is_null(v))
			rc = bad(c, v, "a mapping of label, priority, opencode_path, roots, mode");
		path_pop(c, old);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* A leaf (or a named mapping kind) for field f at dst. */
static int apply_leaf(struct ctx *c, const struct field *f, yaml_node_t *n, void *base)
{
	void *dst = (char *)base + f->off;

	switch (f->kind) {
	case K_DURATION:
		return set_duration(c, f, n, dst);
	case K_SECONDS:
		return set_seconds(c, f, n, dst);
	case K_INT:
		return set_int(c, f, n, dst);
	case K_PRIORITY:
		if (set_int(c, f, n, dst) != ERR_OK)
			return ERR_CONFIG;
		((struct disc_config_override *)base)->has_priority = true;
		return ERR_OK;
	case K_BOOL:
		return set_bool(c, n, dst);
	case K_ENUM:
		return set_enum(c, f, n, dst);
	case K_STRING:
		return set_string(c, n, dst);
	case K_GLOBS:
	case K_GLOBS0:
		return set_list(c, n, dst, glob_ok, "a non-empty glob like web-*",
		                f->kind == K_GLOBS0);
	case K_ROOTS:
		return set_roots(c, n, dst);
	default:
		break;
	}
	if (n->type != YAML_MAPPING_NODE)
		return bad(c, n, "a mapping");
	if (f->kind == K_GROUPS)
		return walk_groups(c, n);
	if (f->kind == K_OVERRIDES)
		return walk_overrides(c, n);
	return walk_keys(c, n);
}

static int apply(struct ctx *c, const struct field *f, yaml_node_t *n, void *base)
{
	int rc;

	if (f->kind == K_IGNORE || is_null(n))
		return ERR_OK;
	if (f->kind == K_SECTION) {
		if (n->type != YAML_MAPPING_NODE) {
			rc = bad(c, n, "a mapping");
			if (c->import)
				warn_err(c, "kept the defaults");
			return c->import ? ERR_OK : rc;
		}
		rc = walk_mapping(c, n, f->sub, base);
		if (rc == ERR_OK && f->check)
			rc = f->check(c, n);
		return rc;
	}
	rc = apply_leaf(c, f, n, base);
	if (rc != ERR_OK && c->import && f->kind != K_OVERRIDES && f->kind != K_GROUPS) {
		warn_err(c, "kept the default");
		rc = ERR_OK;
	}
	return rc;
}

static int dup_key(struct ctx *c, yaml_node_t *map, yaml_node_pair_t *upto, yaml_node_t *k)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < upto; p++) {
		yaml_node_t *prev = node(c, p->key);

		if (scalar(prev) && !strcmp(scalar(prev), scalar(k)))
			return err_set(ERR_CONFIG,
			               "%s:%zu:%zu: duplicate key '%s' (first at line %zu)",
			               c->name, k->start_mark.line + 1, k->start_mark.column + 1,
			               scalar(k), prev->start_mark.line + 1);
	}
	return ERR_OK;
}

static const struct field *find_field(const struct field *fields, const char *key)
{
	for (const struct field *f = fields; f->key; f++)
		if (!strcmp(f->key, key))
			return f;
	return NULL;
}

static int walk_mapping(struct ctx *c, yaml_node_t *map, const struct field *fields, void *base)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		const struct field *f;
		size_t old;
		int rc;

		if (!scalar(k))
			return bad(c, k, "a key name");
		rc = dup_key(c, map, p, k);
		if (rc != ERR_OK)
			return rc;
		old = path_push(c, scalar(k));
		f = find_field(fields, scalar(k));
		if (!f)
			warn_unknown(c, k);
		rc = f ? apply(c, f, v, base) : ERR_OK;
		path_pop(c, old);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* Mappings whose keys are names (groups, overrides, keybindings) also need
 * scalar, unique keys; walk_mapping checks that for the schema ones. */
static int check_names(struct ctx *c, yaml_node_t *map)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(c, p->key);
		int rc;

		if (!scalar(k) || !*scalar(k))
			return bad(c, k, "a name");
		rc = dup_key(c, map, p, k);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

static int check_display(struct ctx *c, yaml_node_t *n)
{
	struct disc_config *cfg = c->cfg;
	char a[32], i[32];

	if (cfg->display.active_threshold_ms <= cfg->display.idle_threshold_ms)
		return ERR_OK;
	disc_config_format_duration(cfg->display.active_threshold_ms, a, sizeof(a));
	disc_config_format_duration(cfg->display.idle_threshold_ms, i, sizeof(i));
	if (c->import) {
		warn(c, n->start_mark, "%s",
		     "active_threshold longer than idle_threshold; "
		     "kept the default thresholds");
		cfg->display.active_threshold_ms = 10 * 60 * 1000;
		cfg->display.idle_threshold_ms = 24 * 3600 * 1000;
		return ERR_OK;
	}
	return err_set(ERR_CONFIG,
	               "%s:%zu:%zu: display: expected active_threshold (%s) not longer than "
	               "idle_threshold (%s)",
	               c->name, n->start_mark.line + 1, n->start_mark.column + 1, a, i);
}

/* ---- schema ------------------------------------------------------------------- */

static const struct field polling_fields[] = {
    {"interval", K_DURATION, AT(polling.interval_ms), NULL, NULL, 1000, 0, NULL},
    {"timeout", K_DURATION, AT(polling.timeout_ms), NULL, NULL, 100, 0, NULL},
    {"max_parallel", K_INT, AT(polling.max_parallel), NULL, NULL, 1, 256, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct field display_fields[] = {
    {"theme", K_ENUM, AT(display.theme), NULL, theme_names, 0, 0, NULL},
    {"unicode", K_BOOL, AT(display.unicode), NULL, NULL, 0, 0, NULL},
    {"animation", K_BOOL, AT(display.animation), NULL, NULL, 0, 0, NULL},
    {"active_threshold", K_DURATION, AT(display.active_threshold_ms), NULL, NULL, 1000, 0, NULL},
    {"idle_threshold", K_DURATION, AT(display.idle_threshold_ms), NULL, NULL, 1000, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct field override_fields[] = {
    {"label", K_STRING, OV(label), NULL, NULL, 0, 0, NULL},
    {"priority", K_PRIORITY, OV(priority), NULL, NULL, PRIORITY_MIN, PRIORITY_MAX, NULL},
    {"opencode_path", K_STRING, OV(opencode_path), NULL, NULL, 0, 0, NULL},
    {"roots", K_ROOTS, OV(roots), NULL, NULL, 0, 0, NULL},
    {"mode", K_ENUM, OV(mode), NULL, mode_names, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct field hosts_fields[] = {
    {"include", K_GLOBS, AT(hosts.include), NULL, NULL, 0, 0, NULL},
    {"ignore", K_GLOBS0, AT(hosts.ignore), NULL, NULL, 0, 0, NULL},
    {"groups", K_GROUPS, 0, NULL, NULL, 0, 0, NULL},
    {"overrides", K_OVERRIDES, 0, NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct field ssh_fields[] = {
    {"connect_timeout", K_DURATION, AT(ssh.connect_timeout_ms), NULL, NULL, 100, 0, NULL},
    {"batch_mode", K_BOOL, AT(ssh.batch_mode), NULL, NULL, 0, 0, NULL},
    {"keepalive_interval", K_DURATION, AT(ssh.keepalive_interval_ms), NULL, NULL, 0, 0, NULL},
    {"keepalive_count_max", K_INT, AT(ssh.keepalive_count_max), NULL, NULL, 1, 100, NULL},
    {"strict_host_key_checking", K_ENUM, AT(ssh.strict_host_key_checking), NULL, hostkey_names, 0,
     0, NULL},
    {"max_channels", K_INT, AT(ssh.max_channels), NULL, NULL, 1, 64, NULL},
    {"compression", K_BOOL, AT(ssh.compression), NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct field sessions_fields[] = {
    {"sort_by", K_ENUM, AT(sessions.sort_by), NULL, sort_names, 0, 0, NULL},
    {"show_archived", K_BOOL, AT(sessions.show_archived), NULL, NULL, 0, 0, NULL},
    {"max_display", K_INT, AT(sessions.max_display), NULL, NULL, 0, 1000000, NULL},
    {"show_empty_projects", K_BOOL, AT(sessions.show_empty_projects), NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct field top_fields[] = {
    {"polling", K_SECTION, 0, polling_fields, NULL, 0, 0, NULL},
    {"display", K_SECTION, 0, display_fields, NULL, 0, 0, check_display},
    {"hosts", K_SECTION, 0, hosts_fields, NULL, 0, 0, NULL},
    {"ssh", K_SECTION, 0, ssh_fields, NULL, 0, 0, NULL},
    {"sessions", K_SECTION, 0, sessions_fields, NULL, 0, 0, NULL},
    {"keybindings", K_KEYS, 0, NULL, NULL, 0, 0, NULL},
    {"roots", K_ROOTS, AT(roots), NULL, NULL, 0, 0, NULL},
    {"mode", K_ENUM, AT(mode), NULL, mode_names, 0, 0, NULL},
    {"local", K_BOOL, AT(local), NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

/* The reference TUI's remote-tui.yaml, mapped onto ours. */
static const struct field ref_polling[] = {
    {"interval", K_DURATION, AT(polling.interval_ms), NULL, NULL, 1000, 0, NULL},
    {"timeout", K_DURATION, AT(polling.timeout_ms), NULL, NULL, 100, 0, NULL},
    {"max_parallel", K_INT, AT(polling.max_parallel), NULL, NULL, 1, 256, NULL},
    {"jitter", K_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct field ref_override[] = {
    {"label", K_STRING, OV(label), NULL, NULL, 0, 0, NULL},
    {"priority", K_PRIORITY, OV(priority), NULL, NULL, PRIORITY_MIN, PRIORITY_MAX, NULL},
    {"opencode_path", K_STRING, OV(opencode_path), NULL, NULL, 0, 0, NULL},
    {"scan_paths", K_ROOTS, OV(roots), NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct field ref_ssh[] = {
    {"connect_timeout", K_SECONDS, AT(ssh.connect_timeout_ms), NULL, NULL, 100, 0, NULL},
    {"batch_mode", K_BOOL, AT(ssh.batch_mode), NULL, NULL, 0, 0, NULL},
    {"control_master", K_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {"control_persist", K_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {"control_path", K_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct field ref_sessions[] = {
    {"sort_by", K_ENUM, AT(sessions.sort_by), NULL, sort_names, 0, 0, NULL},
    {"show_archived", K_BOOL, AT(sessions.show_archived), NULL, NULL, 0, 0, NULL},
    {"max_display", K_INT, AT(sessions.max_display), NULL, NULL, 0, 1000000, NULL},
    {"enrich_from_db", K_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {"scan_paths", K_ROOTS, AT(roots), NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct field ref_top[] = {
    {"polling", K_SECTION, 0, ref_polling, NULL, 0, 0, NULL},
    {"display", K_SECTION, 0, display_fields, NULL, 0, 0, check_display},
    {"hosts", K_SECTION, 0, hosts_fields, NULL, 0, 0, NULL},
    {"ssh", K_SECTION, 0, ref_ssh, NULL, 0, 0, NULL},
    {"sessions", K_SECTION, 0, ref_sessions, NULL, 0, 0, NULL},
    {"keybindings", K_KEYS, 0, NULL, NULL, 0, 0, NULL},
    {"cache", K_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

/* ---- entry points --------------------------------------------------------- */

static int yaml_error(const char *name, const yaml_parser_t *p, const char *text, size_t len)
{
	yaml_mark_t m = p->problem_mark;

	if (p->error == YAML_MEMORY_ERROR)
		xmem_die("libyaml: out of memory");
	if (p->error == YAML_READER_ERROR) {
		/* Only a byte offset is known (bad encoding): count lines to it. */
		memset(&m, 0, sizeof(m));
		for (size_t i = 0; i < p->problem_offset && i < len; i++) {
			m.column++;
			if (text[i] == '\n') {
				m.line++;
				m.column = 0;
			}
		}
	}
	return err_set(ERR_CONFIG, "%s:%zu:%zu: malformed YAML: %s%s%s", name, m.line + 1,
	               m.column + 1, p->problem ? p->problem : "syntax error",
	               p->context ? " " : "", p->context ? p->context : "");
}

static int walk_document(struct ctx *c, const struct field *top)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc);
	int rc;

	if (!root || is_null(root))
		return ERR_OK;
	if (root->type != YAML_MAPPING_NODE)
		return bad(c, root,
		           "a mapping of settings (like polling:, hosts:) at the top level");
	rc = walk_mapping(c, root, top, c->cfg);
	if (rc == ERR_OK)
		rc = check_keys(c, root);
	return rc;
}

static int parse_with(const char *name, const char *text, size_t len, FILE *warnfp, bool import,
                      struct disc_config **out)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ctx c = {0};
	bool have_doc = false;
	int rc = ERR_OK;

	*out = NULL;
	c.cfg = disc_config_new_defaults();
	c.name = name;
	c.warn = warnfp;
	c.import = import;
	c.override_fields = import ? ref_override : override_fields;
	c.doc = &doc;
	if (!yaml_parser_initialize(&parser))
		xmem_die("libyaml: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = yaml_error(name, &parser, text, len);
		goto out;
	}
	have_doc = true;
	rc = walk_document(&c, import ? ref_top : top_fields);
out:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	strbuf_free(&c.path);
	if (rc == ERR_OK)
		*out = c.cfg;
	else
		disc_config_free(c.cfg);
	return rc;
}

int disc_config_parse(const char *name, const char *text, size_t len, FILE *warn,
                      struct disc_config **out)
{
	return parse_with(name, text, len, warn, false, out);
}

/* Reads a whole file; ERR_CONFIG naming it when it cannot. */
static int read_file(const char *path, char **text, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	FILE *fp = fopen(path, "rb");

	*text = NULL;
	if (!fp)
		return err_set(ERR_CONFIG, "%s: cannot read the config file: %s", path,
		               strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_append(&sb, buf, n);
	if (ferror(fp)) {
		fclose(fp);
		strbuf_free(&sb);
		return err_set(ERR_CONFIG, "%s: cannot read the config file: %s", path,
		               strerror(errno ? errno : EIO));
	}
	fclose(fp);
	*len = sb.len;
	*text = strbuf_take(&sb);
	return ERR_OK;
}

static int load_with(const char *path, FILE *warnfp, bool import, struct disc_config **out)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = read_file(path, &text, &len);
	if (rc == ERR_OK)
		rc = parse_with(path, text, len, warnfp, import, out);
	if (rc == ERR_OK)
		(*out)->path = xstrdup(path);
	free(text);
	return rc;
}

int disc_config_load(const char *path, FILE *warn, struct disc_config **out)
{
	return load_with(path, warn, false, out);
}

int disc_config_import(const char *path, FILE *warn, struct disc_config **out)
{
	return load_with(path, warn, true, out);
}

/* ---- writing YAML ------------------------------------------------------------ */

static void put_str(struct strbuf *sb, const char *s)
{
	jsonw_quote(sb, s, strlen(s));
}

static void put_list(struct strbuf *sb, const struct disc_strv *sv)
{
	strbuf_putc(sb, '[');
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			strbuf_puts(sb, ", ");
		put_str(sb, sv->v[i]);
	}
	strbuf_puts(sb, "]\n");
}

static void put_dur(struct strbuf *sb, const char *key, int64_t ms)
{
	char buf[64];

	disc_config_format_duration(ms, buf, sizeof(buf));
	strbuf_printf(sb, "  %s: %s\n", key, buf);
}

static const char *tf(bool b)
{
	return b ? "true" : "false";
}

static void write_override(struct strbuf *sb, const struct disc_config_override *ov)
{
	strbuf_puts(sb, "    ");
	put_str(sb, ov->alias);
	strbuf_puts(sb, ":");
	if (!ov->label && !ov->has_priority && !ov->opencode_path && !ov->roots.n && ov->mode < 0) {
		strbuf_puts(sb, " {}\n");
		return;
	}
	strbuf_putc(sb, '\n');
	if (ov->label) {
		strbuf_puts(sb, "      label: ");
		put_str(sb, ov->label);
		strbuf_putc(sb, '\n');
	}
	if (ov->has_priority)
		strbuf_printf(sb, "      priority: %d\n", ov->priority);
	if (ov->opencode_path) {
		strbuf_puts(sb, "      opencode_path: ");
		put_str(sb, ov->opencode_path);
		strbuf_putc(sb, '\n');
	}
	if (ov->roots.n) {
		strbuf_puts(sb, "      roots: ");
		put_list(sb, &ov->roots);
	}
	if (ov->mode >= 0)
		strbuf_printf(sb, "      mode: %s\n", disc_config_mode_name(ov->mode));
}

static void write_hosts(const struct disc_config *cfg, struct strbuf *sb)
{
	strbuf_puts(sb, "hosts:\n  include: ");
	put_list(sb, &cfg->hosts.include);
	strbuf_puts(sb, "  ignore: ");
	put_list(sb, &cfg->hosts.ignore);
	strbuf_printf(sb, "  groups:%s\n", cfg->hosts.n_groups ? "" : " {}");
	for (size_t i = 0; i < cfg->hosts.n_groups; i++) {
		strbuf_puts(sb, "    ");
		put_str(sb, cfg->hosts.groups[i].name);
		strbuf_puts(sb, ": ");
		put_list(sb, &cfg->hosts.groups[i].globs);
	}
	strbuf_printf(sb, "  overrides:%s\n", cfg->hosts.n_overrides ? "" : " {}");
	for (size_t i = 0; i < cfg->hosts.n_overrides; i++)
		write_override(sb, &cfg->hosts.overrides[i]);
}

void disc_config_write_yaml(const struct disc_config *cfg, struct strbuf *sb)
{
	strbuf_puts(sb, "polling:\n");
	put_dur(sb, "interval", cfg->polling.interval_ms);
	put_dur(sb, "timeout", cfg->polling.timeout_ms);
	strbuf_printf(sb, "  max_parallel: %d\n", cfg->polling.max_parallel);
	strbuf_printf(sb, "display:\n  theme: %s\n  unicode: %s\n  animation: %s\n",
	              disc_config_theme_name(cfg->display.theme), tf(cfg->display.unicode),
	              tf(cfg->display.animation));
	put_dur(sb, "active_threshold", cfg->display.active_threshold_ms);
	put_dur(sb, "idle_threshold", cfg->display.idle_threshold_ms);
	write_hosts(cfg, sb);
	strbuf_puts(sb, "ssh:\n");
	put_dur(sb, "connect_timeout", cfg->ssh.connect_timeout_ms);
	strbuf_printf(sb, "  batch_mode: %s\n", tf(cfg->ssh.batch_mode));
	put_dur(sb, "keepalive_interval", cfg->ssh.keepalive_interval_ms);
	strbuf_printf(sb,
	              "  keepalive_count_max: %d\n  strict_host_key_checking: %s\n"
	              "  max_channels: %d\n  compression: %s\n",
	              cfg->ssh.keepalive_count_max,
	              disc_config_hostkey_name(cfg->ssh.strict_host_key_checking),
	              cfg->ssh.max_channels, tf(cfg->ssh.compression));
	strbuf_printf(sb,
	              "sessions:\n  sort_by: %s\n  show_archived: %s\n  max_display: %d\n"
	              "  show_empty_projects: %s\n",
	              disc_config_sort_name(cfg->sessions.sort_by), tf(cfg->sessions.show_archived),
	              cfg->sessions.max_display, tf(cfg->sessions.show_empty_projects));
	strbuf_puts(sb, "keybindings:\n");
	for (int i = 0; i < DISC_ACT_COUNT; i++) {
		strbuf_printf(sb, "  %s: ", action_names[i]);
		put_list(sb, &cfg->keys[i]);
	}
	strbuf_puts(sb, "roots: ");
	put_list(sb, &cfg->roots);
	strbuf_printf(sb, "mode: %s\nlocal: %s\n", disc_config_mode_name(cfg->mode),
	              tf(cfg->local));
}

/* ---- paths, first run ---------------------------------------------------------- */

static const char *home_dir(void)
{
	const char *h = getenv("HOME");

	return h && h[0] == '/' ? h : NULL;
}

char *disc_config_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	const char *h = home_dir();

	/* The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
	if (x && x[0] == '/')
		return xasprintf("%s/codefleet/config.yaml", x);
	if (h)
		return xasprintf("%s/.config/codefleet/config.yaml", h);
	return NULL;
}

/* mkdir -p of the folder holding `path`; new folders are 0700 (XDG). */
static int make_parent_dirs(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = ERR_OK;

	if (!slash || slash == dir)
		goto out;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char save = *p;

		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			rc = err_set(ERR_IO, "cannot create %s: %s", dir, strerror(errno));
			goto out;
		}
		*p = save;
		if (!save)
			break;
	}
out:
	free(dir);
	return rc;
}

static int write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes a temporary file next to `path`, then links it into place, which
 * fails rather than replaces when `path` exists (then theirs is kept). */
static int write_new_file(const char *path, const char *text, size_t len)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd = -1, rc = ERR_OK;

	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = err_set(ERR_IO, "cannot write %s: %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	if (write_all(fd, text, len) != 0 || fsync(fd) != 0) {
		rc = err_set(ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (link(tmp, path) != 0 && errno != EEXIST &&
	    renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0 && errno != EEXIST)
		rc = err_set(ERR_IO, "cannot create %s: %s", path, strerror(errno));
out:
	close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

static const char import_header[] =
    "# codefleet configuration, imported from %s.\n"
    "# Every key is described in docs/configuration.md; the commented default is\n"
    "# config/codefleet.yaml in the source tree.\n";

int disc_config_bootstrap(const char *path, const char *import_path, FILE *msgs)
{
	struct disc_config *cfg = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	const char *text;
	size_t len;
	int rc;

	text = disc_config_default_text(&len);
	if (import_path && stat(import_path, &st) == 0) {
		rc = disc_config_import(import_path, msgs, &cfg);
		if (rc == ERR_OK) {
			strbuf_printf(&sb, import_header, import_path);
			disc_config_write_yaml(cfg, &sb);
			text = sb.buf;
			len = sb.len;
		} else if (msgs) {
			fprintf(msgs, "codefleet: warning: not imported: %s\n", err_text());
		}
	}
	rc = make_parent_dirs(path);
	if (rc == ERR_OK)
		rc = write_new_file(path, text, len);
	if (rc == ERR_OK && cfg && msgs)
		fprintf(msgs, "codefleet: imported settings from %s into %s\n", import_path, path);
	disc_config_free(cfg);
	strbuf_free(&sb);
	return rc;
}

int disc_config_open(const char *cli_path, FILE *msgs, struct disc_config **out)
{
	char *path = NULL, *import = NULL;
	struct stat st;
	int rc;

	if (cli_path)
		return disc_config_load(cli_path, msgs, out);
	path = disc_config_default_path();
	if (!path) {
		*out = disc_config_new_defaults();
		return ERR_OK;
	}
	if (stat(path, &st) != 0 && errno == ENOENT) {
		if (home_dir())
			import = xasprintf("%s/.opencode/remote-tui.yaml", home_dir());
		rc = disc_config_bootstrap(path, import, msgs);
		if (rc != ERR_OK) {
			if (msgs)
				fprintf(msgs,
				        "codefleet: warning: %s; using the built-in defaults\n",
				        err_text());
			*out = disc_config_new_defaults();
			rc = ERR_OK;
			goto out;
		}
	}
	rc = disc_config_load(path, msgs, out);
out:
	free(path);
	free(import);
	return rc;
}

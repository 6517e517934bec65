/* disc_yaml: walk a libyaml document with a field table; every refusal
 * names file:line:col, the key and the expected form (see disc_yaml.h). */
#include "discovery/disc_yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "discovery/disc_duration.h"
#include "util/err.h"
#include "util/xmem.h"

bool disc_yaml_is_null(const yaml_node_t *n)
{
	const char *v;

	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

const char *disc_yaml_scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* What a node is, for "got ..." in messages: 'text' (shortened, one line). */
static void describe(const yaml_node_t *n, char *buf, size_t size)
{
	const char *v = disc_yaml_scalar(n);
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
static char *key_path(struct disc_yaml *y)
{
	char *k = xstrdup(strbuf_str(&y->path));

	for (char *p = k; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	return k;
}

int disc_yaml_bad(struct disc_yaml *y, const yaml_node_t *n, const char *expected)
{
	char *key = key_path(y);
	char got[96];
	int rc;

	describe(n, got, sizeof(got));
	rc = err_set(ERR_CONFIG, "%s:%zu:%zu: %s%sexpected %s, got %s", y->name,
	             n->start_mark.line + 1, n->start_mark.column + 1, key, *key ? ": " : "",
	             expected, got);
	free(key);
	return rc;
}

void disc_yaml_warn(struct disc_yaml *y, yaml_mark_t m, const char *fmt, const char *arg)
{
	if (!y->warn)
		return;
	fprintf(y->warn, "codefleet: warning: %s:%zu:%zu: ", y->name, m.line + 1, m.column + 1);
	fprintf(y->warn, fmt, arg);
	fputc('\n', y->warn);
}

void disc_yaml_warn_unknown(struct disc_yaml *y, const yaml_node_t *k)
{
	char *key = key_path(y);

	disc_yaml_warn(y, k->start_mark, "unknown key '%s' ignored", key);
	free(key);
}

/* The recorded error (which names file:line:col) as a warning. */
void disc_yaml_warn_err(struct disc_yaml *y, const char *what)
{
	if (y->warn)
		fprintf(y->warn, "codefleet: warning: %s; %s\n", err_text(), what);
}

static size_t path_push(struct disc_yaml *y, const char *key)
{
	size_t old = y->path.len;

	if (old)
		strbuf_putc(&y->path, '.');
	strbuf_puts(&y->path, key);
	return old;
}

static void path_pop(struct disc_yaml *y, size_t old)
{
	y->path.len = old;
	if (y->path.buf)
		y->path.buf[old] = '\0';
}

static yaml_node_t *node(struct disc_yaml *y, int id)
{
	return yaml_document_get_node(y->doc, id);
}

/* ---- leaf setters ----------------------------------------------------------- */

static int set_duration(struct disc_yaml *y, const struct disc_yaml_field *f, yaml_node_t *n,
                        void *dst)
{
	const char *v = disc_yaml_scalar(n);
	int64_t ms;
	char expect[96], minbuf[32];

	if (!v || !disc_duration_parse(v, &ms))
		return disc_yaml_bad(y, n, "a duration like 30s, 10m or 24h");
	if (ms < f->min) {
		disc_duration_format(f->min, minbuf, sizeof(minbuf));
		snprintf(expect, sizeof(expect), "a duration of at least %s", minbuf);
		return disc_yaml_bad(y, n, expect);
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

static int set_seconds(struct disc_yaml *y, const struct disc_yaml_field *f, yaml_node_t *n,
                       void *dst)
{
	long long s;

	if (parse_int(disc_yaml_scalar(n), &s) && s >= 0 && s <= 86400 * 365) {
		*(int64_t *)dst = s * 1000;
		return ERR_OK;
	}
	return set_duration(y, f, n, dst);
}

static int set_int(struct disc_yaml *y, const struct disc_yaml_field *f, yaml_node_t *n, void *dst)
{
	long long v;
	char expect[96];

	if (!parse_int(disc_yaml_scalar(n), &v) || v < f->min || v > f->max) {
		snprintf(expect, sizeof(expect), "a whole number from %lld to %lld", f->min,
		         f->max);
		return disc_yaml_bad(y, n, expect);
	}
	*(int *)dst = (int)v;
	return ERR_OK;
}

static int set_bool(struct disc_yaml *y, yaml_node_t *n, void *dst)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	const char *v = disc_yaml_scalar(n);

	for (size_t i = 0; v && i < 3; i++) {
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			*(bool *)dst = !strcasecmp(v, yes[i]);
			return ERR_OK;
		}
	}
	return disc_yaml_bad(y, n, "true or false");
}

static int set_enum(struct disc_yaml *y, const struct disc_yaml_field *f, yaml_node_t *n, void *dst)
{
	const char *v = disc_yaml_scalar(n);
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
	rc = disc_yaml_bad(y, n, strbuf_str(&expect));
	strbuf_free(&expect);
	return rc;
}

static int set_string(struct disc_yaml *y, yaml_node_t *n, void *dst)
{
	const char *v = disc_yaml_scalar(n);

	if (!v || !*v)
		return disc_yaml_bad(y, n, "a non-empty string");
	free(*(char **)dst);
	*(char **)dst = xstrdup(v);
	return ERR_OK;
}

bool disc_yaml_glob_ok(const char *s)
{
	return *s != '\0';
}

/* A root: "~", "~/..." or an absolute path. */
static bool root_ok(const char *s)
{
	return !strcmp(s, "~") || !strncmp(s, "~/", 2) || s[0] == '/';
}

/* A list of strings, or one string as a list of one. */
int disc_yaml_set_list(struct disc_yaml *y, yaml_node_t *n, struct disc_strv *dst,
                       disc_yaml_item_ok ok, const char *expect_item, bool allow_empty)
{
	struct disc_strv out = {NULL, 0};
	yaml_node_item_t *it;
	int rc = ERR_OK;

	if (n->type == YAML_SCALAR_NODE) {
		if (!ok(disc_yaml_scalar(n)))
			return disc_yaml_bad(y, n, expect_item);
		disc_strv_set1(dst, disc_yaml_scalar(n));
		return ERR_OK;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return disc_yaml_bad(y, n, "a list");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = node(y, *it);

		if (!disc_yaml_scalar(item) || !ok(disc_yaml_scalar(item))) {
			rc = disc_yaml_bad(y, item, expect_item);
			goto out;
		}
		disc_strv_push(&out, disc_yaml_scalar(item));
	}
	if (!allow_empty && out.n == 0) {
		rc = disc_yaml_bad(y, n, "a list with at least one entry");
		goto out;
	}
	disc_strv_free(dst);
	*dst = out;
	out.v = NULL;
	out.n = 0;
out:
	disc_strv_free(&out);
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

static int set_roots(struct disc_yaml *y, yaml_node_t *n, struct disc_strv *dst)
{
	int rc = disc_yaml_set_list(
	    y, n, dst, root_ok, "a folder that is absolute or starts with ~/ (like ~/src)", false);

	for (size_t i = 0; rc == ERR_OK && i < dst->n; i++) {
		char *t = trim_root(dst->v[i]);

		free(dst->v[i]);
		dst->v[i] = t;
	}
	return rc;
}

/* A leaf, or a mapping that f->fn walks, for field f. */
static int apply_leaf(struct disc_yaml *y, const struct disc_yaml_field *f, yaml_node_t *n,
                      void *base)
{
	void *dst = (char *)base + f->off;

	switch (f->kind) {
	case DISC_YAML_DURATION:
		return set_duration(y, f, n, dst);
	case DISC_YAML_SECONDS:
		return set_seconds(y, f, n, dst);
	case DISC_YAML_INT:
		return set_int(y, f, n, dst);
	case DISC_YAML_BOOL:
		return set_bool(y, n, dst);
	case DISC_YAML_ENUM:
		return set_enum(y, f, n, dst);
	case DISC_YAML_STRING:
		return set_string(y, n, dst);
	case DISC_YAML_GLOBS:
	case DISC_YAML_GLOBS0:
		return disc_yaml_set_list(y, n, dst, disc_yaml_glob_ok, DISC_YAML_GLOB_EXPECT,
		                          f->kind == DISC_YAML_GLOBS0);
	case DISC_YAML_ROOTS:
		return set_roots(y, n, dst);
	default:
		break;
	}
	if (n->type != YAML_MAPPING_NODE)
		return disc_yaml_bad(y, n, "a mapping");
	return f->fn(y, n, base);
}

static bool is_map(const struct disc_yaml_field *f)
{
	return f->kind == DISC_YAML_MAP || f->kind == DISC_YAML_MAP_STRICT;
}

static int apply(struct disc_yaml *y, const struct disc_yaml_field *f, yaml_node_t *n, void *base)
{
	int rc;

	if (f->kind == DISC_YAML_IGNORE || disc_yaml_is_null(n))
		return ERR_OK;
	if (f->kind == DISC_YAML_SECTION) {
		if (n->type != YAML_MAPPING_NODE) {
			rc = disc_yaml_bad(y, n, "a mapping");
			if (y->lenient)
				disc_yaml_warn_err(y, "kept the defaults");
			return y->lenient ? ERR_OK : rc;
		}
		rc = disc_yaml_walk_mapping(y, n, f->sub, base);
		if (rc == ERR_OK && f->fn)
			rc = f->fn(y, n, base);
		return rc;
	}
	rc = apply_leaf(y, f, n, base);
	if (rc == ERR_OK && f->fn && !is_map(f))
		rc = f->fn(y, n, base);
	if (rc != ERR_OK && y->lenient && f->kind != DISC_YAML_MAP_STRICT) {
		disc_yaml_warn_err(y, "kept the default");
		rc = ERR_OK;
	}
	return rc;
}

static int dup_key(struct disc_yaml *y, yaml_node_t *map, yaml_node_pair_t *upto, yaml_node_t *k)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < upto; p++) {
		yaml_node_t *prev = node(y, p->key);

		if (disc_yaml_scalar(prev) && !strcmp(disc_yaml_scalar(prev), disc_yaml_scalar(k)))
			return err_set(ERR_CONFIG,
			               "%s:%zu:%zu: duplicate key '%s' (first at line %zu)",
			               y->name, k->start_mark.line + 1, k->start_mark.column + 1,
			               disc_yaml_scalar(k), prev->start_mark.line + 1);
	}
	return ERR_OK;
}

static const struct disc_yaml_field *find_field(const struct disc_yaml_field *fields,
                                                const char *key)
{
	for (const struct disc_yaml_field *f = fields; f->key; f++)
		if (!strcmp(f->key, key))
			return f;
	return NULL;
}

int disc_yaml_walk_mapping(struct disc_yaml *y, yaml_node_t *map,
                           const struct disc_yaml_field *fields, void *base)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(y, p->key), *v = node(y, p->value);
		const struct disc_yaml_field *f;
		size_t old;
		int rc;

		if (!disc_yaml_scalar(k))
			return disc_yaml_bad(y, k, "a key name");
		rc = dup_key(y, map, p, k);
		if (rc != ERR_OK)
			return rc;
		old = path_push(y, disc_yaml_scalar(k));
		f = find_field(fields, disc_yaml_scalar(k));
		if (!f)
			disc_yaml_warn_unknown(y, k);
		rc = f ? apply(y, f, v, base) : ERR_OK;
		path_pop(y, old);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* Mappings whose keys are names (groups, overrides, keybindings) also need
 * scalar, unique keys; walk_mapping checks that for the schema ones. */
static int check_names(struct disc_yaml *y, yaml_node_t *map)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(y, p->key);
		int rc;

		if (!disc_yaml_scalar(k) || !*disc_yaml_scalar(k))
			return disc_yaml_bad(y, k, "a name");
		rc = dup_key(y, map, p, k);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

int disc_yaml_walk_names(struct disc_yaml *y, yaml_node_t *map, disc_yaml_entry_fn fn, void *base)
{
	int rc = check_names(y, map);

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     rc == ERR_OK && p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(y, p->key);
		size_t old = path_push(y, disc_yaml_scalar(k));

		rc = fn(y, k, node(y, p->value), base);
		path_pop(y, old);
	}
	return rc;
}

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

int disc_yaml_walk(struct disc_yaml *y, const char *text, size_t len,
                   const struct disc_yaml_field *fields, void *base)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root = NULL;
	int rc = ERR_OK;

	if (!yaml_parser_initialize(&parser))
		xmem_die("libyaml: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = yaml_error(y->name, &parser, text, len);
		goto out;
	}
	y->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root || disc_yaml_is_null(root))
		rc = ERR_OK;
	else if (root->type != YAML_MAPPING_NODE)
		rc = disc_yaml_bad(y, root, y->root_expect);
	else
		rc = disc_yaml_walk_mapping(y, root, fields, base);
	yaml_document_delete(&doc);
	y->doc = NULL;
out:
	yaml_parser_delete(&parser);
	return rc;
}

#include "probe/probe_decode.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/utf8.h"
#include "util/xmem.h"

/* jsmn is header-only: this is the one file that compiles its functions
 * (static, so no other object can clash). Strict mode rejects unquoted
 * words and primitives used as keys. Parent links make closing a value
 * O(depth): without them jsmn walks back over every earlier token at each
 * `}`, which is quadratic over a long array of sessions. */
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-"

/* ---- JSON documents ---- */

struct probe_decode_doc {
	const char *js;
	jsmntok_t *t;
	int n;
	const char *what; /* section name, for messages */
};

static int jdoc_parse(struct probe_decode_doc *d, const char *js, size_t len, const char *what)
{
	jsmn_parser p;
	int n;

	d->js = js;
	d->t = NULL;
	d->n = 0;
	d->what = what;
	jsmn_init(&p);
	n = jsmn_parse(&p, js, len, NULL, 0);
	if (n == JSMN_ERROR_PART)
		return err_set(ERR_PROTO, "probe reply: %s: truncated JSON", what);
	if (n < 0)
		return err_set(ERR_PROTO, "probe reply: %s: malformed JSON", what);
	if (n == 0)
		return ERR_OK;
	d->t = xcalloc((size_t)n, sizeof(jsmntok_t));
	jsmn_init(&p);
	d->n = jsmn_parse(&p, js, len, d->t, (unsigned)n);
	if (d->n == JSMN_ERROR_PART)
		return err_set(ERR_PROTO, "probe reply: %s: truncated JSON", what);
	if (d->n != n)
		return err_set(ERR_PROTO, "probe reply: %s: malformed JSON", what);
	for (int i = 0; i < n; i++) {
		/* jsmn leaves an unclosed container with end -1 */
		if (d->t[i].start < 0 || d->t[i].end < d->t[i].start)
			return err_set(ERR_PROTO, "probe reply: %s: truncated JSON", what);
	}
	return ERR_OK;
}

static void jdoc_free(struct probe_decode_doc *d)
{
	free(d->t);
	d->t = NULL;
	d->n = 0;
}

/* Index of the token after the value at i and everything inside it. */
static int tok_next(const struct probe_decode_doc *d, int i)
{
	int end = d->t[i].end;

	for (i++; i < d->n && d->t[i].start < end; i++)
		;
	return i;
}

/* 1 when token k exists and lies inside container token parent (jsmn
 * accepts some broken input, e.g. a key without a value: never trust the
 * sizes alone). */
static bool tok_inside(const struct probe_decode_doc *d, int parent, int k)
{
	return k > parent && k < d->n && d->t[k].start >= d->t[parent].start &&
	       d->t[k].end <= d->t[parent].end;
}

static bool tok_is(const struct probe_decode_doc *d, int i, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(d->t[i].end - d->t[i].start) == n &&
	       memcmp(d->js + d->t[i].start, s, n) == 0;
}

static bool tok_null(const struct probe_decode_doc *d, int i)
{
	return d->t[i].type == JSMN_PRIMITIVE && tok_is(d, i, "null");
}

static int hexval(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int h = (c >= '0' && c <= '9')   ? c - '0'
		        : (c >= 'a' && c <= 'f') ? c - 'a' + 10
		        : (c >= 'A' && c <= 'F') ? c - 'A' + 10
		                                 : -1;
		if (h < 0)
			return -1;
		v = v * 16 + (uint32_t)h;
	}
	*out = v;
	return 0;
}

/* Decodes \uXXXX (and a following low surrogate) at s; returns bytes used
 * after the backslash, or 0 when malformed. */
static size_t json_unicode(const char *s, size_t left, struct strbuf *out)
{
	uint32_t hi, lo;

	if (left < 5 || hexval(s + 1, &hi) != 0)
		return 0;
	if (hi >= 0xD800 && hi <= 0xDBFF && left >= 11 && s[5] == '\\' && s[6] == 'u' &&
	    hexval(s + 7, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
		utf8_put(out, 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
		return 11;
	}
	/* A lone surrogate cannot be encoded: utf8_put writes U+FFFD. */
	utf8_put(out, hi);
	return 5;
}

static char json_simple_escape(char c)
{
	switch (c) {
	case '"':
	case '\\':
	case '/':
		return c;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	}
	return 0;
}

int probe_decode_unescape(const char *s, size_t len, struct strbuf *out)
{
	size_t k = 0;

	strbuf_append(out, "", 0);
	while (k < len) {
		const char *bs = memchr(s + k, '\\', len - k);
		size_t run = bs ? (size_t)(bs - (s + k)) : len - k;
		char c;

		strbuf_append(out, s + k, run);
		k += run;
		if (k >= len)
			break;
		if (k + 1 >= len)
			return -1;
		if (s[k + 1] == 'u') {
			size_t used = json_unicode(s + k + 1, len - k - 1, out);

			if (!used)
				return -1;
			k += 1 + used;
			continue;
		}
		c = json_simple_escape(s[k + 1]);
		if (!c)
			return -1;
		strbuf_putc(out, c);
		k += 2;
	}
	return 0;
}

/* Appends the decoded bytes of string token i to out. */
static int json_string(const struct probe_decode_doc *d, int i, struct strbuf *out)
{
	return probe_decode_unescape(d->js + d->t[i].start, (size_t)(d->t[i].end - d->t[i].start),
	                             out);
}

static int json_number(const struct probe_decode_doc *d, int i, double *out)
{
	char buf[64];
	size_t n = (size_t)(d->t[i].end - d->t[i].start);
	char *end = NULL;
	double v;

	if (d->t[i].type != JSMN_PRIMITIVE || n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, d->js + d->t[i].start, n);
	buf[n] = '\0';
	if (buf[0] != '-' && (buf[0] < '0' || buf[0] > '9'))
		return -1;
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* ---- table-driven object decoding ---- */

int probe_decode_bad(const struct probe_decode_ctx *c, const char *key, const char *why)
{
	return err_set(ERR_PROTO, "probe reply: %s[%d].%s: %s", c->what, c->index, key, why);
}

static int set_text(const struct probe_decode_ctx *c, const struct probe_decode_field *f, int v,
                    char **dst)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = ERR_OK;

	if (tok_null(c->doc, v))
		return ERR_OK;
	if (c->doc->t[v].type != JSMN_STRING)
		return probe_decode_bad(c, f->key, "expected a string");
	if (f->type == PROBE_DECODE_TEXT_FB && *dst)
		return ERR_OK;
	if (json_string(c->doc, v, &sb) != 0) {
		rc = probe_decode_bad(c, f->key, "bad string escape");
		goto out;
	}
	if (f->type == PROBE_DECODE_ID &&
	    (sb.len == 0 || sb.len > 200 || sb.buf[strspn(sb.buf, ID_CHARS)] != '\0')) {
		rc = probe_decode_bad(c, f->key, "not a valid id");
		goto out;
	}
	free(*dst);
	*dst = f->type == PROBE_DECODE_ID ? strbuf_take(&sb) : utf8_sanitize(sb.buf, sb.len);
out:
	strbuf_free(&sb);
	return rc;
}

static int set_number(const struct probe_decode_ctx *c, const struct probe_decode_field *f, int v,
                      void *dst)
{
	const struct probe_decode_doc *d = c->doc;
	double x;

	if (tok_null(d, v))
		return ERR_OK;
	if (f->type == PROBE_DECODE_BOOL && (tok_is(d, v, "true") || tok_is(d, v, "false"))) {
		*(bool *)dst = tok_is(d, v, "true");
		return ERR_OK;
	}
	if (json_number(d, v, &x) != 0)
		return probe_decode_bad(c, f->key, "expected a number");
	if (f->type == PROBE_DECODE_REAL) {
		*(double *)dst = x;
		return ERR_OK;
	}
	if (x < -4.0e18 || x > 4.0e18)
		return probe_decode_bad(c, f->key, "number out of range");
	if (f->type == PROBE_DECODE_BOOL)
		*(bool *)dst = x != 0;
	else
		*(int64_t *)dst = (int64_t)x;
	return ERR_OK;
}

static int set_strv(const struct probe_decode_ctx *c, const struct probe_decode_field *f, int v,
                    void *base)
{
	const struct probe_decode_doc *d = c->doc;
	const struct probe_decode_field item = {f->key, PROBE_DECODE_TEXT, 0, NULL, 0};
	char ***strv = (char ***)((char *)base + f->off);
	size_t *n = (size_t *)((char *)base + f->count);
	int k = v + 1;

	if (d->t[v].type != JSMN_ARRAY)
		return probe_decode_bad(c, f->key, "expected an array");
	if (*strv)
		return probe_decode_bad(c, f->key, "given twice");
	*strv = xcalloc((size_t)d->t[v].size + 1, sizeof(char *));
	for (int j = 0; j < d->t[v].size; j++, k = tok_next(d, k)) {
		if (!tok_inside(d, v, k) || d->t[k].type != JSMN_STRING)
			return probe_decode_bad(c, f->key, "expected strings");
		if (set_text(c, &item, k, &(*strv)[*n]) != ERR_OK)
			return ERR_PROTO;
		(*n)++;
	}
	return ERR_OK;
}

static int set_ports(const struct probe_decode_ctx *c, const struct probe_decode_field *f, int v,
                     void *base)
{
	const struct probe_decode_doc *d = c->doc;
	int **ports = (int **)((char *)base + f->off);
	size_t *n = (size_t *)((char *)base + f->count);
	int k = v + 1;
	double x;

	if (d->t[v].type != JSMN_ARRAY)
		return probe_decode_bad(c, f->key, "expected an array");
	if (*ports)
		return probe_decode_bad(c, f->key, "given twice");
	if (d->t[v].size == 0)
		return ERR_OK;
	*ports = xcalloc((size_t)d->t[v].size, sizeof(int));
	for (int j = 0; j < d->t[v].size; j++, k = tok_next(d, k)) {
		if (!tok_inside(d, v, k) || json_number(d, k, &x) != 0 || x < 1 || x > 65535)
			return probe_decode_bad(c, f->key, "expected port numbers");
		(*ports)[(*n)++] = (int)x;
	}
	return ERR_OK;
}

static int set_field(const struct probe_decode_ctx *c, const struct probe_decode_field *f, int v,
                     void *base)
{
	void *dst = (char *)base + f->off;

	switch (f->type) {
	case PROBE_DECODE_TEXT:
	case PROBE_DECODE_TEXT_FB:
	case PROBE_DECODE_ID:
		return set_text(c, f, v, dst);
	case PROBE_DECODE_INT:
	case PROBE_DECODE_REAL:
	case PROBE_DECODE_BOOL:
		return set_number(c, f, v, dst);
	case PROBE_DECODE_OBJ:
		if (tok_null(c->doc, v))
			return ERR_OK;
		return probe_decode_obj(c, v, f->sub, base);
	case PROBE_DECODE_STRV:
		return set_strv(c, f, v, base);
	case PROBE_DECODE_PORTS:
		return set_ports(c, f, v, base);
	}
	return probe_decode_bad(c, f->key, "internal: unknown field type");
}

int probe_decode_obj(const struct probe_decode_ctx *c, int obj,
                     const struct probe_decode_field *tab, void *base)
{
	const struct probe_decode_doc *d = c->doc;
	int k = obj + 1;

	if (d->t[obj].type != JSMN_OBJECT)
		return err_set(ERR_PROTO, "probe reply: %s[%d]: expected an object", c->what,
		               c->index);
	for (int j = 0; j < d->t[obj].size; j++) {
		int v = k + 1;

		if (!tok_inside(d, obj, k) || !tok_inside(d, obj, v) || d->t[k].type != JSMN_STRING)
			return err_set(ERR_PROTO, "probe reply: %s[%d]: malformed object", c->what,
			               c->index);
		for (const struct probe_decode_field *f = tab; f->key; f++) {
			if (tok_is(d, k, f->key) && set_field(c, f, v, base) != ERR_OK)
				return ERR_PROTO;
		}
		k = tok_next(d, v);
	}
	return ERR_OK;
}

/* ---- the elements of a section ---- */

static int each_elem(const struct probe_decode_doc *d, probe_decode_elem_fn fn, void *arg)
{
	struct probe_decode_ctx c = {d, d->what, 0, arg};
	int i = 0;

	while (i < d->n) {
		int next = tok_next(d, i);

		if (d->t[i].type == JSMN_ARRAY) {
			int k = i + 1;

			for (int j = 0; j < d->t[i].size; j++, k = tok_next(d, k)) {
				if (!tok_inside(d, i, k))
					return err_set(ERR_PROTO, "probe reply: %s: malformed JSON",
					               d->what);
				if (fn(&c, k) != ERR_OK)
					return ERR_PROTO;
				c.index++;
			}
		} else if (fn(&c, i) != ERR_OK) {
			return ERR_PROTO;
		} else {
			c.index++;
		}
		i = next;
	}
	return ERR_OK;
}

int probe_decode_each(const char *text, size_t len, const char *what, probe_decode_elem_fn fn,
                      void *arg)
{
	struct probe_decode_doc d;
	int rc;

	rc = jdoc_parse(&d, text, len, what);
	if (rc == ERR_OK)
		rc = each_elem(&d, fn, arg);
	jdoc_free(&d);
	return rc;
}

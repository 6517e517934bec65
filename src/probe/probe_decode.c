#include "probe/probe_decode.h"

#include <errno.h>
#include <float.h>
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

/* First guess at the tokens of a len-byte section: sqlite3 -json rows run
 * at about 12 bytes a token. Capped, so that a section that is one long
 * string does not reserve megabytes; a guess too small costs a realloc. */
#define TOK_GUESS_MAX 65536u

static size_t tok_guess(size_t len)
{
	size_t n = len / 8 + 16;

	return n < TOK_GUESS_MAX ? n : TOK_GUESS_MAX;
}

/* New room for tokens after jsmn ran out at p->pos: the density seen so far
 * carried over the rest, an eighth more, and at least half again as much
 * (so the rounds are few). Never more than len + 1: every token starts at a
 * byte of its own, so the tokens stay bounded by the 16 MiB reply cap. */
static size_t tok_grow(const jsmn_parser *p, size_t len, size_t cap)
{
	uint64_t want = (uint64_t)p->toknext * len / (p->pos ? p->pos : 1);

	want += want / 8 + 16;
	if (want < cap + cap / 2)
		want = cap + cap / 2;
	return want < len + 1 ? (size_t)want : len + 1;
}

/* The error of a parse that failed with rc. Decoding used to count the
 * tokens in a first pass, which sees only lexical faults (a bad escape or
 * character, text cut short), and the message came from that pass first:
 * it is repeated here, on the error path only, so that the same input
 * gives the same message. That pass found no value at all in a body of
 * bare punctuation ("]", ","), which was accepted as empty: so it stays. */
static int jdoc_fail(struct probe_decode_doc *d, size_t len, int rc)
{
	jsmn_parser p;
	int n;

	d->n = 0;
	jsmn_init(&p);
	n = jsmn_parse(&p, d->js, len, NULL, 0);
	if (n == 0)
		return ERR_OK;
	if (n == JSMN_ERROR_PART || (n > 0 && rc == JSMN_ERROR_PART))
		return err_set(ERR_PROTO, "probe reply: %s: truncated JSON", d->what);
	return err_set(ERR_PROTO, "probe reply: %s: malformed JSON", d->what);
}

/* One jsmn pass: jsmn keeps its place when it runs out of tokens (it
 * returns before consuming the token it had no room for), so the array is
 * grown and the same parser goes on. */
static int jdoc_parse(struct probe_decode_doc *d, const char *js, size_t len, const char *what)
{
	size_t cap = tok_guess(len);
	jsmn_parser p;
	int n;

	d->js = js;
	d->n = 0;
	d->what = what;
	d->t = xmalloc(cap * sizeof(jsmntok_t));
	jsmn_init(&p);
	while ((n = jsmn_parse(&p, js, len, d->t, (unsigned)cap)) == JSMN_ERROR_NOMEM) {
		if (cap > len)
			break; /* cannot happen (see tok_grow): fail rather than loop */
		cap = tok_grow(&p, len, cap);
		d->t = xrealloc(d->t, cap, sizeof(jsmntok_t));
	}
	if (n < 0)
		return jdoc_fail(d, len, n);
	for (int i = 0; i < n; i++) {
		/* jsmn leaves an unclosed container with end -1 */
		if (d->t[i].start < 0 || d->t[i].end < d->t[i].start)
			return err_set(ERR_PROTO, "probe reply: %s: truncated JSON", what);
	}
	d->n = n;
	return ERR_OK;
}

static void jdoc_free(struct probe_decode_doc *d)
{
	free(d->t);
	d->t = NULL;
	d->n = 0;
}

/* Index of the first token from k on that starts after the value at i:
 * the token after i and everything inside it, when k is i + 1 or a token
 * reached from there by tok_next() over values inside i. */
static int tok_skip(const struct probe_decode_doc *d, int i, int k)
{
	int end = d->t[i].end;

	for (; k < d->n && d->t[k].start < end; k++)
		;
	return k;
}

/* Index of the token after the value at i and everything inside it. */
static int tok_next(const struct probe_decode_doc *d, int i)
{
	return tok_skip(d, i, i + 1);
}

/* 1 when token k exists and lies inside container token parent (jsmn
 * accepts some broken input, e.g. a key without a value: never trust the
 * sizes alone). */
static bool tok_inside(const struct probe_decode_doc *d, int parent, int k)
{
	return k > parent && k < d->n && d->t[k].start >= d->t[parent].start &&
	       d->t[k].end <= d->t[parent].end;
}

static bool tok_is_n(const struct probe_decode_doc *d, int i, const char *s, size_t n)
{
	return (size_t)(d->t[i].end - d->t[i].start) == n &&
	       memcmp(d->js + d->t[i].start, s, n) == 0;
}

/* Token i is the string literal lit (its length known at compile time). */
#define tok_is(d, i, lit) tok_is_n(d, i, lit, sizeof(lit) - 1)

static inline bool tok_null(const struct probe_decode_doc *d, int i)
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

/* Reads a plain decimal, -?D+(.D+)? with at most 15 digits in all (times,
 * counts, costs: nearly every number in a reply), without strtod. The
 * digits make an integer m below 2^53 and 10^frac is at most 1e15, both
 * exact in a double, so m / 10^frac is one correctly rounded division: the
 * value strtod gives, -0 included (Clinger's fast path). Returns 0, or -1
 * when s is anything else, for strtod to decide. */
static int json_num_fast(const char *s, size_t n, double *out)
{
	static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
	                               1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	const char *p = s + (s[0] == '-'), *end = s + n;
	size_t whole, frac = 0;
	uint64_t m = 0;
	double v;

	if ((size_t)(end - p) > 16)
		return -1; /* more than 15 digits and a dot; m cannot overflow below */
	for (whole = 0; p < end && *p >= '0' && *p <= '9'; p++, whole++)
		m = m * 10 + (uint64_t)(*p - '0');
	if (whole && p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, frac++)
			m = m * 10 + (uint64_t)(*p - '0');
		if (!frac)
			return -1;
	}
	if (!whole || p != end || whole + frac > 15)
		return -1;
	/* on x87 (FLT_EVAL_METHOD 2) the division could round twice */
	if (frac && FLT_EVAL_METHOD != 0)
		return -1;
	v = (double)m / pow10[frac];
	*out = s[0] == '-' ? -v : v;
	return 0;
}

static int json_number(const struct probe_decode_doc *d, int i, double *out)
{
	char buf[64];
	size_t n = (size_t)(d->t[i].end - d->t[i].start);
	char *end = NULL;
	double v;

	if (d->t[i].type != JSMN_PRIMITIVE || n == 0 || n >= sizeof(buf))
		return -1;
	if (json_num_fast(d->js + d->t[i].start, n, out) == 0)
		return 0;
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

/* Byte classes: TEXT_PLAIN for printable ASCII but the backslash (a JSON
 * string of these is its own value, and utf8_sanitize() leaves it as it
 * is), TEXT_ID for ID_CHARS. Bytes from 0x80 on are neither. */
#define TEXT_PLAIN 1
#define TEXT_ID    2
static const unsigned char text_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 1, /* 0x20: - . */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, /* 0x30: 0-9 : */
    1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x40: A-O */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 0, 1, 1, 3, /* 0x50: P-Z _, no backslash */
    1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x60: a-o */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 0, /* 0x70: p-z DEL */
};

/* 1 when every byte of s[0..n) is of class cls. */
static bool text_all(const char *s, size_t n, unsigned char cls)
{
	for (size_t k = 0; k < n; k++)
		if (!(text_class[(unsigned char)s[k]] & cls))
			return false;
	return true;
}

/* Printable ASCII without a backslash: almost every title, path and name,
 * which is then copied once instead of being unescaped into one buffer and
 * sanitised into another. */
static bool plain_text(const char *s, size_t n)
{
	return text_all(s, n, TEXT_PLAIN);
}

static bool id_text(const char *s, size_t n)
{
	return n > 0 && n <= 200 && text_all(s, n, TEXT_ID);
}

static char *dup_bytes(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* The value of a string token that needs unescaping or sanitising (or is
 * not a valid id: the checks are the ones made before the plain_text()
 * shortcut existed). Returns NULL with the error set. */
static char *text_slow(const struct probe_decode_ctx *c, const struct probe_decode_field *f, int v)
{
	struct strbuf sb = STRBUF_INIT;
	char *val = NULL;

	if (json_string(c->doc, v, &sb) != 0)
		probe_decode_bad(c, f->key, "bad string escape");
	else if (f->type != PROBE_DECODE_ID)
		val = plain_text(sb.buf, sb.len) ? strbuf_take(&sb) : utf8_sanitize(sb.buf, sb.len);
	else if (sb.len == 0 || sb.len > 200 || sb.buf[strspn(sb.buf, ID_CHARS)] != '\0')
		probe_decode_bad(c, f->key, "not a valid id");
	else
		val = strbuf_take(&sb);
	strbuf_free(&sb);
	return val;
}

static int set_text(const struct probe_decode_ctx *c, const struct probe_decode_field *f, int v,
                    char **dst)
{
	const jsmntok_t *t = &c->doc->t[v];
	const char *s = c->doc->js + t->start;
	size_t n = (size_t)(t->end - t->start);
	char *val;

	if (tok_null(c->doc, v))
		return ERR_OK;
	if (t->type != JSMN_STRING)
		return probe_decode_bad(c, f->key, "expected a string");
	if (f->type == PROBE_DECODE_TEXT_FB && *dst)
		return ERR_OK;
	/* jsmn ends a string at a NUL byte, so s holds none: the id check
	 * reads the same here as strspn() does on the unescaped copy */
	if (f->type == PROBE_DECODE_ID ? id_text(s, n) : plain_text(s, n))
		val = dup_bytes(s, n); /* id characters are all plain text */
	else if (f->type != PROBE_DECODE_ID && !memchr(s, '\\', n))
		val = utf8_sanitize(s, n); /* nothing to unescape */
	else if (!(val = text_slow(c, f, v)))
		return ERR_PROTO;
	free(*dst);
	*dst = val;
	return ERR_OK;
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
	const struct probe_decode_field item = {f->key, f->keylen, PROBE_DECODE_TEXT, 0, NULL, 0};
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

/* Lengths first, then the first byte (key[0] is the closing quote of an
 * empty key, still inside the text), then memcmp for the rest. */
static inline bool key_is(const struct probe_decode_field *f, const char *key, size_t n)
{
	return f->keylen == n && f->key[0] == key[0] && !memcmp(f->key, key, n);
}

/* The entry of tab for key token k, or NULL. The search starts at hint and
 * wraps around: rows list their keys in much the same order as the tables,
 * so the entry after the last one found is usually the next match. Lengths
 * are compared before any byte. */
static const struct probe_decode_field *field_find(const struct probe_decode_doc *d, int k,
                                                   const struct probe_decode_field *tab,
                                                   const struct probe_decode_field *hint)
{
	const char *key = d->js + d->t[k].start;
	size_t n = (size_t)(d->t[k].end - d->t[k].start);
	const struct probe_decode_field *f;

	for (f = hint; f->key; f++)
		if (key_is(f, key, n))
			return f;
	for (f = tab; f != hint; f++)
		if (key_is(f, key, n))
			return f;
	return NULL;
}

int probe_decode_obj(const struct probe_decode_ctx *c, int obj,
                     const struct probe_decode_field *tab, void *base)
{
	const struct probe_decode_doc *d = c->doc;
	const struct probe_decode_field *f, *hint = tab;
	/* tok_inside(d, obj, k and v), with obj's bounds read once: k > obj
	 * always, and v < d->n implies k < d->n */
	int lo = d->t[obj].start, hi = d->t[obj].end, size = d->t[obj].size;
	int k = obj + 1;

	if (d->t[obj].type != JSMN_OBJECT)
		return err_set(ERR_PROTO, "probe reply: %s[%d]: expected an object", c->what,
		               c->index);
	for (int j = 0; j < size; j++) {
		int v = k + 1;

		if (v >= d->n || d->t[k].start < lo || d->t[k].end > hi || d->t[v].start < lo ||
		    d->t[v].end > hi || d->t[k].type != JSMN_STRING)
			return err_set(ERR_PROTO, "probe reply: %s[%d]: malformed object", c->what,
			               c->index);
		f = field_find(d, k, tab, hint);
		if (f) {
			if (set_field(c, f, v, base) != ERR_OK)
				return ERR_PROTO;
			hint = f + 1;
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
		int k = i + 1;

		if (d->t[i].type == JSMN_ARRAY) {
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
		/* the elements are walked already: only what may follow them */
		i = tok_skip(d, i, k);
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

#include "util/jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmem.h"

void jsonw_init(struct jsonw *w, struct strbuf *sb)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
}

/* Writes the separator a new value at the current level needs. */
static void before_value(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (w->open[w->depth - 1] == '{')
		xmem_die("jsonw: object value without a key");
	if (!w->first[w->depth - 1])
		strbuf_putc(w->sb, ',');
	w->first[w->depth - 1] = false;
}

static void open_level(struct jsonw *w, char c)
{
	before_value(w);
	if (w->depth >= JSONW_MAX_DEPTH)
		xmem_die("jsonw: nesting too deep");
	w->open[w->depth] = c;
	w->first[w->depth] = true;
	w->depth++;
	strbuf_putc(w->sb, c);
}

static void close_level(struct jsonw *w, char open, char close)
{
	if (w->depth == 0 || w->open[w->depth - 1] != open || w->after_key)
		xmem_die("jsonw: mismatched close");
	w->depth--;
	strbuf_putc(w->sb, close);
}

void jsonw_object_begin(struct jsonw *w)
{
	open_level(w, '{');
}

void jsonw_object_end(struct jsonw *w)
{
	close_level(w, '{', '}');
}

void jsonw_array_begin(struct jsonw *w)
{
	open_level(w, '[');
}

void jsonw_array_end(struct jsonw *w)
{
	close_level(w, '[', ']');
}

void jsonw_key(struct jsonw *w, const char *key)
{
	if (w->depth == 0 || w->open[w->depth - 1] != '{' || w->after_key)
		xmem_die("jsonw: key outside an object");
	if (!w->first[w->depth - 1])
		strbuf_putc(w->sb, ',');
	w->first[w->depth - 1] = false;
	jsonw_quote(w->sb, key, strlen(key));
	strbuf_putc(w->sb, ':');
	w->after_key = true;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid; then
 * *skip is the length of the maximal invalid subpart (at least 1). */
static size_t utf8_valid(const unsigned char *s, size_t len, size_t *skip)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need, i;

	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 2;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 3;
	else
		need = 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	*skip = 1;
	if (need == 0)
		return 0;
	for (i = 1; i <= need; i++) {
		unsigned char b = i < len ? s[i] : 0;

		if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
			return 0;
		*skip = i + 1;
	}
	return need + 1;
}

void jsonw_quote(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, skip;

	strbuf_putc(sb, '"');
	while (i < len) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			strbuf_putc(sb, '\\');
			strbuf_putc(sb, (char)c);
			i++;
		} else if (c < 0x20) {
			strbuf_printf(sb, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			strbuf_putc(sb, (char)c);
			i++;
		} else if ((n = utf8_valid(p + i, len - i, &skip)) > 0) {
			strbuf_append(sb, s + i, n);
			i += n;
		} else {
			strbuf_puts(sb, "\xEF\xBF\xBD");
			i += skip;
		}
	}
	strbuf_putc(sb, '"');
}

void jsonw_string_len(struct jsonw *w, const char *s, size_t len)
{
	before_value(w);
	jsonw_quote(w->sb, s, len);
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	jsonw_string_len(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, long long v)
{
	before_value(w);
	strbuf_printf(w->sb, "%lld", v);
}

void jsonw_double(struct jsonw *w, double v)
{
	char buf[64];
	int prec;

	if (!isfinite(v)) {
		jsonw_null(w);
		return;
	}
	before_value(w);
	/* Shortest form that reads back the same. */
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* A locale may use a decimal comma; JSON wants a point. */
	for (char *p = buf; *p; p++)
		if (!strchr("0123456789eE+-", *p))
			*p = '.';
	strbuf_puts(w->sb, buf);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	before_value(w);
	strbuf_puts(w->sb, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	before_value(w);
	strbuf_puts(w->sb, "null");
}

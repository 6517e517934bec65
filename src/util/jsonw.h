/* jsonw: a small streaming JSON writer onto a strbuf.
 *
 *     struct strbuf sb = STRBUF_INIT;
 *     struct jsonw w;
 *     jsonw_init(&w, &sb);
 *     jsonw_object_begin(&w);
 *     jsonw_key(&w, "name");
 *     jsonw_string(&w, "web-1");
 *     jsonw_object_end(&w);
 *
 * Output is compact (no spaces or newlines), so one value is one line.
 * Strings: '"' and '\' are escaped, every control character below 0x20 is
 * written as \u00XX, and each invalid UTF-8 sequence (stray continuation
 * byte, overlong form, surrogate, value above U+10FFFF, truncated sequence)
 * becomes one U+FFFD, as the Unicode "maximal subpart" practice says.
 * Commas are inserted by the writer; the caller only nests correctly.
 * Nesting deeper than JSONW_MAX_DEPTH or closing what is not open is a
 * programming error and aborts. */
#ifndef CODEFLEET_UTIL_JSONW_H
#define CODEFLEET_UTIL_JSONW_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
	struct strbuf *sb; /* borrowed */
	int depth;
	bool after_key;
	char open[JSONW_MAX_DEPTH];  /* '{' or '[' per level */
	bool first[JSONW_MAX_DEPTH]; /* no value written yet at this level */
};

void jsonw_init(struct jsonw *w, struct strbuf *sb);
void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* An object member's name; the next call writes its value. */
void jsonw_key(struct jsonw *w, const char *key);
/* A string value; NULL writes null. */
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_string_len(struct jsonw *w, const char *s, size_t len);
void jsonw_int(struct jsonw *w, long long v);
/* A finite number with up to 17 significant digits; NaN and infinities are null. */
void jsonw_double(struct jsonw *w, double v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);

/* Appends s[0..len) to sb as a quoted, escaped JSON string (the same rules
 * as jsonw_string). Also a valid YAML double-quoted scalar. */
void jsonw_quote(struct strbuf *sb, const char *s, size_t len);

#endif

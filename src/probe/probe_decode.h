/* probe_decode: untrusted JSON into C structs, by field table
 * (docs/probe-protocol.md, "Safety").
 *
 * A section of a probe reply holds zero or more JSON values, parsed by
 * jsmn in strict mode in one pass (this is the one file that compiles jsmn,
 * and no other file sees its tokens). Every token is bounds-checked against
 * its container, strings are unescaped (\uXXXX and surrogate pairs become
 * UTF-8) and numbers must be finite. A wrong type is an ERR_PROTO naming
 * the field: "probe reply: sessions[3].title: expected a string". */
#ifndef CODEFLEET_PROBE_DECODE_H
#define CODEFLEET_PROBE_DECODE_H

#include <stddef.h>

#include "util/strbuf.h"

/* What a field's JSON value becomes, at base + off. null keeps the value. */
enum probe_decode_type {
	PROBE_DECODE_TEXT,    /* string -> utf8_sanitize()d char * */
	PROBE_DECODE_TEXT_FB, /* like TEXT, but only fills a field still NULL */
	PROBE_DECODE_ID,      /* string of [A-Za-z0-9_.:-]{1,200} -> char * */
	PROBE_DECODE_INT,     /* number -> int64_t */
	PROBE_DECODE_REAL,    /* number -> double */
	PROBE_DECODE_BOOL,    /* true/false or a number -> bool */
	PROBE_DECODE_OBJ,     /* nested object decoded with sub into the same base */
	PROBE_DECODE_STRV,    /* array of strings -> char ** (NULL-terminated), size_t at count */
	PROBE_DECODE_PORTS,   /* array of 1..65535 -> int *, size_t at count */
};

/* One entry of a field table; a table ends with key NULL. Keys that no
 * entry names are skipped. A key is looked up by length first, so keylen
 * must be strlen(key): write both with PROBE_KEY("name"). A table must not
 * name a key twice (the lookup stops at the first entry it meets, and
 * starts after the entry found last: list keys in the order they come). */
struct probe_decode_field {
	const char *key;
	size_t keylen;
	enum probe_decode_type type;
	size_t off;
	const struct probe_decode_field *sub; /* PROBE_DECODE_OBJ */
	size_t count;                         /* PROBE_DECODE_STRV, PROBE_DECODE_PORTS */
};

/* key and keylen of a table entry, from a string literal. */
#define PROBE_KEY(lit) (lit), (sizeof(lit) - 1)

struct probe_decode_doc;

/* Where an element callback is: read-only for the callback. */
struct probe_decode_ctx {
	const struct probe_decode_doc *doc;
	const char *what; /* the section's name, for messages */
	int index;        /* the element's index in the section */
	void *arg;        /* the caller's, from probe_decode_each */
};

/* Called on one element (token tok); returns ERR_OK, or ERR_PROTO with the
 * text set. */
typedef int (*probe_decode_elem_fn)(const struct probe_decode_ctx *c, int tok);

/* Parses text[0..len) and calls fn on every top-level value, and on every
 * element of a top-level array (sqlite3 -json prints one array; a JSON
 * file is one object). Returns ERR_OK or ERR_PROTO. */
int probe_decode_each(const char *text, size_t len, const char *what, probe_decode_elem_fn fn,
                      void *arg);

/* Decodes the keys of object obj that tab lists into base. Returns ERR_OK
 * or ERR_PROTO; what was decoded before an error stays in base. */
int probe_decode_obj(const struct probe_decode_ctx *c, int obj,
                     const struct probe_decode_field *tab, void *base);

/* Sets "probe reply: WHAT[INDEX].KEY: WHY" and returns ERR_PROTO. */
int probe_decode_bad(const struct probe_decode_ctx *c, const char *key, const char *why);

/* Appends the unescaped bytes of a JSON string body s[0..len) (without the
 * quotes) to out. Returns 0, or -1 on a bad escape. A lone surrogate
 * becomes U+FFFD; raw bytes are copied as they are. */
int probe_decode_unescape(const char *s, size_t len, struct strbuf *out);

#endif

/* utf8: decoding, encoding and making untrusted text safe for the screen.
 *
 * Text read from a host (session titles, paths, agent and model names) may
 * hold invalid UTF-8 and terminal escape sequences. utf8_sanitize() turns it
 * into valid UTF-8 that cannot drive the operator's terminal. */
#ifndef CODEFLEET_UTIL_UTF8_H
#define CODEFLEET_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

#define UTF8_REPLACEMENT 0xFFFDu

/* Decodes the sequence at s (len > 0 bytes available) into *cp and returns
 * the bytes it used (1..4). An invalid, overlong, surrogate or truncated
 * sequence yields U+FFFD and uses 1 byte. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Writes cp as UTF-8 into out (4 bytes room) and returns the length; a
 * surrogate or a value above U+10FFFF is written as U+FFFD. */
size_t utf8_encode(uint32_t cp, char out[4]);

/* Appends cp as UTF-8 to sb (same rules as utf8_encode). */
void utf8_put(struct strbuf *sb, uint32_t cp);

/* Appends the screen-safe form of s[0..len) to sb:
 *  - invalid UTF-8 becomes U+FFFD;
 *  - terminal sequences are removed whole: ESC [ … final (CSI), ESC ] … BEL
 *    or ST (OSC), ESC P/X/^/_ … ST (DCS, SOS, PM, APC), other ESC x pairs,
 *    and their C1 forms (U+009B CSI, U+009D OSC, U+0090/98/9E/9F);
 *  - other C0 and C1 controls and DEL are removed, except tab, newline
 *    and carriage return, which become one space each;
 *  - bidirectional overrides and isolates (U+202A–202E, U+2066–2069),
 *    which could reorder what the operator reads, are removed. */
void utf8_sanitize_append(struct strbuf *sb, const char *s, size_t len);

/* Returns a newly allocated screen-safe copy of s[0..len) (caller frees). */
char *utf8_sanitize(const char *s, size_t len);

/* 1 when s[0..len) is valid UTF-8 (no surrogates, no overlongs), else 0. */
int utf8_valid(const char *s, size_t len);

#endif

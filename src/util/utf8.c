#include "util/utf8.h"

#include "util/xmem.h"

static size_t seq_len(unsigned char c, uint32_t *init, uint32_t *min)
{
	if (c >= 0xC2 && c <= 0xDF) {
		*init = c & 0x1F;
		*min = 0x80;
		return 2;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		*init = c & 0x0F;
		*min = 0x800;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		*init = c & 0x07;
		*min = 0x10000;
		return 4;
	}
	return 0;
}

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t v = 0, min = 0;
	size_t n, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	n = seq_len(u[0], &v, &min);
	if (n == 0 || n > len)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			goto bad;
		v = (v << 6) | (u[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*cp = v;
	return n;
bad:
	*cp = UTF8_REPLACEMENT;
	return 1;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = UTF8_REPLACEMENT;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

void utf8_put(struct strbuf *sb, uint32_t cp)
{
	char tmp[4];

	strbuf_append(sb, tmp, utf8_encode(cp, tmp));
}

int utf8_valid(const char *s, size_t len)
{
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (cp == UTF8_REPLACEMENT && n == 1 && (unsigned char)s[i] >= 0x80)
			return 0;
		i += n;
	}
	return 1;
}

/* Where the sanitiser is inside a terminal sequence. */
enum san_state {
	SAN_TEXT,
	SAN_ESC,   /* after ESC */
	SAN_INTER, /* ESC followed by intermediates, until a final byte */
	SAN_CSI,   /* control sequence, until a final byte */
	SAN_STR,   /* OSC/DCS/SOS/PM/APC string, until BEL or ST */
	SAN_STR_ESC,
};

static int is_string_c1(uint32_t cp)
{
	return cp == 0x90 || cp == 0x98 || cp == 0x9D || cp == 0x9E || cp == 0x9F;
}

static int is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Handles one code point outside any sequence. */
static enum san_state san_text(struct strbuf *sb, uint32_t cp)
{
	if (cp == 0x1B)
		return SAN_ESC;
	if (cp == 0x9B)
		return SAN_CSI;
	if (is_string_c1(cp))
		return SAN_STR;
	if (cp == '\t' || cp == '\n' || cp == '\r') {
		strbuf_putc(sb, ' ');
		return SAN_TEXT;
	}
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || is_bidi_control(cp))
		return SAN_TEXT;
	utf8_put(sb, cp);
	return SAN_TEXT;
}

/* Handles cp after ESC; *again is set when cp must be processed as text. */
static enum san_state san_esc(uint32_t cp, int *again)
{
	if (cp == '[')
		return SAN_CSI;
	if (cp == ']' || cp == 'P' || cp == 'X' || cp == '^' || cp == '_')
		return SAN_STR;
	if (cp >= 0x20 && cp <= 0x2F)
		return SAN_INTER;
	if (cp >= 0x30 && cp <= 0x7E)
		return SAN_TEXT;
	*again = 1;
	return SAN_TEXT;
}

static enum san_state san_step(struct strbuf *sb, enum san_state st, uint32_t cp, int *again)
{
	switch (st) {
	case SAN_TEXT:
		return san_text(sb, cp);
	case SAN_ESC:
		return san_esc(cp, again);
	case SAN_INTER:
		if (cp >= 0x20 && cp <= 0x2F)
			return SAN_INTER;
		if (cp >= 0x30 && cp <= 0x7E)
			return SAN_TEXT;
		break;
	case SAN_CSI:
		if (cp >= 0x20 && cp <= 0x3F)
			return SAN_CSI;
		if (cp >= 0x40 && cp <= 0x7E)
			return SAN_TEXT;
		break;
	case SAN_STR:
		if (cp == 0x07 || cp == 0x9C)
			return SAN_TEXT;
		return cp == 0x1B ? SAN_STR_ESC : SAN_STR;
	case SAN_STR_ESC:
		if (cp == '\\')
			return SAN_TEXT;
		return san_esc(cp, again);
	}
	/* A sequence broken by an unexpected code point ends there; the code
	 * point itself is text again. */
	*again = 1;
	return SAN_TEXT;
}

void utf8_sanitize_append(struct strbuf *sb, const char *s, size_t len)
{
	enum san_state st = SAN_TEXT;
	size_t i = 0;

	strbuf_append(sb, "", 0);
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		int again = 0;

		st = san_step(sb, st, cp, &again);
		if (again)
			st = san_text(sb, cp);
		i += n;
	}
}

char *utf8_sanitize(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	utf8_sanitize_append(&sb, s, len);
	return strbuf_take(&sb);
}

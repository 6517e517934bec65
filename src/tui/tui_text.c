#include "tui/tui_text.h"

#include <langinfo.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "util/utf8.h"
#include "util/xmem.h"

static const char ELLIPSIS_UTF8[] = "\xe2\x80\xa6";
static const char ELLIPSIS_ASCII[] = "...";

int tui_text_utf8_locale(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static int is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static int cp_width(uint32_t cp, int utf8)
{
	int w;

	if (is_control(cp))
		return 0;
	if (!utf8)
		return 1;
	w = wcwidth((wchar_t)cp);
	if (w < 0)
		return 1; /* unassigned but printable: the terminal draws a box */
	return w > 2 ? 2 : w;
}

int tui_text_cp_width(uint32_t cp)
{
	return cp_width(cp, tui_text_utf8_locale());
}

static size_t width_n(const char *s, size_t len, int utf8)
{
	size_t i = 0, w = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp = 0;

		if (c < 0x80) { /* most of what a row holds: no decoding, no wcwidth */
			w += c >= 0x20 && c != 0x7f;
			i++;
			continue;
		}
		i += utf8_decode(s + i, len - i, &cp);
		w += (size_t)cp_width(cp, utf8);
	}
	return w;
}

size_t tui_text_width_n(const char *s, size_t len)
{
	return width_n(s, len, tui_text_utf8_locale());
}

size_t tui_text_width(const char *s)
{
	return s ? tui_text_width_n(s, strlen(s)) : 0;
}

/* The character starting at s[0] (a base and the zero-width code points
 * after it) as a byte length; *w gets its cells. */
static size_t cluster(const char *s, size_t len, int utf8, size_t *w)
{
	uint32_t cp = 0;
	size_t i = utf8_decode(s, len, &cp);

	*w = (size_t)cp_width(cp, utf8);
	while (i < len) {
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (cp_width(cp, utf8) != 0 || is_control(cp))
			break;
		i += n;
	}
	return i;
}

/* Appends the longest prefix of s[0..len) that fits in avail cells and
 * returns its cells. */
static size_t put_prefix(struct strbuf *out, const char *s, size_t len, size_t avail, int utf8)
{
	size_t i = 0, used = 0;

	while (i < len) {
		size_t w = 0;
		size_t n = cluster(s + i, len - i, utf8, &w);

		if (used + w > avail)
			break;
		used += w;
		i += n;
	}
	strbuf_append(out, s, i);
	return used;
}

static void put_spaces(struct strbuf *out, size_t n)
{
	while (n-- > 0)
		strbuf_putc(out, ' ');
}

size_t tui_text_fit(struct strbuf *out, const char *s, size_t width, unsigned flags)
{
	const char *ell = (flags & TUI_TEXT_ASCII) ? ELLIPSIS_ASCII : ELLIPSIS_UTF8;
	size_t ell_w = (flags & TUI_TEXT_ASCII) ? 3 : 1;
	int utf8 = tui_text_utf8_locale();
	size_t len = s ? strlen(s) : 0;
	size_t total = len ? width_n(s, len, utf8) : 0;
	size_t used = 0;

	strbuf_append(out, "", 0);
	if (total <= width) {
		if (len)
			strbuf_append(out, s, len);
		return total;
	}
	if (width < ell_w) {
		/* Only ASCII dots get here: one byte, one cell each. */
		strbuf_append(out, ell, width);
		return width;
	}
	used = put_prefix(out, s, len, width - ell_w, utf8);
	strbuf_puts(out, ell);
	put_spaces(out, width - ell_w - used);
	return width;
}

void tui_text_pad(struct strbuf *out, const char *s, size_t width, unsigned flags)
{
	struct strbuf tmp = STRBUF_INIT;
	size_t w = tui_text_fit(&tmp, s, width, flags);

	if (flags & TUI_TEXT_RIGHT)
		put_spaces(out, width - w);
	strbuf_append(out, strbuf_str(&tmp), tmp.len);
	if (!(flags & TUI_TEXT_RIGHT))
		put_spaces(out, width - w);
	strbuf_free(&tmp);
}

char *tui_text_age(char *buf, size_t size, int64_t ms)
{
	const int64_t s = ms / 1000, m = s / 60, h = m / 60, d = h / 24;

	if (s < 1)
		snprintf(buf, size, "now");
	else if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (m < 60)
		snprintf(buf, size, "%lldm", (long long)m);
	else if (h < 24)
		snprintf(buf, size, "%lldh", (long long)h);
	else if (d < 7)
		snprintf(buf, size, "%lldd", (long long)d);
	else if (d < 30)
		snprintf(buf, size, "%lldw", (long long)(d / 7));
	else if (d < 365)
		snprintf(buf, size, "%lldmo", (long long)(d / 30));
	else
		snprintf(buf, size, "%lldy", (long long)(d / 365));
	return buf;
}

char *tui_text_count(char *buf, size_t size, uint64_t n)
{
	static const char units[] = "kMGTPE";
	uint64_t scale = 1000;
	size_t u = 0;

	if (n < 1000) {
		snprintf(buf, size, "%llu", (unsigned long long)n);
		return buf;
	}
	while (u + 1 < sizeof(units) - 1 && n / scale >= 1000) {
		scale *= 1000;
		u++;
	}
	if (n / scale < 10)
		snprintf(buf, size, "%llu.%llu%c", (unsigned long long)(n / scale),
		         (unsigned long long)(n % scale / (scale / 10)), units[u]);
	else
		snprintf(buf, size, "%llu%c", (unsigned long long)(n / scale), units[u]);
	return buf;
}

char *tui_text_tilde(const char *path, const char *home)
{
	size_t hl = home ? strlen(home) : 0;

	if (!path)
		return NULL;
	while (hl > 1 && home[hl - 1] == '/')
		hl--;
	if (hl == 0 || (hl == 1 && home[0] == '/') || strncmp(path, home, hl) != 0)
		return xstrdup(path);
	if (path[hl] == '\0')
		return xstrdup("~");
	if (path[hl] != '/')
		return xstrdup(path);
	return xasprintf("~%s", path + hl);
}

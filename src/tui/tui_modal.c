/* tui_modal: dialog state and keys (see tui_modal.h, docs/tui-modal.md). */
#define _XOPEN_SOURCE_EXTENDED 1 /* curses.h read as every tui file reads it (wide) */
#define NCURSES_WIDECHAR       1

#include "tui/tui_modal.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui_keys.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/xmem.h"

/* ---- history ---- */

void tui_history_add(struct tui_history *h, const char *s)
{
	if (!s || !*s || (h->n > 0 && strcmp(h->item[h->n - 1], s) == 0))
		return;
	if (h->n == TUI_HISTORY_MAX) {
		free(h->item[0]);
		memmove(h->item, h->item + 1, (h->n - 1) * sizeof(h->item[0]));
		h->n--;
	}
	h->item[h->n++] = xstrdup(s);
}

void tui_history_free(struct tui_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->item[i]);
	memset(h, 0, sizeof(*h));
}

/* ---- opening and closing ---- */

/* Text from the caller may come from a host: never let it drive the
 * terminal. */
static char *safe_copy(const char *s)
{
	return utf8_sanitize(s ? s : "", s ? strlen(s) : 0);
}

void tui_modal_close(struct tui_modal *m)
{
	free(m->title);
	free(m->message);
	free(m->draft);
	free(m->text);
	free(m->start);
	memset(m, 0, sizeof(*m));
}

static void open_kind(struct tui_modal *m, enum tui_modal_kind kind, const char *title, int tag)
{
	tui_modal_close(m);
	m->kind = kind;
	m->tag = tag;
	m->title = safe_copy(title);
}

void tui_modal_confirm(struct tui_modal *m, const char *title, const char *msg, int tag)
{
	open_kind(m, TUI_MODAL_CONFIRM, title, tag);
	m->message = safe_copy(msg);
}

void tui_modal_input(struct tui_modal *m, const char *title, const char *prompt,
                     const char *initial, struct tui_history *hist, int tag)
{
	open_kind(m, TUI_MODAL_INPUT, title, tag);
	m->message = safe_copy(prompt);
	tui_line_init(&m->line, TUI_LINE_MAX);
	tui_line_set(&m->line, initial);
	m->hist = hist;
	m->hpos = hist ? hist->n : 0;
}

/* Records where the line starting at sb->len begins. */
static void add_line(struct tui_modal *m, struct strbuf *sb, size_t *cap)
{
	if (m->nlines + 2 > *cap) {
		*cap = *cap ? *cap * 2 : 64;
		m->start = xrealloc(m->start, *cap, sizeof(m->start[0]));
	}
	m->start[m->nlines++] = sb->len;
}

void tui_modal_text(struct tui_modal *m, const char *title, const char *text, int tag)
{
	struct strbuf sb = STRBUF_INIT;
	size_t cap = 0;

	open_kind(m, TUI_MODAL_TEXT, title, tag);
	for (const char *p = text ? text : ""; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		add_line(m, &sb, &cap);
		utf8_sanitize_append(&sb, p, len > 0 && p[len - 1] == '\r' ? len - 1 : len);
		strbuf_putc(&sb, '\0'); /* each line a C string for the drawer */
		p += nl ? len + 1 : len;
	}
	add_line(m, &sb, &cap); /* the end, so a line's length is a difference */
	m->nlines--;
	m->text = strbuf_take(&sb);
}

/* ---- reading ---- */

const char *tui_modal_value(const struct tui_modal *m)
{
	return m->kind == TUI_MODAL_INPUT ? m->line.text : NULL;
}

size_t tui_modal_lines(const struct tui_modal *m)
{
	return m->kind == TUI_MODAL_TEXT ? m->nlines : 0;
}

const char *tui_modal_line(const struct tui_modal *m, size_t i, size_t *len)
{
	if (i >= tui_modal_lines(m))
		return NULL;
	if (len)
		*len = m->start[i + 1] - m->start[i] - 1;
	return m->text + m->start[i];
}

/* ---- scrolling ---- */

static size_t page(const struct tui_modal *m)
{
	return m->rows ? m->rows : 1;
}

static size_t max_scroll(const struct tui_modal *m)
{
	return m->nlines > page(m) ? m->nlines - page(m) : 0;
}

void tui_modal_set_view(struct tui_modal *m, size_t rows)
{
	m->rows = rows;
	if (m->scroll > max_scroll(m))
		m->scroll = max_scroll(m);
}

/* Lines a TEXT key scrolls by, down positive; 0: not a scroll key. */
static long scroll_delta(const struct tui_modal *m, int code, bool fn)
{
	long pg = (long)page(m), half = pg > 1 ? pg / 2 : 1, all = (long)m->nlines;

	if (fn) {
		switch (code) {
		case KEY_DOWN:
			return 1;
		case KEY_UP:
			return -1;
		case KEY_NPAGE:
			return pg;
		case KEY_PPAGE:
			return -pg;
		case KEY_HOME:
			return -all;
		case KEY_END:
			return all;
		default:
			return 0;
		}
	}
	switch (code) {
	case 'j':
		return 1;
	case 'k':
		return -1;
	case TUI_LINE_CTRL('d'):
		return half;
	case TUI_LINE_CTRL('u'):
		return -half;
	case 'g':
		return -all;
	case 'G':
		return all;
	default:
		return 0;
	}
}

static int text_key(struct tui_modal *m, int code, bool fn)
{
	long d;
	size_t to;

	if (!fn && code == 'q')
		return TUI_MODAL_K_NO;
	d = scroll_delta(m, code, fn);
	if (d < 0)
		to = (size_t)-d > m->scroll ? 0 : m->scroll - (size_t)-d;
	else
		to = m->scroll + (size_t)d;
	if (to > max_scroll(m))
		to = max_scroll(m);
	if (to == m->scroll)
		return TUI_MODAL_K_NONE;
	m->scroll = to;
	return TUI_MODAL_K_REDRAW;
}

/* ---- confirm and input ---- */

static int confirm_key(int code, bool fn)
{
	if (tui_line_is_enter(code, fn) || (!fn && (code == 'y' || code == 'Y')))
		return TUI_MODAL_K_YES;
	if (!fn && (code == 'n' || code == 'N'))
		return TUI_MODAL_K_NO;
	return TUI_MODAL_K_NONE;
}

/* Shows history entry pos (hist->n: the draft back), saving the draft when
 * browsing begins. */
static int browse_to(struct tui_modal *m, size_t pos)
{
	if (m->hpos == m->hist->n)
		m->draft = xstrdup(m->line.text);
	m->hpos = pos;
	tui_line_set(&m->line, pos < m->hist->n ? m->hist->item[pos] : m->draft);
	if (pos == m->hist->n) {
		free(m->draft);
		m->draft = NULL;
	}
	return TUI_MODAL_K_REDRAW;
}

/* -1 older (Up, Ctrl-p), +1 newer (Down, Ctrl-n), 0 not a history key. */
static int browse_dir(int code, bool fn)
{
	if (fn ? code == KEY_UP : code == TUI_LINE_CTRL('p'))
		return -1;
	if (fn ? code == KEY_DOWN : code == TUI_LINE_CTRL('n'))
		return 1;
	return 0;
}

static int input_key(struct tui_modal *m, int code, bool fn)
{
	int dir = browse_dir(code, fn);

	if (tui_line_is_enter(code, fn)) {
		if (m->hist)
			tui_history_add(m->hist, m->line.text);
		return TUI_MODAL_K_YES;
	}
	if (dir < 0 && m->hist && m->hpos > 0)
		return browse_to(m, m->hpos - 1);
	if (dir > 0 && m->hist && m->hpos < m->hist->n)
		return browse_to(m, m->hpos + 1);
	if (dir)
		return TUI_MODAL_K_NONE;
	switch (tui_line_key(&m->line, code, fn)) {
	case TUI_LINE_EDITED:
	case TUI_LINE_MOVED:
		return TUI_MODAL_K_REDRAW;
	default:
		return TUI_MODAL_K_NONE;
	}
}

int tui_modal_key(struct tui_modal *m, int code, bool fn)
{
	if (m->kind == TUI_MODAL_NONE)
		return TUI_MODAL_K_NONE;
	if (!fn && code == TUI_KEYS_CTRL_C)
		return TUI_MODAL_K_QUIT;
	if (!fn && code == TUI_KEYS_ESC)
		return TUI_MODAL_K_NO;
	switch (m->kind) {
	case TUI_MODAL_CONFIRM:
		return confirm_key(code, fn);
	case TUI_MODAL_INPUT:
		return input_key(m, code, fn);
	default:
		return text_key(m, code, fn);
	}
}

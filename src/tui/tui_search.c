/* tui_search: the `/` filter's field, query and highlights (see
 * tui_search.h, docs/tui-search.md). */
#include "tui/tui_search.h"

#include <curses.h>
#include <string.h>

#include "tui/tui_text.h"
#include "util/utf8.h"

static void compile(struct tui_search *s)
{
	tui_filter_query_init(&s->q, s->text);
}

void tui_search_init(struct tui_search *s)
{
	memset(s, 0, sizeof(*s));
	compile(s);
}

void tui_search_open(struct tui_search *s)
{
	tui_search_init(s);
	s->editing = true;
}

void tui_search_reset(struct tui_search *s)
{
	tui_search_init(s);
}

bool tui_search_insert(struct tui_search *s, uint32_t cp)
{
	char enc[4];
	size_t n;

	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return false;
	n = utf8_encode(cp, enc);
	if (s->len + n > TUI_SEARCH_MAX)
		return false;
	memmove(s->text + s->cur + n, s->text + s->cur, s->len - s->cur + 1);
	memcpy(s->text + s->cur, enc, n);
	s->len += n;
	s->cur += n;
	compile(s);
	return true;
}

/* Start of the code point before byte offset off (off > 0). */
static size_t prev_start(const struct tui_search *s, size_t off)
{
	do
		off--;
	while (off > 0 && ((unsigned char)s->text[off] & 0xc0) == 0x80);
	return off;
}

static size_t next_start(const struct tui_search *s, size_t off)
{
	uint32_t cp;

	return off + utf8_decode(s->text + off, s->len - off, &cp);
}

bool tui_search_backspace(struct tui_search *s)
{
	size_t from;

	if (s->cur == 0)
		return false;
	from = prev_start(s, s->cur);
	memmove(s->text + from, s->text + s->cur, s->len - s->cur + 1);
	s->len -= s->cur - from;
	s->cur = from;
	compile(s);
	return true;
}

bool tui_search_clear(struct tui_search *s)
{
	if (s->len == 0)
		return false;
	s->text[0] = '\0';
	s->len = 0;
	s->cur = 0;
	compile(s);
	return true;
}

bool tui_search_left(struct tui_search *s)
{
	if (s->cur == 0)
		return false;
	s->cur = prev_start(s, s->cur);
	return true;
}

bool tui_search_right(struct tui_search *s)
{
	if (s->cur >= s->len)
		return false;
	s->cur = next_start(s, s->cur);
	return true;
}

size_t tui_search_cursor_cells(const struct tui_search *s)
{
	return tui_text_width_n(s->text, s->cur);
}

int tui_search_match(const struct tui_tree_item *it, void *arg)
{
	const struct tui_search *s = arg;
	const char *f[TUI_FILTER_NFIELDS] = {NULL, NULL, NULL, NULL, NULL};
	struct tui_filter_row_match m;

	switch (it->kind) {
	case TUI_TREE_HOST:
		f[TUI_FILTER_HOST] = it->host;
		f[TUI_FILTER_LABEL] = it->label;
		break;
	case TUI_TREE_PROJECT:
		f[TUI_FILTER_PATH] = it->path ? it->path : it->project_id;
		break;
	case TUI_TREE_SESSION:
		f[TUI_FILTER_TITLE] = it->title;
		f[TUI_FILTER_ID] = it->session_id;
		break;
	default:
		return 0;
	}
	if (s->q.len == 0)
		return 1;
	return tui_filter_row(&s->q, f, &m);
}

const char *tui_search_shown(const struct tui_tree_item *it)
{
	switch (it->kind) {
	case TUI_TREE_HOST:
		return it->label ? it->label : it->host;
	case TUI_TREE_PROJECT:
		return it->path ? it->path : it->project_id;
	case TUI_TREE_SESSION:
		return it->title;
	default:
		return NULL;
	}
}

size_t tui_search_marks(const struct tui_search *s, const struct tui_tree_item *it,
                        struct tui_filter_match *m)
{
	const char *text = tui_search_shown(it);

	memset(m, 0, sizeof(*m));
	if (!s->active || s->q.len == 0 || !text || it->score <= 0)
		return 0;
	if (tui_filter_match(&s->q, text, m) <= 0)
		m->npos = 0;
	return m->npos;
}

/* Cells one code point takes as the view draws it. */
static size_t cp_cells(uint32_t cp, bool utf8)
{
	int w;

	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return 1;
	if (cp >= 0x80 && !utf8)
		return 1;
	w = tui_text_cp_width(cp);
	return w > 0 ? (size_t)w : 0;
}

size_t tui_search_cells(const struct tui_search *s, const struct tui_tree_item *it, bool utf8,
                        struct tui_search_cell *out, size_t cap)
{
	struct tui_filter_match m;
	const char *text = tui_search_shown(it);
	size_t npos = tui_search_marks(s, it, &m), off = 0, col = 0, k = 0, n = 0;
	size_t len = text ? strlen(text) : 0;

	while (off < len && k < npos && n < cap) {
		uint32_t cp;
		size_t used = utf8_decode(text + off, len - off, &cp);
		size_t w = cp_cells(cp, utf8);

		if (off == m.pos[k]) {
			k++;
			if (w) {
				out[n].col = col;
				out[n].width = w;
				n++;
			}
		}
		col += w;
		off += used;
	}
	return n;
}

size_t tui_search_header(const struct tui_search *s, struct strbuf *sb, size_t matches)
{
	size_t cur;

	strbuf_puts(sb, "  /");
	cur = tui_text_width(strbuf_str(sb)) + tui_search_cursor_cells(s);
	strbuf_puts(sb, s->text);
	strbuf_printf(sb, "%s  %zu matches", s->editing ? " " : "", matches);
	return cur;
}

static int key_inner(struct tui_search *s, int key, bool fn)
{
	if (!s->editing && !fn && key == '/') {
		tui_search_open(s);
		return TUI_SEARCH_K_EDIT;
	}
	if (!s->editing) {
		if (fn || key != 0x1b || !s->active)
			return TUI_SEARCH_K_NONE;
		tui_search_reset(s);
		return TUI_SEARCH_K_EDIT;
	}
	if (!fn && (key == '\r' || key == '\n'))
		key = KEY_ENTER;
	else if (!fn && (key == 0x7f || key == '\b'))
		key = KEY_BACKSPACE;
	else if (!fn && key >= 0x20)
		return tui_search_insert(s, (uint32_t)key) ? TUI_SEARCH_K_EDIT : TUI_SEARCH_K_NONE;
	switch (key) {
	case 0x03: /* Ctrl-c */
		return TUI_SEARCH_K_QUIT;
	case 0x1b: /* Esc */
		tui_search_reset(s);
		return TUI_SEARCH_K_EDIT;
	case KEY_ENTER:
		s->editing = false;
		return TUI_SEARCH_K_EDIT;
	case KEY_BACKSPACE:
		return tui_search_backspace(s) ? TUI_SEARCH_K_EDIT : TUI_SEARCH_K_NONE;
	case 0x15: /* Ctrl-u */
		return tui_search_clear(s) ? TUI_SEARCH_K_EDIT : TUI_SEARCH_K_NONE;
	case KEY_LEFT:
		return tui_search_left(s) ? TUI_SEARCH_K_MOVE : TUI_SEARCH_K_NONE;
	case KEY_RIGHT:
		return tui_search_right(s) ? TUI_SEARCH_K_MOVE : TUI_SEARCH_K_NONE;
	default:
		return TUI_SEARCH_K_NONE;
	}
}

int tui_search_key(struct tui_search *s, int key, bool fn)
{
	int r = key_inner(s, key, fn);

	if (r == TUI_SEARCH_K_EDIT)
		s->active = s->len > 0;
	return r;
}

/* tui_search: the `/` filter's field, query and highlights (see
 * tui_search.h, docs/tui-search.md). */
#include "tui/tui_search.h"

#include <string.h>

#include "tui/tui_keys.h"
#include "tui/tui_text.h"
#include "util/utf8.h"

static void compile(struct tui_search *s)
{
	tui_filter_query_init(&s->q, s->line.text);
}

void tui_search_init(struct tui_search *s)
{
	memset(s, 0, sizeof(*s));
	tui_line_init(&s->line, TUI_SEARCH_MAX);
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

	if (!tui_line_accepts(cp))
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
	cur = tui_text_width(strbuf_str(sb)) + tui_line_cursor_cells(&s->line);
	strbuf_puts(sb, s->line.text);
	strbuf_printf(sb, "%s  %zu matches", s->editing ? " " : "", matches);
	return cur;
}

static int key_inner(struct tui_search *s, int key, bool fn)
{
	if (!fn && key == TUI_KEYS_ESC) {
		if (!s->editing && !s->active)
			return TUI_SEARCH_K_NONE;
		tui_search_reset(s);
		return TUI_SEARCH_K_EDIT;
	}
	if (!s->editing)
		return TUI_SEARCH_K_NONE;
	if (tui_line_is_enter(key, fn)) {
		s->editing = false;
		return TUI_SEARCH_K_EDIT;
	}
	if (!fn && key == TUI_KEYS_CTRL_C)
		return TUI_SEARCH_K_QUIT;
	switch (tui_line_key(&s->line, key, fn)) {
	case TUI_LINE_EDITED:
		compile(s);
		return TUI_SEARCH_K_EDIT;
	case TUI_LINE_MOVED:
		return TUI_SEARCH_K_MOVE;
	default:
		return TUI_SEARCH_K_NONE;
	}
}

int tui_search_key(struct tui_search *s, int key, bool fn)
{
	int r = key_inner(s, key, fn);

	if (r == TUI_SEARCH_K_EDIT)
		s->active = s->line.len > 0;
	return r;
}

/* tui_overlay: the panel, toasts and dialogs (see tui_overlay.h). */
#include "tui/tui_overlay.h"

#include <stdlib.h>
#include <string.h>

#include "discovery/disc_config.h"
#include "probe/probe_engine.h"
#include "tui/tui_app_int.h"
#include "tui/tui_draw.h"
#include "tui/tui_text.h"
#include "util/clock.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#define PANEL_MIN_TREE 60 /* the tree keeps this many columns beside the panel */
#define PANEL_MIN      30
#define MODAL_MARGIN   2 /* cells kept free around a dialog */

/* ---- frames ---- */

/* A frame at (y, x), h rows by w columns, its title in the top line, the
 * inside cleared. */
static void frame(const struct tui_app *a, int y, int x, size_t h, size_t w, const char *title)
{
	const struct tui_glyphs *g = a->g;
	attr_t b = tui_theme_attr(TUI_ROLE_BORDER);
	struct strbuf sb = STRBUF_INIT;

	if (h < 2 || w < 4)
		return;
	for (size_t i = 0; i < w; i++)
		strbuf_puts(&sb, i == 0 ? g->frame.tl : i == w - 1 ? g->frame.tr : g->frame.h);
	tui_draw_line(y, x, strbuf_str(&sb), w, b);
	strbuf_reset(&sb);
	for (size_t i = 0; i < w; i++)
		strbuf_puts(&sb, i == 0 ? g->frame.bl : i == w - 1 ? g->frame.br : g->frame.h);
	tui_draw_line(y + (int)h - 1, x, strbuf_str(&sb), w, b);
	for (size_t r = 1; r + 1 < h; r++) {
		tui_draw_line(y + (int)r, x, g->frame.v, 1, b);
		tui_draw_line(y + (int)r, x + 1, "", w - 2, tui_theme_attr(TUI_ROLE_NORMAL));
		tui_draw_line(y + (int)r, x + (int)w - 1, g->frame.v, 1, b);
	}
	if (title && *title) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, " %s ", title);
		tui_draw_line(y, x + 2, strbuf_str(&sb),
		              tui_text_width(strbuf_str(&sb)) < w - 4
		                  ? tui_text_width(strbuf_str(&sb))
		                  : w - 4,
		              tui_theme_attr(TUI_ROLE_TITLE));
	}
	strbuf_free(&sb);
}

/* s fitted into width cells (ellipsis when cut) at (y, x). */
static void text_at(const struct tui_app *a, int y, int x, const char *s, size_t len, size_t width,
                    attr_t at)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;

	strbuf_append(&in, s ? s : "", s ? len : 0);
	tui_text_fit(&out, strbuf_str(&in), width, a->g->text_flags);
	tui_draw_line(y, x, strbuf_str(&out), width, at);
	strbuf_free(&in);
	strbuf_free(&out);
}

/* ---- the inspect panel ---- */

/* The resolved ssh options of host (cached for the last host asked). */
static const char *ssh_options(struct tui_app *a, const struct probe_engine_host *h)
{
	if (!h || h->is_local)
		return NULL;
	if (!a->ssh_host || strcmp(a->ssh_host, h->name)) {
		free(a->ssh_host);
		free(a->ssh_opts);
		a->ssh_host = xstrdup(h->name);
		a->ssh_opts = tui_inspect_ssh_options(a->f.ssh, h->name);
	}
	return a->ssh_opts;
}

void tui_overlay_inspect_update(struct tui_app *a)
{
	const struct tui_tree_item *sel = tui_tree_selected(a->tree);
	struct tui_inspect_src src;

	if (sel && a->insp_tag == sel->tag)
		return;
	memset(&src, 0, sizeof(src));
	src.item = sel;
	src.tree = a->tree;
	src.host = sel && sel->host ? probe_engine_find(a->f.engine, sel->host) : NULL;
	src.ssh_options = ssh_options(a, src.host);
	src.now_ms = clock_wall_ms();
	src.active_ms = a->f.conf->display.active_threshold_ms;
	tui_inspect_build(&src, &a->insp);
	a->insp_tag = sel ? sel->tag : 0;
}

int tui_overlay_panel_width(const struct tui_app *a, size_t width)
{
	size_t w = width * 2 / 5;

	if (!a->panel || width < PANEL_MIN_TREE + PANEL_MIN)
		return 0;
	if (w < PANEL_MIN)
		w = PANEL_MIN;
	if (width - w < PANEL_MIN_TREE)
		w = width - PANEL_MIN_TREE;
	return (int)w;
}

static void panel_row(const struct tui_app *a, const struct tui_inspect_row *r, int y, int x,
                      size_t w, size_t lw)
{
	if (!r->value) {
		text_at(a, y, x, r->label, strlen(r->label), w, tui_theme_attr(TUI_ROLE_TITLE));
		return;
	}
	if (lw + 2 >= w)
		lw = w / 2;
	text_at(a, y, x, r->label, strlen(r->label), lw, tui_theme_attr(TUI_ROLE_LABEL));
	tui_draw_line(y, x + (int)lw, "", 2, tui_theme_attr(TUI_ROLE_NORMAL));
	text_at(a, y, x + (int)lw + 2, r->value, strlen(r->value), w - lw - 2,
	        tui_theme_attr(TUI_ROLE_NORMAL));
}

void tui_overlay_panel(struct tui_app *a, int y, int x, size_t rows, size_t w)
{
	size_t lw;

	tui_overlay_inspect_update(a);
	frame(a, y, x, rows, w, "inspect");
	lw = tui_inspect_label_width(&a->insp);
	for (size_t i = 0; i < a->insp.n && i + 2 < rows; i++)
		panel_row(a, &a->insp.rows[i], y + 1 + (int)i, x + 1, w - 2, lw);
}

/* ---- toasts ---- */

void tui_overlay_toasts(const struct tui_app *a, int y, size_t width)
{
	for (size_t i = 0; i < tui_toast_count(&a->toast) && y >= 1; i++, y--) {
		const struct tui_toast_msg *m = tui_toast_get(&a->toast, i);
		struct strbuf sb = STRBUF_INIT;
		size_t w;

		strbuf_printf(&sb, " %s ", m->text);
		w = tui_text_width(strbuf_str(&sb));
		if (w > width)
			w = width;
		text_at(a, y, (int)(width - w), strbuf_str(&sb), sb.len, w,
		        tui_theme_attr(m->level == TUI_TOAST_ERROR ? TUI_ROLE_TOAST_ERROR
		                                                   : TUI_ROLE_TOAST));
		strbuf_free(&sb);
	}
}

/* ---- dialogs ---- */

/* The widest line of a TEXT dialog, in cells. */
static size_t text_width(const struct tui_modal *m)
{
	size_t w = 0, len;

	for (size_t i = 0; i < tui_modal_lines(m); i++) {
		const char *s = tui_modal_line(m, i, &len);
		size_t cw = tui_text_width_n(s, len);

		if (cw > w)
			w = cw;
	}
	return w;
}

static void modal_text(struct tui_app *a, int y, int x, size_t h, size_t w)
{
	struct tui_modal *m = &a->modal;
	size_t rows = h - 2, len;

	tui_modal_set_view(m, rows);
	for (size_t r = 0; r < rows; r++) {
		const char *s = tui_modal_line(m, m->scroll + r, &len);

		text_at(a, y + 1 + (int)r, x + 2, s, s ? len : 0, w - 4,
		        tui_theme_attr(TUI_ROLE_NORMAL));
	}
}

/* The input line, scrolled so the cursor shows, the cursor cell reversed. */
static void modal_input(const struct tui_app *a, int y, int x, size_t w)
{
	const struct tui_line *l = &a->modal.line;
	size_t start = 0, cur;

	while (start < l->cur && tui_text_width_n(l->text + start, l->cur - start) + 1 > w) {
		start++;
		while (start < l->cur && ((unsigned char)l->text[start] & 0xc0) == 0x80)
			start++;
	}
	cur = tui_text_width_n(l->text + start, l->cur - start);
	text_at(a, y, x, l->text + start, l->len - start, w, tui_theme_attr(TUI_ROLE_NORMAL));
	mvchgat(y, x + (int)cur, 1, A_REVERSE, 0, NULL);
}

void tui_overlay_modal(struct tui_app *a)
{
	const struct tui_modal *m = &a->modal;
	size_t maxw = (size_t)COLS - 2 * MODAL_MARGIN, maxh = (size_t)LINES - 2 * MODAL_MARGIN;
	size_t w = 60, h = 6;
	int y, x;

	if (m->kind == TUI_MODAL_NONE || COLS < 20 || LINES < 8)
		return;
	if (m->kind == TUI_MODAL_TEXT) {
		w = text_width(m) + 4;
		h = tui_modal_lines(m) + 2;
	} else if (m->message && tui_text_width(m->message) + 4 > w) {
		w = tui_text_width(m->message) + 4; /* a question is read whole */
	}
	w = w < 30 ? 30 : w > maxw ? maxw : w;
	h = h > maxh ? maxh : h;
	y = (LINES - (int)h) / 2;
	x = (COLS - (int)w) / 2;
	frame(a, y, x, h, w, m->title);
	if (m->kind == TUI_MODAL_TEXT) {
		modal_text(a, y, x, h, w);
		return;
	}
	text_at(a, y + 2, x + 2, m->message, m->message ? strlen(m->message) : 0, w - 4,
	        tui_theme_attr(TUI_ROLE_NORMAL));
	if (m->kind == TUI_MODAL_INPUT)
		modal_input(a, y + 3, x + 2, w - 4);
	else
		text_at(a, y + 3, x + 2, "[y] yes   [n] no", 16, w - 4,
		        tui_theme_attr(TUI_ROLE_KEY));
}

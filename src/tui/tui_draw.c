/* tui_draw: one frame of the dashboard (see tui_draw.h). */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include "tui/tui_draw.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discovery/disc_config.h"
#include "probe/probe_engine.h"
#include "tui/tui_app_int.h"
#include "tui/tui_keys.h"
#include "tui/tui_overlay.h"
#include "tui/tui_rows.h"
#include "tui/tui_text.h"
#include "util/clock.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#define MIN_COLS 40
#define MIN_ROWS 10

int tui_draw_page_rows(void)
{
	return LINES > 3 ? LINES - 3 : 1;
}

void tui_draw_line(int y, int x, const char *s, size_t width, attr_t attr)
{
	struct strbuf sb = STRBUF_INIT;

	tui_text_pad(&sb, s, width, 0);
	attron(attr);
	mvaddstr(y, x, strbuf_str(&sb));
	attroff(attr);
	strbuf_free(&sb);
}

/* ---- the tree ---- */

/* The host item above item i (i itself for a host); TUI_TREE_NONE above. */
static size_t host_of(const struct tui_tree *t, size_t i)
{
	while (i != TUI_TREE_NONE && tui_tree_item(t, i)->kind != TUI_TREE_HOST)
		i = tui_tree_item(t, i)->parent;
	return i;
}

static void row_input(const struct tui_app *a, size_t i, size_t width, struct tui_rows_in *in)
{
	const struct tui_tree_item *it = tui_tree_item(a->tree, i);
	size_t h = host_of(a->tree, i);

	memset(in, 0, sizeof(*in));
	in->it = it;
	in->has_children = it->end > i + 1;
	/* cached, not fresh: the whole host while the cache is revalidated; the
	 * rows below a host that failed since (its own row shows the failure) */
	if (h != TUI_TREE_NONE) {
		enum probe_host_state st = tui_tree_item(a->tree, h)->host_state;

		in->stale = st == PROBE_HOST_STALE || (h != i && st != PROBE_HOST_OK);
	}
	if (it->kind == TUI_TREE_HOST)
		in->host = probe_engine_find(a->f.engine, it->host);
	in->g = a->g;
	in->utf8 = a->utf8;
	in->spin = a->spin;
	in->animate = a->animate;
	in->now_ms = clock_wall_ms();
	in->width = width;
}

/* Bolds and underlines the filter's matches in a row's shown text, where
 * they are visible. */
static void draw_marks(const struct tui_app *a, int y, size_t i, const struct tui_rows_row *row,
                       attr_t at)
{
	struct tui_search_cell c[TUI_FILTER_MAX_QUERY];
	size_t n = tui_search_cells(&a->search, tui_tree_item(a->tree, i), a->utf8, c,
	                            TUI_FILTER_MAX_QUERY);
	size_t end = row->name_end, ell = tui_text_width(a->g->ellipsis), x;

	if (n && row->name_cut)
		end = end > ell ? end - ell : 0; /* the ellipsis takes the end */
	for (size_t k = 0; k < n; k++) {
		if ((x = row->base + c[k].col) + c[k].width <= end)
			mvchgat(y, (int)x, (int)c[k].width,
			        (at & ~A_COLOR) | tui_theme_attr(TUI_ROLE_MATCH),
			        (short)PAIR_NUMBER(at), NULL);
	}
}

static void draw_row(const struct tui_app *a, int y, size_t i, bool cursor, size_t width,
                     struct tui_rows_row *row)
{
	struct tui_rows_in in;
	attr_t over = cursor ? tui_theme_attr(TUI_ROLE_CURSOR) : 0, at;

	row_input(a, i, width, &in);
	tui_rows_make(&in, row);
	at = tui_theme_attr(row->role) | over;
	tui_draw_line(y, 0, strbuf_str(&row->line), width, at);
	for (size_t k = 0; k < row->nseg; k++) {
		attr_t sa = tui_theme_attr(row->seg[k].role) | over;

		mvchgat(y, (int)row->seg[k].col, (int)row->seg[k].width, sa & ~A_COLOR,
		        (short)PAIR_NUMBER(sa), NULL);
	}
	draw_marks(a, y, i, row, at);
}

static void scroll_to_cursor(struct tui_app *a, size_t rows)
{
	size_t cur = tui_tree_cursor(a->tree), n = 0;

	tui_tree_display(a->tree, &n);
	if (a->top + rows > n)
		a->top = n > rows ? n - rows : 0;
	if (cur < a->top)
		a->top = cur;
	else if (cur >= a->top + rows)
		a->top = cur - rows + 1;
}

static void draw_tree(struct tui_app *a, size_t width, size_t rows)
{
	size_t n = 0;
	const size_t *disp = tui_tree_display(a->tree, &n);
	size_t cur = tui_tree_cursor(a->tree);
	struct tui_rows_row row;

	a->ntree_rows = rows;
	tui_rows_init(&row);
	scroll_to_cursor(a, rows);
	for (size_t r = 0; r < rows; r++) {
		size_t at = a->top + r;

		if (at < n)
			draw_row(a, (int)r + 1, disp[at], at == cur, width, &row);
		else
			tui_draw_line((int)r + 1, 0, "", width, tui_theme_attr(TUI_ROLE_NORMAL));
	}
	if (n == 0)
		tui_draw_line(1, 0, "  no hosts", width, tui_theme_attr(TUI_ROLE_DETAIL));
	tui_rows_free(&row);
	a->drawn_top = a->top;
	a->drawn_cursor = cur;
}

/* The view moved by d rows (|d| < rows): the tree's lines are scrolled in
 * place and only the rows that came in are drawn. */
static void scroll_rows(struct tui_app *a, long d, size_t width, size_t rows,
                        struct tui_rows_row *row)
{
	size_t n = 0, from = d > 0 ? rows - (size_t)d : 0, to = d > 0 ? rows : (size_t)-d;
	const size_t *disp = tui_tree_display(a->tree, &n);

	setscrreg(1, (int)rows);
	scrollok(stdscr, TRUE);
	wscrl(stdscr, (int)d);
	scrollok(stdscr, FALSE);
	setscrreg(0, LINES - 1);
	for (size_t r = from; r < to && a->top + r < n; r++)
		draw_row(a, (int)r + 1, disp[a->top + r], false, width, row);
}

/* Only the cursor moved: the view scrolls by the rows it has to (when
 * that is less than a screen) and the cursor's old and new rows are
 * drawn; false when the whole tree must be drawn instead. */
static bool draw_cursor(struct tui_app *a, size_t width, size_t rows)
{
	size_t n = 0, cur = tui_tree_cursor(a->tree), old = a->drawn_cursor;
	const size_t *disp = tui_tree_display(a->tree, &n);
	struct tui_rows_row row;
	long d;

	scroll_to_cursor(a, rows);
	d = (long)a->top - (long)a->drawn_top;
	if (rows != a->ntree_rows || old >= n || cur >= n || d >= (long)rows || -d >= (long)rows)
		return false;
	tui_rows_init(&row);
	if (d)
		scroll_rows(a, d, width, rows, &row);
	if (old >= a->top && old < a->top + rows && old != cur)
		draw_row(a, (int)(old - a->top) + 1, disp[old], false, width, &row);
	draw_row(a, (int)(cur - a->top) + 1, disp[cur], true, width, &row);
	tui_rows_free(&row);
	a->drawn_top = a->top;
	a->drawn_cursor = cur;
	return true;
}

/* ---- header and footer ---- */

/* "3 ok, 1 stale" over the non-zero counts of names[0..n). */
static void put_counts(struct strbuf *sb, const size_t *count, size_t n, const char *(*name)(int))
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (!count[i])
			continue;
		strbuf_printf(sb, "%s%zu %s", first ? " " : ", ", count[i], name((int)i));
		first = false;
	}
}

static const char *state_name(int i)
{
	return probe_host_state_name((enum probe_host_state)i);
}

static const char *status_name(int i)
{
	return probe_session_status_name((enum probe_session_status)i);
}

/* "next 12s" to the next probe, and the spinner while probes run. */
static void put_timer(const struct tui_app *a, struct strbuf *sb)
{
	int64_t next = probe_engine_next_timer_ms(a->f.engine, probe_engine_now_ms());
	const struct tui_glyphs *g = a->g;

	if (next >= 0 && probe_engine_count(a->f.engine) > 0)
		strbuf_printf(sb, "  next %llds", (long long)((next + 999) / 1000));
	if (probe_engine_busy(a->f.engine) > 0)
		strbuf_printf(sb, "  %s", g->spinner[a->animate ? a->spin % g->spinner_len : 0]);
}

static void draw_header(struct tui_app *a, size_t width)
{
	struct strbuf sb = STRBUF_INIT;
	size_t cur = 0;

	strbuf_printf(&sb, "codefleet  hosts:");
	put_counts(&sb, a->nstate, PROBE_HOST_STATE_COUNT, state_name);
	strbuf_printf(&sb, "  sessions:");
	put_counts(&sb, a->nstatus, PROBE_SESSION_STATUS_COUNT, status_name);
	if (a->search.editing || a->search.active)
		cur = tui_search_header(&a->search, &sb, tui_tree_matches(a->tree));
	put_timer(a, &sb);
	tui_draw_line(0, 0, strbuf_str(&sb), width, tui_theme_attr(TUI_ROLE_HEADER));
	if (a->search.editing && cur < width)
		mvchgat(0, (int)cur, 1, A_REVERSE, 0, NULL); /* the field's cursor */
	strbuf_free(&sb);
}

/* "key what" for the footer; nothing when the action has no key. */
static void put_key(const struct tui_app *a, struct strbuf *sb, int action, const char *what)
{
	struct strbuf k = STRBUF_INIT;

	tui_keys_describe(a->keys, action, a->theme.ascii, &k);
	if (k.len)
		strbuf_printf(sb, "%s%s %s", sb->len ? "  " : "", strbuf_str(&k), what);
	strbuf_free(&k);
}

static bool host_needs_auth(enum probe_host_state st)
{
	return st == PROBE_HOST_AUTH_REQUIRED || st == PROBE_HOST_HOSTKEY_UNKNOWN ||
	       st == PROBE_HOST_HOSTKEY_CHANGED;
}

/* The keys that apply to the selected row. */
static void footer_keys(const struct tui_app *a, struct strbuf *sb)
{
	const struct tui_tree_item *sel = tui_tree_selected(a->tree);

	if (a->search.editing) {
		strbuf_puts(sb, "type to filter  enter keep  esc clear");
		return;
	}
	if (sel && sel->kind == TUI_TREE_SESSION)
		put_key(a, sb, DISC_ACT_ATTACH, "attach");
	else if (sel)
		put_key(a, sb, DISC_ACT_TOGGLE, "fold");
	if (sel && sel->kind == TUI_TREE_HOST) {
		put_key(a, sb, DISC_ACT_REFRESH_HOST, "refresh host");
		if (host_needs_auth(sel->host_state))
			put_key(a, sb, DISC_ACT_AUTHENTICATE,
			        sel->host_state == PROBE_HOST_HOSTKEY_UNKNOWN ? "trust key"
			                                                      : "auth help");
		if (sel->host_state != PROBE_HOST_OK && sel->host_state != PROBE_HOST_STALE)
			put_key(a, sb, DISC_ACT_ERROR_DETAIL, "error");
	}
	if (a->search.active) {
		put_key(a, sb, DISC_ACT_NEXT_MATCH, "next");
		put_key(a, sb, DISC_ACT_PREV_MATCH, "prev");
	}
	put_key(a, sb, DISC_ACT_INSPECT, "inspect");
	put_key(a, sb, DISC_ACT_SEARCH, "filter");
	put_key(a, sb, DISC_ACT_REFRESH, "refresh");
	put_key(a, sb, DISC_ACT_HELP, "help");
	put_key(a, sb, DISC_ACT_QUIT, "quit");
}

static void draw_footer(const struct tui_app *a, int y, size_t width)
{
	struct strbuf sb = STRBUF_INIT;

	if (a->modal.kind != TUI_MODAL_NONE)
		strbuf_puts(&sb, a->modal.kind == TUI_MODAL_TEXT ? "j/k scroll  esc close"
		                 : a->modal.kind == TUI_MODAL_INPUT
		                     ? "enter ok  esc cancel  up/down history"
		                     : "y yes  n/esc no");
	else
		footer_keys(a, &sb);
	tui_draw_line(y, 0, strbuf_str(&sb), width, tui_theme_attr(TUI_ROLE_FOOTER));
	strbuf_free(&sb);
}

/* Writes the screen as text to a->dump, atomically (tmp + rename). */
static void dump_screen(const struct tui_app *a)
{
	char *tmp = xasprintf("%s.tmp", a->dump);
	size_t cap = (size_t)COLS * MB_LEN_MAX + 1;
	char *row = xmalloc(cap);
	FILE *fp = fopen(tmp, "w");

	for (int y = 0; fp && y < LINES; y++) {
		int n = mvinnstr(y, 0, row, (int)cap - 1);
		size_t len = n > 0 ? (size_t)n : 0;

		row[len] = '\0';
		while (len && row[len - 1] == ' ')
			row[--len] = '\0';
		fprintf(fp, "%s\n", row);
	}
	if (fp && fclose(fp) == 0)
		rename(tmp, a->dump);
	else
		unlink(tmp);
	free(row);
	free(tmp);
}

/* The cursor alone moved and nothing lies over the tree: two rows (and
 * the panel that follows the cursor) instead of the whole tree. */
static bool cursor_only(struct tui_app *a, size_t tree_w, size_t rows, int panel_w)
{
	/* the panel beside the tree would scroll with its lines */
	if ((a->dirty & (TUI_DIRTY_TREE | TUI_DIRTY_CURSOR)) != TUI_DIRTY_CURSOR ||
	    tui_toast_count(&a->toast) > 0 || a->modal.kind != TUI_MODAL_NONE || panel_w > 0)
		return false;
	return draw_cursor(a, tree_w, rows);
}

static void draw_screen(struct tui_app *a, size_t width)
{
	size_t rows = (size_t)LINES - 2, tree_w = width;
	int panel_w = tui_overlay_panel_width(a, width);

	if (panel_w > 0)
		tree_w = width - (size_t)panel_w;
	if (a->dirty & TUI_DIRTY_STATUS) {
		draw_header(a, width);
		draw_footer(a, LINES - 1, width);
	}
	if (a->dirty & TUI_DIRTY_CURSOR && !cursor_only(a, tree_w, rows, panel_w))
		a->dirty |= TUI_DIRTY_TREE;
	if (a->dirty & TUI_DIRTY_TREE) {
		draw_tree(a, tree_w, rows);
		if (panel_w > 0)
			tui_overlay_panel(a, 1, (int)tree_w, rows, (size_t)panel_w);
		tui_overlay_toasts(a, LINES - 2, width);
		tui_overlay_modal(a);
	}
}

void tui_draw_frame(struct tui_app *a)
{
	size_t width = COLS > 0 ? (size_t)COLS : 0;
	bool small = COLS < MIN_COLS || LINES < MIN_ROWS;

	if (a->small && !small)
		a->dirty |= TUI_DIRTY_ALL; /* grown back: everything */
	a->small = small;
	if (a->dirty & TUI_DIRTY_ALL) {
		clearok(curscr, TRUE);
		a->dirty |= TUI_DIRTY_TREE | TUI_DIRTY_STATUS;
	}
	if (small) {
		erase();
		mvaddnstr(0, 0, "terminal too small", COLS);
		if (LINES > 1)
			mvaddnstr(1, 0, "(40x10 at least)", COLS);
	} else {
		draw_screen(a, width);
	}
	a->dirty = 0;
	refresh();
	if (a->dump)
		dump_screen(a);
}

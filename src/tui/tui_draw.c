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

#include "probe/probe_engine.h"
#include "tui/tui_app_int.h"
#include "tui/tui_text.h"
#include "util/clock.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#define MIN_COLS 40
#define MIN_ROWS 10
#define SHORT_ID 8 /* session id cells shown */

enum { PAIR_OK = 1, PAIR_WARN, PAIR_BAD, PAIR_RUN };

void tui_draw_colors(struct tui_app *a, bool no_color)
{
	const char *nc = getenv("NO_COLOR");

	a->color = false;
	if (no_color || (nc && *nc) || !has_colors() || start_color() == ERR)
		return;
	use_default_colors();
	init_pair(PAIR_OK, COLOR_GREEN, -1);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_BAD, COLOR_RED, -1);
	init_pair(PAIR_RUN, COLOR_CYAN, -1);
	a->color = true;
}

int tui_draw_page_rows(void)
{
	return LINES > 3 ? LINES - 3 : 1;
}

static int state_pair(enum probe_host_state st)
{
	if (st == PROBE_HOST_OK)
		return PAIR_OK;
	if (st == PROBE_HOST_STALE || st == PROBE_HOST_CONNECTING)
		return PAIR_WARN;
	return PAIR_BAD;
}

static const char *status_icon(const struct tui_app *a, enum probe_session_status st)
{
	static const char *const utf8[] = {"○", "●", "▶", "✗", "▪"};
	static const char *const ascii[] = {"o", "*", ">", "x", "-"};

	if ((unsigned)st >= PROBE_SESSION_STATUS_COUNT)
		return "?";
	return a->ascii ? ascii[st] : utf8[st];
}

static const char *fold_mark(const struct tui_app *a, const struct tui_tree *t, size_t i)
{
	const struct tui_tree_item *it = tui_tree_item(t, i);

	if (it->end <= i + 1)
		return " ";
	if (it->expanded)
		return a->ascii ? "-" : "▾";
	return a->ascii ? "+" : "▸";
}

/* Appends s with control characters (C0, DEL, C1) as spaces; without a
 * UTF-8 locale each non-ASCII character becomes '?' (curses would print
 * meta notation, two cells a byte). NULL appends nothing. */
static void put_text(const struct tui_app *a, struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; p && *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			strbuf_putc(sb, ' ');
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			strbuf_putc(sb, ' ');
			p++;
		} else if (*p < 0x80 || a->utf8) {
			strbuf_putc(sb, (char)*p);
		} else if (*p >= 0xc0) {
			strbuf_putc(sb, '?');
		}
	}
}

/* The last SHORT_ID cells of a session id: OpenCode ids start with a
 * timestamp, so their tail is what tells two sessions apart. */
static const char *short_id(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	return n > SHORT_ID ? id + n - SHORT_ID : id;
}

/* Left part of a row (indent, fold mark, name); right part (counts, age,
 * id). Returns the cell where tui_search_shown()'s text starts in left. */
static size_t row_parts(const struct tui_app *a, size_t i, struct strbuf *left,
                        struct strbuf *right)
{
	const struct tui_tree_item *it = tui_tree_item(a->tree, i);
	char age[TUI_TEXT_SHORT_MAX];
	size_t base;

	for (int d = 0; d < it->depth; d++)
		strbuf_puts(left, "  ");
	strbuf_printf(left, "%s ", fold_mark(a, a->tree, i));
	if (it->kind == TUI_TREE_SESSION)
		strbuf_printf(left, "%s ", status_icon(a, it->status));
	base = tui_text_width(strbuf_str(left));
	switch (it->kind) {
	case TUI_TREE_GROUP:
		put_text(a, left, it->group);
		strbuf_printf(right, "%zu sessions", it->nsessions);
		break;
	case TUI_TREE_HOST:
		put_text(a, left, it->label ? it->label : it->host);
		strbuf_printf(right, "%-15s %4zu sessions", probe_host_state_name(it->host_state),
		              it->nsessions);
		break;
	case TUI_TREE_PROJECT:
		put_text(a, left, it->path ? it->path : it->project_id);
		strbuf_printf(right, "%zu", it->nsessions);
		break;
	case TUI_TREE_SESSION:
		put_text(a, left, it->title);
		tui_text_age(age, sizeof(age), clock_wall_ms() - it->last_activity);
		strbuf_printf(right, "%-8s %4s ", probe_session_status_name(it->status), age);
		put_text(a, right, short_id(it->session_id));
		break;
	case TUI_TREE_MORE:
		strbuf_printf(left, "+%zu more", it->nmore);
		break;
	}
	return base;
}

static void put_line(int y, const char *s, size_t width, attr_t attr)
{
	struct strbuf sb = STRBUF_INIT;

	tui_text_pad(&sb, s, width, 0);
	attron(attr);
	mvaddstr(y, 0, strbuf_str(&sb));
	attroff(attr);
	strbuf_free(&sb);
}

static attr_t row_attr(const struct tui_app *a, const struct tui_tree_item *it, bool cursor)
{
	attr_t at = A_NORMAL;

	if (cursor)
		at |= A_REVERSE;
	if (it->tomb)
		return at | A_DIM;
	if (!a->color)
		return at;
	if (it->kind == TUI_TREE_HOST)
		at |= COLOR_PAIR(state_pair(it->host_state));
	else if (it->kind == TUI_TREE_SESSION && it->status == PROBE_SESSION_RUNNING)
		at |= COLOR_PAIR(PAIR_RUN);
	return at;
}

/* Bolds and underlines the filter's matches in a row's shown text (from
 * cell base of left, which is drawn in lw cells), where they are visible. */
static void draw_marks(const struct tui_app *a, int y, size_t i, size_t base, const char *left,
                       size_t lw, attr_t at)
{
	struct tui_search_cell c[TUI_FILTER_MAX_QUERY];
	size_t n = tui_search_cells(&a->search, tui_tree_item(a->tree, i), a->utf8, c,
	                            TUI_FILTER_MAX_QUERY);
	size_t ell = a->ascii ? 3 : 1, x;

	if (n && tui_text_width(left) > lw)
		lw = lw > ell ? lw - ell : 0; /* cut: the ellipsis takes the end */
	for (size_t k = 0; k < n; k++) {
		if ((x = base + c[k].col) + c[k].width <= lw)
			mvchgat(y, (int)x, (int)c[k].width, (at & ~A_COLOR) | A_BOLD | A_UNDERLINE,
			        (short)PAIR_NUMBER(at), NULL);
	}
}

static void draw_row(const struct tui_app *a, int y, size_t i, bool cursor, size_t width)
{
	struct strbuf left = STRBUF_INIT, right = STRBUF_INIT, line = STRBUF_INIT;
	size_t rw, lw, base = row_parts(a, i, &left, &right);
	attr_t at = row_attr(a, tui_tree_item(a->tree, i), cursor);

	rw = tui_text_width(strbuf_str(&right));
	lw = width > rw + 1 ? width - rw - 1 : 0;
	tui_text_pad(&line, strbuf_str(&left), lw, a->ascii ? TUI_TEXT_ASCII : 0);
	if (rw) {
		strbuf_putc(&line, ' ');
		strbuf_puts(&line, strbuf_str(&right));
	}
	put_line(y, strbuf_str(&line), width, at);
	draw_marks(a, y, i, base, strbuf_str(&left), lw, at);
	strbuf_free(&left);
	strbuf_free(&right);
	strbuf_free(&line);
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

	scroll_to_cursor(a, rows);
	for (size_t r = 0; r < rows; r++) {
		size_t row = a->top + r;

		if (row < n)
			draw_row(a, (int)r + 1, disp[row], row == cur, width);
		else
			put_line((int)r + 1, "", width, A_NORMAL);
	}
	if (n == 0)
		put_line(1, "  no hosts", width, A_NORMAL);
}

static void draw_header(struct tui_app *a, size_t width)
{
	static const char *const spin_ascii[] = {"|", "/", "-", "\\"};
	static const char *const spin_utf8[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"};
	struct strbuf sb = STRBUF_INIT;
	size_t ok = 0, other = 0, nses = 0, nrun = 0, cur = 0;

	for (size_t i = 0; i < probe_engine_count(a->f.engine); i++) {
		if (probe_engine_host(a->f.engine, i)->state == PROBE_HOST_OK)
			ok++;
		else
			other++;
	}
	for (size_t i = 0; i < tui_tree_count(a->tree); i++) {
		const struct tui_tree_item *it = tui_tree_item(a->tree, i);

		if (it->kind == TUI_TREE_HOST && !it->tomb) {
			nses += it->nsessions;
			nrun += it->nrunning;
		}
	}
	strbuf_printf(&sb, "codefleet  hosts: %zu ok, %zu other  sessions: %zu running / %zu", ok,
	              other, nrun, nses);
	if (a->search.editing || a->search.active)
		cur = tui_search_header(&a->search, &sb, tui_tree_matches(a->tree));
	if (probe_engine_busy(a->f.engine) > 0)
		strbuf_printf(&sb, "  %s",
		              a->ascii ? spin_ascii[a->spin % 4] : spin_utf8[a->spin % 8]);
	put_line(0, strbuf_str(&sb), width, A_BOLD);
	if (a->search.editing && cur < width)
		mvchgat(0, (int)cur, 1, A_BOLD | A_REVERSE, 0, NULL); /* the field's cursor */
	strbuf_free(&sb);
}

static void draw_footer(const struct tui_app *a, int y, size_t width)
{
	const struct tui_tree_item *sel = tui_tree_selected(a->tree);
	struct strbuf sb = STRBUF_INIT;

	if (a->note)
		strbuf_printf(&sb, "%s  ", a->note);
	strbuf_puts(&sb,
	            a->search.editing ? "enter keep  esc clear" : "j/k move  h/l fold  / filter");
	if (sel && sel->kind == TUI_TREE_SESSION)
		strbuf_puts(&sb, "  enter attach");
	strbuf_puts(&sb, "  r refresh  q quit");
	put_line(y, strbuf_str(&sb), width, A_REVERSE);
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
	} else {
		if (a->dirty & TUI_DIRTY_STATUS) {
			draw_header(a, width);
			draw_footer(a, LINES - 1, width);
		}
		if (a->dirty & TUI_DIRTY_TREE)
			draw_tree(a, width, (size_t)LINES - 2);
	}
	a->dirty = 0;
	refresh();
	if (a->dump)
		dump_screen(a);
}

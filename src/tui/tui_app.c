/* tui_app: the dashboard's screen and loop (see tui_app.h). */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include "tui/tui_app.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "discovery/disc_config.h"
#include "probe/probe_engine.h"
#include "probe/probe_fleet.h"
#include "tui/tui_search.h"
#include "tui/tui_term.h"
#include "tui/tui_text.h"
#include "tui/tui_tree.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#define MIN_COLS      40
#define MIN_ROWS      10
#define SHORT_ID      8 /* session id cells shown */
#define SPIN_MS       150
#define TOMB_RETRY_MS 50 /* a tombstone past its deadline: never spin on it */
#define KEY_CTRL(c)   ((c)&0x1f)

/* Dirty flags: what the next redraw must repaint (STYLE habit 6). */
enum {
	DIRTY_TREE = 1,   /* the tree rows */
	DIRTY_STATUS = 2, /* header and footer */
	DIRTY_ALL = 4,    /* clear and repaint everything (resize, continue) */
};

/* What a key handler returns: it never draws. */
enum {
	KEY_F_REDRAW = 1, /* something changed on screen */
	KEY_F_QUIT = 2,
};

enum { PAIR_OK = 1, PAIR_WARN, PAIR_BAD, PAIR_RUN };

struct app {
	struct probe_fleet f;
	struct tui_tree *tree;
	struct tui_search search;      /* the `/` filter; tree's filter arg */
	struct tui_tree_src_host *src; /* probe_engine_count + 1 entries */
	size_t top;                    /* first display row shown */
	unsigned dirty;
	bool quit;
	int status;       /* exit status */
	bool ascii;       /* no UTF-8 symbols */
	bool utf8;        /* LC_CTYPE is UTF-8: non-ASCII text can show */
	bool color;       /* color pairs are set up */
	bool small;       /* the last frame said "terminal too small" */
	unsigned spin;    /* spinner frame */
	const char *note; /* one-shot footer note; NULL: none */
	const char *dump; /* CODEFLEET_TEST_DUMP; NULL: off */
	long max_loops;   /* CODEFLEET_MAX_LOOPS; 0: no limit */
};

static void setup_colors(struct app *a, bool no_color)
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

static int screen_open(struct app *a, const struct tui_app_opts *o)
{
	int rc = tui_term_open();

	if (rc == ERR_OK)
		setup_colors(a, o->no_color);
	return rc;
}

/* ---- the model ---- */

static void tree_rebuild(struct app *a)
{
	struct tui_tree_src src;
	size_t n =
	    tui_tree_src_fill(a->src, probe_engine_count(a->f.engine) + 1, a->f.hosts, a->f.engine);

	memset(&src, 0, sizeof(src));
	src.hosts = a->src;
	src.nhosts = n;
	src.sort_by = a->f.conf->sessions.sort_by;
	src.show_archived = a->f.conf->sessions.show_archived;
	src.show_empty_projects = a->f.conf->sessions.show_empty_projects;
	src.max_display = a->f.conf->sessions.max_display;
	a->tree = tui_tree_build(a->tree, &src, probe_engine_now_ms());
	a->dirty |= DIRTY_TREE | DIRTY_STATUS;
}

/* The earliest tombstone deadline, or -1 when there is none. */
static int64_t next_tomb(const struct app *a)
{
	int64_t best = -1;

	for (size_t i = 0; i < tui_tree_count(a->tree); i++) {
		const struct tui_tree_item *it = tui_tree_item(a->tree, i);

		if (it->tomb && (best < 0 || it->tomb_until < best))
			best = it->tomb_until;
	}
	return best;
}

/* ---- drawing ---- */

static int state_pair(enum probe_host_state st)
{
	if (st == PROBE_HOST_OK)
		return PAIR_OK;
	if (st == PROBE_HOST_STALE || st == PROBE_HOST_CONNECTING)
		return PAIR_WARN;
	return PAIR_BAD;
}

static const char *status_icon(const struct app *a, enum probe_session_status st)
{
	static const char *const utf8[] = {"○", "●", "▶", "✗", "▪"};
	static const char *const ascii[] = {"o", "*", ">", "x", "-"};

	if ((unsigned)st >= PROBE_SESSION_STATUS_COUNT)
		return "?";
	return a->ascii ? ascii[st] : utf8[st];
}

static const char *fold_mark(const struct app *a, const struct tui_tree *t, size_t i)
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
static void put_text(const struct app *a, struct strbuf *sb, const char *s)
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
static size_t row_parts(const struct app *a, size_t i, struct strbuf *left, struct strbuf *right)
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

static attr_t row_attr(const struct app *a, const struct tui_tree_item *it, bool cursor)
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
static void draw_marks(const struct app *a, int y, size_t i, size_t base, const char *left,
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

static void draw_row(const struct app *a, int y, size_t i, bool cursor, size_t width)
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

static void scroll_to_cursor(struct app *a, size_t rows)
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

static void draw_tree(struct app *a, size_t width, size_t rows)
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

static void draw_header(struct app *a, size_t width)
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

static void draw_footer(const struct app *a, int y, size_t width)
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
static void dump_screen(const struct app *a)
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

static void draw(struct app *a)
{
	size_t width = COLS > 0 ? (size_t)COLS : 0;
	bool small = COLS < MIN_COLS || LINES < MIN_ROWS;

	if (a->small && !small)
		a->dirty |= DIRTY_ALL; /* grown back: everything */
	a->small = small;
	if (a->dirty & DIRTY_ALL) {
		clearok(curscr, TRUE);
		a->dirty |= DIRTY_TREE | DIRTY_STATUS;
	}
	if (small) {
		erase();
		mvaddnstr(0, 0, "terminal too small", COLS);
	} else {
		if (a->dirty & DIRTY_STATUS) {
			draw_header(a, width);
			draw_footer(a, LINES - 1, width);
		}
		if (a->dirty & DIRTY_TREE)
			draw_tree(a, width, (size_t)LINES - 2);
	}
	a->dirty = 0;
	refresh();
	if (a->dump)
		dump_screen(a);
}

/* ---- input ---- */

static int page_rows(void)
{
	return LINES > 3 ? LINES - 3 : 1;
}

static int key_enter(struct app *a)
{
	const struct tui_tree_item *sel = tui_tree_selected(a->tree);

	if (sel && sel->kind == TUI_TREE_SESSION) {
		a->note = "attach: not yet";
		return KEY_F_REDRAW;
	}
	return tui_tree_toggle(a->tree) ? KEY_F_REDRAW : 0;
}

static int key_move(struct app *a, int key)
{
	switch (key) {
	case 'j':
	case KEY_DOWN:
		return tui_tree_move(a->tree, 1);
	case 'k':
	case KEY_UP:
		return tui_tree_move(a->tree, -1);
	case KEY_CTRL('d'):
	case KEY_NPAGE:
		return tui_tree_move(a->tree, page_rows());
	case KEY_CTRL('u'):
	case KEY_PPAGE:
		return tui_tree_move(a->tree, -page_rows());
	case 'g':
	case KEY_HOME:
		return tui_tree_home(a->tree);
	case 'G':
	case KEY_END:
		return tui_tree_end(a->tree);
	case 'h':
	case KEY_LEFT:
		return tui_tree_collapse(a->tree);
	case 'l':
	case KEY_RIGHT:
		return tui_tree_expand(a->tree);
	case ' ':
		return tui_tree_toggle(a->tree);
	default:
		return 0;
	}
}

static int key_handle(struct app *a, int key, bool fn)
{
	int r = tui_search_key(&a->search, key, fn);

	if (r == TUI_SEARCH_K_EDIT) /* live: re-filter on every change */
		tui_tree_set_filter(a->tree, a->search.active ? tui_search_match : NULL,
		                    &a->search);
	if (r)
		return r == TUI_SEARCH_K_QUIT ? KEY_F_QUIT : KEY_F_REDRAW;
	if (a->search.editing || (!fn && key >= KEY_MIN))
		return 0; /* typed into the field; a non-ASCII character */
	switch (key) {
	case 'n':
		return tui_tree_next_match(a->tree) ? KEY_F_REDRAW : 0;
	case 'N':
		return tui_tree_prev_match(a->tree) ? KEY_F_REDRAW : 0;
	case 'q':
	case KEY_CTRL('c'):
		return KEY_F_QUIT;
	case 'r':
		probe_engine_refresh_all(a->f.engine);
		return KEY_F_REDRAW;
	case '\r':
	case '\n':
	case KEY_ENTER:
		return key_enter(a);
	default:
		return key_move(a, key) ? KEY_F_REDRAW : 0;
	}
}

static void read_keys(struct app *a)
{
	wint_t ch;

	for (int rc = get_wch(&ch); rc != ERR && !a->quit; rc = get_wch(&ch)) {
		int key = (int)ch, fl;

		if (rc == KEY_CODE_YES && key == KEY_RESIZE) {
			a->dirty |= DIRTY_ALL | DIRTY_TREE | DIRTY_STATUS;
			continue;
		}
		if (a->note) {
			a->note = NULL;
			a->dirty |= DIRTY_STATUS;
		}
		fl = key_handle(a, key, rc == KEY_CODE_YES);
		if (fl & KEY_F_QUIT)
			a->quit = true;
		if (fl & KEY_F_REDRAW)
			a->dirty |= DIRTY_TREE | DIRTY_STATUS;
	}
}

/* ---- signals, as read from the self-pipe ---- */

static void on_resize(struct app *a)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	a->dirty |= DIRTY_ALL | DIRTY_TREE | DIRTY_STATUS;
}

static void on_suspend(struct app *a)
{
	endwin();
	raise(SIGSTOP);
	/* continued: back to curses modes, everything repainted */
	refresh();
	on_resize(a);
}

static void read_signals(struct app *a)
{
	unsigned char buf[64];
	ssize_t n;

	while ((n = read(tui_term_signal_fd(), buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			int sig = buf[i];

			if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
				a->quit = true;
				a->status = sig == SIGINT ? 0 : 128 + sig;
			} else if (sig == SIGWINCH || sig == SIGCONT) {
				on_resize(a);
			} else if (sig == SIGTSTP) {
				on_suspend(a);
			}
		}
	}
}

/* ---- the loop ---- */

static int min_timeout(int64_t a, int64_t b)
{
	int64_t t = a;

	if (t < 0 || (b >= 0 && b < t))
		t = b;
	if (t > INT_MAX)
		t = INT_MAX;
	return (int)t;
}

static int loop_timeout(const struct app *a, int64_t now)
{
	int64_t t = probe_engine_next_timer_ms(a->f.engine, now);
	int64_t tomb = next_tomb(a);

	if (tomb >= 0)
		t = min_timeout(t, tomb > now ? tomb - now + 1 : TOMB_RETRY_MS);
	if (probe_engine_busy(a->f.engine) > 0)
		t = min_timeout(t, SPIN_MS);
	return min_timeout(t, -1);
}

static void loop_turn(struct app *a)
{
	struct pollfd pfd[3] = {{STDIN_FILENO, POLLIN, 0},
	                        {probe_engine_fd(a->f.engine), POLLIN, 0},
	                        {tui_term_signal_fd(), POLLIN, 0}};
	int64_t now = probe_engine_now_ms();
	int64_t tomb;

	if (a->dirty)
		draw(a);
	if (poll(pfd, 3, loop_timeout(a, now)) < 0 && errno != EINTR)
		return;
	read_signals(a);
	now = probe_engine_now_ms();
	tomb = next_tomb(a);
	if (probe_engine_apply_results(a->f.engine) > 0 || (tomb >= 0 && tomb <= now))
		tree_rebuild(a);
	if (probe_engine_dispatch_due(a->f.engine, now) > 0 || probe_engine_busy(a->f.engine) > 0) {
		a->spin++;
		a->dirty |= DIRTY_STATUS;
	}
	if (pfd[0].revents & POLLIN)
		read_keys(a);
	if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		a->quit = true; /* the terminal is gone */
}

static void app_loop(struct app *a)
{
	long turns = 0;

	tree_rebuild(a);
	a->dirty |= DIRTY_ALL;
	draw(a); /* the first frame at once, from the cache */
	if (probe_engine_dispatch_due(a->f.engine, probe_engine_now_ms()) > 0)
		a->dirty |= DIRTY_STATUS;
	while (!a->quit) {
		loop_turn(a);
		if (a->max_loops > 0 && ++turns >= a->max_loops)
			a->quit = true;
	}
}

static void app_init(struct app *a, const struct tui_app_opts *o)
{
	const char *ml = getenv("CODEFLEET_MAX_LOOPS");
	const char *dump = getenv("CODEFLEET_TEST_DUMP");

	memset(a, 0, sizeof(*a));
	a->tree = NULL;
	a->src = NULL;
	a->note = NULL;
	tui_search_init(&a->search);
	a->utf8 = tui_text_utf8_locale() != 0;
	a->ascii = o->ascii || !a->utf8;
	a->dump = dump && *dump ? dump : NULL;
	a->max_loops = ml ? strtol(ml, NULL, 10) : 0;
}

int tui_app_run(const struct tui_app_opts *o)
{
	struct probe_fleet_opts fo = {o->config_path, o->ssh_config_path, true, false, NULL, 0,
	                              stderr};
	struct app a;
	int rc;

	setlocale(LC_CTYPE, "");
	app_init(&a, o);
	signal(SIGPIPE, SIG_IGN);
	rc = probe_fleet_open(&fo, &a.f);
	if (rc != ERR_OK)
		goto out;
	a.src = xcalloc(probe_engine_count(a.f.engine) + 1, sizeof(*a.src));
	rc = screen_open(&a, o);
	if (rc == ERR_OK)
		app_loop(&a);
	tui_term_close();
out:
	if (rc != ERR_OK)
		fprintf(stderr, "codefleet: %s\n", err_text());
	tui_tree_free(a.tree);
	free(a.src);
	probe_fleet_flush_warnings(&a.f, stderr);
	probe_fleet_close(&a.f);
	return rc != ERR_OK ? err_exit_status(rc) : a.status;
}

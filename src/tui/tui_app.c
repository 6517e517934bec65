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
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "discovery/disc_config.h"
#include "probe/probe_engine.h"
#include "probe/probe_fleet.h"
#include "tui/tui_app_int.h"
#include "tui/tui_draw.h"
#include "tui/tui_input.h"
#include "tui/tui_keys.h"
#include "tui/tui_search.h"
#include "tui/tui_term.h"
#include "tui/tui_text.h"
#include "tui/tui_tree.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#define SPIN_MS       150
#define TICK_MS       1000 /* the countdown to the next probe */
#define TOMB_RETRY_MS 50   /* a tombstone past its deadline: never spin on it */
#define MOUSE_EVENTS  (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED)

void tui_app_toast(struct tui_app *a, enum tui_toast_level level, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	tui_toast_push(&a->toast, level, probe_engine_now_ms(), "%s", strbuf_str(&sb));
	strbuf_free(&sb);
	a->dirty |= TUI_DIRTY_TREE;
}

/* The theme: the terminal is asked for its background before curses
 * starts, so its answer cannot reach curses as keys. */
static void theme_pick(struct tui_app *a, const struct tui_app_opts *o)
{
	struct tui_theme_input in;

	memset(&in, 0, sizeof(in));
	in.theme = a->f.conf->display.theme;
	in.no_color = o->no_color;
	in.unicode = a->f.conf->display.unicode && !o->ascii;
	in.utf8_locale = a->utf8;
	in.bg = tui_theme_detect_bg(&in, STDIN_FILENO, STDOUT_FILENO, TUI_THEME_QUERY_MS);
	tui_theme_resolve(&in, &a->theme);
	a->g = tui_theme_glyphs(a->theme.ascii);
	a->animate = a->f.conf->display.animation;
}

static int screen_open(struct tui_app *a, const struct tui_app_opts *o)
{
	int rc;

	theme_pick(a, o);
	rc = tui_term_open();
	if (rc != ERR_OK)
		return rc;
	tui_theme_apply(&a->theme);
	mousemask(MOUSE_EVENTS, NULL);
	return ERR_OK;
}

/* ---- the model ---- */

/* Hosts by state and live sessions by status (the header), and the
 * earliest tombstone deadline (the loop's timer). */
static void count(struct tui_app *a)
{
	memset(a->nstate, 0, sizeof(a->nstate));
	memset(a->nstatus, 0, sizeof(a->nstatus));
	a->tomb_next = -1;
	for (size_t i = 0; i < probe_engine_count(a->f.engine); i++)
		a->nstate[probe_engine_host(a->f.engine, i)->state]++;
	for (size_t i = 0; i < tui_tree_count(a->tree); i++) {
		const struct tui_tree_item *it = tui_tree_item(a->tree, i);

		if (it->tomb && (a->tomb_next < 0 || it->tomb_until < a->tomb_next))
			a->tomb_next = it->tomb_until;
		else if (!it->tomb && it->kind == TUI_TREE_SESSION)
			a->nstatus[it->status]++;
	}
}

/* True when a host's version moved since the last rebuild (what the tree
 * shows changed); the versions are remembered. */
static bool versions_moved(struct tui_app *a)
{
	bool moved = false;

	for (size_t i = 0; i < probe_engine_count(a->f.engine); i++) {
		unsigned v = probe_engine_host(a->f.engine, i)->version;

		moved |= a->versions[i] != v;
		a->versions[i] = v;
	}
	return moved;
}

static void tree_rebuild(struct tui_app *a)
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
	versions_moved(a);
	count(a);
	a->insp_tag = 0; /* the panel may say something new */
	a->dirty |= TUI_DIRTY_TREE | TUI_DIRTY_STATUS;
}

/* ---- signals, as read from the self-pipe ---- */

static void on_resize(struct tui_app *a)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_TREE | TUI_DIRTY_STATUS;
}

static void on_suspend(struct tui_app *a)
{
	endwin();
	raise(SIGSTOP);
	/* continued: back to curses modes, everything repainted */
	refresh();
	on_resize(a);
}

static void read_signals(struct tui_app *a)
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

/* New answers: the tree is rebuilt only when what it shows changed (most
 * answers are "unchanged"); latency and probe times are read at drawing. */
static void results_applied(struct tui_app *a)
{
	if (versions_moved(a)) {
		tree_rebuild(a);
		return;
	}
	a->insp_tag = 0; /* the panel shows latency and probe times */
	a->dirty |= TUI_DIRTY_TREE | TUI_DIRTY_STATUS;
}

/* Something moves on screen: the header spinner or a running session's. */
static bool spinning(const struct tui_app *a)
{
	return probe_engine_busy(a->f.engine) > 0 ||
	       (a->animate && a->nstatus[PROBE_SESSION_RUNNING] > 0);
}

/* The wait until the earliest of: a host due, a tombstone or a toast
 * going, the spinner's next frame, the countdown's next second. */
static int loop_timeout(const struct tui_app *a, int64_t now)
{
	int64_t t = probe_engine_next_timer_ms(a->f.engine, now);
	int64_t toast = tui_toast_next_deadline(&a->toast);

	if (a->tomb_next >= 0)
		t = min_timeout(t, a->tomb_next > now ? a->tomb_next - now + 1 : TOMB_RETRY_MS);
	if (toast >= 0)
		t = min_timeout(t, toast > now ? toast - now + 1 : 0);
	if (spinning(a))
		t = min_timeout(t, SPIN_MS);
	if (a->animate && t > TICK_MS)
		t = min_timeout(t, TICK_MS - now % TICK_MS);
	return min_timeout(t, -1);
}

/* Timers that came due: toasts, tombstones, the spinner's frame (by the
 * clock, so keys do not speed it up), and each new second: the countdown
 * and the ages in the rows. */
static void timers(struct tui_app *a, int64_t now)
{
	unsigned spin = (unsigned)(now / SPIN_MS);

	if (tui_toast_expire(&a->toast, now))
		a->dirty |= TUI_DIRTY_TREE;
	if (a->tomb_next >= 0 && a->tomb_next <= now)
		tree_rebuild(a);
	if (spinning(a) && spin != a->spin) {
		a->spin = spin;
		a->dirty |= TUI_DIRTY_STATUS;
		if (a->animate && a->nstatus[PROBE_SESSION_RUNNING] > 0)
			a->dirty |= TUI_DIRTY_TREE;
	}
	if (a->animate && now / TICK_MS != a->tick) {
		a->tick = now / TICK_MS;
		a->dirty |= TUI_DIRTY_STATUS | TUI_DIRTY_TREE;
	}
}

static void loop_turn(struct tui_app *a)
{
	struct pollfd pfd[3] = {{STDIN_FILENO, POLLIN, 0},
	                        {probe_engine_fd(a->f.engine), POLLIN, 0},
	                        {tui_term_signal_fd(), POLLIN, 0}};
	int64_t now = probe_engine_now_ms();

	if (a->dirty)
		tui_draw_frame(a);
	if (poll(pfd, 3, loop_timeout(a, now)) < 0 && errno != EINTR)
		return;
	read_signals(a);
	now = probe_engine_now_ms();
	if (probe_engine_apply_results(a->f.engine) > 0)
		results_applied(a);
	if (probe_engine_dispatch_due(a->f.engine, now) > 0)
		a->dirty |= TUI_DIRTY_STATUS;
	timers(a, now);
	if (pfd[0].revents & POLLIN)
		tui_input_read(a);
	if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		a->quit = true; /* the terminal is gone */
}

static void app_loop(struct tui_app *a)
{
	long turns = 0;

	tree_rebuild(a);
	a->dirty |= TUI_DIRTY_ALL;
	tui_draw_frame(a); /* the first frame at once, from the cache */
	if (probe_engine_dispatch_due(a->f.engine, probe_engine_now_ms()) > 0)
		a->dirty |= TUI_DIRTY_STATUS;
	while (!a->quit) {
		loop_turn(a);
		if (a->max_loops > 0 && ++turns >= a->max_loops)
			a->quit = true;
	}
}

static void app_init(struct tui_app *a)
{
	const char *ml = getenv("CODEFLEET_MAX_LOOPS");
	const char *dump = getenv("CODEFLEET_TEST_DUMP");

	memset(a, 0, sizeof(*a));
	a->tree = NULL;
	a->src = NULL;
	a->versions = NULL;
	a->keys = NULL;
	a->ssh_host = NULL;
	a->trust_host = NULL;
	a->trust_fp = NULL;
	a->ssh_opts = NULL;
	a->tomb_next = -1;
	tui_search_init(&a->search);
	a->utf8 = tui_text_utf8_locale() != 0;
	a->g = tui_theme_glyphs(true);
	a->dump = dump && *dump ? dump : NULL;
	a->max_loops = ml ? strtol(ml, NULL, 10) : 0;
}

static void app_free(struct tui_app *a)
{
	tui_tree_free(a->tree);
	free(a->src);
	free(a->versions);
	tui_keys_free(a->keys);
	tui_modal_close(&a->modal);
	tui_history_free(&a->hist);
	tui_toast_free(&a->toast);
	tui_inspect_free(&a->insp);
	free(a->trust_host);
	free(a->trust_fp);
	free(a->ssh_host);
	free(a->ssh_opts);
}

int tui_app_run(const struct tui_app_opts *o)
{
	struct probe_fleet_opts fo = {o->config_path, o->ssh_config_path, true, false, NULL, 0,
	                              stderr};
	struct tui_app a;
	int rc;

	setlocale(LC_CTYPE, "");
	app_init(&a);
	a.ssh_config_path = o->ssh_config_path;
	signal(SIGPIPE, SIG_IGN);
	rc = probe_fleet_open(&fo, &a.f);
	if (rc != ERR_OK)
		goto out;
	a.src = xcalloc(probe_engine_count(a.f.engine) + 1, sizeof(*a.src));
	a.versions = xcalloc(probe_engine_count(a.f.engine) + 1, sizeof(*a.versions));
	a.keys = tui_keys_new(a.f.conf->keys);
	rc = screen_open(&a, o);
	if (rc == ERR_OK)
		app_loop(&a);
	tui_term_close();
out:
	if (rc != ERR_OK)
		fprintf(stderr, "codefleet: %s\n", err_text());
	app_free(&a);
	probe_fleet_flush_warnings(&a.f, stderr);
	probe_fleet_close(&a.f);
	return rc != ERR_OK ? err_exit_status(rc) : a.status;
}

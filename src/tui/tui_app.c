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
#include "tui/tui_app_int.h"
#include "tui/tui_draw.h"
#include "tui/tui_input.h"
#include "tui/tui_search.h"
#include "tui/tui_term.h"
#include "tui/tui_text.h"
#include "tui/tui_tree.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#define SPIN_MS       150
#define TOMB_RETRY_MS 50 /* a tombstone past its deadline: never spin on it */

static int screen_open(struct tui_app *a, const struct tui_app_opts *o)
{
	int rc = tui_term_open();

	if (rc == ERR_OK)
		tui_draw_colors(a, o->no_color);
	return rc;
}

/* ---- the model ---- */

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
	a->dirty |= TUI_DIRTY_TREE | TUI_DIRTY_STATUS;
}

/* The earliest tombstone deadline, or -1 when there is none. */
static int64_t next_tomb(const struct tui_app *a)
{
	int64_t best = -1;

	for (size_t i = 0; i < tui_tree_count(a->tree); i++) {
		const struct tui_tree_item *it = tui_tree_item(a->tree, i);

		if (it->tomb && (best < 0 || it->tomb_until < best))
			best = it->tomb_until;
	}
	return best;
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

static int loop_timeout(const struct tui_app *a, int64_t now)
{
	int64_t t = probe_engine_next_timer_ms(a->f.engine, now);
	int64_t tomb = next_tomb(a);

	if (tomb >= 0)
		t = min_timeout(t, tomb > now ? tomb - now + 1 : TOMB_RETRY_MS);
	if (probe_engine_busy(a->f.engine) > 0)
		t = min_timeout(t, SPIN_MS);
	return min_timeout(t, -1);
}

static void loop_turn(struct tui_app *a)
{
	struct pollfd pfd[3] = {{STDIN_FILENO, POLLIN, 0},
	                        {probe_engine_fd(a->f.engine), POLLIN, 0},
	                        {tui_term_signal_fd(), POLLIN, 0}};
	int64_t now = probe_engine_now_ms();
	int64_t tomb;

	if (a->dirty)
		tui_draw_frame(a);
	if (poll(pfd, 3, loop_timeout(a, now)) < 0 && errno != EINTR)
		return;
	read_signals(a);
	now = probe_engine_now_ms();
	tomb = next_tomb(a);
	if (probe_engine_apply_results(a->f.engine) > 0 || (tomb >= 0 && tomb <= now))
		tree_rebuild(a);
	if (probe_engine_dispatch_due(a->f.engine, now) > 0 || probe_engine_busy(a->f.engine) > 0) {
		a->spin++;
		a->dirty |= TUI_DIRTY_STATUS;
	}
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

static void app_init(struct tui_app *a, const struct tui_app_opts *o)
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
	struct tui_app a;
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

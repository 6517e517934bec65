/* tui_app: the dashboard — the curses screen, the poll() loop over the
 * keyboard, the probe engine's wake fd and a signal self-pipe, and the
 * drawing of the tree (tui_tree). The only module that includes curses.
 *
 * The terminal is restored on every way out: the normal quit, atexit, the
 * xmem die hook, SIGINT/SIGTERM/SIGHUP (through the self-pipe into the same
 * clean exit) and the fatal signals (restore, then re-raise).
 *
 * Test hooks: CODEFLEET_TEST_DUMP=FILE writes the whole screen as text to
 * FILE (atomically: tmp + rename) on every redraw; CODEFLEET_MAX_LOOPS=N
 * quits after N loop turns (sanitizer runs). */
#ifndef CODEFLEET_TUI_TUI_APP_H
#define CODEFLEET_TUI_TUI_APP_H

#include <stdbool.h>

struct tui_app_opts {
	const char *config_path;     /* -c; NULL: the XDG default */
	const char *ssh_config_path; /* -F; NULL: the ssh defaults */
	bool no_color;               /* --no-color (NO_COLOR in the env counts too) */
	bool ascii;                  /* --ascii: no UTF-8 symbols */
};

/* Runs the dashboard on the terminal (stdin/stdout) until the user quits.
 * Returns the exit status: 0 for q and Ctrl-C. */
int tui_app_run(const struct tui_app_opts *o);

#endif

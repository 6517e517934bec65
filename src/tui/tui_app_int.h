/* The dashboard's state, shared by the modules that make up the screen:
 * tui_app.c (the loop, signals, timers, the model), tui_draw.c (the frame)
 * and tui_input.c (keys and mouse). Nothing else includes this: the rest of
 * the program uses tui_app.h. All of it runs on the UI thread. */
#ifndef CODEFLEET_TUI_APP_INT_H
#define CODEFLEET_TUI_APP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe_fleet.h"
#include "tui/tui_search.h"
#include "tui/tui_tree.h"

/* Dirty flags: what the next redraw must repaint (STYLE habit 6). */
enum {
	TUI_DIRTY_TREE = 1,   /* the tree rows */
	TUI_DIRTY_STATUS = 2, /* header and footer */
	TUI_DIRTY_ALL = 4,    /* clear and repaint everything (resize, continue) */
};

struct tui_app {
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

#endif

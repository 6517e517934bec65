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
#include "probe/probe_model.h"
#include "tui/tui_inspect.h"
#include "tui/tui_modal.h"
#include "tui/tui_search.h"
#include "tui/tui_theme.h"
#include "tui/tui_toast.h"
#include "tui/tui_tree.h"

struct tui_keys;

/* Dirty flags: what the next redraw must repaint (STYLE habit 6). */
enum {
	TUI_DIRTY_TREE = 1,   /* the tree rows */
	TUI_DIRTY_STATUS = 2, /* header and footer */
	TUI_DIRTY_ALL = 4,    /* clear and repaint everything (resize, continue) */
	TUI_DIRTY_CURSOR = 8, /* the cursor's old and new rows (nothing else moved) */
};

struct tui_app {
	struct probe_fleet f;
	struct tui_tree *tree;
	struct tui_search search;      /* the `/` filter; tree's filter arg */
	struct tui_tree_src_host *src; /* probe_engine_count + 1 entries */
	unsigned *versions;            /* each host's version at the last rebuild */
	size_t top;                    /* first display row shown */
	unsigned dirty;
	bool quit;
	int status;                    /* exit status */
	bool utf8;                     /* LC_CTYPE is UTF-8: non-ASCII text can show */
	struct tui_theme_choice theme; /* colours and glyph set */
	const struct tui_glyphs *g;
	bool animate;  /* display.animation: spinners and the countdown tick */
	bool small;    /* the last frame said "terminal too small" */
	unsigned spin; /* spinner frame */
	int64_t tick;  /* the second last drawn (ages, countdown) */
	struct tui_keys *keys;
	struct tui_modal modal;  /* the open dialog (help, inspect, error, question) */
	struct tui_history hist; /* what input dialogs accepted */
	struct tui_toast toast;  /* passing messages */
	bool panel;              /* the inspect panel beside the tree (cycle_view) */
	struct tui_inspect insp; /* the panel's rows */
	uint64_t insp_tag;       /* the item they were built for; 0: rebuild */
	char *trust_host;        /* the unknown key the open question is about */
	char *trust_fp;
	char *ssh_host;   /* the host ssh_opts belong to */
	char *ssh_opts;   /* its resolved options for the panel */
	size_t drawn_top; /* the tree's top and cursor rows as last drawn */
	size_t drawn_cursor;
	size_t ntree_rows;                          /* rows the tree had in the last frame */
	int64_t tomb_next;                          /* earliest tombstone deadline; -1: none */
	int64_t click_ms;                           /* the last click (double-click detection) */
	size_t nstate[PROBE_HOST_STATE_COUNT];      /* hosts by state */
	size_t nstatus[PROBE_SESSION_STATUS_COUNT]; /* live sessions by status */
	const char *ssh_config_path;                /* -F; NULL: ssh's defaults */
	const char *dump;                           /* CODEFLEET_TEST_DUMP; NULL: off */
	long max_loops;                             /* CODEFLEET_MAX_LOOPS; 0: no limit */
};

/* Toasts (tui_app.c): info or error, printf-style, on the app's clock. */
void tui_app_toast(struct tui_app *a, enum tui_toast_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

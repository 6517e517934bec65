/* tui_rows: what one tree row says — its text fitted to the screen width
 * and the roles of its parts (tui_theme) — with no curses, so the layout is
 * unit-tested. tui_draw paints the result.
 *
 * Each item kind has its own row function (a table indexed by kind, the
 * row "class" of STYLE habit 2). A row is a left part (indent, fold mark,
 * icon, name) cut with an ellipsis, and a right part of columns that are
 * dropped, least useful first, when the screen is narrow, so that the name
 * keeps two fifths of the width, at least TUI_ROWS_MIN_NAME cells:
 *   group    sessions
 *   host     state word, sessions (running), latency, age of the data
 *   project  sessions, last activity
 *   session  agent, model, messages, todos, status word, age, short id */
#ifndef CODEFLEET_TUI_ROWS_H
#define CODEFLEET_TUI_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe_engine.h"
#include "tui/tui_theme.h"
#include "tui/tui_tree.h"
#include "util/strbuf.h"

#define TUI_ROWS_MIN_NAME 16 /* cells the name keeps before columns go */
#define TUI_ROWS_SHORT_ID 8  /* session id cells shown */
#define TUI_ROWS_SEGS     10 /* the icon and every column */

struct tui_rows_in {
	const struct tui_tree_item *it;
	bool has_children;                    /* the fold mark shows */
	bool stale;                           /* the host's data is cached, not fresh: dimmed */
	const struct probe_engine_host *host; /* host rows; NULL: not known */
	const struct tui_glyphs *g;
	bool utf8;      /* non-ASCII text can show (else it becomes '?') */
	unsigned spin;  /* spinner frame for running sessions; animation off: 0 */
	bool animate;   /* running sessions spin */
	int64_t now_ms; /* wall clock, for ages */
	size_t width;   /* cells of the row */
};

/* A part of the row drawn with its own role. */
struct tui_rows_seg {
	size_t col, width;
	enum tui_role role;
};

struct tui_rows_row {
	struct strbuf line; /* exactly width cells */
	enum tui_role role; /* the whole row */
	size_t base;        /* cell where tui_search_shown()'s text starts */
	size_t name_end;    /* cells of the left part as drawn (cut text ends here) */
	bool name_cut;      /* the name was cut (the ellipsis ends it) */
	struct tui_rows_seg seg[TUI_ROWS_SEGS];
	size_t nseg;
};

/* Fills row (initialised with tui_rows_init, reused across calls). */
void tui_rows_make(const struct tui_rows_in *in, struct tui_rows_row *row);
void tui_rows_init(struct tui_rows_row *row);
void tui_rows_free(struct tui_rows_row *row);

/* Appends s with control characters (C0, DEL, C1) as spaces; without utf8
 * each non-ASCII character becomes '?' (curses would print meta notation,
 * two cells a byte). NULL appends nothing. */
void tui_rows_put_text(struct strbuf *sb, const char *s, bool utf8);

/* The role of a host state and of a session status. */
enum tui_role tui_rows_host_role(enum probe_host_state st);
enum tui_role tui_rows_status_role(enum probe_session_status st);

#endif

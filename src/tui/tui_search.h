/* tui_search: the dashboard's `/` filter — the search field (a tui_line),
 * the compiled query, the tui_tree match function and the
 * highlight positions of a row (docs/tui-search.md). No curses here: the
 * field's keys go through tui_line. */
#ifndef CODEFLEET_TUI_SEARCH_H
#define CODEFLEET_TUI_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/tui_filter.h"
#include "tui/tui_line.h"
#include "util/strbuf.h"
#include "tui/tui_tree.h"

/* Bytes of query text kept (a code point is never cut). */
#define TUI_SEARCH_MAX 255

struct tui_search {
	struct tui_line line;      /* the query as typed (tui_line_init'ed to TUI_SEARCH_MAX) */
	bool editing;              /* the field is open and takes the keys */
	bool active;               /* a filter is set on the tree */
	struct tui_filter_query q; /* line.text, compiled */
};

/* One highlighted character of a row's shown text, in cells from its start. */
struct tui_search_cell {
	size_t col;
	size_t width;
};

void tui_search_init(struct tui_search *s);
/* Opens the field with an empty query (the app calls it on its filter key,
 * `/` by default). */
void tui_search_open(struct tui_search *s);
/* Esc: empty query, field closed, no filter. */
void tui_search_reset(struct tui_search *s);

/* tui_tree_match_fn (arg: the struct tui_search): scores an item over its
 * own fields — host: HOST and LABEL; project: PATH; session: TITLE and ID;
 * groups and "+N more" never match. */
int tui_search_match(const struct tui_tree_item *it, void *arg);

/* The text the view shows for a row: host label (else name), project path
 * (else key), session title; NULL for other rows. */
const char *tui_search_shown(const struct tui_tree_item *it);

/* Byte offsets (into tui_search_shown(it)) of the query's characters in the
 * shown text; returns how many (0: no filter or no match there). */
size_t tui_search_marks(const struct tui_search *s, const struct tui_tree_item *it,
                        struct tui_filter_match *m);

/* The marks as cells from the start of the shown text as the view draws
 * it (controls as one space; without utf8 each non-ASCII character as one
 * '?'); returns how many were written (at most cap). */
size_t tui_search_cells(const struct tui_search *s, const struct tui_tree_item *it, bool utf8,
                        struct tui_search_cell *out, size_t cap);

/* Appends "  /query  N matches" (a space after the query while editing,
 * where the field's cursor can stand) to sb; returns the cell of the
 * field's cursor in sb. */
size_t tui_search_header(const struct tui_search *s, struct strbuf *sb, size_t matches);

/* What tui_search_key did. */
enum {
	TUI_SEARCH_K_NONE, /* nothing */
	TUI_SEARCH_K_MOVE, /* the field's cursor moved */
	TUI_SEARCH_K_EDIT, /* the query or the field's state changed: re-filter */
	TUI_SEARCH_K_QUIT, /* Ctrl-c */
};

/* A key (get_wch: fn for KEY_CODE_YES). Field closed: Esc clears a kept
 * filter, every other key is not its own (K_NONE); the field is opened by
 * tui_search_open. Field open: Enter keeps the filter and closes the field,
 * Esc clears both, Ctrl-c quits, the rest goes to the line editor
 * (tui_line_key: printable characters, q included, go in). On K_EDIT,
 * active says whether the tree needs tui_search_match as its filter (a
 * non-empty query) or no filter. */
int tui_search_key(struct tui_search *s, int key, bool fn);

#endif

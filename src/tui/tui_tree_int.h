/* The tree object itself, shared by tui_tree.c (building, carry-over by tag,
 * lookup) and tui_treenav.c (display list, cursor, filter). Nothing else
 * includes this: the rest of the program uses tui_tree.h. */
#ifndef CODEFLEET_TUI_TREE_INT_H
#define CODEFLEET_TUI_TREE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tui/tui_tree.h"

struct tui_tree_tagidx {
	uint64_t tag;
	size_t idx;
};

struct tui_tree {
	struct tui_tree_item *items;
	size_t n;
	struct tui_tree_tagidx *tags; /* sorted by tag */
	size_t *display;
	size_t ndisplay;
	size_t cursor;
	tui_tree_match_fn match;
	void *match_arg;
	size_t nmatches;
};

#endif

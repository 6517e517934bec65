/* tui_treenav: what the view shows of a tui_tree and where the cursor is —
 * the display list (visible rows, closed subtrees skipped), the cursor and
 * its moves (j/k, home/end, h/l/space, select by tag, marks) and the filter
 * (scores, matches, n/N). See docs/tui-tree.md.
 *
 * It implements the display, cursor, navigation and filter functions that
 * tui_tree.h declares (tui_tree_display ... tui_tree_prev_match); they keep
 * that header's names, the program's interface. This header only adds what
 * tui_tree.c needs after a build. */
#ifndef CODEFLEET_TUI_TREENAV_H
#define CODEFLEET_TUI_TREENAV_H

#include "tui/tui_tree.h"

/* After t's items, expanded state and tag index are set: takes the filter
 * over from old (may be NULL), scores, lays out the display list and puts the
 * cursor on old's cursor item by tag — else its next surviving sibling, else
 * its parent (recursively) — or on the nearest visible ancestor. */
void tui_treenav_carry(struct tui_tree *t, const struct tui_tree *old);

#endif

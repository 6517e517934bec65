/* tui_treebuild: turns a struct tui_tree_src and the previous tree's items
 * into the new tree's items, in pre-order (see docs/tui-tree.md).
 *
 * It collects the sessions and projects of every host, keeps the vanished
 * hosts, projects and sessions of the old items as tombstones until their
 * deadline, sorts by the sort mode, nests sub-agents under their parents,
 * puts the roots past max_display under a "+N more" item and the hosts
 * under their group headings. Every item gets its kind, tag, depth, parent,
 * end, owned texts and its own last_activity; the rest (expanded, tagged,
 * counts summed bottom-up, row, score) is tui_tree's.
 *
 * The sort comparators use a file-level context variable: owner thread
 * only. */
#ifndef CODEFLEET_TUI_TREEBUILD_H
#define CODEFLEET_TUI_TREEBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "tui/tui_tree.h"

/* Returns the new items (*n of them; the caller frees each with its texts,
 * then the array). old[0, nold) is only read; old may be NULL when nold is
 * 0. Tombstones get the deadline now_ms + src->tomb_ms, kept if the old item
 * already was one. */
struct tui_tree_item *tui_treebuild_items(const struct tui_tree_src *src,
                                          const struct tui_tree_item *old, size_t nold,
                                          int64_t now_ms, size_t *n);

/* Item i's parent that is not a "+N more" row, TUI_TREE_NONE at the top. */
static inline size_t tui_treebuild_real_parent(const struct tui_tree_item *items, size_t i)
{
	size_t p = items[i].parent;

	while (p != TUI_TREE_NONE && items[p].kind == TUI_TREE_MORE)
		p = items[p].parent;
	return p;
}

#endif

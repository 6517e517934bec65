/* tui_treenav: the display list, the cursor and the filter of a tui_tree
 * (see tui_treenav.h, docs/tui-tree.md). */
#include "tui/tui_treenav.h"

#include <stdlib.h>

#include "tui/tui_tree_int.h"
#include "tui/tui_treebuild.h"
#include "util/xmem.h"

/* ---- display list and filter scores ---- */

static void score_items(struct tui_tree *t)
{
	t->nmatches = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct tui_tree_item *it = &t->items[i];

		it->nmatch_below = 0;
		it->score = 0;
		if (t->match && it->kind != TUI_TREE_MORE)
			it->score = t->match(it, t->match_arg);
		if (it->score < 0)
			it->score = 0;
		if (it->score > 0)
			t->nmatches++;
	}
	for (size_t i = t->n; i-- > 0;) {
		const struct tui_tree_item *it = &t->items[i];

		if (it->parent != TUI_TREE_NONE)
			t->items[it->parent].nmatch_below += it->nmatch_below + (it->score > 0);
	}
}

static void flatten(struct tui_tree *t)
{
	size_t i = 0;

	free(t->display);
	t->display = t->n ? xcalloc(t->n, sizeof(*t->display)) : NULL;
	t->ndisplay = 0;
	for (size_t k = 0; k < t->n; k++)
		t->items[k].row = TUI_TREE_NONE;
	while (i < t->n) {
		struct tui_tree_item *it = &t->items[i];
		bool open = it->expanded;

		if (t->match) {
			if (!it->score && !it->nmatch_below) {
				i = it->end;
				continue;
			}
			open = it->nmatch_below > 0;
		}
		it->row = t->ndisplay;
		t->display[t->ndisplay++] = i;
		i = open ? i + 1 : it->end;
	}
}

static size_t cursor_item(const struct tui_tree *t)
{
	return t->ndisplay ? t->display[t->cursor] : TUI_TREE_NONE;
}

/* Cursor onto item i, or its nearest visible ancestor. */
static void cursor_to(struct tui_tree *t, size_t i)
{
	while (i != TUI_TREE_NONE && t->items[i].row == TUI_TREE_NONE)
		i = t->items[i].parent;
	t->cursor = i != TUI_TREE_NONE ? t->items[i].row : 0;
}

/* Relayout keeping the cursor's item (or its nearest visible ancestor). */
static int relayout(struct tui_tree *t)
{
	size_t cur = cursor_item(t);
	size_t before = t->cursor;

	flatten(t);
	if (cur != TUI_TREE_NONE)
		cursor_to(t, cur);
	else
		t->cursor = 0;
	return TUI_TREE_F_RELAYOUT | (t->cursor != before ? TUI_TREE_F_MOVED : 0);
}

/* Where the old cursor goes: its item, else the next surviving sibling,
 * else the parent (recursively). */
static size_t carry_cursor(const struct tui_tree *t, const struct tui_tree *old)
{
	size_t o = cursor_item(old);

	while (o != TUI_TREE_NONE) {
		size_t par = old->items[o].parent;
		size_t hit = tui_tree_find(t, old->items[o].tag);
		size_t end = par == TUI_TREE_NONE ? old->n : old->items[par].end;

		if (hit != TUI_TREE_NONE)
			return hit;
		for (size_t s = old->items[o].end; s < end; s = old->items[s].end) {
			hit = tui_tree_find(t, old->items[s].tag);
			if (hit != TUI_TREE_NONE)
				return hit;
		}
		o = par;
	}
	return TUI_TREE_NONE;
}

void tui_treenav_carry(struct tui_tree *t, const struct tui_tree *old)
{
	size_t cur = TUI_TREE_NONE;

	if (old) {
		t->match = old->match;
		t->match_arg = old->match_arg;
	}
	score_items(t);
	flatten(t);
	cur = old ? carry_cursor(t, old) : TUI_TREE_NONE;
	cursor_to(t, cur);
}

const size_t *tui_tree_display(const struct tui_tree *t, size_t *n)
{
	*n = t->ndisplay;
	return t->display;
}

size_t tui_tree_cursor(const struct tui_tree *t)
{
	return t->cursor;
}

const struct tui_tree_item *tui_tree_selected(const struct tui_tree *t)
{
	size_t i = cursor_item(t);

	return i != TUI_TREE_NONE ? &t->items[i] : NULL;
}

/* ---- navigation ---- */

static int set_cursor(struct tui_tree *t, size_t row)
{
	if (!t->ndisplay || row == t->cursor)
		return 0;
	t->cursor = row;
	return TUI_TREE_F_MOVED;
}

int tui_tree_move(struct tui_tree *t, long delta)
{
	long row = (long)t->cursor + delta;

	if (!t->ndisplay)
		return 0;
	if (row < 0)
		row = 0;
	if (row >= (long)t->ndisplay)
		row = (long)t->ndisplay - 1;
	return set_cursor(t, (size_t)row);
}

int tui_tree_home(struct tui_tree *t)
{
	return set_cursor(t, 0);
}

int tui_tree_end(struct tui_tree *t)
{
	return t->ndisplay ? set_cursor(t, t->ndisplay - 1) : 0;
}

int tui_tree_select_tag(struct tui_tree *t, uint64_t tag)
{
	size_t i = tui_tree_find(t, tag);
	size_t before = t->cursor;
	int flags = 0;

	if (i == TUI_TREE_NONE)
		return 0;
	if (t->items[i].row == TUI_TREE_NONE && !t->match) {
		for (size_t p = t->items[i].parent; p != TUI_TREE_NONE; p = t->items[p].parent)
			t->items[p].expanded = true;
		flatten(t);
		flags |= TUI_TREE_F_RELAYOUT;
	}
	cursor_to(t, i);
	return flags | (t->cursor != before ? TUI_TREE_F_MOVED : 0);
}

static bool has_children(const struct tui_tree *t, size_t i)
{
	return t->items[i].end > i + 1;
}

int tui_tree_collapse(struct tui_tree *t)
{
	size_t i = cursor_item(t);
	size_t p = TUI_TREE_NONE;

	if (i == TUI_TREE_NONE)
		return 0;
	if (!t->match && has_children(t, i) && t->items[i].expanded) {
		t->items[i].expanded = false;
		return relayout(t);
	}
	p = tui_treebuild_real_parent(t->items, i);
	if (p == TUI_TREE_NONE || t->items[p].row == TUI_TREE_NONE)
		return 0;
	return set_cursor(t, t->items[p].row);
}

int tui_tree_expand(struct tui_tree *t)
{
	size_t i = cursor_item(t);

	if (i == TUI_TREE_NONE || !has_children(t, i) || t->items[i].expanded)
		return 0;
	t->items[i].expanded = true;
	return relayout(t);
}

int tui_tree_toggle(struct tui_tree *t)
{
	size_t i = cursor_item(t);

	if (i == TUI_TREE_NONE || !has_children(t, i))
		return 0;
	t->items[i].expanded = !t->items[i].expanded;
	return relayout(t);
}

int tui_tree_toggle_tagged(struct tui_tree *t)
{
	size_t i = cursor_item(t);

	if (i == TUI_TREE_NONE)
		return 0;
	t->items[i].tagged = !t->items[i].tagged;
	return TUI_TREE_F_REDRAW;
}

/* ---- filter ---- */

int tui_tree_set_filter(struct tui_tree *t, tui_tree_match_fn fn, void *arg)
{
	size_t cur = cursor_item(t);
	size_t before = t->cursor;

	t->match = fn;
	t->match_arg = fn ? arg : NULL;
	score_items(t);
	flatten(t);
	if (cur != TUI_TREE_NONE && t->items[cur].row != TUI_TREE_NONE) {
		t->cursor = t->items[cur].row;
	} else if (fn) {
		t->cursor = 0;
		if (t->ndisplay && !t->items[t->display[0]].score)
			tui_tree_next_match(t);
	} else {
		cursor_to(t, cur);
	}
	return TUI_TREE_F_RELAYOUT | (t->cursor != before ? TUI_TREE_F_MOVED : 0);
}

size_t tui_tree_matches(const struct tui_tree *t)
{
	return t->nmatches;
}

static int step_match(struct tui_tree *t, bool forward)
{
	size_t n = t->ndisplay;

	if (!t->match || !t->nmatches || !n)
		return 0;
	for (size_t k = 1; k <= n; k++) {
		size_t row = forward ? (t->cursor + k) % n : (t->cursor + n - k % n) % n;

		if (t->items[t->display[row]].score > 0)
			return set_cursor(t, row);
	}
	return 0;
}

int tui_tree_next_match(struct tui_tree *t)
{
	return step_match(t, true);
}

int tui_tree_prev_match(struct tui_tree *t)
{
	return step_match(t, false);
}

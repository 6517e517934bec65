/* tui_input: keys and mouse of the dashboard (see tui_input.h). */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include "tui/tui_input.h"

#include <curses.h>
#include <stdbool.h>

#include "discovery/disc_config.h"
#include "tui/tui_action.h"
#include "tui/tui_app_int.h"
#include "tui/tui_keys.h"
#include "tui/tui_overlay.h"
#include "util/clock.h"

#define WHEEL_ROWS 3

/* The modal dialog takes every key while it is open; the key that opened
 * a text dialog (?, i, e, a) closes it again. */
static int modal_key(struct tui_app *a, int code, bool fn)
{
	int r;

	if (a->modal.kind == TUI_MODAL_TEXT && tui_keys_action(a->keys, code, fn) == a->modal.tag) {
		tui_modal_close(&a->modal);
		return TUI_ACTION_REDRAW;
	}
	r = tui_modal_key(&a->modal, code, fn);

	if (r == TUI_MODAL_K_QUIT)
		return TUI_ACTION_QUIT;
	if (r == TUI_MODAL_K_YES || r == TUI_MODAL_K_NO)
		tui_action_modal_done(a, r == TUI_MODAL_K_YES);
	return r == TUI_MODAL_K_NONE ? 0 : TUI_ACTION_REDRAW;
}

static void refilter(struct tui_app *a)
{
	tui_tree_set_filter(a->tree, a->search.active ? tui_search_match : NULL, &a->search);
}

/* The `/` field while it is open, and Esc for a kept filter. */
static int search_key(struct tui_app *a, int code, bool fn)
{
	int r = tui_search_key(&a->search, code, fn);

	if (r == TUI_SEARCH_K_EDIT) /* live: re-filter on every change */
		refilter(a);
	if (r == TUI_SEARCH_K_QUIT)
		return TUI_ACTION_QUIT;
	return r ? TUI_ACTION_REDRAW : 0;
}

static int key_handle(struct tui_app *a, int code, bool fn)
{
	int r, action;

	if (a->modal.kind != TUI_MODAL_NONE)
		return modal_key(a, code, fn);
	if (a->search.editing || (!fn && code == TUI_KEYS_ESC))
		return search_key(a, code, fn);
	if (!fn && code == TUI_KEYS_CTRL_C)
		return TUI_ACTION_QUIT;
	action = tui_keys_action(a->keys, code, fn);
	if (action < 0)
		return 0;
	r = tui_action_run(a, action);
	if (action == DISC_ACT_SEARCH)
		refilter(a);
	return r;
}

/* ---- the mouse ---- */

/* Display row under screen row y, or TUI_TREE_NONE. */
static size_t row_at(const struct tui_app *a, int y, int x)
{
	size_t n = 0, r;

	tui_tree_display(a->tree, &n);
	if (y < 1 || (size_t)y > a->ntree_rows ||
	    x >= COLS - tui_overlay_panel_width(a, (size_t)COLS))
		return TUI_TREE_NONE;
	r = a->top + (size_t)(y - 1);
	return r < n ? r : TUI_TREE_NONE;
}

static int click(struct tui_app *a, int y, int x, bool twice)
{
	size_t n = 0, r = row_at(a, y, x);
	const size_t *disp = tui_tree_display(a->tree, &n);

	if (r == TUI_TREE_NONE)
		return 0;
	tui_tree_select_tag(a->tree, tui_tree_item(a->tree, disp[r])->tag);
	if (twice)
		return tui_action_run(a, DISC_ACT_ATTACH) | TUI_ACTION_REDRAW;
	return TUI_ACTION_REDRAW;
}

static int mouse(struct tui_app *a)
{
	MEVENT ev;
	int delta = 0;

	if (getmouse(&ev) != OK)
		return 0;
	if (ev.bstate & BUTTON4_PRESSED)
		delta = -WHEEL_ROWS;
	else if (ev.bstate & BUTTON5_PRESSED)
		delta = WHEEL_ROWS;
	if (a->modal.kind != TUI_MODAL_NONE) {
		for (int i = 0; i < (delta < 0 ? -delta : delta); i++)
			modal_key(a, delta < 0 ? KEY_UP : KEY_DOWN, true);
		return delta ? TUI_ACTION_REDRAW : 0;
	}
	if (delta)
		return tui_tree_move(a->tree, delta) ? TUI_ACTION_REDRAW : 0;
	if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
		return click(a, ev.y, ev.x, true);
	if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
		return click(a, ev.y, ev.x, false);
	return 0;
}

/* ---- reading ---- */

/* Esc with a key right behind it is Alt+key (the terminal sent both). */
static int alt_key(int code, bool *fn)
{
	wint_t ch;
	int rc;

	if (*fn || code != TUI_KEYS_ESC)
		return code;
	rc = get_wch(&ch);
	if (rc == ERR)
		return code;
	if (rc == KEY_CODE_YES) {
		ungetch((int)ch); /* a function key: not an Alt pair */
		return code;
	}
	return TUI_KEYS_ALT | (int)ch;
}

void tui_input_read(struct tui_app *a)
{
	wint_t ch;

	for (int rc = get_wch(&ch); rc != ERR && !a->quit; rc = get_wch(&ch)) {
		bool fn = rc == KEY_CODE_YES;
		int key = (int)ch, fl;

		if (fn && key == KEY_RESIZE) {
			a->dirty |= TUI_DIRTY_ALL;
			continue;
		}
		if (fn && key == KEY_MOUSE)
			fl = mouse(a);
		else
			fl = key_handle(a, alt_key(key, &fn), fn);
		if (fl & TUI_ACTION_QUIT)
			a->quit = true;
		if (fl & TUI_ACTION_REDRAW)
			a->dirty |= TUI_DIRTY_TREE | TUI_DIRTY_STATUS;
		if (fl & TUI_ACTION_CURSOR)
			a->dirty |= TUI_DIRTY_CURSOR | TUI_DIRTY_STATUS;
	}
}

/* tui_input: keys of the dashboard (see tui_input.h). */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include "tui/tui_input.h"

#include <curses.h>
#include <stdbool.h>

#include "probe/probe_engine.h"
#include "tui/tui_app_int.h"
#include "tui/tui_draw.h"

#define KEY_CTRL(c) ((c)&0x1f)

/* What a key handler returns: it never draws. */
enum {
	KEY_F_REDRAW = 1, /* something changed on screen */
	KEY_F_QUIT = 2,
};

static int key_enter(struct tui_app *a)
{
	const struct tui_tree_item *sel = tui_tree_selected(a->tree);

	if (sel && sel->kind == TUI_TREE_SESSION) {
		a->note = "attach: not yet";
		return KEY_F_REDRAW;
	}
	return tui_tree_toggle(a->tree) ? KEY_F_REDRAW : 0;
}

static int key_move(struct tui_app *a, int key)
{
	switch (key) {
	case 'j':
	case KEY_DOWN:
		return tui_tree_move(a->tree, 1);
	case 'k':
	case KEY_UP:
		return tui_tree_move(a->tree, -1);
	case KEY_CTRL('d'):
	case KEY_NPAGE:
		return tui_tree_move(a->tree, tui_draw_page_rows());
	case KEY_CTRL('u'):
	case KEY_PPAGE:
		return tui_tree_move(a->tree, -tui_draw_page_rows());
	case 'g':
	case KEY_HOME:
		return tui_tree_home(a->tree);
	case 'G':
	case KEY_END:
		return tui_tree_end(a->tree);
	case 'h':
	case KEY_LEFT:
		return tui_tree_collapse(a->tree);
	case 'l':
	case KEY_RIGHT:
		return tui_tree_expand(a->tree);
	case ' ':
		return tui_tree_toggle(a->tree);
	default:
		return 0;
	}
}

static int key_handle(struct tui_app *a, int key, bool fn)
{
	int r = tui_search_key(&a->search, key, fn);

	if (r == TUI_SEARCH_K_EDIT) /* live: re-filter on every change */
		tui_tree_set_filter(a->tree, a->search.active ? tui_search_match : NULL,
		                    &a->search);
	if (r)
		return r == TUI_SEARCH_K_QUIT ? KEY_F_QUIT : KEY_F_REDRAW;
	if (a->search.editing || (!fn && key >= KEY_MIN))
		return 0; /* typed into the field; a non-ASCII character */
	switch (key) {
	case 'n':
		return tui_tree_next_match(a->tree) ? KEY_F_REDRAW : 0;
	case 'N':
		return tui_tree_prev_match(a->tree) ? KEY_F_REDRAW : 0;
	case 'q':
	case KEY_CTRL('c'):
		return KEY_F_QUIT;
	case 'r':
		probe_engine_refresh_all(a->f.engine);
		return KEY_F_REDRAW;
	case '\r':
	case '\n':
	case KEY_ENTER:
		return key_enter(a);
	default:
		return key_move(a, key) ? KEY_F_REDRAW : 0;
	}
}

void tui_input_read(struct tui_app *a)
{
	wint_t ch;

	for (int rc = get_wch(&ch); rc != ERR && !a->quit; rc = get_wch(&ch)) {
		int key = (int)ch, fl;

		if (rc == KEY_CODE_YES && key == KEY_RESIZE) {
			a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_TREE | TUI_DIRTY_STATUS;
			continue;
		}
		if (a->note) {
			a->note = NULL;
			a->dirty |= TUI_DIRTY_STATUS;
		}
		fl = key_handle(a, key, rc == KEY_CODE_YES);
		if (fl & KEY_F_QUIT)
			a->quit = true;
		if (fl & KEY_F_REDRAW)
			a->dirty |= TUI_DIRTY_TREE | TUI_DIRTY_STATUS;
	}
}

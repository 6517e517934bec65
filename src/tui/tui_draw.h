/* tui_draw: one frame of the dashboard — header, tree rows (tui_rows),
 * footer, then what lies over them (tui_overlay: the inspect panel, toasts,
 * the open dialog) — from struct tui_app (tui_app_int.h). Repaints what the
 * dirty flags name and clears them; curses sends the terminal only the
 * cells that changed. With CODEFLEET_TEST_DUMP set, every frame is also
 * written as text. */
#ifndef CODEFLEET_TUI_DRAW_H
#define CODEFLEET_TUI_DRAW_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <curses.h>
#include <stddef.h>

struct tui_app;

void tui_draw_frame(struct tui_app *a);
/* Rows of the tree area on the current screen (for paging keys). */
int tui_draw_page_rows(void);
/* Writes s at (y, x) padded or cut to exactly width cells, in attr. */
void tui_draw_line(int y, int x, const char *s, size_t width, attr_t attr);

#endif

/* tui_draw: one frame of the dashboard — header, tree rows, footer — from
 * struct tui_app (tui_app_int.h). Repaints what the dirty flags name and
 * clears them; curses sends the terminal only the cells that changed.
 * With CODEFLEET_TEST_DUMP set, every frame is also written as text. */
#ifndef CODEFLEET_TUI_DRAW_H
#define CODEFLEET_TUI_DRAW_H

struct tui_app;

#include <stdbool.h>

/* Sets up the colors (none with no_color or NO_COLOR in the environment). */
void tui_draw_colors(struct tui_app *a, bool no_color);
void tui_draw_frame(struct tui_app *a);
/* Rows of the tree area on the current screen (for paging keys). */
int tui_draw_page_rows(void);

#endif

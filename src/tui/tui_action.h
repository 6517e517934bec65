/* tui_action: what each dashboard action (enum disc_action) does to struct
 * tui_app — moves in the tree, the filter, refreshes, the panel, and the
 * dialogs (help, inspect, error view, auth help, the questions and inputs
 * of the session actions). Never draws: returns TUI_ACTION_* flags. */
#ifndef CODEFLEET_TUI_ACTION_H
#define CODEFLEET_TUI_ACTION_H

#include <stdbool.h>

struct tui_app;

enum {
	TUI_ACTION_REDRAW = 1, /* something changed on screen */
	TUI_ACTION_QUIT = 2,
	TUI_ACTION_CURSOR = 4, /* only the cursor moved: two rows and the footer */
};

/* Runs one action on the selected row; returns TUI_ACTION_* flags. */
int tui_action_run(struct tui_app *a, int action);
/* The open dialog was answered (yes: confirmed or accepted); closes it. */
void tui_action_modal_done(struct tui_app *a, bool yes);

#endif

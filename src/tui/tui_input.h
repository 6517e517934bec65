/* tui_input: the keyboard (and later the mouse) of the dashboard — reads
 * every pending key and turns each into a change of struct tui_app
 * (tui_app_int.h): a move in the tree, the filter, a refresh, quitting.
 * Handlers never draw; they set dirty flags. */
#ifndef CODEFLEET_TUI_INPUT_H
#define CODEFLEET_TUI_INPUT_H

struct tui_app;

/* Reads keys until none is pending (stdin is non-blocking). */
void tui_input_read(struct tui_app *a);

#endif

/* tui_overlay: what the dashboard draws over or beside the tree — the
 * inspect panel (cycle_view), the toasts and the open dialog (tui_modal:
 * help, inspect, error view, questions, inputs) — each in a frame of the
 * theme's glyphs. Drawn after the tree in every frame that repaints it. */
#ifndef CODEFLEET_TUI_OVERLAY_H
#define CODEFLEET_TUI_OVERLAY_H

#include <stddef.h>

struct tui_app;

/* Columns the inspect panel takes on a screen width cells wide: 0 when it is
 * off or the screen is too narrow to keep the tree readable beside it. */
int tui_overlay_panel_width(const struct tui_app *a, size_t width);
/* The panel in the box at (y, x), rows high and w wide. */
void tui_overlay_panel(struct tui_app *a, int y, int x, size_t rows, size_t w);
/* The toasts, newest lowest, right-aligned, their last line at row y. */
void tui_overlay_toasts(const struct tui_app *a, int y, size_t width);
/* The open dialog, centred; nothing when none is open. */
void tui_overlay_modal(struct tui_app *a);

/* Makes a->insp describe the selected row (rebuilt when the selection or
 * the model changed: a->insp_tag). */
void tui_overlay_inspect_update(struct tui_app *a);

#endif

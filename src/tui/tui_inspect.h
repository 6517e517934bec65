/* tui_inspect: what the inspect panel (i; Tab toggles) shows about the
 * selected row — everything known about a session, project, host or group —
 * as an ordered list of label/value rows under section headings. No curses:
 * the view draws the rows, tui_inspect_text renders them as plain lines.
 * See docs/tui-inspect.md for every row and where it comes from.
 *
 * Every text is sanitised again as a row is added (utf8_sanitize): the
 * probe already did it for what a host sent, but the panel never relies on
 * that, and a multi-line text (an error's detail) becomes one row a line. */
#ifndef CODEFLEET_TUI_TUI_INSPECT_H
#define CODEFLEET_TUI_TUI_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

struct disc_sshcfg;
struct probe_engine_host;
struct tui_tree;
struct tui_tree_item;

/* What the panel is built from; every pointer is borrowed and may be NULL
 * (what it would tell is then shown as unknown). The session or project is
 * looked up in host->result by the item's ids. */
struct tui_inspect_src {
	const struct tui_tree_item *item;     /* the selected row; NULL: an empty panel */
	const struct tui_tree *tree;          /* lists a group's hosts; NULL: not listed */
	const struct probe_engine_host *host; /* the row's host (none for a group) */
	const char *ssh_options;              /* "key value" lines, tui_inspect_ssh_options() */
	int64_t now_ms;                       /* wall clock (clock_wall_ms) for ages; 0: none */
	int64_t active_ms;                    /* display.active_threshold, to explain a status */
};

/* One line of the panel: a heading (value NULL) or a label and its value.
 * A row with an empty label continues the value of the row above. */
struct tui_inspect_row {
	char *label;
	char *value;
};

/* The panel's rows, in order; owns every string. Start it as
 * TUI_INSPECT_INIT (or zeroed). */
struct tui_inspect {
	struct tui_inspect_row *rows;
	size_t n;
	size_t cap;
};

#define TUI_INSPECT_INIT   \
	{                  \
		NULL, 0, 0 \
	}

/* Replaces out's rows (the old ones are freed) with the panel for
 * src->item. */
void tui_inspect_build(const struct tui_inspect_src *src, struct tui_inspect *out);
/* Frees the rows and leaves in empty (reusable). NULL is fine. */
void tui_inspect_free(struct tui_inspect *in);

/* The widest label in cells: where the values start, minus the gap. */
size_t tui_inspect_label_width(const struct tui_inspect *in);

/* Appends the panel as text: a heading on its own line (a blank line
 * before every heading but the first), each row as its label padded to
 * tui_inspect_label_width, two spaces and the value. Long values are not
 * cut here (the view fits them to its width). */
void tui_inspect_text(const struct tui_inspect *in, struct strbuf *out);

/* Resolves alias as `ssh -G` does (disc_sshcfg_resolve) and returns a new
 * string (caller frees) with the options the panel shows, as "key value"
 * lines in this order: hostname, user, port, proxyjump, proxycommand,
 * identityfile (one line each), hostkeyalias, stricthostkeychecking,
 * userknownhostsfile; options ssh leaves unset are left out. Returns NULL
 * with err_text() set when the host cannot be resolved. A Match exec in the
 * config runs here (up to 10 s each): call it when the panel opens for a
 * host, not on every frame. Not for the local host, which has no ssh. */
char *tui_inspect_ssh_options(const struct disc_sshcfg *cfg, const char *alias);

#endif

/* tui_modal: the dashboard's modal dialogs, as state only — a question
 * (confirm), a one-line input with a history, and a read-only scrollable
 * text (errors, help, inspect). The app draws them from the fields and
 * accessors below; while one is open it takes every key and the app only
 * acts on the YES and NO results. No curses here beyond the KEY_* codes.
 * Keys and lifetimes: docs/tui-modal.md.
 *
 * A zeroed struct tui_modal is a closed modal, and a zeroed struct
 * tui_history an empty history. Every string given is copied (made safe for
 * the screen by utf8_sanitize); the modal holds no pointer into the
 * caller's data except the history, which must outlive the input. */
#ifndef CODEFLEET_TUI_TUI_MODAL_H
#define CODEFLEET_TUI_TUI_MODAL_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/tui_line.h"

/* Entries a history keeps; the oldest goes first. */
#define TUI_HISTORY_MAX 100

/* What was accepted in one input dialog, newest last. Owns its strings. */
struct tui_history {
	char *item[TUI_HISTORY_MAX];
	size_t n;
};

/* Adds a copy of s as the newest entry, unless it is empty or equal to the
 * newest; the oldest is dropped when the history is full. */
void tui_history_add(struct tui_history *h, const char *s);
/* Frees the entries; the history is empty afterwards. */
void tui_history_free(struct tui_history *h);

enum tui_modal_kind { TUI_MODAL_NONE, TUI_MODAL_CONFIRM, TUI_MODAL_INPUT, TUI_MODAL_TEXT };

/* Fields are read-only for callers (the drawer reads kind, tag, title,
 * message, line and scroll); the rest is private. */
struct tui_modal {
	enum tui_modal_kind kind;
	int tag;       /* the caller's: which action asked */
	char *title;   /* never NULL while open */
	char *message; /* CONFIRM: the question; INPUT: the prompt; TEXT: NULL */
	/* INPUT */
	struct tui_line line;
	struct tui_history *hist; /* borrowed; NULL: none */
	size_t hpos;              /* entry shown while browsing; hist->n: the draft */
	char *draft;              /* what was typed before browsing began */
	/* TEXT: the lines, NUL-terminated one after another in one buffer */
	char *text;
	size_t *start; /* offset of each line in text */
	size_t nlines;
	size_t scroll; /* first line shown */
	size_t rows;   /* lines the drawer shows (tui_modal_set_view) */
};

/* What tui_modal_key did. */
enum {
	TUI_MODAL_K_NONE,   /* nothing to redraw */
	TUI_MODAL_K_REDRAW, /* the dialog changed */
	TUI_MODAL_K_YES,    /* confirmed, or the input accepted (tui_modal_value) */
	TUI_MODAL_K_NO,     /* declined, cancelled or closed */
	TUI_MODAL_K_QUIT,   /* Ctrl-c: the fixed quit key (docs/tui-keys.md) */
};

/* Each opens the modal (closing what was open first). title and the texts
 * may be NULL (shown empty). */
void tui_modal_confirm(struct tui_modal *m, const char *title, const char *msg, int tag);
/* initial: the starting text (cursor at its end), NULL for none. hist may
 * be NULL; Enter adds the accepted text to it. */
void tui_modal_input(struct tui_modal *m, const char *title, const char *prompt,
                     const char *initial, struct tui_history *hist, int tag);
/* text: lines separated by '\n' (a last '\n' ends the last line; "\r\n"
 * counts as one), kept unwrapped: the drawer cuts long lines. */
void tui_modal_text(struct tui_modal *m, const char *title, const char *text, int tag);

/* Applies one get_wch key (fn: KEY_CODE_YES); returns TUI_MODAL_K_*. On YES
 * or NO the modal stays as it was, so the caller can read tag and value:
 * the caller then calls tui_modal_close. Esc is NO in every kind; Ctrl-c
 * is K_QUIT, as everywhere in the dashboard. A closed modal returns
 * K_NONE. */
int tui_modal_key(struct tui_modal *m, int code, bool fn);

/* INPUT: the text as typed (valid until the next key or close); else NULL. */
const char *tui_modal_value(const struct tui_modal *m);

/* TEXT: the number of lines, and line i (0-based; NULL past the end), its
 * length in bytes in *len when len is not NULL. */
size_t tui_modal_lines(const struct tui_modal *m);
const char *tui_modal_line(const struct tui_modal *m, size_t i, size_t *len);

/* TEXT: the drawer shows rows lines; the scroll is clamped so the last
 * page is full (0 when everything fits). Call it before each draw. */
void tui_modal_set_view(struct tui_modal *m, size_t rows);

/* Frees what the modal holds; it is closed (kind NONE) afterwards. The
 * history is the caller's and stays. */
void tui_modal_close(struct tui_modal *m);

#endif

/* tui_line: the one line editor of the dashboard — the `/` field and the
 * input dialogs. UTF-8 text with a byte cursor that always stands on a code
 * point boundary, bounded in bytes at init; a code point is never cut and
 * control characters never get in. It draws nothing; of curses it knows the
 * KEY_* codes only (tui_line_key). Keys: docs/tui-modal.md.
 *
 * The text lives in the struct (no allocation, nothing to free), so a
 * tui_line can be embedded and reset freely. Fields are read-only for
 * callers: change them through the functions. */
#ifndef CODEFLEET_TUI_TUI_LINE_H
#define CODEFLEET_TUI_TUI_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most bytes any line holds (a path, a URL, a one-line prompt). */
#define TUI_LINE_MAX 4096

/* The code a control letter arrives as (Ctrl-u: TUI_LINE_CTRL('u')). */
#define TUI_LINE_CTRL(c) ((c)&0x1f)

struct tui_line {
	char text[TUI_LINE_MAX + 1]; /* NUL-terminated UTF-8 */
	size_t len;                  /* bytes */
	size_t cur;                  /* cursor: byte offset of a code point start, <= len */
	size_t max;                  /* bytes the text may take, <= TUI_LINE_MAX */
};

/* What tui_line_key did. */
enum {
	TUI_LINE_NONE,      /* a line key that changed nothing (at an end, full) */
	TUI_LINE_MOVED,     /* the cursor moved */
	TUI_LINE_EDITED,    /* the text changed */
	TUI_LINE_UNHANDLED, /* not a line key (Enter, Esc, Tab, Up, …): the caller's */
};

/* Empty text, at most max bytes (capped at TUI_LINE_MAX). */
void tui_line_init(struct tui_line *l, size_t max);

/* Replaces the text with s (NULL = ""), cursor at the end. Invalid UTF-8
 * becomes U+FFFD, control characters are left out, and the text stops
 * before the first code point that does not fit. Returns true when the text
 * changed. */
bool tui_line_set(struct tui_line *l, const char *s);

/* False for what may not stand in a line: C0 and C1 controls and DEL. */
bool tui_line_accepts(uint32_t cp);

/* Editing and moving; each returns true when the text or the cursor
 * changed. A word is a run of characters other than spaces. */
bool tui_line_insert(struct tui_line *l, uint32_t cp); /* false: a control, or full */
bool tui_line_backspace(struct tui_line *l);           /* the code point before the cursor */
bool tui_line_delete(struct tui_line *l);              /* the code point under the cursor */
bool tui_line_kill_start(struct tui_line *l);          /* from the start to the cursor */
bool tui_line_kill_end(struct tui_line *l);            /* from the cursor to the end */
bool tui_line_kill_word(struct tui_line *l);           /* the word before the cursor */
bool tui_line_left(struct tui_line *l);
bool tui_line_right(struct tui_line *l);
bool tui_line_home(struct tui_line *l);
bool tui_line_end(struct tui_line *l);
bool tui_line_word_left(struct tui_line *l);  /* to the start of this or the previous word */
bool tui_line_word_right(struct tui_line *l); /* to the end of this or the next word */

/* Cells of the text before the cursor (where the terminal cursor goes). */
size_t tui_line_cursor_cells(const struct tui_line *l);

/* Applies one get_wch key (fn: get_wch said KEY_CODE_YES); returns
 * TUI_LINE_NONE, _MOVED, _EDITED or _UNHANDLED. Printable characters go in;
 * Backspace (also DEL, Ctrl-h), Delete (also Ctrl-d), Left/Right (Ctrl-b,
 * Ctrl-f), Home/End (Ctrl-a, Ctrl-e), Ctrl-u, Ctrl-k, Ctrl-w, Alt-b/Alt-f
 * and Alt-Left/Alt-Right (TUI_KEYS_ALT | code: the caller combines Esc and
 * the key after it, see tui_keys.h) edit and move. */
int tui_line_key(struct tui_line *l, int code, bool fn);

/* True for Enter as get_wch gives it (CR, LF or KEY_ENTER). */
bool tui_line_is_enter(int code, bool fn);

#endif

/* tui_text: measuring and fitting text into terminal cells, and the short
 * forms the dashboard prints (ages, counts, ~ paths). No curses here.
 *
 * Widths follow wcwidth(3): East Asian wide and emoji 2 cells, combining
 * marks and zero-width characters 0, control characters 0 (text is
 * sanitised before it gets here). wcwidth reads LC_CTYPE: the dashboard
 * calls setlocale(LC_CTYPE, "") at start. When the locale is not UTF-8
 * every code point counts as one cell (the terminal cannot show the rest
 * properly anyway). Text is UTF-8; invalid bytes count as U+FFFD (1 cell).
 * See docs/tui-text.md. */
#ifndef CODEFLEET_TUI_TUI_TEXT_H
#define CODEFLEET_TUI_TUI_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

/* Flags for tui_text_fit and tui_text_pad. */
#define TUI_TEXT_ASCII 0x1u /* "..." (3 cells) instead of "…" (1 cell) */
#define TUI_TEXT_RIGHT 0x2u /* tui_text_pad: right-align (pad on the left) */

/* Room for the longest tui_text_age / tui_text_count result and its NUL. */
#define TUI_TEXT_SHORT_MAX 16

/* 1 when LC_CTYPE is a UTF-8 locale, else 0. */
int tui_text_utf8_locale(void);

/* Cells taken by one code point (0, 1 or 2) in the current locale. */
int tui_text_cp_width(uint32_t cp);

/* Cells taken by s[0..len) / by the NUL-terminated s. */
size_t tui_text_width_n(const char *s, size_t len);
size_t tui_text_width(const char *s);

/* Appends s to out fitted into at most width cells and returns the cells
 * appended. Text that fits is copied whole. Longer text is cut at a
 * character boundary (a combining mark stays with its base) and ends with
 * the ellipsis; if a wide character does not fit, a space takes its place,
 * so the result is then exactly width cells. When width is narrower than
 * the ellipsis, the first width cells of the ellipsis are appended. */
size_t tui_text_fit(struct strbuf *out, const char *s, size_t width, unsigned flags);

/* Like tui_text_fit, then pads with spaces to exactly width cells (on the
 * right, or on the left with TUI_TEXT_RIGHT). */
void tui_text_pad(struct strbuf *out, const char *s, size_t width, unsigned flags);

/* Writes the age of something ms milliseconds old: "now" (under 1 s, or in
 * the future), "45s", "3m", "2h", "4d", "3w" (7..29 days), "2mo" (30-day
 * months, 30..364 days), "1y" (365-day years). Units are floored. Returns buf. */
char *tui_text_age(char *buf, size_t size, int64_t ms);

/* Writes a count in at most 4 characters: "999", "1.2k", "12k", "999k",
 * "1.2M", "3.4G" (floored, so it never overstates). Returns buf. */
char *tui_text_count(char *buf, size_t size, uint64_t n);

/* Returns a newly allocated copy of path with home replaced by "~" when
 * path is home or lies under it (on a "/" boundary: /home/u does not
 * shorten /home/user2). A trailing "/" on home is ignored; a NULL, empty
 * or "/" home shortens nothing. */
char *tui_text_tilde(const char *path, const char *home);

#endif

/* tui_line: the line editor (see tui_line.h, docs/tui-modal.md). */
#define _XOPEN_SOURCE_EXTENDED 1 /* curses.h read as every tui file reads it (wide) */
#define NCURSES_WIDECHAR       1

#include "tui/tui_line.h"

#include <curses.h>
#include <string.h>

#include "tui/tui_keys.h"
#include "tui/tui_text.h"
#include "util/utf8.h"

void tui_line_init(struct tui_line *l, size_t max)
{
	l->text[0] = '\0';
	l->len = 0;
	l->cur = 0;
	l->max = max < TUI_LINE_MAX ? max : TUI_LINE_MAX;
}

bool tui_line_accepts(uint32_t cp)
{
	return !(cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0));
}

bool tui_line_insert(struct tui_line *l, uint32_t cp)
{
	char enc[4];
	size_t n;

	if (!tui_line_accepts(cp))
		return false;
	n = utf8_encode(cp, enc);
	if (l->len + n > l->max)
		return false;
	memmove(l->text + l->cur + n, l->text + l->cur, l->len - l->cur + 1);
	memcpy(l->text + l->cur, enc, n);
	l->len += n;
	l->cur += n;
	return true;
}

bool tui_line_set(struct tui_line *l, const char *s)
{
	size_t slen = s ? strlen(s) : 0, off = 0;
	char old[TUI_LINE_MAX + 1];

	memcpy(old, l->text, l->len + 1);
	tui_line_init(l, l->max);
	while (off < slen) {
		uint32_t cp;

		off += utf8_decode(s + off, slen - off, &cp);
		/* a control is left out; a code point that does not fit ends it */
		if (!tui_line_insert(l, cp) && tui_line_accepts(cp))
			break;
	}
	return strcmp(old, l->text) != 0;
}

/* Start of the code point before byte offset off (off > 0). */
static size_t prev_start(const struct tui_line *l, size_t off)
{
	do
		off--;
	while (off > 0 && ((unsigned char)l->text[off] & 0xc0) == 0x80);
	return off;
}

static size_t next_start(const struct tui_line *l, size_t off)
{
	uint32_t cp;

	return off + utf8_decode(l->text + off, l->len - off, &cp);
}

/* Every removal: the bytes [from, to) go, the cursor goes to from. */
static bool cut(struct tui_line *l, size_t from, size_t to)
{
	if (from >= to)
		return false;
	memmove(l->text + from, l->text + to, l->len - to + 1);
	l->len -= to - from;
	l->cur = from;
	return true;
}

static bool move_to(struct tui_line *l, size_t off)
{
	if (off == l->cur)
		return false;
	l->cur = off;
	return true;
}

/* Start of the word before off: spaces skipped first, as readline does. */
static size_t word_before(const struct tui_line *l, size_t off)
{
	while (off > 0 && l->text[off - 1] == ' ')
		off--;
	while (off > 0 && l->text[off - 1] != ' ')
		off--;
	return off;
}

static size_t word_after(const struct tui_line *l, size_t off)
{
	while (off < l->len && l->text[off] == ' ')
		off++;
	while (off < l->len && l->text[off] != ' ')
		off++;
	return off;
}

bool tui_line_backspace(struct tui_line *l)
{
	return l->cur > 0 && cut(l, prev_start(l, l->cur), l->cur);
}

bool tui_line_delete(struct tui_line *l)
{
	size_t cur = l->cur;

	return cur < l->len && cut(l, cur, next_start(l, cur));
}

bool tui_line_kill_start(struct tui_line *l)
{
	return cut(l, 0, l->cur);
}

bool tui_line_kill_end(struct tui_line *l)
{
	size_t cur = l->cur;

	return cut(l, cur, l->len);
}

bool tui_line_kill_word(struct tui_line *l)
{
	return cut(l, word_before(l, l->cur), l->cur);
}

bool tui_line_left(struct tui_line *l)
{
	return l->cur > 0 && move_to(l, prev_start(l, l->cur));
}

bool tui_line_right(struct tui_line *l)
{
	return l->cur < l->len && move_to(l, next_start(l, l->cur));
}

bool tui_line_home(struct tui_line *l)
{
	return move_to(l, 0);
}

bool tui_line_end(struct tui_line *l)
{
	return move_to(l, l->len);
}

bool tui_line_word_left(struct tui_line *l)
{
	return move_to(l, word_before(l, l->cur));
}

bool tui_line_word_right(struct tui_line *l)
{
	return move_to(l, word_after(l, l->cur));
}

size_t tui_line_cursor_cells(const struct tui_line *l)
{
	return tui_text_width_n(l->text, l->cur);
}

bool tui_line_is_enter(int code, bool fn)
{
	return fn ? code == KEY_ENTER : code == '\r' || code == '\n';
}

/* The edit a key stands for, as one code: the control characters that
 * have a function key's meaning become that KEY_* code. Characters that
 * reach here are controls or Alt-keys, which no KEY_* code (0401 and up)
 * collides with. */
static int normalise(int code, bool fn)
{
	if (fn)
		return code;
	switch (code) {
	case 0x7f:
	case TUI_LINE_CTRL('h'):
		return KEY_BACKSPACE;
	case TUI_LINE_CTRL('d'):
		return KEY_DC;
	case TUI_LINE_CTRL('b'):
		return KEY_LEFT;
	case TUI_LINE_CTRL('f'):
		return KEY_RIGHT;
	case TUI_LINE_CTRL('a'):
		return KEY_HOME;
	case TUI_LINE_CTRL('e'):
		return KEY_END;
	default:
		return code;
	}
}

static int moved(bool changed)
{
	return changed ? TUI_LINE_MOVED : TUI_LINE_NONE;
}

static int edited(bool changed)
{
	return changed ? TUI_LINE_EDITED : TUI_LINE_NONE;
}

int tui_line_key(struct tui_line *l, int code, bool fn)
{
	if (!fn && code >= 0 && code <= 0x10ffff && tui_line_accepts((uint32_t)code))
		return edited(tui_line_insert(l, (uint32_t)code));
	switch (normalise(code, fn)) {
	case KEY_BACKSPACE:
		return edited(tui_line_backspace(l));
	case KEY_DC:
		return edited(tui_line_delete(l));
	case TUI_LINE_CTRL('u'):
		return edited(tui_line_kill_start(l));
	case TUI_LINE_CTRL('k'):
		return edited(tui_line_kill_end(l));
	case TUI_LINE_CTRL('w'):
		return edited(tui_line_kill_word(l));
	case KEY_LEFT:
		return moved(tui_line_left(l));
	case KEY_RIGHT:
		return moved(tui_line_right(l));
	case KEY_HOME:
		return moved(tui_line_home(l));
	case KEY_END:
		return moved(tui_line_end(l));
	case TUI_KEYS_ALT | 'b':
	case TUI_KEYS_ALT | KEY_LEFT:
		return moved(tui_line_word_left(l));
	case TUI_KEYS_ALT | 'f':
	case TUI_KEYS_ALT | KEY_RIGHT:
		return moved(tui_line_word_right(l));
	default:
		return TUI_LINE_UNHANDLED;
	}
}

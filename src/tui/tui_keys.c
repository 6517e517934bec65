/* tui_keys: the key map (see tui_keys.h, docs/tui-keys.md). */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include "tui/tui_keys.h"

#include <curses.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_config.h"
#include "discovery/disc_keys.h"
#include "util/xmem.h"

/* One code the map answers. fn sits above the code's 32 bits, so a KEY_*
 * code never meets the character with the same number. */
struct entry {
	uint64_t key;
	int action;
};

struct tui_keys {
	struct entry *map; /* sorted by key, each key once */
	size_t n, cap;
	struct disc_strv names[DISC_ACT_COUNT]; /* the keys kept, for describe */
};

static const struct {
	const char *name;
	int code;
	bool fn;
} named[] = {
    {"enter", '\r', false},       {"tab", '\t', false},        {"space", ' ', false},
    {"esc", TUI_KEYS_ESC, false}, {"backspace", 127, false},   {"delete", KEY_DC, true},
    {"insert", KEY_IC, true},     {"home", KEY_HOME, true},    {"end", KEY_END, true},
    {"pgup", KEY_PPAGE, true},    {"pgdown", KEY_NPAGE, true}, {"up", KEY_UP, true},
    {"down", KEY_DOWN, true},     {"left", KEY_LEFT, true},    {"right", KEY_RIGHT, true},
    {"btab", KEY_BTAB, true},
};

/* What terminals also send for one key: Enter as LF (ctrl+j, or CR mapped
 * by the tty) or the keypad's KEY_ENTER; Backspace as BS (ctrl+h) or
 * KEY_BACKSPACE when terminfo knows it. */
static const struct {
	int code, also;
	bool also_fn;
} same[] = {
    {'\r', '\n', false},
    {'\r', KEY_ENTER, true},
    {127, 8, false},
    {127, KEY_BACKSPACE, true},
};

static const char *const action_help[DISC_ACT_COUNT] = {
    [DISC_ACT_MOVE_DOWN] = "move down",
    [DISC_ACT_MOVE_UP] = "move up",
    [DISC_ACT_COLLAPSE] = "fold the row, or go to its parent",
    [DISC_ACT_EXPAND] = "unfold the row",
    [DISC_ACT_TOGGLE] = "fold or unfold the row",
    [DISC_ACT_TOP] = "go to the first row",
    [DISC_ACT_BOTTOM] = "go to the last row",
    [DISC_ACT_PAGE_DOWN] = "a screen down",
    [DISC_ACT_PAGE_UP] = "a screen up",
    [DISC_ACT_ATTACH] = "attach to the session",
    [DISC_ACT_SEARCH] = "filter the tree",
    [DISC_ACT_NEXT_MATCH] = "next match of the kept filter",
    [DISC_ACT_PREV_MATCH] = "previous match of the kept filter",
    [DISC_ACT_REFRESH] = "probe every host now",
    [DISC_ACT_REFRESH_HOST] = "probe the selected host now",
    [DISC_ACT_QUIT] = "quit",
    [DISC_ACT_NEW_SESSION] = "start a session in the project or a folder",
    [DISC_ACT_STOP_SESSION] = "stop the process running the session",
    [DISC_ACT_ARCHIVE_SESSION] = "archive or delete the session",
    [DISC_ACT_GIT_CLONE] = "clone a repository on the host and start OpenCode in it",
    [DISC_ACT_INSPECT] = "the session's details",
    [DISC_ACT_CYCLE_VIEW] = "show or hide the inspect panel",
    [DISC_ACT_AUTHENTICATE] = "what to run for a host that needs a key or a decision",
    [DISC_ACT_ERROR_DETAIL] = "the full text of the last error",
    [DISC_ACT_HELP] = "this help",
};

/* ---- names -> codes ------------------------------------------------------ */

static bool parse_fkey(const char *k, int *code)
{
	int n;

	if (k[0] != 'f' || !k[1] || strspn(k + 1, "0123456789") != strlen(k + 1))
		return false;
	n = atoi(k + 1);
	if (n < 1 || n > 12)
		return false;
	*code = KEY_F(n);
	return true;
}

/* A normalised name (disc_keys_normalise) to its code. */
static bool parse_norm(const char *k, int *code, bool *fn)
{
	*fn = false;
	if (k[0] && !k[1]) {
		*code = (unsigned char)k[0];
		return true;
	}
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (!strcmp(k, named[i].name)) {
			*code = named[i].code;
			*fn = named[i].fn;
			return true;
		}
	}
	if (parse_fkey(k, code)) {
		*fn = true;
		return true;
	}
	if (!strncmp(k, "ctrl+", 5) && k[5] && !k[6]) {
		*code = k[5] & 0x1f; /* what the terminal sends: ctrl+@ is 0, ctrl+a 1 */
		return true;
	}
	if (!strncmp(k, "alt+", 4) && strncmp(k + 4, "alt+", 4) && parse_norm(k + 4, code, fn)) {
		*code |= TUI_KEYS_ALT;
		return true;
	}
	return false;
}

bool tui_keys_parse(const char *name, int *code, bool *fn)
{
	char *k = disc_keys_normalise(name);
	bool ok = k && parse_norm(k, code, fn);

	free(k);
	return ok;
}

/* ---- the map --------------------------------------------------------------- */

static uint64_t key_of(int code, bool fn)
{
	return (uint64_t)fn << 32 | (uint32_t)code;
}

static void add(struct tui_keys *k, int code, bool fn, int action)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 64;
		k->map = xrealloc(k->map, k->cap, sizeof(*k->map));
	}
	k->map[k->n].key = key_of(code, fn);
	k->map[k->n++].action = action;
}

/* The key's code and the other codes terminals send for it (with alt kept). */
static void add_key(struct tui_keys *k, int code, bool fn, int action)
{
	int alt = code & TUI_KEYS_ALT, base = code & ~TUI_KEYS_ALT;

	add(k, code, fn, action);
	for (size_t i = 0; !fn && i < sizeof(same) / sizeof(same[0]); i++)
		if (same[i].code == base)
			add(k, alt | same[i].also, same[i].also_fn, action);
}

/* ctrl+c and esc stay fixed even in lists built by hand. */
static bool is_fixed(int code, bool fn)
{
	code &= ~TUI_KEYS_ALT;
	return !fn && (code == TUI_KEYS_CTRL_C || code == TUI_KEYS_ESC);
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->action > b->action) - (a->action < b->action);
}

/* Sorts, then keeps the first action of each key. */
static void sort_unique(struct tui_keys *k)
{
	size_t o = 0;

	qsort(k->map, k->n, sizeof(*k->map), cmp_entry);
	for (size_t i = 0; i < k->n; i++)
		if (!o || k->map[o - 1].key != k->map[i].key)
			k->map[o++] = k->map[i];
	k->n = o;
}

struct tui_keys *tui_keys_new(const struct disc_strv *keys)
{
	struct tui_keys *k = xcalloc(1, sizeof(*k));
	int code;
	bool fn;

	for (int a = 0; a < DISC_ACT_COUNT; a++) {
		for (size_t i = 0; i < keys[a].n; i++) {
			char *name = disc_keys_normalise(keys[a].v[i]);

			if (name && parse_norm(name, &code, &fn) && !is_fixed(code, fn) &&
			    !disc_strv_has(&k->names[a], name)) {
				add_key(k, code, fn, a);
				disc_strv_push(&k->names[a], name);
			}
			free(name);
		}
	}
	add(k, TUI_KEYS_CTRL_C, false, DISC_ACT_QUIT);
	sort_unique(k);
	return k;
}

void tui_keys_free(struct tui_keys *k)
{
	if (!k)
		return;
	for (int a = 0; a < DISC_ACT_COUNT; a++)
		disc_strv_free(&k->names[a]);
	free(k->map);
	free(k);
}

int tui_keys_action(const struct tui_keys *k, int code, bool fn)
{
	uint64_t want = key_of(code, fn);
	size_t lo = 0, hi = k->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->map[mid].key == want)
			return k->map[mid].action;
		if (k->map[mid].key < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- words for people ---------------------------------------------------- */

/* How a key name is shown where it differs from the name. */
static const char *shown(const char *name, bool ascii)
{
	static const struct {
		const char *name, *utf8, *ascii;
	} as[] = {
	    {"up", "↑", "up"},       {"down", "↓", "down"},      {"left", "←", "left"},
	    {"right", "→", "right"}, {"pgdown", "pgdn", "pgdn"},
	};

	for (size_t i = 0; i < sizeof(as) / sizeof(as[0]); i++)
		if (!strcmp(name, as[i].name))
			return ascii ? as[i].ascii : as[i].utf8;
	return name;
}

void tui_keys_describe(const struct tui_keys *k, int action, bool ascii, struct strbuf *out)
{
	const struct disc_strv *names;

	if (action < 0 || action >= DISC_ACT_COUNT)
		return;
	names = &k->names[action];
	for (size_t i = 0; i < names->n; i++) {
		const char *n = names->v[i];

		if (i)
			strbuf_putc(out, '/');
		if (!strncmp(n, "alt+", 4)) {
			strbuf_puts(out, "alt+");
			n += 4;
		}
		strbuf_puts(out, shown(n, ascii));
	}
}

const char *tui_keys_action_help(int action)
{
	if (action < 0 || action >= DISC_ACT_COUNT || !action_help[action])
		return "?";
	return action_help[action];
}

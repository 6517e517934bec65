/* tui_keys: the dashboard's key map — the configuration's key names
 * (disc_keys) turned into the codes ncurses get_wch() returns, and each
 * code's action (enum disc_action); the keys an action has, written for the
 * help overlay and the footer. Of curses it uses the KEY_* codes only.
 * See docs/tui-keys.md. */
#ifndef CODEFLEET_TUI_KEYS_H
#define CODEFLEET_TUI_KEYS_H

#include <stdbool.h>

#include "discovery/disc_strv.h"
#include "util/strbuf.h"

/* Alt+x arrives as Esc then x at once; the caller reads both and passes
 * TUI_KEYS_ALT | x (fn as x's). Above every character and KEY_* code. */
#define TUI_KEYS_ALT 0x40000000

/* The two fixed keys (no action may take them; see disc_keys): ctrl+c
 * always answers DISC_ACT_QUIT; Esc answers nothing, since what it closes
 * or clears depends on what is open, which the caller knows. */
#define TUI_KEYS_CTRL_C 0x03
#define TUI_KEYS_ESC    0x1b

/* The key map: (code, fn) -> action. */
struct tui_keys;

/* Builds the map from keys[DISC_ACT_COUNT] (cfg->keys: normalised key names,
 * see disc_keys). A name with no code, and ctrl+c or esc, are skipped; a
 * code two actions claim goes to the first. Returns a new map. */
struct tui_keys *tui_keys_new(const struct disc_strv *keys);
void tui_keys_free(struct tui_keys *k);

/* The action (enum disc_action) bound to a key as get_wch returned it (fn:
 * it returned KEY_CODE_YES), or -1. O(log n). */
int tui_keys_action(const struct tui_keys *k, int code, bool fn);

/* Parses one key name (normalised or as a user writes it) into the code
 * get_wch returns for it; false when it has no code. "enter" gives '\r' (the
 * map also answers '\n' and KEY_ENTER for it), "backspace" 127 (the map also
 * answers 8 and KEY_BACKSPACE). */
bool tui_keys_parse(const char *name, int *code, bool *fn);

/* Appends the action's keys, separated by "/", for the help overlay and the
 * footer: "j/↓", "ctrl+d/pgdn", "enter"; ascii: no arrow glyphs ("j/down").
 * Appends nothing for an action without keys. */
void tui_keys_describe(const struct tui_keys *k, int action, bool ascii, struct strbuf *out);

/* A one-line description of an action for the help overlay ("move down",
 * "attach to the session"); "?" for an unknown action. */
const char *tui_keys_action_help(int action);

#endif

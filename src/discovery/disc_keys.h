/* disc_keys: the keybindings section of the configuration: key names as a
 * user writes them ("Enter", "ctrl+R", "alt+x", "f5") normalised, each
 * action's default keys, the two fixed keys (ctrl+c quits, esc closes; no
 * action may take them) and the rule that no key serves two actions. The
 * actions themselves are DISC_ACTIONS in disc_config.h; tui_keys turns the
 * names into the codes curses returns. */
#ifndef CODEFLEET_DISC_KEYS_H
#define CODEFLEET_DISC_KEYS_H

#include <stdbool.h>
#include <yaml.h>

#include "discovery/disc_config.h"
#include "discovery/disc_yaml.h"

/* Which actions the file bound, and where (for messages). */
struct disc_keys_seen {
	bool set[DISC_ACT_COUNT];
	yaml_mark_t mark[DISC_ACT_COUNT];
};

/* Makes *keys the action's default keys (["j", "down"] for move_down),
 * freeing what it held. */
void disc_keys_default(int action, struct disc_strv *keys);

/* Normalises a key name ("Enter" -> "enter", "ctrl+R" -> "ctrl+r"); NULL if
 * it is not one. Control keys a terminal cannot tell from a named key take
 * that name (ctrl+i -> tab, ctrl+m and ctrl+j -> enter, ctrl+h -> backspace,
 * ctrl+[ -> esc), so the one-key-one-action rule sees what the terminal
 * sends. Returns a new string. */
char *disc_keys_normalise(const char *k);

/* True for a normalised name no action may take: ctrl+c and esc (also
 * after alt+, since alt+x arrives as esc then x). */
bool disc_keys_fixed(const char *k);

/* Walks the keybindings mapping (action: key or list of keys) into keys[],
 * noting in seen what the file set. Unknown actions warn; a lenient walk
 * also maps the reference TUI's action names and keeps the default of a bad
 * binding. */
int disc_keys_walk(struct disc_yaml *y, yaml_node_t *map, struct disc_strv *keys,
                   struct disc_keys_seen *seen);

/* Two actions on one key: ERR_CONFIG naming the one the file set (the later
 * if both). A lenient walk warns instead and gives that action back its
 * default keys, until no key is shared. */
int disc_keys_check(struct disc_yaml *y, struct disc_strv *keys, const struct disc_keys_seen *seen);

#endif

/* disc_keys: the keybindings section of the configuration: key names as a
 * user writes them ("Enter", "ctrl+R", "alt+x", "f5") normalised, the keys
 * the tree keeps for itself, each action's default key, and the rule that no
 * key serves two actions. The actions themselves are DISC_ACTIONS in
 * disc_config.h. */
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

/* The default key of an action ("enter" for attach). */
const char *disc_keys_default(int action);

/* Normalises a key name ("Enter" -> "enter", "ctrl+R" -> "ctrl+r"); NULL if
 * it is not one. Returns a new string. */
char *disc_keys_normalise(const char *k);

/* Walks the keybindings mapping (action: key or list of keys) into keys[],
 * noting in seen what the file set. Unknown actions warn; a lenient walk
 * also maps the reference TUI's action names and keeps the default of a bad
 * binding. */
int disc_keys_walk(struct disc_yaml *y, yaml_node_t *map, struct disc_strv *keys,
                   struct disc_keys_seen *seen);

/* Two actions on one key: ERR_CONFIG naming the one the file set (the later
 * if both); a lenient walk warns and restores every default instead. */
int disc_keys_check(struct disc_yaml *y, struct disc_strv *keys, const struct disc_keys_seen *seen);

#endif

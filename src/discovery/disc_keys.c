/* disc_keys: key names and keybindings (see disc_keys.h). */
#include "discovery/disc_keys.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xmem.h"

static const char *const action_default_keys[] = {
#define DISC_ACTION_KEY(id, name, key) key,
    DISC_ACTIONS(DISC_ACTION_KEY)
#undef DISC_ACTION_KEY
};

const char *disc_keys_default(int action)
{
	return action_default_keys[action];
}

static const char *const named_keys[] = {"enter",  "tab",  "space", "esc",  "backspace", "delete",
                                         "insert", "home", "end",   "pgup", "pgdown",    "up",
                                         "down",   "left", "right", "btab", NULL};

static const struct {
	const char *alias, *name;
} key_aliases[] = {{"return", "enter"},    {"escape", "esc"},  {"pageup", "pgup"},
                   {"pagedown", "pgdown"}, {"pgdn", "pgdown"}, {"del", "delete"},
                   {"ins", "insert"},      {" ", "space"},     {"shift+tab", "btab"}};

char *disc_keys_normalise(const char *k)
{
	char low[32];
	size_t len = strlen(k);

	if (len == 1 && ((unsigned char)k[0] > 0x20 && (unsigned char)k[0] < 0x7f))
		return xstrdup(k);
	if (len == 0 || len >= sizeof(low))
		return NULL;
	for (size_t i = 0; i <= len; i++)
		low[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] + 32 : k[i]);
	for (size_t i = 0; i < sizeof(key_aliases) / sizeof(key_aliases[0]); i++)
		if (!strcmp(low, key_aliases[i].alias))
			return xstrdup(key_aliases[i].name);
	for (int i = 0; named_keys[i]; i++)
		if (!strcmp(low, named_keys[i]))
			return xstrdup(low);
	if (low[0] == 'f' && len <= 3 && atoi(low + 1) >= 1 && atoi(low + 1) <= 12 &&
	    strspn(low + 1, "0123456789") == len - 1)
		return xasprintf("f%d", atoi(low + 1));
	if (!strncmp(low, "ctrl+", 5) && len == 6 &&
	    ((low[5] >= 'a' && low[5] <= 'z') || strchr("@[\\]^_", low[5])))
		return xstrdup(low);
	if (!strncmp(low, "alt+", 4)) {
		char *rest = disc_keys_normalise(k + 4), *r = NULL;

		if (rest && strncmp(rest, "alt+", 4))
			r = xasprintf("alt+%s", rest);
		free(rest);
		return r;
	}
	return NULL;
}

static bool key_ok(const char *s)
{
	char *k = disc_keys_normalise(s);

	free(k);
	return k != NULL;
}

/* Keys the tree uses for moving and folding; not rebindable. */
static bool key_reserved(const char *k)
{
	static const char *const reserved[] = {"up", "down", "left", "right", "h",
	                                       "j",  "k",    "l",    "space", NULL};

	for (int i = 0; reserved[i]; i++)
		if (!strcmp(k, reserved[i]))
			return true;
	return false;
}

/* What disc_keys_walk fills. */
struct binding {
	struct disc_strv *keys;
	struct disc_keys_seen *seen;
};

static int set_keys(struct disc_yaml *y, yaml_node_t *n, struct binding *b, int action)
{
	struct disc_strv keys = {NULL, 0};
	int rc;

	rc = disc_yaml_set_list(y, n, &keys, key_ok,
	                        "a key like q, enter, tab, f5, ctrl+r or alt+x (or a list of them)",
	                        false);
	for (size_t i = 0; rc == ERR_OK && i < keys.n; i++) {
		char *k = disc_keys_normalise(keys.v[i]);

		free(keys.v[i]);
		keys.v[i] = k;
		if (key_reserved(k))
			rc = disc_yaml_bad(
			    y, n, "a key other than the tree's own (arrows, h, j, k, l, space)");
	}
	if (rc != ERR_OK) {
		disc_strv_free(&keys);
		return rc;
	}
	disc_strv_free(&b->keys[action]);
	b->keys[action] = keys;
	b->seen->set[action] = true;
	b->seen->mark[action] = n->start_mark;
	return ERR_OK;
}

/* Reference TUI action names that mean something else here. */
static const struct {
	const char *from, *to; /* to NULL: no such action here */
} import_actions[] = {
    {"kill_session", "archive_session"}, {"detach", NULL}, {"reload_sessions", NULL}};

static int action_for(struct disc_yaml *y, const char *name, bool *dropped)
{
	*dropped = false;
	for (size_t i = 0; y->lenient && i < sizeof(import_actions) / sizeof(import_actions[0]);
	     i++) {
		if (!strcmp(name, import_actions[i].from)) {
			if (!import_actions[i].to) {
				*dropped = true;
				return -1;
			}
			name = import_actions[i].to;
		}
	}
	for (int i = 0; i < DISC_ACT_COUNT; i++)
		if (!strcmp(name, disc_config_action_name(i)))
			return i;
	return -1;
}

static int walk_entry(struct disc_yaml *y, yaml_node_t *k, yaml_node_t *v, void *base)
{
	bool dropped;
	int a = action_for(y, disc_yaml_scalar(k), &dropped);
	int rc;

	if (a < 0) {
		if (!dropped)
			disc_yaml_warn_unknown(y, k);
		return ERR_OK;
	}
	if (disc_yaml_is_null(v))
		return ERR_OK;
	rc = set_keys(y, v, base, a);
	if (rc != ERR_OK && y->lenient) {
		disc_yaml_warn_err(y, "kept the default");
		rc = ERR_OK;
	}
	return rc;
}

int disc_keys_walk(struct disc_yaml *y, yaml_node_t *map, struct disc_strv *keys,
                   struct disc_keys_seen *seen)
{
	struct binding b = {keys, seen};

	return disc_yaml_walk_names(y, map, walk_entry, &b);
}

int disc_keys_check(struct disc_yaml *y, struct disc_strv *keys, const struct disc_keys_seen *seen)
{
	const char *k = NULL;

	for (int a = 0; a < DISC_ACT_COUNT; a++) {
		for (int b = a + 1; b < DISC_ACT_COUNT; b++) {
			int who = seen->set[b] ? b : a;
			int other = who == b ? a : b;
			yaml_mark_t m = seen->mark[who];

			if (!disc_strv_shares(&keys[a], &keys[b], &k))
				continue;
			if (y->lenient) {
				disc_yaml_warn(y, m, "key '%s' bound twice; kept the default keys",
				               k);
				for (int i = 0; i < DISC_ACT_COUNT; i++)
					disc_strv_set1(&keys[i], action_default_keys[i]);
				return ERR_OK;
			}
			return err_set(ERR_CONFIG,
			               "%s:%zu:%zu: keybindings.%s: key '%s' is already bound to "
			               "%s (rebind that action too)",
			               y->name, m.line + 1, m.column + 1,
			               disc_config_action_name(who), k,
			               disc_config_action_name(other));
		}
	}
	return ERR_OK;
}

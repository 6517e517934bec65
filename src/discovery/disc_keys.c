/* disc_keys: key names and keybindings (see disc_keys.h). */
#include "discovery/disc_keys.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xmem.h"

static const char *const action_default_keys[] = {
#define DISC_ACTION_KEYS(id, name, keys) keys,
    DISC_ACTIONS(DISC_ACTION_KEYS)
#undef DISC_ACTION_KEYS
};

void disc_keys_default(int action, struct disc_strv *keys)
{
	const char *s = action_default_keys[action];

	disc_strv_free(keys);
	while (*s) {
		size_t len = strcspn(s, " ");
		char *k = xstrndup(s, len);

		disc_strv_push(keys, k);
		free(k);
		s += len + strspn(s + len, " ");
	}
}

static const char *const named_keys[] = {"enter",  "tab",  "space", "esc",  "backspace", "delete",
                                         "insert", "home", "end",   "pgup", "pgdown",    "up",
                                         "down",   "left", "right", "btab", NULL};

static const struct {
	const char *alias, *name;
} key_aliases[] = {{"return", "enter"},    {"escape", "esc"},  {"pageup", "pgup"},
                   {"pagedown", "pgdown"}, {"pgdn", "pgdown"}, {"del", "delete"},
                   {"ins", "insert"},      {" ", "space"},     {"shift+tab", "btab"}};

/* The name of a control key that the terminal sends as a named key's byte
 * (so two spellings of one byte count as one key), or NULL. */
static const char *ctrl_alias(char c)
{
	static const struct {
		char c;
		const char *name;
	} same[] = {{'i', "tab"}, {'m', "enter"}, {'j', "enter"}, {'h', "backspace"}, {'[', "esc"}};

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		if (same[i].c == c)
			return same[i].name;
	return NULL;
}

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
		return xstrdup(ctrl_alias(low[5]) ? ctrl_alias(low[5]) : low);
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

bool disc_keys_fixed(const char *k)
{
	if (!strncmp(k, "alt+", 4))
		k += 4;
	return !strcmp(k, "ctrl+c") || !strcmp(k, "esc");
}

static bool name_fixed(const char *s)
{
	char *k = s ? disc_keys_normalise(s) : NULL;
	bool fixed = k && disc_keys_fixed(k);

	free(k);
	return fixed;
}

/* The node of n (a key or a list of keys) naming a fixed key, or NULL. */
static yaml_node_t *fixed_node(struct disc_yaml *y, yaml_node_t *n)
{
	yaml_node_item_t *it;

	if (n->type != YAML_SEQUENCE_NODE)
		return name_fixed(disc_yaml_scalar(n)) ? n : NULL;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(y->doc, *it);

		if (item && name_fixed(disc_yaml_scalar(item)))
			return item;
	}
	return NULL;
}

/* What disc_keys_walk fills. */
struct binding {
	struct disc_strv *keys;
	struct disc_keys_seen *seen;
};

static int set_keys(struct disc_yaml *y, yaml_node_t *n, struct binding *b, int action)
{
	struct disc_strv keys = {NULL, 0};
	yaml_node_t *fixed;
	int rc;

	rc = disc_yaml_set_list(y, n, &keys, key_ok,
	                        "a key like q, enter, tab, f5, ctrl+r or alt+x (or a list of them)",
	                        false);
	if (rc == ERR_OK && (fixed = fixed_node(y, n)))
		rc = disc_yaml_bad(y, fixed,
		                   "a key other than ctrl+c and esc (ctrl+c always quits, esc "
		                   "always closes)");
	if (rc != ERR_OK) {
		disc_strv_free(&keys);
		return rc;
	}
	for (size_t i = 0; i < keys.n; i++) {
		char *k = disc_keys_normalise(keys.v[i]);

		free(keys.v[i]);
		keys.v[i] = k;
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

/* The first two actions sharing a key: true, with *a < *b and the key. */
static bool find_clash(const struct disc_strv *keys, int *a, int *b, const char **k)
{
	for (*a = 0; *a < DISC_ACT_COUNT; (*a)++)
		for (*b = *a + 1; *b < DISC_ACT_COUNT; (*b)++)
			if (disc_strv_shares(&keys[*a], &keys[*b], k))
				return true;
	return false;
}

/* A lenient walk's answer to a clash: the action the file set gets its
 * defaults back, so the rest of an imported file's bindings survive. */
static void restore_default(struct disc_yaml *y, struct disc_strv *keys, int who, int other,
                            const char *k, yaml_mark_t m)
{
	char *msg = xasprintf("keybindings.%s: key '%s' is already bound to %s; kept the default",
	                      disc_config_action_name(who), k, disc_config_action_name(other));

	disc_keys_default(who, &keys[who]); /* k may have been in it: not used below */
	for (size_t i = 0; i < keys[who].n; i++) {
		char *longer = xasprintf("%s%s%s", msg, i ? ", " : " (", keys[who].v[i]);

		free(msg);
		msg = longer;
	}
	disc_yaml_warn(y, m, "%s)", msg);
	free(msg);
}

int disc_keys_check(struct disc_yaml *y, struct disc_strv *keys, const struct disc_keys_seen *seen)
{
	bool set[DISC_ACT_COUNT];
	const char *k = NULL;
	int a, b;

	memcpy(set, seen->set, sizeof(set));
	while (find_clash(keys, &a, &b, &k)) {
		int who = set[b] ? b : a;
		int other = who == b ? a : b;
		yaml_mark_t m = seen->mark[who];

		if (!y->lenient)
			return err_set(ERR_CONFIG,
			               "%s:%zu:%zu: keybindings.%s: key '%s' is already bound to "
			               "%s (rebind that action too)",
			               y->name, m.line + 1, m.column + 1,
			               disc_config_action_name(who), k,
			               disc_config_action_name(other));
		if (!set[who]) {
			/* Cannot happen (defaults never clash); ends the loop anyway. */
			for (int i = 0; i < DISC_ACT_COUNT; i++)
				disc_keys_default(i, &keys[i]);
			return ERR_OK;
		}
		restore_default(y, keys, who, other, k, m);
		set[who] = false;
	}
	return ERR_OK;
}

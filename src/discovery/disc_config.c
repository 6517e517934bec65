/* disc_config: the configuration: its schema (field tables walked by
 * disc_yaml over the libyaml document), defaults, names, and loading. The
 * reference TUI's remote-tui.yaml is read by the same walker with its own
 * tables and a lenient walk, which turns a bad value into a warning. The
 * file on disk is disc_cfgfile's, the keybindings disc_keys', writing YAML
 * back disc_cfgwrite's. */
#include "discovery/disc_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "discovery/disc_cfgfile.h"
#include "discovery/disc_cfgwrite.h"
#include "discovery/disc_duration.h"
#include "discovery/disc_keys.h"
#include "discovery/disc_yaml.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

/* config/codefleet.yaml as a C string (cmake/embed.cmake): one source of truth. */
#include "embed/embed_default_config.h"

#define PRIORITY_MIN (-1000000)
#define PRIORITY_MAX 1000000

const char *disc_config_default_text(size_t *len)
{
	if (len)
		*len = sizeof(embed_default_config) - 1;
	return embed_default_config;
}

/* ---- names ---------------------------------------------------------------- */

static const char *const mode_names[] = {"read-only", "operator", NULL};
static const char *const theme_names[] = {"auto", "nightops", "light", "minimal", NULL};
static const char *const sort_names[] = {"last_activity", "name", "host", NULL};
static const char *const hostkey_names[] = {"ask", "yes", "accept-new", NULL};

static const char *const action_names[] = {
#define DISC_ACTION_NAME(id, name, keys) name,
    DISC_ACTIONS(DISC_ACTION_NAME)
#undef DISC_ACTION_NAME
        NULL};

static const char *name_of(const char *const *names, int v)
{
	for (int i = 0; names[i]; i++)
		if (i == v)
			return names[i];
	return "?";
}

const char *disc_config_mode_name(int mode)
{
	return name_of(mode_names, mode);
}

const char *disc_config_theme_name(int theme)
{
	return name_of(theme_names, theme);
}

const char *disc_config_sort_name(int sort)
{
	return name_of(sort_names, sort);
}

const char *disc_config_hostkey_name(int hk)
{
	return name_of(hostkey_names, hk);
}

const char *disc_config_action_name(int action)
{
	return name_of(action_names, action);
}

char *disc_config_default_path(void)
{
	return disc_cfgfile_default_path();
}

void disc_config_write_yaml(const struct disc_config *cfg, struct strbuf *sb)
{
	disc_cfgwrite_yaml(cfg, sb);
}

bool disc_config_parse_duration(const char *s, int64_t *ms)
{
	return disc_duration_parse(s, ms);
}

void disc_config_format_duration(int64_t ms, char *buf, size_t size)
{
	disc_duration_format(ms, buf, size);
}

/* ---- defaults and free ---------------------------------------------------- */

struct disc_config *disc_config_new_defaults(void)
{
	struct disc_config *cfg = xcalloc(1, sizeof(*cfg));

	cfg->polling.interval_ms = 30 * 1000;
	cfg->polling.timeout_ms = 10 * 1000;
	cfg->polling.max_parallel = 16;
	cfg->display.theme = DISC_THEME_AUTO;
	cfg->display.unicode = true;
	cfg->display.animation = true;
	cfg->display.active_threshold_ms = 10 * 60 * 1000;
	cfg->display.idle_threshold_ms = 24 * 3600 * 1000;
	disc_strv_push(&cfg->hosts.include, "*");
	cfg->ssh.connect_timeout_ms = 10 * 1000;
	cfg->ssh.batch_mode = true;
	cfg->ssh.keepalive_interval_ms = 30 * 1000;
	cfg->ssh.keepalive_count_max = 3;
	cfg->ssh.strict_host_key_checking = DISC_HOSTKEY_ASK;
	cfg->ssh.max_channels = 4;
	cfg->ssh.compression = false;
	cfg->sessions.sort_by = DISC_SORT_LAST_ACTIVITY;
	cfg->sessions.show_archived = false;
	cfg->sessions.max_display = 50;
	cfg->sessions.show_empty_projects = false;
	for (int i = 0; i < DISC_ACT_COUNT; i++)
		disc_keys_default(i, &cfg->keys[i]);
	disc_strv_push(&cfg->roots, "~");
	cfg->mode = DISC_MODE_OPERATOR;
	cfg->local = true;
	return cfg;
}

static void override_free(struct disc_config_override *ov)
{
	free(ov->alias);
	free(ov->label);
	free(ov->opencode_path);
	disc_strv_free(&ov->roots);
}

static void groups_clear(struct disc_config *cfg)
{
	for (size_t i = 0; i < cfg->hosts.n_groups; i++) {
		free(cfg->hosts.groups[i].name);
		disc_strv_free(&cfg->hosts.groups[i].globs);
	}
	free(cfg->hosts.groups);
	cfg->hosts.groups = NULL;
	cfg->hosts.n_groups = 0;
}

static void overrides_clear(struct disc_config *cfg)
{
	for (size_t i = 0; i < cfg->hosts.n_overrides; i++)
		override_free(&cfg->hosts.overrides[i]);
	free(cfg->hosts.overrides);
	cfg->hosts.overrides = NULL;
	cfg->hosts.n_overrides = 0;
}

void disc_config_free(struct disc_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	disc_strv_free(&cfg->hosts.include);
	disc_strv_free(&cfg->hosts.ignore);
	groups_clear(cfg);
	overrides_clear(cfg);
	for (int i = 0; i < DISC_ACT_COUNT; i++)
		disc_strv_free(&cfg->keys[i]);
	disc_strv_free(&cfg->roots);
	free(cfg);
}

const struct disc_config_override *disc_config_override_for(const struct disc_config *cfg,
                                                            const char *name)
{
	for (size_t i = 0; i < cfg->hosts.n_overrides; i++)
		if (!strcasecmp(cfg->hosts.overrides[i].alias, name))
			return &cfg->hosts.overrides[i];
	return NULL;
}

/* ---- walking: what the schema adds to disc_yaml ------------------------- */

/* The walk's own state (disc_yaml's user pointer). */
struct walk {
	const struct disc_yaml_field *override_fields;
	struct disc_keys_seen seen;
};

static int group_entry(struct disc_yaml *y, yaml_node_t *k, yaml_node_t *v, void *base)
{
	struct disc_config *cfg = base;
	struct disc_config_group *g;

	cfg->hosts.groups =
	    xrealloc(cfg->hosts.groups, cfg->hosts.n_groups + 1, sizeof(*cfg->hosts.groups));
	g = &cfg->hosts.groups[cfg->hosts.n_groups++];
	memset(g, 0, sizeof(*g));
	g->name = xstrdup(disc_yaml_scalar(k));
	if (disc_yaml_is_null(v))
		return ERR_OK;
	return disc_yaml_set_list(y, v, &g->globs, disc_yaml_glob_ok, DISC_YAML_GLOB_EXPECT, true);
}

static int walk_groups(struct disc_yaml *y, yaml_node_t *map, void *base)
{
	groups_clear(base);
	return disc_yaml_walk_names(y, map, group_entry, base);
}

static int override_entry(struct disc_yaml *y, yaml_node_t *k, yaml_node_t *v, void *base)
{
	struct disc_config *cfg = base;
	const struct walk *w = y->user;
	struct disc_config_override *ov;

	cfg->hosts.overrides = xrealloc(cfg->hosts.overrides, cfg->hosts.n_overrides + 1,
	                                sizeof(*cfg->hosts.overrides));
	ov = &cfg->hosts.overrides[cfg->hosts.n_overrides++];
	memset(ov, 0, sizeof(*ov));
	ov->alias = xstrdup(disc_yaml_scalar(k));
	ov->mode = -1;
	if (v->type == YAML_MAPPING_NODE)
		return disc_yaml_walk_mapping(y, v, w->override_fields, ov);
	if (!disc_yaml_is_null(v))
		return disc_yaml_bad(y, v,
		                     "a mapping of label, priority, opencode_path, roots, mode");
	return ERR_OK;
}

static int walk_overrides(struct disc_yaml *y, yaml_node_t *map, void *base)
{
	overrides_clear(base);
	return disc_yaml_walk_names(y, map, override_entry, base);
}

static int walk_keys(struct disc_yaml *y, yaml_node_t *map, void *base)
{
	struct disc_config *cfg = base;
	struct walk *w = y->user;

	return disc_keys_walk(y, map, cfg->keys, &w->seen);
}

/* hosts.overrides.<alias>.priority was given. */
static int mark_priority(struct disc_yaml *y, yaml_node_t *n, void *base)
{
	(void)y;
	(void)n;
	((struct disc_config_override *)base)->has_priority = true;
	return ERR_OK;
}

static int check_display(struct disc_yaml *y, yaml_node_t *n, void *base)
{
	struct disc_config *cfg = base;
	char a[32], i[32];

	if (cfg->display.active_threshold_ms <= cfg->display.idle_threshold_ms)
		return ERR_OK;
	disc_duration_format(cfg->display.active_threshold_ms, a, sizeof(a));
	disc_duration_format(cfg->display.idle_threshold_ms, i, sizeof(i));
	if (y->lenient) {
		disc_yaml_warn(y, n->start_mark, "%s",
		               "active_threshold longer than idle_threshold; "
		               "kept the default thresholds");
		cfg->display.active_threshold_ms = 10 * 60 * 1000;
		cfg->display.idle_threshold_ms = 24 * 3600 * 1000;
		return ERR_OK;
	}
	return err_set(ERR_CONFIG,
	               "%s:%zu:%zu: display: expected active_threshold (%s) not longer than "
	               "idle_threshold (%s)",
	               y->name, n->start_mark.line + 1, n->start_mark.column + 1, a, i);
}

#define AT(field) offsetof(struct disc_config, field)
#define OV(field) offsetof(struct disc_config_override, field)

/* ---- schema ------------------------------------------------------------------- */

/* Rows the reference TUI's remote-tui.yaml shares with ours (same key, same
 * meaning): both tables use them. */
/* clang-format off */
#define POLLING_ROWS \
	{"interval", DISC_YAML_DURATION, AT(polling.interval_ms), NULL, NULL, 1000, 0, NULL}, \
	{"timeout", DISC_YAML_DURATION, AT(polling.timeout_ms), NULL, NULL, 100, 0, NULL}, \
	{"max_parallel", DISC_YAML_INT, AT(polling.max_parallel), NULL, NULL, 1, 256, NULL}
#define OVERRIDE_ROWS \
	{"label", DISC_YAML_STRING, OV(label), NULL, NULL, 0, 0, NULL}, \
	{"priority", DISC_YAML_INT, OV(priority), NULL, NULL, PRIORITY_MIN, PRIORITY_MAX, \
	 mark_priority}, \
	{"opencode_path", DISC_YAML_STRING, OV(opencode_path), NULL, NULL, 0, 0, NULL}
#define SESSIONS_ROWS \
	{"sort_by", DISC_YAML_ENUM, AT(sessions.sort_by), NULL, sort_names, 0, 0, NULL}, \
	{"show_archived", DISC_YAML_BOOL, AT(sessions.show_archived), NULL, NULL, 0, 0, NULL}, \
	{"max_display", DISC_YAML_INT, AT(sessions.max_display), NULL, NULL, 0, 1000000, NULL}
/* clang-format on */

static const struct disc_yaml_field polling_fields[] = {
    POLLING_ROWS,
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const struct disc_yaml_field display_fields[] = {
    {"theme", DISC_YAML_ENUM, AT(display.theme), NULL, theme_names, 0, 0, NULL},
    {"unicode", DISC_YAML_BOOL, AT(display.unicode), NULL, NULL, 0, 0, NULL},
    {"animation", DISC_YAML_BOOL, AT(display.animation), NULL, NULL, 0, 0, NULL},
    {"active_threshold", DISC_YAML_DURATION, AT(display.active_threshold_ms), NULL, NULL, 1000, 0,
     NULL},
    {"idle_threshold", DISC_YAML_DURATION, AT(display.idle_threshold_ms), NULL, NULL, 1000, 0,
     NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct disc_yaml_field override_fields[] = {
    OVERRIDE_ROWS,
    {"roots", DISC_YAML_ROOTS, OV(roots), NULL, NULL, 0, 0, NULL},
    {"mode", DISC_YAML_ENUM, OV(mode), NULL, mode_names, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct disc_yaml_field hosts_fields[] = {
    {"include", DISC_YAML_GLOBS, AT(hosts.include), NULL, NULL, 0, 0, NULL},
    {"ignore", DISC_YAML_GLOBS0, AT(hosts.ignore), NULL, NULL, 0, 0, NULL},
    {"groups", DISC_YAML_MAP_STRICT, 0, NULL, NULL, 0, 0, walk_groups},
    {"overrides", DISC_YAML_MAP_STRICT, 0, NULL, NULL, 0, 0, walk_overrides},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct disc_yaml_field ssh_fields[] = {
    {"connect_timeout", DISC_YAML_DURATION, AT(ssh.connect_timeout_ms), NULL, NULL, 100, 0, NULL},
    {"batch_mode", DISC_YAML_BOOL, AT(ssh.batch_mode), NULL, NULL, 0, 0, NULL},
    {"keepalive_interval", DISC_YAML_DURATION, AT(ssh.keepalive_interval_ms), NULL, NULL, 0, 0,
     NULL},
    {"keepalive_count_max", DISC_YAML_INT, AT(ssh.keepalive_count_max), NULL, NULL, 1, 100, NULL},
    {"strict_host_key_checking", DISC_YAML_ENUM, AT(ssh.strict_host_key_checking), NULL,
     hostkey_names, 0, 0, NULL},
    {"max_channels", DISC_YAML_INT, AT(ssh.max_channels), NULL, NULL, 1, 64, NULL},
    {"compression", DISC_YAML_BOOL, AT(ssh.compression), NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct disc_yaml_field sessions_fields[] = {
    SESSIONS_ROWS,
    {"show_empty_projects", DISC_YAML_BOOL, AT(sessions.show_empty_projects), NULL, NULL, 0, 0,
     NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL},
};

static const struct disc_yaml_field top_fields[] = {
    {"polling", DISC_YAML_SECTION, 0, polling_fields, NULL, 0, 0, NULL},
    {"display", DISC_YAML_SECTION, 0, display_fields, NULL, 0, 0, check_display},
    {"hosts", DISC_YAML_SECTION, 0, hosts_fields, NULL, 0, 0, NULL},
    {"ssh", DISC_YAML_SECTION, 0, ssh_fields, NULL, 0, 0, NULL},
    {"sessions", DISC_YAML_SECTION, 0, sessions_fields, NULL, 0, 0, NULL},
    {"keybindings", DISC_YAML_MAP, 0, NULL, NULL, 0, 0, walk_keys},
    {"roots", DISC_YAML_ROOTS, AT(roots), NULL, NULL, 0, 0, NULL},
    {"mode", DISC_YAML_ENUM, AT(mode), NULL, mode_names, 0, 0, NULL},
    {"local", DISC_YAML_BOOL, AT(local), NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

/* The reference TUI's remote-tui.yaml, mapped onto ours. */
static const struct disc_yaml_field ref_polling[] = {
    POLLING_ROWS,
    {"jitter", DISC_YAML_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct disc_yaml_field ref_override[] = {
    OVERRIDE_ROWS,
    {"scan_paths", DISC_YAML_ROOTS, OV(roots), NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct disc_yaml_field ref_ssh[] = {
    {"connect_timeout", DISC_YAML_SECONDS, AT(ssh.connect_timeout_ms), NULL, NULL, 100, 0, NULL},
    {"batch_mode", DISC_YAML_BOOL, AT(ssh.batch_mode), NULL, NULL, 0, 0, NULL},
    {"control_master", DISC_YAML_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {"control_persist", DISC_YAML_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {"control_path", DISC_YAML_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct disc_yaml_field ref_sessions[] = {
    SESSIONS_ROWS,
    {"enrich_from_db", DISC_YAML_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {"scan_paths", DISC_YAML_ROOTS, AT(roots), NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

static const struct disc_yaml_field ref_top[] = {
    {"polling", DISC_YAML_SECTION, 0, ref_polling, NULL, 0, 0, NULL},
    {"display", DISC_YAML_SECTION, 0, display_fields, NULL, 0, 0, check_display},
    {"hosts", DISC_YAML_SECTION, 0, hosts_fields, NULL, 0, 0, NULL},
    {"ssh", DISC_YAML_SECTION, 0, ref_ssh, NULL, 0, 0, NULL},
    {"sessions", DISC_YAML_SECTION, 0, ref_sessions, NULL, 0, 0, NULL},
    {"keybindings", DISC_YAML_MAP, 0, NULL, NULL, 0, 0, walk_keys},
    {"cache", DISC_YAML_IGNORE, 0, NULL, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL}};

/* ---- entry points --------------------------------------------------------- */

static int parse_with(const char *name, const char *text, size_t len, FILE *warnfp, bool import,
                      struct disc_config **out)
{
	struct walk w = {import ? ref_override : override_fields, {{0}, {{0}}}};
	struct disc_yaml y = {
	    .name = name,
	    .root_expect = "a mapping of settings (like polling:, hosts:) at the top level",
	    .warn = warnfp,
	    .lenient = import,
	    .user = &w,
	};
	struct disc_config *cfg = disc_config_new_defaults();
	int rc;

	*out = NULL;
	rc = disc_yaml_walk(&y, text, len, import ? ref_top : top_fields, cfg);
	if (rc == ERR_OK)
		rc = disc_keys_check(&y, cfg->keys, &w.seen);
	strbuf_free(&y.path);
	if (rc == ERR_OK)
		*out = cfg;
	else
		disc_config_free(cfg);
	return rc;
}

int disc_config_parse(const char *name, const char *text, size_t len, FILE *warn,
                      struct disc_config **out)
{
	return parse_with(name, text, len, warn, false, out);
}

static int load_with(const char *path, FILE *warnfp, bool import, struct disc_config **out)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = disc_cfgfile_read(path, &text, &len);
	if (rc == ERR_OK)
		rc = parse_with(path, text, len, warnfp, import, out);
	if (rc == ERR_OK)
		(*out)->path = xstrdup(path);
	free(text);
	return rc;
}

int disc_config_load(const char *path, FILE *warn, struct disc_config **out)
{
	return load_with(path, warn, false, out);
}

int disc_config_import(const char *path, FILE *warn, struct disc_config **out)
{
	return load_with(path, warn, true, out);
}

/* ---- first run ------------------------------------------------------------ */

static const char import_header[] =
    "# codefleet configuration, imported from %s.\n"
    "# Every key is described in docs/configuration.md; the commented default is\n"
    "# config/codefleet.yaml in the source tree.\n";

int disc_config_bootstrap(const char *path, const char *import_path, FILE *msgs)
{
	struct disc_config *cfg = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	const char *text;
	size_t len;
	int rc;

	text = disc_config_default_text(&len);
	if (import_path && stat(import_path, &st) == 0) {
		rc = disc_config_import(import_path, msgs, &cfg);
		if (rc == ERR_OK) {
			strbuf_printf(&sb, import_header, import_path);
			disc_cfgwrite_yaml(cfg, &sb);
			text = sb.buf;
			len = sb.len;
		} else if (msgs) {
			fprintf(msgs, "codefleet: warning: not imported: %s\n", err_text());
		}
	}
	rc = disc_cfgfile_create(path, text, len);
	if (rc == ERR_OK && cfg && msgs)
		fprintf(msgs, "codefleet: imported settings from %s into %s\n", import_path, path);
	disc_config_free(cfg);
	strbuf_free(&sb);
	return rc;
}

int disc_config_open(const char *cli_path, FILE *msgs, struct disc_config **out)
{
	char *path = NULL, *import = NULL;
	struct stat st;
	int rc;

	if (cli_path)
		return disc_config_load(cli_path, msgs, out);
	path = disc_cfgfile_default_path();
	if (!path) {
		*out = disc_config_new_defaults();
		return ERR_OK;
	}
	if (stat(path, &st) != 0 && errno == ENOENT) {
		if (disc_cfgfile_home())
			import = xasprintf("%s/.opencode/remote-tui.yaml", disc_cfgfile_home());
		rc = disc_config_bootstrap(path, import, msgs);
		if (rc != ERR_OK) {
			if (msgs)
				fprintf(msgs,
				        "codefleet: warning: %s; using the built-in defaults\n",
				        err_text());
			*out = disc_config_new_defaults();
			rc = ERR_OK;
			goto out;
		}
	}
	rc = disc_config_load(path, msgs, out);
out:
	free(path);
	free(import);
	return rc;
}

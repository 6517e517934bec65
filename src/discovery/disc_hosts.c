#include "discovery/disc_hosts.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_strv.h"
#include "util/err.h"
#include "util/jsonw.h"
#include "util/strbuf.h"
#include "util/xmem.h"

static bool glob_any(const struct disc_strv *globs, const char *name)
{
	for (size_t i = 0; i < globs->n; i++)
		if (fnmatch(globs->v[i], name, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?!") != NULL;
}

/* Group index (file order), or n_groups when in none. */
static size_t group_of(const struct disc_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->hosts.n_groups; i++)
		if (glob_any(&cfg->hosts.groups[i].globs, name))
			break;
	return i;
}

/* Fills h for `name` from the config and its override. */
static void host_init(struct disc_host *h, const struct disc_config *cfg, const char *name,
                      bool is_local)
{
	const struct disc_config_override *ov = disc_config_override_for(cfg, name);
	size_t g = group_of(cfg, name);

	memset(h, 0, sizeof(*h));
	h->name = xstrdup(name);
	h->is_local = is_local;
	h->label = xstrdup(ov && ov->label ? ov->label : name);
	h->group = g < cfg->hosts.n_groups ? xstrdup(cfg->hosts.groups[g].name) : NULL;
	h->group_index = g;
	h->priority = is_local ? DISC_HOSTS_LOCAL_PRIORITY : DISC_HOSTS_PRIORITY;
	if (ov && ov->has_priority)
		h->priority = ov->priority;
	disc_strv_dup(&h->roots, ov && ov->roots.n ? &ov->roots : &cfg->roots);
	h->mode = ov && ov->mode >= 0 ? ov->mode : cfg->mode;
	h->opencode_path = ov && ov->opencode_path ? xstrdup(ov->opencode_path) : NULL;
}

static void host_free(struct disc_host *h)
{
	free(h->name);
	free(h->label);
	free(h->group);
	disc_strv_free(&h->roots);
	free(h->opencode_path);
}

void disc_hosts_free(struct disc_hosts *hosts)
{
	if (!hosts)
		return;
	for (size_t i = 0; i < hosts->n; i++)
		host_free(&hosts->v[i]);
	free(hosts->v);
	free(hosts);
}

const struct disc_host *disc_hosts_find(const struct disc_hosts *hosts, const char *name)
{
	for (size_t i = 0; i < hosts->n; i++)
		if (!strcmp(hosts->v[i].name, name))
			return &hosts->v[i];
	return NULL;
}

bool disc_hosts_read_only(const struct disc_hosts *hosts, const char *name)
{
	const struct disc_host *h = disc_hosts_find(hosts, name);

	return h && h->mode == DISC_MODE_READ_ONLY;
}

static bool keep_alias(const struct disc_config *cfg, const struct disc_hosts *hs,
                       const char *alias, FILE *warn)
{
	if (!alias[0] || has_wildcard(alias))
		return false;
	if (cfg->local && !strcmp(alias, DISC_HOSTS_LOCAL_NAME)) {
		if (warn)
			fprintf(warn,
			        "codefleet: warning: ssh_config Host 'local' is hidden by the "
			        "built-in local host (set local: false to use it)\n");
		return false;
	}
	if (disc_hosts_find(hs, alias))
		return false;
	return glob_any(&cfg->hosts.include, alias) && !glob_any(&cfg->hosts.ignore, alias);
}

static int host_cmp(const void *a, const void *b)
{
	const struct disc_host *x = a, *y = b;

	if (x->group_index != y->group_index)
		return x->group_index < y->group_index ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

int disc_hosts_build(const struct disc_config *cfg, const char *const *aliases, size_t n,
                     FILE *warn, struct disc_hosts **out)
{
	struct disc_hosts *hs = xcalloc(1, sizeof(*hs));

	hs->v = xcalloc(n + 1, sizeof(*hs->v));
	if (cfg->local)
		host_init(&hs->v[hs->n++], cfg, DISC_HOSTS_LOCAL_NAME, true);
	for (size_t i = 0; i < n; i++) {
		if (!aliases[i] || !keep_alias(cfg, hs, aliases[i], warn))
			continue;
		host_init(&hs->v[hs->n++], cfg, aliases[i], false);
	}
	qsort(hs->v, hs->n, sizeof(*hs->v), host_cmp);
	*out = hs;
	return ERR_OK;
}

void disc_hosts_write_json(const struct disc_hosts *hosts, struct strbuf *sb)
{
	struct jsonw w;

	jsonw_init(&w, sb);
	jsonw_object_begin(&w);
	jsonw_key(&w, "hosts");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < hosts->n; i++) {
		const struct disc_host *h = &hosts->v[i];

		jsonw_object_begin(&w);
		jsonw_key(&w, "name");
		jsonw_string(&w, h->name);
		jsonw_key(&w, "label");
		jsonw_string(&w, h->label);
		jsonw_key(&w, "group");
		jsonw_string(&w, h->group);
		jsonw_key(&w, "priority");
		jsonw_int(&w, h->priority);
		jsonw_key(&w, "local");
		jsonw_bool(&w, h->is_local);
		jsonw_key(&w, "mode");
		jsonw_string(&w, disc_config_mode_name(h->mode));
		jsonw_key(&w, "roots");
		jsonw_array_begin(&w);
		for (size_t r = 0; r < h->roots.n; r++)
			jsonw_string(&w, h->roots.v[r]);
		jsonw_array_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
}

static int width(const struct disc_hosts *hs, size_t field, int min)
{
	int w = min;

	for (size_t i = 0; i < hs->n; i++) {
		const struct disc_host *h = &hs->v[i];
		const char *s = field == 0 ? h->name : field == 1 ? h->label : h->group;
		int len = s ? (int)strlen(s) : 1;

		if (len > w)
			w = len;
	}
	return w > 40 ? 40 : w;
}

void disc_hosts_print_table(const struct disc_hosts *hosts, FILE *fp)
{
	int wn = width(hosts, 0, 4), wl = width(hosts, 1, 5), wg = width(hosts, 2, 5);

	fprintf(fp, "%-*s  %-*s  %-*s  %8s  %-9s  %s\n", wn, "NAME", wl, "LABEL", wg, "GROUP",
	        "PRIORITY", "MODE", "ROOTS");
	for (size_t i = 0; i < hosts->n; i++) {
		const struct disc_host *h = &hosts->v[i];

		fprintf(fp, "%-*s  %-*s  %-*s  %8d  %-9s  ", wn, h->name, wl, h->label, wg,
		        h->group ? h->group : "-", h->priority, disc_config_mode_name(h->mode));
		for (size_t r = 0; r < h->roots.n; r++)
			fprintf(fp, "%s%s", r ? "," : "", h->roots.v[r]);
		fputc('\n', fp);
	}
}

/* probe_conn_opts: see probe_conn_opts.h. */
#include "probe/probe_conn_opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_sshcfg.h"
#include "util/err.h"
#include "util/xmem.h"

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **dup_list(char *const *v, size_t n)
{
	char **out = NULL;

	if (!n)
		return NULL;
	out = xcalloc(n, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

/* "~/x" -> "$HOME/x"; everything else unchanged. Returns a new string. */
char *probe_conn_opts_expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && home && *home)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

static bool is_none(const char *v)
{
	return !v || !*v || strcmp(v, "none") == 0;
}
void probe_conn_opts_free(struct probe_conn_opts *o)
{
	if (!o)
		return;
	free(o->alias);
	free(o->hostname);
	free(o->user);
	free_list(o->identity_files, o->n_identity_files);
	free(o->identity_agent);
	free(o->proxy_command);
	free(o->proxy_jump);
	free(o->ssh_config);
	free(o->host_key_alias);
	free_list(o->known_hosts, o->n_known_hosts);
	free(o);
}

struct probe_conn_opts *probe_conn_opts_dup(const struct probe_conn_opts *src)
{
	struct probe_conn_opts *o = xcalloc(1, sizeof(*o));

	*o = *src;
	o->alias = xstrdup(src->alias);
	o->hostname = xstrdup(src->hostname);
	o->user = xstrdup(src->user);
	o->identity_files = dup_list(src->identity_files, src->n_identity_files);
	o->identity_agent = xstrdup(src->identity_agent);
	o->proxy_command = xstrdup(src->proxy_command);
	o->proxy_jump = xstrdup(src->proxy_jump);
	o->ssh_config = xstrdup(src->ssh_config);
	o->host_key_alias = xstrdup(src->host_key_alias);
	o->known_hosts = dup_list(src->known_hosts, src->n_known_hosts);
	if (o->n_user_known_hosts > o->n_known_hosts)
		o->n_user_known_hosts = o->n_known_hosts;
	return o;
}

static int parse_int(const char *v, const char *key, int none, int *out)
{
	char *end = NULL;
	long n = 0;

	if (is_none(v)) {
		*out = none;
		return ERR_OK;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 0 || n > 1000000)
		return err_set(ERR_CONFIG, "%s: bad number '%s'", key, v);
	*out = (int)n;
	return ERR_OK;
}

/* Each value of a path-list keyword, split on blanks as ssh -G prints them. */
static void add_paths(const struct disc_opts *d, const char *key, char ***v, size_t *n)
{
	const char *const *vals = NULL;
	size_t nv = disc_opts_get_all(d, key, &vals);

	for (size_t i = 0; i < nv; i++) {
		char *copy = xstrdup(vals[i]);
		char *save = NULL;

		for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			char *p = NULL;

			if (is_none(w))
				continue;
			p = probe_conn_opts_expand_home(w);
			push(v, n, p);
			free(p);
		}
		free(copy);
	}
}

static enum probe_conn_strict parse_strict(const char *v)
{
	if (!v)
		return PROBE_STRICT_ASK;
	if (!strcmp(v, "yes") || !strcmp(v, "true"))
		return PROBE_STRICT_YES;
	if (!strcmp(v, "accept-new"))
		return PROBE_STRICT_ACCEPT_NEW;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off"))
		return PROBE_STRICT_NO;
	return PROBE_STRICT_ASK;
}

static int opts_numbers(const struct disc_opts *d, struct probe_conn_opts *o)
{
	int rc = ERR_OK;

	rc = parse_int(disc_opts_get(d, "port"), "port", 22, &o->port);
	if (rc == ERR_OK)
		rc = parse_int(disc_opts_get(d, "connecttimeout"), "connecttimeout", 0,
		               &o->connect_timeout_s);
	if (rc == ERR_OK)
		rc = parse_int(disc_opts_get(d, "serveraliveinterval"), "serveraliveinterval", 0,
		               &o->alive_interval_s);
	if (rc == ERR_OK)
		rc = parse_int(disc_opts_get(d, "serveralivecountmax"), "serveralivecountmax", 3,
		               &o->alive_count_max);
	if (rc == ERR_OK && (o->port < 1 || o->port > 65535))
		rc = err_set(ERR_CONFIG, "port: %d out of range", o->port);
	return rc;
}

int probe_conn_opts_from_disc(const struct disc_opts *d, const char *alias, const char *ssh_config,
                              struct probe_conn_opts **out)
{
	struct probe_conn_opts *o = xcalloc(1, sizeof(*o));
	const char *v = NULL;
	int rc = ERR_OK;

	*out = NULL;
	o->alias = xstrdup(alias);
	o->hostname = xstrdup(disc_opts_get(d, "hostname"));
	o->user = xstrdup(disc_opts_get(d, "user"));
	o->ssh_config = xstrdup(ssh_config);
	if (!o->hostname || !o->user) {
		rc = err_set(ERR_CONFIG, "%s: resolved options lack hostname or user", alias);
		goto out;
	}
	rc = opts_numbers(d, o);
	if (rc != ERR_OK)
		goto out;
	add_paths(d, "identityfile", &o->identity_files, &o->n_identity_files);
	add_paths(d, "userknownhostsfile", &o->known_hosts, &o->n_known_hosts);
	o->n_user_known_hosts = o->n_known_hosts;
	add_paths(d, "globalknownhostsfile", &o->known_hosts, &o->n_known_hosts);
	v = disc_opts_get(d, "identitiesonly");
	o->identities_only = v && (!strcmp(v, "yes") || !strcmp(v, "true"));
	v = disc_opts_get(d, "identityagent");
	if (v && strcmp(v, "SSH_AUTH_SOCK") != 0)
		o->identity_agent =
		    strcmp(v, "none") ? probe_conn_opts_expand_home(v) : xstrdup("none");
	v = disc_opts_get(d, "proxycommand");
	o->proxy_command = is_none(v) ? NULL : xstrdup(v);
	v = disc_opts_get(d, "proxyjump");
	o->proxy_jump = is_none(v) ? NULL : xstrdup(v);
	o->strict = parse_strict(disc_opts_get(d, "stricthostkeychecking"));
	v = disc_opts_get(d, "hostkeyalias");
	o->host_key_alias = is_none(v) ? NULL : xstrdup(v);
	*out = o;
	o = NULL;
out:
	probe_conn_opts_free(o);
	return rc;
}

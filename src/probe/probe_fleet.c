#include "probe/probe_fleet.h"

#include <stdlib.h>
#include <string.h>

#include "discovery/disc_config.h"
#include "discovery/disc_hosts.h"
#include "discovery/disc_sshcfg.h"
#include "probe/cache.h"
#include "probe/probe_conn.h"
#include "probe/probe_engine.h"
#include "util/err.h"

void probe_fleet_flush_warnings(struct probe_fleet *f, FILE *fp)
{
	const char *w = f->cache ? cache_warning(f->cache) : NULL;

	while (fp && w && *w) {
		const char *nl = strchr(w, '\n');
		int len = nl ? (int)(nl - w) : (int)strlen(w);

		if (len)
			fprintf(fp, "codefleet: warning: %.*s\n", len, w);
		w = nl ? nl + 1 : w + len;
	}
	if (f->cache)
		cache_clear_warning(f->cache);
}

static int open_engine(const struct probe_fleet_opts *o, struct probe_fleet *f)
{
	struct probe_engine_opts eo;

	if (!o->no_cache) {
		char *path = cache_default_path();

		f->cache = cache_open(path); /* never fails: memory when it must */
		free(path);
		probe_fleet_flush_warnings(f, o->msgs);
	}
	memset(&eo, 0, sizeof(eo));
	eo.cfg = f->conf;
	eo.hosts = f->hosts;
	eo.sshcfg = f->ssh;
	eo.ssh_config_path = o->ssh_config_path;
	eo.cache = f->cache;
	eo.host_glob = o->host_glob;
	eo.interval_ms = o->interval_ms;
	return probe_engine_new(&eo, &f->engine);
}

int probe_fleet_open(const struct probe_fleet_opts *o, struct probe_fleet *f)
{
	const char *const *aliases = NULL;
	size_t n;
	int rc;

	memset(f, 0, sizeof(*f));
	rc = disc_config_open(o->config_path, o->msgs, &f->conf);
	if (rc == ERR_OK)
		rc = disc_sshcfg_load(o->ssh_config_path, &f->ssh);
	if (rc != ERR_OK)
		return rc;
	n = disc_sshcfg_aliases(f->ssh, &aliases);
	rc = disc_hosts_build(f->conf, aliases, n, o->msgs, &f->hosts);
	if (rc != ERR_OK || !o->with_engine)
		return rc;
	return open_engine(o, f);
}

void probe_fleet_close(struct probe_fleet *f)
{
	probe_engine_free(f->engine); /* joins the workers before the rest goes */
	cache_close(f->cache);
	disc_hosts_free(f->hosts);
	disc_sshcfg_free(f->ssh);
	disc_config_free(f->conf);
	if (f->engine)
		probe_conn_global_finish();
	memset(f, 0, sizeof(*f));
}

bool probe_fleet_all_ok(const struct probe_fleet *f)
{
	for (size_t i = 0; f->engine && i < probe_engine_count(f->engine); i++)
		if (probe_engine_host(f->engine, i)->state != PROBE_HOST_OK)
			return false;
	return true;
}

/* probe_fleet: what every front end (hosts, ls, watch, the dashboard) opens
 * to see the fleet, in order — config, ssh_config, host list, cache, engine —
 * and closes in reverse. One place, so the commands cannot drift apart. */
#ifndef CODEFLEET_PROBE_FLEET_H
#define CODEFLEET_PROBE_FLEET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct probe_fleet_opts {
	const char *config_path;     /* -c; NULL: the XDG default (written on first run) */
	const char *ssh_config_path; /* -F; NULL: ~/.ssh/config + /etc/ssh/ssh_config */
	bool with_engine;            /* false: config and hosts only (no cache either) */
	bool no_cache;               /* neither read nor write the cache */
	const char *host_glob;       /* engine: only matching hosts; NULL: all */
	int64_t interval_ms;         /* engine: 0 = polling.interval */
	FILE *msgs;                  /* warnings (config, cache); NULL: dropped */
};

struct probe_fleet {
	struct disc_config *conf;
	struct disc_sshcfg *ssh;
	struct disc_hosts *hosts;
	struct cache *cache; /* NULL with no_cache */
	struct probe_engine *engine;
};

/* Opens everything o asks for into *f (zeroed first). Returns ERR_OK, or the
 * failing step's code with err_text() set; call probe_fleet_close either way. */
int probe_fleet_open(const struct probe_fleet_opts *o, struct probe_fleet *f);
void probe_fleet_close(struct probe_fleet *f);
/* Writes the cache's pending warnings to fp, one "codefleet: warning:" line each. */
void probe_fleet_flush_warnings(struct probe_fleet *f, FILE *fp);
/* true when every host of the engine is ok. */
bool probe_fleet_all_ok(const struct probe_fleet *f);

#endif

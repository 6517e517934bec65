/* disc_hosts: the dashboard's host list.
 *
 * Built from the concrete ssh_config aliases and the configuration:
 *   1. an alias is kept when it matches a hosts.include glob and no
 *      hosts.ignore glob (fnmatch, case-insensitive like ssh's Host patterns);
 *      duplicates and aliases with wildcards are dropped;
 *   2. the host `local` (this machine, no SSH) is added unless `local: false`;
 *      it is not subject to include/ignore, and an ssh alias named `local` is
 *      then skipped with a warning;
 *   3. each host takes hosts.overrides.<name> (label, priority, opencode_path,
 *      roots, mode), the rest from the top level;
 *   4. each host joins the first hosts.groups entry (in file order) that has a
 *      glob matching it;
 *   5. order: groups in file order, ungrouped hosts last; inside a group by
 *      priority (lower first; default DISC_HOSTS_PRIORITY, local
 *      DISC_HOSTS_LOCAL_PRIORITY) then name (byte order).
 * The list is immutable once built; later layers keep their state elsewhere
 * and refer to a host by name. */
#ifndef CODEFLEET_DISC_HOSTS_H
#define CODEFLEET_DISC_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "discovery/disc_config.h"

struct strbuf;

#define DISC_HOSTS_PRIORITY       100
#define DISC_HOSTS_LOCAL_PRIORITY 0
#define DISC_HOSTS_LOCAL_NAME     "local"

struct disc_host {
	char *name;         /* the ssh alias, or "local" */
	char *label;        /* shown name: the override's label, else name */
	char *group;        /* NULL when in no group */
	size_t group_index; /* its place in hosts.groups; n_groups when none */
	int priority;
	bool is_local;          /* this machine, no SSH */
	struct disc_strv roots; /* folders actions may touch (normalised, no trailing /) */
	int mode;               /* enum disc_mode */
	char *opencode_path;    /* NULL: look for opencode on the host */
};

struct disc_hosts {
	struct disc_host *v; /* owned */
	size_t n;
};

/* Builds the list from `aliases` (n of them, in ssh_config file order).
 * Warnings go to `warn` (may be NULL). Returns ERR_OK and a new *out. */
int disc_hosts_build(const struct disc_config *cfg, const char *const *aliases, size_t n,
                     FILE *warn, struct disc_hosts **out);
void disc_hosts_free(struct disc_hosts *hosts);

/* The host called `name` (exact), or NULL. */
const struct disc_host *disc_hosts_find(const struct disc_hosts *hosts, const char *name);
/* True when the host called `name` is in mode read-only (every action
 * refused); false for an unknown name. */
bool disc_hosts_read_only(const struct disc_hosts *hosts, const char *name);

/* Appends {"hosts":[{"name":..,"label":..,"group":..,"priority":..,
 * "local":..,"mode":..,"roots":[..]}]} (one line, no newline). */
void disc_hosts_write_json(const struct disc_hosts *hosts, struct strbuf *sb);
/* Prints the table of `codefleet hosts`: a header line, then one line per
 * host with name, label, group ("-" for none), priority, mode and roots. */
void disc_hosts_print_table(const struct disc_hosts *hosts, FILE *fp);

#endif

/* disc_sshcfg: OpenSSH client configuration files, loaded into a flat list
 * of directives (Include followed, every line checked as ssh checks it).
 * disc_resolve resolves a host over that list the way `ssh -G` does (first
 * obtained value wins, Host/Match, tokens); disc_opts holds the result.
 *
 * A loaded configuration is read-only after disc_sshcfg_load(), so several
 * threads may resolve hosts from it at once. */
#ifndef CODEFLEET_DISC_SSHCFG_H
#define CODEFLEET_DISC_SSHCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "discovery/disc_kw.h"
#include "discovery/disc_match.h"
#include "discovery/disc_opts.h" /* disc_opts_get(), _print(), _free() */
#include "discovery/disc_strv.h"

struct disc_sshcfg;

/* Reads `path` (the -F file), or ~/.ssh/config then /etc/ssh/ssh_config when
 * path is NULL (a missing default file counts as empty, as in ssh).
 * Returns ERR_OK, or ERR_CONFIG with err_text() "FILE:LINE: what is wrong". */
int disc_sshcfg_load(const char *path, struct disc_sshcfg **out);
void disc_sshcfg_free(struct disc_sshcfg *cfg);

/* Concrete Host aliases (no wildcard, not negated) in file order, includes
 * followed, duplicates dropped. *out is NULL-terminated and owned by cfg. */
size_t disc_sshcfg_aliases(const struct disc_sshcfg *cfg, const char *const **out);

/* The effective options for `host`, as `ssh -G host` prints them. `host` may
 * be "user@host" or "ssh://[user@]host[:port]" as on ssh's command line.
 * Match exec commands run here (10 s limit each).
 * Returns ERR_OK and a new *out (free with disc_opts_free), ERR_USAGE for a
 * host name ssh would refuse, or ERR_CONFIG. The work is disc_resolve's. */
int disc_sshcfg_resolve(const struct disc_sshcfg *cfg, const char *host, struct disc_opts **out);

/* ---- the loaded form --------------------------------------------------
 * Only disc_resolve reads these; every other caller treats struct
 * disc_sshcfg as opaque. */

#define DISC_SSHCFG_MAX_DEPTH 16 /* READCONF_MAX_DEPTH: nested Include levels */

enum disc_sshcfg_ent_kind {
	DISC_SSHCFG_ENT_TOP, /* a top-level file starts */
	DISC_SSHCFG_ENT_HOST,
	DISC_SSHCFG_ENT_MATCH,
	DISC_SSHCFG_ENT_OPT,
	DISC_SSHCFG_ENT_INC_BEGIN, /* an included file starts and ends: */
	DISC_SSHCFG_ENT_INC_END,   /* ssh restores the block state after it */
};

/* One directive, in the order ssh meets it. */
struct disc_sshcfg_ent {
	enum disc_sshcfg_ent_kind kind;
	const char *file; /* owned by cfg->files */
	int line;
	bool userconf;
	struct disc_strv pats;       /* DISC_SSHCFG_ENT_HOST */
	struct disc_match_cond cond; /* DISC_SSHCFG_ENT_MATCH */
	struct disc_kw_value val;    /* DISC_SSHCFG_ENT_OPT */
};

struct disc_sshcfg {
	struct disc_sshcfg_ent *ents;
	size_t nents;
	struct disc_strv files;   /* every file read, named by the entries */
	struct disc_strv aliases; /* concrete Host names, in file order */
	char *home, *user, *uid, *thishost, *shorthost;
};

#endif

/* disc_sshcfg: OpenSSH client configuration, read and resolved the way
 * `ssh -G` does it (first obtained value wins, Host/Match, Include, tokens).
 *
 * A loaded configuration is read-only after disc_sshcfg_load(), so several
 * threads may resolve hosts from it at once. */
#ifndef CODEFLEET_DISC_SSHCFG_H
#define CODEFLEET_DISC_SSHCFG_H

#include <stddef.h>
#include <stdio.h>

struct disc_sshcfg;
struct disc_opts;

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
 * host name ssh would refuse, or ERR_CONFIG. */
int disc_sshcfg_resolve(const struct disc_sshcfg *cfg, const char *host, struct disc_opts **out);

/* First value of a lower-case keyword ("hostname"), NULL when unset. */
const char *disc_opts_get(const struct disc_opts *opts, const char *key);
/* All values of a repeated keyword ("identityfile"); *vals owned by opts. */
size_t disc_opts_get_all(const struct disc_opts *opts, const char *key, const char *const **vals);
/* Prints every option in `ssh -G` format: "keyword value" per line. */
void disc_opts_print(const struct disc_opts *opts, FILE *fp);
void disc_opts_free(struct disc_opts *opts);

#endif

/* disc_resolve: the effective options for one host over a loaded
 * ssh_config, as OpenSSH 9.2's ssh.c/readconf.c settle them for `ssh -G`:
 * first obtained value wins, Host and Match (exec included) decide what
 * applies, a second pass with the final host name when Match final/canonical
 * or CanonicalizeHostname ask for it, then ssh's defaults, %-tokens and
 * ~ in paths, printed in dump_client_config() order.
 *
 * It only reads the loaded configuration, so threads may resolve at once. */
#ifndef CODEFLEET_DISC_RESOLVE_H
#define CODEFLEET_DISC_RESOLVE_H

struct disc_sshcfg;
struct disc_opts;

/* What disc_sshcfg_resolve() does (see disc_sshcfg.h). */
int disc_resolve_host(const struct disc_sshcfg *cfg, const char *host, struct disc_opts **out);

#endif

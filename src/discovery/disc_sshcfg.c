/* Placeholder until the parser lands: every load fails clearly. */
#include "discovery/disc_sshcfg.h"

#include "util/err.h"

int disc_sshcfg_load(const char *path, struct disc_sshcfg **out)
{
	*out = NULL;
	return err_set(ERR_CONFIG, "%s: ssh_config parsing is not built yet",
	               path ? path : "~/.ssh/config");
}

void disc_sshcfg_free(struct disc_sshcfg *cfg)
{
	(void)cfg;
}

size_t disc_sshcfg_aliases(const struct disc_sshcfg *cfg, const char *const **out)
{
	(void)cfg;
	*out = NULL;
	return 0;
}

int disc_sshcfg_resolve(const struct disc_sshcfg *cfg, const char *host, struct disc_opts **out)
{
	(void)cfg;
	*out = NULL;
	return err_set(ERR_CONFIG, "%s: ssh_config parsing is not built yet", host);
}

const char *disc_opts_get(const struct disc_opts *opts, const char *key)
{
	(void)opts;
	(void)key;
	return NULL;
}

size_t disc_opts_get_all(const struct disc_opts *opts, const char *key, const char *const **vals)
{
	(void)opts;
	(void)key;
	*vals = NULL;
	return 0;
}

void disc_opts_print(const struct disc_opts *opts, FILE *fp)
{
	(void)opts;
	(void)fp;
}

void disc_opts_free(struct disc_opts *opts)
{
	(void)opts;
}

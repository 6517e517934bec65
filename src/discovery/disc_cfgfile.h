/* disc_cfgfile: the configuration file on disk: where it lives by default
 * (XDG), reading it whole, and creating it on the first run (folders 0700,
 * written to a temporary file and linked into place, so a reader never sees
 * half a file and an existing file is never replaced). It knows nothing of
 * what the file says: that is disc_config. */
#ifndef CODEFLEET_DISC_CFGFILE_H
#define CODEFLEET_DISC_CFGFILE_H

#include <stddef.h>

/* $XDG_CONFIG_HOME/codefleet/config.yaml, or ~/.config/codefleet/config.yaml.
 * Returns a new string, or NULL when neither XDG_CONFIG_HOME nor a home
 * folder is known. */
char *disc_cfgfile_default_path(void);

/* $HOME when it is an absolute path, else NULL. */
const char *disc_cfgfile_home(void);

/* Reads a whole file into a new NUL-terminated *text. Returns ERR_OK, or
 * ERR_CONFIG "PATH: cannot read the config file: REASON". */
int disc_cfgfile_read(const char *path, char **text, size_t *len);

/* Creates `path` with `text` (and the folders above it, mode 0700), never
 * replacing a file that is already there (then it is kept and this is not an
 * error). Returns ERR_OK, or ERR_IO with the reason. */
int disc_cfgfile_create(const char *path, const char *text, size_t len);

#endif

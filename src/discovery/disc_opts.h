/* disc_opts: the options `ssh -G` prints for one host, in its order: an
 * ordered map from lower-case keyword to one or more values. disc_resolve
 * builds it; the probe and `codefleet resolve` read it. */
#ifndef CODEFLEET_DISC_OPTS_H
#define CODEFLEET_DISC_OPTS_H

#include <stddef.h>
#include <stdio.h>

struct disc_opts;

/* First value of a lower-case keyword ("hostname"), NULL when unset. */
const char *disc_opts_get(const struct disc_opts *opts, const char *key);
/* All values of a repeated keyword ("identityfile"); *vals owned by opts. */
size_t disc_opts_get_all(const struct disc_opts *opts, const char *key, const char *const **vals);
/* Prints every option in `ssh -G` format: "keyword value" per line. */
void disc_opts_print(const struct disc_opts *opts, FILE *fp);
void disc_opts_free(struct disc_opts *opts);

/* Building, in printing order. */
struct disc_opts *disc_opts_new(void);
/* Appends val (taking ownership) to key's values; a new key goes last. */
void disc_opts_put_owned(struct disc_opts *o, const char *key, char *val);
void disc_opts_put(struct disc_opts *o, const char *key, const char *val);
void disc_opts_put_int(struct disc_opts *o, const char *key, int val);
/* Prints key's values on one "key v1 v2" line, as ssh does for a few. */
void disc_opts_set_oneline(struct disc_opts *o, const char *key);

#endif

/* disc_tokens: the expansions ssh applies to option values: `~` (home from
 * the passwd database, as tilde_expand_filename), `%x` tokens
 * (percent_expand) and `${VAR}` environment references.
 *
 * Thread-safe: no static buffers; passwd look-ups use the _r functions. */
#ifndef CODEFLEET_DISC_TOKENS_H
#define CODEFLEET_DISC_TOKENS_H

#include <stdbool.h>

/* Values for the tokens ssh knows; NULL means "not offered here", so its
 * use is an error, exactly as ssh refuses an unknown token. */
struct disc_tokens {
	const char *C; /* connection hash: SHA1 of %l%h%p%r, hex */
	const char *L; /* local host name up to the first dot */
	const char *d; /* local home directory (passwd) */
	const char *h; /* remote host name */
	const char *i; /* local uid */
	const char *k; /* host key alias, else the original host */
	const char *l; /* local host name */
	const char *n; /* original host name as given */
	const char *p; /* remote port */
	const char *r; /* remote user */
	const char *u; /* local user name */
};

/* Expands %x tokens (and ${VAR} when `dollar`) in `in`; with t NULL the
 * %-tokens are left as they are (to check the ${VAR} part alone). Returns a new
 * string (caller frees), or NULL with *why set to a static description. */
char *disc_tokens_expand(const char *in, const struct disc_tokens *t, bool dollar,
                         const char **why);

/* ssh's tilde_expand_filename: "~/x" and "~" use the passwd home of the
 * current uid, "~user/x" that user's. Returns a new string (caller frees),
 * or NULL when the user is unknown. */
char *disc_tokens_tilde(const char *path);

/* The passwd entry of the current uid, copied: home, name, uid string.
 * Each out string is new (caller frees). Returns false when there is none. */
bool disc_tokens_self(char **home, char **name, char **uid);

/* %C: hex SHA1 of thishost, host, port and user concatenated (new string). */
char *disc_tokens_conn_hash(const char *thishost, const char *host, const char *port,
                            const char *user);

/* SHA1 of `len` bytes into `out` (20 bytes). Exposed for the unit test. */
void disc_tokens_sha1(const void *data, unsigned long len, unsigned char out[20]);

#endif

/* disc_strv: a list of strings that owns them, NULL-terminated so it can be
 * handed out as a `const char *const *` (v is NULL while n is 0). Used by
 * the configuration (globs, roots, keys), the host list and ssh_config
 * loading (patterns, aliases, file lists). */
#ifndef CODEFLEET_DISC_STRV_H
#define CODEFLEET_DISC_STRV_H

#include <stdbool.h>
#include <stddef.h>

/* A list of strings; v[n] is NULL (v itself is NULL when n is 0). */
struct disc_strv {
	char **v;
	size_t n;
};

/* Appends a copy of s. */
void disc_strv_push(struct disc_strv *sv, const char *s);
/* Makes the list exactly { s }. */
void disc_strv_set1(struct disc_strv *sv, const char *s);
/* Frees the strings and the array; the list is empty afterwards. */
void disc_strv_free(struct disc_strv *sv);
/* Makes dst a copy of src (dst's old contents are not freed). */
void disc_strv_dup(struct disc_strv *dst, const struct disc_strv *src);
/* True when s is in the list. */
bool disc_strv_has(const struct disc_strv *sv, const char *s);
/* True when a and b hold a common string; *k is then the first such one. */
bool disc_strv_shares(const struct disc_strv *a, const struct disc_strv *b, const char **k);

#endif

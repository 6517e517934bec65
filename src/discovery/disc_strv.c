/* disc_strv: an owning, NULL-terminated list of strings (see disc_strv.h). */
#include "discovery/disc_strv.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmem.h"

void disc_strv_push(struct disc_strv *sv, const char *s)
{
	sv->v = xrealloc(sv->v, sv->n + 2, sizeof(char *));
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void disc_strv_set1(struct disc_strv *sv, const char *s)
{
	disc_strv_free(sv);
	disc_strv_push(sv, s);
}

void disc_strv_free(struct disc_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

void disc_strv_dup(struct disc_strv *dst, const struct disc_strv *src)
{
	dst->n = src->n;
	dst->v = xcalloc(src->n + 1, sizeof(char *));
	for (size_t i = 0; i < src->n; i++)
		dst->v[i] = xstrdup(src->v[i]);
}

bool disc_strv_has(const struct disc_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

bool disc_strv_shares(const struct disc_strv *a, const struct disc_strv *b, const char **k)
{
	for (size_t i = 0; i < a->n; i++)
		if (disc_strv_has(b, a->v[i])) {
			*k = a->v[i];
			return true;
		}
	return false;
}

/* disc_opts: an ordered map of ssh options (see disc_opts.h). */
#include "discovery/disc_opts.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmem.h"

struct kv {
	char *key;
	char **vals; /* NULL-terminated */
	size_t n;
	bool oneline; /* printed as one "key v1 v2" line, as ssh does */
};

struct disc_opts {
	struct kv *kv;
	size_t n;
};

static struct kv *find_kv(const struct disc_opts *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->kv[i].key, key))
			return &o->kv[i];
	return NULL;
}

/* Takes ownership of val. Repeated keys gather their values in order. */
void disc_opts_put_owned(struct disc_opts *o, const char *key, char *val)
{
	struct kv *kv = find_kv(o, key);

	if (!kv) {
		o->kv = xrealloc(o->kv, o->n + 1, sizeof(*o->kv));
		kv = &o->kv[o->n++];
		memset(kv, 0, sizeof(*kv));
		kv->key = xstrdup(key);
	}
	kv->vals = xrealloc(kv->vals, kv->n + 2, sizeof(char *));
	kv->vals[kv->n++] = val;
	kv->vals[kv->n] = NULL;
}

void disc_opts_put(struct disc_opts *o, const char *key, const char *val)
{
	disc_opts_put_owned(o, key, xstrdup(val));
}

void disc_opts_put_int(struct disc_opts *o, const char *key, int val)
{
	disc_opts_put_owned(o, key, xasprintf("%d", val));
}

void disc_opts_set_oneline(struct disc_opts *o, const char *key)
{
	struct kv *kv = find_kv(o, key);

	if (kv)
		kv->oneline = true;
}

struct disc_opts *disc_opts_new(void)
{
	return xcalloc(1, sizeof(struct disc_opts));
}

const char *disc_opts_get(const struct disc_opts *opts, const char *key)
{
	struct kv *kv = opts ? find_kv(opts, key) : NULL;

	return kv ? kv->vals[0] : NULL;
}

size_t disc_opts_get_all(const struct disc_opts *opts, const char *key, const char *const **vals)
{
	struct kv *kv = opts ? find_kv(opts, key) : NULL;

	*vals = kv ? (const char *const *)kv->vals : NULL;
	return kv ? kv->n : 0;
}

void disc_opts_print(const struct disc_opts *opts, FILE *fp)
{
	for (size_t i = 0; opts && i < opts->n; i++) {
		const struct kv *kv = &opts->kv[i];

		for (size_t j = 0; j < kv->n; j++) {
			if (kv->oneline)
				fprintf(fp, "%s %s", j ? "" : kv->key, kv->vals[j]);
			else
				fprintf(fp, "%s %s\n", kv->key, kv->vals[j]);
		}
		if (kv->oneline)
			fputc('\n', fp);
	}
}

void disc_opts_free(struct disc_opts *opts)
{
	if (!opts)
		return;
	for (size_t i = 0; i < opts->n; i++) {
		for (size_t j = 0; j < opts->kv[i].n; j++)
			free(opts->kv[i].vals[j]);
		free(opts->kv[i].vals);
		free(opts->kv[i].key);
	}
	free(opts->kv);
	free(opts);
}

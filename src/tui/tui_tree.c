/* tui_tree: the dashboard's tree model — the object, its build with the
 * state carried over by tag, and lookup (see tui_tree.h, docs/tui-tree.md).
 * The items come from tui_treebuild, the display list and the cursor are
 * tui_treenav's. */
#include "tui/tui_tree.h"

#include <stdlib.h>
#include <string.h>

#include "discovery/disc_hosts.h"
#include "probe/probe_engine.h"
#include "tui/tui_tree_int.h"
#include "tui/tui_treebuild.h"
#include "tui/tui_treenav.h"
#include "util/xmem.h"

/* ---- tags ---- */

static uint64_t fnv(uint64_t h, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	for (; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	h ^= 0xff; /* separator: ("ab","c") != ("a","bc") */
	h *= 0x100000001b3ULL;
	return h;
}

uint64_t tui_tree_tag(enum tui_tree_kind kind, const char *a, const char *b)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h ^= (uint64_t)kind + 1;
	h *= 0x100000001b3ULL;
	h = fnv(h, a);
	return fnv(h, b);
}

static int cmp_tagidx(const void *a, const void *b)
{
	uint64_t x = ((const struct tui_tree_tagidx *)a)->tag;
	uint64_t y = ((const struct tui_tree_tagidx *)b)->tag;

	return x < y ? -1 : x > y;
}

size_t tui_tree_find(const struct tui_tree *t, uint64_t tag)
{
	struct tui_tree_tagidx key = {tag, 0};
	const struct tui_tree_tagidx *hit = NULL;

	if (!t || !t->n)
		return TUI_TREE_NONE;
	hit = bsearch(&key, t->tags, t->n, sizeof(*t->tags), cmp_tagidx);
	return hit ? hit->idx : TUI_TREE_NONE;
}

static void index_tags(struct tui_tree *t)
{
	free(t->tags);
	t->tags = t->n ? xcalloc(t->n, sizeof(*t->tags)) : NULL;
	for (size_t i = 0; i < t->n; i++) {
		t->tags[i].tag = t->items[i].tag;
		t->tags[i].idx = i;
	}
	if (t->n > 1)
		qsort(t->tags, t->n, sizeof(*t->tags), cmp_tagidx);
}

/* ---- the object ---- */

static void item_clear(struct tui_tree_item *it)
{
	free(it->group);
	free(it->host);
	free(it->label);
	free(it->project_id);
	free(it->path);
	free(it->session_id);
	free(it->parent_id);
	free(it->title);
	free(it->detail.agent);
	free(it->detail.model);
}

void tui_tree_free(struct tui_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		item_clear(&t->items[i]);
	free(t->items);
	free(t->tags);
	free(t->display);
	free(t);
}

size_t tui_tree_count(const struct tui_tree *t)
{
	return t ? t->n : 0;
}

const struct tui_tree_item *tui_tree_item(const struct tui_tree *t, size_t i)
{
	return t && i < t->n ? &t->items[i] : NULL;
}

/* ---- build: counts, carried state ---- */

static void sum_counts(struct tui_tree *t)
{
	for (size_t i = t->n; i-- > 0;) {
		struct tui_tree_item *it = &t->items[i];
		struct tui_tree_item *p = NULL;

		if (it->kind == TUI_TREE_SESSION && !it->tomb) {
			it->nsessions++;
			if (it->status == PROBE_SESSION_RUNNING)
				it->nrunning++;
		}
		if (it->parent == TUI_TREE_NONE)
			continue;
		p = &t->items[it->parent];
		p->nsessions += it->nsessions;
		p->nrunning += it->nrunning;
		if (it->last_activity > p->last_activity)
			p->last_activity = it->last_activity;
	}
}

static void carry_state(struct tui_tree *t, const struct tui_tree *old)
{
	for (size_t i = 0; i < t->n; i++) {
		struct tui_tree_item *it = &t->items[i];
		size_t o = tui_tree_find(old, it->tag);

		if (o != TUI_TREE_NONE) {
			it->expanded = old->items[o].expanded;
			it->tagged = old->items[o].tagged;
			continue;
		}
		it->expanded = it->kind == TUI_TREE_GROUP || it->kind == TUI_TREE_HOST ||
		               it->kind == TUI_TREE_PROJECT;
	}
}

struct tui_tree *tui_tree_build(struct tui_tree *old, const struct tui_tree_src *src,
                                int64_t now_ms)
{
	struct tui_tree *t = xcalloc(1, sizeof(*t));

	t->items =
	    tui_treebuild_items(src, old ? old->items : NULL, old ? old->n : 0, now_ms, &t->n);
	sum_counts(t);
	carry_state(t, old);
	index_tags(t);
	tui_treenav_carry(t, old);
	tui_tree_free(old);
	return t;
}

size_t tui_tree_src_fill(struct tui_tree_src_host *out, size_t cap, const struct disc_hosts *hosts,
                         const struct probe_engine *e)
{
	size_t n = 0;

	for (size_t i = 0; hosts && i < hosts->n && n < cap; i++) {
		const struct disc_host *dh = &hosts->v[i];
		const struct probe_engine_host *eh = probe_engine_find(e, dh->name);

		if (!eh)
			continue;
		out[n].name = dh->name;
		out[n].label = dh->label;
		out[n].group = dh->group;
		out[n].home = eh->result ? eh->result->home : NULL;
		out[n].state = eh->state;
		out[n].result = eh->result;
		n++;
	}
	return n;
}

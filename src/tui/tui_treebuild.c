/* tui_treebuild: the input and the previous tree's items → the new items
 * (see tui_treebuild.h, docs/tui-tree.md). */
#include "tui/tui_treebuild.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/tui_text.h"
#include "util/xmem.h"

/* One session to place: live (from a result) or a tombstone (old item). */
struct rec {
	size_t hidx;
	const char *id, *parent_id, *title, *pkey, *path;
	int64_t act;
	enum probe_session_status status;
	struct tui_tree_detail d; /* strings borrowed */
	bool tomb;
	int64_t until;
	size_t child, tail, next; /* emission links (rec indices) */
	bool done, is_root;
};

/* One project of a host. */
struct prec {
	size_t hidx;
	const char *pkey, *path;
	int64_t act;
	bool tomb;
	int64_t until;
	size_t lo, hi; /* its session recs after the final sort */
};

struct hrec {
	const char *name, *label, *group, *home;
	enum probe_host_state state;
	const struct probe_result *result;
	bool tomb;
	int64_t until;
	size_t after; /* a tombstone: shown after this live host (NONE: first) */
};

/* The items being emitted. */
struct items {
	struct tui_tree_item *v;
	size_t n, cap;
};

struct build {
	const struct tui_tree_src *src;
	const struct tui_tree_item *old; /* the previous tree's items */
	size_t nold;
	int64_t now, tomb_ms;
	struct items out;
	struct hrec *h;
	size_t nh, caph;
	struct rec *r;
	size_t nr, capr;
	struct prec *p;
	size_t np, capp;
	uint64_t *live; /* sorted tags of the live items */
	size_t nlive, caplive;
	size_t *byid;      /* scratch: recs of one project sorted by id */
	size_t nlivehosts; /* b->h[0, nlivehosts) are the input's */
};

static int sort_mode; /* qsort has no context argument: set per build */

/* qsort that takes an empty (NULL) array. */
static void sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool is_live(const struct build *b, uint64_t tag)
{
	return b->nlive && bsearch(&tag, b->live, b->nlive, sizeof(*b->live), cmp_u64);
}

static void add_live(struct build *b, uint64_t tag)
{
	if (b->nlive == b->caplive) {
		b->caplive = b->caplive ? 2 * b->caplive : 64;
		b->live = xrealloc(b->live, b->caplive, sizeof(*b->live));
	}
	b->live[b->nlive++] = tag;
}

/* ---- small helpers ---- */

static const char *nz(const char *s)
{
	return s ? s : "";
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? 2 * *cap : 64;
	return xrealloc(v, *cap, size);
}

static struct tui_tree_item *add_item(struct items *t, enum tui_tree_kind kind, size_t parent)
{
	struct tui_tree_item *it = NULL;

	t->v = grow(t->v, &t->cap, t->n, sizeof(*t->v));
	it = &t->v[t->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->parent = parent;
	it->depth = parent == TUI_TREE_NONE ? 0 : t->v[parent].depth + 1;
	it->row = TUI_TREE_NONE;
	return it;
}

/* ---- collecting the input ---- */

static bool session_shown(const struct tui_tree_src *src, const struct probe_session *s)
{
	if (src->show_archived)
		return true;
	return !(s->status == PROBE_SESSION_ARCHIVED ||
	         (s->archived && s->status != PROBE_SESSION_RUNNING));
}

static const char *session_pkey(const struct probe_session *s)
{
	if (s->project_id && *s->project_id)
		return s->project_id;
	if (s->project_worktree)
		return s->project_worktree;
	return nz(s->directory);
}

static const char *project_path(const struct probe_result *r, const struct probe_session *s)
{
	const struct probe_project *p =
	    s->project_id ? probe_result_find_project(r, s->project_id) : NULL;

	if (p && p->worktree)
		return p->worktree;
	if (s->project_worktree)
		return s->project_worktree;
	return nz(s->directory);
}

static struct rec *add_rec(struct build *b)
{
	struct rec *r = NULL;

	b->r = grow(b->r, &b->capr, b->nr, sizeof(*b->r));
	r = &b->r[b->nr++];
	memset(r, 0, sizeof(*r));
	r->child = r->tail = r->next = TUI_TREE_NONE;
	return r;
}

static struct prec *add_prec(struct build *b, size_t hidx, const char *pkey, const char *path)
{
	struct prec *p = NULL;

	b->p = grow(b->p, &b->capp, b->np, sizeof(*b->p));
	p = &b->p[b->np++];
	memset(p, 0, sizeof(*p));
	p->hidx = hidx;
	p->pkey = pkey;
	p->path = path;
	return p;
}

static struct hrec *add_hrec(struct build *b)
{
	b->h = grow(b->h, &b->caph, b->nh, sizeof(*b->h));
	memset(&b->h[b->nh], 0, sizeof(*b->h));
	return &b->h[b->nh++];
}

static void collect_host(struct build *b, size_t hidx)
{
	const struct probe_result *res = b->h[hidx].result;

	if (!res)
		return;
	for (size_t i = 0; i < res->nsessions; i++) {
		const struct probe_session *s = &res->sessions[i];
		struct rec *r = NULL;

		if (!s->id || !session_shown(b->src, s))
			continue;
		r = add_rec(b);
		r->hidx = hidx;
		r->id = s->id;
		r->parent_id = s->parent_id;
		r->title = s->title;
		r->pkey = session_pkey(s);
		r->path = project_path(res, s);
		r->act = max64(s->updated, s->last_message);
		r->status = s->status;
		r->d = (struct tui_tree_detail){s->agent, s->model, s->messages, s->todos_done,
		                                s->todos_total};
	}
}

/* Session order inside a project, by the sort mode. */
static int cmp_key(const struct rec *x, const struct rec *y)
{
	int c = 0;

	if (sort_mode == TUI_TREE_SORT_NAME) /* as people read titles: any case */
		c = strcasecmp(nz(x->title), nz(y->title));
	else if (x->act != y->act)
		c = x->act > y->act ? -1 : 1;
	return c ? c : strcmp(x->id, y->id);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int c = 0;

	if (x->hidx != y->hidx)
		return x->hidx < y->hidx ? -1 : 1;
	c = strcmp(x->pkey, y->pkey);
	return c ? c : cmp_key(x, y);
}

static bool has_prec(const struct build *b, size_t hidx, const char *pkey)
{
	for (size_t i = b->np; i-- > 0 && b->p[i].hidx == hidx;)
		if (!strcmp(b->p[i].pkey, pkey))
			return true;
	return false;
}

/* Projects from the sorted session recs (one per run), plus empty ones. */
static void collect_projects(struct build *b)
{
	size_t i = 0;

	sort(b->r, b->nr, sizeof(*b->r), cmp_rec);
	for (size_t h = 0; h < b->nh; h++) {
		const struct probe_result *res = b->h[h].result;

		add_live(b, tui_tree_tag(TUI_TREE_HOST, b->h[h].name, NULL));
		for (; i < b->nr && b->r[i].hidx == h; i++) {
			add_live(b, tui_tree_tag(TUI_TREE_SESSION, b->h[h].name, b->r[i].id));
			if (i && b->r[i - 1].hidx == h && !strcmp(b->r[i - 1].pkey, b->r[i].pkey))
				continue;
			add_prec(b, h, b->r[i].pkey, b->r[i].path);
			add_live(b, tui_tree_tag(TUI_TREE_PROJECT, b->h[h].name, b->r[i].pkey));
		}
		for (size_t k = 0; res && b->src->show_empty_projects && k < res->nprojects; k++) {
			const struct probe_project *pp = &res->projects[k];

			if (!pp->id || has_prec(b, h, pp->id))
				continue;
			add_prec(b, h, pp->id, nz(pp->worktree));
			add_live(b, tui_tree_tag(TUI_TREE_PROJECT, b->h[h].name, pp->id));
		}
	}
	sort(b->live, b->nlive, sizeof(*b->live), cmp_u64);
}

/* ---- tombstones: old items missing from the input ---- */

static size_t find_hidx(const struct build *b, const char *name)
{
	for (size_t i = 0; i < b->nh; i++)
		if (!strcmp(b->h[i].name, name))
			return i;
	return TUI_TREE_NONE;
}

/* The live host a vanished host (old item i) followed. */
static size_t host_before(const struct build *b, size_t i)
{
	while (i-- > 0) {
		const struct tui_tree_item *it = &b->old[i];

		if (it->kind == TUI_TREE_HOST && !it->tomb && is_live(b, it->tag))
			return find_hidx(b, it->host);
	}
	return TUI_TREE_NONE;
}

static void ghost_one(struct build *b, const struct tui_tree_item *it, int64_t until)
{
	size_t hidx = find_hidx(b, it->host);
	struct rec *r = NULL;
	struct prec *p = NULL;

	if (it->kind == TUI_TREE_HOST) {
		struct hrec *h = add_hrec(b);

		h->name = it->host;
		h->label = it->label;
		h->group = it->group;
		h->state = it->host_state;
		h->tomb = true;
		h->until = until;
		h->after = host_before(b, (size_t)(it - b->old));
		return;
	}
	if (hidx == TUI_TREE_NONE)
		return;
	if (it->kind == TUI_TREE_PROJECT) {
		p = add_prec(b, hidx, it->project_id, it->path);
		p->act = it->last_activity;
		p->tomb = true;
		p->until = until;
		return;
	}
	r = add_rec(b);
	r->hidx = hidx;
	r->id = it->session_id;
	r->parent_id = it->parent_id;
	r->title = it->title;
	r->pkey = it->project_id;
	r->path = it->path;
	r->act = it->last_activity;
	r->status = it->status;
	r->d = it->detail;
	r->tomb = true;
	r->until = until;
}

static void collect_ghosts(struct build *b)
{
	for (size_t i = 0; i < b->nold; i++) {
		const struct tui_tree_item *it = &b->old[i];
		size_t par = tui_treebuild_real_parent(b->old, i);
		int64_t until = it->tomb ? it->tomb_until : b->now + b->tomb_ms;

		if (it->kind == TUI_TREE_GROUP || it->kind == TUI_TREE_MORE)
			continue;
		if (is_live(b, it->tag) || until <= b->now)
			continue;
		if (it->kind != TUI_TREE_HOST &&
		    (par == TUI_TREE_NONE || !is_live(b, b->old[par].tag)))
			continue;
		ghost_one(b, it, until);
	}
}

/* ---- emitting the items ---- */

static int cmp_prec(const void *a, const void *b)
{
	const struct prec *x = a, *y = b;
	int c = 0;

	if (x->hidx != y->hidx)
		return x->hidx < y->hidx ? -1 : 1;
	if (sort_mode != TUI_TREE_SORT_NAME && x->act != y->act)
		return x->act > y->act ? -1 : 1;
	c = strcmp(nz(x->path), nz(y->path));
	return c ? c : strcmp(x->pkey, y->pkey);
}

/* Sorts the recs again (ghosts added), gives each project its range. */
static void place_recs(struct build *b)
{
	sort(b->r, b->nr, sizeof(*b->r), cmp_rec);
	/* ranges by binary search on (hidx, pkey) */
	for (size_t k = 0; k < b->np; k++) {
		struct prec *p = &b->p[k];
		size_t lo = 0, hi = b->nr;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const struct rec *r = &b->r[mid];
			int c = r->hidx != p->hidx ? (r->hidx < p->hidx ? -1 : 1)
			                           : strcmp(r->pkey, p->pkey);

			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		p->lo = p->hi = lo;
		while (p->hi < b->nr && b->r[p->hi].hidx == p->hidx &&
		       !strcmp(b->r[p->hi].pkey, p->pkey))
			p->hi++;
		for (size_t j = p->lo; j < p->hi; j++)
			p->act = max64(p->act, b->r[j].act);
	}
	sort(b->p, b->np, sizeof(*b->p), cmp_prec);
}

static struct rec *byid_rec_base; /* bsearch/qsort context */

static int cmp_byid(const void *a, const void *b)
{
	return strcmp(byid_rec_base[*(const size_t *)a].id, byid_rec_base[*(const size_t *)b].id);
}

static int cmp_byid_key(const void *key, const void *b)
{
	return strcmp(key, byid_rec_base[*(const size_t *)b].id);
}

static size_t find_rec(const struct build *b, size_t n, const char *id)
{
	size_t *hit = NULL;

	if (!id)
		return TUI_TREE_NONE;
	hit = bsearch(id, b->byid, n, sizeof(*b->byid), cmp_byid_key);
	return hit ? *hit : TUI_TREE_NONE;
}

static void emit_session(struct build *b, size_t ri, size_t parent)
{
	struct rec *r = &b->r[ri];
	const struct hrec *h = &b->h[r->hidx];
	struct tui_tree_item *it = add_item(&b->out, TUI_TREE_SESSION, parent);
	size_t me = b->out.n - 1;

	r->done = true;
	if (parent != TUI_TREE_NONE && b->out.v[parent].kind == TUI_TREE_MORE)
		it->depth--;
	it->host = xstrdup(h->name);
	it->project_id = xstrdup(r->pkey);
	it->path = tui_text_tilde(r->path, h->home);
	it->session_id = xstrdup(r->id);
	it->parent_id = xstrdup(r->parent_id);
	it->title = xstrdup(r->title);
	it->status = r->status;
	it->detail = r->d;
	it->detail.agent = xstrdup(r->d.agent);
	it->detail.model = xstrdup(r->d.model);
	it->last_activity = r->act;
	it->tomb = r->tomb;
	it->tomb_until = r->until;
	it->tag = tui_tree_tag(TUI_TREE_SESSION, h->name, r->id);
	for (size_t c = r->child; c != TUI_TREE_NONE; c = b->r[c].next)
		if (!b->r[c].done)
			emit_session(b, c, me);
	b->out.v[me].end = b->out.n;
}

/* Roots past max_display go under one "+N more" item. */
static void emit_root(struct build *b, size_t ri, size_t proj, size_t *more, size_t *nroots)
{
	int max = b->src->max_display;

	if (max > 0 && *nroots == (size_t)max && *more == TUI_TREE_NONE) {
		struct tui_tree_item *m = add_item(&b->out, TUI_TREE_MORE, proj);

		m->host = xstrdup(b->out.v[proj].host);
		m->project_id = xstrdup(b->out.v[proj].project_id);
		m->tag = tui_tree_tag(TUI_TREE_MORE, m->host, m->project_id);
		*more = b->out.n - 1;
	}
	emit_session(b, ri, *more != TUI_TREE_NONE ? *more : proj);
	if (*more != TUI_TREE_NONE)
		b->out.v[*more].nmore++;
	(*nroots)++;
}

static void emit_sessions(struct build *b, const struct prec *p, size_t proj)
{
	size_t more = TUI_TREE_NONE, nroots = 0;
	size_t n = p->hi - p->lo;

	if (!n)
		return;
	b->byid = xrealloc(b->byid, n, sizeof(*b->byid));
	for (size_t i = 0; i < n; i++)
		b->byid[i] = p->lo + i;
	byid_rec_base = b->r;
	sort(b->byid, n, sizeof(*b->byid), cmp_byid);
	/* link children in sort order; a missing parent makes a root */
	for (size_t i = p->lo; i < p->hi; i++) {
		size_t par = find_rec(b, n, b->r[i].parent_id);
		struct rec *pr = par != TUI_TREE_NONE && par != i ? &b->r[par] : NULL;

		b->r[i].is_root = !pr;
		if (!pr)
			continue;
		if (pr->tail == TUI_TREE_NONE)
			pr->child = i;
		else
			b->r[pr->tail].next = i;
		pr->tail = i;
	}
	for (size_t i = p->lo; i < p->hi; i++)
		if (b->r[i].is_root)
			emit_root(b, i, proj, &more, &nroots);
	/* what is left sits in a parent_id cycle: shown as roots */
	for (size_t i = p->lo; i < p->hi; i++)
		if (!b->r[i].done)
			emit_root(b, i, proj, &more, &nroots);
	if (more != TUI_TREE_NONE)
		b->out.v[more].end = b->out.n;
}

static void emit_project(struct build *b, const struct prec *p, size_t host)
{
	const struct hrec *h = &b->h[p->hidx];
	struct tui_tree_item *it = add_item(&b->out, TUI_TREE_PROJECT, host);
	size_t me = b->out.n - 1;

	it->host = xstrdup(h->name);
	it->project_id = xstrdup(p->pkey);
	it->path = tui_text_tilde(p->path, h->home);
	it->last_activity = p->act;
	it->tomb = p->tomb;
	it->tomb_until = p->until;
	it->tag = tui_tree_tag(TUI_TREE_PROJECT, h->name, p->pkey);
	emit_sessions(b, p, me);
	b->out.v[me].end = b->out.n;
}

static size_t first_prec(const struct build *b, size_t hidx)
{
	size_t lo = 0, hi = b->np;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->p[mid].hidx < hidx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void emit_host(struct build *b, size_t hidx, size_t parent)
{
	const struct hrec *h = &b->h[hidx];
	struct tui_tree_item *it = add_item(&b->out, TUI_TREE_HOST, parent);
	size_t me = b->out.n - 1;

	it->host = xstrdup(h->name);
	it->label = xstrdup(h->label ? h->label : h->name);
	it->group = xstrdup(h->group);
	it->host_state = h->state;
	it->tomb = h->tomb;
	it->tomb_until = h->until;
	it->tag = tui_tree_tag(TUI_TREE_HOST, h->name, NULL);
	for (size_t k = first_prec(b, hidx); k < b->np && b->p[k].hidx == hidx; k++)
		emit_project(b, &b->p[k], me);
	b->out.v[me].end = b->out.n;
}

/* Host order: input order (groups, priority, name); sort_by host: label. */
static const struct hrec *order_base; /* qsort context */

static int cmp_host_label(const void *a, const void *b)
{
	const struct hrec *x = &order_base[*(const size_t *)a];
	const struct hrec *y = &order_base[*(const size_t *)b];
	int c = strcmp(x->label ? x->label : x->name, y->label ? y->label : y->name);

	return c ? c : strcmp(x->name, y->name);
}

static bool same_group(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Live hosts in input order, each tombstone after the host it followed. */
static void order_after(const struct build *b, size_t after, size_t *order, size_t *n)
{
	for (size_t g = b->nlivehosts; g < b->nh; g++)
		if (b->h[g].after == after)
			order[(*n)++] = g;
}

static size_t *host_order(const struct build *b)
{
	size_t *order = xcalloc(b->nh, sizeof(*order));
	size_t n = 0;

	order_after(b, TUI_TREE_NONE, order, &n);
	for (size_t i = 0; i < b->nlivehosts; i++) {
		order[n++] = i;
		order_after(b, i, order, &n);
	}
	return order;
}

/* Groups in order of first appearance, ungrouped hosts last. */
static void emit_hosts(struct build *b)
{
	bool *done = NULL;
	size_t *order = NULL;

	if (!b->nh)
		return;
	done = xcalloc(b->nh, sizeof(*done));
	order = host_order(b);
	order_base = b->h;
	if (b->src->sort_by == TUI_TREE_SORT_HOST)
		sort(order, b->nh, sizeof(*order), cmp_host_label);
	for (size_t oi = 0; oi < b->nh; oi++) {
		size_t i = order[oi];
		size_t grp = TUI_TREE_NONE;

		if (done[i] || !b->h[i].group)
			continue;
		add_item(&b->out, TUI_TREE_GROUP, TUI_TREE_NONE);
		grp = b->out.n - 1;
		b->out.v[grp].group = xstrdup(b->h[i].group);
		b->out.v[grp].tag = tui_tree_tag(TUI_TREE_GROUP, b->h[i].group, NULL);
		for (size_t oj = oi; oj < b->nh; oj++) {
			size_t j = order[oj];

			if (done[j] || !same_group(b->h[i].group, b->h[j].group))
				continue;
			done[j] = true;
			emit_host(b, j, grp);
		}
		b->out.v[grp].end = b->out.n;
	}
	for (size_t oi = 0; oi < b->nh; oi++) {
		if (done[order[oi]])
			continue;
		emit_host(b, order[oi], TUI_TREE_NONE);
	}
	free(done);
	free(order);
}

static void collect_input(struct build *b)
{
	for (size_t i = 0; i < b->src->nhosts; i++) {
		const struct tui_tree_src_host *sh = &b->src->hosts[i];
		struct hrec *h = NULL;

		if (!sh->name)
			continue;
		h = add_hrec(b);
		h->name = sh->name;
		h->label = sh->label;
		h->group = sh->group;
		h->home = sh->home;
		h->state = sh->state;
		h->result = sh->result;
	}
	b->nlivehosts = b->nh;
	for (size_t i = 0; i < b->nh; i++)
		collect_host(b, i);
	collect_projects(b);
}

struct tui_tree_item *tui_treebuild_items(const struct tui_tree_src *src,
                                          const struct tui_tree_item *old, size_t nold,
                                          int64_t now_ms, size_t *n)
{
	struct build b = {0};

	b.src = src;
	b.old = old;
	b.nold = nold;
	b.now = now_ms;
	b.tomb_ms = src->tomb_ms > 0 ? src->tomb_ms : TUI_TREE_TOMB_MS;
	sort_mode = src->sort_by;
	collect_input(&b);
	collect_ghosts(&b);
	place_recs(&b);
	emit_hosts(&b);
	free(b.h);
	free(b.r);
	free(b.p);
	free(b.live);
	free(b.byid);
	*n = b.out.n;
	return b.out.v;
}

/* Shared by the tree tests (test_tui_tree.c: the object, tags and
 * carry-over; test_tui_treebuild.c: the items; test_tui_treenav.c: the
 * display list, cursor and filter): a fleet built in memory, and the tree
 * read back as one string. Include after cmocka.h. */
#ifndef CODEFLEET_TEST_TREE_TESTLIB_H
#define CODEFLEET_TEST_TREE_TESTLIB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_model.h"
#include "tui/tui_tree.h"
#include "util/xmem.h"

/* ---- building inputs in memory ---- */

#define MAXH 256

struct fleet {
	struct tui_tree_src_host h[MAXH];
	struct probe_result *r[MAXH];
	size_t n;
	struct tui_tree_src src;
};

static __attribute__((unused)) void fleet_init(struct fleet *f)
{
	memset(f, 0, sizeof(*f));
	f->src.hosts = f->h;
	f->src.max_display = 0;
	f->src.tomb_ms = 5000;
}

static __attribute__((unused)) void fleet_free(struct fleet *f)
{
	for (size_t i = 0; i < f->n; i++)
		probe_result_free(f->r[i]);
	f->n = 0;
}

static __attribute__((unused)) struct probe_result *add_host(struct fleet *f, const char *name,
                                                             const char *group)
{
	size_t i = f->n++;

	f->r[i] = probe_result_new();
	f->r[i]->state = PROBE_HOST_OK;
	f->h[i].name = name;
	f->h[i].label = NULL;
	f->h[i].group = group;
	f->h[i].home = "/home/u";
	f->h[i].state = PROBE_HOST_OK;
	f->h[i].result = f->r[i];
	f->src.nhosts = f->n;
	return f->r[i];
}

/* Removes host i (keeps the order of the rest). */
static __attribute__((unused)) void drop_host(struct fleet *f, size_t i)
{
	probe_result_free(f->r[i]);
	memmove(&f->h[i], &f->h[i + 1], (f->n - i - 1) * sizeof(f->h[0]));
	memmove(&f->r[i], &f->r[i + 1], (f->n - i - 1) * sizeof(f->r[0]));
	f->n--;
	f->src.nhosts = f->n;
}

static __attribute__((unused)) struct probe_session *add_sess(struct probe_result *r,
                                                              const char *id, const char *title,
                                                              const char *proj, const char *parent,
                                                              int64_t updated)
{
	struct probe_session *s = probe_result_add_session(r);

	s->id = xstrdup(id);
	s->title = xstrdup(title);
	s->project_id = xstrdup(proj);
	s->project_worktree = xasprintf("/home/u/%s", proj);
	s->directory = xstrdup(s->project_worktree);
	s->parent_id = xstrdup(parent);
	s->updated = updated;
	s->status = PROBE_SESSION_IDLE;
	return s;
}

/* Removes the session with that id from r. */
static __attribute__((unused)) void drop_sess(struct probe_result *r, const char *id)
{
	for (size_t i = 0; i < r->nsessions; i++) {
		if (strcmp(r->sessions[i].id, id))
			continue;
		probe_session_clear(&r->sessions[i]);
		memmove(&r->sessions[i], &r->sessions[i + 1],
		        (r->nsessions - i - 1) * sizeof(r->sessions[0]));
		r->nsessions--;
		return;
	}
	fail_msg("no session %s", id);
}

/* ---- reading the tree ---- */

static __attribute__((unused)) size_t nrows(const struct tui_tree *t)
{
	size_t n = 0;

	tui_tree_display(t, &n);
	return n;
}

static __attribute__((unused)) const struct tui_tree_item *row(const struct tui_tree *t, size_t r)
{
	size_t n = 0;
	const size_t *d = tui_tree_display(t, &n);

	assert_true(r < n);
	return tui_tree_item(t, d[r]);
}

/* The display as one string: "H:a P:~/p S:id M:3 ..." ("x" marks a tomb). */
static __attribute__((unused)) char *dump(const struct tui_tree *t)
{
	char *out = xstrdup("");

	for (size_t r = 0; r < nrows(t); r++) {
		const struct tui_tree_item *it = row(t, r);
		char *s = NULL, *tmp = NULL;

		switch (it->kind) {
		case TUI_TREE_GROUP:
			s = xasprintf("G:%s", it->group);
			break;
		case TUI_TREE_HOST:
			s = xasprintf("H:%s", it->host);
			break;
		case TUI_TREE_PROJECT:
			s = xasprintf("P:%s", it->path);
			break;
		case TUI_TREE_SESSION:
			s = xasprintf("S:%s", it->session_id);
			break;
		case TUI_TREE_MORE:
			s = xasprintf("M:%zu", it->nmore);
			break;
		}
		tmp = xasprintf("%s%s%s%s", out, *out ? " " : "", s, it->tomb ? "x" : "");
		free(out);
		free(s);
		out = tmp;
	}
	return out;
}

#define assert_dump(t, want)                                             \
	do {                                                             \
		char *got_ = dump(t);                                    \
		if (strcmp(got_, want))                                  \
			print_error("got:  %s\nwant: %s\n", got_, want); \
		assert_string_equal(got_, want);                         \
		free(got_);                                              \
	} while (0)

static __attribute__((unused)) const struct tui_tree_item *sel(const struct tui_tree *t)
{
	const struct tui_tree_item *it = tui_tree_selected(t);

	assert_non_null(it);
	return it;
}

static __attribute__((unused)) void select_session(struct tui_tree *t, const char *host,
                                                   const char *id)
{
	tui_tree_select_tag(t, tui_tree_tag(TUI_TREE_SESSION, host, id));
	assert_string_equal(sel(t)->session_id, id);
}

/* ---- a filter ---- */

/* A substring filter over title, host and session id. */
static __attribute__((unused)) int match_sub(const struct tui_tree_item *it, void *arg)
{
	const char *needle = arg;

	if (it->kind == TUI_TREE_SESSION)
		return it->title && strstr(it->title, needle) ? 1 : 0;
	if (it->kind == TUI_TREE_HOST)
		return strstr(it->host, needle) ? 1 : 0;
	return 0;
}

#endif

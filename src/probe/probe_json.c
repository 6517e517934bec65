#include "probe/probe_json.h"

#include <stdlib.h>
#include <string.h>

#include "probe/probe_model.h"
#include "util/jsonw.h"
#include "util/xmem.h"

#define TREE_MAX_DEPTH 8

/* ---- order ---- */

static int cmp_project(const void *a, const void *b)
{
	const struct probe_project *pa = *(const struct probe_project *const *)a;
	const struct probe_project *pb = *(const struct probe_project *const *)b;
	int c = strcmp(pa->worktree ? pa->worktree : "", pb->worktree ? pb->worktree : "");

	return c ? c : strcmp(pa->id, pb->id);
}

static int cmp_session(const void *a, const void *b)
{
	const struct probe_session *sa = *(const struct probe_session *const *)a;
	const struct probe_session *sb = *(const struct probe_session *const *)b;

	if (sa->updated != sb->updated)
		return sa->updated > sb->updated ? -1 : 1;
	return strcmp(sa->id, sb->id);
}

/* The projects of r sorted by path; *n of them. Caller frees the array. */
static const struct probe_project **sorted_projects(const struct probe_result *r, size_t *n)
{
	const struct probe_project **v = xcalloc(r->nprojects ? r->nprojects : 1, sizeof(*v));

	for (size_t i = 0; i < r->nprojects; i++)
		v[i] = &r->projects[i];
	qsort(v, r->nprojects, sizeof(*v), cmp_project);
	*n = r->nprojects;
	return v;
}

/* The sessions of project p (all when p is NULL), newest first. */
static const struct probe_session **sorted_sessions(const struct probe_result *r,
                                                    const struct probe_project *p, size_t *n)
{
	const struct probe_session **v = xcalloc(r->nsessions ? r->nsessions : 1, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < r->nsessions; i++)
		if (!p || (r->sessions[i].project_id && !strcmp(r->sessions[i].project_id, p->id)))
			v[k++] = &r->sessions[i];
	qsort(v, k, sizeof(*v), cmp_session);
	*n = k;
	return v;
}

/* A project's shown name: its own, else the last part of its path. */
static const char *project_name(const struct probe_project *p)
{
	const char *slash = NULL;

	if (p->name && *p->name)
		return p->name;
	if (!p->worktree || !strcmp(p->worktree, "/") || !*p->worktree)
		return p->id;
	slash = strrchr(p->worktree, '/');
	return slash && slash[1] ? slash + 1 : p->worktree;
}

/* ---- JSON ---- */

static void json_time(struct jsonw *w, const char *key, int64_t ms)
{
	jsonw_key(w, key);
	if (ms > 0)
		jsonw_int(w, ms);
	else
		jsonw_null(w);
}

static void json_count(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	if (v >= 0)
		jsonw_int(w, v);
	else
		jsonw_null(w);
}

static void json_str(struct jsonw *w, const char *key, const char *v)
{
	jsonw_key(w, key);
	jsonw_string(w, v);
}

static void json_session(struct jsonw *w, const struct probe_session *s)
{
	jsonw_object_begin(w);
	json_str(w, "id", s->id);
	json_str(w, "title", s->title);
	json_str(w, "directory", s->directory);
	json_str(w, "parent_id", s->parent_id);
	json_str(w, "status", probe_session_status_name(s->status));
	json_time(w, "created", s->created);
	json_time(w, "updated", s->updated);
	json_time(w, "archived", s->archived);
	json_str(w, "agent", s->agent);
	json_str(w, "model", s->model);
	json_count(w, "messages", s->messages);
	jsonw_key(w, "cost");
	jsonw_double(w, s->cost);
	json_count(w, "todos_done", s->todos_done);
	json_count(w, "todos_total", s->todos_total);
	jsonw_object_end(w);
}

static void json_project(struct jsonw *w, const struct probe_result *r,
                         const struct probe_project *p)
{
	size_t n = 0;
	const struct probe_session **v = sorted_sessions(r, p, &n);

	jsonw_object_begin(w);
	json_str(w, "path", p->worktree);
	json_str(w, "name", project_name(p));
	jsonw_key(w, "sessions");
	jsonw_array_begin(w);
	for (size_t i = 0; i < n; i++)
		json_session(w, v[i]);
	jsonw_array_end(w);
	jsonw_object_end(w);
	free(v);
}

static void json_projects(struct jsonw *w, const struct probe_result *r)
{
	size_t n = 0;
	const struct probe_project **v = NULL;

	jsonw_key(w, "projects");
	jsonw_array_begin(w);
	if (r) {
		v = sorted_projects(r, &n);
		for (size_t i = 0; i < n; i++)
			json_project(w, r, v[i]);
		free(v);
	}
	jsonw_array_end(w);
}

static void json_host(struct jsonw *w, const struct probe_engine_host *h, bool watch)
{
	const struct probe_result *r = h->result;

	jsonw_object_begin(w);
	json_str(w, "name", h->name);
	json_str(w, "state", probe_host_state_name(h->state));
	json_str(w, "reason", h->state == PROBE_HOST_OK ? NULL : h->reason);
	json_str(w, "method",
	         r && r->method != PROBE_METHOD_NONE ? probe_method_name(r->method) : NULL);
	json_str(w, "opencode_version", r ? r->opencode_version : NULL);
	json_str(w, "home", r ? r->home : NULL);
	json_time(w, "probed_at", h->probed_at);
	json_count(w, "latency_ms", h->latency_ms);
	if (watch) {
		jsonw_key(w, "changed");
		if (h->changed < 0)
			jsonw_null(w);
		else
			jsonw_bool(w, h->changed > 0);
	}
	json_projects(w, r);
	jsonw_object_end(w);
}

void probe_json_write(struct strbuf *sb, const struct probe_engine_host *const *hosts, size_t n,
                      const struct probe_json_round *round)
{
	struct jsonw w;

	jsonw_init(&w, sb);
	jsonw_object_begin(&w);
	if (round) {
		jsonw_key(&w, "round");
		jsonw_int(&w, round->round);
		jsonw_key(&w, "elapsed_ms");
		jsonw_int(&w, round->elapsed_ms);
	}
	jsonw_key(&w, "hosts");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < n; i++)
		json_host(&w, hosts[i], round != NULL);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
}

static const struct probe_engine_host **engine_hosts(const struct probe_engine *e, size_t *n)
{
	const struct probe_engine_host **v = NULL;

	*n = probe_engine_count(e);
	v = xcalloc(*n ? *n : 1, sizeof(*v));
	for (size_t i = 0; i < *n; i++)
		v[i] = probe_engine_host(e, i);
	return v;
}

void probe_json_write_engine(struct strbuf *sb, const struct probe_engine *e,
                             const struct probe_json_round *round)
{
	size_t n = 0;
	const struct probe_engine_host **v = engine_hosts(e, &n);

	probe_json_write(sb, v, n, round);
	free(v);
}

/* ---- the table ---- */

static void count_statuses(const struct probe_result *r, size_t counts[PROBE_SESSION_STATUS_COUNT])
{
	memset(counts, 0, sizeof(size_t) * PROBE_SESSION_STATUS_COUNT);
	for (size_t i = 0; r && i < r->nsessions; i++)
		if ((int)r->sessions[i].status >= 0 &&
		    r->sessions[i].status < PROBE_SESSION_STATUS_COUNT)
			counts[r->sessions[i].status]++;
}

static void print_host_line(FILE *fp, const struct probe_engine_host *h)
{
	static const enum probe_session_status order[] = {
	    PROBE_SESSION_RUNNING, PROBE_SESSION_ERRORED,  PROBE_SESSION_ACTIVE,
	    PROBE_SESSION_IDLE,    PROBE_SESSION_ARCHIVED,
	};
	size_t counts[PROBE_SESSION_STATUS_COUNT];
	const char *sep = "";

	count_statuses(h->result, counts);
	fprintf(fp, "%-20s %-16s %4zu sessions", h->name, probe_host_state_name(h->state),
	        h->result ? h->result->nsessions : (size_t)0);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!counts[order[i]])
			continue;
		fprintf(fp, "%s%zu %s", *sep ? sep : " (", counts[order[i]],
		        probe_session_status_name(order[i]));
		sep = ", ";
	}
	fputs(*sep ? ")" : "", fp);
	if (h->state != PROBE_HOST_OK && h->reason)
		fprintf(fp, "  %s", h->reason);
	fputc('\n', fp);
}

static bool has_parent_in(const struct probe_session *s, const struct probe_session **v, size_t n)
{
	for (size_t i = 0; s->parent_id && i < n; i++)
		if (v[i] != s && !strcmp(v[i]->id, s->parent_id))
			return true;
	return false;
}

static void print_session_tree(FILE *fp, const struct probe_session **v, size_t n,
                               const struct probe_session *s, int depth)
{
	fprintf(fp, "%*s%-8s  %s  %s\n", 4 + 2 * depth, "", probe_session_status_name(s->status),
	        s->id, s->title && *s->title ? s->title : "(untitled)");
	if (depth >= TREE_MAX_DEPTH)
		return;
	for (size_t i = 0; i < n; i++)
		if (v[i]->parent_id && !strcmp(v[i]->parent_id, s->id) && v[i] != s)
			print_session_tree(fp, v, n, v[i], depth + 1);
}

static void print_project(FILE *fp, const struct probe_result *r, const struct probe_project *p)
{
	size_t n = 0;
	const struct probe_session **v = sorted_sessions(r, p, &n);

	if (n) {
		fprintf(fp, "  %s  (%zu)\n", p->worktree, n);
		for (size_t i = 0; i < n; i++)
			if (!has_parent_in(v[i], v, n))
				print_session_tree(fp, v, n, v[i], 0);
	}
	free(v);
}

void probe_json_print_table(FILE *fp, const struct probe_engine_host *const *hosts, size_t n)
{
	if (n == 0)
		fputs("(no hosts)\n", fp);
	for (size_t i = 0; i < n; i++) {
		const struct probe_result *r = hosts[i]->result;
		const struct probe_project **pv = NULL;
		size_t np = 0;

		print_host_line(fp, hosts[i]);
		if (!r)
			continue;
		pv = sorted_projects(r, &np);
		for (size_t k = 0; k < np; k++)
			print_project(fp, r, pv[k]);
		free(pv);
	}
}

void probe_json_print_engine(FILE *fp, const struct probe_engine *e)
{
	size_t n = 0;
	const struct probe_engine_host **v = engine_hosts(e, &n);

	probe_json_print_table(fp, v, n);
	free(v);
}

#include "probe/probe_model.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmem.h"

static const char *const host_state_names[] = {
#define PROBE_HOST_NAME(name, text) text,
    PROBE_HOST_STATES(PROBE_HOST_NAME)
#undef PROBE_HOST_NAME
};

static const char *const session_status_names[] = {
#define PROBE_SESSION_NAME(name, text) text,
    PROBE_SESSION_STATUSES(PROBE_SESSION_NAME)
#undef PROBE_SESSION_NAME
};

static const char *const method_names[] = {
#define PROBE_METHOD_NAME(name, text) text,
    PROBE_METHODS(PROBE_METHOD_NAME)
#undef PROBE_METHOD_NAME
};

const char *probe_host_state_name(enum probe_host_state st)
{
	if ((unsigned)st >= PROBE_HOST_STATE_COUNT)
		return "error";
	return host_state_names[st];
}

int probe_host_state_parse(const char *name, enum probe_host_state *out)
{
	for (int i = 0; i < PROBE_HOST_STATE_COUNT; i++) {
		if (strcmp(name, host_state_names[i]) == 0) {
			*out = (enum probe_host_state)i;
			return 0;
		}
	}
	return -1;
}

const char *probe_session_status_name(enum probe_session_status st)
{
	if ((unsigned)st >= PROBE_SESSION_STATUS_COUNT)
		return "idle";
	return session_status_names[st];
}

const char *probe_method_name(enum probe_method m)
{
	if ((unsigned)m >= PROBE_METHOD_COUNT)
		return "none";
	return method_names[m];
}

int probe_method_parse(const char *name, enum probe_method *out)
{
	for (int i = 0; i < PROBE_METHOD_COUNT; i++) {
		if (strcmp(name, method_names[i]) == 0) {
			*out = (enum probe_method)i;
			return 0;
		}
	}
	return -1;
}

struct probe_result *probe_result_new(void)
{
	struct probe_result *r = xcalloc(1, sizeof(*r));

	r->state = PROBE_HOST_ERROR;
	r->method = PROBE_METHOD_NONE;
	return r;
}

void probe_process_clear(struct probe_process *p)
{
	for (size_t i = 0; i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
	free(p->cwd);
	free(p->listen);
	free(p->session_arg);
	free(p->pwd);
	memset(p, 0, sizeof(*p));
}

void probe_project_clear(struct probe_project *p)
{
	free(p->id);
	free(p->worktree);
	free(p->vcs);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

void probe_session_clear(struct probe_session *s)
{
	free(s->id);
	free(s->title);
	free(s->directory);
	free(s->project_id);
	free(s->project_worktree);
	free(s->parent_id);
	free(s->agent);
	free(s->model);
	free(s->error_name);
	memset(s, 0, sizeof(*s));
}

void probe_result_free(struct probe_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nprocs; i++)
		probe_process_clear(&r->procs[i]);
	for (size_t i = 0; i < r->nprojects; i++)
		probe_project_clear(&r->projects[i]);
	for (size_t i = 0; i < r->nsessions; i++)
		probe_session_clear(&r->sessions[i]);
	free(r->procs);
	free(r->projects);
	free(r->sessions);
	free(r->serve_ports);
	free(r->reason);
	free(r->opencode_path);
	free(r->opencode_version);
	free(r->db_path);
	free(r->storage_path);
	free(r->hostname);
	free(r->home);
	free(r->sqlite_version);
	free(r->warnings);
	free(r->token);
	free(r);
}

void probe_result_set_state(struct probe_result *r, enum probe_host_state st, const char *reason)
{
	char *copy = xstrdup(reason);

	free(r->reason);
	r->reason = copy;
	r->state = st;
}

/* Grows *arr (elements of size sz) so that one more fits; returns the new
 * zeroed element. The capacity is 4, then doubles whenever *n reaches a
 * power of two. */
static void *add_elem(void **arr, size_t *n, size_t sz)
{
	char *base;

	if (*n == 0)
		*arr = xrealloc(*arr, 4, sz);
	else if (*n >= 4 && (*n & (*n - 1)) == 0)
		*arr = xrealloc(*arr, *n * 2, sz);
	base = *arr;
	memset(base + *n * sz, 0, sz);
	return base + (*n)++ * sz;
}

struct probe_session *probe_result_add_session(struct probe_result *r)
{
	struct probe_session *s = add_elem((void **)&r->sessions, &r->nsessions, sizeof(*s));

	s->messages = -1;
	s->todos_done = -1;
	s->todos_total = -1;
	return s;
}

struct probe_project *probe_result_add_project(struct probe_result *r)
{
	return add_elem((void **)&r->projects, &r->nprojects, sizeof(struct probe_project));
}

struct probe_process *probe_result_add_process(struct probe_result *r)
{
	return add_elem((void **)&r->procs, &r->nprocs, sizeof(struct probe_process));
}

struct probe_session *probe_result_find_session(const struct probe_result *r, const char *id)
{
	for (size_t i = 0; i < r->nsessions; i++)
		if (strcmp(r->sessions[i].id, id) == 0)
			return &r->sessions[i];
	return NULL;
}

struct probe_project *probe_result_find_project(const struct probe_result *r, const char *id)
{
	for (size_t i = 0; i < r->nprojects; i++)
		if (strcmp(r->projects[i].id, id) == 0)
			return &r->projects[i];
	return NULL;
}

static bool same_dir(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return false;
	la = strlen(a);
	lb = strlen(b);
	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

/* The newest non-archived root session in dir, or NULL. */
static struct probe_session *newest_in_dir(const struct probe_result *r, const char *dir)
{
	struct probe_session *best = NULL;

	for (size_t i = 0; i < r->nsessions; i++) {
		struct probe_session *s = &r->sessions[i];

		if (s->parent_id || s->archived || !same_dir(s->directory, dir))
			continue;
		if (!best || s->updated > best->updated)
			best = s;
	}
	return best;
}

struct probe_session *probe_result_process_session(const struct probe_result *r,
                                                   const struct probe_process *p)
{
	struct probe_session *s = NULL;

	if (p->session_arg)
		s = probe_result_find_session(r, p->session_arg);
	else if (!p->serve && p->pwd)
		s = newest_in_dir(r, p->pwd);
	if (!s && !p->session_arg && !p->serve && p->cwd)
		s = newest_in_dir(r, p->cwd);
	return s;
}

bool probe_process_may_write(const struct probe_process *p, const struct probe_session *s)
{
	return p->serve || same_dir(p->cwd, s->directory) || same_dir(p->pwd, s->directory);
}

/* An unfinished assistant message counts as running only while some
 * opencode process could be writing it. */
static bool busy_is_live(const struct probe_result *r, const struct probe_session *s)
{
	for (size_t i = 0; i < r->nprocs; i++)
		if (probe_process_may_write(&r->procs[i], s))
			return true;
	return false;
}

static void add_serve_port(struct probe_result *r, int port)
{
	for (size_t i = 0; i < r->nserve_ports; i++)
		if (r->serve_ports[i] == port)
			return;
	r->serve_ports = xrealloc(r->serve_ports, r->nserve_ports + 1, sizeof(int));
	r->serve_ports[r->nserve_ports++] = port;
}

static enum probe_session_status classify(const struct probe_result *r,
                                          const struct probe_session *s, int64_t now_ms,
                                          int64_t active_ms)
{
	int64_t last = s->updated > s->last_message ? s->updated : s->last_message;

	if (s->live || (s->busy && busy_is_live(r, s)))
		return PROBE_SESSION_RUNNING;
	if (s->archived)
		return PROBE_SESSION_ARCHIVED;
	if (s->errored)
		return PROBE_SESSION_ERRORED;
	if (last && now_ms - last <= active_ms)
		return PROBE_SESSION_ACTIVE;
	return PROBE_SESSION_IDLE;
}

void probe_result_classify(struct probe_result *r, int64_t now_ms, int64_t active_ms)
{
	free(r->serve_ports);
	r->serve_ports = NULL;
	r->nserve_ports = 0;
	for (size_t i = 0; i < r->nsessions; i++)
		r->sessions[i].live = false;
	for (size_t i = 0; i < r->nprocs; i++) {
		struct probe_session *s = probe_result_process_session(r, &r->procs[i]);

		if (s)
			s->live = true;
		if (!r->procs[i].serve)
			continue;
		for (size_t j = 0; j < r->procs[i].nlisten; j++)
			add_serve_port(r, r->procs[i].listen[j]);
	}
	for (size_t i = 0; i < r->nsessions; i++)
		r->sessions[i].status = classify(r, &r->sessions[i], now_ms, active_ms);
}

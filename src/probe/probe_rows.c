#include "probe/probe_rows.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_decode.h"
#include "util/err.h"
#include "util/xmem.h"

static const char *const sect_names[PROBE_ROWS_COUNT] = {
    "host",          "projects",   "sessions",     "json-projects",
    "json-sessions", "json-stats", "session-list", "processes",
};

int probe_rows_section_find(const char *name, size_t n)
{
	for (int i = 0; i < PROBE_ROWS_COUNT; i++)
		if (strlen(sect_names[i]) == n && !memcmp(name, sect_names[i], n))
			return i;
	return -1;
}

const char *probe_rows_section_name(enum probe_rows_section s)
{
	return sect_names[s];
}

/* ---- session ids already decoded ---- */

/* Session ids already decoded -> index in r->sessions + 1 (open
 * addressing), so that de-duplicating thousands of sessions stays linear. */
struct sess_index {
	size_t *slot;
	size_t cap; /* a power of two, or 0 */
	size_t used;
};

static uint64_t hash_id(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The slot holding id, or the empty slot where it would go. */
static size_t *index_slot(const struct sess_index *ix, const struct probe_result *r, const char *id)
{
	size_t i = (size_t)hash_id(id) & (ix->cap - 1);

	while (ix->slot[i] && strcmp(r->sessions[ix->slot[i] - 1].id, id) != 0)
		i = (i + 1) & (ix->cap - 1);
	return &ix->slot[i];
}

static struct probe_session *index_find(const struct sess_index *ix, const struct probe_result *r,
                                        const char *id)
{
	size_t *slot;

	if (!ix->cap)
		return NULL;
	slot = index_slot(ix, r, id);
	return *slot ? &r->sessions[*slot - 1] : NULL;
}

/* Records r->sessions[n] (already appended). */
static void index_add(struct sess_index *ix, const struct probe_result *r, size_t n)
{
	if (2 * (ix->used + 1) > ix->cap) {
		struct sess_index big = {NULL, ix->cap ? ix->cap * 2 : 64, 0};

		big.slot = xcalloc(big.cap, sizeof(size_t));
		for (size_t i = 0; i < ix->cap; i++)
			if (ix->slot[i])
				*index_slot(&big, r, r->sessions[ix->slot[i] - 1].id) = ix->slot[i];
		big.used = ix->used;
		free(ix->slot);
		*ix = big;
	}
	*index_slot(ix, r, r->sessions[n].id) = n + 1;
	ix->used++;
}

/* What the element callbacks write to (probe_decode_ctx.arg). */
struct rows {
	struct probe_result *r;
	struct sess_index ix;
};

/* ---- field tables ---- */

#define S(field) offsetof(struct probe_session, field)
#define P(field) offsetof(struct probe_project, field)
#define R(field) offsetof(struct probe_process, field)
#define H(field) offsetof(struct probe_result, field)

/* Usage: the same keys in the database rows and in the stats that ≤1.1
 * hosts compute from message files, and in the same order. */
/* clang-format off */
#define USAGE_FIELDS \
	{PROBE_KEY("cost"), PROBE_DECODE_REAL, S(cost), NULL, 0}, \
	{PROBE_KEY("tokens_input"), PROBE_DECODE_INT, S(tokens_input), NULL, 0}, \
	{PROBE_KEY("tokens_output"), PROBE_DECODE_INT, S(tokens_output), NULL, 0}, \
	{PROBE_KEY("tokens_reasoning"), PROBE_DECODE_INT, S(tokens_reasoning), NULL, 0}, \
	{PROBE_KEY("tokens_cache_read"), PROBE_DECODE_INT, S(tokens_cache_read), NULL, 0}, \
	{PROBE_KEY("tokens_cache_write"), PROBE_DECODE_INT, S(tokens_cache_write), NULL, 0}, \
	{PROBE_KEY("busy"), PROBE_DECODE_BOOL, S(busy), NULL, 0}, \
	{PROBE_KEY("errored"), PROBE_DECODE_BOOL, S(errored), NULL, 0}
/* clang-format on */

/* The session and stats tables list their keys in the order the probe
 * script prints them (its SELECT, its awk printf): probe_decode_obj() looks
 * a key up from the entry after the last one found, so in the rows that come
 * by the thousand each key is found at the first try. Any order decodes the
 * same, only slower. */
static const struct probe_decode_field db_session_fields[] = {
    {PROBE_KEY("id"), PROBE_DECODE_ID, S(id), NULL, 0},
    {PROBE_KEY("project_id"), PROBE_DECODE_ID, S(project_id), NULL, 0},
    {PROBE_KEY("project_worktree"), PROBE_DECODE_TEXT, S(project_worktree), NULL, 0},
    {PROBE_KEY("directory"), PROBE_DECODE_TEXT, S(directory), NULL, 0},
    {PROBE_KEY("title"), PROBE_DECODE_TEXT, S(title), NULL, 0},
    {PROBE_KEY("parent_id"), PROBE_DECODE_ID, S(parent_id), NULL, 0},
    {PROBE_KEY("time_created"), PROBE_DECODE_INT, S(created), NULL, 0},
    {PROBE_KEY("time_updated"), PROBE_DECODE_INT, S(updated), NULL, 0},
    {PROBE_KEY("time_archived"), PROBE_DECODE_INT, S(archived), NULL, 0},
    {PROBE_KEY("messages"), PROBE_DECODE_INT, S(messages), NULL, 0},
    {PROBE_KEY("todos_total"), PROBE_DECODE_INT, S(todos_total), NULL, 0},
    {PROBE_KEY("todos_done"), PROBE_DECODE_INT, S(todos_done), NULL, 0},
    {PROBE_KEY("agent"), PROBE_DECODE_TEXT, S(agent), NULL, 0},
    {PROBE_KEY("model"), PROBE_DECODE_TEXT, S(model), NULL, 0},
    USAGE_FIELDS,
    {PROBE_KEY("error_name"), PROBE_DECODE_TEXT, S(error_name), NULL, 0},
    {PROBE_KEY("last_agent"), PROBE_DECODE_TEXT_FB, S(agent), NULL, 0},
    {PROBE_KEY("last_model"), PROBE_DECODE_TEXT_FB, S(model), NULL, 0},
    {PROBE_KEY("last_message"), PROBE_DECODE_INT, S(last_message), NULL, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

static const struct probe_decode_field json_time_fields[] = {
    {PROBE_KEY("created"), PROBE_DECODE_INT, S(created), NULL, 0},
    {PROBE_KEY("updated"), PROBE_DECODE_INT, S(updated), NULL, 0},
    {PROBE_KEY("archived"), PROBE_DECODE_INT, S(archived), NULL, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

static const struct probe_decode_field json_session_fields[] = {
    {PROBE_KEY("id"), PROBE_DECODE_ID, S(id), NULL, 0},
    {PROBE_KEY("projectID"), PROBE_DECODE_ID, S(project_id), NULL, 0},
    {PROBE_KEY("directory"), PROBE_DECODE_TEXT, S(directory), NULL, 0},
    {PROBE_KEY("title"), PROBE_DECODE_TEXT, S(title), NULL, 0},
    {PROBE_KEY("parentID"), PROBE_DECODE_ID, S(parent_id), NULL, 0},
    {PROBE_KEY("time"), PROBE_DECODE_OBJ, 0, json_time_fields, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

/* `opencode session list --format json` rows. */
static const struct probe_decode_field list_session_fields[] = {
    {PROBE_KEY("id"), PROBE_DECODE_ID, S(id), NULL, 0},
    {PROBE_KEY("projectId"), PROBE_DECODE_ID, S(project_id), NULL, 0},
    {PROBE_KEY("directory"), PROBE_DECODE_TEXT, S(directory), NULL, 0},
    {PROBE_KEY("title"), PROBE_DECODE_TEXT, S(title), NULL, 0},
    {PROBE_KEY("created"), PROBE_DECODE_INT, S(created), NULL, 0},
    {PROBE_KEY("updated"), PROBE_DECODE_INT, S(updated), NULL, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

static const struct probe_decode_field stats_fields[] = {
    {PROBE_KEY("id"), PROBE_DECODE_ID, S(id), NULL, 0},
    {PROBE_KEY("messages"), PROBE_DECODE_INT, S(messages), NULL, 0},
    USAGE_FIELDS,
    {PROBE_KEY("last_agent"), PROBE_DECODE_TEXT, S(agent), NULL, 0},
    {PROBE_KEY("last_model"), PROBE_DECODE_TEXT, S(model), NULL, 0},
    {PROBE_KEY("todos_total"), PROBE_DECODE_INT, S(todos_total), NULL, 0},
    {PROBE_KEY("todos_done"), PROBE_DECODE_INT, S(todos_done), NULL, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

static const struct probe_decode_field db_project_fields[] = {
    {PROBE_KEY("id"), PROBE_DECODE_ID, P(id), NULL, 0},
    {PROBE_KEY("worktree"), PROBE_DECODE_TEXT, P(worktree), NULL, 0},
    {PROBE_KEY("vcs"), PROBE_DECODE_TEXT, P(vcs), NULL, 0},
    {PROBE_KEY("name"), PROBE_DECODE_TEXT, P(name), NULL, 0},
    {PROBE_KEY("time_created"), PROBE_DECODE_INT, P(created), NULL, 0},
    {PROBE_KEY("time_updated"), PROBE_DECODE_INT, P(updated), NULL, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

static const struct probe_decode_field json_ptime_fields[] = {
    {PROBE_KEY("created"), PROBE_DECODE_INT, P(created), NULL, 0},
    {PROBE_KEY("updated"), PROBE_DECODE_INT, P(updated), NULL, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

static const struct probe_decode_field json_project_fields[] = {
    {PROBE_KEY("id"), PROBE_DECODE_ID, P(id), NULL, 0},
    {PROBE_KEY("worktree"), PROBE_DECODE_TEXT, P(worktree), NULL, 0},
    {PROBE_KEY("vcs"), PROBE_DECODE_TEXT, P(vcs), NULL, 0},
    {PROBE_KEY("name"), PROBE_DECODE_TEXT, P(name), NULL, 0},
    {PROBE_KEY("time"), PROBE_DECODE_OBJ, 0, json_ptime_fields, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

static const struct probe_decode_field process_fields[] = {
    {PROBE_KEY("cwd"), PROBE_DECODE_TEXT, R(cwd), NULL, 0},
    {PROBE_KEY("pwd"), PROBE_DECODE_TEXT, R(pwd), NULL, 0},
    {PROBE_KEY("start"), PROBE_DECODE_INT, R(start), NULL, 0},
    {PROBE_KEY("args"), PROBE_DECODE_STRV, R(argv), NULL, R(argc)},
    {PROBE_KEY("listen"), PROBE_DECODE_PORTS, R(listen), NULL, R(nlisten)},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

/* The host section's numbers, decoded into this before copying. */
struct host_info {
	char *method;
	int64_t protocol;
};

static const struct probe_decode_field host_fields[] = {
    {PROBE_KEY("opencode"), PROBE_DECODE_TEXT, H(opencode_path), NULL, 0},
    {PROBE_KEY("opencode_version"), PROBE_DECODE_TEXT, H(opencode_version), NULL, 0},
    {PROBE_KEY("db"), PROBE_DECODE_TEXT, H(db_path), NULL, 0},
    {PROBE_KEY("storage"), PROBE_DECODE_TEXT, H(storage_path), NULL, 0},
    {PROBE_KEY("token"), PROBE_DECODE_ID, H(token), NULL, 0},
    {PROBE_KEY("now"), PROBE_DECODE_INT, H(host_now), NULL, 0},
    {PROBE_KEY("sqlite_version"), PROBE_DECODE_TEXT, H(sqlite_version), NULL, 0},
    {PROBE_KEY("hostname"), PROBE_DECODE_TEXT, H(hostname), NULL, 0},
    /* optional: a reply made before the script sent it (a cached one) has none */
    {PROBE_KEY("home"), PROBE_DECODE_TEXT, H(home), NULL, 0},
    {PROBE_KEY("warnings"), PROBE_DECODE_TEXT, H(warnings), NULL, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

static const struct probe_decode_field host_info_fields[] = {
    {PROBE_KEY("method"), PROBE_DECODE_ID, offsetof(struct host_info, method), NULL, 0},
    {PROBE_KEY("protocol"), PROBE_DECODE_INT, offsetof(struct host_info, protocol), NULL, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

/* ---- elements ---- */

static int session_elem(const struct probe_decode_ctx *c, int tok,
                        const struct probe_decode_field *tab, enum probe_source src)
{
	struct rows *w = c->arg;
	struct probe_session tmp;
	struct probe_session *have;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	tmp.messages = tmp.todos_done = tmp.todos_total = -1;
	tmp.source = src;
	rc = probe_decode_obj(c, tok, tab, &tmp);
	if (rc != ERR_OK)
		goto out;
	if (!tmp.id || !tmp.project_id) {
		rc = probe_decode_bad(c, tmp.id ? "project_id" : "id", "missing");
		goto out;
	}
	have = index_find(&w->ix, w->r, tmp.id);
	if (have && have->source == src) {
		rc =
		    err_set(ERR_PROTO, "probe reply: %s: duplicate session id %s", c->what, tmp.id);
		goto out;
	}
	if (!have) {
		*probe_result_add_session(w->r) = tmp;
		index_add(&w->ix, w->r, w->r->nsessions - 1);
		return ERR_OK;
	}
out:
	probe_session_clear(&tmp);
	return rc;
}

static int db_session_elem(const struct probe_decode_ctx *c, int tok)
{
	return session_elem(c, tok, db_session_fields, PROBE_SOURCE_DB);
}

static int json_session_elem(const struct probe_decode_ctx *c, int tok)
{
	return session_elem(c, tok, json_session_fields, PROBE_SOURCE_JSON_FILES);
}

static int list_session_elem(const struct probe_decode_ctx *c, int tok)
{
	return session_elem(c, tok, list_session_fields, PROBE_SOURCE_SESSION_LIST);
}

/* Statistics of <=1.1 JSON storage complete the sessions read from files. */
static int stats_elem(const struct probe_decode_ctx *c, int tok)
{
	struct rows *w = c->arg;
	struct probe_session tmp;
	struct probe_session *s;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	rc = probe_decode_obj(c, tok, stats_fields, &tmp);
	if (rc != ERR_OK || !tmp.id)
		goto out;
	s = index_find(&w->ix, w->r, tmp.id);
	if (!s || s->source != PROBE_SOURCE_JSON_FILES)
		goto out;
	s->messages = tmp.messages;
	s->cost = tmp.cost;
	s->tokens_input = tmp.tokens_input;
	s->tokens_output = tmp.tokens_output;
	s->tokens_reasoning = tmp.tokens_reasoning;
	s->tokens_cache_read = tmp.tokens_cache_read;
	s->tokens_cache_write = tmp.tokens_cache_write;
	s->busy = tmp.busy;
	s->errored = tmp.errored;
	s->todos_total = tmp.todos_total;
	s->todos_done = tmp.todos_done;
	free(s->agent);
	free(s->model);
	s->agent = tmp.agent;
	s->model = tmp.model;
	tmp.agent = tmp.model = NULL;
out:
	probe_session_clear(&tmp);
	return rc;
}

static int project_elem(const struct probe_decode_ctx *c, int tok,
                        const struct probe_decode_field *tab, bool from_db)
{
	struct probe_result *r = ((struct rows *)c->arg)->r;
	struct probe_project tmp;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	rc = probe_decode_obj(c, tok, tab, &tmp);
	if (rc != ERR_OK)
		goto out;
	if (!tmp.id) {
		rc = probe_decode_bad(c, "id", "missing");
		goto out;
	}
	if (probe_result_find_project(r, tmp.id)) {
		if (from_db)
			rc = err_set(ERR_PROTO, "probe reply: %s: duplicate project id %s", c->what,
			             tmp.id);
		goto out;
	}
	*probe_result_add_project(r) = tmp;
	return ERR_OK;
out:
	probe_project_clear(&tmp);
	return rc;
}

static int db_project_elem(const struct probe_decode_ctx *c, int tok)
{
	return project_elem(c, tok, db_project_fields, true);
}

static int json_project_elem(const struct probe_decode_ctx *c, int tok)
{
	return project_elem(c, tok, json_project_fields, false);
}

/* Reads the opencode arguments: sub-command, -s/--session ID, -c, --port. */
static void process_args(struct probe_process *p)
{
	bool first = true;
	int port = 0;

	for (size_t i = 1; i < p->argc; i++) {
		const char *a = p->argv[i];
		const char *next = i + 1 < p->argc ? p->argv[i + 1] : NULL;

		if ((!strcmp(a, "-s") || !strcmp(a, "--session")) && next && !p->session_arg)
			p->session_arg = xstrdup(next);
		else if (!strncmp(a, "--session=", 10) && !p->session_arg)
			p->session_arg = xstrdup(a + 10);
		else if (!strcmp(a, "-c") || !strcmp(a, "--continue"))
			p->continues = true;
		else if (!strcmp(a, "--port") && next)
			port = atoi(next);
		else if (!strncmp(a, "--port=", 7))
			port = atoi(a + 7);
		if (a[0] != '-' && first) {
			p->serve = !strcmp(a, "serve") || !strcmp(a, "web");
			first = false;
		}
	}
	/* ps gives no sockets: a fixed --port is the best we know */
	if (p->serve && p->nlisten == 0 && port > 0 && port < 65536) {
		p->listen = xcalloc(1, sizeof(int));
		p->listen[p->nlisten++] = port;
	}
}

static int process_elem(const struct probe_decode_ctx *c, int tok)
{
	struct probe_process *p = probe_result_add_process(((struct rows *)c->arg)->r);
	struct {
		int64_t pid, ppid;
	} ids = {0, 0};
	static const struct probe_decode_field id_fields[] = {
	    {PROBE_KEY("pid"), PROBE_DECODE_INT, 0, NULL, 0},
	    {PROBE_KEY("ppid"), PROBE_DECODE_INT, sizeof(int64_t), NULL, 0},
	    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
	};

	if (probe_decode_obj(c, tok, process_fields, p) != ERR_OK ||
	    probe_decode_obj(c, tok, id_fields, &ids) != ERR_OK)
		return ERR_PROTO;
	if (ids.pid <= 0 || ids.pid > 0x7fffffff)
		return probe_decode_bad(c, "pid", "missing or out of range");
	p->pid = (long)ids.pid;
	p->ppid = (long)ids.ppid;
	if (!p->argv)
		p->argv = xcalloc(1, sizeof(char *));
	process_args(p);
	return ERR_OK;
}

static int host_elem(const struct probe_decode_ctx *c, int tok)
{
	struct probe_result *r = ((struct rows *)c->arg)->r;
	struct host_info hi = {NULL, 0};
	int rc;

	if (c->index > 0)
		return err_set(ERR_PROTO, "probe reply: host: more than one value");
	rc = probe_decode_obj(c, tok, host_fields, r);
	if (rc == ERR_OK)
		rc = probe_decode_obj(c, tok, host_info_fields, &hi);
	if (rc != ERR_OK)
		goto out;
	if (hi.protocol != 1)
		rc = err_set(ERR_PROTO, "probe reply: host: unsupported protocol %lld",
		             (long long)hi.protocol);
	else if (!hi.method || probe_method_parse(hi.method, &r->method) != 0)
		rc = err_set(ERR_PROTO, "probe reply: host: unknown method");
	else if (!r->token)
		rc = err_set(ERR_PROTO, "probe reply: host: no change token");
out:
	free(hi.method);
	return rc;
}

/* Gives every session its project's worktree, and every project id a
 * project (the session list method reads no project table). */
static void link_projects(struct probe_result *r)
{
	for (size_t i = 0; i < r->nsessions; i++) {
		struct probe_session *s = &r->sessions[i];
		struct probe_project *p = probe_result_find_project(r, s->project_id);

		if (!p) {
			p = probe_result_add_project(r);
			p->id = xstrdup(s->project_id);
			p->worktree = xstrdup(s->project_worktree);
		}
		if (!s->project_worktree && p->worktree)
			s->project_worktree = xstrdup(p->worktree);
		if (!s->title)
			s->title = xstrdup("");
		if (!s->directory)
			s->directory = xstrdup("");
	}
	for (size_t i = 0; i < r->nprojects; i++)
		if (!r->projects[i].worktree)
			r->projects[i].worktree = xstrdup("");
}

int probe_rows_decode(const struct probe_rows_span sp[PROBE_ROWS_COUNT], struct probe_result *r)
{
	static const probe_decode_elem_fn fns[PROBE_ROWS_COUNT] = {
	    host_elem,         db_project_elem, db_session_elem,   json_project_elem,
	    json_session_elem, stats_elem,      list_session_elem, process_elem,
	};
	struct rows w = {r, {NULL, 0, 0}};
	int rc = ERR_OK;

	if (!sp[PROBE_ROWS_HOST].seen)
		return err_set(ERR_PROTO, "probe reply: no host section");
	for (size_t i = 0; i < r->nsessions; i++)
		index_add(&w.ix, r, i);
	for (int i = 0; i < PROBE_ROWS_COUNT && rc == ERR_OK; i++)
		if (sp[i].seen)
			rc = probe_decode_each(sp[i].p, sp[i].len, sect_names[i], fns[i], &w);
	free(w.ix.slot);
	if (rc != ERR_OK)
		return rc;
	/* json-stats only lists sessions that have message or todo files */
	for (size_t i = 0; sp[PROBE_ROWS_JSON_STATS].seen && i < r->nsessions; i++)
		if (r->sessions[i].source == PROBE_SOURCE_JSON_FILES && r->sessions[i].messages < 0)
			r->sessions[i].messages = 0;
	link_projects(r);
	return ERR_OK;
}

/* tui_inspect: the inspect panel's rows (see tui_inspect.h,
 * docs/tui-inspect.md). */
#include "tui/tui_inspect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "discovery/disc_opts.h"
#include "discovery/disc_sshcfg.h"
#include "probe/probe_engine.h"
#include "probe/probe_model.h"
#include "tui/tui_text.h"
#include "tui/tui_tree.h"
#include "util/err.h"
#include "util/utf8.h"
#include "util/xmem.h"

/* Said for a value the host could not tell (a -1 count, a zero time). */
#define UNKNOWN "unknown"
/* Said of a tombstone row (the tree keeps it a few seconds). */
#define GONE "gone: the host no longer reports it"

/* ---- rows ---- */

static void push(struct tui_inspect *in, const char *label, const char *value)
{
	struct tui_inspect_row *r;

	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 32;
		in->rows = xrealloc(in->rows, in->cap, sizeof(*in->rows));
	}
	r = &in->rows[in->n++];
	r->label = utf8_sanitize(label, strlen(label));
	r->value = value ? utf8_sanitize(value, strlen(value)) : NULL;
}

static void heading(struct tui_inspect *in, const char *text)
{
	push(in, text, NULL);
}

/* A row; a NULL value is shown as unknown. */
static void row(struct tui_inspect *in, const char *label, const char *value)
{
	push(in, label, value ? value : UNKNOWN);
}

static void rowf(struct tui_inspect *in, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void rowf(struct tui_inspect *in, const char *label, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	row(in, label, strbuf_str(&sb));
	strbuf_free(&sb);
}

/* One row a line of text (sanitising would turn a newline into a space and
 * run the lines together); the label goes on the first. */
static void row_lines(struct tui_inspect *in, const char *label, const char *text)
{
	const char *nl;

	while ((nl = strchr(text, '\n')) != NULL) {
		char *line = xstrndup(text, (size_t)(nl - text));

		row(in, label, line);
		free(line);
		label = "";
		text = nl + 1;
	}
	if (*text)
		row(in, label, text);
}

/* ---- values ---- */

/* "2026-11-30 06:21 (3m ago)" in local time, or unset when ms is 0. */
static void row_time(struct tui_inspect *in, const char *label, int64_t ms, int64_t now_ms,
                     const char *unset)
{
	char when[32], age[TUI_TEXT_SHORT_MAX];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0) {
		row(in, label, unset);
		return;
	}
	if (!localtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm))
		snprintf(when, sizeof(when), "%lld ms", (long long)ms);
	if (now_ms <= 0) {
		row(in, label, when);
		return;
	}
	tui_text_age(age, sizeof(age), now_ms - ms);
	rowf(in, label, "%s (%s%s)", when, age, strcmp(age, "now") ? " ago" : "");
}

/* A count as tui_text_count writes it; negative (unknown) as unknown. */
static const char *count(char buf[TUI_TEXT_SHORT_MAX], int64_t v)
{
	if (v < 0)
		return UNKNOWN;
	return tui_text_count(buf, TUI_TEXT_SHORT_MAX, (uint64_t)v);
}

static void row_count(struct tui_inspect *in, const char *label, int64_t v)
{
	char buf[TUI_TEXT_SHORT_MAX];

	row(in, label, count(buf, v));
}

/* Splits the "key value" line at *l into new strings and moves *l past
 * it; false at the end of the text. */
static bool opt_next(const char **l, char **key, char **val)
{
	size_t len, kl;

	if (!*l || !**l)
		return false;
	len = strcspn(*l, "\n");
	kl = strcspn(*l, " \n");
	*key = xstrndup(*l, kl);
	*val = xstrndup(*l + kl + (kl < len), len - kl - (kl < len));
	*l += len + ((*l)[len] == '\n');
	return true;
}

/* The value of key in "key value" lines, copied into buf; NULL when absent. */
static const char *opt(const char *opts, const char *key, char *buf, size_t size)
{
	char *k, *v;
	bool found = false;

	while (!found && opt_next(&opts, &k, &v)) {
		found = !strcmp(k, key);
		if (found)
			snprintf(buf, size, "%s", v);
		free(k);
		free(v);
	}
	return found ? buf : NULL;
}

/* [user@]hostname[:port] from the ssh options; with_user adds the user. */
static void address(const struct tui_inspect_src *src, bool with_user, struct strbuf *sb)
{
	char host[256], user[128], port[16];

	if (src->host && src->host->is_local) {
		strbuf_puts(sb, "this machine");
		return;
	}
	if (!opt(src->ssh_options, "hostname", host, sizeof(host))) {
		strbuf_puts(sb, src->host ? src->host->name : UNKNOWN);
		return;
	}
	if (with_user && opt(src->ssh_options, "user", user, sizeof(user)))
		strbuf_printf(sb, "%s@", user);
	strbuf_puts(sb, host);
	if (opt(src->ssh_options, "port", port, sizeof(port)))
		strbuf_printf(sb, ":%s", port);
}

static const struct probe_result *result_of(const struct tui_inspect_src *src)
{
	return src->host ? src->host->result : NULL;
}

/* "sqlite3 over ssh (127.0.0.1:2201), 45 ms, 12s ago" */
static void row_probed_by(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	const struct probe_engine_host *h = src->host;
	const struct probe_result *r = result_of(src);
	struct strbuf sb = STRBUF_INIT;
	char age[TUI_TEXT_SHORT_MAX];

	if (!r) {
		row(in, "probed by", h && h->probes ? "no good answer yet" : "not probed yet");
		return;
	}
	strbuf_puts(&sb, probe_method_name(r->method));
	if (h->is_local) {
		strbuf_puts(&sb, " on this machine (sh -s)");
	} else {
		strbuf_puts(&sb, " over ssh (");
		address(src, false, &sb);
		strbuf_putc(&sb, ')');
	}
	if (h->latency_ms >= 0)
		strbuf_printf(&sb, ", %lld ms", (long long)h->latency_ms);
	if (h->probed_at > 0 && src->now_ms > 0)
		strbuf_printf(&sb, ", %s ago",
		              tui_text_age(age, sizeof(age), src->now_ms - h->probed_at));
	row(in, "probed by", strbuf_str(&sb));
	strbuf_free(&sb);
}

/* "3 (1 running)": the live sessions under an item. */
static void row_sessions(struct tui_inspect *in, const struct tui_tree_item *it)
{
	rowf(in, "sessions", "%zu (%zu running)", it->nsessions, it->nrunning);
}

/* ---- the host ---- */

/* Host, address, state and probe: what every row kind says of its host. */
static void host_brief(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	const struct probe_engine_host *h = src->host;
	struct strbuf sb = STRBUF_INIT;

	heading(in, "Host");
	row(in, "host", h ? h->name : src->item->host);
	address(src, true, &sb);
	row(in, "address", strbuf_str(&sb));
	strbuf_free(&sb);
	if (h && h->state != PROBE_HOST_OK)
		rowf(in, "state", "%s%s%s", probe_host_state_name(h->state), h->reason ? ": " : "",
		     h->reason ? h->reason : "");
	row_probed_by(in, src);
}

static void host_state_rows(struct tui_inspect *in, const struct probe_engine_host *h)
{
	row(in, "state", probe_host_state_name(h->state));
	if (h->reason)
		row(in, "reason", h->reason);
	if (h->detail)
		row_lines(in, "detail", h->detail);
	if (h->fingerprint)
		row(in, "host key", h->fingerprint);
	if (h->busy)
		row(in, "probing", "now");
}

static void host_probe_rows(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	const struct probe_engine_host *h = src->host;
	static const char *const answers[] = {"none yet", "unchanged (the short reply)",
	                                      "full reply"};

	row_time(in, "last probe", h->probed_at, src->now_ms, "never");
	if (h->latency_ms >= 0)
		rowf(in, "latency", "%lld ms", (long long)h->latency_ms);
	else
		row(in, "latency", UNKNOWN);
	row_probed_by(in, src);
	row(in, "last answer", answers[h->changed < 0 ? 0 : h->changed ? 2 : 1]);
	rowf(in, "probes", "%u", h->probes);
}

static void row_serve_ports(struct tui_inspect *in, const struct probe_result *r)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < r->nserve_ports; i++)
		strbuf_printf(&sb, "%s%d", i ? " " : "", r->serve_ports[i]);
	row(in, "serve ports", r->nserve_ports ? strbuf_str(&sb) : "none");
	strbuf_free(&sb);
}

/* What the probe script reported about the host and its OpenCode. */
static void host_result_rows(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	const struct probe_result *r = result_of(src);

	heading(in, "OpenCode");
	if (!r) {
		row(in, "version", UNKNOWN);
		return;
	}
	row(in, "version", r->opencode_version);
	row(in, "binary", r->opencode_path);
	rowf(in, "method", "%s%s", probe_method_name(r->method),
	     r->method == PROBE_METHOD_NONE ? " (no OpenCode data yet)" : "");
	row(in, "database", r->db_path ? r->db_path : "none");
	if (r->storage_path)
		row(in, "JSON storage", r->storage_path);
	row(in, "sqlite3", r->sqlite_version ? r->sqlite_version : "none");
	row(in, "hostname", r->hostname);
	row(in, "home", r->home);
	row_sessions(in, src->item);
	row_serve_ports(in, r);
	if (r->warnings)
		row_lines(in, "warnings", r->warnings);
}

/* The resolved ssh options, one row a line. */
static void host_ssh_rows(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	const char *l = src->ssh_options;
	char *key, *val;

	heading(in, "SSH");
	if (src->host && src->host->is_local) {
		row(in, "ssh", "not used: the local host runs the probe as a child");
		return;
	}
	if (!l || !*l) {
		row(in, "options", "not resolved");
		return;
	}
	while (opt_next(&l, &key, &val)) {
		row(in, key, val);
		free(key);
		free(val);
	}
}

static void host_rows(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	const struct tui_tree_item *it = src->item;
	struct strbuf sb = STRBUF_INIT;

	heading(in, "Host");
	row(in, "host", it->host);
	if (it->label && strcmp(it->label, it->host))
		row(in, "label", it->label);
	row(in, "group", it->group ? it->group : "none");
	if (it->tomb)
		row(in, "details", "gone: no longer in the host list");
	address(src, true, &sb);
	row(in, "address", strbuf_str(&sb));
	strbuf_free(&sb);
	if (!src->host) {
		row(in, "state", probe_host_state_name(it->host_state));
	} else {
		host_state_rows(in, src->host);
		host_probe_rows(in, src);
	}
	host_result_rows(in, src);
	host_ssh_rows(in, src);
}

/* ---- a session ---- */

static void row_status(struct tui_inspect *in, const struct tui_inspect_src *src,
                       const struct probe_session *s)
{
	enum probe_session_status st = src->item->status;
	const char *name = probe_session_status_name(st);
	char win[TUI_TEXT_SHORT_MAX];

	tui_text_age(win, sizeof(win), src->active_ms);
	if (st == PROBE_SESSION_ACTIVE && src->active_ms > 0)
		rowf(in, "status", "%s (activity within the last %s)", name, win);
	else if (st == PROBE_SESSION_IDLE && src->active_ms > 0)
		rowf(in, "status", "%s (no activity within the last %s)", name, win);
	else if (st == PROBE_SESSION_ERRORED && s && s->error_name)
		rowf(in, "status", "%s (%s)", name, s->error_name);
	else
		row(in, "status", name);
}

/* "in 1.2k  out 345  reasoning 0  cache r/w 10k/0" */
static void row_tokens(struct tui_inspect *in, const struct probe_session *s)
{
	char a[TUI_TEXT_SHORT_MAX], b[TUI_TEXT_SHORT_MAX], c[TUI_TEXT_SHORT_MAX];
	char d[TUI_TEXT_SHORT_MAX], e[TUI_TEXT_SHORT_MAX];

	rowf(in, "tokens", "in %s  out %s  reasoning %s  cache r/w %s/%s",
	     count(a, s->tokens_input), count(b, s->tokens_output), count(c, s->tokens_reasoning),
	     count(d, s->tokens_cache_read), count(e, s->tokens_cache_write));
}

static void row_todos(struct tui_inspect *in, const struct probe_session *s)
{
	if (s->todos_total < 0 || s->todos_done < 0)
		row(in, "todos", UNKNOWN);
	else if (s->todos_total == 0)
		row(in, "todos", "none");
	else
		rowf(in, "todos", "%lld/%lld done", (long long)s->todos_done,
		     (long long)s->todos_total);
}

/* Why process p counts for s, or NULL: the rules of probe_result_classify. */
static const char *process_why(const struct probe_result *r, const struct probe_process *p,
                               const struct probe_session *s)
{
	if (probe_result_process_session(r, p) == s)
		return p->session_arg ? "runs it" : "runs its directory's newest session";
	if (s->busy && probe_process_may_write(p, s))
		return p->serve ? "a server that may be writing its reply"
		                : "in its directory, may be writing its reply";
	return NULL;
}

static void process_rows(struct tui_inspect *in, const struct probe_result *r,
                         const struct probe_session *s)
{
	size_t shown = 0;

	for (size_t i = 0; i < r->nprocs; i++) {
		const struct probe_process *p = &r->procs[i];
		const char *why = process_why(r, p, s);
		struct strbuf sb = STRBUF_INIT;

		if (!why)
			continue;
		strbuf_printf(&sb, "pid %ld ", p->pid);
		for (size_t j = 0; j < p->argc; j++)
			strbuf_printf(&sb, " %s", p->argv[j]);
		strbuf_printf(&sb, "  (%s)", why);
		row(in, shown++ ? "" : "processes", strbuf_str(&sb));
		strbuf_free(&sb);
	}
	if (!shown)
		row(in, "processes", "none");
}

static void row_source(struct tui_inspect *in, const struct probe_result *r,
                       const struct probe_session *s)
{
	if (s->source == PROBE_SOURCE_DB)
		rowf(in, "read from", "the database%s%s", r->db_path ? " " : "",
		     r->db_path ? r->db_path : "");
	else if (s->source == PROBE_SOURCE_JSON_FILES)
		rowf(in, "read from", "the JSON files of OpenCode <= 1.1%s%s",
		     r->storage_path ? " in " : "", r->storage_path ? r->storage_path : "");
	else
		row(in, "read from", "`opencode session list` (the last resort: no details)");
}

static void session_project_rows(struct tui_inspect *in, const struct probe_result *r,
                                 const struct probe_session *s)
{
	const struct probe_project *p = probe_result_find_project(r, s->project_id);

	row(in, "project", s->project_worktree);
	if (p && p->name)
		row(in, "project name", p->name);
	row(in, "project id", s->project_id);
	row(in, "parent", s->parent_id ? s->parent_id : "none (a root session)");
}

static void session_time_rows(struct tui_inspect *in, const struct tui_inspect_src *src,
                              const struct probe_session *s)
{
	row_time(in, "created", s->created, src->now_ms, UNKNOWN);
	row_time(in, "updated", s->updated, src->now_ms, UNKNOWN);
	row_time(in, "last message", s->last_message, src->now_ms, "none");
	row_time(in, "archived", s->archived, src->now_ms, "no");
}

static void session_work_rows(struct tui_inspect *in, const struct probe_session *s)
{
	/* `opencode session list` tells neither cost nor tokens */
	bool listed = s->source == PROBE_SOURCE_SESSION_LIST;

	row(in, "agent", s->agent ? s->agent : listed ? UNKNOWN : "none yet");
	row(in, "model", s->model ? s->model : listed ? UNKNOWN : "none yet");
	if (listed) {
		row(in, "cost", UNKNOWN);
		row(in, "tokens", UNKNOWN);
	} else {
		rowf(in, "cost", "$%.4f", s->cost);
		row_tokens(in, s);
	}
	row_count(in, "messages", s->messages);
	row_todos(in, s);
	if (s->busy)
		row(in, "reply", "unfinished (the newest assistant message is not completed)");
}

static void session_rows(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	const struct tui_tree_item *it = src->item;
	const struct probe_result *r = result_of(src);
	const struct probe_session *s =
	    r && it->session_id ? probe_result_find_session(r, it->session_id) : NULL;

	heading(in, "Session");
	row(in, "id", it->session_id);
	row(in, "title", s ? s->title : it->title);
	row_status(in, src, s);
	if (it->nsessions > 1)
		rowf(in, "sub-agents", "%zu", it->nsessions - 1);
	if (!s) {
		row(in, "details", it->tomb ? GONE : "not in the host's last result");
	} else {
		row(in, "directory", s->directory);
		session_project_rows(in, r, s);
		session_time_rows(in, src, s);
		session_work_rows(in, s);
		process_rows(in, r, s);
		row_source(in, r, s);
	}
	host_brief(in, src);
}

/* ---- a project, a group, "+N more" ---- */

static void project_rows(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	const struct tui_tree_item *it = src->item;
	const struct probe_result *r = result_of(src);
	const struct probe_project *p =
	    r && it->project_id ? probe_result_find_project(r, it->project_id) : NULL;

	heading(in, "Project");
	row(in, "path", p && p->worktree && *p->worktree ? p->worktree : it->path);
	if (p && p->name)
		row(in, "name", p->name);
	row(in, "project id", p ? p->id : it->project_id);
	row(in, "vcs", p ? (p->vcs ? p->vcs : "none") : NULL);
	row_sessions(in, it);
	row_time(in, "last activity", it->last_activity, src->now_ms, "none");
	if (p) {
		row_time(in, "created", p->created, src->now_ms, UNKNOWN);
		row_time(in, "updated", p->updated, src->now_ms, UNKNOWN);
	}
	if (it->tomb)
		row(in, "details", GONE);
	host_brief(in, src);
}

/* "web-1, web-2": the hosts under a group row. */
static void row_group_hosts(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	const struct tui_tree_item *it = src->item;
	size_t i = src->tree ? tui_tree_find(src->tree, it->tag) : TUI_TREE_NONE;
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;

	if (i == TUI_TREE_NONE) {
		row(in, "hosts", UNKNOWN);
		return;
	}
	for (size_t j = i + 1; j < tui_tree_item(src->tree, i)->end; j++) {
		const struct tui_tree_item *h = tui_tree_item(src->tree, j);

		if (h->kind == TUI_TREE_HOST && !h->tomb)
			strbuf_printf(&sb, "%s%s", n++ ? ", " : "", h->host);
	}
	rowf(in, "hosts", "%zu%s%s", n, n ? ": " : "", strbuf_str(&sb));
	strbuf_free(&sb);
}

static void group_rows(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	heading(in, "Group");
	row(in, "name", src->item->group);
	row_group_hosts(in, src);
	row_sessions(in, src->item);
	row_time(in, "last activity", src->item->last_activity, src->now_ms, "none");
}

static void more_rows(struct tui_inspect *in, const struct tui_inspect_src *src)
{
	heading(in, "More sessions");
	rowf(in, "hidden", "%zu root sessions past sessions.max_display", src->item->nmore);
	row_sessions(in, src->item);
	host_brief(in, src);
}

/* ---- the API ---- */

void tui_inspect_free(struct tui_inspect *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->n; i++) {
		free(in->rows[i].label);
		free(in->rows[i].value);
	}
	free(in->rows);
	in->rows = NULL;
	in->n = in->cap = 0;
}

void tui_inspect_build(const struct tui_inspect_src *src, struct tui_inspect *out)
{
	tui_inspect_free(out);
	if (!src || !src->item) {
		heading(out, "Nothing selected");
		return;
	}
	switch (src->item->kind) {
	case TUI_TREE_GROUP:
		group_rows(out, src);
		break;
	case TUI_TREE_HOST:
		host_rows(out, src);
		break;
	case TUI_TREE_PROJECT:
		project_rows(out, src);
		break;
	case TUI_TREE_SESSION:
		session_rows(out, src);
		break;
	case TUI_TREE_MORE:
		more_rows(out, src);
		break;
	}
}

size_t tui_inspect_label_width(const struct tui_inspect *in)
{
	size_t w = 0;

	for (size_t i = 0; i < in->n; i++) {
		size_t lw = in->rows[i].value ? tui_text_width(in->rows[i].label) : 0;

		if (lw > w)
			w = lw;
	}
	return w;
}

void tui_inspect_text(const struct tui_inspect *in, struct strbuf *out)
{
	size_t w = tui_inspect_label_width(in);

	for (size_t i = 0; i < in->n; i++) {
		const struct tui_inspect_row *r = &in->rows[i];

		if (!r->value) {
			strbuf_printf(out, "%s%s\n", i ? "\n" : "", r->label);
			continue;
		}
		tui_text_pad(out, r->label, w, 0);
		strbuf_printf(out, "  %s\n", r->value);
	}
}

/* "key v1 v2\n"; ssh -G prints each identity file on a line of its own. */
static void put_opt(struct strbuf *sb, const char *key, const char *const *v, size_t n)
{
	bool each = !strcmp(key, "identityfile");

	for (size_t i = 0; i < n; i++) {
		if (i && !each)
			strbuf_printf(sb, " %s", v[i]);
		else
			strbuf_printf(sb, "%s%s %s", i ? "\n" : "", key, v[i]);
	}
	if (n)
		strbuf_putc(sb, '\n');
}

char *tui_inspect_ssh_options(const struct disc_sshcfg *cfg, const char *alias)
{
	static const char *const keys[] = {
	    "hostname",           "user",         "port",         "proxyjump",
	    "proxycommand",       "identityfile", "hostkeyalias", "stricthostkeychecking",
	    "userknownhostsfile",
	};
	struct disc_opts *o = NULL;
	struct strbuf sb = STRBUF_INIT;

	if (disc_sshcfg_resolve(cfg, alias, &o) != ERR_OK)
		return NULL;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const char *const *v = NULL;
		size_t n = disc_opts_get_all(o, keys[k], &v);

		put_opt(&sb, keys[k], v, n);
	}
	disc_opts_free(o);
	return strbuf_take(&sb);
}

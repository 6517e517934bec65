#include "probe/probe_engine.h"

#include <fnmatch.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_config.h"
#include "discovery/disc_hosts.h"
#include "discovery/disc_sshcfg.h"
#include "probe/cache.h"
#include "probe/probe_backoff.h"
#include "probe/probe_conn.h"
#include "probe/probe_job.h"
#include "probe/probe_local.h"
#include "probe/probe_pool.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"
#include "util/clock.h"

#define BACKOFF_BASE_MS   1000
#define KEEPALIVE_TICK_MS 1000
/* How long past its deadline a round waits for a worker before giving up. */
#define ROUND_GRACE_MS 1500

/* One host, owned by the owner thread. `pub` is what readers see. */
struct host {
	struct probe_engine_host pub;
	const struct disc_host *dh;
	char *reason;                /* pub.reason points here */
	char *detail;                /* pub.detail points here */
	char *fingerprint;           /* pub.fingerprint points here */
	struct probe_result *result; /* pub.result */
	struct probe_conn *conn;     /* remote: kept open across rounds; NULL while out */
	struct probe_local *local;   /* `local`: the script child */
	struct probe_backoff backoff;
	int64_t next_due; /* monotonic ms */
	int64_t sent_at;  /* monotonic ms the running probe was dispatched */
	bool again;       /* refresh asked while busy */
	bool overdue;     /* marked timeout by a round; the job is still out */
	char *trust_fp;   /* the unknown key the user accepted: for the next probe only */
};

struct probe_engine {
	struct host *hosts;
	size_t n;
	struct probe_pool *pool;
	struct cache *cache;
	const struct disc_config *cfg;
	const struct disc_sshcfg *sshcfg;
	char *ssh_config_path;
	char *method;
	int64_t interval_ms;
	int64_t timeout_ms;
	int64_t active_ms;
	int64_t keepalive_at;
	uint64_t rng;
};

int64_t probe_engine_now_ms(void)
{
	return probe_conn_now_ms();
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* interval ± 10 %, so hosts probed together drift apart. */
static int64_t jittered(struct probe_engine *e, int64_t ms)
{
	int64_t spread = ms / 10;

	if (spread <= 0)
		return ms;
	return ms - spread + (int64_t)(rng_next(&e->rng) % (uint64_t)(2 * spread + 1));
}

/* Every change the dashboard would show goes through these setters, which
 * bump pub.version only when the value really differs: a host that keeps
 * failing the same way, or answers "unchanged", costs the UI no rebuild. */
static bool text_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

static void host_set_state(struct host *h, enum probe_host_state st)
{
	if (h->pub.state != st)
		h->pub.version++;
	h->pub.state = st;
}

static void host_set_text(struct host *h, const char *reason, const char *detail)
{
	char *r = reason && *reason ? xstrdup(reason) : NULL;
	char *d = detail && *detail ? xstrdup(detail) : NULL;

	if (text_differs(r, h->reason) || text_differs(d, h->detail))
		h->pub.version++;
	free(h->reason);
	free(h->detail);
	h->reason = r;
	h->detail = d;
	h->pub.reason = r;
	h->pub.detail = d;
}

/* Takes fp (may be NULL). */
static void host_take_fingerprint(struct host *h, char *fp)
{
	if (text_differs(fp, h->fingerprint))
		h->pub.version++;
	free(h->fingerprint);
	h->fingerprint = fp;
	h->pub.fingerprint = fp;
}

static void host_set_result(struct host *h, struct probe_result *r)
{
	if (r != h->result)
		h->pub.version++;
	probe_result_free(h->result);
	h->result = r;
	h->pub.result = r;
	h->pub.probed_at = r ? r->probed_at : 0;
}

/* ---- the owner side ---- */

static struct host *find_host(struct probe_engine *e, const char *name)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->hosts[i].pub.name, name))
			return &e->hosts[i];
	return NULL;
}

static struct probe_job *job_new(struct probe_engine *e, size_t i)
{
	struct host *h = &e->hosts[i];
	struct probe_job *j = xcalloc(1, sizeof(*j));

	j->pj.run = probe_job_run;
	j->pj.drop = probe_job_drop;
	j->index = i;
	j->name = xstrdup(h->pub.name);
	j->is_local = h->pub.is_local;
	j->opencode_path = xstrdup(h->dh->opencode_path);
	j->token = h->result ? xstrdup(h->result->token) : NULL;
	j->method = e->method;
	j->sshcfg = e->sshcfg;
	j->cfg = e->cfg;
	j->ssh_config_path = e->ssh_config_path;
	j->timeout_ms = e->timeout_ms;
	j->cancel_fd = probe_pool_cancel_fd(e->pool);
	j->trust_fp = h->trust_fp ? xstrdup(h->trust_fp) : NULL;
	j->conn = h->conn; /* handed over: the host has none while the job is out */
	j->local = h->local;
	h->conn = NULL;
	h->local = NULL;
	return j;
}

static void dispatch(struct probe_engine *e, size_t i, int64_t now)
{
	struct host *h = &e->hosts[i];

	h->pub.busy = true;
	h->again = false;
	h->overdue = false;
	h->sent_at = now;
	probe_pool_submit(e->pool, &job_new(e, i)->pj);
}

static void keepalives(struct probe_engine *e, int64_t now)
{
	if (now - e->keepalive_at < KEEPALIVE_TICK_MS)
		return;
	e->keepalive_at = now;
	for (size_t i = 0; i < e->n; i++)
		if (!e->hosts[i].pub.busy && e->hosts[i].conn &&
		    probe_conn_is_open(e->hosts[i].conn))
			probe_conn_keepalive(e->hosts[i].conn); /* never waits */
}

int probe_engine_dispatch_due(struct probe_engine *e, int64_t now_ms)
{
	int started = 0;

	for (size_t i = 0; i < e->n; i++) {
		struct host *h = &e->hosts[i];

		if (h->pub.busy || h->next_due > now_ms)
			continue;
		dispatch(e, i, now_ms);
		started++;
	}
	keepalives(e, now_ms);
	return started;
}

static void cache_good(struct probe_engine *e, struct host *h, const struct probe_job *j,
                       bool unchanged)
{
	struct cache_entry ce;

	if (!e->cache)
		return;
	memset(&ce, 0, sizeof(ce));
	ce.host = h->pub.name;
	ce.reply = unchanged ? NULL : j->raw;
	ce.reply_len = unchanged ? 0 : j->raw_len;
	ce.token = h->result->token;
	ce.method = probe_method_name(h->result->method);
	ce.opencode_version = h->result->opencode_version;
	ce.probed_at = h->pub.probed_at;
	ce.latency_ms = j->latency_ms;
	ce.state = "ok";
	ce.state_at = h->pub.probed_at;
	cache_put(e->cache, &ce); /* a cache failure is not the host's: ignored */
}

/* Classifies the result shown with the current time. An unchanged reply
 * keeps the same sessions, but time alone turns an active one idle: that
 * is a change the dashboard shows. */
static void host_classify(struct probe_engine *e, struct host *h)
{
	struct probe_result *r = h->result;
	enum probe_session_status *was = NULL;

	if (r->nsessions)
		was = xmalloc(r->nsessions * sizeof(*was));
	for (size_t i = 0; i < r->nsessions; i++)
		was[i] = r->sessions[i].status;
	probe_result_classify(r, clock_wall_ms(), e->active_ms);
	for (size_t i = 0; i < r->nsessions; i++) {
		if (was[i] != r->sessions[i].status) {
			h->pub.version++;
			break;
		}
	}
	free(was);
}

/* A good answer: a full reply replaces the result, "unchanged" keeps it. */
static void apply_good(struct probe_engine *e, struct host *h, struct probe_job *j, int64_t now)
{
	struct probe_result *r = j->result;
	bool unchanged = r->unchanged;

	j->result = NULL;
	if (unchanged) {
		h->result->probed_at = r->probed_at;
		h->pub.probed_at = r->probed_at;
		probe_result_free(r);
	} else {
		host_set_result(h, r);
	}
	host_classify(e, h);
	host_set_state(h, PROBE_HOST_OK);
	h->pub.changed = unchanged ? 0 : 1;
	host_set_text(h, NULL, NULL);
	host_take_fingerprint(h, NULL);
	probe_backoff_reset(&h->backoff);
	h->next_due = now + jittered(e, e->interval_ms);
	cache_good(e, h, j, unchanged);
}

static void apply_failure(struct probe_engine *e, struct host *h, struct probe_job *j, int64_t now)
{
	bool answered = j->result != NULL; /* no-opencode or the script's error */
	int64_t wait;

	if (answered) {
		host_set_state(h, j->result->state);
		host_set_text(h, j->result->reason, NULL);
	} else {
		host_set_state(h, j->state);
		host_set_text(h, j->reason, j->detail);
	}
	h->pub.changed = -1;
	host_take_fingerprint(h, j->fingerprint);
	j->fingerprint = NULL;
	/* the host answered, just without data: its normal pace; else back off */
	wait = answered ? jittered(e, e->interval_ms) : (int64_t)probe_backoff_next(&h->backoff);
	h->next_due = now + wait;
	if (e->cache)
		cache_set_state(e->cache, h->pub.name, probe_host_state_name(h->pub.state),
		                h->reason ? h->reason : "", clock_wall_ms());
}

static void apply_job(struct probe_engine *e, struct probe_job *j)
{
	struct host *h = &e->hosts[j->index];
	int64_t now = probe_conn_now_ms();

	h->conn = j->conn; /* the connection comes home */
	h->local = j->local;
	j->conn = NULL;
	j->local = NULL;
	if (j->trust_fp) { /* used up; one asked while this probe was out waits for the next */
		free(h->trust_fp);
		h->trust_fp = NULL;
	}
	h->pub.busy = false;
	h->overdue = false;
	h->pub.probes++;
	h->pub.latency_ms = j->latency_ms;
	if (j->result && j->result->unchanged && !h->result) {
		probe_job_fail(j, PROBE_HOST_ERROR, "the host said unchanged, but nothing is known",
		               NULL);
		probe_result_free(j->result);
		j->result = NULL;
	}
	if (j->result && j->result->state == PROBE_HOST_OK)
		apply_good(e, h, j, now);
	else
		apply_failure(e, h, j, now);
	if (h->again)
		h->next_due = now;
}

int probe_engine_apply_results(struct probe_engine *e)
{
	struct probe_pool_job *list = probe_pool_take(e->pool);
	int n = 0;

	while (list) {
		struct probe_pool_job *next = list->next;

		apply_job(e, (struct probe_job *)list);
		probe_job_free((struct probe_job *)list);
		list = next;
		n++;
	}
	return n;
}

int64_t probe_engine_next_timer_ms(const struct probe_engine *e, int64_t now_ms)
{
	int64_t best = -1;

	for (size_t i = 0; i < e->n; i++) {
		const struct host *h = &e->hosts[i];
		int64_t wait;

		if (h->pub.busy)
			continue;
		wait = h->next_due > now_ms ? h->next_due - now_ms : 0;
		if (best < 0 || wait < best)
			best = wait;
	}
	return best;
}

void probe_engine_refresh_all(struct probe_engine *e)
{
	for (size_t i = 0; i < e->n; i++) {
		e->hosts[i].next_due = 0;
		if (e->hosts[i].pub.busy)
			e->hosts[i].again = true;
	}
}

int probe_engine_refresh_host(struct probe_engine *e, const char *name)
{
	for (size_t i = 0; i < e->n; i++) {
		if (strcmp(e->hosts[i].pub.name, name) != 0)
			continue;
		e->hosts[i].next_due = 0;
		if (e->hosts[i].pub.busy)
			e->hosts[i].again = true;
		return ERR_OK;
	}
	return err_set(ERR_USAGE, "no host called '%s'", name);
}

/* Only the key the user was shown, and only while the host is refused for
 * not knowing it: the connection checks the fingerprint again against the
 * key the server presents then (probe_hostkey). A host whose probe is out
 * gets the trust with the probe after it (`again`), as a refresh does. */
int probe_engine_trust_hostkey(struct probe_engine *e, const char *name, const char *fingerprint)
{
	static const char *const strict[] = {"ask", "yes", "accept-new", "no"};
	struct host *h = find_host(e, name);
	const struct probe_conn_opts *o = NULL;

	if (!h)
		return err_set(ERR_USAGE, "no host called '%s'", name);
	if (h->pub.state != PROBE_HOST_HOSTKEY_UNKNOWN || !h->fingerprint)
		return err_set(ERR_USAGE, "%s: its host key is not unknown (state %s)", name,
		               probe_host_state_name(h->pub.state));
	if (!fingerprint || strcmp(fingerprint, h->fingerprint) != 0)
		return err_set(ERR_USAGE, "%s: its host key is %s, not %s: not trusted", name,
		               h->fingerprint, fingerprint ? fingerprint : "(none)");
	/* the options are known once the host was probed (its connection is home
	 * unless a probe is out; that probe's answer would tell the same) */
	o = h->conn ? probe_conn_opts(h->conn) : NULL;
	if (o && o->strict != PROBE_STRICT_ASK)
		return err_set(ERR_USAGE, "%s: StrictHostKeyChecking %s: add its key yourself",
		               name, strict[o->strict]);
	if (o && !o->n_user_known_hosts)
		return err_set(ERR_USAGE, "%s: no UserKnownHostsFile to record its key in", name);
	free(h->trust_fp);
	h->trust_fp = xstrdup(fingerprint);
	h->next_due = 0;
	if (h->pub.busy)
		h->again = true;
	return ERR_OK;
}

size_t probe_engine_busy(const struct probe_engine *e)
{
	size_t n = 0;

	for (size_t i = 0; i < e->n; i++)
		n += e->hosts[i].pub.busy && !e->hosts[i].overdue;
	return n;
}

int probe_engine_fd(const struct probe_engine *e)
{
	return probe_pool_fd(e->pool);
}

size_t probe_engine_count(const struct probe_engine *e)
{
	return e->n;
}

const struct probe_engine_host *probe_engine_host(const struct probe_engine *e, size_t i)
{
	return i < e->n ? &e->hosts[i].pub : NULL;
}

const struct probe_engine_host *probe_engine_find(const struct probe_engine *e, const char *name)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->hosts[i].pub.name, name))
			return &e->hosts[i].pub;
	return NULL;
}

/* ---- the blocking round ---- */

/* A host whose worker has not come back long after its deadline (a DNS
 * lookup that hangs, say): reported as timeout; its job is applied later. */
static void mark_overdue(struct probe_engine *e)
{
	for (size_t i = 0; i < e->n; i++) {
		struct host *h = &e->hosts[i];

		if (!h->pub.busy || h->overdue)
			continue;
		h->overdue = true;
		host_set_state(h, PROBE_HOST_TIMEOUT);
		h->pub.changed = -1;
		host_set_text(h, "no answer within the probe deadline", NULL);
	}
}

int probe_engine_round(struct probe_engine *e)
{
	int64_t now = probe_conn_now_ms();
	int64_t waves, limit;
	size_t busy;

	probe_engine_refresh_all(e);
	probe_engine_dispatch_due(e, now);
	busy = probe_engine_busy(e);
	/* hosts beyond the thread count wait for a free worker */
	waves = (int64_t)((busy + (size_t)probe_pool_threads(e->pool) - 1) /
	                  (size_t)probe_pool_threads(e->pool));
	limit = now + (waves ? waves : 1) * e->timeout_ms + ROUND_GRACE_MS;
	while (probe_engine_busy(e) > 0) {
		struct pollfd pfd = {probe_engine_fd(e), POLLIN, 0};
		int64_t left;

		now = probe_conn_now_ms();
		if (now >= limit) {
			mark_overdue(e);
			break;
		}
		left = limit - now;
		poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		probe_engine_apply_results(e);
	}
	return ERR_OK;
}

/* ---- building ---- */

struct load_ctx {
	struct probe_engine *e;
	int64_t now;
};

/* The marker of a stored reply is the first word of its first line. */
static bool reply_marker(const char *buf, size_t len, char out[PROBE_MARKER_SIZE])
{
	size_t n = 0;

	while (n < len && n < PROBE_MARKER_SIZE - 1 && buf[n] != ' ' && buf[n] != '\n')
		n++;
	if (n == 0 || n >= len || buf[n] != ' ')
		return false;
	memcpy(out, buf, n);
	out[n] = '\0';
	return probe_reply_marker_ok(out);
}

static int load_row(const struct cache_entry *ce, void *arg)
{
	struct load_ctx *ctx = arg;
	struct host *h = find_host(ctx->e, ce->host);
	char marker[PROBE_MARKER_SIZE];
	struct probe_result *r = NULL;
	char *why = NULL;

	if (!h || !ce->reply || !reply_marker(ce->reply, ce->reply_len, marker))
		return 0;
	r = probe_result_new();
	if (probe_reply_decode(ce->reply, ce->reply_len, marker, r) != ERR_OK ||
	    r->state != PROBE_HOST_OK || r->unchanged || !r->token) {
		probe_result_free(r); /* an unreadable row: the probe will replace it */
		return 0;
	}
	r->probed_at = ce->probed_at;
	probe_result_classify(r, ctx->now, ctx->e->active_ms);
	host_set_result(h, r);
	host_set_state(h, PROBE_HOST_STALE);
	h->pub.latency_ms = ce->latency_ms;
	why = xasprintf("cached, probed %llds ago", (long long)((ctx->now - ce->probed_at) / 1000));
	host_set_text(h, why, NULL);
	free(why);
	return 0;
}

static void load_cache(struct probe_engine *e)
{
	struct load_ctx ctx = {e, clock_wall_ms()};

	if (!e->cache)
		return;
	if (cache_each(e->cache, load_row, &ctx) != ERR_OK) {
		/* a damaged file was moved aside: start empty */
		for (size_t i = 0; i < e->n; i++) {
			host_set_result(&e->hosts[i], NULL);
			host_set_state(&e->hosts[i], PROBE_HOST_CONNECTING);
			host_set_text(&e->hosts[i], "not probed yet", NULL);
		}
	}
}

static void add_hosts(struct probe_engine *e, const struct disc_hosts *hl, const char *glob)
{
	uint32_t cap =
	    (uint32_t)(e->interval_ms > BACKOFF_BASE_MS ? e->interval_ms : BACKOFF_BASE_MS);

	e->hosts = xcalloc(hl->n ? hl->n : 1, sizeof(*e->hosts));
	for (size_t i = 0; i < hl->n; i++) {
		const struct disc_host *dh = &hl->v[i];
		struct host *h = NULL;

		if (glob && fnmatch(glob, dh->name, FNM_CASEFOLD) != 0)
			continue;
		h = &e->hosts[e->n++];
		h->dh = dh;
		h->pub.name = dh->name;
		h->pub.is_local = dh->is_local;
		h->pub.state = PROBE_HOST_CONNECTING;
		h->pub.latency_ms = -1;
		h->pub.changed = -1;
		host_set_text(h, "not probed yet", NULL);
		probe_backoff_init(&h->backoff, BACKOFF_BASE_MS, cap, 0);
	}
}

int probe_engine_new(const struct probe_engine_opts *o, struct probe_engine **out)
{
	struct probe_engine *e = xcalloc(1, sizeof(*e));
	int threads = o->threads ? o->threads : o->cfg->polling.max_parallel;
	int rc;

	*out = NULL;
	e->cfg = o->cfg;
	e->sshcfg = o->sshcfg;
	e->cache = o->cache;
	e->ssh_config_path = xstrdup(o->ssh_config_path);
	e->method = xstrdup(o->method);
	e->interval_ms = o->interval_ms ? o->interval_ms : o->cfg->polling.interval_ms;
	e->timeout_ms = o->timeout_ms ? o->timeout_ms : o->cfg->polling.timeout_ms;
	e->active_ms = o->cfg->display.active_threshold_ms;
	e->rng = (uint64_t)clock_wall_ms() * 2654435761u ^ (uint64_t)(uintptr_t)e;
	if (!e->rng)
		e->rng = 88172645463325252ull;
	add_hosts(e, o->hosts, o->host_glob);
	if (e->n == 0 && o->host_glob) {
		rc = err_set(ERR_USAGE, "no host matches '%s'", o->host_glob);
		goto fail;
	}
	if ((size_t)threads > e->n)
		threads = e->n ? (int)e->n : 1; /* no idle threads */
	probe_conn_global_init();
	rc = probe_pool_new(threads, &e->pool);
	if (rc != ERR_OK)
		goto fail;
	load_cache(e);
	*out = e;
	return ERR_OK;
fail:
	probe_engine_free(e);
	return rc;
}

void probe_engine_free(struct probe_engine *e)
{
	if (!e)
		return;
	probe_pool_free(e->pool); /* joins the workers; drops jobs still out */
	for (size_t i = 0; i < e->n; i++) {
		struct host *h = &e->hosts[i];

		if (h->conn)
			probe_conn_probe_stop(h->conn);
		probe_conn_free(h->conn);
		probe_local_free(h->local);
		probe_result_free(h->result);
		free(h->reason);
		free(h->detail);
		free(h->fingerprint);
		free(h->trust_fp);
	}
	free(e->hosts);
	free(e->ssh_config_path);
	free(e->method);
	free(e);
}

/* probe_engine: the fleet's probing — one entry per host, its kept-open
 * connection, its last good result, its timer, and the worker pool that
 * does the blocking work.
 *
 * THREADS: every probe_engine_* function runs on ONE owner thread (the UI
 * thread, or main for `ls`/`watch`). Workers only get a job object holding
 * copies of what they need plus the host's connection, which is handed to
 * exactly one job at a time (a host is never queued twice) and comes back
 * with the result. Results are applied on the owner thread only (single
 * writer), which also writes the cache, one transaction per result.
 *
 * A poll() loop uses it like this:
 *     fds = { probe_engine_fd(e), POLLIN } (+ stdin, signals)
 *     timeout = probe_engine_next_timer_ms(e, now)
 *     poll(...); probe_engine_apply_results(e); probe_engine_dispatch_due(e, now)
 *
 * Stale-while-revalidate: with a cache, each host starts with its cached
 * result in state `stale` (probed_at tells its age) until its first probe
 * returns; a failed probe keeps showing the last good result with the
 * failure's state. The cached change token is sent with the first probe,
 * so a host that did not change since the last run answers in one line. */
#ifndef CODEFLEET_PROBE_ENGINE_H
#define CODEFLEET_PROBE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe_model.h"

struct disc_config;
struct disc_hosts;
struct disc_sshcfg;
struct cache;
struct probe_engine;

/* What the UI and the printers read about one host. Owned by the engine,
 * valid until the next probe_engine_apply_results() or probe_engine_free(). */
struct probe_engine_host {
	const char *name;
	bool is_local;
	enum probe_host_state state;       /* now: stale (cached) until the first probe returns */
	const char *reason;                /* one line; NULL when ok */
	const char *detail;                /* the full story for an error view; NULL when none */
	const char *fingerprint;           /* hostkey-unknown/-changed: the server's "SHA256:..." */
	const struct probe_result *result; /* last good result, classified; NULL when none */
	int64_t probed_at;                 /* ms since the epoch of that result; 0 when none */
	int64_t latency_ms; /* how long the last probe took (ok or not); -1 when none */
	int changed;        /* last answer: 1 full reply, 0 "unchanged" (short reply), -1 none */
	bool busy;          /* a probe is running */
	unsigned probes;    /* probes that came back (ok or not) */
	/* Change counter for the dashboard: bumped (never reset; wraps) each
	 * time something shown in the host tree changes: state, reason,
	 * detail, fingerprint, result (a full reply, or the cache; NOT an
	 * "unchanged" one), or a session's status on re-classification (time
	 * turns active into idle even on an unchanged reply). NOT bumped by
	 * per-probe facts alone: latency_ms, probed_at, changed, probes, busy.
	 * Compare it with the value of your last rebuild (!=, not <); a view
	 * of those per-probe facts (the inspect panel) must refresh on
	 * probe_engine_apply_results() instead. is_local never changes. */
	unsigned version;
};

struct probe_engine_opts {
	const struct disc_config *cfg;    /* borrowed: polling.*, ssh.*, display.active_threshold */
	const struct disc_hosts *hosts;   /* borrowed */
	const struct disc_sshcfg *sshcfg; /* borrowed, read by the workers (read-only) */
	const char *ssh_config_path;      /* -F file (for ProxyJump); NULL: the default */
	struct cache *cache;              /* borrowed; NULL: no cache at all */
	const char *host_glob; /* only names matching it (fnmatch, any case); NULL: all */
	int64_t interval_ms;   /* 0: polling.interval */
	int64_t timeout_ms;    /* 0: polling.timeout */
	int threads;           /* 0: polling.max_parallel */
	const char *method;    /* force a reading method (tests); NULL: the script picks */
};

/* Builds the host entries (filtered), loads the cache (stale results) and
 * starts the workers. Nothing is probed yet. Returns ERR_OK and a new *out
 * (an empty fleet is fine), ERR_USAGE when a glob matches no host, or ERR_IO. */
int probe_engine_new(const struct probe_engine_opts *o, struct probe_engine **out);
/* Stops the workers without waiting for any host: a running probe is
 * cancelled (the pool's cancel fd ends its waits within ~50 ms; a proxy is
 * killed and reaped), then closes every connection and frees. NULL is fine.
 * Not covered: a `local` probe runs to its end, and a `Match exec` command
 * to its own time limit. */
void probe_engine_free(struct probe_engine *e);

size_t probe_engine_count(const struct probe_engine *e);
const struct probe_engine_host *probe_engine_host(const struct probe_engine *e, size_t i);
/* The entry called name, or NULL. */
const struct probe_engine_host *probe_engine_find(const struct probe_engine *e, const char *name);

/* ---- the poll() API ---- */

/* Readable when results wait for probe_engine_apply_results(). */
int probe_engine_fd(const struct probe_engine *e);
/* Starts a probe for every idle host whose timer is due at now_ms
 * (probe_engine_now_ms clock); also sends keepalives on idle connections.
 * Returns the number of probes started. */
int probe_engine_dispatch_due(struct probe_engine *e, int64_t now_ms);
/* Applies every finished probe (state, result, cache, next timer). Returns
 * how many were applied (non-zero: redraw). */
int probe_engine_apply_results(struct probe_engine *e);
/* Milliseconds until the next host is due (0: now), or -1 when every host
 * is busy (only the fd will wake you). */
int64_t probe_engine_next_timer_ms(const struct probe_engine *e, int64_t now_ms);
/* Makes every host (or one) due now; a busy host is probed again as soon as
 * its running probe returns. refresh_host returns ERR_OK or ERR_USAGE. */
void probe_engine_refresh_all(struct probe_engine *e);
int probe_engine_refresh_host(struct probe_engine *e, const char *name);
/* The user accepted the unknown host key of host `name` after being shown
 * `fingerprint` ("SHA256:..."): the host is due now (the next
 * probe_engine_dispatch_due starts it; a busy host right after its running
 * probe returns), and that probe records the key in the first
 * UserKnownHostsFile (as accept-new does) only if the server still presents
 * a key of exactly that fingerprint and the key is unknown (never a changed
 * key, never while keys of another type are known: that probe then comes
 * back hostkey-unknown again). One-time: the acceptance is dropped when that
 * probe comes back, whatever its outcome.
 * Returns ERR_OK, or ERR_USAGE with err_text() set: no such host, the host
 * is not in hostkey-unknown, its fingerprint differs, its effective
 * StrictHostKeyChecking is not `ask` (`yes`: the user adds keys by hand), or
 * it has no UserKnownHostsFile. */
int probe_engine_trust_hostkey(struct probe_engine *e, const char *name, const char *fingerprint);
/* Hosts with a probe running. */
size_t probe_engine_busy(const struct probe_engine *e);
/* The monotonic clock the timers use (ms). */
int64_t probe_engine_now_ms(void);

/* ---- the blocking helper for the command line ---- */

/* Probes every host once, in parallel, and waits until each has answered
 * or its deadline passed (a host still out after that is marked timeout).
 * Connections stay open for the next round. Returns ERR_OK. */
int probe_engine_round(struct probe_engine *e);

#endif

/* probe_engine: the poll() API and the blocking round, with real parts: the
 * `local` host runs the real probe script on a copy of the 1.18 fixture
 * database, a remote host points at a refused port on 127.0.0.1, and the
 * cache is a real SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "discovery/disc_config.h"
#include "discovery/disc_hosts.h"
#include "discovery/disc_sshcfg.h"
#include "probe/cache.h"
#include "probe/probe_conn.h"
#include "probe/probe_engine.h"
#include "util/err.h"
#include "util/xmem.h"

struct fix {
	char dir[64];
	char *ssh_config;
	char *cache_path;
	struct disc_config *cfg;
	struct disc_sshcfg *ssh;
	struct disc_hosts *hosts;
};

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd = NULL;
	int rc;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	rc = system(cmd);
	free(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* A port nothing listens on: bound, then closed again. */
static int closed_port(void)
{
	FILE *p = popen("node -e 'const s=require(\"net\").createServer().listen(0,\"127.0.0.1\","
	                "()=>{console.log(s.address().port);s.close();})' 2>/dev/null",
	                "r");
	int port = 1;

	if (p) {
		if (fscanf(p, "%d", &port) != 1)
			port = 1;
		pclose(p);
	}
	return port;
}

static int setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof(*f));
	const char *src = getenv("CODEFLEET_SRC") ? getenv("CODEFLEET_SRC") : CODEFLEET_SOURCE_DIR;
	const char *const *aliases = NULL;
	size_t n;
	FILE *fp = NULL;
	char *data = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_probe_engine.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	data = xasprintf("%s/data", f->dir);
	assert_int_equal(sh("mkdir -p '%s/opencode' && cp '%s/tests/fixtures/opencode-1.18.db' "
	                    "'%s/opencode/opencode.db'",
	                    data, src, data),
	                 0);
	setenv("XDG_DATA_HOME", data, 1); /* what the local script reads */
	free(data);
	f->ssh_config = xasprintf("%s/ssh_config", f->dir);
	fp = fopen(f->ssh_config, "w");
	assert_non_null(fp);
	fprintf(fp, "Host refused\n  HostName 127.0.0.1\n  Port %d\n  User nobody\n",
	        closed_port());
	fclose(fp);
	f->cache_path = xasprintf("%s/cache/cache.db", f->dir);
	f->cfg = disc_config_new_defaults();
	f->cfg->polling.timeout_ms = 20000;
	assert_int_equal(disc_sshcfg_load(f->ssh_config, &f->ssh), ERR_OK);
	n = disc_sshcfg_aliases(f->ssh, &aliases);
	assert_int_equal(disc_hosts_build(f->cfg, aliases, n, NULL, &f->hosts), ERR_OK);
	assert_int_equal(f->hosts->n, 2); /* local, refused */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	disc_hosts_free(f->hosts);
	disc_sshcfg_free(f->ssh);
	disc_config_free(f->cfg);
	sh("rm -rf '%s'", f->dir);
	free(f->ssh_config);
	free(f->cache_path);
	free(f);
	return 0;
}

static struct probe_engine *engine(struct fix *f, struct cache *c, const char *glob)
{
	struct probe_engine_opts o;
	struct probe_engine *e = NULL;

	memset(&o, 0, sizeof(o));
	o.cfg = f->cfg;
	o.hosts = f->hosts;
	o.sshcfg = f->ssh;
	o.ssh_config_path = f->ssh_config;
	o.cache = c;
	o.host_glob = glob;
	o.interval_ms = 60000;
	assert_int_equal(probe_engine_new(&o, &e), ERR_OK);
	return e;
}

/* Runs the poll loop until no host is busy. Returns the results applied. */
static int pump(struct probe_engine *e)
{
	int applied = 0;

	while (probe_engine_busy(e)) {
		struct pollfd pfd = {probe_engine_fd(e), POLLIN, 0};

		assert_true(poll(&pfd, 1, 30000) >= 0);
		applied += probe_engine_apply_results(e);
	}
	return applied;
}

/* Probes until a host answers "unchanged". Every opencode process of this
 * machine's user is part of the change token, and other tests start and
 * stop some, so a few tries may see a change. */
static bool unchanged_soon(struct probe_engine *e, const struct probe_engine_host *h)
{
	for (int i = 0; i < 10; i++) {
		assert_int_equal(probe_engine_round(e), ERR_OK);
		if (h->state == PROBE_HOST_OK && h->changed == 0)
			return true;
		print_message("%s changed (try %d)\n", h->name, i + 1);
	}
	return false;
}

static void test_poll_api(void **state)
{
	struct fix *f = *state;
	struct cache *c = cache_open(f->cache_path);
	struct probe_engine *e = engine(f, c, "local");
	const struct probe_engine_host *local = probe_engine_find(e, "local");
	int64_t now = probe_engine_now_ms();

	assert_int_equal(probe_engine_count(e), 1);
	assert_non_null(local);
	assert_null(probe_engine_find(e, "refused"));
	assert_int_equal(local->state, PROBE_HOST_CONNECTING);
	assert_int_equal(probe_engine_next_timer_ms(e, now), 0); /* due */
	assert_int_equal(probe_engine_dispatch_due(e, now), 1);
	assert_int_equal(probe_engine_dispatch_due(e, now), 0); /* never queued twice */
	assert_int_equal(probe_engine_next_timer_ms(e, now), -1);
	assert_true(local->busy);
	assert_int_equal(pump(e), 1);
	assert_false(local->busy);
	assert_int_equal(local->state, PROBE_HOST_OK);
	assert_null(local->reason);
	assert_non_null(local->result);
	assert_int_equal(local->result->nsessions, 8);
	assert_int_equal(local->changed, 1);
	assert_true(local->probed_at > 0);
	/* the next probe: polling.interval (60 s here) +- 10 % */
	now = probe_engine_now_ms();
	assert_true(probe_engine_next_timer_ms(e, now) > 50000);
	assert_true(probe_engine_next_timer_ms(e, now) <= 66000);
	assert_int_equal(probe_engine_dispatch_due(e, now), 0);
	/* a refresh: the same data comes back as the one-line reply */
	assert_int_equal(probe_engine_refresh_host(e, "local"), ERR_OK);
	assert_int_equal(probe_engine_refresh_host(e, "nope"), ERR_USAGE);
	assert_int_equal(probe_engine_dispatch_due(e, probe_engine_now_ms()), 1);
	assert_int_equal(probe_engine_refresh_host(e, "local"), ERR_OK); /* busy: again later */
	assert_int_equal(pump(e), 1);
	assert_int_equal(local->probes, 2);
	assert_int_equal(probe_engine_next_timer_ms(e, probe_engine_now_ms()), 0); /* again */
	assert_true(unchanged_soon(e, local));
	assert_int_equal(local->result->nsessions, 8);
	probe_engine_free(e);
	assert_int_equal(cache_count(c), 1); /* the good reply */
	cache_close(c);
}

/* A refused host: offline with a reason, retried after the backoff
 * (1 s with equal jitter: 0.5-1 s), its state in the cache. */
static void test_backoff(void **state)
{
	struct fix *f = *state;
	struct cache *c = cache_open(f->cache_path);
	struct probe_engine *e = engine(f, c, "refused");
	const struct probe_engine_host *bad = probe_engine_host(e, 0);
	int64_t t, wait;

	assert_int_equal(probe_engine_dispatch_due(e, probe_engine_now_ms()), 1);
	assert_int_equal(pump(e), 1);
	assert_int_equal(bad->state, PROBE_HOST_OFFLINE);
	assert_non_null(bad->reason);
	assert_null(bad->result);
	assert_int_equal(bad->changed, -1);
	t = probe_engine_now_ms();
	wait = probe_engine_next_timer_ms(e, t);
	assert_true(wait >= 0 && wait <= 1000);
	assert_int_equal(probe_engine_dispatch_due(e, t), wait == 0 ? 1 : 0);
	assert_int_equal(probe_engine_dispatch_due(e, t + wait), wait == 0 ? 0 : 1);
	pump(e);
	assert_int_equal(bad->probes, 2);
	probe_engine_free(e);
	assert_int_equal(cache_count(c), 1); /* the state row */
	cache_close(c);
}

/* A second engine on the same cache starts stale, with the data, and the
 * cached token makes its first probe the short reply. */
static void test_stale_then_revalidated(void **state)
{
	struct fix *f = *state;
	struct cache *c = cache_open(f->cache_path);
	struct probe_engine *e = NULL;
	const struct probe_engine_host *local = NULL;

	e = engine(f, c, NULL);
	probe_engine_round(e);
	probe_engine_free(e);
	e = engine(f, c, "loc*");
	assert_int_equal(probe_engine_count(e), 1);
	local = probe_engine_host(e, 0);
	assert_int_equal(local->state, PROBE_HOST_STALE);
	assert_non_null(local->reason);
	assert_non_null(local->result);
	assert_int_equal(local->result->nsessions, 8);
	assert_true(local->probed_at > 0);
	assert_true(unchanged_soon(e, local));
	assert_int_equal(local->state, PROBE_HOST_OK);
	assert_int_equal(local->result->nsessions, 8);
	probe_engine_free(e);
	cache_close(c);
}

static void test_no_match(void **state)
{
	struct fix *f = *state;
	struct probe_engine_opts o;
	struct probe_engine *e = NULL;

	memset(&o, 0, sizeof(o));
	o.cfg = f->cfg;
	o.hosts = f->hosts;
	o.sshcfg = f->ssh;
	o.host_glob = "zzz*";
	assert_int_equal(probe_engine_new(&o, &e), ERR_USAGE);
	assert_null(e);
}

/* Freed with probes still out: the jobs are dropped, connections closed. */
static void test_free_while_busy(void **state)
{
	struct fix *f = *state;
	struct probe_engine *e = engine(f, NULL, NULL);

	assert_int_equal(probe_engine_dispatch_due(e, probe_engine_now_ms()), 2);
	probe_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_poll_api, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_then_revalidated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_match, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_free_while_busy, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	probe_conn_global_finish();
	return rc;
}

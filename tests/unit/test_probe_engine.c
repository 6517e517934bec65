/* probe_engine: the poll() API and the blocking round, with real parts: the
 * `local` host runs the real probe script on a copy of the 1.18 fixture
 * database, a remote host points at a refused port on 127.0.0.1, and the
 * cache is a real SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
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

static void fix_release(struct fix *f)
{
	disc_hosts_free(f->hosts);
	disc_sshcfg_free(f->ssh);
	disc_config_free(f->cfg);
	sh("rm -rf '%s'", f->dir);
	free(f->ssh_config);
	free(f->cache_path);
}

static int teardown(void **state)
{
	fix_release(*state);
	free(*state);
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
 * stop some, so a few tries may see a change. Each round also checks the
 * version: a full reply moves it, an unchanged one from ok does not. */
static bool unchanged_soon(struct probe_engine *e, const struct probe_engine_host *h)
{
	for (int i = 0; i < 10; i++) {
		unsigned v = h->version;
		enum probe_host_state was = h->state;

		assert_int_equal(probe_engine_round(e), ERR_OK);
		if (h->changed == 1)
			assert_int_not_equal(h->version, v);
		if (was == PROBE_HOST_OK && h->state == PROBE_HOST_OK && h->changed == 0)
			assert_int_equal(h->version, v);
		if (was != PROBE_HOST_OK && h->state == PROBE_HOST_OK)
			assert_int_not_equal(h->version, v);
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
	unsigned v;

	assert_int_equal(probe_engine_count(e), 1);
	assert_non_null(local);
	assert_null(probe_engine_find(e, "refused"));
	assert_int_equal(local->state, PROBE_HOST_CONNECTING);
	v = local->version;
	assert_int_equal(probe_engine_next_timer_ms(e, now), 0); /* due */
	assert_int_equal(probe_engine_dispatch_due(e, now), 1);
	assert_int_equal(probe_engine_dispatch_due(e, now), 0); /* never queued twice */
	assert_int_equal(probe_engine_next_timer_ms(e, now), -1);
	assert_true(local->busy);
	assert_int_equal(local->version, v); /* busy alone is not shown in the tree */
	assert_int_equal(pump(e), 1);
	assert_int_not_equal(local->version, v); /* state, reason and result */
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
	unsigned v = bad->version;

	assert_int_equal(probe_engine_dispatch_due(e, probe_engine_now_ms()), 1);
	assert_int_equal(pump(e), 1);
	assert_int_equal(bad->state, PROBE_HOST_OFFLINE);
	assert_non_null(bad->reason);
	assert_null(bad->result);
	assert_int_equal(bad->changed, -1);
	assert_int_not_equal(bad->version, v); /* connecting -> offline */
	v = bad->version;
	t = probe_engine_now_ms();
	wait = probe_engine_next_timer_ms(e, t);
	assert_true(wait >= 0 && wait <= 1000);
	assert_int_equal(probe_engine_dispatch_due(e, t), wait == 0 ? 1 : 0);
	assert_int_equal(probe_engine_dispatch_due(e, t + wait), wait == 0 ? 0 : 1);
	pump(e);
	assert_int_equal(bad->probes, 2);
	/* the same failure again: latency and probes moved, nothing shown did */
	assert_int_equal(bad->state, PROBE_HOST_OFFLINE);
	assert_int_equal(bad->version, v);
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

/* ---- hosts that hang ---- */

/* fault_server.js (tests/fleet) on three ports, and a ProxyCommand that
 * ignores SIGTERM and never speaks: every worker is stuck in a different
 * wait (banner, key exchange, a banner that trickles in, a proxy) with
 * polling.timeout 20 s and ssh.connect_timeout 10 s. */
struct hang {
	struct fix f;
	pid_t server;
	char *pid_file; /* the proxy writes its pid here */
};

static int fault_port(const char *ports, const char *mode)
{
	char key[32];
	const char *at = NULL;

	snprintf(key, sizeof(key), "%s ", mode);
	for (at = ports; (at = strstr(at, key)) != NULL; at++)
		if (at == ports || at[-1] == '\n')
			return atoi(at + strlen(key));
	return 0;
}

static int setup_hang(void **state)
{
	struct hang *h = xcalloc(1, sizeof(*h));
	struct fix *f = &h->f;
	const char *src = getenv("CODEFLEET_SRC") ? getenv("CODEFLEET_SRC") : CODEFLEET_SOURCE_DIR;
	const char *const *aliases = NULL;
	char *ports_file = NULL, *ports = NULL, *out = NULL;
	FILE *fp = NULL;
	size_t n;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_probe_engine.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	ports_file = xasprintf("%s/ports", f->dir);
	out = xasprintf("%s/server.pid", f->dir);
	assert_int_equal(
	    sh("node '%s/tests/fleet/fault_server.js' --port-file '%s' --owner-pid %d "
	       "--lifetime 120 --listen silent --listen banner-silent --listen trickle "
	       ">/dev/null 2>&1 & echo $! >'%s'",
	       src, ports_file, (int)getpid(), out),
	    0);
	for (int i = 0; i < 100 && access(ports_file, R_OK) != 0; i++)
		usleep(50000);
	fp = fopen(out, "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%d", &h->server), 1);
	fclose(fp);
	fp = fopen(ports_file, "r");
	assert_non_null(fp);
	ports = xcalloc(1, 256);
	assert_true(fread(ports, 1, 255, fp) > 0);
	fclose(fp);
	h->pid_file = xasprintf("%s/proxy.pid", f->dir);
	f->ssh_config = xasprintf("%s/ssh_config", f->dir);
	fp = fopen(f->ssh_config, "w");
	assert_non_null(fp);
	fprintf(fp, "Host *\n  HostName 127.0.0.1\n  User nobody\n  BatchMode yes\n");
	fprintf(fp, "Host silent\n  Port %d\n", fault_port(ports, "silent"));
	fprintf(fp, "Host kexstall\n  Port %d\n", fault_port(ports, "banner-silent"));
	fprintf(fp, "Host trickle\n  Port %d\n", fault_port(ports, "trickle"));
	fprintf(fp,
	        "Host proxy\n  ProxyCommand sh -c 'echo $$ >%s; trap \"\" TERM; exec sleep 60'\n",
	        h->pid_file);
	fclose(fp);
	f->cfg = disc_config_new_defaults();
	f->cfg->local = false;
	f->cfg->polling.timeout_ms = 20000;
	f->cfg->ssh.connect_timeout_ms = 10000;
	assert_int_equal(disc_sshcfg_load(f->ssh_config, &f->ssh), ERR_OK);
	n = disc_sshcfg_aliases(f->ssh, &aliases);
	assert_int_equal(disc_hosts_build(f->cfg, aliases, n, NULL, &f->hosts), ERR_OK);
	assert_int_equal(f->hosts->n, 4);
	free(ports_file);
	free(ports);
	free(out);
	*state = h;
	return 0;
}

static int teardown_hang(void **state)
{
	struct hang *h = *state;

	if (h->server > 0)
		kill(h->server, SIGTERM);
	free(h->pid_file);
	fix_release(&h->f);
	free(h);
	return 0;
}

/* Quitting does not wait for the probes in flight: free returns at once
 * although every host hangs well inside its 10 s / 20 s deadline, and the
 * proxy (which ignores SIGTERM) is killed and reaped. The bound is loose
 * (2 s against a 10 s deadline) so a busy machine does not fail it. */
static void test_free_with_hosts_hanging(void **state)
{
	struct hang *h = *state;
	struct probe_engine *e = engine(&h->f, NULL, NULL);
	int64_t t0;
	int proxy = 0;
	FILE *fp = NULL;

	assert_int_equal(probe_engine_dispatch_due(e, probe_engine_now_ms()), 4);
	usleep(700000); /* every worker deep in its wait */
	assert_int_equal(probe_engine_apply_results(e), 0);
	assert_int_equal(probe_engine_busy(e), 4);
	fp = fopen(h->pid_file, "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%d", &proxy), 1);
	fclose(fp);
	assert_int_equal(kill(proxy, 0), 0);
	t0 = probe_engine_now_ms();
	probe_engine_free(e);
	print_message("probe_engine_free with 4 hosts hanging: %lld ms\n",
	              (long long)(probe_engine_now_ms() - t0));
	assert_true(probe_engine_now_ms() - t0 < 2000);
	/* killed and reaped (a zombie would still answer kill 0) */
	assert_int_equal(kill(proxy, 0), -1);
	assert_int_equal(errno, ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_poll_api, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_then_revalidated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_match, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_free_while_busy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_free_with_hosts_hanging, setup_hang,
	                                    teardown_hang),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	probe_conn_global_finish();
	return rc;
}

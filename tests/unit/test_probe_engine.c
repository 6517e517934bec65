/* probe_engine: the poll() API and the blocking round, with real parts: the
 * `local` host runs the real probe script on a copy of the 1.18 fixture
 * database, a remote host points at a refused port on 127.0.0.1, and the
 * cache is a real SQLite file. Trusting an unknown host key runs against the
 * target sshd of conn_testlib.h. */
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

#include "conn_testlib.h" /* sh(), setup() and teardown() of the sshd */

struct fix {
	char dir[64];
	char *ssh_config;
	char *cache_path;
	struct disc_config *cfg;
	struct disc_sshcfg *ssh;
	struct disc_hosts *hosts;
};

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

static int setup_fix(void **state)
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

static int teardown_fix(void **state)
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

/* ---- an unknown host key, trusted from the dashboard ---- */

/* conn_testlib's target sshd, its sessions reading the fixture database
 * (SetEnv), and one alias per case, each with its own known_hosts file:
 * fresh and other (nothing known), changed (hk2 recorded for the target),
 * strict (StrictHostKeyChecking yes). */
struct trust {
	struct fix f;
	char other_fp[128]; /* SHA256:... of hk2 */
};

/* (Re)starts the target sshd on its port with host key `hostkey`. */
static void target_sshd(const struct trust *t, const char *hostkey)
{
	char *cfg = path("sshd_trust");
	char *text = xasprintf("ListenAddress 127.0.0.1\nPort %d\nHostKey %s/%s\n"
	                       "PidFile %s/sshd_trust.pid\nAuthorizedKeysFile %s/authorized_keys\n"
	                       "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
	                       "KbdInteractiveAuthentication no\nPermitRootLogin yes\n"
	                       "MaxSessions 10\nSetEnv XDG_DATA_HOME=%s/data\n",
	                       E.port, E.dir, hostkey, E.dir, E.dir, t->f.dir);
	char *argv[] = {"/usr/sbin/sshd", "-D", "-f", cfg, "-E", NULL, NULL};

	argv[5] = xasprintf("%s.log", cfg);
	stop(&E.sshd);
	write_file(cfg, text);
	E.sshd = spawn(argv, NULL);
	for (int i = 0; i < 200 && !port_open(E.port); i++)
		usleep(20000);
	assert_true(port_open(E.port));
	free(argv[5]);
	free(cfg);
	free(text);
}

static int setup_trust(void **state)
{
	struct trust *t = xcalloc(1, sizeof(*t));
	struct fix *f = &t->f;
	const char *src = getenv("CODEFLEET_SRC") ? getenv("CODEFLEET_SRC") : CODEFLEET_SOURCE_DIR;
	const char *const *aliases = NULL;
	char *kh = NULL, *fp = NULL;
	FILE *out = NULL;
	size_t n;

	if (setup(state) != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_probe_engine.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(
	    sh("mkdir -p '%s/data/opencode' && cp '%s/tests/fixtures/opencode-1.18.db' "
	       "'%s/data/opencode/opencode.db' && ssh-keygen -lf '%s/hk2.pub' | "
	       "cut -d' ' -f2 | tr -d '\\n' >'%s/hk2.fp'",
	       f->dir, src, f->dir, E.dir, f->dir),
	    0);
	fp = xasprintf("%s/hk2.fp", f->dir);
	{
		char *text = slurp(fp);

		snprintf(t->other_fp, sizeof(t->other_fp), "%s", text);
		free(text);
	}
	free(fp);
	target_sshd(t, "hk");
	kh = xasprintf("%s/kh_changed", f->dir);
	known_hosts_line(kh, "hk2.pub", E.port);
	free(kh);
	f->ssh_config = xasprintf("%s/ssh_config", f->dir);
	out = fopen(f->ssh_config, "w");
	assert_non_null(out);
	for (size_t i = 0; i < 3; i++) {
		const char *name = (const char *[]){"fresh", "other", "changed"}[i];

		fprintf(out, "Host %s\n  UserKnownHostsFile %s/kh_%s\n", name, f->dir, name);
	}
	fprintf(out,
	        "Host strict\n  UserKnownHostsFile %s/kh_strict\n"
	        "  StrictHostKeyChecking yes\n",
	        f->dir);
	fprintf(out,
	        "Host *\n  HostName 127.0.0.1\n  Port %d\n  User %s\n  IdentityFile %s/id\n"
	        "  IdentitiesOnly yes\n  IdentityAgent none\n  BatchMode yes\n"
	        "  GlobalKnownHostsFile %s/kh_global\n",
	        E.port, E.user, E.dir, f->dir);
	fclose(out);
	f->cfg = disc_config_new_defaults();
	f->cfg->local = false;
	f->cfg->polling.timeout_ms = 20000;
	assert_int_equal(disc_sshcfg_load(f->ssh_config, &f->ssh), ERR_OK);
	n = disc_sshcfg_aliases(f->ssh, &aliases);
	assert_int_equal(disc_hosts_build(f->cfg, aliases, n, NULL, &f->hosts), ERR_OK);
	assert_int_equal(f->hosts->n, 4);
	*state = t;
	return 0;
}

static int teardown_trust(void **state)
{
	struct trust *t = *state;

	fix_release(&t->f);
	free(t);
	return teardown(state);
}

static bool file_has(const char *file, const char *what)
{
	char *text = slurp(file);
	bool yes = strstr(text, what) != NULL;

	free(text);
	return yes;
}

/* Refused for a wrong host, state or fingerprint, a changed key and
 * StrictHostKeyChecking yes; asked while the host's probe is out, it goes
 * with the probe after; that probe records the key, and the key stays known
 * for a second engine that trusts nothing. */
static void test_trust_hostkey(void **state)
{
	struct trust *t = *state;
	struct probe_engine *e = engine(&t->f, NULL, NULL);
	const struct probe_engine_host *fresh = probe_engine_find(e, "fresh");
	const struct probe_engine_host *changed = probe_engine_find(e, "changed");
	char *kh = xasprintf("%s/kh_fresh", t->f.dir);
	char *key = path("hk.pub");
	char *key_b64 = slurp(key);
	char *end = strchr(key_b64, ' ') + 1;

	end[strcspn(end, " \n")] = '\0'; /* "ssh-ed25519 AAAA...", without the comment */
	assert_int_equal(probe_engine_round(e), ERR_OK);
	assert_int_equal(fresh->state, PROBE_HOST_HOSTKEY_UNKNOWN);
	assert_string_equal(fresh->fingerprint, E.host_fp);
	assert_int_equal(changed->state, PROBE_HOST_HOSTKEY_CHANGED);
	assert_string_equal(changed->fingerprint, E.host_fp);
	assert_int_equal(probe_engine_find(e, "strict")->state, PROBE_HOST_HOSTKEY_UNKNOWN);
	assert_int_equal(probe_engine_trust_hostkey(e, "nope", E.host_fp), ERR_USAGE);
	assert_int_equal(probe_engine_trust_hostkey(e, "fresh", t->other_fp), ERR_USAGE);
	assert_non_null(strstr(err_text(), E.host_fp));
	assert_int_equal(probe_engine_trust_hostkey(e, "fresh", NULL), ERR_USAGE);
	assert_int_equal(probe_engine_trust_hostkey(e, "changed", E.host_fp), ERR_USAGE);
	assert_non_null(strstr(err_text(), "hostkey-changed"));
	assert_int_equal(probe_engine_trust_hostkey(e, "strict", E.host_fp), ERR_USAGE);
	assert_non_null(strstr(err_text(), "StrictHostKeyChecking yes"));
	assert_int_equal(access(kh, F_OK), -1);
	/* asked while a probe is out: that probe knows nothing of it... */
	assert_int_equal(probe_engine_refresh_host(e, "fresh"), ERR_OK);
	assert_true(probe_engine_dispatch_due(e, probe_engine_now_ms()) >= 1);
	assert_true(fresh->busy);
	assert_int_equal(probe_engine_trust_hostkey(e, "fresh", E.host_fp), ERR_OK);
	pump(e);
	assert_int_equal(fresh->state, PROBE_HOST_HOSTKEY_UNKNOWN);
	assert_int_equal(access(kh, F_OK), -1);
	/* ...the next one, due at once, records the key and gets through */
	assert_true(probe_engine_dispatch_due(e, probe_engine_now_ms()) >= 1);
	assert_true(fresh->busy);
	pump(e);
	assert_int_equal(fresh->state, PROBE_HOST_OK);
	assert_null(fresh->fingerprint);
	assert_non_null(fresh->result);
	assert_int_equal(fresh->result->nsessions, 8);
	assert_true(file_has(kh, key_b64));
	assert_int_equal(probe_engine_trust_hostkey(e, "fresh", E.host_fp), ERR_USAGE);
	assert_int_equal(changed->state, PROBE_HOST_HOSTKEY_CHANGED);
	probe_engine_free(e);
	/* recorded for good: a new engine, trusting nothing, is ok at once */
	e = engine(&t->f, NULL, "fresh");
	assert_int_equal(probe_engine_round(e), ERR_OK);
	assert_int_equal(probe_engine_host(e, 0)->state, PROBE_HOST_OK);
	probe_engine_free(e);
	free(kh);
	free(key);
	free(key_b64);
}

/* The server's key changes between the question and the probe: the key the
 * user did not see is not recorded, and the trust is gone with that probe
 * (the key shown, back again, is unknown again). */
static void test_trust_hostkey_swapped(void **state)
{
	struct trust *t = *state;
	struct probe_engine *e = engine(&t->f, NULL, "other");
	const struct probe_engine_host *h = probe_engine_host(e, 0);
	char *kh = xasprintf("%s/kh_other", t->f.dir);

	assert_int_equal(probe_engine_round(e), ERR_OK);
	assert_int_equal(h->state, PROBE_HOST_HOSTKEY_UNKNOWN);
	assert_string_equal(h->fingerprint, E.host_fp);
	target_sshd(t, "hk2");
	assert_int_equal(probe_engine_trust_hostkey(e, "other", E.host_fp), ERR_OK);
	assert_int_equal(probe_engine_round(e), ERR_OK);
	assert_int_equal(h->state, PROBE_HOST_HOSTKEY_UNKNOWN);
	assert_string_equal(h->fingerprint, t->other_fp);
	assert_int_equal(access(kh, F_OK), -1);
	target_sshd(t, "hk");
	assert_int_equal(probe_engine_round(e), ERR_OK);
	assert_int_equal(h->state, PROBE_HOST_HOSTKEY_UNKNOWN);
	assert_string_equal(h->fingerprint, E.host_fp);
	assert_int_equal(access(kh, F_OK), -1);
	probe_engine_free(e);
	free(kh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_poll_api, setup_fix, teardown_fix),
	    cmocka_unit_test_setup_teardown(test_backoff, setup_fix, teardown_fix),
	    cmocka_unit_test_setup_teardown(test_stale_then_revalidated, setup_fix, teardown_fix),
	    cmocka_unit_test_setup_teardown(test_no_match, setup_fix, teardown_fix),
	    cmocka_unit_test_setup_teardown(test_free_while_busy, setup_fix, teardown_fix),
	    cmocka_unit_test_setup_teardown(test_free_with_hosts_hanging, setup_hang,
	                                    teardown_hang),
	    cmocka_unit_test_setup_teardown(test_trust_hostkey, setup_trust, teardown_trust),
	    cmocka_unit_test_setup_teardown(test_trust_hostkey_swapped, setup_trust,
	                                    teardown_trust),
	};
	int rc;

	conn_test_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);

	probe_conn_global_finish();
	return rc;
}

/* probe_conn_opts: resolved ssh options (through disc_sshcfg, as ssh -G
 * computes them) into what a connection is opened from. No sshd needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discovery/disc_sshcfg.h"
#include "probe/probe_conn_opts.h"
#include "util/err.h"
#include "util/xmem.h"

static char dir[64];

static char *path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void write_file(const char *file, const char *text)
{
	FILE *fp = fopen(file, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* The options of host "t" from a config made of `body`. */
static struct probe_conn_opts *opts_of(const char *body)
{
	char *cfg = path("ssh_config");
	char *text = xasprintf("Host t\n%s", body);
	struct disc_sshcfg *sc = NULL;
	struct disc_opts *d = NULL;
	struct probe_conn_opts *o = NULL;

	write_file(cfg, text);
	assert_int_equal(disc_sshcfg_load(cfg, &sc), ERR_OK);
	assert_int_equal(disc_sshcfg_resolve(sc, "t", &d), ERR_OK);
	assert_int_equal(probe_conn_opts_from_disc(d, "t", NULL, &o), ERR_OK);
	disc_opts_free(d);
	disc_sshcfg_free(sc);
	free(text);
	free(cfg);
	return o;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pconnopts.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf %s", dir);

	(void)state;
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	return 0;
}

static void test_opts_from_disc(void **state)
{
	char *cfg = path("ssh_config_disc");
	char *text = xasprintf("Host t\n  HostName 127.0.0.1\n  Port %d\n  User %s\n"
	                       "  IdentityFile %s/id\n  IdentitiesOnly yes\n"
	                       "  UserKnownHostsFile %s/kh_good %s/kh_other\n"
	                       "  StrictHostKeyChecking accept-new\n  ServerAliveInterval 7\n"
	                       "  ConnectTimeout 4\n  ProxyJump jump\n  IdentityAgent none\n"
	                       "  HostKeyAlias fleet-t\n",
	                       2222, "alice", dir, dir, dir);
	struct disc_sshcfg *sc = NULL;
	struct disc_opts *d = NULL;
	struct probe_conn_opts *o = NULL;

	(void)state;
	write_file(cfg, text);
	assert_int_equal(disc_sshcfg_load(cfg, &sc), ERR_OK);
	assert_int_equal(disc_sshcfg_resolve(sc, "t", &d), ERR_OK);
	assert_int_equal(probe_conn_opts_from_disc(d, "t", cfg, &o), ERR_OK);
	assert_string_equal(o->hostname, "127.0.0.1");
	assert_int_equal(o->port, 2222);
	assert_string_equal(o->user, "alice");
	assert_int_equal(o->n_identity_files, 1);
	assert_true(o->identities_only);
	assert_int_equal(o->n_user_known_hosts, 2);
	assert_true(o->n_known_hosts >= 2);
	assert_int_equal(o->strict, PROBE_STRICT_ACCEPT_NEW);
	assert_int_equal(o->alive_interval_s, 7);
	assert_int_equal(o->alive_count_max, 3);
	assert_int_equal(o->connect_timeout_s, 4);
	assert_string_equal(o->proxy_jump, "jump");
	assert_null(o->proxy_command);
	assert_string_equal(o->identity_agent, "none");
	assert_string_equal(o->host_key_alias, "fleet-t");
	probe_conn_opts_free(o);
	disc_opts_free(d);
	disc_sshcfg_free(sc);
	free(text);
	free(cfg);
}

static void test_strict_words(void **state)
{
	static const struct {
		const char *word;
		enum probe_conn_strict want;
	} cases[] = {
	    {"yes", PROBE_STRICT_YES}, {"accept-new", PROBE_STRICT_ACCEPT_NEW},
	    {"no", PROBE_STRICT_NO},   {"off", PROBE_STRICT_NO},
	    {"ask", PROBE_STRICT_ASK},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *body = xasprintf("  StrictHostKeyChecking %s\n", cases[i].word);
		struct probe_conn_opts *o = opts_of(body);

		assert_int_equal(o->strict, cases[i].want);
		probe_conn_opts_free(o);
		free(body);
	}
}

static void test_defaults_and_none(void **state)
{
	struct probe_conn_opts *o = NULL;

	(void)state;
	o = opts_of("  HostName example.invalid\n  ProxyCommand none\n"
	            "  IdentityAgent SSH_AUTH_SOCK\n");
	assert_string_equal(o->alias, "t");
	assert_string_equal(o->hostname, "example.invalid");
	assert_int_equal(o->port, 22);
	assert_null(o->proxy_command);
	assert_null(o->proxy_jump);
	assert_null(o->identity_agent); /* $SSH_AUTH_SOCK at open time */
	assert_null(o->host_key_alias);
	assert_null(o->ssh_config);
	assert_false(o->identities_only);
	assert_int_equal(o->alive_interval_s, 0);
	assert_int_equal(o->alive_count_max, 3);
	assert_int_equal(o->connect_timeout_s, 0);
	probe_conn_opts_free(o);
}

static void test_home_expanded(void **state)
{
	char *old = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	char *p = NULL;
	struct probe_conn_opts *o = NULL;

	(void)state;
	setenv("HOME", "/home/someone", 1);
	p = probe_conn_opts_expand_home("~/.ssh/id");
	assert_string_equal(p, "/home/someone/.ssh/id");
	free(p);
	p = probe_conn_opts_expand_home("~");
	assert_string_equal(p, "/home/someone");
	free(p);
	p = probe_conn_opts_expand_home("~other/x"); /* not ours to expand */
	assert_string_equal(p, "~other/x");
	free(p);
	/* ssh -G prints IdentityFile with ~ as written (IdentityAgent, by
	 * contrast, the resolver expands itself) */
	o = opts_of("  IdentityFile ~/k1\n");
	assert_true(o->n_identity_files >= 1);
	assert_string_equal(o->identity_files[0], "/home/someone/k1");
	probe_conn_opts_free(o);
	if (old)
		setenv("HOME", old, 1);
	else
		unsetenv("HOME");
	free(old);
}

static void test_dup(void **state)
{
	struct probe_conn_opts *o = opts_of("  UserKnownHostsFile /a /b\n  ProxyJump j1,j2\n");
	struct probe_conn_opts *d = NULL;

	(void)state;
	o->n_user_known_hosts = o->n_known_hosts + 5; /* clamped by the copy */
	d = probe_conn_opts_dup(o);
	assert_ptr_not_equal(d->hostname, o->hostname);
	assert_string_equal(d->hostname, o->hostname);
	assert_string_equal(d->proxy_jump, "j1,j2");
	assert_int_equal(d->n_known_hosts, o->n_known_hosts);
	assert_int_equal(d->n_user_known_hosts, o->n_known_hosts);
	assert_string_equal(d->known_hosts[0], "/a");
	assert_string_equal(d->known_hosts[1], "/b");
	assert_ptr_not_equal(d->known_hosts, o->known_hosts);
	probe_conn_opts_free(o);
	probe_conn_opts_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opts_from_disc),
	    cmocka_unit_test(test_strict_words),
	    cmocka_unit_test(test_defaults_and_none),
	    cmocka_unit_test(test_home_expanded),
	    cmocka_unit_test(test_dup),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

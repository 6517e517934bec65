/* disc_resolve: resolving a host as `ssh -G` does: first value wins,
 * Host/Match, the final pass, identity files, ProxyJump/ProxyCommand,
 * user@host and refused names, and threads resolving at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discovery/disc_sshcfg.h"
#include "util/err.h"

#include "sshcfg_testlib.h"

static void test_first_value_wins_and_defaults(void **state)
{
	struct disc_opts *o;
	struct passwd *pw = getpwuid(getuid());
	char want[512];

	(void)state;
	o = resolve("Host web\n  Port 2200\n  User first\nHost *\n  Port 22\n  User second\n"
	            "  HostName %h.Example.ORG\n",
	            "web");
	assert_string_equal(disc_opts_get(o, "port"), "2200");
	assert_string_equal(disc_opts_get(o, "user"), "first");
	/* HostName gets %h and is lower-cased, as ssh -G shows it. */
	assert_string_equal(disc_opts_get(o, "hostname"), "web.example.org");
	assert_string_equal(disc_opts_get(o, "connecttimeout"), "none");
	assert_string_equal(disc_opts_get(o, "stricthostkeychecking"), "ask");
	assert_string_equal(disc_opts_get(o, "serveralivecountmax"), "3");
	assert_string_equal(disc_opts_get(o, "batchmode"), "no");
	assert_null(disc_opts_get(o, "proxycommand"));
	assert_null(disc_opts_get(o, "hostkeyalias"));
	snprintf(want, sizeof(want), "%s/.ssh/known_hosts", pw->pw_dir);
	assert_string_equal(disc_opts_get(o, "userknownhostsfile"), want);
	disc_opts_free(o);
}

static void test_host_patterns_and_negation(void **state)
{
	const char *cfg = "Host *.prod !db*.prod\n  User ops\nHost db?.prod\n  User dba\n"
	                  "Host=\"two words\" other\n  Port 7\n";
	struct disc_opts *o;

	(void)state;
	o = resolve(cfg, "web.prod");
	assert_string_equal(disc_opts_get(o, "user"), "ops");
	disc_opts_free(o);
	o = resolve(cfg, "db1.prod");
	assert_string_equal(disc_opts_get(o, "user"), "dba");
	disc_opts_free(o);
	o = resolve(cfg, "other");
	assert_string_equal(disc_opts_get(o, "port"), "7");
	disc_opts_free(o);
	/* Host patterns are case-sensitive. */
	o = resolve(cfg, "OTHER");
	assert_string_equal(disc_opts_get(o, "port"), "22");
	disc_opts_free(o);
}

static void test_match_and_final_pass(void **state)
{
	const char *cfg =
	    "Host a\n  HostName real.example\n"
	    "Match host real.example user !root\n  ConnectTimeout 3\n"
	    "Match final host real.example\n  BatchMode yes\n  ServerAliveInterval 5\n"
	    "Match originalhost a exec \"test %n = a\"\n  IdentitiesOnly yes\n"
	    "Match exec \"exit 1\"\n  ServerAliveCountMax 1\n";
	struct disc_opts *o;

	(void)state;
	o = resolve(cfg, "a");
	assert_string_equal(disc_opts_get(o, "batchmode"), "yes");
	assert_string_equal(disc_opts_get(o, "serveraliveinterval"), "5");
	assert_string_equal(disc_opts_get(o, "identitiesonly"), "yes");
	assert_string_equal(disc_opts_get(o, "serveralivecountmax"), "3");
	disc_opts_free(o);
	/* Debian: BatchMode without ServerAliveInterval means 300. */
	o = resolve("Host *\n  BatchMode yes\n", "z");
	assert_string_equal(disc_opts_get(o, "serveraliveinterval"), "300");
	disc_opts_free(o);
}

/* In the final pass ssh matches Host lines against the final host name. */
static void test_final_pass_host_uses_final_name(void **state)
{
	const char *cfg = "Host a\n  HostName Real.Example\nHost real.example\n  Port 2345\n";
	char *text = NULL;
	struct disc_opts *o;

	(void)state;
	o = resolve(cfg, "a");
	assert_string_equal(disc_opts_get(o, "port"), "22");
	disc_opts_free(o);
	text = malloc(strlen(cfg) + 32);
	sprintf(text, "Match final\n  User f\n%s", cfg);
	o = resolve(text, "a");
	assert_string_equal(disc_opts_get(o, "port"), "2345");
	assert_string_equal(disc_opts_get(o, "hostname"), "real.example");
	disc_opts_free(o);
	free(text);
}

static void test_identity_files_accumulate(void **state)
{
	struct disc_opts *o;
	const char *const *v = NULL;
	char *out;

	(void)state;
	o = resolve("Host x\n  IdentityFile ~/.ssh/a\n  IdentityFile %d/b\nHost *\n"
	            "  IdentityFile ~/.ssh/a\n  UserKnownHostsFile /k/%h /k/%r-%p\n",
	            "x");
	assert_int_equal(disc_opts_get_all(o, "identityfile", &v), 2);
	/* ssh -G prints IdentityFile unexpanded. */
	assert_string_equal(v[0], "~/.ssh/a");
	assert_string_equal(v[1], "%d/b");
	assert_null(v[2]);
	out = printed(o);
	assert_non_null(strstr(out, "\nidentityfile ~/.ssh/a\nidentityfile %d/b\n"));
	assert_non_null(strstr(out, "\nuserknownhostsfile /k/x /k/"));
	assert_non_null(strstr(out, "-22\nforwardagent no\n"));
	assert_int_equal(strncmp(out, "host x\nuser ", 12), 0);
	free(out);
	disc_opts_free(o);
	o = resolve("Host *\n  IdentityFile ~/one\n", "x");
	assert_int_equal(disc_opts_get_all(o, "identityfile", &v), 1);
	disc_opts_free(o);
	o = resolve("Host *\n  UserKnownHostsFile none\n", "x");
	assert_string_equal(disc_opts_get(o, "userknownhostsfile"), "none");
	disc_opts_free(o);
}

static void test_proxy_jump_and_command(void **state)
{
	struct disc_opts *o;

	(void)state;
	o = resolve("Host a\n  ProxyJump u@j1:2200,j2\n  ProxyCommand nc %h %p\n", "a");
	assert_string_equal(disc_opts_get(o, "proxyjump"), "u@j1:2200,j2");
	assert_null(disc_opts_get(o, "proxycommand"));
	disc_opts_free(o);
	o = resolve("Host a\n  ProxyCommand nc %h %p\n  ProxyJump j1\n", "a");
	assert_string_equal(disc_opts_get(o, "proxycommand"), "nc %h %p");
	assert_null(disc_opts_get(o, "proxyjump"));
	disc_opts_free(o);
	o = resolve("Host a\n  ProxyJump 10.0.0.1:2222\n", "a");
	assert_string_equal(disc_opts_get(o, "proxyjump"), "[10.0.0.1]:2222");
	disc_opts_free(o);
	o = resolve("Host a\n  ProxyCommand none\n", "a");
	assert_null(disc_opts_get(o, "proxycommand"));
	disc_opts_free(o);
}

static void test_user_at_host_and_bad_names(void **state)
{
	struct disc_sshcfg *cfg = NULL;
	struct disc_opts *o = NULL;

	(void)state;
	assert_int_equal(disc_sshcfg_load(put_file("config", "Host h\n  User cfg\n"), &cfg),
	                 ERR_OK);
	assert_int_equal(disc_sshcfg_resolve(cfg, "cli@h", &o), ERR_OK);
	assert_string_equal(disc_opts_get(o, "user"), "cli");
	assert_string_equal(disc_opts_get(o, "host"), "h");
	disc_opts_free(o);
	assert_int_equal(disc_sshcfg_resolve(cfg, "ssh://uri@h:2022", &o), ERR_OK);
	assert_string_equal(disc_opts_get(o, "user"), "uri");
	assert_string_equal(disc_opts_get(o, "port"), "2022");
	disc_opts_free(o);
	assert_int_not_equal(disc_sshcfg_resolve(cfg, "a;b", &o), ERR_OK);
	assert_null(o);
	assert_int_not_equal(disc_sshcfg_resolve(cfg, "-oProxyCommand=x", &o), ERR_OK);
	disc_sshcfg_free(cfg);
}

struct job {
	const struct disc_sshcfg *cfg;
	const char *host;
	char *out;
};

static void *resolve_many(void *arg)
{
	struct job *j = arg;

	for (int i = 0; i < 20; i++) {
		struct disc_opts *o = NULL;

		if (disc_sshcfg_resolve(j->cfg, j->host, &o) != ERR_OK)
			return NULL;
		free(j->out);
		j->out = printed(o);
		disc_opts_free(o);
	}
	return j;
}

/* The loaded config is read-only: threads resolve at once and each gets
 * what a lone resolve gets. */
static void test_concurrent_resolve(void **state)
{
	struct disc_sshcfg *cfg = NULL;
	static const char *const hosts[] = {"a", "b", "a", "c", "b", "a", "c", "d"};
	struct job jobs[8];
	pthread_t th[8];

	(void)state;
	assert_int_equal(
	    disc_sshcfg_load(put_file("config", "Host a\n  Port 1\nHost b\n  Port 2\n"
	                                        "Match exec \"test %h = c\"\n  Port 3\n"
	                                        "Host *\n  User u%h\n"),
	                     &cfg),
	    ERR_OK);
	for (int i = 0; i < 8; i++) {
		jobs[i] = (struct job){cfg, hosts[i], NULL};
		assert_int_equal(pthread_create(&th[i], NULL, resolve_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		struct disc_opts *o = NULL;
		char *want;
		void *ret = NULL;

		pthread_join(th[i], &ret);
		assert_non_null(ret);
		assert_int_equal(disc_sshcfg_resolve(cfg, hosts[i], &o), ERR_OK);
		want = printed(o);
		assert_string_equal(jobs[i].out, want);
		free(want);
		free(jobs[i].out);
		disc_opts_free(o);
	}
	disc_sshcfg_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_value_wins_and_defaults),
	    cmocka_unit_test(test_host_patterns_and_negation),
	    cmocka_unit_test(test_match_and_final_pass),
	    cmocka_unit_test(test_final_pass_host_uses_final_name),
	    cmocka_unit_test(test_identity_files_accumulate),
	    cmocka_unit_test(test_proxy_jump_and_command),
	    cmocka_unit_test(test_user_at_host_and_bad_names),
	    cmocka_unit_test(test_concurrent_resolve),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* probe_hostkey against the target sshd (see conn_testlib.h): changed
 * keys under every StrictHostKeyChecking, unknown keys and accept-new,
 * hashed entries, HostKeyAlias, the second file of the list, a key the user
 * trusted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conn_testlib.h"

static void test_hostkey_changed(void **state)
{
	char *kh = path("kh_changed");
	struct probe_conn *c = NULL;
	size_t at = file_size("sshd_a.log");
	char *log = NULL;
	enum probe_conn_strict modes[] = {PROBE_STRICT_YES, PROBE_STRICT_NO,
	                                  PROBE_STRICT_ACCEPT_NEW, PROBE_STRICT_ASK};

	(void)state;
	known_hosts_line(kh, "hk2.pub", E.port); /* another key for the target */
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct probe_conn_opts *o = target_opts("kh_changed", "id");

		o->strict = modes[i];
		assert_int_equal(open_with(o, &c, 10000), ERR_HOSTKEY);
		assert_int_equal(probe_conn_state(c), PROBE_CONN_HOSTKEY_CHANGED);
		assert_string_equal(probe_conn_state_name(probe_conn_state(c)), "hostkey-changed");
		assert_non_null(strstr(probe_conn_reason(c), E.host_fp));
		probe_conn_free(c);
	}
	usleep(300000); /* let sshd write its log */
	log = log_since("sshd_a.log", at);
	assert_non_null(strstr(log, "Connection from 127.0.0.1"));
	assert_null(strstr(log, "userauth-request"));
	free(log);
	/* the same log does show authentication on a normal connection */
	ensure_kh_good();
	at = file_size("sshd_a.log");
	assert_int_equal(open_with(target_opts(NULL, "id"), &c, 10000), ERR_OK);
	probe_conn_free(c);
	usleep(300000);
	log = log_since("sshd_a.log", at);
	assert_non_null(strstr(log, "userauth-request"));
	free(log);
	free(kh);
}

static void test_hostkey_unknown_and_accept_new(void **state)
{
	struct probe_conn_opts *o = NULL;
	struct probe_conn *c = NULL;
	char *kh = path("kh_new");
	char *text = NULL;

	(void)state;
	write_file(kh, "");
	o = target_opts("kh_new", "id");
	o->strict = PROBE_STRICT_ASK;
	assert_int_equal(open_with(o, &c, 10000), ERR_HOSTKEY);
	assert_string_equal(probe_conn_state_name(probe_conn_state(c)), "hostkey-unknown");
	assert_non_null(strstr(probe_conn_reason(c), E.host_fp));
	assert_string_equal(probe_conn_fingerprint(c), E.host_fp);
	probe_conn_free(c);
	/* StrictHostKeyChecking no: used, not recorded */
	o = target_opts("kh_new", "id");
	o->strict = PROBE_STRICT_NO;
	assert_int_equal(open_with(o, &c, 10000), ERR_OK);
	probe_conn_free(c);
	text = slurp(kh);
	assert_string_equal(text, "");
	free(text);
	/* accept-new: recorded in the first file, then trusted under yes */
	o = target_opts("kh_new", "id");
	o->strict = PROBE_STRICT_ACCEPT_NEW;
	assert_int_equal(open_with(o, &c, 10000), ERR_OK);
	probe_conn_free(c);
	text = slurp(kh);
	assert_non_null(strstr(text, "ssh-ed25519"));
	free(text);
	assert_int_equal(open_with(target_opts("kh_new", "id"), &c, 10000), ERR_OK);
	probe_conn_free(c);
	free(kh);
}

static void test_hashed_and_second_file(void **state)
{
	struct probe_conn_opts *o = NULL;
	struct probe_conn *c = NULL;
	char *kh = path("kh_hashed");
	char *text = NULL;

	(void)state;
	known_hosts_line(kh, "hk.pub", E.port);
	assert_int_equal(sh("ssh-keygen -q -H -f %s >/dev/null 2>&1", kh), 0);
	text = slurp(kh);
	assert_true(strncmp(text, "|1|", 3) == 0);
	free(text);
	assert_int_equal(open_with(target_opts("kh_hashed", "id"), &c, 10000), ERR_OK);
	probe_conn_free(c);
	/* HostKeyAlias: looked up under the alias alone */
	write_file(kh, "");
	{
		char *pub = path("hk.pub");
		char *key = slurp(pub);
		char *line = xasprintf("fleet-alias %s", key);

		write_file(kh, line);
		free(line);
		free(key);
		free(pub);
	}
	assert_int_equal(open_with(target_opts("kh_hashed", "id"), &c, 10000), ERR_HOSTKEY);
	probe_conn_free(c);
	o = target_opts("kh_hashed", "id");
	o->host_key_alias = xstrdup("fleet-alias");
	assert_int_equal(open_with(o, &c, 10000), ERR_OK);
	probe_conn_free(c);
	known_hosts_line(kh, "hk.pub", E.port);
	/* the key is only in the second file of the list */
	o = target_opts("kh_empty", "id");
	free(o->known_hosts[1]);
	o->known_hosts[1] = path("kh_hashed");
	assert_int_equal(open_with(o, &c, 10000), ERR_OK);
	probe_conn_free(c);
	free(kh);
}

/* The user accepted a fingerprint (probe_conn_set_trusted_fingerprint):
 * recorded only under ask, only for exactly that key, only when no key of
 * the host is known; cleared, nothing is trusted any more. */
static void test_hostkey_trusted(void **state)
{
	struct probe_conn_opts *o = NULL;
	struct probe_conn *c = NULL;
	char *kh = path("kh_trust");
	char *text = NULL;
	enum probe_conn_strict refuse[] = {PROBE_STRICT_YES, PROBE_STRICT_ASK};
	const char *fps[] = {E.host_fp, "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};

	(void)state;
	write_file(kh, "");
	/* yes with the right key, ask with another: unknown, nothing written */
	for (size_t i = 0; i < 2; i++) {
		o = target_opts("kh_trust", "id");
		o->strict = refuse[i];
		c = probe_conn_new(o);
		probe_conn_opts_free(o);
		probe_conn_set_trusted_fingerprint(c, fps[i]);
		assert_int_equal(probe_conn_open(c, probe_conn_now_ms() + 10000), ERR_HOSTKEY);
		assert_int_equal(probe_conn_state(c), PROBE_CONN_HOSTKEY_UNKNOWN);
		probe_conn_free(c);
	}
	assert_int_equal(file_size("kh_trust"), 0);
	/* a key of another type is known: never added, trusted or not */
	assert_int_equal(sh("cd %s && ssh-keygen -q -t ecdsa -N '' -f hk_ecdsa", E.dir), 0);
	known_hosts_line(kh, "hk_ecdsa.pub", E.port);
	text = slurp(kh);
	o = target_opts("kh_trust", "id");
	o->strict = PROBE_STRICT_ASK;
	c = probe_conn_new(o);
	probe_conn_opts_free(o);
	probe_conn_set_trusted_fingerprint(c, E.host_fp);
	assert_int_equal(probe_conn_open(c, probe_conn_now_ms() + 10000), ERR_HOSTKEY);
	assert_int_equal(probe_conn_state(c), PROBE_CONN_HOSTKEY_UNKNOWN);
	assert_non_null(strstr(probe_conn_reason(c), "another type"));
	probe_conn_free(c);
	{
		char *after = slurp(kh);

		assert_string_equal(after, text);
		free(after);
	}
	free(text);
	/* a changed key is changed whatever was trusted */
	write_file(kh, "");
	known_hosts_line(kh, "hk2.pub", E.port);
	o = target_opts("kh_trust", "id");
	o->strict = PROBE_STRICT_ASK;
	c = probe_conn_new(o);
	probe_conn_opts_free(o);
	probe_conn_set_trusted_fingerprint(c, E.host_fp);
	assert_int_equal(probe_conn_open(c, probe_conn_now_ms() + 10000), ERR_HOSTKEY);
	assert_int_equal(probe_conn_state(c), PROBE_CONN_HOSTKEY_CHANGED);
	probe_conn_free(c);
	/* ask, the very key, nothing known: recorded in the first user file */
	write_file(kh, "");
	o = target_opts("kh_trust", "id");
	o->strict = PROBE_STRICT_ASK;
	c = probe_conn_new(o);
	probe_conn_opts_free(o);
	probe_conn_set_trusted_fingerprint(c, E.host_fp);
	assert_int_equal(probe_conn_open(c, probe_conn_now_ms() + 10000), ERR_OK);
	text = slurp(kh);
	assert_non_null(strstr(text, "ssh-ed25519"));
	free(text);
	/* cleared: a fresh open trusts nothing (the key is known by now) */
	probe_conn_set_trusted_fingerprint(c, NULL);
	write_file(kh, "");
	assert_int_equal(probe_conn_open(c, probe_conn_now_ms() + 10000), ERR_HOSTKEY);
	assert_int_equal(probe_conn_state(c), PROBE_CONN_HOSTKEY_UNKNOWN);
	assert_int_equal(file_size("kh_trust"), 0);
	probe_conn_free(c);
	free(kh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hostkey_changed),
	    cmocka_unit_test(test_hostkey_unknown_and_accept_new),
	    cmocka_unit_test(test_hashed_and_second_file),
	    cmocka_unit_test(test_hostkey_trusted),
	};

	conn_test_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* disc_hosts: filtering, the local host, overrides, groups, order, output.
 * Host lists are built from alias arrays, not from an ssh_config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_config.h"
#include "discovery/disc_hosts.h"
#include "util/err.h"
#include "util/strbuf.h"

static struct disc_config *config(const char *yaml)
{
	struct disc_config *cfg = NULL;

	assert_int_equal(disc_config_parse("t.yaml", yaml, strlen(yaml), NULL, &cfg), ERR_OK);
	return cfg;
}

static struct disc_hosts *build(const struct disc_config *cfg, const char *const *aliases)
{
	struct disc_hosts *hs = NULL;
	size_t n = 0;

	while (aliases[n])
		n++;
	assert_int_equal(disc_hosts_build(cfg, aliases, n, NULL, &hs), ERR_OK);
	return hs;
}

/* The names in order, comma-separated. */
static char *names(const struct disc_hosts *hs)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < hs->n; i++)
		strbuf_printf(&sb, "%s%s", i ? "," : "", hs->v[i].name);
	return strbuf_take(&sb);
}

static void expect_names(const char *yaml, const char *const *aliases, const char *want)
{
	struct disc_config *cfg = config(yaml);
	struct disc_hosts *hs = build(cfg, aliases);
	char *got = names(hs);

	assert_string_equal(got, want);
	free(got);
	disc_hosts_free(hs);
	disc_config_free(cfg);
}

static const char *const fleet[] = {"web-2",  "web-1", "db-1",  "backup-db", "Gpu-Box", "web-1",
                                    "*.corp", "!bad",  "web-?", "api",       NULL};

static void test_defaults_keep_all_concrete_aliases(void **state)
{
	(void)state;
	/* local first (priority 0), then by name; wildcards and repeats dropped. */
	expect_names("", fleet, "local,Gpu-Box,api,backup-db,db-1,web-1,web-2");
}

static void test_include_and_ignore(void **state)
{
	(void)state;
	expect_names("hosts:\n  include: [\"web-*\", \"gpu*\"]\n  ignore: [web-2]\nlocal: false\n",
	             fleet, "Gpu-Box,web-1");
	expect_names("hosts:\n  ignore: [\"*\"]\n", fleet, "local");
	expect_names("hosts:\n  include: [\"*\"]\n  ignore: [\"BACKUP-*\", api]\nlocal: no\n",
	             fleet, "Gpu-Box,db-1,web-1,web-2");
}

static void test_local_host(void **state)
{
	static const char *const with_local[] = {"a", "local", NULL};
	struct disc_config *cfg = config("");
	struct disc_hosts *hs = NULL;
	const struct disc_host *h;
	char *buf = NULL;
	size_t len = 0;
	FILE *warn = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(disc_hosts_build(cfg, with_local, 2, warn, &hs), ERR_OK);
	fclose(warn);
	assert_int_equal(hs->n, 2);
	h = disc_hosts_find(hs, "local");
	assert_non_null(h);
	assert_true(h->is_local);
	assert_int_equal(h->priority, DISC_HOSTS_LOCAL_PRIORITY);
	assert_false(disc_hosts_find(hs, "a")->is_local);
	assert_non_null(strstr(buf, "Host 'local' is hidden by the built-in local host"));
	free(buf);
	disc_hosts_free(hs);
	disc_config_free(cfg);
	/* local: false: an ssh alias called local is an ordinary host. */
	cfg = config("local: false\n");
	hs = build(cfg, with_local);
	assert_int_equal(hs->n, 2);
	assert_false(disc_hosts_find(hs, "local")->is_local);
	assert_int_equal(disc_hosts_find(hs, "local")->priority, DISC_HOSTS_PRIORITY);
	disc_hosts_free(hs);
	disc_config_free(cfg);
}

static void test_overrides(void **state)
{
	static const char yaml[] = "roots: [\"~/work\"]\n"
	                           "mode: read-only\n"
	                           "hosts:\n"
	                           "  overrides:\n"
	                           "    WEB-1:\n"
	                           "      label: Front door\n"
	                           "      priority: 7\n"
	                           "      roots: [/srv/www/, \"~\"]\n"
	                           "      mode: operator\n"
	                           "      opencode_path: /opt/oc\n"
	                           "    local:\n"
	                           "      priority: 500\n"
	                           "      label: this laptop\n";
	struct disc_config *cfg = config(yaml);
	struct disc_hosts *hs = build(cfg, fleet);
	const struct disc_host *h = disc_hosts_find(hs, "web-1");

	(void)state;
	assert_string_equal(h->label, "Front door");
	assert_int_equal(h->priority, 7);
	assert_int_equal(h->roots.n, 2);
	assert_string_equal(h->roots.v[0], "/srv/www");
	assert_string_equal(h->roots.v[1], "~");
	assert_int_equal(h->mode, DISC_MODE_OPERATOR);
	assert_string_equal(h->opencode_path, "/opt/oc");
	h = disc_hosts_find(hs, "web-2"); /* inherits the top level */
	assert_string_equal(h->label, "web-2");
	assert_int_equal(h->priority, DISC_HOSTS_PRIORITY);
	assert_int_equal(h->roots.n, 1);
	assert_string_equal(h->roots.v[0], "~/work");
	assert_null(h->roots.v[1]);
	assert_int_equal(h->mode, DISC_MODE_READ_ONLY);
	assert_null(h->opencode_path);
	assert_true(disc_hosts_read_only(hs, "web-2"));
	assert_false(disc_hosts_read_only(hs, "web-1")); /* its override says operator */
	assert_false(disc_hosts_read_only(hs, "no-such-host"));
	h = disc_hosts_find(hs, "local");
	assert_string_equal(h->label, "this laptop");
	assert_int_equal(h->priority, 500);
	/* Order: priority 7 first, then the 100s by name, local (500) last. */
	char *got = names(hs);
	assert_string_equal(got, "web-1,Gpu-Box,api,backup-db,db-1,web-2,local");
	free(got);
	disc_hosts_free(hs);
	disc_config_free(cfg);
}

static void test_groups_first_match_in_file_order_ungrouped_last(void **state)
{
	static const char yaml[] = "hosts:\n"
	                           "  groups:\n"
	                           "    web: [\"web-*\"]\n"
	                           "    data: [\"db-*\", \"web-2\", \"*-db\"]\n"
	                           "    empty: []\n"
	                           "  overrides:\n"
	                           "    web-2: {priority: 1}\n"
	                           "    backup-db: {priority: 200}\n";
	struct disc_config *cfg = config(yaml);
	struct disc_hosts *hs = build(cfg, fleet);
	char *got = names(hs);

	(void)state;
	/* web group: web-2 (priority 1) before web-1; web-2 stays in web (first
	 * match) though data also names it; then data; then ungrouped. */
	assert_string_equal(got, "web-2,web-1,db-1,backup-db,local,Gpu-Box,api");
	assert_string_equal(disc_hosts_find(hs, "web-2")->group, "web");
	assert_string_equal(disc_hosts_find(hs, "backup-db")->group, "data");
	assert_int_equal(disc_hosts_find(hs, "backup-db")->group_index, 1);
	assert_null(disc_hosts_find(hs, "api")->group);
	assert_int_equal(disc_hosts_find(hs, "api")->group_index, 3);
	free(got);
	disc_hosts_free(hs);
	disc_config_free(cfg);
}

static void test_no_aliases(void **state)
{
	static const char *const none[] = {NULL};

	(void)state;
	expect_names("", none, "local");
	expect_names("local: false\n", none, "");
}

static void test_json(void **state)
{
	static const char *const two[] = {"b\"x", "a", NULL};
	static const char yaml[] = "hosts:\n  groups:\n    g: [a]\n"
	                           "  overrides:\n    a: {label: \"A\\tone\", mode: read-only}\n"
	                           "roots: [\"~\", /srv]\n";
	struct disc_config *cfg = config(yaml);
	struct disc_hosts *hs = build(cfg, two);
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	disc_hosts_write_json(hs, &sb);
	assert_string_equal(strbuf_str(&sb),
	                    "{\"hosts\":["
	                    "{\"name\":\"a\",\"label\":\"A\\u0009one\",\"group\":\"g\","
	                    "\"priority\":100,\"local\":false,\"mode\":\"read-only\","
	                    "\"roots\":[\"~\",\"/srv\"]},"
	                    "{\"name\":\"local\",\"label\":\"local\",\"group\":null,"
	                    "\"priority\":0,\"local\":true,\"mode\":\"operator\","
	                    "\"roots\":[\"~\",\"/srv\"]},"
	                    "{\"name\":\"b\\\"x\",\"label\":\"b\\\"x\",\"group\":null,"
	                    "\"priority\":100,\"local\":false,\"mode\":\"operator\","
	                    "\"roots\":[\"~\",\"/srv\"]}]}");
	strbuf_free(&sb);
	disc_hosts_free(hs);
	disc_config_free(cfg);
}

static void test_table(void **state)
{
	static const char *const one[] = {"web-1", NULL};
	struct disc_config *cfg = config("hosts:\n  groups:\n    prod: [\"web-*\"]\n");
	struct disc_hosts *hs = build(cfg, one);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	disc_hosts_print_table(hs, fp);
	fclose(fp);
	assert_string_equal(buf, "NAME   LABEL  GROUP  PRIORITY  MODE       ROOTS\n"
	                         "web-1  web-1  prod        100  operator   ~\n"
	                         "local  local  -             0  operator   ~\n");
	free(buf);
	disc_hosts_free(hs);
	disc_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_keep_all_concrete_aliases),
	    cmocka_unit_test(test_include_and_ignore),
	    cmocka_unit_test(test_local_host),
	    cmocka_unit_test(test_overrides),
	    cmocka_unit_test(test_groups_first_match_in_file_order_ungrouped_last),
	    cmocka_unit_test(test_no_aliases),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* tui_tree: tags, the state carried over by tag, the input adapter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "discovery/disc_config.h"
#include "discovery/disc_hosts.h"
#include "probe/cache.h"
#include "probe/probe_engine.h"
#include "tui/tui_tree.h"
#include "util/err.h"
#include "util/xmem.h"

#include "tree_testlib.h"

static void test_selection_survives_hosts_coming_and_going(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;
	struct probe_result *b = NULL;

	(void)state;
	fleet_init(&f);
	add_sess(add_host(&f, "a", NULL), "a1", "t", "p", NULL, 5);
	b = add_host(&f, "b", NULL);
	add_sess(b, "b1", "t", "p", NULL, 9);
	add_sess(b, "b2", "t", "p", NULL, 8);
	t = tui_tree_build(NULL, &f.src, 0);
	select_session(t, "b", "b2");
	assert_int_equal(tui_tree_cursor(t), 6);
	/* collapse host a, then a new session on a and a new host first */
	tui_tree_home(t);
	tui_tree_collapse(t);
	select_session(t, "b", "b2");
	assert_int_equal(tui_tree_toggle_tagged(t), TUI_TREE_F_REDRAW);
	add_sess(f.r[0], "a0", "t", "p", NULL, 10);
	t = tui_tree_build(t, &f.src, 0);
	assert_string_equal(sel(t)->session_id, "b2");
	assert_dump(t, "H:a H:b P:~/p S:b1 S:b2");
	/* a host vanishing before it moves the row, not the selection; its
	 * tombstone keeps its place */
	drop_host(&f, 0);
	t = tui_tree_build(t, &f.src, 100);
	assert_dump(t, "H:ax H:b P:~/p S:b1 S:b2");
	assert_string_equal(sel(t)->session_id, "b2");
	t = tui_tree_build(t, &f.src, 10000);
	assert_dump(t, "H:b P:~/p S:b1 S:b2");
	assert_string_equal(sel(t)->session_id, "b2");
	assert_true(sel(t)->tagged);
	assert_false(row(t, 2)->tagged);
	assert_int_equal(tui_tree_cursor(t), 3);
	tui_tree_free(t);
	fleet_free(&f);
}

/* The host list alpha, beta (local filtered out by a glob), an engine
 * over it (cache may be NULL) and the adapter's output. */
struct adapter {
	struct disc_config *cfg;
	struct disc_hosts *hosts;
	struct probe_engine *e;
	struct tui_tree_src_host out[4];
	struct tui_tree_src src;
};

static void adapter_open(struct adapter *a, struct cache *cache)
{
	const char *aliases[] = {"alpha", "beta"};
	struct probe_engine_opts o;

	memset(a, 0, sizeof(*a));
	a->cfg = disc_config_new_defaults();
	assert_int_equal(disc_hosts_build(a->cfg, aliases, 2, NULL, &a->hosts), ERR_OK);
	memset(&o, 0, sizeof(o));
	o.cfg = a->cfg;
	o.hosts = a->hosts;
	o.cache = cache;
	o.host_glob = "[ab]*";
	assert_int_equal(probe_engine_new(&o, &a->e), ERR_OK);
	a->src.hosts = a->out;
	a->src.nhosts = tui_tree_src_fill(a->out, 4, a->hosts, a->e);
}

static void adapter_close(struct adapter *a)
{
	probe_engine_free(a->e);
	disc_hosts_free(a->hosts);
	disc_config_free(a->cfg);
}

/* The adapter: host-list order, only the hosts the engine has. */
static void test_src_fill_from_engine(void **state)
{
	struct adapter a;
	struct tui_tree *t = NULL;

	(void)state;
	adapter_open(&a, NULL);
	assert_int_equal(a.src.nhosts, 2); /* local filtered out by the glob */
	assert_string_equal(a.out[0].name, "alpha");
	assert_string_equal(a.out[1].label, "beta");
	assert_null(a.out[0].result);
	assert_null(a.out[0].home);
	assert_int_equal(tui_tree_src_fill(a.out, 1, a.hosts, a.e), 1);
	t = tui_tree_build(NULL, &a.src, 0);
	assert_dump(t, "H:alpha H:beta");
	tui_tree_free(t);
	adapter_close(&a);
}

/* A cached reply for one host: one session in HOME/proj; home_json is the
 * host section's "home" member ("" for a reply from before it existed). */
static void put_reply(struct cache *c, const char *host, const char *home, const char *home_json)
{
	char *reply = xasprintf(
	    "Mk0123456789abcdef begin 1\nMk0123456789abcdef sessions\n"
	    "[{\"id\":\"s_%s\",\"project_id\":\"p\",\"project_worktree\":\"%s/proj\","
	    "\"directory\":\"%s/proj\",\"title\":\"t\",\"time_created\":1,\"time_updated\":2}]\n"
	    "Mk0123456789abcdef "
	    "host\n{\"protocol\":1,\"method\":\"sqlite3\",\"token\":\"v1-1-2\"%s}\n"
	    "Mk0123456789abcdef end ok\n",
	    host, home, home, home_json);
	struct cache_entry ce;

	memset(&ce, 0, sizeof(ce));
	ce.host = host;
	ce.reply = reply;
	ce.reply_len = strlen(reply);
	ce.token = "v1-1-2";
	ce.probed_at = 1796011333000LL;
	assert_int_equal(cache_put(c, &ce), ERR_OK);
	free(reply);
}

/* The adapter gives each host the $HOME its result reports, so project
 * paths show `~`; a cached reply from before the probe sent it has none. */
static void test_src_fill_home(void **state)
{
	struct cache *cache = cache_open(":memory:");
	struct adapter a;
	struct tui_tree *t = NULL;

	(void)state;
	put_reply(cache, "alpha", "/home/a", ",\"home\":\"/home/a\"");
	put_reply(cache, "beta", "/home/b", "");
	adapter_open(&a, cache);
	assert_int_equal(a.src.nhosts, 2);
	assert_string_equal(a.out[0].home, "/home/a");
	assert_null(a.out[1].home);
	t = tui_tree_build(NULL, &a.src, 0);
	assert_dump(t, "H:alpha P:~/proj S:s_alpha H:beta P:/home/b/proj S:s_beta");
	tui_tree_free(t);
	adapter_close(&a);
	cache_close(cache);
}

static void test_tags_are_stable_and_distinct(void **state)
{
	(void)state;
	assert_true(tui_tree_tag(TUI_TREE_SESSION, "h", "s") ==
	            tui_tree_tag(TUI_TREE_SESSION, "h", "s"));
	assert_true(tui_tree_tag(TUI_TREE_SESSION, "h", "s") !=
	            tui_tree_tag(TUI_TREE_PROJECT, "h", "s"));
	assert_true(tui_tree_tag(TUI_TREE_SESSION, "ab", "c") !=
	            tui_tree_tag(TUI_TREE_SESSION, "a", "bc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_selection_survives_hosts_coming_and_going),
	    cmocka_unit_test(test_src_fill_from_engine),
	    cmocka_unit_test(test_src_fill_home),
	    cmocka_unit_test(test_tags_are_stable_and_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* tui_tree: tags, the state carried over by tag, the input adapter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "discovery/disc_config.h"
#include "discovery/disc_hosts.h"
#include "probe/probe_engine.h"
#include "tui/tui_tree.h"
#include "util/err.h"

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

/* The adapter: host-list order, only the hosts the engine has. */
static void test_src_fill_from_engine(void **state)
{
	const char *aliases[] = {"alpha", "beta"};
	struct disc_config *cfg = disc_config_new_defaults();
	struct disc_hosts *hosts = NULL;
	struct probe_engine *e = NULL;
	struct probe_engine_opts o;
	struct tui_tree_src_host out[4];
	struct tui_tree_src src;
	struct tui_tree *t = NULL;

	(void)state;
	assert_int_equal(disc_hosts_build(cfg, aliases, 2, NULL, &hosts), ERR_OK);
	memset(&o, 0, sizeof(o));
	o.cfg = cfg;
	o.hosts = hosts;
	o.host_glob = "[ab]*";
	assert_int_equal(probe_engine_new(&o, &e), ERR_OK);
	memset(&src, 0, sizeof(src));
	src.hosts = out;
	src.nhosts = tui_tree_src_fill(out, 4, hosts, e);
	assert_int_equal(src.nhosts, 2); /* local filtered out by the glob */
	assert_string_equal(out[0].name, "alpha");
	assert_string_equal(out[1].label, "beta");
	assert_null(out[0].result);
	assert_int_equal(tui_tree_src_fill(out, 1, hosts, e), 1);
	t = tui_tree_build(NULL, &src, 0);
	assert_dump(t, "H:alpha H:beta");
	tui_tree_free(t);
	probe_engine_free(e);
	disc_hosts_free(hosts);
	disc_config_free(cfg);
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
	    cmocka_unit_test(test_tags_are_stable_and_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

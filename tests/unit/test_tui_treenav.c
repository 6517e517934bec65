/* tui_treenav: the cursor across rebuilds, h/l and moves, the filter and
 * n/N. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tui/tui_tree.h"

#include "tree_testlib.h"

static struct tui_tree *filter_fleet(struct fleet *f)
{
	struct probe_result *r = NULL;

	fleet_init(f);
	r = add_host(f, "h1", "g");
	add_sess(r, "a", "fix login", "p", NULL, 10);
	add_sess(r, "b", "docs", "p", NULL, 9);
	add_sess(r, "c", "sub fix", "p", "b", 8);
	r = add_host(f, "h2", NULL);
	add_sess(r, "d", "refactor", "q", NULL, 7);
	add_sess(r, "e", "fix tests", "r", NULL, 6);
	return tui_tree_build(NULL, &f->src, 0);
}

static void test_cursor_goes_to_next_sibling_then_parent(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;
	struct probe_result *r = NULL;

	(void)state;
	fleet_init(&f);
	r = add_host(&f, "h", NULL);
	add_sess(r, "s1", "t", "p", NULL, 30);
	add_sess(r, "s2", "t", "p", NULL, 20);
	add_sess(r, "s3", "t", "p", NULL, 10);
	t = tui_tree_build(NULL, &f.src, 0);
	select_session(t, "h", "s2");
	drop_sess(r, "s2");
	t = tui_tree_build(t, &f.src, 1000); /* tombstone: stays selected */
	assert_dump(t, "H:h P:~/p S:s1 S:s2x S:s3");
	assert_string_equal(sel(t)->session_id, "s2");
	t = tui_tree_build(t, &f.src, 7000); /* gone: next sibling */
	assert_dump(t, "H:h P:~/p S:s1 S:s3");
	assert_string_equal(sel(t)->session_id, "s3");
	drop_sess(r, "s3");
	t = tui_tree_build(t, &f.src, 8000);
	t = tui_tree_build(t, &f.src, 20000); /* last one gone: the parent */
	assert_dump(t, "H:h P:~/p S:s1");
	assert_int_equal(sel(t)->kind, TUI_TREE_PROJECT);
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_h_on_child_jumps_to_parent(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;
	struct probe_result *r = NULL;

	(void)state;
	fleet_init(&f);
	r = add_host(&f, "h", NULL);
	add_sess(r, "a", "t", "p", NULL, 10);
	add_sess(r, "b", "t", "p", "a", 5);
	t = tui_tree_build(NULL, &f.src, 0);
	select_session(t, "h", "b"); /* opens a */
	assert_dump(t, "H:h P:~/p S:a S:b");
	assert_int_equal(tui_tree_collapse(t), TUI_TREE_F_MOVED);
	assert_string_equal(sel(t)->session_id, "a");
	assert_int_equal(tui_tree_collapse(t) & TUI_TREE_F_RELAYOUT, TUI_TREE_F_RELAYOUT);
	assert_dump(t, "H:h P:~/p S:a");
	assert_string_equal(sel(t)->session_id, "a");
	tui_tree_collapse(t);
	assert_int_equal(sel(t)->kind, TUI_TREE_PROJECT);
	tui_tree_collapse(t);
	assert_dump(t, "H:h P:~/p");
	tui_tree_collapse(t);
	assert_int_equal(sel(t)->kind, TUI_TREE_HOST);
	tui_tree_collapse(t);
	assert_dump(t, "H:h");
	assert_int_equal(tui_tree_collapse(t), 0); /* top: nothing */
	assert_int_equal(tui_tree_expand(t), TUI_TREE_F_RELAYOUT);
	assert_dump(t, "H:h P:~/p");
	/* moves clamp */
	assert_int_equal(tui_tree_move(t, 100), TUI_TREE_F_MOVED);
	assert_int_equal(tui_tree_cursor(t), 1);
	assert_int_equal(tui_tree_move(t, 1), 0);
	tui_tree_move(t, -100);
	assert_int_equal(tui_tree_cursor(t), 0);
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_filter_keeps_ancestors(void **state)
{
	struct fleet f;
	struct tui_tree *t = filter_fleet(&f);

	(void)state;
	/* h2 collapsed: the filter opens it for the display only */
	select_session(t, "h2", "d");
	tui_tree_collapse(t);
	tui_tree_collapse(t);
	tui_tree_collapse(t);
	tui_tree_collapse(t);
	assert_dump(t, "G:g H:h1 P:~/p S:a S:b H:h2");
	tui_tree_set_filter(t, match_sub, "fix");
	assert_int_equal(tui_tree_matches(t), 3);
	assert_dump(t, "G:g H:h1 P:~/p S:a S:b S:c H:h2 P:~/r S:e");
	assert_int_equal(sel(t)->kind, TUI_TREE_HOST); /* still on h2 */
	/* the filter survives a rebuild */
	t = tui_tree_build(t, &f.src, 0);
	assert_int_equal(tui_tree_matches(t), 3);
	assert_dump(t, "G:g H:h1 P:~/p S:a S:b S:c H:h2 P:~/r S:e");
	/* a matching host shows without its unmatched children */
	tui_tree_set_filter(t, match_sub, "h2");
	assert_dump(t, "H:h2");
	tui_tree_set_filter(t, match_sub, "nothing");
	assert_int_equal(tui_tree_matches(t), 0);
	assert_int_equal(nrows(t), 0);
	assert_null(tui_tree_selected(t));
	tui_tree_set_filter(t, NULL, NULL);
	assert_dump(t, "G:g H:h1 P:~/p S:a S:b H:h2");
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_next_prev_match_wrap(void **state)
{
	struct fleet f;
	struct tui_tree *t = filter_fleet(&f);

	(void)state;
	tui_tree_home(t);
	tui_tree_set_filter(t, match_sub, "fix");
	assert_int_equal(sel(t)->kind, TUI_TREE_GROUP);
	assert_int_equal(tui_tree_next_match(t), TUI_TREE_F_MOVED);
	assert_string_equal(sel(t)->session_id, "a");
	tui_tree_next_match(t);
	assert_string_equal(sel(t)->session_id, "c");
	tui_tree_next_match(t);
	assert_string_equal(sel(t)->session_id, "e");
	tui_tree_next_match(t); /* wraps */
	assert_string_equal(sel(t)->session_id, "a");
	tui_tree_prev_match(t); /* wraps back */
	assert_string_equal(sel(t)->session_id, "e");
	tui_tree_prev_match(t);
	assert_string_equal(sel(t)->session_id, "c");
	tui_tree_set_filter(t, NULL, NULL);
	assert_int_equal(tui_tree_next_match(t), 0);
	/* c is under the collapsed b: the cursor goes to b */
	assert_string_equal(sel(t)->session_id, "b");
	tui_tree_free(t);
	fleet_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cursor_goes_to_next_sibling_then_parent),
	    cmocka_unit_test(test_h_on_child_jumps_to_parent),
	    cmocka_unit_test(test_filter_keeps_ancestors),
	    cmocka_unit_test(test_next_prev_match_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

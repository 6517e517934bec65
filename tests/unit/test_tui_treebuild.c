/* tui_treebuild: the items a build makes — order, nesting, "+N more",
 * groups, tombstones — and its cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>

#include "tui/tui_tree.h"

#include "tree_testlib.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_subagents_nest_under_parent(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;
	struct probe_result *r = NULL;
	const struct tui_tree_item *a = NULL;

	(void)state;
	fleet_init(&f);
	r = add_host(&f, "h1", NULL);
	add_sess(r, "c", "grandchild", "p", "b", 50);
	add_sess(r, "a", "root", "p", NULL, 100);
	add_sess(r, "b", "child", "p", "a", 90);
	add_sess(r, "z", "orphan", "p", "gone", 10);
	t = tui_tree_build(NULL, &f.src, 0);
	/* sessions with sub-agents start collapsed */
	assert_dump(t, "H:h1 P:~/p S:a S:z");
	a = row(t, 2);
	assert_int_equal(a->depth, 2);
	assert_int_equal(a->nsessions, 3);
	assert_int_equal(row(t, 1)->nsessions, 4);
	assert_int_equal(row(t, 0)->nsessions, 4);
	assert_int_equal(row(t, 1)->last_activity, 100);
	tui_tree_move(t, 2);
	assert_int_equal(tui_tree_expand(t) & TUI_TREE_F_RELAYOUT, TUI_TREE_F_RELAYOUT);
	assert_dump(t, "H:h1 P:~/p S:a S:b S:z");
	assert_int_equal(row(t, 3)->depth, 3);
	assert_string_equal(row(t, 3)->parent_id, "a");
	tui_tree_move(t, 1);
	tui_tree_toggle(t);
	assert_dump(t, "H:h1 P:~/p S:a S:b S:c S:z");
	assert_int_equal(row(t, 4)->depth, 4);
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_groups_are_collapsible_headings(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;

	(void)state;
	fleet_init(&f);
	add_sess(add_host(&f, "w1", "work"), "s1", "t", "p", NULL, 1);
	add_host(&f, "solo", NULL);
	add_host(&f, "w2", "work");
	t = tui_tree_build(NULL, &f.src, 0);
	assert_dump(t, "G:work H:w1 P:~/p S:s1 H:w2 H:solo");
	assert_int_equal(row(t, 0)->nsessions, 1);
	assert_int_equal(row(t, 1)->depth, 1);
	assert_int_equal(row(t, 5)->depth, 0);
	tui_tree_toggle(t);
	assert_dump(t, "G:work H:solo");
	t = tui_tree_build(t, &f.src, 0); /* collapsed state survives */
	assert_dump(t, "G:work H:solo");
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_sort_modes(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;
	struct probe_result *r = NULL;

	(void)state;
	fleet_init(&f);
	r = add_host(&f, "zeta", NULL);
	add_sess(r, "s1", "bravo", "p", NULL, 100);
	add_sess(r, "s2", "alpha", "p", NULL, 300);
	add_sess(r, "s3", "charlie", "p", NULL, 200);
	r->sessions[0].last_message = 400; /* newest message counts as activity */
	add_sess(add_host(&f, "alpha", NULL), "x", "x", "q", NULL, 1);
	f.src.sort_by = TUI_TREE_SORT_LAST_ACTIVITY;
	t = tui_tree_build(NULL, &f.src, 0);
	assert_dump(t, "H:zeta P:~/p S:s1 S:s2 S:s3 H:alpha P:~/q S:x");
	f.src.sort_by = TUI_TREE_SORT_NAME;
	t = tui_tree_build(t, &f.src, 0);
	assert_dump(t, "H:zeta P:~/p S:s2 S:s1 S:s3 H:alpha P:~/q S:x");
	f.src.sort_by = TUI_TREE_SORT_HOST;
	t = tui_tree_build(t, &f.src, 0);
	assert_dump(t, "H:alpha P:~/q S:x H:zeta P:~/p S:s1 S:s2 S:s3");
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_projects_sort_by_activity(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;
	struct probe_result *r = NULL;

	(void)state;
	fleet_init(&f);
	r = add_host(&f, "h", NULL);
	add_sess(r, "s1", "t", "abc", NULL, 1);
	add_sess(r, "s2", "t", "zed", NULL, 9);
	t = tui_tree_build(NULL, &f.src, 0);
	assert_dump(t, "H:h P:~/zed S:s2 P:~/abc S:s1");
	f.src.sort_by = TUI_TREE_SORT_NAME;
	t = tui_tree_build(t, &f.src, 0);
	assert_dump(t, "H:h P:~/abc S:s1 P:~/zed S:s2");
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_show_archived(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;
	struct probe_result *r = NULL;
	struct probe_session *s = NULL;

	(void)state;
	fleet_init(&f);
	r = add_host(&f, "h", NULL);
	add_sess(r, "live", "t", "p", NULL, 1);
	s = add_sess(r, "old", "t", "p", NULL, 2);
	s->archived = 5;
	s->status = PROBE_SESSION_ARCHIVED;
	t = tui_tree_build(NULL, &f.src, 0);
	assert_dump(t, "H:h P:~/p S:live");
	assert_int_equal(row(t, 0)->nsessions, 1);
	f.src.show_archived = true;
	t = tui_tree_build(t, &f.src, 0);
	assert_dump(t, "H:h P:~/p S:old S:live");
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_max_display_more_row(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;
	struct probe_result *r = NULL;

	(void)state;
	fleet_init(&f);
	f.src.max_display = 2;
	r = add_host(&f, "h", NULL);
	add_sess(r, "s1", "t", "p", NULL, 50);
	add_sess(r, "s2", "t", "p", NULL, 40);
	add_sess(r, "s3", "t", "p", NULL, 30);
	add_sess(r, "s4", "t", "p", NULL, 20);
	add_sess(r, "s5", "t", "p", NULL, 10);
	add_sess(r, "k1", "t", "p", "s1", 5); /* a sub-agent is not a root */
	t = tui_tree_build(NULL, &f.src, 0);
	assert_dump(t, "H:h P:~/p S:s1 S:s2 M:3");
	assert_int_equal(row(t, 1)->nsessions, 6);
	tui_tree_end(t);
	assert_int_equal(sel(t)->kind, TUI_TREE_MORE);
	tui_tree_expand(t);
	assert_dump(t, "H:h P:~/p S:s1 S:s2 M:3 S:s3 S:s4 S:s5");
	assert_int_equal(row(t, 5)->depth, row(t, 4)->depth);
	/* expansion of the more row survives a rebuild */
	add_sess(r, "s6", "t", "p", NULL, 1);
	t = tui_tree_build(t, &f.src, 0);
	assert_dump(t, "H:h P:~/p S:s1 S:s2 M:4 S:s3 S:s4 S:s5 S:s6");
	assert_int_equal(sel(t)->kind, TUI_TREE_MORE);
	/* h on a session under "+N more" goes to the project */
	tui_tree_end(t);
	tui_tree_collapse(t);
	assert_int_equal(sel(t)->kind, TUI_TREE_PROJECT);
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_tombstone_lifetime(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;
	struct probe_result *r = NULL;
	const struct tui_tree_item *it = NULL;

	(void)state;
	fleet_init(&f);
	r = add_host(&f, "h", NULL);
	add_sess(r, "s1", "t", "p", NULL, 30);
	add_sess(r, "s2", "t", "p", NULL, 20);
	add_sess(r, "k", "t", "p", "s2", 25);
	t = tui_tree_build(NULL, &f.src, 0);
	drop_sess(r, "s2");
	drop_sess(r, "k");
	t = tui_tree_build(t, &f.src, 1000);
	/* only the highest vanished row stays; its sub-agent goes at once */
	assert_dump(t, "H:h P:~/p S:s1 S:s2x");
	it = row(t, 3);
	assert_true(it->tomb);
	assert_int_equal(it->tomb_until, 6000);
	assert_int_equal(row(t, 0)->nsessions, 1);
	t = tui_tree_build(t, &f.src, 5999); /* the deadline is not renewed */
	assert_dump(t, "H:h P:~/p S:s1 S:s2x");
	assert_int_equal(row(t, 3)->tomb_until, 6000);
	t = tui_tree_build(t, &f.src, 6000);
	assert_dump(t, "H:h P:~/p S:s1");
	/* a session that comes back is live again */
	add_sess(r, "s2", "t", "p", NULL, 20);
	drop_sess(r, "s1");
	t = tui_tree_build(t, &f.src, 7000);
	add_sess(r, "s1", "t", "p", NULL, 30);
	t = tui_tree_build(t, &f.src, 8000);
	assert_dump(t, "H:h P:~/p S:s1 S:s2");
	assert_false(row(t, 2)->tomb);
	/* a vanished project shows as one greyed row */
	drop_sess(r, "s1");
	drop_sess(r, "s2");
	add_sess(r, "n", "t", "q", NULL, 1);
	t = tui_tree_build(t, &f.src, 9000);
	assert_dump(t, "H:h P:~/px P:~/q S:n");
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_cycles_empty_and_home(void **state)
{
	struct fleet f;
	struct tui_tree *t = NULL;
	struct probe_result *r = NULL;
	struct probe_session *s = NULL;

	(void)state;
	fleet_init(&f);
	t = tui_tree_build(NULL, &f.src, 0); /* an empty fleet */
	assert_int_equal(nrows(t), 0);
	assert_null(tui_tree_selected(t));
	assert_int_equal(tui_tree_move(t, 1) | tui_tree_end(t) | tui_tree_collapse(t) |
	                     tui_tree_expand(t) | tui_tree_toggle(t) | tui_tree_next_match(t),
	                 0);
	r = add_host(&f, "h", NULL);
	add_sess(r, "x", "t", "p", "y", 2); /* x -> y -> x: shown, not lost */
	add_sess(r, "y", "t", "p", "x", 1);
	add_sess(r, "self", "t", "p", "self", 0);
	s = add_sess(r, "other", "t", "q", NULL, 0);
	free(s->project_worktree);
	s->project_worktree = xstrdup("/home/user2/q"); /* not under /home/u */
	s = add_sess(r, "home", "t", "hm", NULL, 0);
	free(s->project_worktree);
	s->project_worktree = xstrdup("/home/u");
	add_host(&f, "nothing", NULL)->state = PROBE_HOST_OFFLINE;
	f.h[1].result = NULL;
	f.h[1].state = PROBE_HOST_OFFLINE;
	f.src.sort_by = TUI_TREE_SORT_NAME;
	t = tui_tree_build(t, &f.src, 0);
	assert_dump(t, "H:h P:~ S:home P:~/p S:self S:x P:/home/user2/q S:other H:nothing");
	assert_int_equal(row(t, 0)->nsessions, 5);
	assert_int_equal(row(t, 8)->host_state, PROBE_HOST_OFFLINE);
	select_session(t, "h", "y");
	assert_dump(t, "H:h P:~ S:home P:~/p S:self S:x S:y P:/home/user2/q S:other H:nothing");
	tui_tree_free(t);
	fleet_free(&f);
}

static void test_build_5000_sessions(void **state)
{
	static char names[200][32], ids[5000][32], projs[4][32];
	struct fleet f;
	struct tui_tree *t = NULL;
	double t0 = 0, t1 = 0, t2 = 0;
	size_t nd = 0;

	(void)state;
	fleet_init(&f);
	f.src.max_display = 50;
	for (int p = 0; p < 4; p++)
		snprintf(projs[p], sizeof(projs[p]), "proj%d", p);
	for (int h = 0; h < 200; h++) {
		struct probe_result *r = NULL;

		snprintf(names[h], sizeof(names[h]), "host%03d", h);
		r = add_host(&f, names[h], h % 2 ? "odd" : "even");
		for (int s = 0; s < 25; s++) {
			int k = h * 25 + s;

			snprintf(ids[k], sizeof(ids[k]), "ses_%05d", k);
			add_sess(r, ids[k], ids[k], projs[s % 4], s % 5 ? NULL : ids[h * 25],
			         (k * 7919) % 100000);
		}
	}
	t0 = now_s();
	t = tui_tree_build(NULL, &f.src, 0);
	t1 = now_s();
	t = tui_tree_build(t, &f.src, 1);
	t2 = now_s();
	/* 2 groups + 200 hosts + 800 projects + 5000 sessions */
	assert_int_equal(tui_tree_count(t), 2 + 200 + 800 + 5000);
	assert_int_equal(tui_tree_item(t, 0)->nsessions, 2500);
	tui_tree_display(t, &nd);
	assert_true(nd > 1000);
	tui_tree_set_filter(t, match_sub, "ses_0499");
	assert_int_equal(tui_tree_matches(t), 10);
	print_message("build 200 hosts x 25 sessions: first %.2f ms, rebuild %.2f ms\n",
	              (t1 - t0) * 1e3, (t2 - t1) * 1e3);
	tui_tree_free(t);
	fleet_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_subagents_nest_under_parent),
	    cmocka_unit_test(test_groups_are_collapsible_headings),
	    cmocka_unit_test(test_sort_modes),
	    cmocka_unit_test(test_projects_sort_by_activity),
	    cmocka_unit_test(test_show_archived),
	    cmocka_unit_test(test_max_display_more_row),
	    cmocka_unit_test(test_tombstone_lifetime),
	    cmocka_unit_test(test_cycles_empty_and_home),
	    cmocka_unit_test(test_build_5000_sessions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

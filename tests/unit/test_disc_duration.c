/* disc_duration: parsing and formatting "30s", "1h30m", "500ms", ... */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discovery/disc_duration.h"
#include "config_testlib.h"

/* ---- durations ---- */

static void test_duration_parse(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} ok[] = {{"30s", 30000}, {"10m", 600000},   {"24h", 86400000}, {"1h30m", 5400000},
	          {"500ms", 500}, {"1.5h", 5400000}, {"7d", 604800000}, {"0", 0},
	          {"0s", 0},      {"2m30s", 150000}, {"1s500ms", 1500}, {"0.25s", 250}};
	static const char *const bad[] = {
	    "soon", "",   "10", "-5s", "5x", "s", "1h-", "1.s", ".5s", "1 h", "99999999999999d",
	    "5S",   "1hh"};
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ms = -1;
		assert_true(disc_duration_parse(ok[i].s, &ms));
		assert_int_equal(ms, ok[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(disc_duration_parse(bad[i], &ms));
}

static void test_duration_format_round_trips(void **state)
{
	static const int64_t v[] = {0, 1, 999, 1000, 1500, 60000, 5400000, 86400000, 90061001};
	static const char *const want[] = {"0s", "1ms",   "999ms", "1s",         "1s500ms",
	                                   "1m", "1h30m", "1d",    "1d1h1m1s1ms"};
	char buf[64];
	int64_t back;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		disc_duration_format(v[i], buf, sizeof(buf));
		assert_string_equal(buf, want[i]);
		assert_true(disc_duration_parse(buf, &back));
		assert_int_equal(back, v[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_duration_parse),
	    cmocka_unit_test(test_duration_format_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* probe_backoff: exponential delays with equal jitter, capped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "probe/probe_backoff.h"

static void test_backoff(void **state)
{
	struct probe_backoff b;
	uint32_t prev_max = 0;

	(void)state;
	probe_backoff_init(&b, 500, 30000, 42);
	for (int i = 0; i < 20; i++) {
		uint32_t want = 500u << (i < 6 ? i : 6);
		uint32_t d = probe_backoff_next(&b);

		if (want > 30000)
			want = 30000;
		assert_true(d >= want / 2 && d <= want);
		prev_max = d > prev_max ? d : prev_max;
	}
	assert_true(prev_max > 15000);
	probe_backoff_reset(&b);
	assert_true(probe_backoff_next(&b) <= 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

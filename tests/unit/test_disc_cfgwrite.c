/* disc_cfgwrite: what is written reads back to the same configuration.
 * Working directory: tests/. */
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

#include "config_testlib.h"

/* What disc_cfgwrite_yaml writes reads back to the same configuration. */
static void test_write_yaml_round_trips(void **state)
{
	struct disc_config *cfg = NULL, *back = NULL;
	char *a, *b;

	(void)state;
	assert_int_equal(disc_config_load("fixtures/config/full.yaml", NULL, &cfg), ERR_OK);
	a = yaml_of(cfg);
	assert_int_equal(parse(a, &back), ERR_OK);
	b = yaml_of(back);
	assert_string_equal(a, b);
	assert_string_equal(disc_config_override_for(back, "web-1")->label, "Front door");
	free(a);
	free(b);
	disc_config_free(cfg);
	disc_config_free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_yaml_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

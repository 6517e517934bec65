#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include "util/err.h"

static void test_set_returns_code_and_keeps_text(void **state)
{
	(void)state;
	assert_int_equal(err_set(ERR_CONFIG, "%s:%d: bad port '%s'", "cfg", 3, "abc"), ERR_CONFIG);
	assert_string_equal(err_text(), "cfg:3: bad port 'abc'");
	assert_int_equal(err_last(), ERR_CONFIG);
	assert_int_equal(err_exit_status(ERR_CONFIG), 2);
	assert_int_equal(err_exit_status(ERR_NET), 1);
	assert_int_equal(err_exit_status(ERR_OK), 0);
	assert_string_equal(err_describe(ERR_TIMEOUT), "timed out");
	assert_string_equal(err_describe(-1), "unknown error");
	err_clear();
	assert_string_equal(err_text(), "");
}

static void *other_thread(void *arg)
{
	(void)arg;
	err_set(ERR_NET, "worker failed");
	return NULL;
}

static void test_text_is_per_thread(void **state)
{
	pthread_t t;

	(void)state;
	err_set(ERR_USAGE, "main text");
	assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
	pthread_join(t, NULL);
	assert_string_equal(err_text(), "main text");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_returns_code_and_keeps_text),
	    cmocka_unit_test(test_text_is_per_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

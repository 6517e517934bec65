#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/xmem.h"

static void test_copies(void **state)
{
	char *a = xstrdup("hello");
	char *b = xstrndup("hello", 3);
	char *c = xasprintf("%s-%d", "x", 42);

	(void)state;
	assert_string_equal(a, "hello");
	assert_string_equal(b, "hel");
	assert_string_equal(c, "x-42");
	assert_null(xstrdup(NULL));
	free(a);
	free(b);
	free(c);
}

static void test_realloc_grows_and_keeps(void **state)
{
	int *v = xcalloc(4, sizeof(int));

	(void)state;
	v[3] = 7;
	v = xrealloc(v, 1000, sizeof(int));
	assert_int_equal(v[3], 7);
	free(v);
}

static void hook(void)
{
	/* The child reports through its exit status that the hook ran. */
	_exit(42);
}

/* Runs fn in a child; returns its exit status, or 128+signal. */
static int in_child(void (*fn)(void))
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void zero_size(void)
{
	xmem_set_die_hook(hook);
	(void)xmalloc(0);
}

static void overflow(void)
{
	xmem_set_die_hook(hook);
	(void)xrealloc(NULL, SIZE_MAX / 2, 4);
}

static void no_hook(void)
{
	xmem_set_die_hook(NULL);
	(void)xcalloc(0, 1);
}

static void test_failures_run_the_die_hook(void **state)
{
	(void)state;
	assert_int_equal(in_child(zero_size), 42);
	assert_int_equal(in_child(overflow), 42);
	/* Without a hook it still stops, by abort(). */
	assert_int_equal(in_child(no_hook), 128 + SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copies),
	    cmocka_unit_test(test_realloc_grows_and_keeps),
	    cmocka_unit_test(test_failures_run_the_die_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

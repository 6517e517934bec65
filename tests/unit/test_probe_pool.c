/* probe_pool: the worker pool and its wake pipe, with real threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe/probe_pool.h"
#include "util/err.h"
#include "util/xmem.h"

struct tjob {
	struct probe_pool_job pj;
	int id;
	int sleep_ms;
	atomic_int runs;
	pthread_t ran_on;
	atomic_int *dropped; /* counts drops (ran or not) */
	atomic_int *dropped_unrun;
};

static void tjob_run(struct probe_pool_job *pj)
{
	struct tjob *j = (struct tjob *)pj;

	atomic_fetch_add(&j->runs, 1);
	j->ran_on = pthread_self();
	if (j->sleep_ms)
		nanosleep(&(struct timespec){0, (long)j->sleep_ms * 1000000L}, NULL);
}

static void tjob_drop(struct probe_pool_job *pj, bool ran)
{
	struct tjob *j = (struct tjob *)pj;

	assert_int_equal(atomic_load(&j->runs), ran ? 1 : 0);
	atomic_fetch_add(j->dropped, 1);
	if (!ran)
		atomic_fetch_add(j->dropped_unrun, 1);
	free(j);
}

static struct tjob *tjob_new(int id, int sleep_ms, atomic_int *dropped, atomic_int *unrun)
{
	struct tjob *j = xcalloc(1, sizeof(*j));

	j->pj.run = tjob_run;
	j->pj.drop = tjob_drop;
	j->id = id;
	j->sleep_ms = sleep_ms;
	j->dropped = dropped;
	j->dropped_unrun = unrun;
	return j;
}

static void test_bad_thread_count(void **state)
{
	struct probe_pool *p = NULL;

	(void)state;
	assert_int_equal(probe_pool_new(0, &p), ERR_USAGE);
	assert_null(p);
	assert_int_equal(probe_pool_new(PROBE_POOL_MAX_THREADS + 1, &p), ERR_USAGE);
	probe_pool_free(NULL);
}

static void test_pipe_flags(void **state)
{
	struct probe_pool *p = NULL;
	int fd;

	(void)state;
	assert_int_equal(probe_pool_new(2, &p), ERR_OK);
	fd = probe_pool_fd(p);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(probe_pool_threads(p), 2);
	assert_null(probe_pool_take(p)); /* nothing, and it does not block */
	probe_pool_free(p);
}

/* Many jobs on many threads: every job runs once and comes back once,
 * only through the wake pipe (poll), never twice. */
static void test_many_jobs_once_each(void **state)
{
	enum { N = 2000, THREADS = 8 };
	struct probe_pool *p = NULL;
	static int seen[N];
	atomic_int dropped = 0, unrun = 0;
	int got = 0, wakeups = 0;
	pthread_t self = pthread_self();

	(void)state;
	memset(seen, 0, sizeof(seen));
	assert_int_equal(probe_pool_new(THREADS, &p), ERR_OK);
	for (int i = 0; i < N; i++)
		probe_pool_submit(p, &tjob_new(i, i % 97 == 0 ? 2 : 0, &dropped, &unrun)->pj);
	while (got < N) {
		struct pollfd pfd = {probe_pool_fd(p), POLLIN, 0};
		struct probe_pool_job *list = NULL;

		assert_int_equal(poll(&pfd, 1, 10000), 1); /* woken by the pipe */
		wakeups++;
		list = probe_pool_take(p);
		while (list) {
			struct tjob *j = (struct tjob *)list;

			list = list->next;
			assert_int_equal(atomic_load(&j->runs), 1);
			assert_false(pthread_equal(j->ran_on, self));
			assert_int_equal(seen[j->id]++, 0);
			free(j);
			got++;
		}
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(probe_pool_pending(p), 0);
	/* nothing more arrives */
	{
		struct pollfd pfd = {probe_pool_fd(p), POLLIN, 0};

		assert_int_equal(poll(&pfd, 1, 50), 0);
	}
	probe_pool_free(p);
	assert_int_equal(atomic_load(&dropped), 0);
	print_message("%d jobs came back in %d wake-ups\n", N, wakeups);
}

/* Shutdown with jobs queued: the running ones finish, the queued ones are
 * dropped without running, the finished ones not taken are dropped too;
 * every job is accounted for exactly once and nothing leaks. */
static void test_shutdown_with_queue(void **state)
{
	enum { N = 60 };
	struct probe_pool *p = NULL;
	atomic_int dropped = 0, unrun = 0;

	(void)state;
	assert_int_equal(probe_pool_new(2, &p), ERR_OK);
	for (int i = 0; i < N; i++)
		probe_pool_submit(p, &tjob_new(i, 20, &dropped, &unrun)->pj);
	nanosleep(&(struct timespec){0, 30 * 1000000L}, NULL);
	assert_int_equal(probe_pool_pending(p), N);
	probe_pool_free(p);
	assert_int_equal(atomic_load(&dropped), N);
	assert_true(atomic_load(&unrun) > 0);
	assert_true(atomic_load(&unrun) < N); /* some had run */
}

/* Results taken while workers still push: none lost between take and pipe. */
static void test_take_while_running(void **state)
{
	enum { N = 300 };
	struct probe_pool *p = NULL;
	atomic_int dropped = 0, unrun = 0;
	int got = 0;

	(void)state;
	assert_int_equal(probe_pool_new(4, &p), ERR_OK);
	for (int i = 0; i < N; i++) {
		probe_pool_submit(p, &tjob_new(i, i % 3, &dropped, &unrun)->pj);
		if (i % 10 == 0) {
			struct probe_pool_job *l = probe_pool_take(p);

			while (l) {
				struct probe_pool_job *next = l->next;

				free(l);
				l = next;
				got++;
			}
		}
	}
	while (got < N) {
		struct pollfd pfd = {probe_pool_fd(p), POLLIN, 0};
		struct probe_pool_job *l = NULL;

		assert_int_equal(poll(&pfd, 1, 10000), 1);
		l = probe_pool_take(p);
		while (l) {
			struct probe_pool_job *next = l->next;

			free(l);
			l = next;
			got++;
		}
	}
	assert_int_equal(got, N);
	probe_pool_free(p);
}

/* A job that waits on its "host" for 10 s but also watches the cancel fd,
 * as probe_conn's waits do. */
struct wjob {
	struct probe_pool_job pj;
	int cancel_fd;
	atomic_int *started;
	atomic_int *cancelled;
};

static void wjob_run(struct probe_pool_job *pj)
{
	struct wjob *j = (struct wjob *)pj;
	struct pollfd pfd = {j->cancel_fd, POLLIN, 0};

	atomic_fetch_add(j->started, 1);
	if (poll(&pfd, 1, 10000) == 1)
		atomic_fetch_add(j->cancelled, 1);
}

static void wjob_drop(struct probe_pool_job *pj, bool ran)
{
	(void)ran;
	free(pj);
}

/* free does not wait for running jobs that watch the cancel fd: 4 jobs
 * waiting 10 s each come back at once, and queued ones never run. */
static void test_cancel_fd(void **state)
{
	struct probe_pool *p = NULL;
	atomic_int started = 0, cancelled = 0;
	struct timespec a, b;
	struct pollfd pfd;
	long ms;

	(void)state;
	assert_int_equal(probe_pool_new(4, &p), ERR_OK);
	pfd = (struct pollfd){probe_pool_cancel_fd(p), POLLIN, 0};
	assert_true(fcntl(pfd.fd, F_GETFD) & FD_CLOEXEC);
	assert_int_not_equal(pfd.fd, probe_pool_fd(p));
	for (int i = 0; i < 6; i++) {
		struct wjob *j = xcalloc(1, sizeof(*j));

		j->pj.run = wjob_run;
		j->pj.drop = wjob_drop;
		j->cancel_fd = probe_pool_cancel_fd(p);
		j->started = &started;
		j->cancelled = &cancelled;
		probe_pool_submit(p, &j->pj);
	}
	while (atomic_load(&started) < 4)
		nanosleep(&(struct timespec){0, 1000000L}, NULL);
	assert_int_equal(poll(&pfd, 1, 0), 0); /* not before free */
	clock_gettime(CLOCK_MONOTONIC, &a);
	probe_pool_free(p);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	print_message("free with 4 jobs waiting: %ld ms\n", ms);
	assert_true(ms < 2000);
	assert_int_equal(atomic_load(&started), 4);
	assert_int_equal(atomic_load(&cancelled), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_thread_count),    cmocka_unit_test(test_pipe_flags),
	    cmocka_unit_test(test_many_jobs_once_each), cmocka_unit_test(test_shutdown_with_queue),
	    cmocka_unit_test(test_take_while_running),  cmocka_unit_test(test_cancel_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

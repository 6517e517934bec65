#include "probe/probe_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/xmem.h"

struct probe_pool {
	pthread_mutex_t lock; /* guards everything below but the pipe ends */
	pthread_cond_t work;  /* signalled when a job is queued or at stop */
	struct probe_pool_job *queue_head, *queue_tail; /* FIFO, not yet run */
	struct probe_pool_job *done_head, *done_tail;   /* finished, not taken */
	size_t pending;                                 /* submitted, not taken */
	bool stop;
	pthread_t *threads;
	int nthreads; /* started */
	int pipe_rd;
	int pipe_wr;
	int cancel_rd; /* readable once free has begun; never read */
	int cancel_wr;
};

static void list_push(struct probe_pool_job **head, struct probe_pool_job **tail,
                      struct probe_pool_job *job)
{
	job->next = NULL;
	if (*tail)
		(*tail)->next = job;
	else
		*head = job;
	*tail = job;
}

static struct probe_pool_job *queue_pop(struct probe_pool *p)
{
	struct probe_pool_job *job = p->queue_head;

	if (!job)
		return NULL;
	p->queue_head = job->next;
	if (!p->queue_head)
		p->queue_tail = NULL;
	job->next = NULL;
	return job;
}

/* Best effort: when the pipe is full the owner has a wake-up pending
 * anyway, so EAGAIN is fine. */
static void wake(struct probe_pool *p)
{
	ssize_t n;

	do {
		n = write(p->pipe_wr, "x", 1);
	} while (n < 0 && errno == EINTR);
}

static void *worker_main(void *arg)
{
	struct probe_pool *p = arg;
	struct probe_pool_job *job = NULL;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && !p->queue_head)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		job = queue_pop(p);
		pthread_mutex_unlock(&p->lock);
		job->run(job);
		pthread_mutex_lock(&p->lock);
		list_push(&p->done_head, &p->done_tail, job);
		pthread_mutex_unlock(&p->lock);
		wake(p);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int make_pipe(int *rd, int *wr)
{
	int fds[2] = {-1, -1};

	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
		return err_set(ERR_IO, "worker pool: pipe: %s", strerror(errno));
	*rd = fds[0];
	*wr = fds[1];
	return ERR_OK;
}

int probe_pool_new(int nthreads, struct probe_pool **out)
{
	struct probe_pool *p = NULL;
	int rc = ERR_OK;

	*out = NULL;
	if (nthreads < 1 || nthreads > PROBE_POOL_MAX_THREADS)
		return err_set(ERR_USAGE, "worker pool: %d threads (1..%d)", nthreads,
		               PROBE_POOL_MAX_THREADS);
	p = xcalloc(1, sizeof(*p));
	p->pipe_rd = p->pipe_wr = p->cancel_rd = p->cancel_wr = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	p->threads = xcalloc((size_t)nthreads, sizeof(*p->threads));
	rc = make_pipe(&p->pipe_rd, &p->pipe_wr);
	if (rc == ERR_OK)
		rc = make_pipe(&p->cancel_rd, &p->cancel_wr);
	for (int i = 0; rc == ERR_OK && i < nthreads; i++) {
		int e = pthread_create(&p->threads[i], NULL, worker_main, p);

		if (e)
			rc = err_set(ERR_IO, "worker pool: thread %d: %s", i, strerror(e));
		else
			p->nthreads++;
	}
	if (rc != ERR_OK) {
		probe_pool_free(p);
		return rc;
	}
	*out = p;
	return ERR_OK;
}

static void drop_list(struct probe_pool_job *job, bool ran)
{
	while (job) {
		struct probe_pool_job *next = job->next;

		job->next = NULL;
		job->drop(job, ran);
		job = next;
	}
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

void probe_pool_free(struct probe_pool *p)
{
	ssize_t n;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	/* After stop: a worker whose job lets go at once must not find the
	 * next job still takeable. */
	if (p->cancel_wr >= 0) {
		do {
			n = write(p->cancel_wr, "x", 1);
		} while (n < 0 && errno == EINTR);
	}
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	/* No thread is left: no lock needed. */
	drop_list(p->queue_head, false);
	drop_list(p->done_head, true);
	close_fd(p->pipe_rd);
	close_fd(p->pipe_wr);
	close_fd(p->cancel_rd);
	close_fd(p->cancel_wr);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}

void probe_pool_submit(struct probe_pool *p, struct probe_pool_job *job)
{
	pthread_mutex_lock(&p->lock);
	list_push(&p->queue_head, &p->queue_tail, job);
	p->pending++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

int probe_pool_fd(const struct probe_pool *p)
{
	return p->pipe_rd;
}

static void drain_pipe(int fd)
{
	char buf[256];
	ssize_t n;

	do {
		n = read(fd, buf, sizeof(buf));
	} while (n > 0 || (n < 0 && errno == EINTR));
}

struct probe_pool_job *probe_pool_take(struct probe_pool *p)
{
	struct probe_pool_job *list = NULL;

	/* Drain first: a worker that finishes after the swap writes again, so
	 * no completion is left without a wake-up. */
	drain_pipe(p->pipe_rd);
	pthread_mutex_lock(&p->lock);
	list = p->done_head;
	p->done_head = p->done_tail = NULL;
	for (struct probe_pool_job *j = list; j; j = j->next)
		p->pending--;
	pthread_mutex_unlock(&p->lock);
	return list;
}

int probe_pool_cancel_fd(const struct probe_pool *p)
{
	return p->cancel_rd;
}

size_t probe_pool_pending(struct probe_pool *p)
{
	size_t n;

	pthread_mutex_lock(&p->lock);
	n = p->pending;
	pthread_mutex_unlock(&p->lock);
	return n;
}

int probe_pool_threads(const struct probe_pool *p)
{
	return p->nthreads;
}

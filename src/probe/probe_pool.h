/* probe_pool: worker threads that run blocking jobs (connect, probe) and
 * hand the finished jobs back to one owner thread (redis bio.c pattern,
 * STYLE.md habit 5).
 *
 *   owner: probe_pool_submit(job)  ->  queue (mutex + condvar)
 *   worker: takes a job, UNLOCKS, runs job->run(job), then pushes the job
 *           onto the completion list (mutex) and write()s one byte on the
 *           wake pipe (O_NONBLOCK|O_CLOEXEC, best effort: a full pipe
 *           already means "wake up")
 *   owner: poll()s probe_pool_fd(); probe_pool_take() drains the pipe,
 *          swaps the completion list out under the lock and returns it;
 *          the owner applies the jobs unlocked.
 *
 * Jobs are intrusive: embed a struct probe_pool_job in a heap object of
 * your own. Between probe_pool_submit() and the moment the owner gets it
 * back from probe_pool_take(), the job belongs to the pool and its worker;
 * the owner must not touch it. A job is never run twice and comes back
 * exactly once (or is dropped by probe_pool_free).
 *
 * Quitting must not wait for a job that waits on a silent host, so the
 * pool has a second pipe, the cancel pipe: probe_pool_free writes one byte
 * on it and never reads it, so its read end (probe_pool_cancel_fd) stays
 * readable. A job that waits adds that fd to its poll() (probe_conn does,
 * see probe_conn_set_cancel_fd) and gives up at once; free then only joins
 * threads that are already on their way out. */
#ifndef CODEFLEET_PROBE_POOL_H
#define CODEFLEET_PROBE_POOL_H

#include <stdbool.h>
#include <stddef.h>

#define PROBE_POOL_MAX_THREADS 256

struct probe_pool_job {
	/* Runs on a worker thread; must not touch owner state. */
	void (*run)(struct probe_pool_job *job);
	/* Frees a job the owner will never get back (probe_pool_free with the
	 * job still queued or finished but not taken); ran says which. */
	void (*drop)(struct probe_pool_job *job, bool ran);
	struct probe_pool_job *next; /* the pool's link; also links taken jobs */
};

struct probe_pool;

/* Starts nthreads workers (1..PROBE_POOL_MAX_THREADS). Returns ERR_OK and
 * a new pool, or ERR_IO (pipe or thread creation failed; nothing left). */
int probe_pool_new(int nthreads, struct probe_pool **out);

/* Stops the pool: makes the cancel fd readable, so the job each worker
 * runs ends as soon as it sees it; jobs still queued are not run; joins
 * every thread, then drops (job->drop) the queued and the finished-but-
 * untaken jobs, closes the pipes and frees. As prompt as the slowest
 * running job is at watching the cancel fd. NULL is fine. */
void probe_pool_free(struct probe_pool *p);

/* Queues a job (run and drop must be set). Never blocks on a worker. */
void probe_pool_submit(struct probe_pool *p, struct probe_pool_job *job);

/* The read end of the wake pipe: readable when finished jobs wait. */
int probe_pool_fd(const struct probe_pool *p);

/* Drains the wake pipe and returns the finished jobs in completion order,
 * linked by ->next (NULL when none). The caller owns them. */
struct probe_pool_job *probe_pool_take(struct probe_pool *p);

/* The read end of the cancel pipe: readable once probe_pool_free has begun.
 * Valid until the pool is freed; jobs may watch it (never read it). */
int probe_pool_cancel_fd(const struct probe_pool *p);

/* Jobs submitted and not yet taken back (queued, running or finished). */
size_t probe_pool_pending(struct probe_pool *p);
int probe_pool_threads(const struct probe_pool *p);

#endif

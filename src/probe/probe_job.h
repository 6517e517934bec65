/* probe_job: one probe on its way, and what a worker thread does with it:
 * resolve the host's options (the first time), connect, start the script,
 * exchange one request, decode. The owner thread (probe_engine) fills the
 * input half and hands the host's connection over with the job; the worker
 * fills the output half; the connection comes back with the result. */
#ifndef CODEFLEET_PROBE_JOB_H
#define CODEFLEET_PROBE_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe_model.h"
#include "probe/probe_pool.h"

struct disc_config;
struct disc_sshcfg;
struct probe_conn;
struct probe_local;

/* One probe on its way: a worker fills the second half. Crosses threads,
 * so it holds copies (or read-only borrowed data that outlives the pool). */
struct probe_job {
	struct probe_pool_job pj; /* first: the pool hands this pointer back */
	size_t index;
	/* in */
	char *name;
	bool is_local;
	char *opencode_path;
	char *token; /* last change token, NULL: none */
	const char *method;
	const struct disc_sshcfg *sshcfg;
	const struct disc_config *cfg;
	const char *ssh_config_path;
	int64_t timeout_ms;
	int cancel_fd;  /* the pool's cancel fd, watched by every wait of the connection; -1 none */
	char *trust_fp; /* the unknown host key the user accepted for this probe; NULL */
	/* in and out: the connection travels with the job */
	struct probe_conn *conn;
	struct probe_local *local;
	/* out */
	struct probe_result *result; /* decoded reply (state ok, no-opencode, error) */
	char *raw;                   /* the reply bytes, for the cache */
	size_t raw_len;
	enum probe_host_state state; /* when result is NULL: the failure */
	char *reason;
	char *detail;
	char *fingerprint; /* the server's key, when the failure is about it */
	int64_t latency_ms;
};

/* The pool's run callback: runs on a worker thread, touches only the job.
 * The connection watches cancel_fd and trusts trust_fp only while the job
 * runs (the fd is the pool's and goes with it; the trust is for one probe). */
void probe_job_run(struct probe_pool_job *pj);
/* The pool's drop callback: frees a job nobody will apply. */
void probe_job_drop(struct probe_pool_job *pj, bool ran);
/* Records a failure: state, one-line reason (NULL: the state's name), detail. */
void probe_job_fail(struct probe_job *j, enum probe_host_state st, const char *reason,
                    const char *detail);
/* Frees the job and everything it holds (the connection too). NULL is fine. */
void probe_job_free(struct probe_job *j);

#endif

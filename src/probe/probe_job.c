#include "probe/probe_job.h"

#include <stdlib.h>

#include "discovery/disc_config.h"
#include "discovery/disc_sshcfg.h"
#include "probe/probe_conn.h"
#include "probe/probe_local.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/xmem.h"
#include "util/clock.h"

void probe_job_fail(struct probe_job *j, enum probe_host_state st, const char *reason,
                    const char *detail)
{
	char *r = xstrdup(reason && *reason ? reason : probe_host_state_name(st));
	char *d = detail && *detail ? xstrdup(detail) : NULL;

	free(j->reason);
	free(j->detail);
	j->reason = r;
	j->detail = d;
	j->state = st;
}

/* ssh_config + config.yaml -> a closed connection for this host. */
static int job_make_conn(struct probe_job *j)
{
	struct disc_opts *d = NULL;
	struct probe_conn_opts *o = NULL;
	const struct disc_config *cfg = j->cfg;
	int rc;

	rc = disc_sshcfg_resolve(j->sshcfg, j->name, &d);
	if (rc == ERR_OK)
		rc = probe_conn_opts_from_disc(d, j->name, j->ssh_config_path, &o);
	if (rc != ERR_OK) {
		probe_job_fail(j, PROBE_HOST_ERROR, err_text(), NULL);
		goto out;
	}
	/* codefleet's own defaults where ssh_config says nothing */
	if (o->connect_timeout_s <= 0 && cfg->ssh.connect_timeout_ms > 0)
		o->connect_timeout_s = (int)((cfg->ssh.connect_timeout_ms + 999) / 1000);
	if (o->alive_interval_s <= 0 && cfg->ssh.keepalive_interval_ms > 0) {
		o->alive_interval_s = (int)((cfg->ssh.keepalive_interval_ms + 999) / 1000);
		o->alive_count_max = cfg->ssh.keepalive_count_max;
	}
	if (o->strict == PROBE_STRICT_ASK && cfg->ssh.strict_host_key_checking == DISC_HOSTKEY_YES)
		o->strict = PROBE_STRICT_YES;
	else if (o->strict == PROBE_STRICT_ASK &&
	         cfg->ssh.strict_host_key_checking == DISC_HOSTKEY_ACCEPT_NEW)
		o->strict = PROBE_STRICT_ACCEPT_NEW;
	j->conn = probe_conn_new(o);
out:
	probe_conn_opts_free(o);
	disc_opts_free(d);
	return rc;
}

static void job_conn_failed(struct probe_job *j, int rc)
{
	struct probe_conn *c = j->conn;
	enum probe_host_state st = PROBE_HOST_ERROR;

	if (rc == ERR_TIMEOUT)
		st = PROBE_HOST_TIMEOUT;
	else if (probe_conn_state(c) != PROBE_CONN_OK && probe_conn_state(c) != PROBE_CONN_CLOSED)
		st = probe_conn_host_state(c);
	probe_job_fail(j, st, *probe_conn_reason(c) ? probe_conn_reason(c) : err_text(),
	               probe_conn_detail(c));
	if (st == PROBE_HOST_HOSTKEY_UNKNOWN || st == PROBE_HOST_HOSTKEY_CHANGED)
		j->fingerprint = xstrdup(probe_conn_fingerprint(c));
	/* a stalled session is not trusted again: the next probe reconnects */
	if (rc == ERR_TIMEOUT)
		probe_conn_close(c);
}

/* Connects when needed, starts the script when needed, sends one probe. */
static int job_exchange_remote(struct probe_job *j, int64_t deadline)
{
	int rc = ERR_OK;

	if (!probe_conn_is_open(j->conn)) {
		rc = probe_conn_open(j->conn, deadline);
		if (rc != ERR_OK)
			return rc;
	}
	if (!probe_conn_probe_running(j->conn))
		rc = probe_conn_probe_start(j->conn, NULL, 0, j->opencode_path, deadline);
	if (rc == ERR_OK)
		rc = probe_conn_probe_exchange(j->conn, j->token, j->method, &j->raw, &j->raw_len,
		                               deadline);
	return rc;
}

static int job_run_remote(struct probe_job *j, int64_t deadline, const char **marker)
{
	bool reused = j->conn && probe_conn_is_open(j->conn);
	int rc;

	if (!j->conn && job_make_conn(j) != ERR_OK)
		return ERR_CONFIG;
	probe_conn_set_cancel_fd(j->conn, j->cancel_fd);
	probe_conn_set_trusted_fingerprint(j->conn, j->trust_fp);
	rc = job_exchange_remote(j, deadline);
	/* a kept-open connection the server dropped meanwhile: once more, fresh */
	if (rc == ERR_NET && reused && probe_conn_now_ms() < deadline)
		rc = job_exchange_remote(j, deadline);
	if (rc != ERR_OK) {
		job_conn_failed(j, rc);
		return rc;
	}
	*marker = probe_conn_marker(j->conn);
	return ERR_OK;
}

static int remaining(int64_t deadline)
{
	int64_t left = deadline - probe_conn_now_ms();

	return left < 1 ? 1 : (int)left;
}

static int job_run_local(struct probe_job *j, int64_t deadline, const char **marker)
{
	struct probe_local_opts lo = {NULL, NULL, 0, j->opencode_path, 0};
	int rc = ERR_OK;

	if (!j->local)
		rc = probe_local_start(&j->local, &lo, remaining(deadline));
	if (rc == ERR_OK)
		rc = probe_local_exchange(j->local, j->token, j->method, remaining(deadline),
		                          &j->raw, &j->raw_len);
	if (rc != ERR_OK) {
		probe_job_fail(j, rc == ERR_TIMEOUT ? PROBE_HOST_TIMEOUT : PROBE_HOST_ERROR,
		               err_text(), NULL);
		probe_local_free(j->local); /* a failed child is gone: start anew */
		j->local = NULL;
		return rc;
	}
	*marker = probe_local_marker(j->local);
	return ERR_OK;
}

static void job_decode(struct probe_job *j, const char *marker)
{
	struct probe_result *r = probe_result_new();

	if (probe_reply_decode(j->raw, j->raw_len, marker, r) != ERR_OK) {
		probe_job_fail(j, PROBE_HOST_ERROR, err_text(), NULL);
		probe_result_free(r);
		return;
	}
	r->probed_at = clock_wall_ms();
	j->result = r;
}

void probe_job_run(struct probe_pool_job *pj)
{
	struct probe_job *j = (struct probe_job *)pj;
	int64_t t0 = probe_conn_now_ms();
	int64_t deadline = t0 + j->timeout_ms;
	const char *marker = NULL;
	int rc;

	err_clear();
	if (j->is_local)
		rc = job_run_local(j, deadline, &marker);
	else
		rc = job_run_remote(j, deadline, &marker);
	if (rc == ERR_OK)
		job_decode(j, marker);
	if (j->conn) { /* back home it must not hold the pool's fd, nor the trust */
		probe_conn_set_cancel_fd(j->conn, -1);
		probe_conn_set_trusted_fingerprint(j->conn, NULL);
	}
	j->latency_ms = probe_conn_now_ms() - t0;
}

void probe_job_free(struct probe_job *j)
{
	if (!j)
		return;
	free(j->name);
	free(j->opencode_path);
	free(j->token);
	free(j->trust_fp);
	probe_conn_free(j->conn);
	probe_local_free(j->local);
	probe_result_free(j->result);
	free(j->raw);
	free(j->reason);
	free(j->detail);
	free(j->fingerprint);
	free(j);
}

void probe_job_drop(struct probe_pool_job *pj, bool ran)
{
	(void)ran;
	probe_job_free((struct probe_job *)pj);
}

/* probe_auth: see probe_auth.h. */
#include "probe/probe_auth.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe_conn_int.h"
#include "util/err.h"
#include "util/strbuf.h"

#define AUTH_TIMED_OUT (-100)

/* One attempt: the agent when agent is set, else key (NULL: method
 * "none"), waiting out SSH_AUTH_AGAIN until the deadline. */
static int auth_try(struct probe_conn *c, bool agent, ssh_key key, int64_t deadline_ms)
{
	int r = 0;

	for (;;) {
		if (agent)
			r = ssh_userauth_agent(c->s, NULL);
		else if (key)
			r = ssh_userauth_publickey(c->s, NULL, key);
		else
			r = ssh_userauth_none(c->s, NULL);
		if (r != SSH_AUTH_AGAIN)
			return r;
		if (probe_conn_wait(c, deadline_ms) == ERR_TIMEOUT)
			return AUTH_TIMED_OUT;
	}
}

/* libssh asks for a passphrase through this: we never prompt, we note
 * that the key is encrypted and refuse. */
static int no_passphrase(const char *prompt, char *buf, size_t len, int echo, int verify,
                         void *userdata)
{
	(void)prompt;
	(void)echo;
	(void)verify;
	if (len)
		buf[0] = '\0';
	*(bool *)userdata = true;
	return -1;
}

static bool agent_usable(const struct probe_conn *c)
{
	const char *sock = c->opts->identity_agent;

	if (sock && !strcmp(sock, "none"))
		return false;
	if (!sock)
		sock = getenv("SSH_AUTH_SOCK");
	return sock && *sock;
}

static const char *auth_word(int r)
{
	switch (r) {
	case SSH_AUTH_SUCCESS:
		return "accepted";
	case SSH_AUTH_DENIED:
		return "denied";
	case SSH_AUTH_PARTIAL:
		return "partial (more methods needed)";
	case AUTH_TIMED_OUT:
		return "timed out";
	default:
		return "error";
	}
}

/* Tries one identity file. *encrypted is set when it needs a passphrase. */
static int auth_file(struct probe_conn *c, const char *file, bool *encrypted, struct strbuf *log,
                     int64_t deadline_ms)
{
	ssh_key key = NULL;
	bool enc = false;
	int r = SSH_AUTH_DENIED;

	if (access(file, F_OK) != 0)
		return SSH_AUTH_DENIED; /* ssh skips missing default keys quietly */
	if (ssh_pki_import_privkey_file(file, NULL, no_passphrase, &enc, &key) != SSH_OK) {
		*encrypted |= enc;
		strbuf_printf(log, "%s: %s; ", file,
		              enc ? "encrypted, skipped (no prompts; add it to the agent)"
		                  : "cannot be read as a private key");
		return SSH_AUTH_DENIED;
	}
	r = auth_try(c, false, key, deadline_ms);
	strbuf_printf(log, "%s: %s; ", file, auth_word(r));
	ssh_key_free(key);
	return r;
}

static bool auth_over(int r)
{
	return r == SSH_AUTH_SUCCESS || r == SSH_AUTH_ERROR || r == AUTH_TIMED_OUT;
}

/* IdentitiesOnly: libssh 0.10 cannot limit the agent to the listed keys,
 * so with it the files come first and the agent is asked only when a
 * listed key is encrypted (the agent is then the only way to use it). */
static int auth_methods(struct probe_conn *c, struct strbuf *log, int64_t deadline_ms)
{
	bool agent = agent_usable(c);
	bool encrypted = false;
	int r = SSH_AUTH_DENIED;

	if (agent && !c->opts->identities_only) {
		r = auth_try(c, true, NULL, deadline_ms);
		strbuf_printf(log, "agent: %s; ", auth_word(r));
		if (auth_over(r))
			return r;
	}
	for (size_t i = 0; i < c->opts->n_identity_files; i++) {
		char *file = probe_conn_opts_expand_home(c->opts->identity_files[i]);

		r = auth_file(c, file, &encrypted, log, deadline_ms);
		free(file);
		if (auth_over(r))
			return r;
	}
	if (agent && c->opts->identities_only && encrypted) {
		r = auth_try(c, true, NULL, deadline_ms);
		strbuf_printf(log, "agent: %s; ", auth_word(r));
	}
	return r == SSH_AUTH_PARTIAL ? SSH_AUTH_DENIED : r;
}

int probe_auth_run(struct probe_conn *c, int64_t deadline_ms)
{
	struct strbuf log = STRBUF_INIT;
	int r = auth_try(c, false, NULL, deadline_ms);
	int rc = ERR_OK;

	if (r == SSH_AUTH_SUCCESS)
		goto out;
	if (!auth_over(r)) {
		if (!(ssh_userauth_list(c->s, NULL) & SSH_AUTH_METHOD_PUBLICKEY))
			strbuf_puts(&log, "server does not offer publickey; ");
		else
			r = auth_methods(c, &log, deadline_ms);
	}
	if (r == SSH_AUTH_SUCCESS)
		goto out;
	if (r == AUTH_TIMED_OUT)
		rc = probe_conn_fail(c, PROBE_CONN_TIMEOUT,
		                     "authentication did not finish within the deadline");
	else if (r == SSH_AUTH_ERROR)
		rc = probe_conn_fail(c, PROBE_CONN_ERROR, "authentication failed: %s",
		                     ssh_get_error(c->s));
	else
		rc = probe_conn_fail(c, PROBE_CONN_AUTH_REQUIRED,
		                     "no key or agent identity accepted for %s@%s", c->opts->user,
		                     c->opts->hostname);
	probe_conn_detail_add(c, "tried",
	                      log.len ? strbuf_str(&log) : "nothing (no agent, no identity file)");
	probe_conn_detail_ssh(c);
out:
	strbuf_free(&log);
	return rc;
}

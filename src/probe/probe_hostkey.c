/* probe_hostkey: see probe_hostkey.h. */
#include "probe/probe_hostkey.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe_conn_int.h"
#include "util/err.h"
#include "util/xmem.h"

static char *server_fingerprint(ssh_session s)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;
	char *out = NULL;

	if (ssh_get_server_publickey(s, &key) != SSH_OK)
		goto out;
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != SSH_OK)
		goto out;
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	out = xstrdup(fp);
out:
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return out;
}

/* The verdict of every known_hosts file together: a matching key anywhere
 * wins; otherwise a different key for the host anywhere means changed. */
static enum ssh_known_hosts_e known_hosts_verdict(struct probe_conn *c)
{
	enum ssh_known_hosts_e best = SSH_KNOWN_HOSTS_UNKNOWN;

	for (size_t i = 0; i < c->opts->n_known_hosts; i++) {
		const char *file = c->opts->known_hosts[i];
		enum ssh_known_hosts_e r = SSH_KNOWN_HOSTS_UNKNOWN;

		if (access(file, R_OK) != 0)
			continue;
		ssh_options_set(c->s, SSH_OPTIONS_KNOWNHOSTS, file);
		ssh_options_set(c->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, file);
		r = ssh_session_get_known_hosts_entry(c->s, NULL);
		if (r == SSH_KNOWN_HOSTS_OK)
			return r;
		if (r == SSH_KNOWN_HOSTS_CHANGED)
			best = r;
		else if (r == SSH_KNOWN_HOSTS_OTHER && best != SSH_KNOWN_HOSTS_CHANGED)
			best = r;
		else if (r == SSH_KNOWN_HOSTS_ERROR)
			probe_conn_detail_add(c, "known_hosts", ssh_get_error(c->s));
	}
	return best;
}

static int accept_new(struct probe_conn *c)
{
	const char *file = c->opts->known_hosts[0];

	ssh_options_set(c->s, SSH_OPTIONS_KNOWNHOSTS, file);
	if (ssh_session_update_known_hosts(c->s) != SSH_OK) {
		probe_conn_fail(c, PROBE_CONN_ERROR, "cannot add the host key to %s", file);
		probe_conn_detail_ssh(c);
		return ERR_IO;
	}
	return ERR_OK;
}

/* The user accepted this very key in the dashboard (under ask only: `yes`
 * means keys are added by hand). The fingerprint is compared with the key
 * the server presents now, not the one shown earlier, so a key swapped in
 * between is never recorded. */
static bool user_trusted(const struct probe_conn *c)
{
	return c->trusted_fp && c->fingerprint && c->opts->strict == PROBE_STRICT_ASK &&
	       c->opts->n_user_known_hosts && strcmp(c->trusted_fp, c->fingerprint) == 0;
}

int probe_hostkey_check(struct probe_conn *c)
{
	enum ssh_known_hosts_e v = SSH_KNOWN_HOSTS_UNKNOWN;
	const char *fp = NULL;

	free(c->fingerprint);
	c->fingerprint = server_fingerprint(c->s);
	fp = c->fingerprint ? c->fingerprint : "(no key)";
	v = known_hosts_verdict(c);
	switch (v) {
	case SSH_KNOWN_HOSTS_OK:
		return ERR_OK;
	case SSH_KNOWN_HOSTS_CHANGED:
		return probe_conn_fail(c, PROBE_CONN_HOSTKEY_CHANGED,
		                       "host key for %s changed (now %s); not connecting",
		                       c->opts->hostname, fp);
	case SSH_KNOWN_HOSTS_OTHER:
		/* Keys of another type are known: never added automatically. */
		if (c->opts->strict == PROBE_STRICT_NO)
			return ERR_OK;
		return probe_conn_fail(c, PROBE_CONN_HOSTKEY_UNKNOWN,
		                       "host key %s of %s is not known (keys of another type are)",
		                       fp, c->opts->hostname);
	default:
		break;
	}
	if (c->opts->strict == PROBE_STRICT_NO)
		return ERR_OK;
	if (c->opts->strict == PROBE_STRICT_ACCEPT_NEW && c->opts->n_user_known_hosts)
		return accept_new(c);
	if (user_trusted(c))
		return accept_new(c);
	return probe_conn_fail(c, PROBE_CONN_HOSTKEY_UNKNOWN, "host key %s of %s is not known", fp,
	                       c->opts->hostname);
}

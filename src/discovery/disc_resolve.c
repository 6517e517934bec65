/* disc_resolve: walk the loaded directives the way OpenSSH 9.2's
 * readconf.c/ssh.c do and build what `ssh -G` prints (see disc_resolve.h). */
#include "discovery/disc_resolve.h"

#include <ctype.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "discovery/disc_kw.h"
#include "discovery/disc_match.h"
#include "discovery/disc_opts.h"
#include "discovery/disc_sshcfg.h"
#include "discovery/disc_tokens.h"
#include "util/err.h"
#include "util/xmem.h"

#define EXEC_TIMEOUT_MS 10000 /* Match exec: ssh has none; we must not hang */
#define DEFAULT_PORT    22

struct idfile {
	const char *path;
	bool user; /* from a user file: ssh keeps the same path twice if
	            * both a user and a system file name it */
};

/* The subset of ssh's Options that codefleet uses; strings are borrowed
 * from the loaded entries. -1 / NULL mean "not set yet" (first one wins). */
struct state {
	const char *host_arg;
	const char *user, *hostname, *hostkeyalias, *identityagent, *fwdagent_path;
	const char *proxycommand, *jump_user, *jump_host, *jump_extra;
	int port, batchmode, identitiesonly, shkc, alivecount, aliveint, conntimeout;
	int fwdagent, canon, jump_port;
	struct idfile *ids;
	size_t nids;
	char *const *khosts;
	size_t nkhosts;
	const struct disc_sshcfg_ent *khosts_ent, *agent_ent, *fwdagent_ent;
	const struct disc_sshcfg *cfg;
};

static void set_int(int *slot, int v)
{
	if (*slot == -1)
		*slot = v;
}

static void set_str(const char **slot, const char *v)
{
	if (!*slot)
		*slot = v;
}

static void add_identity(struct state *st, const char *path, bool user)
{
	for (size_t i = 0; i < st->nids; i++)
		if (st->ids[i].user == user && !strcmp(st->ids[i].path, path))
			return;
	st->ids = xrealloc(st->ids, st->nids + 1, sizeof(*st->ids));
	st->ids[st->nids].path = path;
	st->ids[st->nids++].user = user;
}

/* ProxyJump and ProxyCommand exclude each other: whichever comes first. */
static void apply_jump(struct state *st, const struct disc_kw_value *v)
{
	if (st->proxycommand || st->jump_host)
		return;
	st->jump_host = v->jump_host;
	st->jump_port = v->jump_port;
	if (strcmp(v->jump_host, "none")) {
		st->jump_user = v->jump_user;
		st->jump_extra = v->jump_extra;
		st->proxycommand = "none";
	}
}

static void apply_option(struct state *st, const struct disc_sshcfg_ent *e)
{
	const struct disc_kw_value *v = &e->val;

	switch (v->id) {
	case DISC_KW_USER:
		set_str(&st->user, v->str);
		break;
	case DISC_KW_HOSTNAME:
		set_str(&st->hostname, v->str);
		break;
	case DISC_KW_PORT:
		set_int(&st->port, v->num);
		break;
	case DISC_KW_BATCHMODE:
		set_int(&st->batchmode, v->num);
		break;
	case DISC_KW_IDENTITIESONLY:
		set_int(&st->identitiesonly, v->num);
		break;
	case DISC_KW_STRICTHOSTKEYCHECKING:
		set_int(&st->shkc, v->num);
		break;
	case DISC_KW_SERVERALIVECOUNTMAX:
		set_int(&st->alivecount, v->num);
		break;
	case DISC_KW_SERVERALIVEINTERVAL:
		set_int(&st->aliveint, v->num);
		break;
	case DISC_KW_CONNECTTIMEOUT:
		set_int(&st->conntimeout, v->num);
		break;
	case DISC_KW_CANONICALIZEHOSTNAME:
		set_int(&st->canon, v->num);
		break;
	case DISC_KW_HOSTKEYALIAS:
		set_str(&st->hostkeyalias, v->str);
		break;
	case DISC_KW_IDENTITYAGENT:
		if (!st->identityagent)
			st->agent_ent = e;
		set_str(&st->identityagent, v->str);
		break;
	case DISC_KW_IDENTITYFILE:
		add_identity(st, v->list.v[0], e->userconf);
		break;
	case DISC_KW_USERKNOWNHOSTSFILE:
		if (st->nkhosts == 0) {
			st->khosts = v->list.v;
			st->nkhosts = v->list.n;
			st->khosts_ent = e;
		}
		break;
	case DISC_KW_FORWARDAGENT:
		/* The flag and the socket path are separate slots in ssh. */
		set_int(&st->fwdagent, v->num);
		if (v->str && !st->fwdagent_path) {
			st->fwdagent_path = v->str;
			st->fwdagent_ent = e;
		}
		break;
	case DISC_KW_PROXYCOMMAND:
		/* ssh -G shows that "ProxyJump none" does not block it. */
		if (!st->jump_host || !strcmp(st->jump_host, "none"))
			set_str(&st->proxycommand, v->str);
		break;
	case DISC_KW_PROXYJUMP:
		apply_jump(st, v);
		break;
	default:
		break;
	}
}

/* Host: any matching pattern activates, a matching negated one vetoes. */
static bool host_matches(const struct disc_sshcfg_ent *e, const char *host)
{
	bool active = false;

	for (size_t i = 0; i < e->pats.n; i++) {
		const char *p = e->pats.v[i];
		bool neg = *p == '!';

		if (disc_match_pattern(host, p + neg)) {
			if (neg)
				return false;
			active = true;
		}
	}
	return active;
}

/* HostName with %h (and %%) expanded; ssh knows no other token here. */
static char *expand_hostname(const char *hostname, const char *host_arg)
{
	struct disc_tokens t = {0};
	const char *why;

	t.h = host_arg;
	return disc_tokens_expand(hostname, &t, false, &why);
}

struct pass {
	bool final;
	bool want_final;
	const char *final_host;
};

static int eval_match(struct state *st, const struct disc_sshcfg_ent *e, struct pass *ps,
                      int *active)
{
	const struct disc_sshcfg *cfg = st->cfg;
	char *host = NULL, *hash = NULL, portstr[16], *why = NULL;
	const char *ruser = st->user ? st->user : cfg->user;
	struct disc_tokens t = {0};
	struct disc_match_ctx ctx = {0};
	int r, rc = ERR_OK;

	if (ps->final)
		host = xstrdup(ps->final_host);
	else if (st->hostname && !(host = expand_hostname(st->hostname, st->host_arg)))
		return err_set(ERR_CONFIG, "%s:%d: HostName \"%s\": unknown %%-token", e->file,
		               e->line, st->hostname);
	else if (!host)
		host = xstrdup(st->host_arg);
	snprintf(portstr, sizeof(portstr), "%d", st->port > 0 ? st->port : DEFAULT_PORT);
	hash = disc_tokens_conn_hash(cfg->thishost, host, portstr, ruser);
	t = (struct disc_tokens){.C = hash,
	                         .L = cfg->shorthost,
	                         .d = cfg->home,
	                         .h = host,
	                         .i = cfg->uid,
	                         .k = st->hostkeyalias ? st->hostkeyalias : host,
	                         .l = cfg->thishost,
	                         .n = st->host_arg,
	                         .p = portstr,
	                         .r = ruser,
	                         .u = cfg->user};
	ctx = (struct disc_match_ctx){.host = host,
	                              .original = st->host_arg,
	                              .user = ruser,
	                              .localuser = cfg->user,
	                              .final_pass = ps->final,
	                              .tokens = &t,
	                              .exec_timeout_ms = EXEC_TIMEOUT_MS};
	r = disc_match_eval(&e->cond, &ctx, &why);
	if (r < 0)
		rc = err_set(ERR_CONFIG, "%s:%d: %s", e->file, e->line, why);
	else
		*active = r;
	free(why);
	free(hash);
	free(host);
	return rc;
}

/* One walk over every directive, as one process_config_files() call. */
static int run_pass(struct state *st, struct pass *ps)
{
	const struct disc_sshcfg *cfg = st->cfg;
	struct {
		int active, never;
	} stack[DISC_SSHCFG_MAX_DEPTH + 2];
	int depth = 0, active = 1, never = 0, rc = ERR_OK;

	for (size_t i = 0; rc == ERR_OK && i < cfg->nents; i++) {
		const struct disc_sshcfg_ent *e = &cfg->ents[i];

		switch (e->kind) {
		case DISC_SSHCFG_ENT_TOP:
			active = 1;
			never = 0;
			depth = 0;
			break;
		case DISC_SSHCFG_ENT_INC_BEGIN:
			/* A file included from an inactive block never matches. */
			stack[depth].active = active;
			stack[depth++].never = never;
			never = never || !active;
			break;
		case DISC_SSHCFG_ENT_INC_END:
			depth--;
			active = stack[depth].active;
			never = stack[depth].never;
			break;
		case DISC_SSHCFG_ENT_HOST:
			/* ssh matches Host against its `host` variable: the
			 * argument, and in the final pass the final host name. */
			active =
			    !never && host_matches(e, ps->final ? ps->final_host : st->host_arg);
			break;
		case DISC_SSHCFG_ENT_MATCH:
			ps->want_final |= e->cond.wants_final;
			/* ssh evaluates it anyway; we skip exec where it cannot apply. */
			if (never)
				active = 0;
			else
				rc = eval_match(st, e, ps, &active);
			break;
		case DISC_SSHCFG_ENT_OPT:
			if (active)
				apply_option(st, e);
			break;
		}
	}
	return rc;
}

/* ssh's is_addr_fast(): anything with '%' or ':' or only digits and dots
 * is taken for an address. */
static bool looks_like_addr(const char *h)
{
	return strchr(h, '%') || strchr(h, ':') || strspn(h, "1234567890.") == strlen(h);
}

/* ssh lower-cases names but leaves addresses alone, except that a numeric
 * address is rewritten to its canonical form ("127.1" -> "127.0.0.1"). */
static void normalize_host(char **host)
{
	struct addrinfo hints = {0}, *res = NULL;
	char buf[NI_MAXHOST];
	bool numeric;

	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	numeric = getaddrinfo(*host, "22", &hints, &res) == 0;
	if (!numeric && !looks_like_addr(*host)) {
		for (char *c = *host; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		return;
	}
	if (numeric &&
	    getnameinfo(res->ai_addr, res->ai_addrlen, buf, sizeof(buf), NULL, 0, NI_NUMERICHOST) ==
	        0 &&
	    strcasecmp(buf, *host) != 0) {
		free(*host);
		*host = xstrdup(buf);
	}
	if (res)
		freeaddrinfo(res);
}

/* ---- the result, in ssh -G order ---- */

static const char *yesno(int v)
{
	return v > 0 ? "yes" : "no";
}

/* fmt_multistate_int: the first word of ssh's table with that value. */
static const char *shkc_name(int v)
{
	switch (v) {
	case DISC_SHKC_YES:
		return "true";
	case DISC_SHKC_OFF:
		return "false";
	case DISC_SHKC_NEW:
		return "accept-new";
	default:
		return "ask";
	}
}

/* Everything ssh.c fills in before dump_client_config(). */
struct final {
	char *host; /* HostName, expanded and normalised */
	char *port;
	char *hash;
	char *keyalias; /* lower-cased HostKeyAlias or NULL */
	struct disc_tokens t;
};

static int expand_path(const struct state *st, const struct final *f, const char *in,
                       const struct disc_sshcfg_ent *e, const char *what, char **out)
{
	const char *why = "unknown user";
	char *tilde = disc_tokens_tilde(in);

	*out = tilde ? disc_tokens_expand(tilde, &f->t, true, &why) : NULL;
	free(tilde);
	if (*out)
		return ERR_OK;
	if (e)
		return err_set(ERR_CONFIG, "%s:%d: %s \"%s\": %s", e->file, e->line, what, in, why);
	return err_set(ERR_CONFIG, "%s: %s \"%s\": %s", st->host_arg, what, in, why);
}

static void put_identities(struct disc_opts *o, const struct state *st)
{
	static const char *const defaults[] = {
	    "~/.ssh/id_rsa",        "~/.ssh/id_ecdsa", "~/.ssh/id_ecdsa_sk", "~/.ssh/id_ed25519",
	    "~/.ssh/id_ed25519_sk", "~/.ssh/id_xmss",  "~/.ssh/id_dsa"};

	/* ssh -G prints IdentityFile as written: it expands it only later. */
	if (st->nids == 0)
		for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
			disc_opts_put(o, "identityfile", defaults[i]);
	for (size_t i = 0; i < st->nids; i++)
		disc_opts_put(o, "identityfile", st->ids[i].path);
}

static int put_knownhosts(struct disc_opts *o, const struct state *st, const struct final *f)
{
	static char *const defaults[] = {"~/.ssh/known_hosts", "~/.ssh/known_hosts2"};
	char *const *list = st->nkhosts ? st->khosts : defaults;
	size_t n = st->nkhosts ? st->nkhosts : 2;
	char *x = NULL;
	int rc;

	if (!strcasecmp(list[0], "none")) {
		disc_opts_put(o, "userknownhostsfile", "none");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = expand_path(st, f, list[i], st->khosts_ent, "UserKnownHostsFile", &x);
		if (rc != ERR_OK)
			return rc;
		disc_opts_put_owned(o, "userknownhostsfile", x);
	}
out:
	disc_opts_set_oneline(o, "userknownhostsfile");
	return ERR_OK;
}

static int put_agents(struct disc_opts *o, const struct state *st, const struct final *f)
{
	char *x = NULL;
	int rc;

	if (st->fwdagent_path) {
		rc = expand_path(st, f, st->fwdagent_path, st->fwdagent_ent, "ForwardAgent", &x);
		if (rc != ERR_OK)
			return rc;
		disc_opts_put_owned(o, "forwardagent", x);
	} else {
		disc_opts_put(o, "forwardagent", yesno(st->fwdagent));
	}
	return ERR_OK;
}

/* "proxyjump [extra,][user@]host[:port]", with brackets for addresses. */
static void put_proxy(struct disc_opts *o, const struct state *st)
{
	const char *h = st->jump_host;
	char port[16] = "";
	bool numeric;

	if (!h || !strcmp(h, "none")) {
		if (st->proxycommand && strcasecmp(st->proxycommand, "none"))
			disc_opts_put(o, "proxycommand", st->proxycommand);
		return;
	}
	numeric = strchr(h, ':') || strspn(h, "1234567890.") == strlen(h);
	if (st->jump_port > 0)
		snprintf(port, sizeof(port), ":%d", st->jump_port);
	disc_opts_put_owned(o, "proxyjump",
	                    xasprintf("%s%s%s%s%s%s%s%s", st->jump_extra ? st->jump_extra : "",
	                              st->jump_extra ? "," : "", st->jump_user ? st->jump_user : "",
	                              st->jump_user ? "@" : "", numeric ? "[" : "", h,
	                              numeric ? "]" : "", port));
}

/* Prints in ssh -G order: identity first, then flags, numbers, strings,
 * lists and the special cases, as dump_client_config() does. */
static int build(struct disc_opts *o, const struct state *st, const struct final *f)
{
	char *x = NULL;
	int rc;

	disc_opts_put(o, "host", st->host_arg);
	disc_opts_put(o, "user", st->user ? st->user : st->cfg->user);
	disc_opts_put(o, "hostname", f->host);
	disc_opts_put(o, "port", f->port);
	disc_opts_put(o, "batchmode", yesno(st->batchmode));
	disc_opts_put(o, "identitiesonly", yesno(st->identitiesonly));
	disc_opts_put(o, "stricthostkeychecking", shkc_name(st->shkc));
	disc_opts_put_int(o, "serveralivecountmax", st->alivecount == -1 ? 3 : st->alivecount);
	/* Debian's ssh defaults to a 5 minute keepalive in batch mode. */
	disc_opts_put_int(o, "serveraliveinterval",
	                  st->aliveint != -1   ? st->aliveint
	                  : st->batchmode == 1 ? 300
	                                       : 0);
	if (f->keyalias)
		disc_opts_put(o, "hostkeyalias", f->keyalias);
	if (st->identityagent) {
		rc = expand_path(st, f, st->identityagent, st->agent_ent, "IdentityAgent", &x);
		if (rc != ERR_OK)
			return rc;
		disc_opts_put_owned(o, "identityagent", x);
	}
	put_identities(o, st);
	rc = put_knownhosts(o, st, f);
	if (rc == ERR_OK)
		rc = put_agents(o, st, f);
	if (rc != ERR_OK)
		return rc;
	if (st->conntimeout == -1)
		disc_opts_put(o, "connecttimeout", "none");
	else
		disc_opts_put_int(o, "connecttimeout", st->conntimeout);
	put_proxy(o, st);
	return ERR_OK;
}

static void init_state(struct state *st, const struct disc_sshcfg *cfg, const char *host)
{
	memset(st, 0, sizeof(*st));
	st->cfg = cfg;
	st->host_arg = host;
	st->port = st->batchmode = st->identitiesonly = st->shkc = -1;
	st->alivecount = st->aliveint = st->conntimeout = st->fwdagent = st->canon = -1;
	st->jump_port = -1;
}

static void final_tokens(struct final *f, const struct state *st)
{
	const struct disc_sshcfg *cfg = st->cfg;
	const char *user = st->user ? st->user : cfg->user;

	f->port = xasprintf("%d", st->port > 0 ? st->port : DEFAULT_PORT);
	f->hash = disc_tokens_conn_hash(cfg->thishost, f->host, f->port, user);
	if (st->hostkeyalias) {
		f->keyalias = xstrdup(st->hostkeyalias);
		for (char *c = f->keyalias; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	f->t = (struct disc_tokens){.C = f->hash,
	                            .L = cfg->shorthost,
	                            .d = cfg->home,
	                            .h = f->host,
	                            .i = cfg->uid,
	                            .k = f->keyalias ? f->keyalias : st->host_arg,
	                            .l = cfg->thishost,
	                            .n = st->host_arg,
	                            .p = f->port,
	                            .r = user,
	                            .u = cfg->user};
}

/* ssh refuses a ProxyJump that points back at the destination itself. */
static int check_jump_loop(const struct state *st, const struct final *f)
{
	const char *user = st->user ? st->user : st->cfg->user;
	int port = st->port > 0 ? st->port : DEFAULT_PORT;
	int jport = st->jump_port > 0 ? st->jump_port : DEFAULT_PORT;

	if (!st->jump_host || !strcmp(st->jump_host, "none"))
		return ERR_OK;
	if (!strcmp(st->jump_host, f->host) && port == jport &&
	    !strcmp(user, st->jump_user ? st->jump_user : user))
		return err_set(ERR_CONFIG, "%s: ProxyJump loops back to %s", st->host_arg,
		               st->jump_host);
	return ERR_OK;
}

/* ssh (Debian 9.2p1-2+deb12u2 and later) refuses shell metacharacters,
 * blanks and control characters in the host name given to it. */
static bool valid_hostname(const char *s)
{
	if (*s == '-')
		return false;
	for (; *s; s++)
		if (strchr("'`\"$\\;&<>|(){}", *s) || isspace((unsigned char)*s) ||
		    iscntrl((unsigned char)*s))
			return false;
	return true;
}

/* The first pass; then the host name ssh settles on; then, for Match final
 * / canonical or CanonicalizeHostname, a second pass with that name which
 * keeps what the first pass set. */
static int run_passes(struct state *st, struct final *f)
{
	struct pass ps = {0};
	int rc;

	rc = run_pass(st, &ps);
	if (rc != ERR_OK)
		return rc;
	f->host =
	    st->hostname ? expand_hostname(st->hostname, st->host_arg) : xstrdup(st->host_arg);
	if (!f->host)
		return err_set(ERR_CONFIG, "%s: HostName \"%s\": unknown %%-token", st->host_arg,
		               st->hostname);
	normalize_host(&f->host);
	if (st->canon > 0 || ps.want_final) {
		ps.final = true;
		ps.final_host = f->host;
		st->hostname = f->host;
		rc = run_pass(st, &ps);
	}
	return rc;
}

int disc_resolve_host(const struct disc_sshcfg *cfg, const char *arg, struct disc_opts **out)
{
	struct state st;
	struct final f = {0};
	struct disc_opts *o = disc_opts_new();
	char *user = NULL, *host = NULL;
	int port = -1, rc;

	*out = NULL;
	init_state(&st, cfg, arg);
	/* "user@host" or an ssh:// URI, as on ssh's command line: the user and
	 * port given there beat the configuration. */
	if (!disc_kw_destination(arg, &user, &host, &port) || !valid_hostname(host)) {
		rc = err_set(ERR_USAGE, "%s: hostname contains invalid characters", arg);
		goto out;
	}
	st.host_arg = host;
	st.user = user;
	st.port = port > 0 ? port : -1;
	rc = run_passes(&st, &f);
	if (rc != ERR_OK)
		goto out;
	final_tokens(&f, &st);
	rc = check_jump_loop(&st, &f);
	if (rc == ERR_OK)
		rc = build(o, &st, &f);
out:
	free(user);
	free(host);
	free(st.ids);
	free(f.host);
	free(f.port);
	free(f.hash);
	free(f.keyalias);
	if (rc == ERR_OK)
		*out = o;
	else
		disc_opts_free(o);
	return rc;
}

/* disc_kw: keyword table and per-keyword argument checks (readconf.c). */
#include "discovery/disc_kw.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "discovery/disc_tokens.h"
#include "util/xmem.h"

enum kind {
	K_ANY,      /* at least one argument, not checked further */
	K_FLAG,     /* yes/no/true/false */
	K_MULTI,    /* one of a list of words */
	K_INT,      /* 0..INT_MAX */
	K_TIME,     /* "none" or a convtime() interval */
	K_STRING,   /* exactly one argument */
	K_COMMAND,  /* the rest of the line, verbatim */
	K_PORT,     /* 1..65535 or a service */
	K_HOSTS,    /* file list, "none" only alone */
	K_AGENT,    /* IdentityAgent path: ${VAR} must be set */
	K_FWDAGENT, /* flag or agent path */
	K_JUMP,     /* ProxyJump hop list */
	K_SPECIAL,  /* Host, Match, Include: parsed by the caller */
};

struct state {
	const char *word;
	int value;
};

static const struct state st_flag[] = {{"true", 1}, {"false", 0}, {"yes", 1}, {"no", 0}, {0, 0}};
static const struct state st_strict[] = {{"true", DISC_SHKC_YES},       {"false", DISC_SHKC_OFF},
                                         {"yes", DISC_SHKC_YES},        {"no", DISC_SHKC_OFF},
                                         {"ask", DISC_SHKC_ASK},        {"off", DISC_SHKC_OFF},
                                         {"accept-new", DISC_SHKC_NEW}, {0, 0}};
static const struct state st_yesnoask[] = {{"true", 1}, {"false", 0}, {"yes", 1},
                                           {"no", 0},   {"ask", 2},   {0, 0}};
static const struct state st_pubkey[] = {{"true", 1},    {"false", 0},      {"yes", 1}, {"no", 0},
                                         {"unbound", 2}, {"host-bound", 3}, {0, 0}};
static const struct state st_control[] = {{"true", 1}, {"yes", 1}, {"false", 0},   {"no", 0},
                                          {"auto", 2}, {"ask", 3}, {"autoask", 4}, {0, 0}};
static const struct state st_tunnel[] = {{"ethernet", 2}, {"point-to-point", 1}, {"true", 3},
                                         {"yes", 3},      {"false", 0},          {"no", 0},
                                         {0, 0}};
static const struct state st_tty[] = {{"true", 1},  {"yes", 1},  {"false", 0}, {"no", 0},
                                      {"force", 2}, {"auto", 3}, {0, 0}};
static const struct state st_session[] = {{"none", 0}, {"subsystem", 1}, {"default", 2}, {0, 0}};
static const struct state st_canon[] = {{"true", 1}, {"false", 0},  {"yes", 1},
                                        {"no", 0},   {"always", 2}, {0, 0}};
static const struct state st_compress[] = {{"yes", 1}, {"no", 0}, {0, 0}};
static const struct state st_family[] = {{"inet", 1}, {"inet6", 2}, {"any", 0}, {0, 0}};
static const struct state st_loglevel[] = {
    {"quiet", 0}, {"fatal", 1},  {"error", 2},  {"info", 3},   {"verbose", 4},
    {"debug", 5}, {"debug1", 5}, {"debug2", 6}, {"debug3", 7}, {0, 0}};
static const struct state st_facility[] = {
    {"daemon", 0},  {"user", 1},    {"auth", 2},   {"authpriv", 3}, {"local0", 4},
    {"local1", 5},  {"local2", 6},  {"local3", 7}, {"local4", 8},   {"local5", 9},
    {"local6", 10}, {"local7", 11}, {0, 0}};
static const struct state st_fphash[] = {{"md5", 0}, {"sha256", 1}, {0, 0}};

static const struct keyword {
	const char *name;
	enum disc_kw_id id;
	enum kind kind;
	const struct state *states;
} keywords[] = {
    {"host", DISC_KW_HOST, K_SPECIAL, NULL},
    {"match", DISC_KW_MATCH, K_SPECIAL, NULL},
    {"include", DISC_KW_INCLUDE, K_SPECIAL, NULL},
    {"user", DISC_KW_USER, K_STRING, NULL},
    {"hostname", DISC_KW_HOSTNAME, K_STRING, NULL},
    {"port", DISC_KW_PORT, K_PORT, NULL},
    {"batchmode", DISC_KW_BATCHMODE, K_FLAG, st_flag},
    {"identitiesonly", DISC_KW_IDENTITIESONLY, K_FLAG, st_flag},
    {"stricthostkeychecking", DISC_KW_STRICTHOSTKEYCHECKING, K_MULTI, st_strict},
    {"serveralivecountmax", DISC_KW_SERVERALIVECOUNTMAX, K_INT, NULL},
    {"serveraliveinterval", DISC_KW_SERVERALIVEINTERVAL, K_TIME, NULL},
    /* Debian's keepalive patch: an old alias, and one it accepts silently. */
    {"protocolkeepalives", DISC_KW_SERVERALIVEINTERVAL, K_TIME, NULL},
    {"setuptimeout", DISC_KW_OTHER, K_ANY, NULL},
    {"hostkeyalias", DISC_KW_HOSTKEYALIAS, K_STRING, NULL},
    {"identityagent", DISC_KW_IDENTITYAGENT, K_AGENT, NULL},
    {"identityfile", DISC_KW_IDENTITYFILE, K_STRING, NULL},
    {"identityfile2", DISC_KW_IDENTITYFILE, K_STRING, NULL},
    {"userknownhostsfile", DISC_KW_USERKNOWNHOSTSFILE, K_HOSTS, NULL},
    {"forwardagent", DISC_KW_FORWARDAGENT, K_FWDAGENT, NULL},
    {"connecttimeout", DISC_KW_CONNECTTIMEOUT, K_TIME, NULL},
    {"proxycommand", DISC_KW_PROXYCOMMAND, K_COMMAND, NULL},
    {"proxyjump", DISC_KW_PROXYJUMP, K_JUMP, NULL},
    {"canonicalizehostname", DISC_KW_CANONICALIZEHOSTNAME, K_MULTI, st_canon},
    /* Checked, not kept. */
    {"forwardx11", DISC_KW_OTHER, K_FLAG, st_flag},
    {"forwardx11trusted", DISC_KW_OTHER, K_FLAG, st_flag},
    {"forwardx11timeout", DISC_KW_OTHER, K_TIME, NULL},
    {"exitonforwardfailure", DISC_KW_OTHER, K_FLAG, st_flag},
    {"gatewayports", DISC_KW_OTHER, K_FLAG, st_flag},
    {"passwordauthentication", DISC_KW_OTHER, K_FLAG, st_flag},
    {"kbdinteractiveauthentication", DISC_KW_OTHER, K_FLAG, st_flag},
    {"challengeresponseauthentication", DISC_KW_OTHER, K_FLAG, st_flag},
    {"skeyauthentication", DISC_KW_OTHER, K_FLAG, st_flag},
    {"tisauthentication", DISC_KW_OTHER, K_FLAG, st_flag},
    {"pubkeyauthentication", DISC_KW_OTHER, K_MULTI, st_pubkey},
    {"dsaauthentication", DISC_KW_OTHER, K_MULTI, st_pubkey},
    {"hostbasedauthentication", DISC_KW_OTHER, K_FLAG, st_flag},
    {"gssapiauthentication", DISC_KW_OTHER, K_FLAG, st_flag},
    {"gssapidelegatecredentials", DISC_KW_OTHER, K_FLAG, st_flag},
    {"gssapikeyexchange", DISC_KW_OTHER, K_FLAG, st_flag},
    {"gssapitrustdns", DISC_KW_OTHER, K_FLAG, st_flag},
    {"gssapirenewalforcesrekey", DISC_KW_OTHER, K_FLAG, st_flag},
    {"gssapiclientidentity", DISC_KW_OTHER, K_STRING, NULL},
    {"gssapiserveridentity", DISC_KW_OTHER, K_STRING, NULL},
    {"gssapikexalgorithms", DISC_KW_OTHER, K_STRING, NULL},
    {"checkhostip", DISC_KW_OTHER, K_FLAG, st_flag},
    {"compression", DISC_KW_OTHER, K_MULTI, st_compress},
    {"tcpkeepalive", DISC_KW_OTHER, K_FLAG, st_flag},
    {"keepalive", DISC_KW_OTHER, K_FLAG, st_flag},
    {"nohostauthenticationforlocalhost", DISC_KW_OTHER, K_FLAG, st_flag},
    {"numberofpasswordprompts", DISC_KW_OTHER, K_INT, NULL},
    {"connectionattempts", DISC_KW_OTHER, K_INT, NULL},
    {"canonicalizemaxdots", DISC_KW_OTHER, K_INT, NULL},
    {"requiredrsasize", DISC_KW_OTHER, K_INT, NULL},
    {"clearallforwardings", DISC_KW_OTHER, K_FLAG, st_flag},
    {"enablesshkeysign", DISC_KW_OTHER, K_FLAG, st_flag},
    {"hashknownhosts", DISC_KW_OTHER, K_FLAG, st_flag},
    {"permitlocalcommand", DISC_KW_OTHER, K_FLAG, st_flag},
    {"visualhostkey", DISC_KW_OTHER, K_FLAG, st_flag},
    {"stdinnull", DISC_KW_OTHER, K_FLAG, st_flag},
    {"forkafterauthentication", DISC_KW_OTHER, K_FLAG, st_flag},
    {"proxyusefdpass", DISC_KW_OTHER, K_FLAG, st_flag},
    {"canonicalizefallbacklocal", DISC_KW_OTHER, K_FLAG, st_flag},
    {"streamlocalbindunlink", DISC_KW_OTHER, K_FLAG, st_flag},
    {"enableescapecommandline", DISC_KW_OTHER, K_FLAG, st_flag},
    {"verifyhostkeydns", DISC_KW_OTHER, K_MULTI, st_yesnoask},
    {"updatehostkeys", DISC_KW_OTHER, K_MULTI, st_yesnoask},
    {"controlmaster", DISC_KW_OTHER, K_MULTI, st_control},
    {"tunnel", DISC_KW_OTHER, K_MULTI, st_tunnel},
    {"requesttty", DISC_KW_OTHER, K_MULTI, st_tty},
    {"sessiontype", DISC_KW_OTHER, K_MULTI, st_session},
    {"addressfamily", DISC_KW_OTHER, K_MULTI, st_family},
    {"loglevel", DISC_KW_OTHER, K_MULTI, st_loglevel},
    {"syslogfacility", DISC_KW_OTHER, K_MULTI, st_facility},
    {"fingerprinthash", DISC_KW_OTHER, K_MULTI, st_fphash},
    {"globalknownhostsfile", DISC_KW_OTHER, K_HOSTS, NULL},
    {"localcommand", DISC_KW_OTHER, K_COMMAND, NULL},
    {"remotecommand", DISC_KW_OTHER, K_COMMAND, NULL},
    {"knownhostscommand", DISC_KW_OTHER, K_COMMAND, NULL},
    {"xauthlocation", DISC_KW_OTHER, K_STRING, NULL},
    {"kbdinteractivedevices", DISC_KW_OTHER, K_STRING, NULL},
    {"preferredauthentications", DISC_KW_OTHER, K_STRING, NULL},
    {"bindaddress", DISC_KW_OTHER, K_STRING, NULL},
    {"bindinterface", DISC_KW_OTHER, K_STRING, NULL},
    {"pkcs11provider", DISC_KW_OTHER, K_STRING, NULL},
    {"smartcarddevice", DISC_KW_OTHER, K_STRING, NULL},
    {"securitykeyprovider", DISC_KW_OTHER, K_STRING, NULL},
    {"controlpath", DISC_KW_OTHER, K_STRING, NULL},
    {"revokedhostkeys", DISC_KW_OTHER, K_STRING, NULL},
    {"ignoreunknown", DISC_KW_OTHER, K_STRING, NULL},
    {"certificatefile", DISC_KW_OTHER, K_STRING, NULL},
    /* Argument lists ssh checks in ways codefleet does not need. */
    {"ciphers", DISC_KW_OTHER, K_ANY, NULL},
    {"macs", DISC_KW_OTHER, K_ANY, NULL},
    {"kexalgorithms", DISC_KW_OTHER, K_ANY, NULL},
    {"hostkeyalgorithms", DISC_KW_OTHER, K_ANY, NULL},
    {"casignaturealgorithms", DISC_KW_OTHER, K_ANY, NULL},
    {"hostbasedacceptedalgorithms", DISC_KW_OTHER, K_ANY, NULL},
    {"hostbasedkeytypes", DISC_KW_OTHER, K_ANY, NULL},
    {"pubkeyacceptedalgorithms", DISC_KW_OTHER, K_ANY, NULL},
    {"pubkeyacceptedkeytypes", DISC_KW_OTHER, K_ANY, NULL},
    {"localforward", DISC_KW_OTHER, K_ANY, NULL},
    {"remoteforward", DISC_KW_OTHER, K_ANY, NULL},
    {"dynamicforward", DISC_KW_OTHER, K_ANY, NULL},
    {"permitremoteopen", DISC_KW_OTHER, K_ANY, NULL},
    {"addkeystoagent", DISC_KW_OTHER, K_ANY, NULL},
    {"escapechar", DISC_KW_OTHER, K_ANY, NULL},
    {"logverbose", DISC_KW_OTHER, K_ANY, NULL},
    {"rekeylimit", DISC_KW_OTHER, K_ANY, NULL},
    {"sendenv", DISC_KW_OTHER, K_ANY, NULL},
    {"setenv", DISC_KW_OTHER, K_ANY, NULL},
    {"controlpersist", DISC_KW_OTHER, K_ANY, NULL},
    {"tunneldevice", DISC_KW_OTHER, K_ANY, NULL},
    {"ipqos", DISC_KW_OTHER, K_ANY, NULL},
    {"canonicaldomains", DISC_KW_OTHER, K_ANY, NULL},
    {"canonicalizepermittedcnames", DISC_KW_OTHER, K_ANY, NULL},
    {"streamlocalbindmask", DISC_KW_OTHER, K_ANY, NULL},
    {"useblacklistedkeys", DISC_KW_OTHER, K_ANY, NULL},
    /* Deprecated or unsupported in 9.2: accepted and ignored, as ssh does. */
    {"protocol", DISC_KW_OTHER, K_ANY, NULL},
    {"cipher", DISC_KW_OTHER, K_ANY, NULL},
    {"fallbacktorsh", DISC_KW_OTHER, K_ANY, NULL},
    {"globalknownhostsfile2", DISC_KW_OTHER, K_ANY, NULL},
    {"rhostsauthentication", DISC_KW_OTHER, K_ANY, NULL},
    {"userknownhostsfile2", DISC_KW_OTHER, K_ANY, NULL},
    {"useroaming", DISC_KW_OTHER, K_ANY, NULL},
    {"usersh", DISC_KW_OTHER, K_ANY, NULL},
    {"useprivilegedport", DISC_KW_OTHER, K_ANY, NULL},
    {"afstokenpassing", DISC_KW_OTHER, K_ANY, NULL},
    {"kerberosauthentication", DISC_KW_OTHER, K_ANY, NULL},
    {"kerberostgtpassing", DISC_KW_OTHER, K_ANY, NULL},
    {"rsaauthentication", DISC_KW_OTHER, K_ANY, NULL},
    {"rhostsrsaauthentication", DISC_KW_OTHER, K_ANY, NULL},
    {"compressionlevel", DISC_KW_OTHER, K_ANY, NULL},
};

static const struct keyword *find(const char *name)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (!strcmp(keywords[i].name, name))
			return &keywords[i];
	return NULL;
}

enum disc_kw_id disc_kw_lookup(const char *keyword)
{
	const struct keyword *k = find(keyword);

	return k ? k->id : DISC_KW_UNKNOWN;
}

int disc_kw_convtime(const char *s)
{
	static const struct {
		char unit;
		long mult;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	long total = 0;
	const char *p = s;

	if (!p || !*p)
		return -1;
	while (*p) {
		char *end;
		long secs, mult = 0;

		errno = 0;
		secs = strtol(p, &end, 10);
		if (end == p || errno == ERANGE || secs < 0)
			return -1;
		if (*end == '\0')
			mult = 1;
		for (size_t i = 0; !mult && i < sizeof(units) / sizeof(units[0]); i++)
			if (tolower((unsigned char)*end) == units[i].unit)
				mult = units[i].mult;
		if (!mult)
			return -1;
		if (*end)
			end++;
		if (secs > INT_MAX / mult || total > INT_MAX - secs * mult)
			return -1;
		total += secs * mult;
		p = end;
	}
	return (int)total;
}

/* strtonum(s, lo, hi): whole string decimal in range. */
static bool to_num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end || errno == ERANGE || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int disc_kw_port(const char *s)
{
	struct servent se, *res = NULL;
	char buf[1024];
	long long v;

	if (to_num(s, 0, 65535, &v))
		return v > 0 ? (int)v : -1;
	if (getservbyname_r(s, "tcp", &se, buf, sizeof(buf), &res) == 0 && res)
		return ntohs((unsigned short)res->s_port);
	return -1;
}

static bool bad(char **why, const char *fmt, const char *arg)
{
	*why = xasprintf(fmt, arg);
	return false;
}

static bool parse_multi(const struct state *st, const char *arg, int *out)
{
	for (; st->word; st++)
		if (!strcasecmp(arg, st->word)) {
			*out = st->value;
			return true;
		}
	return false;
}

static bool parse_hosts(const struct disc_line *l, struct disc_kw_value *v, char **why)
{
	for (size_t i = 0; i < l->argc; i++) {
		if (!*l->argv[i])
			return bad(why, "%s: empty argument", l->keyword);
		if (!strcasecmp(l->argv[i], "none") && l->argc > 1)
			return bad(why, "%s: \"none\" must appear alone", l->keyword);
	}
	for (size_t i = 0; i < l->argc; i++)
		disc_strv_push(&v->list, l->argv[i]);
	return true;
}

/* IdentityAgent / ForwardAgent paths: ssh checks ${VAR} references here,
 * at parse time, and the legacy "$NAME" form. */
static bool parse_agent(const char *arg, struct disc_kw_value *v, char **why)
{
	const char *err = NULL;
	char *x = disc_tokens_expand(arg, NULL, true, &err);

	/* Only the ${VAR} part is checked now; % tokens come at resolve time. */
	if (!x)
		return bad(why, "invalid environment expansion in \"%s\"", arg);
	free(x);
	if (arg[0] == '$' && arg[1] != '{') {
		const char *n = arg + 1;
		bool ok = isalpha((unsigned char)*n) || *n == '_';

		for (; ok && *n; n++)
			ok = isalnum((unsigned char)*n) || *n == '_';
		if (!ok)
			return bad(why, "invalid environment name %s", arg);
	}
	v->str = xstrdup(arg);
	return true;
}

/* hpdelim2: splits "host:port" / "[v6]:port" / "host/port" at *sp. */
static char *hp_split(char **sp, char *delim)
{
	char *old = *sp, *s = *sp;

	if (*s == '[') {
		s = strchr(s, ']');
		if (!s)
			return NULL;
		s++;
	} else {
		s = strpbrk(s, ":/");
		if (!s)
			s = old + strlen(old);
	}
	if (*s == '\0') {
		*sp = NULL;
	} else if (*s == ':' || *s == '/') {
		if (delim)
			*delim = *s;
		*s = '\0';
		*sp = s + 1;
	} else {
		return NULL;
	}
	return old;
}

/* cleanhostname: "[addr]" becomes "addr". */
static char *clean_host(char *h)
{
	size_t n = strlen(h);

	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h[n - 1] = '\0';
		return h + 1;
	}
	return h;
}

struct hop {
	char *user, *host;
	int port;
};

static bool valid_domain(const char *h)
{
	if (!*h || *h == '.' || *h == '-')
		return false;
	for (; *h; h++)
		if (!isalnum((unsigned char)*h) && *h != '.' && *h != '-')
			return false;
	return true;
}

/* ssh://[user[;params]@]host[:port] without a path. 1: not a URI. */
static int parse_uri(char *s, struct hop *hp)
{
	char *at, *host, delim = 0;

	if (strncmp(s, "ssh://", 6))
		return 1;
	s += 6;
	if ((at = strchr(s, '@'))) {
		*at = '\0';
		s[strcspn(s, ";")] = '\0';
		if (!*s)
			return -1;
		hp->user = xstrdup(s);
		s = at + 1;
	}
	host = hp_split(&s, &delim);
	if (!host || !*host || !valid_domain(clean_host(host)))
		return -1;
	hp->host = xstrdup(clean_host(host));
	if (s && *s && delim == ':') {
		char *slash = strchr(s, '/');

		if (slash)
			*slash = '\0';
		if ((hp->port = disc_kw_port(s)) <= 0)
			return -1;
		s = slash ? slash + 1 : NULL;
	}
	return s && *s ? -1 : 0;
}

/* [user@]host[:port] */
static int parse_user_host_port(char *s, struct hop *hp)
{
	char *at = strrchr(s, '@'), *host;

	if (at) {
		*at = '\0';
		if (!*s)
			return -1;
		hp->user = xstrdup(s);
		s = at + 1;
	}
	host = hp_split(&s, NULL);
	if (!host || !*host)
		return -1;
	hp->host = xstrdup(clean_host(host));
	if (s && *s && (hp->port = disc_kw_port(s)) <= 0)
		return -1;
	return 0;
}

static int parse_hop(char *s, struct hop *hp)
{
	int r = parse_uri(s, hp);

	if (r == 1)
		r = parse_user_host_port(s, hp);
	return r;
}

bool disc_kw_destination(const char *arg, char **user, char **host, int *port)
{
	struct hop h = {NULL, NULL, -1};
	char *dup = xstrdup(arg), *at;
	int r = parse_uri(dup, &h);

	/* Not a URI: split at the last '@', the rest is the host verbatim. */
	if (r == 1 && (at = strrchr(dup, '@'))) {
		*at = '\0';
		r = *dup ? 0 : -1;
		h.user = r ? NULL : xstrdup(dup);
		h.host = xstrdup(at + 1);
	} else if (r == 1) {
		h.host = xstrdup(dup);
		r = 0;
	}
	free(dup);
	*user = h.user;
	*host = h.host;
	*port = h.port;
	if (r == 0)
		return true;
	free(h.user);
	free(h.host);
	*user = *host = NULL;
	return false;
}

/* ProxyJump: every hop is checked; the last one is kept apart because ssh
 * connects to it with -J carrying the hops before it. */
static bool jump_parse(const char *s, struct disc_kw_value *v, char **why)
{
	char *dup = xstrdup(s), *cut;
	struct hop last = {NULL, NULL, -1};
	bool ok = false, first = true;

	dup[strcspn(dup, "#")] = '\0';
	for (size_t n = strlen(dup); n > 0 && strchr(" \t\r\n", dup[n - 1]); n--)
		dup[n - 1] = '\0';
	v->jump_port = -1;
	if (!strcasecmp(s, "none")) {
		v->jump_host = xstrdup("none");
		v->jump_port = 0;
		ok = true;
		goto out;
	}
	do {
		struct hop h = {NULL, NULL, -1};
		char *hop = strrchr(dup, ',');
		int r;

		cut = hop;
		hop = hop ? hop + 1 : dup;
		r = parse_hop(hop, &h);
		if (cut)
			*cut = '\0';
		if (first && r == 0)
			last = h;
		else {
			free(h.user);
			free(h.host);
		}
		first = false;
		if (r != 0)
			goto out;
	} while (cut);
	v->jump_user = last.user;
	v->jump_host = last.host;
	v->jump_port = last.port;
	last.user = last.host = NULL;
	if ((cut = strrchr(s, ',')) && cut != s)
		v->jump_extra = xstrndup(s, (size_t)(cut - s));
	ok = true;
out:
	free(last.user);
	free(last.host);
	free(dup);
	if (!ok)
		*why = xasprintf("invalid ProxyJump \"%s\"", s);
	return ok;
}

static bool parse_by_kind(const struct keyword *k, const struct disc_line *l,
                          struct disc_kw_value *v, char **why)
{
	const char *arg = l->argc ? l->argv[0] : "";
	long long n;

	switch (k->kind) {
	case K_SPECIAL:
	case K_ANY:
		return true;
	case K_FLAG:
	case K_MULTI:
		if (!parse_multi(k->states, arg, &v->num))
			return bad(why, "unsupported option \"%s\"", arg);
		return true;
	case K_INT:
		if (!to_num(arg, 0, INT_MAX, &n))
			return bad(why, "invalid integer \"%s\"", arg);
		v->num = (int)n;
		return true;
	case K_TIME:
		v->num = strcmp(arg, "none") ? disc_kw_convtime(arg) : -1;
		if (v->num == -1 && strcmp(arg, "none"))
			return bad(why, "invalid time value \"%s\"", arg);
		return true;
	case K_PORT:
		v->num = disc_kw_port(arg);
		if (v->num <= 0)
			return bad(why, "bad port '%s'", arg);
		return true;
	case K_STRING:
		if (!*arg)
			return bad(why, "%s: missing argument", l->keyword);
		v->str = xstrdup(arg);
		return true;
	case K_COMMAND:
		v->str = xstrdup(l->rest + strspn(l->rest, " \t\r\n="));
		return true;
	case K_HOSTS:
		return parse_hosts(l, v, why);
	case K_AGENT:
		return parse_agent(arg, v, why);
	case K_FWDAGENT:
		if (parse_multi(st_flag, arg, &v->num))
			return true;
		v->num = 1;
		return parse_agent(arg, v, why);
	case K_JUMP:
		return jump_parse(l->rest + strspn(l->rest, " \t\r\n="), v, why);
	}
	return true;
}

/* Keywords that take one argument and refuse more, like ssh. */
static bool single_arg(enum kind kind)
{
	return kind != K_ANY && kind != K_SPECIAL && kind != K_COMMAND && kind != K_HOSTS &&
	       kind != K_JUMP;
}

bool disc_kw_parse(const struct disc_line *l, struct disc_kw_value *v, char **why)
{
	const struct keyword *k = find(l->keyword);

	memset(v, 0, sizeof(*v));
	*why = NULL;
	if (!k)
		return bad(why, "unknown keyword \"%s\"", l->keyword);
	v->id = k->id;
	if (!parse_by_kind(k, l, v, why))
		return false;
	if (single_arg(k->kind) && l->argc > 1)
		return bad(why, "keyword %s: extra arguments at end of line", l->keyword);
	if (k->id == DISC_KW_IDENTITYFILE) {
		disc_strv_push(&v->list, v->str);
		free(v->str);
		v->str = NULL;
	}
	return true;
}

void disc_kw_value_free(struct disc_kw_value *v)
{
	disc_strv_free(&v->list);
	free(v->str);
	free(v->jump_user);
	free(v->jump_host);
	free(v->jump_extra);
	memset(v, 0, sizeof(*v));
}

/* disc_kw: the ssh_config keywords OpenSSH 9.2 knows, and the parsing and
 * checking of one option line into a value.
 *
 * Every known keyword's argument is checked as ssh checks it (a bad value is
 * an error even in a block that does not apply). Only the keywords
 * codefleet prints or uses keep their value; the others are checked and
 * dropped. Unknown keywords are reported as such and the caller ignores them. */
#ifndef CODEFLEET_DISC_KW_H
#define CODEFLEET_DISC_KW_H

#include <stdbool.h>
#include <stddef.h>

#include "discovery/disc_lex.h"
#include "discovery/disc_strv.h"

enum disc_kw_id {
	DISC_KW_UNKNOWN,
	DISC_KW_OTHER, /* known to ssh, checked, value not kept */
	DISC_KW_HOST,
	DISC_KW_MATCH,
	DISC_KW_INCLUDE,
	DISC_KW_USER,
	DISC_KW_HOSTNAME,
	DISC_KW_PORT,
	DISC_KW_BATCHMODE,
	DISC_KW_IDENTITIESONLY,
	DISC_KW_STRICTHOSTKEYCHECKING,
	DISC_KW_SERVERALIVECOUNTMAX,
	DISC_KW_SERVERALIVEINTERVAL,
	DISC_KW_HOSTKEYALIAS,
	DISC_KW_IDENTITYAGENT,
	DISC_KW_IDENTITYFILE,
	DISC_KW_USERKNOWNHOSTSFILE,
	DISC_KW_FORWARDAGENT,
	DISC_KW_CONNECTTIMEOUT,
	DISC_KW_PROXYCOMMAND,
	DISC_KW_PROXYJUMP,
	DISC_KW_CANONICALIZEHOSTNAME,
};

/* StrictHostKeyChecking values, in ssh's numbering. */
enum { DISC_SHKC_OFF = 0, DISC_SHKC_NEW = 1, DISC_SHKC_YES = 2, DISC_SHKC_ASK = 3 };

struct disc_kw_value {
	enum disc_kw_id id;
	int num;               /* flag, number, seconds (-1: "none"), state */
	char *str;             /* string, command, agent path (ForwardAgent: NULL for yes/no) */
	struct disc_strv list; /* IdentityFile (1) and UserKnownHostsFile (n) */
	char *jump_user;       /* ProxyJump: the last hop, and the hops before it */
	char *jump_host;
	char *jump_extra;
	int jump_port;
};

/* The keyword's id; DISC_KW_UNKNOWN when ssh does not know it. */
enum disc_kw_id disc_kw_lookup(const char *keyword);

/* Parses the arguments of a known option keyword (not Host/Match/Include).
 * Returns true, or false with *why a description of what is wrong. */
bool disc_kw_parse(const struct disc_line *l, struct disc_kw_value *v, char **why);
void disc_kw_value_free(struct disc_kw_value *v);

/* The destination as ssh's command line takes it: "ssh://[user@]host[:port]"
 * or "[user@]host". *user (or NULL) and *host are new strings, *port is -1
 * when not given. Returns false when the argument is malformed. */
bool disc_kw_destination(const char *arg, char **user, char **host, int *port);

/* ssh's convtime: "90", "1h30m", units s m h d w. -1 when invalid. */
int disc_kw_convtime(const char *s);
/* ssh's a2port: 1..65535 or a service name; -1 when invalid. */
int disc_kw_port(const char *s);

#endif

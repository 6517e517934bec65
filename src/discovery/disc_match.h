/* disc_match: OpenSSH's wildcard patterns and comma-separated pattern lists
 * (match.c semantics), used by Host and Match.
 *
 * A pattern knows `*` (any run, also empty) and `?` (one character); there is
 * no escape and no character class. Pure functions: safe from any thread. */
#ifndef CODEFLEET_DISC_MATCH_H
#define CODEFLEET_DISC_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "discovery/disc_tokens.h"

/* True when all of `s` matches `pattern` (case-sensitive). */
bool disc_match_pattern(const char *s, const char *pattern);

/* Matches `s` against a comma-separated list where `!pat` negates.
 * Returns 1 when some positive pattern matches and no negated one does,
 * -1 when a negated pattern matches, 0 otherwise. With `dolower` the
 * patterns are lower-cased first (ssh does so for host names). */
int disc_match_list(const char *s, const char *list, bool dolower);

/* Match host: `host` lower-cased against the list, as ssh's match_hostname.
 * True only for a positive match. */
bool disc_match_hostname(const char *host, const char *list);

/* True when a Host pattern is a concrete name: no wildcard, not negated. */
bool disc_match_is_concrete(const char *pattern);

/* ---- Match criteria ---- */

enum disc_match_attr {
	DISC_MATCH_ALL,
	DISC_MATCH_CANONICAL,
	DISC_MATCH_FINAL,
	DISC_MATCH_HOST,
	DISC_MATCH_ORIGINALHOST,
	DISC_MATCH_USER,
	DISC_MATCH_LOCALUSER,
	DISC_MATCH_EXEC,
};

struct disc_match_crit {
	enum disc_match_attr attr;
	bool negate;
	char *arg; /* NULL for all, canonical, final */
};

/* One Match line, checked at load: unknown criteria, a missing argument and
 * a misplaced `all` are errors there, as in ssh. */
struct disc_match_cond {
	struct disc_match_crit *crit;
	size_t n;
	bool wants_final; /* "final" is reached: ssh then makes a second pass */
};

/* What a Match line is evaluated against. */
struct disc_match_ctx {
	const char *host;      /* HostName so far (%h expanded) or the argument */
	const char *original;  /* the host as given */
	const char *user;      /* remote user so far, else the local one */
	const char *localuser; /* local user name */
	bool final_pass;
	const struct disc_tokens *tokens; /* for exec */
	int exec_timeout_ms;
};

/* Parses Match arguments. Returns true, or false with *why (new string). */
bool disc_match_parse(char *const *argv, size_t argc, struct disc_match_cond *out, char **why);
void disc_match_cond_free(struct disc_match_cond *c);

/* Returns 1 when the line matches, 0 when not, -1 when an exec command
 * failed abnormally or timed out (*why: new string). */
int disc_match_eval(const struct disc_match_cond *c, const struct disc_match_ctx *ctx, char **why);

/* Runs `cmd` with $SHELL (else /bin/sh) -c, stdin and stdout on /dev/null,
 * in its own process group, killed after timeout_ms. Returns the exit
 * status, -1 when it did not exit normally, -2 on timeout. */
int disc_match_exec(const char *cmd, int timeout_ms);
#endif

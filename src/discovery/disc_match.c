/* disc_match: ssh wildcard patterns and pattern lists (see match.c in
 * OpenSSH: a list element that is negated and matches vetoes the list). */
#include "discovery/disc_match.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/xmem.h"
#include "util/clock.h"

bool disc_match_pattern(const char *s, const char *p)
{
	/* Iterative with one backtrack point: a later `*` supersedes an
	 * earlier one, so linear memory and no recursion depth to worry about. */
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

static bool match_one(const char *s, const char *pat, size_t len, bool dolower)
{
	char *sub = xstrndup(pat, len);
	bool ok;

	if (dolower)
		for (char *c = sub; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	ok = disc_match_pattern(s, sub);
	free(sub);
	return ok;
}

int disc_match_list(const char *s, const char *list, bool dolower)
{
	int got_positive = 0;

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		bool negated = *p == '!';
		const char *pat = negated ? p + 1 : p;
		size_t plen = negated ? len - 1 : len;

		if (match_one(s, pat, plen, dolower)) {
			if (negated)
				return -1;
			got_positive = 1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return got_positive;
}

bool disc_match_hostname(const char *host, const char *list)
{
	char *low = xstrdup(host);
	int r;

	for (char *c = low; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	r = disc_match_list(low, list, true);
	free(low);
	return r == 1;
}

bool disc_match_is_concrete(const char *pattern)
{
	return pattern[0] != '\0' && pattern[0] != '!' && !strpbrk(pattern, "*?");
}

static const struct {
	const char *name;
	enum disc_match_attr attr;
} attrs[] = {
    {"all", DISC_MATCH_ALL},
    {"canonical", DISC_MATCH_CANONICAL},
    {"final", DISC_MATCH_FINAL},
    {"host", DISC_MATCH_HOST},
    {"originalhost", DISC_MATCH_ORIGINALHOST},
    {"user", DISC_MATCH_USER},
    {"localuser", DISC_MATCH_LOCALUSER},
    {"exec", DISC_MATCH_EXEC},
};

static bool find_attr(const char *name, enum disc_match_attr *out)
{
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (!strcasecmp(name, attrs[i].name)) {
			*out = attrs[i].attr;
			return true;
		}
	return false;
}

static void add_crit(struct disc_match_cond *c, enum disc_match_attr a, bool neg, const char *arg)
{
	c->crit = xrealloc(c->crit, c->n + 1, sizeof(*c->crit));
	c->crit[c->n].attr = a;
	c->crit[c->n].negate = neg;
	c->crit[c->n].arg = xstrdup(arg);
	c->n++;
}

bool disc_match_parse(char *const *argv, size_t argc, struct disc_match_cond *out, char **why)
{
	size_t attributes = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < argc; i++) {
		const char *name = argv[i];
		bool neg = name[0] == '!';
		enum disc_match_attr a;

		name += neg;
		if (!find_attr(name, &a)) {
			*why = xasprintf("unsupported Match attribute %s", name);
			goto fail;
		}
		if (a == DISC_MATCH_ALL) {
			/* ssh: `all` stands alone (or after one of canonical/final). */
			if (attributes > 1 || i + 1 < argc) {
				*why = xasprintf(
				    "'%s' cannot be combined with other Match attributes", argv[i]);
				goto fail;
			}
			add_crit(out, a, neg, NULL);
			return true;
		}
		attributes++;
		if (a == DISC_MATCH_CANONICAL || a == DISC_MATCH_FINAL) {
			out->wants_final |= a == DISC_MATCH_FINAL;
			add_crit(out, a, neg, NULL);
			continue;
		}
		if (i + 1 >= argc) {
			*why = xasprintf("missing Match criteria for %s", name);
			goto fail;
		}
		add_crit(out, a, neg, argv[++i]);
	}
	if (attributes == 0) {
		*why = xstrdup("one or more attributes required for Match");
		goto fail;
	}
	return true;
fail:
	disc_match_cond_free(out);
	return false;
}

void disc_match_cond_free(struct disc_match_cond *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->crit[i].arg);
	free(c->crit);
	memset(c, 0, sizeof(*c));
}

/* exec: %-tokens expanded, run only while the line still matches. */
static int eval_exec(const struct disc_match_crit *cr, const struct disc_match_ctx *ctx, char **why)
{
	const char *err = NULL;
	char *cmd = disc_tokens_expand(cr->arg, ctx->tokens, false, &err);
	int r;

	if (!cmd) {
		*why = xasprintf("Match exec \"%s\": %s", cr->arg, err);
		return -1;
	}
	r = disc_match_exec(cmd, ctx->exec_timeout_ms);
	if (r < 0)
		*why = xasprintf("Match exec \"%s\" %s", cmd,
		                 r == -2 ? "timed out" : "exited abnormally");
	free(cmd);
	return r < 0 ? -1 : r == 0;
}

int disc_match_eval(const struct disc_match_cond *c, const struct disc_match_ctx *ctx, char **why)
{
	int result = 1;

	for (size_t i = 0; i < c->n; i++) {
		const struct disc_match_crit *cr = &c->crit[i];
		int r = 0;

		switch (cr->attr) {
		case DISC_MATCH_ALL:
			return result ? !cr->negate : result;
		case DISC_MATCH_CANONICAL:
		case DISC_MATCH_FINAL:
			r = ctx->final_pass;
			break;
		case DISC_MATCH_HOST:
			r = disc_match_hostname(ctx->host, cr->arg);
			break;
		case DISC_MATCH_ORIGINALHOST:
			r = disc_match_hostname(ctx->original, cr->arg);
			break;
		case DISC_MATCH_USER:
			r = disc_match_list(ctx->user, cr->arg, false) == 1;
			break;
		case DISC_MATCH_LOCALUSER:
			r = disc_match_list(ctx->localuser, cr->arg, false) == 1;
			break;
		case DISC_MATCH_EXEC:
			/* ssh skips the command once an earlier criterion failed. */
			if (result != 1)
				continue;
			r = eval_exec(cr, ctx, why);
			if (r < 0)
				return -1;
			break;
		}
		if (r == cr->negate)
			result = 0;
	}
	return result;
}

/* Polls with WNOHANG so a hanging command can be killed: ssh would wait
 * for ever, a dashboard must not. */
static int wait_child(pid_t pid, int timeout_ms)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0 && errno != EINTR)
			return -1;
		if (clock_mono_ms() >= deadline) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -2;
		}
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
	}
}

int disc_match_exec(const char *cmd, int timeout_ms)
{
	const char *shell = getenv("SHELL");
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	pid_t pid;
	int rc;

	if (!shell || !*shell || access(shell, X_OK) != 0)
		shell = "/bin/sh";
	char *const argv[] = {(char *)shell, "-c", (char *)cmd, NULL};

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	/* Own process group, so a timeout kills the command's children too. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	rc = posix_spawn(&pid, shell, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		return -1;
	return wait_child(pid, timeout_ms);
}

/* disc_sshcfg: load ssh_config files into a flat, read-only list of
 * directives (includes resolved at load); disc_resolve walks that list to
 * resolve a host.
 *
 * Loading checks every line (bad values are errors even in blocks that do
 * not apply, as in ssh). Resolving only reads the loaded list, so threads
 * may resolve concurrently; Match exec runs at resolve time. */
#include "discovery/disc_sshcfg.h"

#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discovery/disc_kw.h"
#include "discovery/disc_lex.h"
#include "discovery/disc_match.h"
#include "discovery/disc_resolve.h"
#include "discovery/disc_tokens.h"
#include "util/err.h"
#include "util/xmem.h"

#define SYSTEM_CONFIG "/etc/ssh/ssh_config"
#define F_USER        1u /* SSHCONF_USERCONF: ~ allowed, relative to ~/.ssh */
#define F_CHECKPERM   2u /* SSHCONF_CHECKPERM: owner and mode checked */
#define NOT_OPENED    (-1)

/* ---- loading ---- */

static struct disc_sshcfg_ent *push_ent(struct disc_sshcfg *cfg, enum disc_sshcfg_ent_kind kind,
                                        const char *file, int line, unsigned flags)
{
	struct disc_sshcfg_ent *e;

	cfg->ents = xrealloc(cfg->ents, cfg->nents + 1, sizeof(*cfg->ents));
	e = &cfg->ents[cfg->nents++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->file = file;
	e->line = line;
	e->userconf = flags & F_USER;
	return e;
}

static void add_alias(struct disc_sshcfg *cfg, const char *name)
{
	if (!disc_strv_has(&cfg->aliases, name))
		disc_strv_push(&cfg->aliases, name);
}

static int read_file(struct disc_sshcfg *cfg, const char *path, unsigned flags, int depth,
                     const struct disc_sshcfg_ent *inc);

/* A line a parser refused: "FILE:LINE: <what><why>". Frees why. */
static int line_error(const char *file, int line, const char *what, char *why)
{
	int rc = err_set(ERR_CONFIG, "%s:%d: %s%s", file, line, what, why);

	free(why);
	return rc;
}

static int do_host(struct disc_sshcfg *cfg, const struct disc_line *l, const char *file, int line,
                   unsigned flags)
{
	struct disc_sshcfg_ent *e;

	for (size_t i = 0; i < l->argc; i++)
		if (!*l->argv[i])
			return err_set(ERR_CONFIG, "%s:%d: keyword host: empty argument", file,
			               line);
	e = push_ent(cfg, DISC_SSHCFG_ENT_HOST, file, line, flags);
	for (size_t i = 0; i < l->argc; i++) {
		disc_strv_push(&e->pats, l->argv[i]);
		if (disc_match_is_concrete(l->argv[i]))
			add_alias(cfg, l->argv[i]);
	}
	return ERR_OK;
}

static int do_match(struct disc_sshcfg *cfg, const struct disc_line *l, const char *file, int line,
                    unsigned flags)
{
	struct disc_match_cond cond;
	char *why = NULL;

	if (!disc_match_parse(l->argv, l->argc, &cond, &why))
		return line_error(file, line, "bad Match condition: ", why);
	push_ent(cfg, DISC_SSHCFG_ENT_MATCH, file, line, flags)->cond = cond;
	return ERR_OK;
}

/* Includes one glob match; ssh restores the block state after each file. */
static int include_one(struct disc_sshcfg *cfg, const char *path, const char *file, int line,
                       unsigned flags, int depth)
{
	struct disc_sshcfg_ent inc = {.file = file, .line = line};
	int rc;

	if (depth + 1 > DISC_SSHCFG_MAX_DEPTH)
		return err_set(ERR_CONFIG, "%s:%d: too many nested Include levels (max %d)", file,
		               line, DISC_SSHCFG_MAX_DEPTH);
	push_ent(cfg, DISC_SSHCFG_ENT_INC_BEGIN, file, line, flags);
	rc = read_file(cfg, path, flags | F_CHECKPERM, depth + 1, &inc);
	if (rc == NOT_OPENED && errno != ENOENT)
		return err_set(ERR_CONFIG, "%s:%d: cannot read included file %s: %s", file, line,
		               path, strerror(errno));
	if (rc != ERR_OK && rc != NOT_OPENED)
		return rc;
	push_ent(cfg, DISC_SSHCFG_ENT_INC_END, file, line, flags);
	return ERR_OK;
}

static int include_arg(struct disc_sshcfg *cfg, const char *arg, const char *file, int line,
                       unsigned flags, int depth)
{
	glob_t gl;
	char *pattern;
	int rc = ERR_OK, g;

	if (!*arg)
		return err_set(ERR_CONFIG, "%s:%d: keyword include: empty argument", file, line);
	if (*arg == '~' && !(flags & F_USER))
		return err_set(ERR_CONFIG, "%s:%d: bad include path %s", file, line, arg);
	/* Relative paths live in ~/.ssh (user files) or /etc/ssh (system). */
	if (*arg != '/' && *arg != '~')
		pattern = xasprintf("%s/%s", flags & F_USER ? "~/.ssh" : "/etc/ssh", arg);
	else
		pattern = xstrdup(arg);
	memset(&gl, 0, sizeof(gl));
	g = glob(pattern, GLOB_TILDE, NULL, &gl);
	if (g != 0 && g != GLOB_NOMATCH)
		rc = err_set(ERR_CONFIG, "%s:%d: glob failed for %s", file, line, pattern);
	for (size_t i = 0; g == 0 && rc == ERR_OK && i < gl.gl_pathc; i++)
		rc = include_one(cfg, gl.gl_pathv[i], file, line, flags, depth);
	if (g == 0)
		globfree(&gl);
	free(pattern);
	return rc;
}

static int do_option(struct disc_sshcfg *cfg, const struct disc_line *l, const char *file, int line,
                     unsigned flags)
{
	struct disc_kw_value v;
	char *why = NULL;

	if (!disc_kw_parse(l, &v, &why)) {
		disc_kw_value_free(&v);
		return line_error(file, line, "", why);
	}
	push_ent(cfg, DISC_SSHCFG_ENT_OPT, file, line, flags)->val = v;
	return ERR_OK;
}

static int process_line(struct disc_sshcfg *cfg, const char *raw, const char *file, int line,
                        unsigned flags, int depth)
{
	struct disc_line l;
	enum disc_lex_status st = disc_lex_line(raw, &l);
	enum disc_kw_id id;
	int rc = ERR_OK;

	if (st == DISC_LEX_EMPTY)
		goto out;
	id = disc_kw_lookup(l.keyword);
	/* Unknown keywords are ignored (ssh refuses them unless IgnoreUnknown
	 * lists them; see docs/ssh-config.md). */
	if (id == DISC_KW_UNKNOWN)
		goto out;
	if (st == DISC_LEX_NOARG) {
		rc = err_set(ERR_CONFIG, "%s:%d: no argument after keyword \"%s\"", file, line,
		             l.keyword);
	} else if (st == DISC_LEX_BADQUOTES) {
		rc = err_set(ERR_CONFIG, "%s:%d: invalid quotes", file, line);
	} else if (id == DISC_KW_HOST) {
		rc = do_host(cfg, &l, file, line, flags);
	} else if (id == DISC_KW_MATCH) {
		rc = do_match(cfg, &l, file, line, flags);
	} else if (id == DISC_KW_INCLUDE) {
		for (size_t i = 0; rc == ERR_OK && i < l.argc; i++)
			rc = include_arg(cfg, l.argv[i], file, line, flags, depth);
	} else {
		rc = do_option(cfg, &l, file, line, flags);
	}
out:
	disc_lex_free(&l);
	return rc;
}

static const char *keep_name(struct disc_sshcfg *cfg, const char *path)
{
	disc_strv_push(&cfg->files, path);
	return cfg->files.v[cfg->files.n - 1];
}

/* ssh refuses files others could have written (group/world-writable or
 * owned by someone else than root and us). */
static int check_perm(FILE *f, const char *path, const struct disc_sshcfg_ent *inc)
{
	struct stat sb;
	char *where = inc ? xasprintf("%s:%d: ", inc->file, inc->line) : xstrdup("");
	int rc = ERR_OK;

	if (fstat(fileno(f), &sb) != 0)
		rc = err_set(ERR_CONFIG, "%s%s: cannot stat: %s", where, path, strerror(errno));
	else if ((sb.st_uid != 0 && sb.st_uid != getuid()) || (sb.st_mode & 022))
		rc = err_set(ERR_CONFIG, "%s%s: bad owner or permissions (writable by others)",
		             where, path);
	free(where);
	return rc;
}

/* Returns ERR_OK, an error code, or NOT_OPENED with errno set. `inc` is
 * the Include that led here, if any, for messages. */
static int read_file(struct disc_sshcfg *cfg, const char *path, unsigned flags, int depth,
                     const struct disc_sshcfg_ent *inc)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	const char *name;
	int rc = ERR_OK, line = 0;

	if (!f)
		return NOT_OPENED;
	if (flags & F_CHECKPERM)
		rc = check_perm(f, path, inc);
	name = keep_name(cfg, path);
	while (rc == ERR_OK && getline(&buf, &cap, f) != -1)
		rc = process_line(cfg, buf, name, ++line, flags, depth);
	free(buf);
	fclose(f);
	return rc;
}

static int load_top(struct disc_sshcfg *cfg, const char *path, unsigned flags, bool must_exist)
{
	int rc;

	push_ent(cfg, DISC_SSHCFG_ENT_TOP, NULL, 0, flags);
	rc = read_file(cfg, path, flags, 0, NULL);
	if (rc == NOT_OPENED && must_exist)
		return err_set(ERR_CONFIG, "%s: cannot read ssh config: %s", path, strerror(errno));
	return rc == NOT_OPENED ? ERR_OK : rc;
}

static bool self_info(struct disc_sshcfg *cfg)
{
	char host[256] = "";

	if (!disc_tokens_self(&cfg->home, &cfg->user, &cfg->uid))
		return false;
	gethostname(host, sizeof(host) - 1);
	cfg->thishost = xstrdup(host);
	host[strcspn(host, ".")] = '\0';
	cfg->shorthost = xstrdup(host);
	return true;
}

int disc_sshcfg_load(const char *path, struct disc_sshcfg **out)
{
	struct disc_sshcfg *cfg = xcalloc(1, sizeof(*cfg));
	char *user_cfg = NULL;
	int rc;

	*out = NULL;
	if (!self_info(cfg)) {
		rc = err_set(ERR_CONFIG, "no passwd entry for uid %d", (int)getuid());
		goto out;
	}
	if (path) {
		/* "-F none" reads no file at all, as in ssh. */
		rc = strcasecmp(path, "none") ? load_top(cfg, path, F_USER, true) : ERR_OK;
		goto out;
	}
	user_cfg = xasprintf("%s/.ssh/config", cfg->home);
	rc = load_top(cfg, user_cfg, F_USER | F_CHECKPERM, false);
	if (rc == ERR_OK)
		rc = load_top(cfg, SYSTEM_CONFIG, 0, false);
out:
	free(user_cfg);
	if (rc != ERR_OK)
		disc_sshcfg_free(cfg);
	else
		*out = cfg;
	return rc;
}

void disc_sshcfg_free(struct disc_sshcfg *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nents; i++) {
		struct disc_sshcfg_ent *e = &cfg->ents[i];

		disc_strv_free(&e->pats);
		disc_match_cond_free(&e->cond);
		disc_kw_value_free(&e->val);
	}
	free(cfg->ents);
	disc_strv_free(&cfg->files);
	disc_strv_free(&cfg->aliases);
	free(cfg->home);
	free(cfg->user);
	free(cfg->uid);
	free(cfg->thishost);
	free(cfg->shorthost);
	free(cfg);
}

size_t disc_sshcfg_aliases(const struct disc_sshcfg *cfg, const char *const **out)
{
	static const char *const none[] = {NULL};

	*out = cfg->aliases.n ? (const char *const *)cfg->aliases.v : none;
	return cfg->aliases.n;
}

int disc_sshcfg_resolve(const struct disc_sshcfg *cfg, const char *host, struct disc_opts **out)
{
	return disc_resolve_host(cfg, host, out);
}

/* codefleet: argument parsing and sub-command dispatch.
 * The command-line contract is in DESIGN.md and docs/codefleet.1.md. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_config.h"
#include "discovery/disc_hosts.h"
#include "discovery/disc_sshcfg.h"
#include "util/strbuf.h"
#include "util/err.h"

struct cli {
	const char *ssh_config; /* -F */
	const char *config;     /* -c */
	bool no_color;
	bool ascii;
	const char *command;
	int argc; /* sub-command arguments, without the globals */
	char **argv;
};

static const char usage_text[] =
    "usage: codefleet [-F ssh_config] [-c config.yaml] [--no-color] [--ascii] [COMMAND] [ARGS]\n"
    "\n"
    "commands:\n"
    "  (none)                         the dashboard\n"
    "  hosts [--json]                 hosts after include/ignore filters, no network\n"
    "  resolve HOST                   effective ssh options, `ssh -G` format\n"
    "  ls [--json] [--host GLOB] [--no-cache]\n"
    "                                 probe the fleet once, print it\n"
    "  watch --rounds N [--interval S]\n"
    "                                 JSON Lines, one fleet snapshot per round\n"
    "  attach HOST SESSION_ID         attach directly (no dashboard)\n"
    "  new HOST DIR [--prompt TEXT]   start a session in DIR (inside a root)\n"
    "  stop HOST SESSION_ID           stop the process running a session\n"
    "  clone HOST URL [DEST]          clone into a root, then start OpenCode\n"
    "  doctor                         check config, keys, agent, each host\n"
    "  log                            the action log\n";

static int fail(int code)
{
	fprintf(stderr, "codefleet: %s\n", err_text());
	return err_exit_status(code);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "codefleet: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see codefleet --help)\n");
	return 2;
}

/* Global options may stand before or after the sub-command name; everything
 * else is kept, in order, for the sub-command. */
static int parse_globals(int argc, char **argv, struct cli *c)
{
	c->argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!c->argv)
		return usage_error("%s", "out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;

		if (!strcmp(a, "-F"))
			slot = &c->ssh_config;
		else if (!strcmp(a, "-c"))
			slot = &c->config;
		if (slot) {
			if (i + 1 >= argc)
				return usage_error("option %s needs a file", a);
			*slot = argv[++i];
		} else if (!strncmp(a, "-F", 2) && a[2]) {
			c->ssh_config = a + 2;
		} else if (!strcmp(a, "--no-color")) {
			c->no_color = true;
		} else if (!strcmp(a, "--ascii")) {
			c->ascii = true;
		} else if (!c->command && a[0] != '-') {
			c->command = a;
		} else {
			c->argv[c->argc++] = argv[i];
		}
	}
	return 0;
}

static int cmd_resolve(struct cli *c)
{
	struct disc_sshcfg *cfg = NULL;
	struct disc_opts *opts = NULL;
	int rc;

	if (c->argc != 1 || c->argv[0][0] == '-')
		return usage_error("%s", "resolve takes one HOST");
	rc = disc_sshcfg_load(c->ssh_config, &cfg);
	if (rc != ERR_OK)
		return fail(rc);
	rc = disc_sshcfg_resolve(cfg, c->argv[0], &opts);
	if (rc == ERR_OK)
		disc_opts_print(opts, stdout);
	disc_opts_free(opts);
	disc_sshcfg_free(cfg);
	return rc == ERR_OK ? 0 : fail(rc);
}

/* The filtered, grouped host list: config first (first run, config errors),
 * then ssh_config; no network. */
static int cmd_hosts(struct cli *c)
{
	struct disc_config *conf = NULL;
	struct disc_sshcfg *ssh = NULL;
	struct disc_hosts *hosts = NULL;
	const char *const *aliases = NULL;
	struct strbuf sb = STRBUF_INIT;
	bool json = false;
	size_t n;
	int rc;

	for (int i = 0; i < c->argc; i++) {
		if (strcmp(c->argv[i], "--json"))
			return usage_error(c->argv[i][0] == '-' ? "hosts: unknown option '%s'"
			                                        : "hosts: unexpected argument '%s'",
			                   c->argv[i]);
		json = true;
	}
	rc = disc_config_open(c->config, stderr, &conf);
	if (rc == ERR_OK)
		rc = disc_sshcfg_load(c->ssh_config, &ssh);
	if (rc != ERR_OK)
		goto out;
	n = disc_sshcfg_aliases(ssh, &aliases);
	rc = disc_hosts_build(conf, aliases, n, stderr, &hosts);
	if (rc != ERR_OK)
		goto out;
	if (json) {
		disc_hosts_write_json(hosts, &sb);
		printf("%s\n", strbuf_str(&sb));
	} else {
		disc_hosts_print_table(hosts, stdout);
	}
out:
	strbuf_free(&sb);
	disc_hosts_free(hosts);
	disc_sshcfg_free(ssh);
	disc_config_free(conf);
	return rc == ERR_OK ? 0 : fail(rc);
}

static int cmd_dashboard(struct cli *c)
{
	/* The dashboard arrives with the TUI issue; until then show the fleet. */
	return cmd_hosts(c);
}

static const struct command {
	const char *name;
	int (*run)(struct cli *c);
} commands[] = {
    {"hosts", cmd_hosts},
    {"resolve", cmd_resolve},
};

static const char *const planned[] = {
    "ls", "watch", "attach", "new", "stop", "clone", "doctor", "log",
};

static int dispatch(struct cli *c)
{
	if (!c->command) {
		for (int i = 0; i < c->argc; i++)
			if (!strcmp(c->argv[i], "--help") || !strcmp(c->argv[i], "-h")) {
				fputs(usage_text, stdout);
				return 0;
			}
		if (c->argc)
			return usage_error("unknown option '%s'", c->argv[0]);
		return cmd_dashboard(c);
	}
	if (!strcmp(c->command, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(c->command, commands[i].name))
			return commands[i].run(c);
	for (size_t i = 0; i < sizeof(planned) / sizeof(planned[0]); i++)
		if (!strcmp(c->command, planned[i])) {
			fprintf(stderr, "codefleet: %s: not in this version yet\n", c->command);
			return 2;
		}
	return usage_error("unknown command '%s'", c->command);
}

int main(int argc, char **argv)
{
	struct cli c = {0};
	int rc;

	rc = parse_globals(argc, argv, &c);
	if (rc == 0)
		rc = dispatch(&c);
	free(c.argv);
	return rc;
}

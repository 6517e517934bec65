/* codefleet: argument parsing and sub-command dispatch.
 * The command-line contract is in DESIGN.md and docs/codefleet.1.md. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/ctl_attach.h"
#include "discovery/disc_config.h"
#include "discovery/disc_hosts.h"
#include "discovery/disc_sshcfg.h"
#include "probe/probe_engine.h"
#include "probe/probe_fleet.h"
#include "probe/probe_json.h"
#include "tui/tui_app.h"
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
	struct probe_fleet_opts fo = {c->config, c->ssh_config, false, true, NULL, 0, stderr};
	struct probe_fleet f = {NULL, NULL, NULL, NULL, NULL};
	struct strbuf sb = STRBUF_INIT;
	bool json = false;
	int rc;

	for (int i = 0; i < c->argc; i++) {
		if (strcmp(c->argv[i], "--json"))
			return usage_error(c->argv[i][0] == '-' ? "hosts: unknown option '%s'"
			                                        : "hosts: unexpected argument '%s'",
			                   c->argv[i]);
		json = true;
	}
	rc = probe_fleet_open(&fo, &f);
	if (rc != ERR_OK)
		goto out;
	if (json) {
		disc_hosts_write_json(f.hosts, &sb);
		printf("%s\n", strbuf_str(&sb));
	} else {
		disc_hosts_print_table(f.hosts, stdout);
	}
out:
	strbuf_free(&sb);
	probe_fleet_close(&f);
	return rc == ERR_OK ? 0 : fail(rc);
}

/* ---- ls and watch: the probe engine ---- */

struct fleet_opts {
	bool json;
	bool no_cache;
	const char *glob;
	long rounds;         /* watch */
	int64_t interval_ms; /* watch; 0: polling.interval */
};

/* "2", "0.5", or a duration ("1500ms", "2s"). */
static bool parse_seconds(const char *s, int64_t *ms)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && !*end && !errno && v > 0 && v <= 86400.0 * 365) {
		*ms = (int64_t)(v * 1000.0 + 0.5);
		return *ms > 0;
	}
	return disc_config_parse_duration(s, ms) && *ms > 0;
}

static int parse_ls_args(struct cli *c, struct fleet_opts *o)
{
	for (int i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];

		if (!strcmp(a, "--json"))
			o->json = true;
		else if (!strcmp(a, "--no-cache"))
			o->no_cache = true;
		else if (!strcmp(a, "--host") && i + 1 < c->argc)
			o->glob = c->argv[++i];
		else if (!strncmp(a, "--host=", 7))
			o->glob = a + 7;
		else if (!strcmp(a, "--host"))
			return usage_error("%s: option --host needs a GLOB", c->command);
		else
			return usage_error(a[0] == '-' ? "ls: unknown option '%s'"
			                               : "ls: unexpected argument '%s'",
			                   a);
	}
	return 0;
}

static int parse_watch_args(struct cli *c, struct fleet_opts *o)
{
	o->json = true;
	for (int i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];
		const char *v = i + 1 < c->argc ? c->argv[i + 1] : NULL;
		char *end = NULL;

		if (!strcmp(a, "--rounds") && v) {
			o->rounds = strtol(v, &end, 10);
			if (!*v || *end || o->rounds < 1 || o->rounds > 1000000)
				return usage_error("watch: --rounds must be >= 1, not '%s'", v);
			i++;
		} else if (!strcmp(a, "--interval") && v) {
			if (!parse_seconds(v, &o->interval_ms))
				return usage_error("watch: --interval wants seconds, not '%s'", v);
			i++;
		} else if (!strcmp(a, "--host") && v) {
			o->glob = c->argv[++i];
		} else if (!strcmp(a, "--no-cache")) {
			o->no_cache = true;
		} else {
			return usage_error(a[0] == '-' ? "watch: bad option '%s'"
			                               : "watch: unexpected argument '%s'",
			                   a);
		}
	}
	if (o->rounds < 1)
		return usage_error("%s", "watch needs --rounds N");
	return 0;
}

/* Config, ssh_config, host list, cache, engine; nothing probed yet. */
static int fleet_open(struct cli *c, const struct fleet_opts *o, struct probe_fleet *f)
{
	struct probe_fleet_opts fo = {c->config, c->ssh_config,  true,  o->no_cache,
	                              o->glob,   o->interval_ms, stderr};

	signal(SIGPIPE, SIG_IGN); /* a dead proxy or reader is an error, not death */
	return probe_fleet_open(&fo, f);
}

/* Closes the fleet and turns the outcome into the exit status: an error
 * is printed; otherwise 0 when every host is ok, else 1. */
static int fleet_close(struct probe_fleet *f, int rc)
{
	if (rc != ERR_OK)
		fprintf(stderr, "codefleet: %s\n", err_text());
	else
		rc = probe_fleet_all_ok(f) ? ERR_OK : ERR_FAIL;
	probe_fleet_flush_warnings(f, stderr);
	probe_fleet_close(f);
	return err_exit_status(rc);
}

static int cmd_ls(struct cli *c)
{
	struct fleet_opts o = {false, false, NULL, 0, 0};
	struct probe_fleet f = {NULL, NULL, NULL, NULL, NULL};
	struct strbuf sb = STRBUF_INIT;
	int rc = parse_ls_args(c, &o);

	if (rc)
		return rc;
	rc = fleet_open(c, &o, &f);
	if (rc != ERR_OK)
		goto out;
	probe_engine_round(f.engine);
	if (o.json) {
		probe_json_write_engine(&sb, f.engine, NULL);
		printf("%s\n", strbuf_str(&sb));
	} else {
		probe_json_print_engine(stdout, f.engine);
	}
	fflush(stdout);
out:
	strbuf_free(&sb);
	return fleet_close(&f, rc);
}

/* Sleeps until `until` (monotonic ms) while results of late hosts arrive. */
static void watch_pause(struct probe_engine *e, int64_t until)
{
	for (int64_t now = probe_engine_now_ms(); now < until; now = probe_engine_now_ms()) {
		struct pollfd pfd = {probe_engine_fd(e), POLLIN, 0};
		int64_t left = until - now;

		poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		probe_engine_apply_results(e);
	}
}

static int cmd_watch(struct cli *c)
{
	struct fleet_opts o = {true, false, NULL, 0, 0};
	struct probe_fleet f = {NULL, NULL, NULL, NULL, NULL};
	struct strbuf sb = STRBUF_INIT;
	int64_t interval, t0;
	int rc = parse_watch_args(c, &o);

	if (rc)
		return rc;
	rc = fleet_open(c, &o, &f);
	if (rc != ERR_OK)
		goto out;
	interval = o.interval_ms ? o.interval_ms : f.conf->polling.interval_ms;
	for (long round = 1; round <= o.rounds; round++) {
		struct probe_json_round jr = {(unsigned)round, 0};

		t0 = probe_engine_now_ms();
		probe_engine_round(f.engine);
		jr.elapsed_ms = probe_engine_now_ms() - t0;
		strbuf_reset(&sb);
		probe_json_write_engine(&sb, f.engine, &jr);
		printf("%s\n", strbuf_str(&sb));
		if (fflush(stdout) != 0 || ferror(stdout)) {
			rc = err_set(ERR_IO, "watch: cannot write the output: %s", strerror(errno));
			goto out;
		}
		if (round < o.rounds)
			watch_pause(f.engine, t0 + interval);
	}
out:
	strbuf_free(&sb);
	return fleet_close(&f, rc);
}

/* attach HOST SESSION_ID: that host probed once (its cache if it does not
 * answer), then OpenCode's TUI for the session on this terminal. The exit
 * status is OpenCode's (or ssh's). */
static int cmd_attach(struct cli *c)
{
	struct fleet_opts o = {false, false, NULL, 0, 0};
	struct probe_fleet f = {NULL, NULL, NULL, NULL, NULL};
	struct ctl_attach_req req;
	struct ctl_attach plan = {NULL, NULL};
	int rc, st = -1;

	if (c->argc != 2 || c->argv[0][0] == '-' || c->argv[1][0] == '-')
		return usage_error("%s", "attach needs HOST SESSION_ID");
	o.glob = c->argv[0];
	rc = fleet_open(c, &o, &f);
	if (rc == ERR_OK) {
		probe_engine_round(f.engine);
		rc = ctl_attach_find(f.engine, f.hosts, c->argv[0], c->argv[1], &req);
	}
	if (rc == ERR_OK) {
		req.ssh_config_path = c->ssh_config;
		req.batch_mode = f.conf->ssh.batch_mode;
		rc = ctl_attach_plan(&req, &plan);
	}
	if (rc == ERR_OK && (st = ctl_attach_run(&plan)) < 0)
		rc = ERR_IO;
	if (rc != ERR_OK)
		fprintf(stderr, "codefleet: %s\n", err_text());
	ctl_attach_free(&plan);
	probe_fleet_flush_warnings(&f, stderr);
	probe_fleet_close(&f);
	return rc != ERR_OK ? err_exit_status(rc) : st;
}

/* The dashboard on a terminal; without one (pipes, CI, `make run` in a
 * script) the host list, as before. */
static int cmd_dashboard(struct cli *c)
{
	struct tui_app_opts o = {c->config, c->ssh_config, c->no_color, c->ascii};

	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		return cmd_hosts(c);
	return tui_app_run(&o);
}

static const struct command {
	const char *name;
	int (*run)(struct cli *c);
} commands[] = {
    {"hosts", cmd_hosts}, {"resolve", cmd_resolve}, {"ls", cmd_ls},
    {"watch", cmd_watch}, {"attach", cmd_attach},
};

static const char *const planned[] = {
    "new", "stop", "clone", "doctor", "log",
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

/* ctl_attach: attaching the terminal to a session — OpenCode's own TUI
 * (`opencode -s ID`) in the session's directory, on this machine or over
 * the system `ssh -t` (which reads the same ssh_config, agent and
 * known_hosts as the user's ssh, and never accepts a changed host key).
 *
 * Every value sent to the remote shell is single-quoted (shquote), and the
 * directory follows `cd --`. A read-only host refuses. The caller gives the
 * terminal up first (curses ended) and takes it back after. */
#ifndef CODEFLEET_CONTROL_CTL_ATTACH_H
#define CODEFLEET_CONTROL_CTL_ATTACH_H

#include <stdbool.h>

struct disc_hosts;
struct probe_engine;

struct ctl_attach_req {
	const char *host;            /* the ssh alias */
	bool is_local;               /* this machine: no ssh */
	bool read_only;              /* mode: read-only */
	const char *ssh_config_path; /* -F; NULL: ssh's defaults */
	bool batch_mode;             /* ssh.batch_mode: ssh may not prompt */
	const char *opencode;        /* the binary the probe found; NULL: "opencode" */
	const char *session_id;
	const char *directory; /* the session's directory; NULL: the login directory */
};

/* Fills req for the session `id` of host `name` from the engine's last
 * result (ok or cached) and the host list (its mode): id is the full id or
 * a tail of it of at least CTL_ATTACH_MIN_TAIL characters that only one
 * session has (the dashboard shows the last 8). The strings stay the
 * engine's. Returns ERR_OK, ERR_USAGE (no such host, a tail too short) or
 * ERR_FAIL (nothing known of the host yet: its state and reason; no such
 * session; a tail that fits several) with err_text() set. ssh_config_path
 * is left for the caller. */
#define CTL_ATTACH_MIN_TAIL 4
int ctl_attach_find(const struct probe_engine *e, const struct disc_hosts *hosts, const char *name,
                    const char *id, struct ctl_attach_req *req);

/* What to run: argv[0] is looked up in PATH; cwd is where (local only). */
struct ctl_attach {
	char **argv; /* NULL-terminated, owned */
	char *cwd;   /* NULL: stay */
};

/* Plans the attach. Returns ERR_OK, or ERR_USAGE (read-only host, no
 * session id) with err_text() set. */
int ctl_attach_plan(const struct ctl_attach_req *req, struct ctl_attach *out);
/* Runs it on this terminal and waits. SIGINT, SIGQUIT and SIGTSTP are
 * ignored here meanwhile (they are the child's); the child starts with
 * default signal handling. Returns the child's exit status (128+N for a
 * signal), or -1 with err_text() set when it could not start. */
int ctl_attach_run(const struct ctl_attach *p);
void ctl_attach_free(struct ctl_attach *p);

#endif

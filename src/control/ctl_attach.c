/* ctl_attach: attach the terminal to a session (see ctl_attach.h). */
#include "control/ctl_attach.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "discovery/disc_hosts.h"
#include "probe/probe_engine.h"
#include "util/err.h"
#include "util/shquote.h"
#include "util/strbuf.h"
#include "util/xmem.h"

#define MAX_ARGS 12

static const int held_signals[] = {SIGINT, SIGQUIT, SIGTSTP};
#define NHELD (sizeof(held_signals) / sizeof(held_signals[0]))

/* `cd -- 'DIR' && exec 'OPENCODE' -s 'ID'` for the remote login shell. */
static char *remote_command(const struct ctl_attach_req *r, const char *oc)
{
	struct strbuf sb = STRBUF_INIT;

	if (r->directory && *r->directory) {
		strbuf_puts(&sb, "cd -- ");
		shquote_str(&sb, r->directory);
		strbuf_puts(&sb, " && ");
	}
	strbuf_puts(&sb, "exec ");
	shquote_str(&sb, oc);
	strbuf_puts(&sb, " -s ");
	shquote_str(&sb, r->session_id);
	return strbuf_take(&sb);
}

/* The one session whose id is id or ends with it; NULL (err set) else. */
static const struct probe_session *find_session(const struct probe_result *r, const char *name,
                                                const char *id)
{
	const struct probe_session *hit = NULL;
	size_t n = strlen(id);

	for (size_t i = 0; i < r->nsessions; i++) {
		const char *sid = r->sessions[i].id;
		size_t sn = sid ? strlen(sid) : 0;

		if (sid && !strcmp(sid, id))
			return &r->sessions[i];
		if (sn > n && !strcmp(sid + sn - n, id)) {
			if (hit) {
				err_set(
				    ERR_FAIL,
				    "attach: '%s' fits several sessions on %s: give more of the id",
				    id, name);
				return NULL;
			}
			hit = &r->sessions[i];
		}
	}
	if (!hit)
		err_set(ERR_FAIL, "attach: no session '%s' on %s (see codefleet ls --host %s)", id,
		        name, name);
	return hit;
}

int ctl_attach_find(const struct probe_engine *e, const struct disc_hosts *hosts, const char *name,
                    const char *id, struct ctl_attach_req *req)
{
	const struct probe_engine_host *h = probe_engine_find(e, name);
	const struct probe_session *s;

	memset(req, 0, sizeof(*req));
	if (!h)
		return err_set(ERR_USAGE, "attach: no host '%s' (see codefleet hosts)", name);
	if (strlen(id) < CTL_ATTACH_MIN_TAIL)
		return err_set(ERR_USAGE,
		               "attach: session id '%s' is too short (at least %d characters)", id,
		               CTL_ATTACH_MIN_TAIL);
	if (!h->result)
		return err_set(ERR_FAIL, "attach: %s is %s: %s", name,
		               probe_host_state_name(h->state),
		               h->reason ? h->reason : "nothing known of it yet");
	s = find_session(h->result, name, id);
	if (!s)
		return ERR_FAIL;
	req->host = h->name;
	req->is_local = h->is_local;
	req->read_only = disc_hosts_read_only(hosts, name);
	req->opencode = h->result->opencode_path;
	req->session_id = s->id;
	req->directory = s->directory;
	return ERR_OK;
}

int ctl_attach_plan(const struct ctl_attach_req *r, struct ctl_attach *out)
{
	const char *oc = r->opencode && *r->opencode ? r->opencode : "opencode";
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (r->read_only)
		return err_set(ERR_USAGE, "attach: %s is read-only (mode: read-only)", r->host);
	if (!r->session_id || !*r->session_id)
		return err_set(ERR_USAGE, "attach: no session id");
	out->argv = xcalloc(MAX_ARGS, sizeof(*out->argv));
	if (r->is_local) {
		out->argv[n++] = xstrdup(oc);
		out->cwd = xstrdup(r->directory);
	} else {
		out->argv[n++] = xstrdup("ssh");
		if (r->ssh_config_path) {
			out->argv[n++] = xstrdup("-F");
			out->argv[n++] = xstrdup(r->ssh_config_path);
		}
		if (r->batch_mode) {
			out->argv[n++] = xstrdup("-o");
			out->argv[n++] = xstrdup("BatchMode=yes");
		}
		out->argv[n++] = xstrdup("-t"); /* OpenCode's TUI needs a terminal */
		out->argv[n++] = xstrdup("--");
		out->argv[n++] = xstrdup(r->host);
		out->argv[n++] = remote_command(r, oc);
		return ERR_OK;
	}
	out->argv[n++] = xstrdup("-s");
	out->argv[n++] = xstrdup(r->session_id);
	return ERR_OK;
}

static void child(const struct ctl_attach *p)
{
	for (size_t i = 0; i < NHELD; i++)
		signal(held_signals[i], SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (p->cwd && chdir(p->cwd) != 0)
		_exit(126);
	execvp(p->argv[0], p->argv);
	_exit(127);
}

int ctl_attach_run(const struct ctl_attach *p)
{
	struct sigaction ign, old[NHELD];
	int st = 0;
	pid_t pid;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	for (size_t i = 0; i < NHELD; i++)
		sigaction(held_signals[i], &ign, &old[i]);
	pid = fork();
	if (pid == 0)
		child(p);
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < NHELD; i++)
		sigaction(held_signals[i], &old[i], NULL);
	if (pid < 0) {
		err_set(ERR_IO, "attach: cannot start %s: %s", p->argv[0], strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

void ctl_attach_free(struct ctl_attach *p)
{
	for (size_t i = 0; p->argv && p->argv[i]; i++)
		free(p->argv[i]);
	free(p->argv);
	free(p->cwd);
	memset(p, 0, sizeof(*p));
}

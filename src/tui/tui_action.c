/* tui_action: the dashboard's actions (see tui_action.h). */
#include "tui/tui_action.h"

#include <stdlib.h>
#include <string.h>

#include "control/ctl_attach.h"
#include "discovery/disc_config.h"
#include "discovery/disc_hosts.h"
#include "probe/probe_engine.h"
#include "tui/tui_app_int.h"
#include "tui/tui_draw.h"
#include "tui/tui_keys.h"
#include "tui/tui_overlay.h"
#include "tui/tui_text.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

/* ---- the tree ---- */

static int tree_move(struct tui_app *a, int action)
{
	switch (action) {
	case DISC_ACT_MOVE_DOWN:
		return tui_tree_move(a->tree, 1);
	case DISC_ACT_MOVE_UP:
		return tui_tree_move(a->tree, -1);
	case DISC_ACT_PAGE_DOWN:
		return tui_tree_move(a->tree, tui_draw_page_rows());
	case DISC_ACT_PAGE_UP:
		return tui_tree_move(a->tree, -tui_draw_page_rows());
	case DISC_ACT_TOP:
		return tui_tree_home(a->tree);
	case DISC_ACT_BOTTOM:
		return tui_tree_end(a->tree);
	case DISC_ACT_COLLAPSE:
		return tui_tree_collapse(a->tree);
	case DISC_ACT_EXPAND:
		return tui_tree_expand(a->tree);
	case DISC_ACT_TOGGLE:
		return tui_tree_toggle(a->tree);
	case DISC_ACT_NEXT_MATCH: /* n/N only mean something with a kept filter */
		return a->search.active ? tui_tree_next_match(a->tree) : 0;
	case DISC_ACT_PREV_MATCH:
		return a->search.active ? tui_tree_prev_match(a->tree) : 0;
	default:
		return 0;
	}
}

/* A tree helper's flags as an action's: a cursor that only moved needs
 * two rows redrawn, not the tree. */
static int cursor_flags(int f)
{
	if (f == TUI_TREE_F_MOVED)
		return TUI_ACTION_CURSOR;
	return f ? TUI_ACTION_REDRAW : 0;
}

/* The engine entry of the selected row's host; NULL for a group or none. */
static const struct probe_engine_host *sel_host(const struct tui_app *a)
{
	const struct tui_tree_item *sel = tui_tree_selected(a->tree);

	return sel && sel->host ? probe_engine_find(a->f.engine, sel->host) : NULL;
}

/* ---- dialogs ---- */

static void help_text(const struct tui_app *a, struct strbuf *sb)
{
	for (int act = 0; act < DISC_ACT_COUNT; act++) {
		struct strbuf k = STRBUF_INIT;

		tui_keys_describe(a->keys, act, a->theme.ascii, &k);
		tui_text_pad(sb, k.len ? strbuf_str(&k) : "(none)", 16, 0); /* arrows: 1 cell */
		strbuf_printf(sb, " %s\n", tui_keys_action_help(act));
		strbuf_free(&k);
	}
	strbuf_puts(sb, "esc              close a dialog, clear the filter\n"
	                "ctrl+c           quit\n"
	                "mouse            click selects, wheel scrolls, double-click attaches\n"
	                "\nKeys are set in the config file, section keybindings.");
}

static void error_text(const struct tui_app *a, struct strbuf *sb)
{
	const struct probe_engine_host *h = sel_host(a);
	const char *last = tui_toast_last_error(&a->toast);

	if (h && h->reason) {
		strbuf_printf(sb, "%s: %s\n%s\n", h->name, probe_host_state_name(h->state),
		              h->reason);
		if (h->detail)
			strbuf_printf(sb, "\n%s\n", h->detail);
	}
	if (last)
		strbuf_printf(sb, "%slast error: %s\n", sb->len ? "\n" : "", last);
	if (!sb->len)
		strbuf_puts(sb, "No error so far.");
}

/* What the user can run to let codefleet in: never done behind their back. */
static void auth_text(const struct probe_engine_host *h, struct strbuf *sb)
{
	const char *n = h->name;

	switch (h->state) {
	case PROBE_HOST_AUTH_REQUIRED:
		strbuf_printf(sb,
		              "%s refused every key codefleet offered (it never prompts).\n\n"
		              "Load your key into the agent:     ssh-add\n"
		              "or install a key on the host:     ssh-copy-id %s\n"
		              "then check it works without asking: ssh -o BatchMode=yes %s true\n",
		              n, n, n);
		break;
	case PROBE_HOST_HOSTKEY_UNKNOWN:
		strbuf_printf(
		    sb,
		    "%s is not in your known_hosts. Its key: %s\n\n"
		    "Check that fingerprint out of band, then connect once to record it:\n"
		    "    ssh %s true\n"
		    "(or set ssh.strict_host_key_checking: accept-new)\n",
		    n, h->fingerprint ? h->fingerprint : "(unknown)", n);
		break;
	case PROBE_HOST_HOSTKEY_CHANGED:
		strbuf_printf(sb,
		              "The key of %s CHANGED (now %s). This can be an attack:\n"
		              "codefleet will not connect. If the host was reinstalled and you\n"
		              "checked the new fingerprint, remove the old key:\n"
		              "    ssh-keygen -R <host name as in known_hosts>\n"
		              "then connect once with ssh %s to record the new one.\n",
		              n, h->fingerprint ? h->fingerprint : "(unknown)", n);
		break;
	default:
		strbuf_printf(sb, "%s needs nothing: it is %s.\n", n,
		              probe_host_state_name(h->state));
	}
}

/* An unknown host key under `ask`: the user decides here, on the
 * fingerprint shown (the engine records the key only if the server still
 * shows that one). */
static int trust_ask(struct tui_app *a, const struct probe_engine_host *h)
{
	struct strbuf sb = STRBUF_INIT;

	free(a->trust_host);
	free(a->trust_fp);
	a->trust_host = xstrdup(h->name);
	a->trust_fp = xstrdup(h->fingerprint);
	strbuf_printf(&sb, "Trust %s's host key %s? (check it out of band first)", h->name,
	              h->fingerprint);
	tui_modal_confirm(&a->modal, "unknown host key", strbuf_str(&sb), DISC_ACT_AUTHENTICATE);
	strbuf_free(&sb);
	return TUI_ACTION_REDRAW;
}

static void trust_answer(struct tui_app *a)
{
	if (probe_engine_trust_hostkey(a->f.engine, a->trust_host, a->trust_fp) == ERR_OK)
		tui_app_toast(a, TUI_TOAST_INFO, "%s: key trusted, probing it now", a->trust_host);
	else
		tui_app_toast(a, TUI_TOAST_ERROR, "%s", err_text());
}

static int open_text(struct tui_app *a, int action)
{
	const struct probe_engine_host *h = sel_host(a);
	struct strbuf sb = STRBUF_INIT;
	const char *title = "help";

	if (action == DISC_ACT_HELP) {
		help_text(a, &sb);
	} else if (action == DISC_ACT_ERROR_DETAIL) {
		error_text(a, &sb);
		title = "error";
	} else if (action == DISC_ACT_AUTHENTICATE) {
		if (!h)
			return 0;
		if (h->state == PROBE_HOST_HOSTKEY_UNKNOWN && h->fingerprint &&
		    a->f.conf->ssh.strict_host_key_checking == DISC_HOSTKEY_ASK)
			return trust_ask(a, h);
		auth_text(h, &sb);
		title = "authentication";
	} else {
		tui_overlay_inspect_update(a);
		tui_inspect_text(&a->insp, &sb);
		title = "inspect";
	}
	tui_modal_text(&a->modal, title, strbuf_str(&sb), action);
	strbuf_free(&sb);
	return TUI_ACTION_REDRAW;
}

/* ---- session actions (the control layer comes later) ---- */

static bool read_only(const struct tui_app *a, const struct probe_engine_host *h)
{
	return h && disc_hosts_read_only(a->f.hosts, h->name);
}

static int session_action(struct tui_app *a, int action)
{
	const struct tui_tree_item *sel = tui_tree_selected(a->tree);
	const struct probe_engine_host *h = sel_host(a);
	struct strbuf sb = STRBUF_INIT;
	bool session = sel && sel->kind == TUI_TREE_SESSION;

	if (!h ||
	    ((action == DISC_ACT_STOP_SESSION || action == DISC_ACT_ARCHIVE_SESSION) && !session))
		return 0;
	if (read_only(a, h)) {
		tui_app_toast(a, TUI_TOAST_ERROR, "%s is read-only (mode: read-only)", h->name);
		return TUI_ACTION_REDRAW;
	}
	if (action == DISC_ACT_NEW_SESSION) {
		strbuf_printf(&sb, "new session on %s", h->name);
		tui_modal_input(&a->modal, strbuf_str(&sb), "folder:", sel->path, &a->hist, action);
	} else if (action == DISC_ACT_GIT_CLONE) {
		strbuf_printf(&sb, "clone on %s", h->name);
		tui_modal_input(&a->modal, strbuf_str(&sb), "repository URL:", NULL, &a->hist,
		                action);
	} else {
		strbuf_printf(&sb, "%s \"%s\" on %s?",
		              action == DISC_ACT_STOP_SESSION ? "Stop" : "Archive", sel->title,
		              h->name);
		tui_modal_confirm(&a->modal, action == DISC_ACT_STOP_SESSION ? "stop" : "archive",
		                  strbuf_str(&sb), action);
	}
	strbuf_free(&sb);
	return TUI_ACTION_REDRAW;
}

void tui_action_modal_done(struct tui_app *a, bool yes)
{
	int tag = a->modal.tag;
	const char *what = disc_config_action_name(tag);

	if (yes && tag == DISC_ACT_AUTHENTICATE)
		trust_answer(a);
	if (yes && (tag == DISC_ACT_NEW_SESSION || tag == DISC_ACT_GIT_CLONE ||
	            tag == DISC_ACT_STOP_SESSION || tag == DISC_ACT_ARCHIVE_SESSION))
		tui_app_toast(a, TUI_TOAST_ERROR, "%s: not in this version yet", what);
	tui_modal_close(&a->modal);
}

/* ---- the rest ---- */

/* Gives the terminal to OpenCode's TUI for the session, then takes it back. */
static int attach(struct tui_app *a)
{
	const struct tui_tree_item *sel = tui_tree_selected(a->tree);
	struct ctl_attach_req req;
	struct ctl_attach plan;
	int st;

	if (!sel)
		return 0;
	if (sel->kind != TUI_TREE_SESSION)
		return tui_tree_toggle(a->tree) ? TUI_ACTION_REDRAW : 0;
	if (ctl_attach_find(a->f.engine, a->f.hosts, sel->host, sel->session_id, &req) != ERR_OK) {
		tui_app_toast(a, TUI_TOAST_ERROR, "%s", err_text());
		return TUI_ACTION_REDRAW;
	}
	req.ssh_config_path = a->ssh_config_path;
	req.batch_mode = a->f.conf->ssh.batch_mode;
	if (ctl_attach_plan(&req, &plan) != ERR_OK) {
		tui_app_toast(a, TUI_TOAST_ERROR, "%s", err_text());
		return TUI_ACTION_REDRAW;
	}
	def_prog_mode();
	endwin();
	st = ctl_attach_run(&plan);
	reset_prog_mode();
	a->dirty |= TUI_DIRTY_ALL;
	if (st < 0)
		tui_app_toast(a, TUI_TOAST_ERROR, "%s", err_text());
	else if (st != 0)
		tui_app_toast(a, TUI_TOAST_ERROR, "attach to %s on %s ended with status %d",
		              sel->session_id, sel->host, st);
	ctl_attach_free(&plan);
	probe_engine_refresh_host(a->f.engine, req.host); /* it may have changed */
	return TUI_ACTION_REDRAW;
}

static int refresh_hosts(struct tui_app *a, bool one)
{
	const struct probe_engine_host *h = sel_host(a);

	if (!one) {
		probe_engine_refresh_all(a->f.engine);
		tui_app_toast(a, TUI_TOAST_INFO, "refreshing %zu hosts",
		              probe_engine_count(a->f.engine));
	} else if (h) {
		probe_engine_refresh_host(a->f.engine, h->name);
		tui_app_toast(a, TUI_TOAST_INFO, "refreshing %s", h->name);
	}
	return TUI_ACTION_REDRAW;
}

int tui_action_run(struct tui_app *a, int action)
{
	switch (action) {
	case DISC_ACT_QUIT:
		return TUI_ACTION_QUIT;
	case DISC_ACT_ATTACH:
		return attach(a);
	case DISC_ACT_SEARCH:
		tui_search_open(&a->search);
		return TUI_ACTION_REDRAW;
	case DISC_ACT_REFRESH:
	case DISC_ACT_REFRESH_HOST:
		return refresh_hosts(a, action == DISC_ACT_REFRESH_HOST);
	case DISC_ACT_CYCLE_VIEW:
		a->panel = !a->panel;
		a->dirty |= TUI_DIRTY_ALL;
		return TUI_ACTION_REDRAW;
	case DISC_ACT_INSPECT:
	case DISC_ACT_HELP:
	case DISC_ACT_ERROR_DETAIL:
	case DISC_ACT_AUTHENTICATE:
		return open_text(a, action);
	case DISC_ACT_NEW_SESSION:
	case DISC_ACT_STOP_SESSION:
	case DISC_ACT_ARCHIVE_SESSION:
	case DISC_ACT_GIT_CLONE:
		return session_action(a, action);
	default:
		return cursor_flags(tree_move(a, action));
	}
}

/* tui_tree: the dashboard's tree model — groups, hosts, projects, sessions —
 * with no curses at all (the view draws it; see docs/tui-tree.md).
 *
 * The tree is rebuilt from scratch on every model change from a plain input
 * (struct tui_tree_src) and the previous tree: each item has a stable 64-bit
 * tag (FNV-1a over its kind and ids), and the expanded state and the cursor
 * carry over by tag (tmux mode-tree). Items own copies of their ids and
 * texts; they never point into a probe result.
 *
 * Mark and sweep: an item of the old tree (host, project, session) that is
 * missing from the input stays as a tombstone (tomb, greyed) until
 * tomb_until, then goes (htop Table). A vanished item whose parent vanished
 * too is not kept: only the highest vanished row shows.
 *
 * Storage: items are one array in pre-order; item i's subtree is
 * [i, items[i].end). The display list is the visible rows (collapsed
 * subtrees hidden), an array of item indices owned by the tree and valid
 * until the next call that changes the tree (borrowed by the view).
 *
 * Navigation helpers return TUI_TREE_F_* flags and never draw. */
#ifndef CODEFLEET_TUI_TREE_H
#define CODEFLEET_TUI_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe_model.h"

struct disc_hosts;
struct probe_engine;

#define TUI_TREE_NONE    ((size_t)-1)
#define TUI_TREE_TOMB_MS 5000

enum tui_tree_kind {
	TUI_TREE_GROUP,   /* a hosts.groups heading */
	TUI_TREE_HOST,    /* one host */
	TUI_TREE_PROJECT, /* one project (worktree) on a host */
	TUI_TREE_SESSION, /* one session; sub-agent sessions are its children */
	TUI_TREE_MORE,    /* "+N more": the roots past max_display are its children */
};

/* Flags the helpers return (0: nothing happened). */
enum {
	TUI_TREE_F_MOVED = 1,    /* the cursor moved */
	TUI_TREE_F_RELAYOUT = 2, /* the display list changed */
	TUI_TREE_F_REDRAW = 4    /* a row's look changed (tagged) */
};

/* Sort modes: the values of enum disc_sort (disc_config.h). */
enum {
	TUI_TREE_SORT_LAST_ACTIVITY = 0,
	TUI_TREE_SORT_NAME = 1,
	TUI_TREE_SORT_HOST = 2,
};

/* One host of the input, in display order (disc_hosts order). Borrowed. */
struct tui_tree_src_host {
	const char *name;  /* the alias: the host's identity */
	const char *label; /* shown name; NULL: name */
	const char *group; /* NULL: no group */
	const char *home;  /* the host's $HOME for `~`; NULL: unknown */
	enum probe_host_state state;
	const struct probe_result *result; /* NULL: nothing known yet */
};

struct tui_tree_src {
	const struct tui_tree_src_host *hosts;
	size_t nhosts;
	int sort_by; /* TUI_TREE_SORT_* (enum disc_sort) */
	bool show_archived;
	bool show_empty_projects;
	int max_display; /* root sessions per project before "+N more"; <= 0: all */
	int64_t tomb_ms; /* tombstone lifetime; 0: TUI_TREE_TOMB_MS */
};

/* What a session row shows besides its title (a copy of the probe's values;
 * the strings are owned by the item, borrowed while building). */
struct tui_tree_detail {
	char *agent;         /* NULL: none yet */
	char *model;         /* "provider/model", NULL: none yet */
	int64_t messages;    /* -1: unknown */
	int64_t todos_done;  /* -1: unknown */
	int64_t todos_total; /* -1: unknown */
};

struct tui_tree_item {
	enum tui_tree_kind kind;
	uint64_t tag;
	int depth;
	bool expanded;      /* meaningful when the item has children */
	bool tagged;        /* marked by the user (for actions on several rows) */
	bool tomb;          /* gone from the input; shown greyed until tomb_until */
	int64_t tomb_until; /* ms (the now_ms clock) */
	size_t parent;      /* item index, TUI_TREE_NONE at the top */
	size_t end;         /* one past the last item of the subtree */
	size_t row;         /* its row in the display list, TUI_TREE_NONE: hidden */

	/* Owned copies; NULL when not applicable. */
	char *group;      /* group; host's group */
	char *host;       /* host name (host and below) */
	char *label;      /* host label */
	char *project_id; /* project key (project id, else its path) */
	char *path;       /* project path, $HOME shown as ~ */
	char *session_id;
	char *parent_id; /* a sub-agent's parent session id */
	char *title;
	struct tui_tree_detail detail; /* session items; all zero for other kinds */

	enum probe_host_state host_state; /* host items */
	enum probe_session_status status; /* session items */
	int64_t last_activity;            /* newest in the subtree (ms), 0: none */
	size_t nsessions;                 /* live sessions in the subtree, itself included */
	size_t nrunning;                  /* of those, running */
	size_t nmore;                     /* MORE: root sessions it holds */
	int score;                        /* filter score, 0: no match / no filter */
	size_t nmatch_below;              /* matching items strictly inside the subtree */
};

typedef int (*tui_tree_match_fn)(const struct tui_tree_item *item, void *arg);

struct tui_tree;

/* Returns a new tree built from src (old may be NULL). old is consumed
 * (freed): expanded state, cursor and filter carry over from it by tag, and
 * its vanished items become tombstones (deadline now_ms + tomb_ms). */
struct tui_tree *tui_tree_build(struct tui_tree *old, const struct tui_tree_src *src,
                                int64_t now_ms);
void tui_tree_free(struct tui_tree *t);

/* Fills out[] (cap entries) from the host list and the engine's entries, in
 * host-list order (hosts the engine does not know are skipped); returns how
 * many. The strings stay the engine's and hosts' (valid until the next
 * probe_engine_apply_results()). */
size_t tui_tree_src_fill(struct tui_tree_src_host *out, size_t cap, const struct disc_hosts *hosts,
                         const struct probe_engine *e);

size_t tui_tree_count(const struct tui_tree *t);
const struct tui_tree_item *tui_tree_item(const struct tui_tree *t, size_t i);
/* Item index with that tag, or TUI_TREE_NONE. */
size_t tui_tree_find(const struct tui_tree *t, uint64_t tag);
/* The tag an item of that kind and those ids gets (ids may be NULL). */
uint64_t tui_tree_tag(enum tui_tree_kind kind, const char *a, const char *b);

/* The display list: *n item indices, valid until the tree changes. */
const size_t *tui_tree_display(const struct tui_tree *t, size_t *n);
/* Cursor row (0 when empty) and the item under it (NULL when empty). */
size_t tui_tree_cursor(const struct tui_tree *t);
const struct tui_tree_item *tui_tree_selected(const struct tui_tree *t);

/* j/k by delta rows (PgDn/PgUp, Ctrl-d/u: delta = ± page rows), clamped. */
int tui_tree_move(struct tui_tree *t, long delta);
int tui_tree_home(struct tui_tree *t);
int tui_tree_end(struct tui_tree *t);
/* Puts the cursor on the item with that tag (opening its ancestors). */
int tui_tree_select_tag(struct tui_tree *t, uint64_t tag);
/* h: collapse an expanded node, else go to the parent (a "+N more" parent
 * is skipped: the project). l: expand. space: toggle. */
int tui_tree_collapse(struct tui_tree *t);
int tui_tree_expand(struct tui_tree *t);
int tui_tree_toggle(struct tui_tree *t);
/* Marks or unmarks the cursor's row; the mark carries over by tag. */
int tui_tree_toggle_tagged(struct tui_tree *t);

/* Sets (fn non-NULL) or clears the filter. With a filter the display list
 * holds the matching items and all their ancestors, collapsed or not; the
 * children of a match that match nothing are hidden. Returns flags. */
int tui_tree_set_filter(struct tui_tree *t, tui_tree_match_fn fn, void *arg);
size_t tui_tree_matches(const struct tui_tree *t);
/* n / N: the next / previous matching row after the cursor, wrapping. */
int tui_tree_next_match(struct tui_tree *t);
int tui_tree_prev_match(struct tui_tree *t);

#endif

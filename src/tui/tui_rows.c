/* tui_rows: one tree row's text and roles (see tui_rows.h). */
#include "tui/tui_rows.h"

#include <stdio.h>
#include <string.h>

#include "tui/tui_text.h"

#define MAX_COLS 8

/* A column of the right part. prio: 1 is dropped last. */
struct col {
	struct strbuf text; /* padded to its width */
	size_t width;       /* cells */
	enum tui_role role;
	int prio;
};

struct cols {
	struct col v[MAX_COLS];
	size_t n;
};

/* Adds a column: s (sanitised) fitted and padded to width cells. */
static void col_add(struct cols *c, const struct tui_rows_in *in, const char *s, size_t width,
                    unsigned align, enum tui_role role, int prio)
{
	struct strbuf clean = STRBUF_INIT;
	struct col *k = &c->v[c->n++];

	memset(&k->text, 0, sizeof(k->text));
	tui_rows_put_text(&clean, s, in->utf8);
	tui_text_pad(&k->text, strbuf_str(&clean), width, in->g->text_flags | align);
	k->width = width;
	k->role = role;
	k->prio = prio;
	strbuf_free(&clean);
}

static void cols_free(struct cols *c)
{
	for (size_t i = 0; i < c->n; i++)
		strbuf_free(&c->v[i].text);
}

void tui_rows_put_text(struct strbuf *sb, const char *s, bool utf8)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; p && *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			strbuf_putc(sb, ' ');
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			strbuf_putc(sb, ' ');
			p++;
		} else if (*p < 0x80 || utf8) {
			strbuf_putc(sb, (char)*p);
		} else if (*p >= 0xc0) {
			strbuf_putc(sb, '?');
		}
	}
}

enum tui_role tui_rows_host_role(enum probe_host_state st)
{
	if (st == PROBE_HOST_OK)
		return TUI_ROLE_HOST_OK;
	if (st == PROBE_HOST_STALE || st == PROBE_HOST_CONNECTING)
		return TUI_ROLE_HOST_WARN;
	return TUI_ROLE_HOST_BAD;
}

enum tui_role tui_rows_status_role(enum probe_session_status st)
{
	static const enum tui_role roles[] = {TUI_ROLE_IDLE, TUI_ROLE_ACTIVE, TUI_ROLE_RUNNING,
	                                      TUI_ROLE_ERRORED, TUI_ROLE_ARCHIVED};

	return (unsigned)st < PROBE_SESSION_STATUS_COUNT ? roles[st] : TUI_ROLE_NORMAL;
}

/* ---- the row classes: left part, icon, columns ---- */

struct parts {
	struct strbuf name;
	const char *icon; /* NULL: none */
	enum tui_role icon_role, role;
	struct cols cols;
};

static void age_col(struct parts *p, const struct tui_rows_in *in, int64_t t, const char *suffix,
                    size_t width, int prio)
{
	char age[TUI_TEXT_SHORT_MAX], buf[TUI_TEXT_SHORT_MAX + 8];

	buf[0] = '\0';
	if (t > 0) {
		tui_text_age(age, sizeof(age), in->now_ms - t);
		/* "now", not "now ago" */
		snprintf(buf, sizeof(buf), "%s%s", age, strcmp(age, "now") ? suffix : "");
	}
	col_add(&p->cols, in, buf, width, TUI_TEXT_RIGHT, TUI_ROLE_DETAIL, prio);
}

static void group_row(const struct tui_rows_in *in, struct parts *p)
{
	char n[32];

	tui_rows_put_text(&p->name, in->it->group, in->utf8);
	p->role = TUI_ROLE_GROUP;
	snprintf(n, sizeof(n), "%zu sessions", in->it->nsessions);
	col_add(&p->cols, in, n, 13, TUI_TEXT_RIGHT, TUI_ROLE_DETAIL, 1);
}

static void host_row(const struct tui_rows_in *in, struct parts *p)
{
	const struct tui_tree_item *it = in->it;
	const struct probe_engine_host *h = in->host;
	char n[32] = "";

	tui_rows_put_text(&p->name, it->label ? it->label : it->host, in->utf8);
	p->role = tui_rows_host_role(it->host_state);
	p->icon = in->g->host[it->host_state < PROBE_HOST_STATE_COUNT ? it->host_state : 0];
	p->icon_role = p->role;
	col_add(&p->cols, in, probe_host_state_name(it->host_state), 15, 0, p->role, 1);
	snprintf(n, sizeof(n), "%zu sessions", it->nsessions);
	col_add(&p->cols, in, n, 13, TUI_TEXT_RIGHT, TUI_ROLE_DETAIL, 2);
	n[0] = '\0';
	if (it->nrunning)
		snprintf(n, sizeof(n), "%zu running", it->nrunning);
	col_add(&p->cols, in, n, 10, TUI_TEXT_RIGHT, TUI_ROLE_RUNNING, 4);
	n[0] = '\0';
	if (h && h->latency_ms >= 0)
		snprintf(n, sizeof(n), "%lldms", (long long)h->latency_ms);
	col_add(&p->cols, in, n, 7, TUI_TEXT_RIGHT, TUI_ROLE_DETAIL, 5);
	/* how old the data is, when it is not fresh */
	age_col(p, in, h && it->host_state != PROBE_HOST_OK ? h->probed_at : 0, " ago", 8, 3);
}

static void project_row(const struct tui_rows_in *in, struct parts *p)
{
	char n[32];

	tui_rows_put_text(&p->name, in->it->path ? in->it->path : in->it->project_id, in->utf8);
	p->role = TUI_ROLE_PROJECT;
	snprintf(n, sizeof(n), "%zu", in->it->nsessions);
	col_add(&p->cols, in, n, 5, TUI_TEXT_RIGHT, TUI_ROLE_DETAIL, 1);
	age_col(p, in, in->it->last_activity, "", 4, 2);
}

/* The part of "provider/model" after the provider. */
static const char *model_name(const char *m)
{
	const char *s = m ? strchr(m, '/') : NULL;

	return s ? s + 1 : m;
}

static void session_counts(const struct tui_rows_in *in, struct parts *p)
{
	const struct tui_tree_detail *d = &in->it->detail;
	char n[48] = "", c[TUI_TEXT_SHORT_MAX];

	if (d->messages >= 0)
		snprintf(n, sizeof(n), "%s msg",
		         tui_text_count(c, sizeof(c), (uint64_t)d->messages));
	col_add(&p->cols, in, n, 8, TUI_TEXT_RIGHT, TUI_ROLE_DETAIL, 4);
	n[0] = '\0';
	if (d->todos_total > 0 && d->todos_done >= 0)
		snprintf(n, sizeof(n), "%lld/%lld", (long long)d->todos_done,
		         (long long)d->todos_total);
	col_add(&p->cols, in, n, 5, TUI_TEXT_RIGHT, TUI_ROLE_DETAIL, 5);
}

static void session_row(const struct tui_rows_in *in, struct parts *p)
{
	const struct tui_tree_item *it = in->it;
	const struct tui_glyphs *g = in->g;
	size_t n = it->session_id ? strlen(it->session_id) : 0;
	bool spin = it->status == PROBE_SESSION_RUNNING && in->animate && g->spinner_len;

	tui_rows_put_text(&p->name, it->title, in->utf8);
	p->role = tui_rows_status_role(it->status);
	p->icon = spin ? g->spinner[in->spin % g->spinner_len]
	               : g->status[it->status < PROBE_SESSION_STATUS_COUNT ? it->status : 0];
	p->icon_role = p->role;
	col_add(&p->cols, in, it->detail.agent, 10, 0, TUI_ROLE_DETAIL, 6);
	col_add(&p->cols, in, model_name(it->detail.model), 18, 0, TUI_ROLE_DETAIL, 7);
	session_counts(in, p);
	col_add(&p->cols, in, probe_session_status_name(it->status), 8, 0, p->role, 3);
	age_col(p, in, it->last_activity, "", 4, 1);
	/* OpenCode ids start with a timestamp: the tail tells two apart */
	col_add(&p->cols, in,
	        n > TUI_ROWS_SHORT_ID ? it->session_id + n - TUI_ROWS_SHORT_ID : it->session_id,
	        TUI_ROWS_SHORT_ID, 0, TUI_ROLE_DETAIL, 2);
}

static void more_row(const struct tui_rows_in *in, struct parts *p)
{
	strbuf_printf(&p->name, "+%zu more", in->it->nmore);
	p->role = TUI_ROLE_DETAIL;
}

typedef void (*row_fn)(const struct tui_rows_in *in, struct parts *p);

static const row_fn row_class[] = {
    [TUI_TREE_GROUP] = group_row,     [TUI_TREE_HOST] = host_row, [TUI_TREE_PROJECT] = project_row,
    [TUI_TREE_SESSION] = session_row, [TUI_TREE_MORE] = more_row,
};

/* ---- layout ---- */

static void add_seg(struct tui_rows_row *row, size_t col, size_t width, enum tui_role role)
{
	if (row->nseg < TUI_ROWS_SEGS && width)
		row->seg[row->nseg++] = (struct tui_rows_seg){col, width, role};
}

/* Cells the kept columns take, a space before each. */
static size_t cols_width(const struct cols *c, int max_prio)
{
	size_t w = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].prio <= max_prio)
			w += 1 + c->v[i].width;
	return w;
}

/* The highest priority whose columns leave the name its room. */
static int cols_fit(const struct cols *c, size_t width, size_t left_min)
{
	int prio = MAX_COLS;

	while (prio > 0 && cols_width(c, prio) + left_min > width)
		prio--;
	return prio;
}

/* The kept columns after the left part, which ends at cell at. */
static void put_cols(struct tui_rows_row *row, const struct cols *c, int max_prio, size_t at)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct col *k = &c->v[i];

		if (k->prio > max_prio)
			continue;
		strbuf_putc(&row->line, ' ');
		strbuf_puts(&row->line, strbuf_str(&k->text));
		if (k->role != TUI_ROLE_DETAIL || row->role != TUI_ROLE_DETAIL)
			add_seg(row, at + 1, k->width, k->role);
		at += 1 + k->width;
	}
}

/* Cells a name keeps before columns go: a share of wide screens. */
static size_t name_room(size_t width)
{
	size_t share = width * 2 / 5;

	return share > TUI_ROWS_MIN_NAME ? share : TUI_ROWS_MIN_NAME;
}

/* Widths are added up as the row is built (every glyph is one cell), so
 * each text is measured once. */
static void layout(const struct tui_rows_in *in, struct parts *p, struct tui_rows_row *row)
{
	struct strbuf left = STRBUF_INIT;
	size_t icon_col = 0, lw, prefix = 2 * (size_t)in->it->depth + 2;
	int prio;

	for (int d = 0; d < in->it->depth; d++)
		strbuf_puts(&left, "  ");
	strbuf_puts(&left, !in->has_children  ? " "
	                   : in->it->expanded ? in->g->fold_open
	                                      : in->g->fold_closed);
	strbuf_putc(&left, ' ');
	if (p->icon) {
		icon_col = prefix;
		strbuf_puts(&left, p->icon);
		strbuf_putc(&left, ' ');
		prefix += 2;
	}
	row->base = prefix;
	strbuf_puts(&left, strbuf_str(&p->name));
	prio = cols_fit(&p->cols, in->width, prefix + name_room(in->width));
	lw = cols_width(&p->cols, prio);
	lw = in->width > lw ? in->width - lw : 0;
	row->name_cut = prefix + tui_text_width(strbuf_str(&p->name)) > lw;
	row->name_end = tui_text_fit(&row->line, strbuf_str(&left), lw, in->g->text_flags);
	tui_text_pad(&row->line, "", lw - row->name_end, 0);
	if (p->icon && icon_col + 1 <= lw)
		add_seg(row, icon_col, 1, p->icon_role);
	put_cols(row, &p->cols, prio, lw);
	strbuf_free(&left);
}

void tui_rows_init(struct tui_rows_row *row)
{
	memset(row, 0, sizeof(*row));
}

void tui_rows_free(struct tui_rows_row *row)
{
	strbuf_free(&row->line);
}

void tui_rows_make(const struct tui_rows_in *in, struct tui_rows_row *row)
{
	struct parts p;

	memset(&p, 0, sizeof(p));
	strbuf_reset(&row->line);
	row->nseg = 0;
	if ((unsigned)in->it->kind < sizeof(row_class) / sizeof(row_class[0]))
		row_class[in->it->kind](in, &p);
	row->role = p.role;
	layout(in, &p, row);
	if (in->stale || in->it->tomb) {
		row->role = TUI_ROLE_STALE; /* the whole row dimmed, no colours */
		row->nseg = 0;
	}
	cols_free(&p.cols);
	strbuf_free(&p.name);
}

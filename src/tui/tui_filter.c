#include "tui/tui_filter.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "util/utf8.h"
#include "util/xmem.h"

/* Scoring (docs/tui-text.md). */
enum {
	SCORE_MATCH = 16,    /* every matched character */
	BONUS_START = 12,    /* first character of the text */
	BONUS_BOUNDARY = 10, /* after a space, / - _ . : */
	BONUS_CAMEL = 8,     /* an upper-case letter after a lower-case one */
	BONUS_CONSEC = 8,    /* right after the previous matched character */
	GAP_START = 3,       /* a gap between two matched characters … */
	GAP_EXT = 1,         /* … and each character of it after the first */
};

#define NEG (INT_MIN / 4) /* no alignment; stays negative after any penalty */

/* A text decoded once: lower-cased code points, their byte offsets and the
 * bonus for matching there. */
struct ftext {
	uint32_t low[TUI_FILTER_MAX_TEXT];
	uint16_t off[TUI_FILTER_MAX_TEXT];
	int8_t bonus[TUI_FILTER_MAX_TEXT];
	size_t n;
};

static uint32_t lower(uint32_t cp)
{
	if (cp < 0x80) /* most titles and paths: no locale call */
		return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
	return (uint32_t)towlower((wint_t)cp);
}

static int is_separator(uint32_t cp)
{
	return cp == ' ' || cp == '/' || cp == '-' || cp == '_' || cp == '.' || cp == ':';
}

static int bonus_at(uint32_t prev, uint32_t cp, size_t j)
{
	if (j == 0)
		return BONUS_START;
	if (is_separator(prev))
		return BONUS_BOUNDARY;
	if (prev < 0x80 && cp < 0x80) {
		if (prev >= 'a' && prev <= 'z' && cp >= 'A' && cp <= 'Z')
			return BONUS_CAMEL;
	} else if (iswlower((wint_t)prev) && iswupper((wint_t)cp)) {
		return BONUS_CAMEL;
	}
	return 0;
}

static void ftext_init(struct ftext *t, const char *s)
{
	size_t len = s ? strlen(s) : 0, i = 0;
	uint32_t prev = 0;

	t->n = 0;
	while (i < len && t->n < TUI_FILTER_MAX_TEXT) {
		uint32_t cp = 0;
		size_t used = utf8_decode(s + i, len - i, &cp);

		t->low[t->n] = lower(cp);
		t->off[t->n] = (uint16_t)i;
		t->bonus[t->n] = (int8_t)bonus_at(prev, cp, t->n);
		prev = cp;
		t->n++;
		i += used;
	}
}

void tui_filter_query_init(struct tui_filter_query *q, const char *s)
{
	size_t len = s ? strlen(s) : 0, i = 0;

	q->len = 0;
	while (i < len && q->len < TUI_FILTER_MAX_QUERY) {
		uint32_t cp = 0;

		i += utf8_decode(s + i, len - i, &cp);
		q->cp[q->len++] = lower(cp);
	}
}

/* 1 when q is a subsequence of t at all: the cheap test before the DP. */
static int is_subsequence(const struct tui_filter_query *q, const struct ftext *t)
{
	size_t i = 0, j = 0;

	for (j = 0; j < t->n && i < q->len; j++)
		if (t->low[j] == q->cp[i])
			i++;
	return i == q->len;
}

/* The DP tables: score[i][j] is the best score with query character i
 * matched at text position j, from[i][j] where character i-1 was. */
struct dp {
	int *score;
	int16_t *from;
	size_t n, m;
};

static void dp_first_row(struct dp *d, const struct tui_filter_query *q, const struct ftext *t)
{
	size_t j;

	for (j = 0; j < d->m; j++) {
		d->score[j] = t->low[j] == q->cp[0] ? SCORE_MATCH + t->bonus[j] : NEG;
		d->from[j] = -1;
	}
}

static void dp_row(struct dp *d, size_t i, uint32_t qc, const struct ftext *t)
{
	const int *up = d->score + (i - 1) * d->m;
	int *row = d->score + i * d->m;
	int16_t *from = d->from + i * d->m;
	int gap = NEG, gap_k = -1; /* best alignment ending at k <= j-2 */
	size_t j;

	for (j = 0; j < d->m; j++) {
		int best = NEG, best_k = -1;

		if (j >= 2) {
			gap -= GAP_EXT;
			if (up[j - 2] - GAP_START >= gap) {
				gap = up[j - 2] - GAP_START;
				gap_k = (int)j - 2;
			}
		}
		row[j] = NEG;
		from[j] = -1;
		if (t->low[j] != qc)
			continue;
		if (gap > NEG / 2) {
			best = gap;
			best_k = gap_k;
		}
		if (j >= 1 && up[j - 1] > NEG / 2 && up[j - 1] + BONUS_CONSEC >= best) {
			best = up[j - 1] + BONUS_CONSEC;
			best_k = (int)j - 1;
		}
		if (best_k < 0)
			continue;
		row[j] = best + SCORE_MATCH + t->bonus[j];
		from[j] = (int16_t)best_k;
	}
}

/* Picks the best end of the last row and walks back to the positions. */
static int dp_result(const struct dp *d, const struct ftext *t, struct tui_filter_match *m)
{
	const int *last = d->score + (d->n - 1) * d->m;
	int best = NEG, j = -1;
	size_t k, i;

	for (k = 0; k < d->m; k++) {
		if (last[k] > best) {
			best = last[k];
			j = (int)k;
		}
	}
	if (j < 0)
		return 0;
	for (i = d->n; i-- > 0;) {
		m->pos[i] = t->off[j];
		j = d->from[i * d->m + (size_t)j];
	}
	m->npos = d->n;
	return best < 1 ? 1 : best;
}

static int align(const struct tui_filter_query *q, const struct ftext *t,
                 struct tui_filter_match *m)
{
	struct dp d = {NULL, NULL, q->len, t->n};
	int score = 0;
	size_t i;

	d.score = xmalloc(d.n * d.m * sizeof(*d.score));
	d.from = xmalloc(d.n * d.m * sizeof(*d.from));
	dp_first_row(&d, q, t);
	for (i = 1; i < d.n; i++)
		dp_row(&d, i, q->cp[i], t);
	score = dp_result(&d, t, m);
	free(d.score);
	free(d.from);
	return score;
}

/* 0 when an ASCII query is surely not a subsequence of an ASCII text,
 * decided on the raw bytes (most rows miss: they never get decoded); 1
 * when it may be, or when non-ASCII is involved (towlower maps some
 * non-ASCII letters to ASCII ones, so only the full path can tell). */
static int may_match(const struct tui_filter_query *q, const char *s)
{
	size_t i = 0;

	for (; s && *s && i < q->len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80 || q->cp[i] >= 0x80)
			return 1;
		if (lower(c) == q->cp[i])
			i++;
	}
	return i == q->len;
}

int tui_filter_match(const struct tui_filter_query *q, const char *text, struct tui_filter_match *m)
{
	struct ftext t; /* 3.5 KiB: no allocation for the rows that miss */

	m->score = 0;
	m->npos = 0;
	if (q->len == 0) {
		m->score = 1;
		return 1;
	}
	if (!may_match(q, text))
		return 0;
	ftext_init(&t, text);
	if (t.n >= q->len && is_subsequence(q, &t))
		m->score = align(q, &t, m);
	if (m->score == 0)
		m->npos = 0;
	return m->score;
}

int tui_filter_score(const char *query, const char *text, struct tui_filter_match *m)
{
	struct tui_filter_query q = {{0}, 0};

	tui_filter_query_init(&q, query);
	return tui_filter_match(&q, text, m);
}

int tui_filter_fields(const struct tui_filter_query *q, const char *const *fields, size_t nfields,
                      struct tui_filter_row_match *out)
{
	struct tui_filter_match m = {0};
	size_t f;

	out->field = -1;
	out->m.score = 0;
	out->m.npos = 0;
	if (q->len == 0) {
		out->m.score = 1;
		return 1;
	}
	for (f = 0; f < nfields; f++) {
		if (!fields[f] || tui_filter_match(q, fields[f], &m) <= out->m.score)
			continue;
		out->m = m;
		out->field = (int)f;
	}
	return out->m.score;
}

int tui_filter_row(const struct tui_filter_query *q, const char *const fields[TUI_FILTER_NFIELDS],
                   struct tui_filter_row_match *out)
{
	return tui_filter_fields(q, fields, TUI_FILTER_NFIELDS, out);
}

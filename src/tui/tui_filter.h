/* tui_filter: fuzzy subsequence matching with a score, as fzf and k9s do.
 *
 * Every query character must appear in the text in order, ignoring case
 * (towlower on decoded code points, so it follows LC_CTYPE). Among all
 * alignments the best-scoring one is chosen: consecutive matches, matches
 * at a word start and at the start of the text score higher, gaps between
 * matches cost. Rules and numbers: docs/tui-text.md. No curses here. */
#ifndef CODEFLEET_TUI_TUI_FILTER_H
#define CODEFLEET_TUI_TUI_FILTER_H

#include <stddef.h>
#include <stdint.h>

/* Only the first TUI_FILTER_MAX_TEXT code points of a text are searched and
 * only the first TUI_FILTER_MAX_QUERY code points of a query are used. */
#define TUI_FILTER_MAX_TEXT  512
#define TUI_FILTER_MAX_QUERY 64

/* A query decoded and lower-cased once, reused for every row. */
struct tui_filter_query {
	uint32_t cp[TUI_FILTER_MAX_QUERY];
	size_t len; /* code points; 0 = empty query, matches everything */
};

struct tui_filter_match {
	int score;   /* 0 = no match; 1 for the empty query; else > 0 */
	size_t npos; /* = query length on a match, else 0 */
	/* Byte offsets into the text of the matched characters (the first
	 * byte of each code point), ascending: what the drawing code
	 * highlights. */
	uint16_t pos[TUI_FILTER_MAX_QUERY];
};

/* The fields of a dashboard row, in tie-break order (earlier wins). */
enum tui_filter_field {
	TUI_FILTER_HOST,
	TUI_FILTER_LABEL,
	TUI_FILTER_PATH,
	TUI_FILTER_TITLE,
	TUI_FILTER_ID,
	TUI_FILTER_NFIELDS
};

struct tui_filter_row_match {
	int field; /* the best field (enum tui_filter_field), -1 if none */
	struct tui_filter_match m;
};

/* Decodes and lower-cases s (NULL = empty) into q. */
void tui_filter_query_init(struct tui_filter_query *q, const char *s);

/* Matches q against text (NULL = "") and returns m->score. */
int tui_filter_match(const struct tui_filter_query *q, const char *text,
                     struct tui_filter_match *m);

/* One-shot form of the two above. */
int tui_filter_score(const char *query, const char *text, struct tui_filter_match *m);

/* Matches q against each of fields[0..nfields) (NULL fields are skipped)
 * and keeps the best; on equal scores the earlier field wins. Returns the
 * score; the empty query scores 1 with field -1 and no positions. */
int tui_filter_fields(const struct tui_filter_query *q, const char *const *fields, size_t nfields,
                      struct tui_filter_row_match *out);

/* tui_filter_fields over a row's TUI_FILTER_NFIELDS fields, indexed by
 * enum tui_filter_field. */
int tui_filter_row(const struct tui_filter_query *q, const char *const fields[TUI_FILTER_NFIELDS],
                   struct tui_filter_row_match *out);

#endif

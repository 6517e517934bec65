/* probe_rows: the data sections of a probe reply (docs/probe-protocol.md,
 * "Replies") turned into a probe_result: the host line, database rows
 * (sqlite3 -json), <=1.1 JSON storage files and their statistics,
 * `opencode session list` output and the process list.
 *
 * The database wins: a session or project it lists is not taken again from
 * the files, and session-list rows only add ids nobody else had. A
 * duplicate id within one source is a protocol error. */
#ifndef CODEFLEET_PROBE_ROWS_H
#define CODEFLEET_PROBE_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "probe/probe_model.h"

/* The sections, in the order they are decoded. */
enum probe_rows_section {
	PROBE_ROWS_HOST,
	PROBE_ROWS_PROJECTS,
	PROBE_ROWS_SESSIONS,
	PROBE_ROWS_JSON_PROJECTS,
	PROBE_ROWS_JSON_SESSIONS,
	PROBE_ROWS_JSON_STATS,
	PROBE_ROWS_SESSION_LIST,
	PROBE_ROWS_PROCESSES,
	PROBE_ROWS_COUNT,
};

/* The body of one section in the reply (seen: its header line came). */
struct probe_rows_span {
	const char *p;
	size_t len;
	bool seen;
};

/* The section named name[0..n) on the wire ("json-stats"), or -1 when it
 * is not one we know. */
int probe_rows_section_find(const char *name, size_t n);

/* Its name on the wire. */
const char *probe_rows_section_name(enum probe_rows_section s);

/* Decodes the sections seen into r (host is required) and links every
 * session to a project. Returns ERR_OK or ERR_PROTO; on error r holds what
 * was decoded. */
int probe_rows_decode(const struct probe_rows_span sp[PROBE_ROWS_COUNT], struct probe_result *r);

#endif

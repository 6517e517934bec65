/* probe_json: the fleet as `codefleet ls` / `watch` print it.
 *
 * JSON (issue 3, one line, util/jsonw):
 *   {"hosts":[{"name","state","reason","method","opencode_version",
 *              "home","probed_at","latency_ms",
 *              "projects":[{"path","name","sessions":[{"id","title",
 *                  "directory","parent_id","status","created","updated",
 *                  "archived","agent","model","messages","cost",
 *                  "todos_done","todos_total"}]}]}]}
 * Times are ms since the epoch; null where unknown (reason when ok, times
 * not set, counts the host does not know, home from a reply older than it).
 * "home" is the host's $HOME. Projects are sorted by path, sessions by last
 * update, newest first. A host in a failure state still lists the projects
 * of its last good result (the cache's data).
 *
 * `watch` adds "round" and "elapsed_ms" (how long that round's probing took)
 * to the document, and "changed" to each host: false when the host answered
 * with the one-line "unchanged" reply (its previous result was reused), true
 * for a full reply, null when it did not answer this round. */
#ifndef CODEFLEET_PROBE_JSON_H
#define CODEFLEET_PROBE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "probe/probe_engine.h"
#include "util/strbuf.h"

struct probe_engine;

/* The watch fields; NULL for `ls`. */
struct probe_json_round {
	unsigned round; /* 1, 2, ... */
	int64_t elapsed_ms;
};

/* Appends one document (no newline) for the n hosts. */
void probe_json_write(struct strbuf *sb, const struct probe_engine_host *const *hosts, size_t n,
                      const struct probe_json_round *round);
/* The same for every host of an engine. */
void probe_json_write_engine(struct strbuf *sb, const struct probe_engine *e,
                             const struct probe_json_round *round);

/* The table of `codefleet ls`: one line per host (name, state, sessions by
 * status, reason), then its projects and their sessions indented
 * (sub-agent sessions under their parent). */
void probe_json_print_table(FILE *fp, const struct probe_engine_host *const *hosts, size_t n);
void probe_json_print_engine(FILE *fp, const struct probe_engine *e);

#endif

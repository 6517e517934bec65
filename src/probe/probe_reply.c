#include "probe/probe_reply.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "probe/probe_rows.h"
#include "util/err.h"
#include "util/utf8.h"
#include "util/xmem.h"

/* ---- markers, requests, framing ---- */

int probe_reply_new_marker(char out[PROBE_MARKER_SIZE])
{
	unsigned char raw[16];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(ERR_IO, "getrandom: %s", strerror(errno));
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return ERR_OK;
}

static bool all_of(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

int probe_reply_marker_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n >= 8 && n <= 64 && all_of(s, ALNUM);
}

static bool token_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n >= 1 && n <= 128 && all_of(s, ALNUM "._-");
}

char *probe_reply_request(const char *marker, const char *token, const char *method)
{
	enum probe_method m;

	if (!probe_reply_marker_ok(marker))
		return NULL;
	if (!token_ok(token))
		token = "-";
	if (!method)
		return xasprintf("probe %s %s\n", marker, token);
	if (probe_method_parse(method, &m) != 0 || m == PROBE_METHOD_NONE)
		return NULL;
	return xasprintf("probe %s %s method=%s\n", marker, token, method);
}

char *probe_reply_set_path_request(const char *marker, const char *path)
{
	if (!probe_reply_marker_ok(marker) || !path || strlen(path) > 4096 || strpbrk(path, "\n\r"))
		return NULL;
	return xasprintf("set %s opencode_path %s\n", marker, path);
}

/* 1 when the line line[0..n) is `MARKER end ...`. */
static bool is_end_line(const char *line, size_t n, const char *marker)
{
	size_t ml = strlen(marker);

	return n >= ml + 5 && memcmp(line, marker, ml) == 0 && memcmp(line + ml, " end ", 5) == 0;
}

size_t probe_reply_find_end(const char *buf, size_t len, const char *marker, size_t *scan)
{
	size_t pos = *scan;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n;

		if (!nl)
			break;
		n = (size_t)(nl - (buf + pos));
		if (is_end_line(buf + pos, n, marker)) {
			*scan = 0;
			return pos + n + 1;
		}
		pos += n + 1;
	}
	*scan = pos;
	return 0;
}

/* ---- framing of one reply ---- */

struct frame {
	const char *marker;
	size_t mlen;
	struct probe_rows_span sp[PROBE_ROWS_COUNT];
	struct probe_rows_span *cur; /* section being read, NULL outside */
	char status[32];
	char *error; /* text of an `error` line */
	bool begun;
	bool ended;
};

static int frame_control(struct frame *f, const char *w, size_t n)
{
	int sect;

	if (n >= 5 && !memcmp(w, "begin", 5)) {
		if (f->begun || n != 7 || w[5] != ' ' || w[6] != '1')
			return err_set(ERR_PROTO, "probe reply: bad begin line");
		f->begun = true;
		return ERR_OK;
	}
	if (n >= 6 && !memcmp(w, "error ", 6)) {
		free(f->error);
		f->error = utf8_sanitize(w + 6, n - 6 > 1000 ? 1000 : n - 6);
		return ERR_OK;
	}
	if (n >= 4 && !memcmp(w, "end ", 4)) {
		if (n - 4 >= sizeof(f->status) || n == 4)
			return err_set(ERR_PROTO, "probe reply: bad end line");
		memcpy(f->status, w + 4, n - 4);
		f->status[n - 4] = '\0';
		f->ended = true;
		return ERR_OK;
	}
	sect = probe_rows_section_find(w, n);
	if (sect >= 0) {
		if (!f->begun || f->sp[sect].seen)
			return err_set(ERR_PROTO, "probe reply: unexpected section %s",
			               probe_rows_section_name((enum probe_rows_section)sect));
		f->cur = &f->sp[sect];
		f->cur->seen = true;
		return ERR_OK;
	}
	f->cur = NULL; /* an unknown section from a newer script: skipped */
	return f->begun ? ERR_OK : err_set(ERR_PROTO, "probe reply: unexpected line");
}

static int frame_split(struct frame *f, const char *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		const char *line = buf + pos;

		if (f->ended)
			return err_set(ERR_PROTO, "probe reply: data after the end line");
		if (!nl)
			return err_set(ERR_PROTO, "probe reply: truncated (no end line)");
		if (n > f->mlen && !memcmp(line, f->marker, f->mlen) && line[f->mlen] == ' ') {
			if (f->cur)
				f->cur->len = (size_t)(line - f->cur->p);
			f->cur = NULL;
			if (frame_control(f, line + f->mlen + 1, n - f->mlen - 1) != ERR_OK)
				return ERR_PROTO;
			if (f->cur)
				f->cur->p = nl + 1;
		} else if (!f->begun) {
			return err_set(ERR_PROTO, "probe reply: does not start with the marker");
		}
		pos += n + 1;
	}
	if (!f->ended)
		return err_set(ERR_PROTO, "probe reply: truncated (no end line)");
	return ERR_OK;
}

static int apply_status(struct frame *f, struct probe_result *r)
{
	const char *reason = f->error ? f->error : "the probe script reported an error";

	if (!strcmp(f->status, "unchanged")) {
		r->unchanged = true;
		probe_result_set_state(r, PROBE_HOST_OK, NULL);
		return ERR_OK;
	}
	if (!strcmp(f->status, "no-opencode")) {
		probe_result_set_state(r, PROBE_HOST_NO_OPENCODE, reason);
		return ERR_OK;
	}
	if (!strcmp(f->status, "error")) {
		probe_result_set_state(r, PROBE_HOST_ERROR, reason);
		return ERR_OK;
	}
	if (strcmp(f->status, "ok") != 0)
		return err_set(ERR_PROTO, "probe reply: unknown status");
	if (!f->begun)
		return err_set(ERR_PROTO, "probe reply: ok without data");
	if (probe_rows_decode(f->sp, r) != ERR_OK)
		return ERR_PROTO;
	probe_result_set_state(r, PROBE_HOST_OK, NULL);
	return ERR_OK;
}

int probe_reply_decode(const char *buf, size_t len, const char *marker, struct probe_result *r)
{
	struct frame f;
	int rc;

	memset(&f, 0, sizeof(f));
	f.marker = marker;
	f.mlen = marker ? strlen(marker) : 0;
	if (!probe_reply_marker_ok(marker))
		return err_set(ERR_PROTO, "probe reply: invalid marker");
	if (len > PROBE_REPLY_MAX)
		return err_set(ERR_PROTO, "probe reply: longer than %u bytes", PROBE_REPLY_MAX);
	if (len == 0)
		return err_set(ERR_PROTO, "probe reply: empty");
	rc = frame_split(&f, buf, len);
	if (rc == ERR_OK)
		rc = apply_status(&f, r);
	free(f.error);
	return rc;
}

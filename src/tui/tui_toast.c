/* tui_toast: expiring messages (see tui_toast.h, docs/tui-modal.md). */
#include "tui/tui_toast.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/xmem.h"

static void drop(struct tui_toast *t, size_t i)
{
	free(t->msg[i].text);
	memmove(t->msg + i, t->msg + i + 1, (t->n - i - 1) * sizeof(t->msg[0]));
	t->n--;
}

static int64_t lifetime(enum tui_toast_level level)
{
	return level == TUI_TOAST_ERROR ? TUI_TOAST_ERROR_MS : TUI_TOAST_INFO_MS;
}

/* Puts text (owned) in front as the newest toast. */
static void add(struct tui_toast *t, enum tui_toast_level level, int64_t now_ms, char *text)
{
	struct tui_toast_msg *m = t->msg;

	if (t->n > 0 && m->level == level && strcmp(m->text, text) == 0) {
		free(text); /* a repeat: no second copy of the same line */
		m->deadline_ms = now_ms + lifetime(level);
		return;
	}
	if (t->n == TUI_TOAST_MAX)
		drop(t, t->n - 1);
	memmove(m + 1, m, t->n * sizeof(*m));
	t->n++;
	m->level = level;
	m->deadline_ms = now_ms + lifetime(level);
	m->text = text;
}

void tui_toast_push(struct tui_toast *t, enum tui_toast_level level, int64_t now_ms,
                    const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char *text;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	text = utf8_sanitize(strbuf_str(&sb), sb.len);
	strbuf_free(&sb);
	if (level == TUI_TOAST_ERROR) {
		free(t->last_error);
		t->last_error = xstrdup(text);
	}
	add(t, level, now_ms, text);
}

bool tui_toast_expire(struct tui_toast *t, int64_t now_ms)
{
	bool gone = false;

	for (size_t i = t->n; i-- > 0;) {
		if (t->msg[i].deadline_ms <= now_ms) {
			drop(t, i);
			gone = true;
		}
	}
	return gone;
}

int64_t tui_toast_next_deadline(const struct tui_toast *t)
{
	int64_t next = -1;

	for (size_t i = 0; i < t->n; i++)
		if (i == 0 || t->msg[i].deadline_ms < next)
			next = t->msg[i].deadline_ms;
	return next;
}

size_t tui_toast_count(const struct tui_toast *t)
{
	return t->n;
}

const struct tui_toast_msg *tui_toast_get(const struct tui_toast *t, size_t i)
{
	return i < t->n ? &t->msg[i] : NULL;
}

const char *tui_toast_last_error(const struct tui_toast *t)
{
	return t->last_error;
}

void tui_toast_free(struct tui_toast *t)
{
	while (t->n > 0)
		drop(t, t->n - 1);
	free(t->last_error);
	memset(t, 0, sizeof(*t));
}

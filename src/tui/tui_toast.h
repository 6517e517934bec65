/* tui_toast: short messages that go away by themselves ("session started",
 * "stop failed: …"), as state only; the app draws them and wakes up for
 * the next deadline. Times are milliseconds on the caller's clock (the
 * dashboard uses clock_mono_ms). See docs/tui-modal.md.
 *
 * A zeroed struct tui_toast is empty; tui_toast_free releases it. */
#ifndef CODEFLEET_TUI_TUI_TOAST_H
#define CODEFLEET_TUI_TUI_TOAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TUI_TOAST_MAX      3    /* shown at once; a new one drops the oldest */
#define TUI_TOAST_INFO_MS  4000 /* how long each level stays */
#define TUI_TOAST_ERROR_MS 8000

enum tui_toast_level { TUI_TOAST_INFO, TUI_TOAST_ERROR };

struct tui_toast_msg {
	enum tui_toast_level level;
	int64_t deadline_ms; /* gone at this time */
	char *text;          /* one line, safe for the screen */
};

/* Fields are private: read through the functions. */
struct tui_toast {
	struct tui_toast_msg msg[TUI_TOAST_MAX]; /* newest first */
	size_t n;
	char *last_error;
};

/* Shows a message (printf format) from now_ms on. The text is made safe for
 * the screen (utf8_sanitize: newlines and tabs become spaces, terminal
 * sequences and other controls go), as messages may carry host data. The
 * same text at the same level as the newest toast only renews its time. */
void tui_toast_push(struct tui_toast *t, enum tui_toast_level level, int64_t now_ms,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Removes the toasts whose time is up; true when one went (redraw). */
bool tui_toast_expire(struct tui_toast *t, int64_t now_ms);

/* The earliest deadline of the toasts shown (the poll timeout), -1: none. */
int64_t tui_toast_next_deadline(const struct tui_toast *t);

/* The toasts shown, 0 the newest; NULL past the end. */
size_t tui_toast_count(const struct tui_toast *t);
const struct tui_toast_msg *tui_toast_get(const struct tui_toast *t, size_t i);

/* The text of the last error toast, kept after it expired (the `e` key
 * shows it); NULL when there was none. */
const char *tui_toast_last_error(const struct tui_toast *t);

void tui_toast_free(struct tui_toast *t);

#endif

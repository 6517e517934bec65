/* strbuf: a growable, always NUL-terminated byte buffer.
 *
 * A zeroed struct is an empty buffer: `struct strbuf sb = STRBUF_INIT;`.
 * The buffer owns its memory until strbuf_take() hands it to the caller. */
#ifndef CODEFLEET_UTIL_STRBUF_H
#define CODEFLEET_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf; /* NULL until the first append */
	size_t len;
	size_t cap;
};

#define STRBUF_INIT        \
	{                  \
		NULL, 0, 0 \
	}

void strbuf_append(struct strbuf *sb, const char *data, size_t len);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(struct strbuf *sb);
/* The text so far; "" for an empty buffer. Valid until the next append. */
const char *strbuf_str(const struct strbuf *sb);
/* Returns the allocated string (caller frees) and leaves the buffer empty. */
char *strbuf_take(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

#endif

#include "util/shquote.h"

#include <string.h>

#include "util/err.h"

int shquote_append(struct strbuf *sb, const char *s, size_t len)
{
	const char *p = s;
	const char *end = s + len;
	const char *q = NULL;

	if (len && memchr(s, '\0', len))
		return err_set(ERR_DENIED, "a value sent to a shell holds a NUL byte");
	strbuf_putc(sb, '\'');
	while (p < end) {
		q = memchr(p, '\'', (size_t)(end - p));
		if (!q) {
			strbuf_append(sb, p, (size_t)(end - p));
			break;
		}
		strbuf_append(sb, p, (size_t)(q - p));
		strbuf_append(sb, "'\\''", 4);
		p = q + 1;
	}
	strbuf_putc(sb, '\'');
	return ERR_OK;
}

int shquote_str(struct strbuf *sb, const char *s)
{
	return shquote_append(sb, s, strlen(s));
}

/* C strings hold no NUL, so quoting them cannot fail. */
static void append_words(struct strbuf *sb, const char *const *words, bool space_first)
{
	for (; *words; words++) {
		if (space_first)
			strbuf_putc(sb, ' ');
		space_first = true;
		shquote_str(sb, *words);
	}
}

int shquote_argv(struct strbuf *sb, const char *const *cmd, const char *const *args)
{
	if (!cmd || !cmd[0])
		return err_set(ERR_DENIED, "an empty command line");
	append_words(sb, cmd, false);
	if (args) {
		strbuf_puts(sb, " --");
		append_words(sb, args, true);
	}
	return ERR_OK;
}

bool shquote_is_token_n(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool shquote_is_token(const char *s)
{
	return s && shquote_is_token_n(s, strlen(s));
}

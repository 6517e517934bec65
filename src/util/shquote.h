/* shquote: POSIX shell single-quote escaping for every value sent to a shell.
 *
 * A value becomes one shell word whatever bytes it holds: it is wrapped in
 * single quotes and each ' inside becomes '\'' (close, escaped quote, reopen),
 * so `it's` is sent as 'it'\''s'. Nothing inside single quotes is special to
 * sh ($, `, \, newlines, globs, spaces), so no other byte needs care, except
 * NUL, which no shell word can hold: values with a NUL byte are refused.
 *
 * Every function appends to a strbuf and, on error, leaves it as it was.
 *
 * This is POSIX sh quoting. An SSH exec request runs through the remote
 * user's login shell, which may be csh (where ! and newlines inside quotes
 * are special) or fish (where \\ and \' inside quotes are escapes): send
 * quoted values to sh itself, e.g. in the script fed to `sh -s`, never as
 * the bare exec command line. */
#ifndef CODEFLEET_UTIL_SHQUOTE_H
#define CODEFLEET_UTIL_SHQUOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

/* Appends the `len` bytes at s as one single-quoted word ('' when empty).
 * Returns ERR_OK, or ERR_DENIED when the bytes hold a NUL. */
int shquote_append(struct strbuf *sb, const char *s, size_t len);
/* The same for a NUL-terminated string. */
int shquote_str(struct strbuf *sb, const char *s);

/* Appends a command line: each word of `cmd` quoted, then, when `args` is
 * not NULL, a bare `--` and each word of `args` quoted, separated by single
 * spaces (nothing is put before the first word). Both lists end with NULL
 * and `cmd` holds at least one word. `--` ends the options, so a value that
 * starts with '-' can never become one:
 *     {"rm", "-f", NULL}, {"-rf x", NULL}  ->  'rm' '-f' -- '-rf x'
 * Quoting a command name is harmless ('cd' still runs the builtin) and keeps
 * aliases and reserved words out. Returns ERR_OK, or ERR_DENIED (nothing
 * appended) when `cmd` is empty. */
int shquote_argv(struct strbuf *sb, const char *const *cmd, const char *const *args);

/* True when s is a non-empty "safe token" (end markers, session ids): only
 * the bytes A-Z a-z 0-9 _ -. Such a token may stand unquoted in a script. */
bool shquote_is_token(const char *s);
/* The same for `len` bytes (a NUL byte makes it false). */
bool shquote_is_token_n(const char *s, size_t len);

#endif

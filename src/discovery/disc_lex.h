/* disc_lex: splits one ssh_config line into keyword and arguments the way
 * OpenSSH 9.2 does (readconf.c + misc.c argv_split):
 *   - trailing whitespace (and CR, form feed) is dropped;
 *   - the keyword ends at whitespace or one '=' ("Key=value", "Key = value");
 *   - arguments are split on blanks, "double" and 'single' quotes group,
 *     backslash escapes quotes, backslash and (outside quotes) space;
 *   - a '#' starting an argument ends the line. */
#ifndef CODEFLEET_DISC_LEX_H
#define CODEFLEET_DISC_LEX_H

#include <stddef.h>

enum disc_lex_status {
	DISC_LEX_OK,
	DISC_LEX_EMPTY,     /* blank or comment line */
	DISC_LEX_NOARG,     /* a keyword without any argument */
	DISC_LEX_BADQUOTES, /* an unterminated quote */
};

struct disc_line {
	char *keyword; /* lower-cased */
	char *rest;    /* the raw text after the separator (ProxyCommand etc.) */
	char **argv;   /* NULL-terminated */
	size_t argc;
};

/* Fills `out` (free with disc_lex_free, whatever the status). */
enum disc_lex_status disc_lex_line(const char *line, struct disc_line *out);
void disc_lex_free(struct disc_line *l);

/* argv_split alone: NULL-terminated new vector in *argv, count returned.
 * Returns -1 on an unterminated quote. */
int disc_lex_split(const char *s, char ***argv, size_t *argc);

#endif

/* disc_lex: one ssh_config line into keyword + arguments (readconf.c). */
#include "discovery/disc_lex.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmem.h"

#define WS " \t\r\n"

static void push(char ***argv, size_t *argc, char *arg)
{
	*argv = xrealloc(*argv, *argc + 2, sizeof(char *));
	(*argv)[(*argc)++] = arg;
	(*argv)[*argc] = NULL;
}

/* Copies one token starting at s[*i] into a new string, removing quotes and
 * the escapes ssh recognises. Returns -1 when a quote is left open. */
static int take_token(const char *s, size_t *i, char **out)
{
	char *arg = xmalloc(strlen(s + *i) + 1);
	size_t j = 0;
	char quote = 0;

	for (; s[*i]; (*i)++) {
		char c = s[*i], n = s[*i + 1];

		if (c == '\\' && (n == '\'' || n == '"' || n == '\\' || (!quote && n == ' '))) {
			arg[j++] = n;
			(*i)++;
		} else if (!quote && (c == ' ' || c == '\t')) {
			break;
		} else if (!quote && (c == '"' || c == '\'')) {
			quote = c;
		} else if (quote && c == quote) {
			quote = 0;
		} else {
			arg[j++] = c;
		}
	}
	arg[j] = '\0';
	*out = arg;
	return quote ? -1 : 0;
}

int disc_lex_split(const char *s, char ***argv, size_t *argc)
{
	size_t i = 0;

	*argv = NULL;
	*argc = 0;
	push(argv, argc, NULL);
	*argc = 0;
	while (s[i]) {
		char *arg = NULL;

		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		if (s[i] == '#')
			break;
		if (take_token(s, &i, &arg) < 0) {
			free(arg);
			return -1;
		}
		push(argv, argc, arg);
	}
	return 0;
}

void disc_lex_free(struct disc_line *l)
{
	for (size_t i = 0; l->argv && i < l->argc; i++)
		free(l->argv[i]);
	free(l->argv);
	free(l->keyword);
	free(l->rest);
	memset(l, 0, sizeof(*l));
}

/* Finds the keyword and the start of its arguments, as strdelim() does:
 * one '=' may separate, with blanks on either side. */
static const char *split_keyword(const char *s, struct disc_line *out)
{
	size_t klen;

	s += strspn(s, WS);
	klen = strcspn(s, WS "\"=");
	out->keyword = xstrndup(s, klen);
	for (char *c = out->keyword; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	s += klen;
	if (*s == '=') {
		s++;
	} else {
		s += strspn(s, WS);
		if (*s == '=')
			s++;
	}
	return s + strspn(s, WS);
}

enum disc_lex_status disc_lex_line(const char *line, struct disc_line *out)
{
	char *copy = xstrdup(line);
	size_t len = strlen(copy);
	enum disc_lex_status st = DISC_LEX_OK;
	const char *rest;

	memset(out, 0, sizeof(*out));
	while (len > 0 && strchr(WS "\f", copy[len - 1]))
		copy[--len] = '\0';
	rest = copy + strspn(copy, WS);
	if (*rest == '\0' || *rest == '#') {
		st = DISC_LEX_EMPTY;
		goto out;
	}
	rest = split_keyword(rest, out);
	if (*out->keyword == '\0' || *out->keyword == '#') {
		st = DISC_LEX_EMPTY;
		goto out;
	}
	if (*rest == '\0') {
		st = DISC_LEX_NOARG;
		goto out;
	}
	out->rest = xstrdup(rest);
	if (disc_lex_split(rest, &out->argv, &out->argc) < 0)
		st = DISC_LEX_BADQUOTES;
out:
	free(copy);
	return st;
}

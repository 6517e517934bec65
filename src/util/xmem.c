#include "util/xmem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*die_hook)(void);

void xmem_set_die_hook(void (*hook)(void))
{
	die_hook = hook;
}

void xmem_die(const char *what)
{
	if (die_hook) {
		void (*hook)(void) = die_hook;
		die_hook = NULL; /* a hook that itself fails must not loop */
		hook();
	}
	fprintf(stderr, "codefleet: fatal: %s\n", what);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = NULL;

	if (size == 0)
		xmem_die("zero-size allocation");
	p = malloc(size);
	if (!p)
		xmem_die("out of memory");
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = NULL;

	if (nmemb == 0 || size == 0)
		xmem_die("zero-size allocation");
	p = calloc(nmemb, size);
	if (!p)
		xmem_die("out of memory");
	return p;
}

void *xrealloc(void *ptr, size_t nmemb, size_t size)
{
	void *p = NULL;

	if (nmemb == 0 || size == 0)
		xmem_die("zero-size allocation");
	if (nmemb > SIZE_MAX / size)
		xmem_die("allocation size overflow");
	p = realloc(ptr, nmemb * size);
	if (!p)
		xmem_die("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = NULL;
	size_t len = strnlen(s, n);

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		xmem_die("out of memory");
	va_end(ap);
	return s;
}

/* xmem: allocators that never return NULL.
 *
 * On exhaustion they run the die hook (the dashboard registers one that ends
 * curses, so the terminal is restored) and abort. A zero-size request is a
 * bug and is treated like exhaustion. */
#ifndef CODEFLEET_UTIL_XMEM_H
#define CODEFLEET_UTIL_XMEM_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t nmemb, size_t size);
/* Returns a new copy of s; xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called once before aborting; used to restore the terminal. */
void xmem_set_die_hook(void (*hook)(void));
/* Restores what the hook protects, then aborts. Never returns. */
void xmem_die(const char *what) __attribute__((noreturn));

#endif

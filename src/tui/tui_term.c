/* tui_term: the terminal while curses owns it (see tui_term.h). */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include "tui/tui_term.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/xmem.h"

/* State the signal handlers and atexit reach: kept to the minimum. */
static struct {
	SCREEN *scr;
	bool active;    /* curses owns the terminal */
	int sigpipe[2]; /* the self-pipe: one byte per signal */
} g = {NULL, false, {-1, -1}};

static void term_restore(void)
{
	if (!g.active)
		return;
	g.active = false;
	endwin();
}

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (g.sigpipe[1] >= 0 && write(g.sigpipe[1], &b, 1) < 0) {
		/* full pipe: a wake-up is pending anyway */
	}
	errno = saved;
}

static const int piped_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP, SIGCONT};
static const int fatal_signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
#define NFATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))
/* The handlers the fatal signals had (the default, or a sanitizer's). */
static struct sigaction old_fatal[NFATAL];

/* Restores the terminal, puts the previous handler back and raises again,
 * so the default action (core) or a sanitizer's report still happens. */
static void on_fatal(int sig)
{
	term_restore();
	for (size_t i = 0; i < NFATAL; i++)
		if (fatal_signals[i] == sig)
			sigaction(sig, &old_fatal[i], NULL);
	raise(sig);
}

static void set_handler(int sig, void (*fn)(int), int flags, struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, old);
}

static int install_signals(void)
{
	static bool registered;

	if (pipe2(g.sigpipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return err_set(ERR_IO, "dashboard: pipe: %s", strerror(errno));
	if (!registered && atexit(term_restore) == 0)
		registered = true;
	xmem_set_die_hook(term_restore);
	for (size_t i = 0; i < sizeof(piped_signals) / sizeof(piped_signals[0]); i++)
		set_handler(piped_signals[i], on_signal, SA_RESTART, NULL);
	for (size_t i = 0; i < NFATAL; i++)
		set_handler(fatal_signals[i], on_fatal, SA_RESETHAND, &old_fatal[i]);
	return ERR_OK;
}

static void remove_signals(void)
{
	for (size_t i = 0; i < sizeof(piped_signals) / sizeof(piped_signals[0]); i++)
		set_handler(piped_signals[i], SIG_DFL, 0, NULL);
	for (size_t i = 0; i < NFATAL; i++)
		sigaction(fatal_signals[i], &old_fatal[i], NULL);
	xmem_set_die_hook(NULL);
	for (int i = 0; i < 2; i++) {
		if (g.sigpipe[i] >= 0)
			close(g.sigpipe[i]);
		g.sigpipe[i] = -1;
	}
}

/* Signal handlers are in place first, so ncurses installs none of its own. */
static int screen_start(void)
{
	g.scr = newterm(NULL, stdout, stdin);
	if (!g.scr)
		return err_set(ERR_IO, "dashboard: cannot start curses on this terminal");
	g.active = true;
	set_term(g.scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	return ERR_OK;
}

void tui_term_close(void)
{
	term_restore();
	if (g.scr)
		delscreen(g.scr);
	g.scr = NULL;
	remove_signals();
}

int tui_term_open(void)
{
	int rc = install_signals();

	if (rc == ERR_OK)
		rc = screen_start();
	if (rc != ERR_OK)
		tui_term_close();
	return rc;
}

int tui_term_signal_fd(void)
{
	return g.sigpipe[0];
}

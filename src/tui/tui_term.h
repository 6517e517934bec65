/* tui_term: the terminal while curses owns it, restored on every way out.
 *
 * tui_term_open installs the signal handlers first (so ncurses installs none
 * of its own), then starts curses on stdin/stdout. From then on the terminal
 * is given back by tui_term_close, at exit (atexit), when an allocation fails
 * (the xmem die hook) and on a fatal signal (which then takes its course:
 * core dump or a sanitizer's report). SIGINT, SIGTERM, SIGHUP, SIGWINCH,
 * SIGTSTP and SIGCONT only write their number to a self-pipe that the loop
 * polls (tui_term_signal_fd); the handlers do nothing else. */
#ifndef CODEFLEET_TUI_TERM_H
#define CODEFLEET_TUI_TERM_H

/* Returns ERR_OK, or ERR_IO (no pipe, not a terminal) with nothing left set up. */
int tui_term_open(void);
/* Ends curses, frees the screen, puts the signal handlers back. Idempotent. */
void tui_term_close(void);
/* The read end of the signal self-pipe (non-blocking): one byte per signal. */
int tui_term_signal_fd(void);

#endif

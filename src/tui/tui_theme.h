/* tui_theme: how the dashboard looks — which theme, its colours and
 * attributes per screen role, and the glyphs (Unicode or ASCII).
 *
 * The order of use (docs/tui-theme.md):
 *   1. before curses starts: tui_theme_detect_bg() asks the terminal for its
 *      background (OSC 11) when display.theme is auto, then COLORFGBG;
 *   2. tui_theme_resolve() turns config, flags, NO_COLOR and the locale into
 *      a concrete choice;
 *   3. once curses is up: tui_theme_apply(), then tui_theme_attr() per role
 *      and tui_theme_glyphs() for the symbols.
 * The selection and the parsers are pure and unit-tested; only the query
 * touches the terminal and only the apply/attr part uses curses. */
#ifndef CODEFLEET_TUI_THEME_H
#define CODEFLEET_TUI_THEME_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "probe/probe_model.h"

/* How long the dashboard waits for the terminal's answers, in ms. */
#define TUI_THEME_QUERY_MS 100

/* What is known of the terminal's background. */
enum tui_theme_bg {
	TUI_THEME_BG_UNKNOWN,
	TUI_THEME_BG_DARK,
	TUI_THEME_BG_LIGHT,
};

/* What the screen draws. Most roles are a base: one per cell, with its own
 * colour pair. CURSOR, MATCH and KEY are overlays: attributes only, never a
 * colour, OR'ed onto a base (tui_theme_attr(TUI_ROLE_HOST_OK) |
 * tui_theme_attr(TUI_ROLE_CURSOR)), so the row keeps its colour. */
enum tui_role {
	TUI_ROLE_NORMAL,
	TUI_ROLE_HEADER,    /* the top bar */
	TUI_ROLE_FOOTER,    /* the bottom bar */
	TUI_ROLE_CURSOR,    /* overlay: the selected row */
	TUI_ROLE_STALE,     /* cached rows shown dimmed, tombstones */
	TUI_ROLE_GROUP,     /* a group of hosts */
	TUI_ROLE_HOST_OK,   /* a host: ok */
	TUI_ROLE_HOST_WARN, /* a host: stale, connecting */
	TUI_ROLE_HOST_BAD,  /* a host: offline, timeout, auth, host key, no opencode, error */
	TUI_ROLE_PROJECT,   /* a project row */
	/* a session, by status */
	TUI_ROLE_RUNNING,
	TUI_ROLE_ACTIVE,
	TUI_ROLE_IDLE,
	TUI_ROLE_ERRORED,
	TUI_ROLE_ARCHIVED,
	TUI_ROLE_MATCH,       /* overlay: filter matches (bold + underline) */
	TUI_ROLE_DETAIL,      /* secondary columns: age, agent, model, id; "+N more" */
	TUI_ROLE_BORDER,      /* panel and modal frames */
	TUI_ROLE_TITLE,       /* panel and modal titles */
	TUI_ROLE_LABEL,       /* keys in the inspect panel */
	TUI_ROLE_TOAST,       /* a passing message */
	TUI_ROLE_TOAST_ERROR, /* a passing error */
	TUI_ROLE_KEY,         /* overlay: key names in help and footer */
	TUI_ROLE_COUNT
};

/* What the theme is chosen from. */
struct tui_theme_input {
	int theme;        /* display.theme: enum disc_theme */
	bool no_color;    /* --no-color (a non-empty NO_COLOR is read as well) */
	bool unicode;     /* display.unicode and not --ascii */
	bool utf8_locale; /* tui_text_utf8_locale() */
	int bg;           /* enum tui_theme_bg: tui_theme_detect_bg() */
};

/* The theme chosen. */
struct tui_theme_choice {
	int theme;  /* enum disc_theme: NIGHTOPS, LIGHT or MINIMAL, never AUTO */
	bool color; /* colours wanted (tui_theme_apply also needs the terminal to have them) */
	bool ascii; /* ASCII glyphs only */
};

/* The symbols the screen draws. Every string is one glyph of the width
 * noted, NUL-terminated; the ASCII set is pure 7-bit. */
struct tui_glyphs {
	bool ascii;
	unsigned text_flags;     /* for tui_text_fit/pad: TUI_TEXT_ASCII or 0 */
	const char *ellipsis;    /* "…" or "..." */
	const char *fold_open;   /* 1 cell: an expanded row with children */
	const char *fold_closed; /* 1 cell: a collapsed row with children */
	const char *branch;      /* 2 cells: a child with more siblings below */
	const char *branch_last; /* 2 cells: the last child */
	const char *branch_pipe; /* 2 cells: the line past a child that has siblings below */
	const char *status[PROBE_SESSION_STATUS_COUNT]; /* 1 cell each */
	const char *host[PROBE_HOST_STATE_COUNT];       /* 1 cell each */
	const char *spinner[10];                        /* 1 cell each */
	unsigned spinner_len;                           /* frames used in spinner[] */
	struct {
		const char *h, *v;                /* lines */
		const char *tl, *tr, *bl, *br;    /* corners */
		const char *tee_left, *tee_right; /* a separator meeting the left, right side */
	} frame;                                  /* 1 cell each */
};

/* A concrete theme for display.theme and the background: nightops, light
 * and minimal as they are; auto is light on a light background, else
 * nightops. An unknown value counts as auto. */
int tui_theme_pick(int config_theme, int bg);

/* A terminal's OSC 11 reply, "ESC ] 11 ; rgb:R/G/B" ended by BEL or ESC \,
 * found anywhere in buf[0..len) (keys typed ahead may come first). Each
 * channel has 1 to 4 hex digits, scaled to its own range ("f" and "ffff"
 * are both full); "rgba:" (alpha ignored) is read too. Light when the luma
 * (Rec. 709 weights over the encoded values) is at least 0.5.
 * Returns enum tui_theme_bg; UNKNOWN when no complete reply is there. */
int tui_theme_parse_osc11(const char *buf, size_t len);

/* $COLORFGBG as rxvt and others set it: "fg;bg" or "fg;xpm;bg"; the last
 * field is the background. 0-6 and 8 are dark, 7 and 9-15 light; anything
 * else ("default", one field, NULL) is UNKNOWN. */
int tui_theme_parse_colorfgbg(const char *s);

/* Asks the terminal on in_fd/out_fd for its background: OSC 11 followed by
 * a DA1 request, which every terminal answers, so one that ignores OSC 11
 * is known when the DA1 reply comes, without waiting for the timeout.
 * Reads, one byte at a time, up to and including the DA1 reply, so nothing
 * of the replies is left for curses to take as keys (keys typed before
 * them are lost); a reply that has begun may take one more timeout_ms.
 * The terminal is in non-canonical no-echo mode meanwhile and its termios
 * is always restored; SIGINT, SIGQUIT, SIGTSTP, SIGTERM and SIGHUP are
 * held until then.
 * Skipped (UNKNOWN) unless both fds are terminals and we are not in the
 * background, and when timeout_ms <= 0, TERM is unset, empty, "dumb" or
 * "linux*", or CODEFLEET_NO_OSC11 is set. Call it before curses starts.
 * Returns enum tui_theme_bg. */
int tui_theme_query_bg(int in_fd, int out_fd, int timeout_ms);

/* The background as the theme needs it: UNKNOWN unless in->theme is auto
 * and colour is on; then the terminal's answer (tui_theme_query_bg), else
 * $COLORFGBG, else UNKNOWN (which picks the dark theme). */
int tui_theme_detect_bg(const struct tui_theme_input *in, int in_fd, int out_fd, int timeout_ms);

/* The concrete choice: tui_theme_pick(in->theme, in->bg); no colour with
 * --no-color, a non-empty NO_COLOR (no-color.org) or minimal, the theme's
 * attributes staying; ASCII glyphs with minimal, unicode off or a locale
 * that is not UTF-8. */
void tui_theme_resolve(const struct tui_theme_input *in, struct tui_theme_choice *out);

/* Sets up the colour pairs of the chosen theme once curses is started
 * (it calls start_color and use_default_colors itself): 256-colour values
 * when COLORS >= 256, else the 8 basic ones, and the terminal's own
 * background and foreground wherever the theme says "default". Without
 * colour only attributes are used. Call it again after a new screen.
 * Returns the colours in use: 0, 8 or 256. */
int tui_theme_apply(const struct tui_theme_choice *c);

/* The attributes of a role in the applied theme (COLOR_PAIR | A_BOLD ...).
 * Before tui_theme_apply: the minimal theme's attributes. */
attr_t tui_theme_attr(enum tui_role r);

/* The Unicode or the ASCII set (static, never freed). */
const struct tui_glyphs *tui_theme_glyphs(bool ascii);

#endif

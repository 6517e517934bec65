/* tui_theme: themes, the background query and the glyph sets (see
 * tui_theme.h, docs/tui-theme.md). */
#include "tui/tui_theme.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "discovery/disc_config.h"
#include "tui/tui_text.h"
#include "util/clock.h"

/* ---- choosing ---- */

static bool is_concrete(int theme)
{
	return theme == DISC_THEME_NIGHTOPS || theme == DISC_THEME_LIGHT ||
	       theme == DISC_THEME_MINIMAL;
}

int tui_theme_pick(int config_theme, int bg)
{
	if (is_concrete(config_theme))
		return config_theme;
	/* an unknown background is taken as dark: most terminals are */
	return bg == TUI_THEME_BG_LIGHT ? DISC_THEME_LIGHT : DISC_THEME_NIGHTOPS;
}

/* no-color.org: set and not empty. */
static bool no_color_env(void)
{
	const char *nc = getenv("NO_COLOR");

	return nc && *nc;
}

static bool color_wanted(int theme, bool no_color_flag)
{
	return theme != DISC_THEME_MINIMAL && !no_color_flag && !no_color_env();
}

void tui_theme_resolve(const struct tui_theme_input *in, struct tui_theme_choice *out)
{
	out->theme = tui_theme_pick(in->theme, in->bg);
	out->color = color_wanted(out->theme, in->no_color);
	out->ascii = out->theme == DISC_THEME_MINIMAL || !in->unicode || !in->utf8_locale;
}

/* ---- the parsers ---- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One channel of 1 to 4 hex digits at *p, as a fraction of its full scale
 * (XParseColor's rgb: form scales: "f", "ff", "fff", "ffff" are all 1.0). */
static bool read_channel(const char **p, const char *end, double *out)
{
	unsigned v = 0, n = 0;

	for (; *p < end && hex_value(**p) >= 0; (*p)++) {
		if (++n > 4)
			return false;
		v = v * 16 + (unsigned)hex_value(**p);
	}
	if (n == 0)
		return false;
	*out = v / (double)((1u << (4 * n)) - 1);
	return true;
}

static bool skip(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0)
		return false;
	*p += n;
	return true;
}

static bool at_terminator(const char *p, const char *end)
{
	return (p < end && *p == '\a') || (end - p >= 2 && p[0] == '\x1b' && p[1] == '\\');
}

/* The colour spec after "ESC ] 11 ;" up to its terminator. The weights are
 * Rec. 709's, applied to the encoded values rather than linear light: 0.5
 * there is close to where black and white text contrast equally with the
 * background, which is the question being asked. */
static int parse_spec(const char *p, const char *end)
{
	bool alpha = false;
	double c[4], luma;

	if (skip(&p, end, "rgba:"))
		alpha = true;
	else if (!skip(&p, end, "rgb:"))
		return TUI_THEME_BG_UNKNOWN;
	for (int i = 0; i < (alpha ? 4 : 3); i++) {
		if ((i > 0 && !skip(&p, end, "/")) || !read_channel(&p, end, &c[i]))
			return TUI_THEME_BG_UNKNOWN;
	}
	if (!at_terminator(p, end))
		return TUI_THEME_BG_UNKNOWN;
	luma = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
	return luma >= 0.5 ? TUI_THEME_BG_LIGHT : TUI_THEME_BG_DARK;
}

int tui_theme_parse_osc11(const char *buf, size_t len)
{
	static const char intro[] = "\x1b]11;";
	const char *end = buf ? buf + len : NULL;
	const char *p = buf;

	while (p && p < end) {
		int bg;

		p = memmem(p, (size_t)(end - p), intro, sizeof(intro) - 1);
		if (!p)
			break;
		p += sizeof(intro) - 1;
		bg = parse_spec(p, end);
		if (bg != TUI_THEME_BG_UNKNOWN)
			return bg;
	}
	return TUI_THEME_BG_UNKNOWN;
}

int tui_theme_parse_colorfgbg(const char *s)
{
	const char *p = s ? strrchr(s, ';') : NULL;
	int n = 0, digits = 0;

	if (!p)
		return TUI_THEME_BG_UNKNOWN; /* one field: fg or bg, nobody knows */
	for (p++; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
		n = n * 10 + (*p - '0');
	if (*p || digits == 0 || n > 15)
		return TUI_THEME_BG_UNKNOWN;
	return n <= 6 || n == 8 ? TUI_THEME_BG_DARK : TUI_THEME_BG_LIGHT;
}

/* ---- asking the terminal ---- */

/* OSC 11 query, then DA1 (primary device attributes). */
static const char query[] = "\x1b]11;?\x1b\\\x1b[c";

/* Where the scan for the end of the DA1 reply, ESC [ ? Ps ; ... c, is. */
enum da1_state { DA1_NONE, DA1_ESC, DA1_CSI, DA1_PARAMS, DA1_DONE };

struct replies {
	char buf[512]; /* the bytes read, for the OSC 11 parser */
	size_t len;
	size_t seen; /* bytes read in all */
	enum da1_state st;
};

static enum da1_state da1_step(enum da1_state st, char c)
{
	if (c == '\x1b')
		return DA1_ESC;
	switch (st) {
	case DA1_ESC:
		return c == '[' ? DA1_CSI : DA1_NONE;
	case DA1_CSI:
		return c == '?' ? DA1_PARAMS : DA1_NONE;
	case DA1_PARAMS:
		if ((c >= '0' && c <= '9') || c == ';')
			return DA1_PARAMS;
		return c == 'c' ? DA1_DONE : DA1_NONE;
	default:
		return DA1_NONE;
	}
}

static void replies_add(struct replies *r, char c)
{
	if (r->len == sizeof(r->buf)) {
		/* a paste ahead of the replies: keep the newest half */
		memmove(r->buf, r->buf + r->len / 2, r->len - r->len / 2);
		r->len -= r->len / 2;
	}
	r->buf[r->len++] = c;
	r->seen++;
	r->st = da1_step(r->st, c);
}

/* Reads what is there, one byte at a time so that nothing after the DA1
 * reply is taken (VMIN = VTIME = 0: read returns 0 when nothing is left).
 * Returns false when the terminal is gone. */
static bool read_available(int fd, struct replies *r)
{
	char c;
	ssize_t n;

	while (r->st != DA1_DONE && (n = read(fd, &c, 1)) != 0) {
		if (n < 0)
			return errno == EINTR || errno == EAGAIN;
		replies_add(r, c);
	}
	return true;
}

/* Waits for the DA1 reply until the deadline; a reply that has begun gets
 * one more timeout_ms, so it is not cut in the middle and left to curses. */
static void read_replies(int fd, int timeout_ms, struct replies *r)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;
	bool extended = false;

	while (r->st != DA1_DONE) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int64_t left = deadline - clock_mono_ms();
		int rc;

		if (left <= 0) {
			if (extended || r->seen == 0)
				return;
			extended = true;
			deadline += timeout_ms;
			continue;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno != EINTR)
			return;
		if (rc > 0 && (pfd.revents & POLLIN) && !read_available(fd, r))
			return;
		if (rc > 0 && !(pfd.revents & POLLIN))
			return; /* POLLHUP, POLLERR: no terminal any more */
	}
}

static bool write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

static bool query_allowed(int in_fd, int out_fd)
{
	const char *term = getenv("TERM");
	pid_t pg;

	/* the Linux console has no OSC 11 and prints what it cannot parse */
	if (getenv("CODEFLEET_NO_OSC11") || !term || !*term || !strcmp(term, "dumb") ||
	    !strncmp(term, "linux", 5))
		return false;
	if (!isatty(in_fd) || !isatty(out_fd))
		return false;
	/* in the background, reading the terminal would stop us (SIGTTIN) */
	pg = tcgetpgrp(in_fd);
	return pg < 0 || pg == getpgrp();
}

static int tcset(int fd, const struct termios *t)
{
	int rc;

	do
		rc = tcsetattr(fd, TCSANOW, t);
	while (rc < 0 && errno == EINTR);
	return rc;
}

/* Ctrl-C, Ctrl-Z and friends wait until the terminal is put back, so no
 * way out leaves it without echo; they are delivered right after. */
static void hold_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

int tui_theme_query_bg(int in_fd, int out_fd, int timeout_ms)
{
	struct termios saved, raw;
	struct replies r;
	sigset_t old;
	int bg = TUI_THEME_BG_UNKNOWN;

	/* no time to wait: the replies would come to curses as keys */
	if (timeout_ms <= 0 || !query_allowed(in_fd, out_fd) || tcgetattr(in_fd, &saved) < 0)
		return bg;
	memset(&r, 0, sizeof(r));
	raw = saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	hold_signals(&old);
	if (tcset(in_fd, &raw) == 0) {
		if (write_all(out_fd, query, sizeof(query) - 1)) {
			read_replies(in_fd, timeout_ms, &r);
			bg = tui_theme_parse_osc11(r.buf, r.len);
		}
		tcset(in_fd, &saved);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return bg;
}

int tui_theme_detect_bg(const struct tui_theme_input *in, int in_fd, int out_fd, int timeout_ms)
{
	int bg;

	/* a concrete theme, or no colour: the background changes nothing */
	if (is_concrete(in->theme) || !color_wanted(in->theme, in->no_color))
		return TUI_THEME_BG_UNKNOWN;
	bg = tui_theme_query_bg(in_fd, out_fd, timeout_ms);
	if (bg == TUI_THEME_BG_UNKNOWN)
		bg = tui_theme_parse_colorfgbg(getenv("COLORFGBG"));
	return bg;
}

/* ---- the themes ---- */

#define D -1 /* the terminal's own colour */

/* One role: foreground and background as xterm-256 indices and as the 8
 * basic colours (D: the terminal's default), and the attributes, which
 * stay when there is no colour. Bars (header, footer, toasts) are drawn
 * reversed so they remain bars without colour: their fg is the bar's
 * colour and their bg the text's. */
struct style {
	short fg256, fg8, bg256, bg8;
	attr_t attrs;
};

struct theme {
	const struct style *roles; /* TUI_ROLE_COUNT rows */
	short fg, bg;              /* for D when the terminal cannot keep its own colours */
};

/* Dark backgrounds: greens and cyans, amber warnings, red errors. */
static const struct style nightops_roles[TUI_ROLE_COUNT] = {
    [TUI_ROLE_NORMAL] = {D, D, D, D, A_NORMAL},
    [TUI_ROLE_HEADER] = {29, COLOR_GREEN, 16, D, A_REVERSE | A_BOLD},
    [TUI_ROLE_FOOTER] = {238, D, 252, D, A_REVERSE},
    [TUI_ROLE_CURSOR] = {D, D, D, D, A_REVERSE},
    [TUI_ROLE_STALE] = {242, D, D, D, A_DIM},
    [TUI_ROLE_GROUP] = {81, COLOR_CYAN, D, D, A_BOLD},
    [TUI_ROLE_HOST_OK] = {78, COLOR_GREEN, D, D, A_NORMAL},
    [TUI_ROLE_HOST_WARN] = {214, COLOR_YELLOW, D, D, A_NORMAL},
    [TUI_ROLE_HOST_BAD] = {203, COLOR_RED, D, D, A_BOLD},
    [TUI_ROLE_PROJECT] = {110, COLOR_CYAN, D, D, A_NORMAL},
    [TUI_ROLE_RUNNING] = {84, COLOR_GREEN, D, D, A_BOLD},
    [TUI_ROLE_ACTIVE] = {79, COLOR_CYAN, D, D, A_NORMAL},
    [TUI_ROLE_IDLE] = {250, D, D, D, A_NORMAL},
    [TUI_ROLE_ERRORED] = {203, COLOR_RED, D, D, A_BOLD},
    [TUI_ROLE_ARCHIVED] = {243, D, D, D, A_DIM},
    [TUI_ROLE_MATCH] = {D, D, D, D, A_BOLD | A_UNDERLINE},
    [TUI_ROLE_DETAIL] = {245, D, D, D, A_NORMAL},
    [TUI_ROLE_BORDER] = {30, COLOR_CYAN, D, D, A_NORMAL},
    [TUI_ROLE_TITLE] = {86, COLOR_GREEN, D, D, A_BOLD},
    [TUI_ROLE_LABEL] = {109, COLOR_CYAN, D, D, A_BOLD},
    [TUI_ROLE_TOAST] = {30, COLOR_CYAN, 231, D, A_REVERSE | A_BOLD},
    [TUI_ROLE_TOAST_ERROR] = {160, COLOR_RED, 231, D, A_REVERSE | A_BOLD},
    [TUI_ROLE_KEY] = {D, D, D, D, A_BOLD},
};

/* Light backgrounds: darker inks; no yellow in 8 colours (unreadable on
 * white), magenta warns instead. */
static const struct style light_roles[TUI_ROLE_COUNT] = {
    [TUI_ROLE_NORMAL] = {D, D, D, D, A_NORMAL},
    [TUI_ROLE_HEADER] = {24, COLOR_BLUE, 231, D, A_REVERSE | A_BOLD},
    [TUI_ROLE_FOOTER] = {252, D, 236, D, A_REVERSE},
    [TUI_ROLE_CURSOR] = {D, D, D, D, A_REVERSE},
    [TUI_ROLE_STALE] = {246, D, D, D, A_DIM},
    [TUI_ROLE_GROUP] = {25, COLOR_BLUE, D, D, A_BOLD},
    [TUI_ROLE_HOST_OK] = {28, COLOR_GREEN, D, D, A_NORMAL},
    [TUI_ROLE_HOST_WARN] = {130, COLOR_MAGENTA, D, D, A_NORMAL},
    [TUI_ROLE_HOST_BAD] = {160, COLOR_RED, D, D, A_BOLD},
    [TUI_ROLE_PROJECT] = {31, COLOR_BLUE, D, D, A_NORMAL},
    [TUI_ROLE_RUNNING] = {22, COLOR_GREEN, D, D, A_BOLD},
    [TUI_ROLE_ACTIVE] = {30, COLOR_BLUE, D, D, A_NORMAL},
    [TUI_ROLE_IDLE] = {238, D, D, D, A_NORMAL},
    [TUI_ROLE_ERRORED] = {160, COLOR_RED, D, D, A_BOLD},
    [TUI_ROLE_ARCHIVED] = {245, D, D, D, A_DIM},
    [TUI_ROLE_MATCH] = {D, D, D, D, A_BOLD | A_UNDERLINE},
    [TUI_ROLE_DETAIL] = {242, D, D, D, A_NORMAL},
    [TUI_ROLE_BORDER] = {67, COLOR_BLUE, D, D, A_NORMAL},
    [TUI_ROLE_TITLE] = {24, COLOR_BLUE, D, D, A_BOLD},
    [TUI_ROLE_LABEL] = {60, COLOR_BLUE, D, D, A_BOLD},
    [TUI_ROLE_TOAST] = {24, COLOR_BLUE, 231, D, A_REVERSE | A_BOLD},
    [TUI_ROLE_TOAST_ERROR] = {160, COLOR_RED, 231, D, A_REVERSE | A_BOLD},
    [TUI_ROLE_KEY] = {D, D, D, D, A_BOLD},
};

/* No colour at all: attributes keep the roles apart that must be. */
static const struct style minimal_roles[TUI_ROLE_COUNT] = {
    [TUI_ROLE_NORMAL] = {D, D, D, D, A_NORMAL},
    [TUI_ROLE_HEADER] = {D, D, D, D, A_REVERSE | A_BOLD},
    [TUI_ROLE_FOOTER] = {D, D, D, D, A_REVERSE},
    [TUI_ROLE_CURSOR] = {D, D, D, D, A_REVERSE},
    [TUI_ROLE_STALE] = {D, D, D, D, A_DIM},
    [TUI_ROLE_GROUP] = {D, D, D, D, A_BOLD},
    [TUI_ROLE_HOST_OK] = {D, D, D, D, A_NORMAL},
    [TUI_ROLE_HOST_WARN] = {D, D, D, D, A_NORMAL},
    [TUI_ROLE_HOST_BAD] = {D, D, D, D, A_BOLD},
    [TUI_ROLE_PROJECT] = {D, D, D, D, A_NORMAL},
    [TUI_ROLE_RUNNING] = {D, D, D, D, A_BOLD},
    [TUI_ROLE_ACTIVE] = {D, D, D, D, A_NORMAL},
    [TUI_ROLE_IDLE] = {D, D, D, D, A_NORMAL},
    [TUI_ROLE_ERRORED] = {D, D, D, D, A_BOLD},
    [TUI_ROLE_ARCHIVED] = {D, D, D, D, A_DIM},
    [TUI_ROLE_MATCH] = {D, D, D, D, A_BOLD | A_UNDERLINE},
    [TUI_ROLE_DETAIL] = {D, D, D, D, A_NORMAL},
    [TUI_ROLE_BORDER] = {D, D, D, D, A_NORMAL},
    [TUI_ROLE_TITLE] = {D, D, D, D, A_BOLD},
    [TUI_ROLE_LABEL] = {D, D, D, D, A_BOLD},
    [TUI_ROLE_TOAST] = {D, D, D, D, A_REVERSE | A_BOLD},
    [TUI_ROLE_TOAST_ERROR] = {D, D, D, D, A_REVERSE | A_BOLD},
    [TUI_ROLE_KEY] = {D, D, D, D, A_BOLD},
};

static const struct theme nightops = {nightops_roles, COLOR_WHITE, COLOR_BLACK};
static const struct theme light = {light_roles, COLOR_BLACK, COLOR_WHITE};
static const struct theme minimal = {minimal_roles, COLOR_WHITE, COLOR_BLACK};

/* The applied theme; curses is global, so is this. */
static struct {
	const struct theme *t;
	int colors; /* 0, 8 or 256 */
} g = {&minimal, 0};

static const struct theme *theme_of(int theme)
{
	switch (theme) {
	case DISC_THEME_LIGHT:
		return &light;
	case DISC_THEME_MINIMAL:
		return &minimal;
	default:
		return &nightops;
	}
}

static void role_colors(const struct style *s, int colors, short *fg, short *bg)
{
	*fg = colors >= 256 ? s->fg256 : s->fg8;
	*bg = colors >= 256 ? s->bg256 : s->bg8;
}

static bool has_pair(const struct style *s, int colors)
{
	short fg, bg;

	role_colors(s, colors, &fg, &bg);
	return colors > 0 && (fg != D || bg != D);
}

/* The pair numbers are the roles + 1, so they need that many pairs. */
static bool start_colors(void)
{
	return has_colors() && start_color() == OK && COLORS >= 8 && COLOR_PAIRS > TUI_ROLE_COUNT;
}

int tui_theme_apply(const struct tui_theme_choice *c)
{
	bool keep_default;

	g.t = theme_of(c->theme);
	g.colors = 0;
	if (!c->color || g.t == &minimal || !start_colors())
		return 0;
	g.colors = COLORS >= 256 ? 256 : 8;
	keep_default = use_default_colors() == OK;
	for (int r = 0; r < TUI_ROLE_COUNT; r++) {
		short fg, bg;

		if (!has_pair(&g.t->roles[r], g.colors))
			continue;
		role_colors(&g.t->roles[r], g.colors, &fg, &bg);
		if (!keep_default && fg == D)
			fg = g.t->fg;
		if (!keep_default && bg == D)
			bg = g.t->bg;
		init_pair((short)(r + 1), fg, bg);
	}
	return g.colors;
}

attr_t tui_theme_attr(enum tui_role r)
{
	const struct style *s;

	if ((unsigned)r >= TUI_ROLE_COUNT)
		return A_NORMAL;
	s = &g.t->roles[r];
	if (has_pair(s, g.colors))
		return s->attrs | (attr_t)COLOR_PAIR(r + 1);
	return s->attrs;
}

/* ---- glyphs ---- */

static const struct tui_glyphs glyphs_utf8 = {
    .ascii = false,
    .text_flags = 0,
    .ellipsis = "…",
    .fold_open = "▾",
    .fold_closed = "▸",
    .branch = "├─",
    .branch_last = "└─",
    .branch_pipe = "│ ",
    .status =
        {
            [PROBE_SESSION_IDLE] = "○",
            [PROBE_SESSION_ACTIVE] = "●",
            [PROBE_SESSION_RUNNING] = "▶",
            [PROBE_SESSION_ERRORED] = "✗",
            [PROBE_SESSION_ARCHIVED] = "▪",
        },
    .host =
        {
            [PROBE_HOST_OK] = "●",
            [PROBE_HOST_STALE] = "◐",
            [PROBE_HOST_CONNECTING] = "○",
            [PROBE_HOST_OFFLINE] = "✗",
            [PROBE_HOST_TIMEOUT] = "✗",
            [PROBE_HOST_AUTH_REQUIRED] = "⚠",
            [PROBE_HOST_HOSTKEY_UNKNOWN] = "?",
            [PROBE_HOST_HOSTKEY_CHANGED] = "⚠",
            [PROBE_HOST_NO_OPENCODE] = "∅",
            [PROBE_HOST_ERROR] = "✗",
        },
    .spinner = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"},
    .spinner_len = 10,
    .frame = {"─", "│", "┌", "┐", "└", "┘", "├", "┤"},
};

static const struct tui_glyphs glyphs_ascii = {
    .ascii = true,
    .text_flags = TUI_TEXT_ASCII,
    .ellipsis = "...",
    .fold_open = "-",
    .fold_closed = "+",
    .branch = "|-",
    .branch_last = "`-",
    .branch_pipe = "| ",
    .status =
        {
            [PROBE_SESSION_IDLE] = "o",
            [PROBE_SESSION_ACTIVE] = "*",
            [PROBE_SESSION_RUNNING] = ">",
            [PROBE_SESSION_ERRORED] = "x",
            [PROBE_SESSION_ARCHIVED] = "-",
        },
    .host =
        {
            [PROBE_HOST_OK] = "*",
            [PROBE_HOST_STALE] = "~",
            [PROBE_HOST_CONNECTING] = ".",
            [PROBE_HOST_OFFLINE] = "x",
            [PROBE_HOST_TIMEOUT] = "x",
            [PROBE_HOST_AUTH_REQUIRED] = "!",
            [PROBE_HOST_HOSTKEY_UNKNOWN] = "?",
            [PROBE_HOST_HOSTKEY_CHANGED] = "!",
            [PROBE_HOST_NO_OPENCODE] = "-",
            [PROBE_HOST_ERROR] = "x",
        },
    .spinner = {"|", "/", "-", "\\"},
    .spinner_len = 4,
    .frame = {"-", "|", "+", "+", "+", "+", "+", "+"},
};

const struct tui_glyphs *tui_theme_glyphs(bool ascii)
{
	return ascii ? &glyphs_ascii : &glyphs_utf8;
}

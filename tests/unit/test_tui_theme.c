#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "discovery/disc_config.h"
#include "tui/tui_text.h"
#include "tui/tui_theme.h"
#include "util/clock.h"

#define OSC(spec) "\x1b]11;" spec
#define BEL       "\x07"
#define ST        "\x1b\\"
#define DA1       "\x1b[?62;22c"
#define QUERY     "\x1b]11;?\x1b\\\x1b[c"

static const int themes[] = {DISC_THEME_NIGHTOPS, DISC_THEME_LIGHT, DISC_THEME_MINIMAL};

static int osc(const char *s)
{
	return tui_theme_parse_osc11(s, strlen(s));
}

/* ---- the pure parts ---- */

static void test_pick(void **state)
{
	(void)state;
	assert_int_equal(tui_theme_pick(DISC_THEME_AUTO, TUI_THEME_BG_LIGHT), DISC_THEME_LIGHT);
	assert_int_equal(tui_theme_pick(DISC_THEME_AUTO, TUI_THEME_BG_DARK), DISC_THEME_NIGHTOPS);
	assert_int_equal(tui_theme_pick(DISC_THEME_AUTO, TUI_THEME_BG_UNKNOWN),
	                 DISC_THEME_NIGHTOPS);
	for (int bg = TUI_THEME_BG_UNKNOWN; bg <= TUI_THEME_BG_LIGHT; bg++) {
		for (size_t i = 0; i < sizeof(themes) / sizeof(themes[0]); i++)
			assert_int_equal(tui_theme_pick(themes[i], bg), themes[i]);
	}
	assert_int_equal(tui_theme_pick(99, TUI_THEME_BG_LIGHT), DISC_THEME_LIGHT);
	assert_int_equal(tui_theme_pick(-1, TUI_THEME_BG_DARK), DISC_THEME_NIGHTOPS);
}

static void test_osc11_replies(void **state)
{
	(void)state;
	assert_int_equal(osc(OSC("rgb:ffff/ffff/ffff") BEL), TUI_THEME_BG_LIGHT);
	assert_int_equal(osc(OSC("rgb:0000/0000/0000") ST), TUI_THEME_BG_DARK);
	assert_int_equal(osc(OSC("rgb:fdfd/f6f6/e3e3") ST), TUI_THEME_BG_LIGHT); /* solarized */
	assert_int_equal(osc(OSC("rgb:0000/2b2b/3636") ST), TUI_THEME_BG_DARK);
	assert_int_equal(osc(OSC("rgb:1e1e/1e1e/2e2e") BEL), TUI_THEME_BG_DARK);
	/* 1 to 4 digits, each scaled to its own range */
	assert_int_equal(osc(OSC("rgb:f/f/f") BEL), TUI_THEME_BG_LIGHT);
	assert_int_equal(osc(OSC("rgb:ff/ff/ff") BEL), TUI_THEME_BG_LIGHT);
	assert_int_equal(osc(OSC("rgb:fff/fff/fff") BEL), TUI_THEME_BG_LIGHT);
	assert_int_equal(osc(OSC("rgb:f/ff/fff") BEL), TUI_THEME_BG_LIGHT);
	assert_int_equal(osc(OSC("rgb:7/7/7") BEL), TUI_THEME_BG_DARK);    /* 0.467 */
	assert_int_equal(osc(OSC("rgb:8/8/8") BEL), TUI_THEME_BG_LIGHT);   /* 0.533 */
	assert_int_equal(osc(OSC("rgb:7f/7f/7f") BEL), TUI_THEME_BG_DARK); /* 0.498 */
	assert_int_equal(osc(OSC("rgb:80/80/80") BEL), TUI_THEME_BG_LIGHT);
	assert_int_equal(osc(OSC("rgb:7fff/7fff/7fff") BEL), TUI_THEME_BG_DARK);
	assert_int_equal(osc(OSC("rgb:8000/8000/8000") BEL), TUI_THEME_BG_LIGHT);
	assert_int_equal(osc(OSC("rgb:FFFF/FfFf/ffff") BEL), TUI_THEME_BG_LIGHT);
	/* weights: green counts most, blue least */
	assert_int_equal(osc(OSC("rgb:0000/ffff/0000") BEL), TUI_THEME_BG_LIGHT);
	assert_int_equal(osc(OSC("rgb:ffff/0000/0000") BEL), TUI_THEME_BG_DARK);
	assert_int_equal(osc(OSC("rgb:0000/0000/ffff") BEL), TUI_THEME_BG_DARK);
	assert_int_equal(osc(OSC("rgb:ffff/0000/ffff") BEL), TUI_THEME_BG_DARK);
	assert_int_equal(osc(OSC("rgb:ffff/ffff/0000") BEL), TUI_THEME_BG_LIGHT);
	/* rgba (urxvt): alpha ignored */
	assert_int_equal(osc(OSC("rgba:ffff/ffff/ffff/0000") ST), TUI_THEME_BG_LIGHT);
	assert_int_equal(osc(OSC("rgba:0000/0000/0000/ffff") ST), TUI_THEME_BG_DARK);
	/* keys typed ahead, a DA1 reply behind */
	assert_int_equal(osc("jk" OSC("rgb:ffff/ffff/ffff") ST DA1), TUI_THEME_BG_LIGHT);
	/* a broken reply first, a good one after */
	assert_int_equal(osc(OSC("rgb:zz") OSC("rgb:0/0/0") BEL), TUI_THEME_BG_DARK);
}

static void test_osc11_garbage(void **state)
{
	static const char *const bad[] = {
	    "",
	    "garbage",
	    OSC("rgb:ffff/ffff/ffff"),          /* no terminator */
	    OSC("rgb:ffff/ffff/ffff\x1b"),      /* half an ST */
	    OSC("rgb:ffff/ffff/ffff") "x",      /* something else after */
	    OSC("rgb:fffff/ffff/ffff") BEL,     /* 5 digits */
	    OSC("rgb:ffff/ffff") BEL,           /* 2 channels */
	    OSC("rgb:ffff//ffff") BEL,          /* empty channel */
	    OSC("rgb:ffff/ffff/ffff/ffff") BEL, /* 4 channels for rgb */
	    OSC("rgba:ffff/ffff/ffff") BEL,     /* 3 channels for rgba */
	    OSC("rgb:gggg/ffff/ffff") BEL,      /* not hex */
	    OSC("#ffffff") BEL,                 /* the old # form is not a reply */
	    OSC("rgb: ffff/ffff/ffff") BEL,     /* a space */
	    OSC("?") BEL,                       /* our own query echoed */
	    "\x1b]10;rgb:ffff/ffff/ffff" BEL,   /* the foreground */
	    "\x1b]111;rgb:ffff/ffff/ffff" BEL,
	    "]11;rgb:ffff/ffff/ffff" BEL, /* no ESC */
	    DA1,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(osc(bad[i]), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_osc11(NULL, 0), TUI_THEME_BG_UNKNOWN);
	/* the length counts, not a NUL */
	assert_int_equal(tui_theme_parse_osc11(OSC("rgb:f/f/f") BEL, 13), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_osc11(OSC("rgb:f/f/f") BEL "zz", 15), TUI_THEME_BG_LIGHT);
	assert_int_equal(tui_theme_parse_osc11(OSC("rgb:f/f/f\0") BEL, 16), TUI_THEME_BG_UNKNOWN);
}

static void test_colorfgbg(void **state)
{
	(void)state;
	assert_int_equal(tui_theme_parse_colorfgbg("15;0"), TUI_THEME_BG_DARK);
	assert_int_equal(tui_theme_parse_colorfgbg("0;15"), TUI_THEME_BG_LIGHT);
	assert_int_equal(tui_theme_parse_colorfgbg("12;8;0"), TUI_THEME_BG_DARK);
	assert_int_equal(tui_theme_parse_colorfgbg("0;default;15"), TUI_THEME_BG_LIGHT);
	assert_int_equal(tui_theme_parse_colorfgbg("default;default"), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_colorfgbg("0;default"), TUI_THEME_BG_UNKNOWN);
	for (int bg = 0; bg <= 15; bg++) {
		char s[16];
		bool dark = bg <= 6 || bg == 8;

		snprintf(s, sizeof(s), "7;%d", bg);
		assert_int_equal(tui_theme_parse_colorfgbg(s),
		                 dark ? TUI_THEME_BG_DARK : TUI_THEME_BG_LIGHT);
	}
	assert_int_equal(tui_theme_parse_colorfgbg("0;16"), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_colorfgbg("0;007"), TUI_THEME_BG_LIGHT);
	assert_int_equal(tui_theme_parse_colorfgbg("0;0015"), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_colorfgbg("0;"), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_colorfgbg("0;-1"), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_colorfgbg("0; 1"), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_colorfgbg("0;1x"), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_colorfgbg("0"), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_colorfgbg(""), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_parse_colorfgbg(NULL), TUI_THEME_BG_UNKNOWN);
}

static struct tui_theme_choice resolve(int theme, bool no_color, bool unicode, bool utf8, int bg)
{
	struct tui_theme_input in = {theme, no_color, unicode, utf8, bg};
	struct tui_theme_choice c;

	memset(&c, 0xa5, sizeof(c));
	tui_theme_resolve(&in, &c);
	return c;
}

static void test_resolve(void **state)
{
	struct tui_theme_choice c;

	(void)state;
	c = resolve(DISC_THEME_AUTO, false, true, true, TUI_THEME_BG_LIGHT);
	assert_int_equal(c.theme, DISC_THEME_LIGHT);
	assert_true(c.color);
	assert_false(c.ascii);
	c = resolve(DISC_THEME_AUTO, false, true, true, TUI_THEME_BG_UNKNOWN);
	assert_int_equal(c.theme, DISC_THEME_NIGHTOPS);
	/* --no-color: the theme stays, its colours go */
	c = resolve(DISC_THEME_LIGHT, true, true, true, TUI_THEME_BG_DARK);
	assert_int_equal(c.theme, DISC_THEME_LIGHT);
	assert_false(c.color);
	assert_false(c.ascii);
	/* minimal: ASCII, no colour, whatever else says */
	c = resolve(DISC_THEME_MINIMAL, false, true, true, TUI_THEME_BG_LIGHT);
	assert_int_equal(c.theme, DISC_THEME_MINIMAL);
	assert_false(c.color);
	assert_true(c.ascii);
	/* unicode off, or a locale that is not UTF-8: ASCII, colour stays */
	c = resolve(DISC_THEME_NIGHTOPS, false, false, true, TUI_THEME_BG_UNKNOWN);
	assert_true(c.ascii);
	assert_true(c.color);
	c = resolve(DISC_THEME_NIGHTOPS, false, true, false, TUI_THEME_BG_UNKNOWN);
	assert_true(c.ascii);
	assert_true(c.color);
}

static void test_resolve_no_color_env(void **state)
{
	struct tui_theme_choice c;

	(void)state;
	setenv("NO_COLOR", "1", 1);
	c = resolve(DISC_THEME_NIGHTOPS, false, true, true, TUI_THEME_BG_UNKNOWN);
	assert_int_equal(c.theme, DISC_THEME_NIGHTOPS);
	assert_false(c.color);
	assert_false(c.ascii);
	setenv("NO_COLOR", "", 1); /* no-color.org: empty means not set */
	c = resolve(DISC_THEME_NIGHTOPS, false, true, true, TUI_THEME_BG_UNKNOWN);
	assert_true(c.color);
	unsetenv("NO_COLOR");
}

/* detect_bg only asks when the answer matters; without a terminal it
 * falls back to COLORFGBG. */
static void test_detect_bg(void **state)
{
	struct tui_theme_input in = {DISC_THEME_AUTO, false, true, true, TUI_THEME_BG_UNKNOWN};
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	setenv("COLORFGBG", "0;15", 1);
	assert_int_equal(tui_theme_detect_bg(&in, fds[0], fds[1], 50), TUI_THEME_BG_LIGHT);
	setenv("COLORFGBG", "15;0", 1);
	assert_int_equal(tui_theme_detect_bg(&in, fds[0], fds[1], 50), TUI_THEME_BG_DARK);
	unsetenv("COLORFGBG");
	assert_int_equal(tui_theme_detect_bg(&in, fds[0], fds[1], 50), TUI_THEME_BG_UNKNOWN);
	setenv("COLORFGBG", "0;15", 1);
	in.theme = DISC_THEME_NIGHTOPS;
	assert_int_equal(tui_theme_detect_bg(&in, fds[0], fds[1], 50), TUI_THEME_BG_UNKNOWN);
	in.theme = DISC_THEME_AUTO;
	in.no_color = true;
	assert_int_equal(tui_theme_detect_bg(&in, fds[0], fds[1], 50), TUI_THEME_BG_UNKNOWN);
	in.no_color = false;
	setenv("NO_COLOR", "yes", 1);
	assert_int_equal(tui_theme_detect_bg(&in, fds[0], fds[1], 50), TUI_THEME_BG_UNKNOWN);
	unsetenv("NO_COLOR");
	unsetenv("COLORFGBG");
	close(fds[0]);
	close(fds[1]);
}

/* ---- glyphs ---- */

static void each_glyph(const struct tui_glyphs *g, void (*fn)(const char *s, size_t cells))
{
	fn(g->fold_open, 1);
	fn(g->fold_closed, 1);
	fn(g->branch, 2);
	fn(g->branch_last, 2);
	fn(g->branch_pipe, 2);
	for (int i = 0; i < PROBE_SESSION_STATUS_COUNT; i++)
		fn(g->status[i], 1);
	for (int i = 0; i < PROBE_HOST_STATE_COUNT; i++)
		fn(g->host[i], 1);
	assert_in_range(g->spinner_len, 2, sizeof(g->spinner) / sizeof(g->spinner[0]));
	for (unsigned i = 0; i < g->spinner_len; i++)
		fn(g->spinner[i], 1);
	fn(g->frame.h, 1);
	fn(g->frame.v, 1);
	fn(g->frame.tl, 1);
	fn(g->frame.tr, 1);
	fn(g->frame.bl, 1);
	fn(g->frame.br, 1);
	fn(g->frame.tee_left, 1);
	fn(g->frame.tee_right, 1);
}

static void check_ascii(const char *s, size_t cells)
{
	assert_non_null(s);
	assert_int_equal(strlen(s), cells);
	for (const char *p = s; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
}

static void check_width(const char *s, size_t cells)
{
	assert_non_null(s);
	assert_int_equal(tui_text_width(s), cells);
}

static void test_glyphs(void **state)
{
	const struct tui_glyphs *a = tui_theme_glyphs(true);
	const struct tui_glyphs *u = tui_theme_glyphs(false);

	(void)state;
	assert_true(a->ascii);
	assert_false(u->ascii);
	each_glyph(a, check_ascii);
	check_ascii(a->ellipsis, 3);
	assert_int_equal(a->text_flags, TUI_TEXT_ASCII);
	each_glyph(u, check_width);
	check_width(u->ellipsis, 1);
	assert_int_equal(u->text_flags, 0);
	assert_int_equal(u->spinner_len, 10);
	assert_string_equal(u->spinner[0], "\xe2\xa0\x8b"); /* ⠋ */
	assert_string_equal(u->fold_open, "\xe2\x96\xbe");  /* ▾ */
	assert_int_equal(a->spinner_len, 4);
	/* the spinner moves: no two frames in a row are the same */
	for (unsigned i = 0; i < u->spinner_len; i++)
		assert_string_not_equal(u->spinner[i], u->spinner[(i + 1) % u->spinner_len]);
	assert_string_not_equal(a->fold_open, a->fold_closed);
	assert_string_not_equal(a->status[PROBE_SESSION_RUNNING], a->status[PROBE_SESSION_IDLE]);
}

/* ---- attributes ---- */

static void check_distinct_without_color(void)
{
	attr_t hdr = tui_theme_attr(TUI_ROLE_HEADER), ftr = tui_theme_attr(TUI_ROLE_FOOTER);

	assert_true(tui_theme_attr(TUI_ROLE_CURSOR) & A_REVERSE);
	assert_true(tui_theme_attr(TUI_ROLE_STALE) & A_DIM);
	assert_true(hdr & (A_REVERSE | A_BOLD));
	assert_true(ftr & (A_REVERSE | A_BOLD));
	assert_int_equal(tui_theme_attr(TUI_ROLE_MATCH) & (A_BOLD | A_UNDERLINE),
	                 A_BOLD | A_UNDERLINE);
	assert_true(tui_theme_attr(TUI_ROLE_ERRORED) & A_BOLD);
	assert_true(tui_theme_attr(TUI_ROLE_HOST_BAD) & A_BOLD);
	assert_false(tui_theme_attr(TUI_ROLE_HOST_OK) & A_BOLD);
	assert_int_equal(tui_theme_attr(TUI_ROLE_NORMAL), A_NORMAL);
	assert_int_equal(tui_theme_attr(TUI_ROLE_COUNT), A_NORMAL);
}

static void test_attrs_without_color(void **state)
{
	(void)state;
	check_distinct_without_color(); /* before any apply: minimal's */
	for (size_t i = 0; i < sizeof(themes) / sizeof(themes[0]); i++) {
		struct tui_theme_choice c = {themes[i], false, false};

		assert_int_equal(tui_theme_apply(&c), 0);
		check_distinct_without_color();
		for (int r = 0; r < TUI_ROLE_COUNT; r++)
			assert_int_equal(PAIR_NUMBER(tui_theme_attr((enum tui_role)r)), 0);
	}
}

struct screen {
	SCREEN *scr;
	FILE *out, *in;
};

/* A curses screen on /dev/null for the terminal type `term`. */
static void screen_open(struct screen *s, const char *term)
{
	s->out = fopen("/dev/null", "w");
	s->in = fopen("/dev/null", "r");
	assert_non_null(s->out);
	assert_non_null(s->in);
	s->scr = newterm(term, s->out, s->in);
	assert_non_null(s->scr);
	set_term(s->scr);
}

static void screen_close(struct screen *s)
{
	endwin();
	delscreen(s->scr);
	fclose(s->out);
	fclose(s->in);
}

static void role_colors(enum tui_role r, short *fg, short *bg)
{
	attr_t at = tui_theme_attr(r);

	assert_int_not_equal(PAIR_NUMBER(at), 0);
	assert_int_equal(pair_content((short)PAIR_NUMBER(at), fg, bg), OK);
}

static void expect_fg(enum tui_role r, short want_fg, short want_bg)
{
	short fg, bg;

	role_colors(r, &fg, &bg);
	assert_int_equal(fg, want_fg);
	assert_int_equal(bg, want_bg);
}

/* Overlays never carry a colour; the roles that must differ do. */
static void check_pairs(void)
{
	assert_int_equal(PAIR_NUMBER(tui_theme_attr(TUI_ROLE_CURSOR)), 0);
	assert_int_equal(PAIR_NUMBER(tui_theme_attr(TUI_ROLE_MATCH)), 0);
	assert_int_equal(PAIR_NUMBER(tui_theme_attr(TUI_ROLE_KEY)), 0);
	assert_int_equal(PAIR_NUMBER(tui_theme_attr(TUI_ROLE_NORMAL)), 0);
	assert_int_not_equal(PAIR_NUMBER(tui_theme_attr(TUI_ROLE_HOST_OK)),
	                     PAIR_NUMBER(tui_theme_attr(TUI_ROLE_HOST_BAD)));
	assert_true(tui_theme_attr(TUI_ROLE_HOST_BAD) & A_BOLD);
	assert_true(tui_theme_attr(TUI_ROLE_CURSOR) & A_REVERSE);
}

static void test_curses_256_and_8(void **state)
{
	struct tui_theme_choice night = {DISC_THEME_NIGHTOPS, true, false};
	struct tui_theme_choice light = {DISC_THEME_LIGHT, true, false};
	struct tui_theme_choice mini = {DISC_THEME_MINIMAL, false, true};
	struct screen s;

	(void)state;
	screen_open(&s, "xterm-256color");
	assert_int_equal(tui_theme_apply(&night), 256);
	check_pairs();
	expect_fg(TUI_ROLE_HOST_BAD, 203, -1); /* -1: the terminal's own background */
	expect_fg(TUI_ROLE_HOST_WARN, 214, -1);
	assert_int_equal(tui_theme_apply(&night), 256); /* again: the same */
	expect_fg(TUI_ROLE_HOST_BAD, 203, -1);
	assert_int_equal(tui_theme_apply(&light), 256);
	check_pairs();
	expect_fg(TUI_ROLE_HOST_BAD, 160, -1);
	assert_int_equal(tui_theme_apply(&mini), 0);
	assert_int_equal(PAIR_NUMBER(tui_theme_attr(TUI_ROLE_HOST_BAD)), 0);
	screen_close(&s);

	screen_open(&s, "xterm");
	assert_int_equal(tui_theme_apply(&night), 8);
	check_pairs();
	expect_fg(TUI_ROLE_HOST_BAD, COLOR_RED, -1);
	expect_fg(TUI_ROLE_HOST_WARN, COLOR_YELLOW, -1);
	/* a role with no 8-colour value has no pair */
	assert_int_equal(PAIR_NUMBER(tui_theme_attr(TUI_ROLE_IDLE)), 0);
	assert_int_equal(tui_theme_apply(&light), 8);
	expect_fg(TUI_ROLE_HOST_WARN, COLOR_MAGENTA, -1);
	screen_close(&s);

	screen_open(&s, "vt100"); /* no colours at all: attributes only */
	assert_int_equal(tui_theme_apply(&night), 0);
	check_distinct_without_color();
	assert_int_equal(PAIR_NUMBER(tui_theme_attr(TUI_ROLE_HOST_BAD)), 0);
	screen_close(&s);
}

/* ---- the query on a real pseudo-terminal ---- */

struct pty {
	int master, slave;
};

/* The terminal's side: reads the query, then writes its chunks with a
 * pause between them. */
struct fake_term {
	int master;
	const char *chunks[6];
	int pause_ms;
	char got[128]; /* what the program sent */
	size_t ngot;
};

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0)
		;
}

static void *fake_term_run(void *arg)
{
	struct fake_term *ft = arg;
	int64_t end = clock_mono_ms() + 5000;

	while (!memmem(ft->got, ft->ngot, "\x1b[c", 3) && clock_mono_ms() < end) {
		struct pollfd p = {ft->master, POLLIN, 0};
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(ft->master, ft->got + ft->ngot, sizeof(ft->got) - ft->ngot);
		if (n > 0)
			ft->ngot += (size_t)n;
	}
	for (size_t i = 0; i < 6 && ft->chunks[i]; i++) {
		if (i > 0)
			sleep_ms(ft->pause_ms);
		if (write(ft->master, ft->chunks[i], strlen(ft->chunks[i])) < 0)
			break;
	}
	return NULL;
}

static void pty_open(struct pty *p)
{
	p->master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(p->master >= 0);
	assert_int_equal(grantpt(p->master), 0);
	assert_int_equal(unlockpt(p->master), 0);
	p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY);
	assert_true(p->slave >= 0);
}

static void pty_close(struct pty *p)
{
	close(p->slave);
	close(p->master);
}

static void assert_same_termios(const struct termios *a, const struct termios *b)
{
	assert_int_equal(a->c_iflag, b->c_iflag);
	assert_int_equal(a->c_oflag, b->c_oflag);
	assert_int_equal(a->c_cflag, b->c_cflag);
	assert_int_equal(a->c_lflag, b->c_lflag);
	assert_memory_equal(a->c_cc, b->c_cc, sizeof(a->c_cc));
}

/* Runs the query against the fake terminal; checks the termios is back
 * and the query was what the terminal got. */
static int run_query(struct pty *p, struct fake_term *ft, int timeout_ms, int64_t *ms)
{
	struct termios before, after;
	pthread_t th;
	int64_t t0;
	int bg;

	ft->master = p->master;
	assert_int_equal(tcgetattr(p->slave, &before), 0);
	assert_true(before.c_lflag & ICANON);
	assert_int_equal(pthread_create(&th, NULL, fake_term_run, ft), 0);
	t0 = clock_mono_ms();
	bg = tui_theme_query_bg(p->slave, p->slave, timeout_ms);
	*ms = clock_mono_ms() - t0;
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(tcgetattr(p->slave, &after), 0);
	assert_same_termios(&before, &after);
	assert_int_equal(ft->ngot, strlen(QUERY));
	assert_memory_equal(ft->got, QUERY, ft->ngot);
	return bg;
}

/* What is left to read on the program's side (as curses would read it). */
static char *leftover(struct pty *p, char *buf, size_t size)
{
	struct termios t;
	ssize_t n;

	assert_int_equal(tcgetattr(p->slave, &t), 0);
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	assert_int_equal(tcsetattr(p->slave, TCSANOW, &t), 0);
	n = read(p->slave, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* One query on a new pty; `left`: what must be left to read after it
 * (NULL: not checked). */
static int query_once(struct fake_term *ft, int timeout_ms, int64_t *ms, const char *left)
{
	struct pty p;
	char buf[64];
	int bg;

	pty_open(&p);
	bg = run_query(&p, ft, timeout_ms, ms);
	if (left)
		assert_string_equal(leftover(&p, buf, sizeof(buf)), left);
	pty_close(&p);
	return bg;
}

static int query_setup(void **state)
{
	(void)state;
	setenv("TERM", "xterm-256color", 1);
	unsetenv("CODEFLEET_NO_OSC11");
	return 0;
}

static void test_query_osc11_then_da1(void **state)
{
	struct fake_term ft = {.chunks = {OSC("rgb:ffff/ffff/ffff") ST DA1 "x"}};
	int64_t ms;

	(void)state;
	/* a key typed after the replies is still there for curses */
	assert_int_equal(query_once(&ft, 2000, &ms, "x"), TUI_THEME_BG_LIGHT);
	memset(&ft, 0, sizeof(ft));
	ft.chunks[0] = OSC("rgb:1c1c/1c1c/1c1c") BEL;
	ft.chunks[1] = "\x1b[?1;2c";
	assert_int_equal(query_once(&ft, 2000, &ms, ""), TUI_THEME_BG_DARK);
}

/* A terminal without OSC 11 answers DA1 only: known at once, long before
 * the timeout. */
static void test_query_da1_only(void **state)
{
	struct fake_term ft = {.chunks = {DA1}};
	int64_t ms;

	(void)state;
	assert_int_equal(query_once(&ft, 5000, &ms, ""), TUI_THEME_BG_UNKNOWN);
	assert_true(ms < 2500);
}

static void test_query_silent_terminal(void **state)
{
	struct fake_term ft = {.chunks = {NULL}};
	int64_t ms;

	(void)state;
	assert_int_equal(query_once(&ft, 100, &ms, ""), TUI_THEME_BG_UNKNOWN);
	assert_true(ms >= 100);
	assert_true(ms < 2000);
}

/* A reply that has begun gets one more timeout, and no more. */
static void test_query_late_da1(void **state)
{
	struct fake_term ft = {.chunks = {OSC("rgb:ffff/ffff/ffff") BEL, DA1}, .pause_ms = 450};
	int64_t ms;

	(void)state;
	assert_int_equal(query_once(&ft, 300, &ms, ""), TUI_THEME_BG_LIGHT);
	memset(&ft, 0, sizeof(ft));
	ft.chunks[0] = OSC("rgb:0/0/0") BEL; /* and never a DA1 reply */
	assert_int_equal(query_once(&ft, 100, &ms, NULL), TUI_THEME_BG_DARK);
	assert_true(ms >= 200);
	assert_true(ms < 3000);
}

static void test_query_split_reply(void **state)
{
	struct fake_term ft = {
	    .chunks = {"\x1b]1", "1;rgb:ee", "ee/eeee/ee", "ee\x1b", "\\\x1b[?6", "2;22c"},
	    .pause_ms = 20};
	int64_t ms;

	(void)state;
	assert_int_equal(query_once(&ft, 2000, &ms, ""), TUI_THEME_BG_LIGHT);
}

/* Nothing is sent when the query is off. */
static void expect_no_query(struct pty *p)
{
	struct pollfd pfd = {p->master, POLLIN, 0};

	assert_int_equal(tui_theme_query_bg(p->slave, p->slave, 100), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(poll(&pfd, 1, 50), 0);
}

static void test_query_skipped(void **state)
{
	static const char *const terms[] = {"dumb", "", "linux", "linux-16color"};
	struct pollfd pfd = {-1, POLLIN, 0};
	struct pty p;
	int fds[2];

	(void)state;
	pty_open(&p);
	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		setenv("TERM", terms[i], 1);
		expect_no_query(&p);
	}
	unsetenv("TERM");
	expect_no_query(&p);
	setenv("TERM", "xterm-256color", 1);
	setenv("CODEFLEET_NO_OSC11", "", 1);
	expect_no_query(&p);
	unsetenv("CODEFLEET_NO_OSC11");
	assert_int_equal(tui_theme_query_bg(p.slave, p.slave, 0), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(pipe(fds), 0); /* not a terminal */
	assert_int_equal(tui_theme_query_bg(fds[0], p.slave, 100), TUI_THEME_BG_UNKNOWN);
	assert_int_equal(tui_theme_query_bg(p.slave, fds[1], 100), TUI_THEME_BG_UNKNOWN);
	close(fds[0]);
	close(fds[1]);
	pfd.fd = p.master;
	assert_int_equal(poll(&pfd, 1, 50), 0);
	pty_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_attrs_without_color),
	    cmocka_unit_test(test_pick),
	    cmocka_unit_test(test_osc11_replies),
	    cmocka_unit_test(test_osc11_garbage),
	    cmocka_unit_test(test_colorfgbg),
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_resolve_no_color_env),
	    cmocka_unit_test(test_detect_bg),
	    cmocka_unit_test(test_glyphs),
	    cmocka_unit_test(test_curses_256_and_8),
	    cmocka_unit_test_setup(test_query_osc11_then_da1, query_setup),
	    cmocka_unit_test_setup(test_query_da1_only, query_setup),
	    cmocka_unit_test_setup(test_query_silent_terminal, query_setup),
	    cmocka_unit_test_setup(test_query_late_da1, query_setup),
	    cmocka_unit_test_setup(test_query_split_reply, query_setup),
	    cmocka_unit_test_setup(test_query_skipped, query_setup),
	};

	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fprintf(stderr, "the C.UTF-8 locale is missing\n");
		return 1;
	}
	unsetenv("NO_COLOR");
	unsetenv("COLORFGBG");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

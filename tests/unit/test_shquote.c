#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/err.h"
#include "util/shquote.h"
#include "util/strbuf.h"
#include "util/xmem.h"

/* A value with its length, so NUL-free binary strings can be listed. */
struct val {
	const char *s;
	size_t len;
};

#define V(lit)                       \
	{                            \
		lit, sizeof(lit) - 1 \
	}

static const struct val hostile[] = {
    V(""),
    V("plain"),
    V("it's"),
    V("'"),
    V("''"),
    V("'''leading and trailing'''"),
    V("\"double\" \"quotes\""),
    V("$(echo pwned)"),
    V("${HOME}"),
    V("$HOME $0 $1 $@ $* $# $? $$ $!"),
    V("`echo pwned`"),
    V("a\nb\n\nc\n"),
    V("\n"),
    V("a;b && c || d | e & f"),
    V("*"),
    V("/*/* ?[a-z]"),
    V("  spaces   inside  "),
    V("\ttab\t"),
    V("\\"),
    V("\\'"),
    V("back\\slash\\n"),
    V("-n"),
    V("-e"),
    V("--"),
    V("-rf /"),
    V("--help"),
    V("~"),
    V("~root/x"),
    V("a=b"),
    V("!event"),
    V("#comment"),
    V("<in >out 2>&1"),
    V("(sub) {group;}"),
    V("\xff\xfe\x80\xc3\x28 not utf-8"),
    V("\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80"),
    V("\x1b[31mred\x1b[0m\x07"),
    V("%s %d %%"),
    V("it's a \"mix\" of $(all) `the` \\ things'\n;*"),
};

static void test_quotes_examples(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(shquote_str(&sb, "it's"), ERR_OK);
	assert_string_equal(strbuf_str(&sb), "'it'\\''s'");
	strbuf_reset(&sb);
	assert_int_equal(shquote_str(&sb, ""), ERR_OK);
	assert_string_equal(strbuf_str(&sb), "''");
	strbuf_reset(&sb);
	assert_int_equal(shquote_str(&sb, "'"), ERR_OK);
	assert_string_equal(strbuf_str(&sb), "''\\'''");
	strbuf_reset(&sb);
	assert_int_equal(shquote_str(&sb, "a b$c"), ERR_OK);
	assert_string_equal(strbuf_str(&sb), "'a b$c'");
	/* Appends: what was there stays. */
	assert_int_equal(shquote_append(&sb, "x'y", 2), ERR_OK);
	assert_string_equal(strbuf_str(&sb), "'a b$c''x'\\'''");
	strbuf_free(&sb);
}

static void test_refuses_nul(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_puts(&sb, "cd ");
	err_clear();
	assert_int_equal(shquote_append(&sb, "a\0b", 3), ERR_DENIED);
	assert_int_equal(err_last(), ERR_DENIED);
	assert_non_null(strstr(err_text(), "NUL"));
	assert_int_equal(sb.len, 3);
	assert_string_equal(strbuf_str(&sb), "cd ");
	assert_int_equal(shquote_append(&sb, "\0", 1), ERR_DENIED);
	assert_int_equal(shquote_append(&sb, "ab\0", 3), ERR_DENIED);
	assert_int_equal(sb.len, 3);
	/* A length that stops before the NUL is fine. */
	assert_int_equal(shquote_append(&sb, "ab\0", 2), ERR_OK);
	assert_string_equal(strbuf_str(&sb), "cd 'ab'");
	strbuf_free(&sb);
}

static void test_argv_layout(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char *const rm[] = {"rm", "-f", NULL};
	const char *const val[] = {"-rf x", NULL};
	const char *const none[] = {NULL};
	const char *const odd[] = {"it's", "", NULL};

	(void)state;
	assert_int_equal(shquote_argv(&sb, rm, val), ERR_OK);
	assert_string_equal(strbuf_str(&sb), "'rm' '-f' -- '-rf x'");
	strbuf_reset(&sb);
	assert_int_equal(shquote_argv(&sb, rm, NULL), ERR_OK);
	assert_string_equal(strbuf_str(&sb), "'rm' '-f'");
	strbuf_reset(&sb);
	assert_int_equal(shquote_argv(&sb, rm, none), ERR_OK);
	assert_string_equal(strbuf_str(&sb), "'rm' '-f' --");
	strbuf_reset(&sb);
	strbuf_puts(&sb, "exec ");
	assert_int_equal(shquote_argv(&sb, odd, odd), ERR_OK);
	assert_string_equal(strbuf_str(&sb), "exec 'it'\\''s' '' -- 'it'\\''s' ''");
	strbuf_reset(&sb);
	strbuf_puts(&sb, "keep");
	assert_int_equal(shquote_argv(&sb, none, val), ERR_DENIED);
	assert_int_equal(shquote_argv(&sb, NULL, val), ERR_DENIED);
	assert_string_equal(strbuf_str(&sb), "keep");
	strbuf_free(&sb);
}

static void test_tokens(void **state)
{
	(void)state;
	assert_true(shquote_is_token("a"));
	assert_true(shquote_is_token("ses_01JABCxyz"));
	assert_true(shquote_is_token("CF-END-9f3a_77"));
	assert_true(shquote_is_token("0123456789"));
	assert_true(shquote_is_token("-"));
	assert_false(shquote_is_token(NULL));
	assert_false(shquote_is_token(""));
	assert_false(shquote_is_token("a b"));
	assert_false(shquote_is_token("a.b"));
	assert_false(shquote_is_token("a/b"));
	assert_false(shquote_is_token("a'b"));
	assert_false(shquote_is_token("a$b"));
	assert_false(shquote_is_token("a\n"));
	assert_false(shquote_is_token("\xc3\xa9"));
	assert_false(shquote_is_token("a\xff"));
	assert_true(shquote_is_token_n("abc", 2));
	assert_false(shquote_is_token_n("a\0b", 3));
	assert_false(shquote_is_token_n("abc", 0));
	/* Every byte outside the set is refused, every byte inside accepted. */
	for (int c = 1; c < 256; c++) {
		char one = (char)c;
		bool in = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		          (c >= '0' && c <= '9') || c == '_' || c == '-';

		assert_int_equal(shquote_is_token_n(&one, 1), in);
	}
}

/* Runs `shell -c cmdline` with LC_ALL=C; returns its exit status and its
 * standard output in *out. */
static int run_shell(const char *shell, const char *cmdline, struct strbuf *out)
{
	int fds[2] = {-1, -1};
	int status = -1;
	pid_t pid;
	char buf[4096];
	ssize_t n;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		setenv("LC_ALL", "C", 1);
		execl(shell, shell, "-c", cmdline, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	strbuf_reset(out);
	while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		strbuf_append(out, buf, (size_t)n);
	}
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static const char *const shells[] = {"/bin/sh",        "/usr/bin/dash", "/bin/dash",
                                     "/usr/bin/bash",  "/bin/bash",     "/usr/bin/zsh",
                                     "/bin/busybox-sh"};

/* Sends `printf %s <quoted>` to the shell and checks the bytes come back. */
static void round_trip(const char *shell, const char *s, size_t len)
{
	struct strbuf cmd = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT;

	strbuf_puts(&cmd, "printf %s ");
	assert_int_equal(shquote_append(&cmd, s, len), ERR_OK);
	assert_int_equal(run_shell(shell, strbuf_str(&cmd), &out), 0);
	if (out.len != len || (len && memcmp(out.buf, s, len))) {
		fprintf(stderr, "%s: sent %s\n     got %zu bytes, want %zu\n", shell,
		        strbuf_str(&cmd), out.len, len);
		fail();
	}
	strbuf_free(&cmd);
	strbuf_free(&out);
}

static void test_round_trip_hostile(void **state)
{
	char all[255];
	int tried = 0;

	(void)state;
	for (int i = 0; i < 255; i++)
		all[i] = (char)(i + 1);
	for (size_t k = 0; k < sizeof(shells) / sizeof(shells[0]); k++) {
		if (access(shells[k], X_OK))
			continue;
		tried++;
		for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
			round_trip(shells[k], hostile[i].s, hostile[i].len);
		round_trip(shells[k], all, sizeof(all));
	}
	assert_true(tried >= 1);
}

static void test_round_trip_large_and_random(void **state)
{
	struct strbuf cmd = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT;
	static const char special[] = "'\"\\$`;&|*?[]{}()<>!#~ \t\n-=%";
	char *big = xmalloc(64 * 1024);
	unsigned seed = 12345;

	(void)state;
	/* 64 KiB (a shell word fits in one exec argument, < 128 KiB). */
	for (size_t i = 0; i < 64 * 1024; i++)
		big[i] = (char)(i % 7 == 0 ? '\'' : 1 + (i * 31) % 255);
	round_trip("/bin/sh", big, 64 * 1024);
	free(big);

	/* 400 random values in one script, each followed by a \001 marker
	 * (values use bytes 2..255, biased to the special ones). */
	for (int i = 0; i < 400; i++) {
		char v[48];
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof(v));

		for (size_t j = 0; j < len; j++) {
			int r = rand_r(&seed);
			v[j] = (r & 1) ? special[(r >> 1) % (int)(sizeof(special) - 1)]
			               : (char)(2 + (r >> 1) % 254);
		}
		strbuf_puts(&cmd, "printf %s ");
		assert_int_equal(shquote_append(&cmd, v, len), ERR_OK);
		strbuf_puts(&cmd, "; printf '\\001'\n");
		strbuf_append(&want, v, len);
		strbuf_putc(&want, '\001');
	}
	assert_int_equal(run_shell("/bin/sh", strbuf_str(&cmd), &out), 0);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.buf, want.buf, want.len);
	strbuf_free(&cmd);
	strbuf_free(&want);
	strbuf_free(&out);
}

/* `'set' -- <values>` must set exactly these positional parameters, even
 * those that look like options (-x, -e, --); the script prints each as
 * LENGTH:BYTES| so a split or a merge would show. */
static void test_argv_round_trip(void **state)
{
	const char *const set[] = {"set", NULL};
	const char *vals[sizeof(hostile) / sizeof(hostile[0]) + 4];
	struct strbuf cmd = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT;
	size_t n = 0;

	(void)state;
	vals[n++] = "-x";
	vals[n++] = "-e";
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		vals[n++] = hostile[i].s;
	vals[n] = NULL;
	for (size_t i = 0; i < n; i++)
		strbuf_printf(&want, "%zu:%s|", strlen(vals[i]), vals[i]);
	assert_int_equal(shquote_argv(&cmd, set, vals), ERR_OK);
	strbuf_puts(&cmd, "; for a; do printf '%s:%s|' \"${#a}\" \"$a\"; done");
	for (size_t k = 0; k < sizeof(shells) / sizeof(shells[0]); k++) {
		if (access(shells[k], X_OK))
			continue;
		assert_int_equal(run_shell(shells[k], strbuf_str(&cmd), &out), 0);
		assert_int_equal(out.len, want.len);
		assert_memory_equal(out.buf, want.buf, want.len);
	}
	strbuf_free(&cmd);
	strbuf_free(&want);
	strbuf_free(&out);
}

/* Command substitutions in values must never run: they would create files. */
static void test_nothing_runs(void **state)
{
	char dir[] = "/tmp/shquote-XXXXXX";
	char *vals[4] = {NULL, NULL, NULL, NULL};
	char *flag = NULL;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&flag, "%s/pwned", dir) > 0);
	assert_true(asprintf(&vals[0], "$(touch %s)", flag) > 0);
	assert_true(asprintf(&vals[1], "`touch %s`", flag) > 0);
	assert_true(asprintf(&vals[2], "x'; touch %s; '", flag) > 0);
	assert_true(asprintf(&vals[3], "x\ntouch %s\n", flag) > 0);
	for (int i = 0; i < 4; i++)
		round_trip("/bin/sh", vals[i], strlen(vals[i]));
	assert_int_equal(stat(flag, &st), -1);
	assert_int_equal(errno, ENOENT);
	for (int i = 0; i < 4; i++)
		free(vals[i]);
	free(flag);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quotes_examples),
	    cmocka_unit_test(test_refuses_nul),
	    cmocka_unit_test(test_argv_layout),
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test(test_round_trip_hostile),
	    cmocka_unit_test(test_round_trip_large_and_random),
	    cmocka_unit_test(test_argv_round_trip),
	    cmocka_unit_test(test_nothing_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

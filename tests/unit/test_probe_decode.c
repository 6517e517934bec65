#include <setjmp.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_decode.h"
#include "probe/probe_model.h"
#include "probe/probe_reply.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/xmem.h"

#include "reply_testlib.h"

static void test_malformed_json(void **state)
{
	(void)state;
	expect_reply_proto(projects, "[{\"id\":\"ses_a\",\"project_id\":\"p\",}\n", NULL, NULL,
	                   "sessions");
	expect_reply_proto(projects, "[{\"id\":\"ses_a\",\"project_id\":\"p\"\n", NULL, NULL,
	                   "truncated JSON");
	expect_reply_proto(projects, "[{\"id\":ses_a}]\n", NULL, NULL, "sessions");
	expect_reply_proto(projects,
	                   "[{\"id\":\"ses_a\",\"project_id\":\"p\",\"title\":\"a\\qb\"}]\n", NULL,
	                   NULL, "malformed JSON"); /* jsmn's strict mode checks escapes */
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_reply_proto(NULL, "[{\"id\":\"ses_a\",\"project_id\":\"p\",\"title\":5}]\n", NULL,
	                   NULL, "sessions[0].title: expected a string");
	expect_reply_proto(NULL, "[{\"id\":\"ses_a\",\"project_id\":\"p\",\"messages\":\"4\"}]\n",
	                   NULL, NULL, "messages: expected a number");
	expect_reply_proto(NULL, "[[1,2]]\n", NULL, NULL, "expected an object");
	expect_reply_proto(NULL, "[{\"id\":\"ses a;rm -rf\",\"project_id\":\"p\"}]\n", NULL, NULL,
	                   "not a valid id");
	expect_reply_proto(NULL, NULL, "[{\"pid\":3,\"args\":[1]}]\n", NULL, "args");
	expect_reply_proto(NULL, "[{\"id\":\"ses_a\",\"project_id\":\"p\",\"cost\":1e999}]\n", NULL,
	                   NULL, "cost");
}

static void test_escapes_and_utf8(void **state)
{
	/* lone surrogates, NUL, raw invalid UTF-8, C1 CSI, bidi override */
	const char *sess = "[{\"id\":\"ses_u\",\"project_id\":\"p\",\"directory\":\"/d\\/e\","
	                   "\"title\":\"a\\ud800b\\udc00c\\u0000d\xff\xfe"
	                   "e\\u009b31mf\\u202eg\\\\h\\tI\"}]\n";
	struct probe_result *r;

	(void)state;
	r = reply_ok(NULL, sess, NULL, NULL);
	assert_string_equal(r->sessions[0].title, "a\xef\xbf\xbd"
	                                          "b\xef\xbf\xbd"
	                                          "cd\xef\xbf\xbd\xef\xbf\xbd"
	                                          "efg\\h I");
	assert_string_equal(r->sessions[0].directory, "/d/e");
	probe_result_free(r);
}

static void test_unescape(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char *in = "a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te";

	(void)state;
	assert_int_equal(probe_decode_unescape(in, strlen(in), &sb), 0);
	assert_string_equal(sb.buf, "a\"b\\c/d\b\f\n\r\te");
	strbuf_free(&sb);
	/* a surrogate pair is one code point; a lone one is U+FFFD */
	in = "\\ud83d\\ude00|\\u00e9|\\ud800|\\udc00x|\\ud83dz";
	assert_int_equal(probe_decode_unescape(in, strlen(in), &sb), 0);
	assert_string_equal(sb.buf, "\xf0\x9f\x98\x80|\xc3\xa9|\xef\xbf\xbd|\xef\xbf\xbdx|"
	                            "\xef\xbf\xbdz");
	strbuf_free(&sb);
	/* an empty body still gives a string */
	assert_int_equal(probe_decode_unescape("", 0, &sb), 0);
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	strbuf_free(&sb);
	assert_int_equal(probe_decode_unescape("a\\", 2, &sb), -1);
	strbuf_free(&sb);
	assert_int_equal(probe_decode_unescape("\\q", 2, &sb), -1);
	strbuf_free(&sb);
	assert_int_equal(probe_decode_unescape("\\u12", 4, &sb), -1);
	strbuf_free(&sb);
	assert_int_equal(probe_decode_unescape("\\u12g4", 6, &sb), -1);
	strbuf_free(&sb);
}

/* A struct of every field type, decoded straight from JSON. */
struct sample {
	char *name, *id, *fallback;
	int64_t n;
	double x;
	bool flag, other;
	int64_t inner;
	char **argv;
	size_t argc;
	int *ports;
	size_t nports;
};

static const struct probe_decode_field inner_fields[] = {
    {PROBE_KEY("n"), PROBE_DECODE_INT, offsetof(struct sample, inner), NULL, 0},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

static const struct probe_decode_field sample_fields[] = {
    {PROBE_KEY("name"), PROBE_DECODE_TEXT, offsetof(struct sample, name), NULL, 0},
    {PROBE_KEY("id"), PROBE_DECODE_ID, offsetof(struct sample, id), NULL, 0},
    {PROBE_KEY("first"), PROBE_DECODE_TEXT, offsetof(struct sample, fallback), NULL, 0},
    {PROBE_KEY("second"), PROBE_DECODE_TEXT_FB, offsetof(struct sample, fallback), NULL, 0},
    {PROBE_KEY("n"), PROBE_DECODE_INT, offsetof(struct sample, n), NULL, 0},
    {PROBE_KEY("x"), PROBE_DECODE_REAL, offsetof(struct sample, x), NULL, 0},
    {PROBE_KEY("flag"), PROBE_DECODE_BOOL, offsetof(struct sample, flag), NULL, 0},
    {PROBE_KEY("other"), PROBE_DECODE_BOOL, offsetof(struct sample, other), NULL, 0},
    {PROBE_KEY("sub"), PROBE_DECODE_OBJ, 0, inner_fields, 0},
    {PROBE_KEY("args"), PROBE_DECODE_STRV, offsetof(struct sample, argv), NULL,
     offsetof(struct sample, argc)},
    {PROBE_KEY("ports"), PROBE_DECODE_PORTS, offsetof(struct sample, ports), NULL,
     offsetof(struct sample, nports)},
    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
};

struct samples {
	struct sample s[4];
	int n;
};

static int sample_elem(const struct probe_decode_ctx *c, int tok)
{
	struct samples *all = c->arg;

	assert_int_equal(c->index, all->n);
	assert_true(all->n < 4);
	return probe_decode_obj(c, tok, sample_fields, &all->s[all->n++]);
}

static void samples_free(struct samples *all)
{
	for (int i = 0; i < 4; i++) {
		struct sample *s = &all->s[i];

		free(s->name);
		free(s->id);
		free(s->fallback);
		for (size_t k = 0; k < s->argc; k++)
			free(s->argv[k]);
		free(s->argv);
		free(s->ports);
	}
	memset(all, 0, sizeof(*all));
}

static int decode_samples(const char *text, struct samples *all)
{
	memset(all, 0, sizeof(*all));
	return probe_decode_each(text, strlen(text), "things", sample_elem, all);
}

static void test_field_table(void **state)
{
	struct samples all;
	struct sample *s;

	(void)state;
	assert_int_equal(decode_samples("[{\"name\":\"a\\u001b[1mb\",\"id\":\"x.y:z-1_\","
	                                "\"first\":null,\"second\":\"fb\",\"n\":-42,\"x\":2.5e3,"
	                                "\"flag\":true,\"other\":0,\"sub\":{\"n\":7},"
	                                "\"args\":[\"sh\",\"-c\"],\"ports\":[1,65535],"
	                                "\"unknown\":{\"deep\":[1,{\"n\":9}]}},"
	                                "{\"n\":null,\"sub\":null,\"ports\":[]}]"
	                                "{\"first\":\"one\",\"second\":\"two\",\"flag\":5}",
	                                &all),
	                 ERR_OK);
	assert_int_equal(all.n, 3);
	s = &all.s[0];
	assert_string_equal(s->name, "ab"); /* sanitised */
	assert_string_equal(s->id, "x.y:z-1_");
	assert_string_equal(s->fallback, "fb");
	assert_int_equal(s->n, -42);
	assert_true(s->x == 2500.0);
	assert_true(s->flag);
	assert_false(s->other);
	assert_int_equal(s->inner, 7);
	assert_int_equal(s->argc, 2);
	assert_string_equal(s->argv[1], "-c");
	assert_null(s->argv[2]);
	assert_int_equal(s->nports, 2);
	assert_int_equal(s->ports[1], 65535);
	s = &all.s[1];
	assert_int_equal(s->n, 0);
	assert_null(s->ports); /* an empty port list allocates nothing */
	assert_int_equal(s->nports, 0);
	s = &all.s[2];
	assert_string_equal(s->fallback, "one"); /* the fallback does not overwrite */
	assert_true(s->flag);
	samples_free(&all);
	/* nothing at all is fine */
	assert_int_equal(decode_samples("  \n", &all), ERR_OK);
	assert_int_equal(all.n, 0);
	samples_free(&all);
}

static void expect_bad_sample(const char *text, const char *needle)
{
	struct samples all;

	assert_int_equal(decode_samples(text, &all), ERR_PROTO);
	if (!strstr(err_text(), needle))
		fail_msg("error '%s' lacks '%s'", err_text(), needle);
	samples_free(&all);
}

static void test_field_errors(void **state)
{
	(void)state;
	expect_bad_sample("[{},{\"n\":\"4\"}]", "things[1].n: expected a number");
	expect_bad_sample("{\"n\":1e19}", "things[0].n: number out of range");
	expect_bad_sample("{\"x\":1e999}", "things[0].x: expected a number");
	expect_bad_sample("{\"n\":true}", "things[0].n: expected a number");
	expect_bad_sample("{\"name\":[]}", "things[0].name: expected a string");
	expect_bad_sample("{\"id\":\"\"}", "things[0].id: not a valid id");
	expect_bad_sample("{\"id\":\"a b\"}", "things[0].id: not a valid id");
	expect_bad_sample("{\"flag\":\"yes\"}", "things[0].flag: expected a number");
	expect_bad_sample("{\"sub\":[1]}", "things[0]: expected an object");
	expect_bad_sample("{\"args\":\"sh\"}", "things[0].args: expected an array");
	expect_bad_sample("{\"args\":[\"a\"],\"args\":[\"b\"]}", "things[0].args: given twice");
	expect_bad_sample("{\"ports\":[0]}", "things[0].ports: expected port numbers");
	expect_bad_sample("{\"ports\":[65536]}", "things[0].ports: expected port numbers");
	expect_bad_sample("{\"ports\":[80],\"ports\":[81]}", "things[0].ports: given twice");
	expect_bad_sample("[1]", "things[0]: expected an object");
	expect_bad_sample("[{\"n\":1}", "things: truncated JSON");
	expect_bad_sample("{\"n\":1}}", "things: malformed JSON");
	expect_bad_sample("{n:1}", "things: malformed JSON");
}

/* Counts the elements of a section and sums their "n". */
struct tally {
	int count;
	int64_t sum;
};

static int tally_elem(const struct probe_decode_ctx *c, int tok)
{
	static const struct probe_decode_field fields[] = {
	    {PROBE_KEY("n"), PROBE_DECODE_INT, 0, NULL, 0},
	    {NULL, 0, PROBE_DECODE_TEXT, 0, NULL, 0},
	};
	struct tally *t = c->arg;
	int64_t n = 0;

	t->count++;
	if (probe_decode_obj(c, tok, fields, &n) != ERR_OK)
		return ERR_PROTO;
	t->sum += n;
	return ERR_OK;
}

static void test_many_tokens(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct tally t = {0, 0};

	(void)state;
	/* far more tokens than the first guess: the parse goes on in a grown
	 * array; after a long string the density changes half-way */
	strbuf_puts(&sb, "{\"s\":\"");
	for (int i = 0; i < 20000; i++)
		strbuf_putc(&sb, 'x');
	strbuf_puts(&sb, "\"}[");
	for (int i = 1; i <= 30000; i++)
		strbuf_printf(&sb, "%s{\"n\":%d}", i > 1 ? "," : "", i % 7);
	strbuf_puts(&sb, "][]{}");
	assert_int_equal(probe_decode_each(sb.buf, sb.len, "things", tally_elem, &t), ERR_OK);
	assert_int_equal(t.count, 30002);
	assert_int_equal(t.sum, 30000 / 7 * 21 + 1 + 2 + 3 + 4 + 5);
	/* the same, cut short: still a clean error */
	t.count = 0;
	assert_int_equal(probe_decode_each(sb.buf, sb.len - 6, "things", tally_elem, &t),
	                 ERR_PROTO);
	assert_non_null(strstr(err_text(), "things: truncated JSON"));
	assert_int_equal(t.count, 0);
	strbuf_free(&sb);
}

static void expect_each(const char *text, int rc, const char *needle)
{
	struct tally t = {0, 0};

	assert_int_equal(probe_decode_each(text, strlen(text), "things", tally_elem, &t), rc);
	if (needle && !strstr(err_text(), needle))
		fail_msg("'%s': error '%s' lacks '%s'", text, err_text(), needle);
	if (rc == ERR_OK)
		assert_int_equal(t.count, 0);
}

static void test_parse_errors(void **state)
{
	(void)state;
	/* with several faults, the lexical one is named (a bad escape or
	 * byte, text cut short), wherever it is */
	expect_each("{\"n\":1]\"abc", ERR_PROTO, "things: truncated JSON");
	expect_each("{\"n\":1]\"a\\qb\"", ERR_PROTO, "things: malformed JSON");
	expect_each("[{\"n\":1}\"\\q\"", ERR_PROTO, "things: malformed JSON");
	expect_each("[1,2]]", ERR_PROTO, "things: malformed JSON");
	expect_each("[1,{2:3}]", ERR_PROTO, "things: malformed JSON");
	expect_each("{\"n\":[1,2}", ERR_PROTO, "things: malformed JSON");
	expect_each("[{\"n\":1},", ERR_PROTO, "things: truncated JSON");
	expect_each("[{\"n\":tru", ERR_PROTO, "things: truncated JSON");
	/* bare punctuation holds no value: an empty section, as it always was */
	expect_each("]", ERR_OK, NULL);
	expect_each(" , : ]} ", ERR_OK, NULL);
}

/* Decodes {"KEY":"BODY"} into a sample; returns the rc. */
static int decode_one(const char *key, const char *body, struct samples *all)
{
	char text[64];

	snprintf(text, sizeof(text), "{\"%s\":\"%s\"}", key, body);
	return decode_samples(text, all);
}

static void test_text_bytes(void **state)
{
	static const char id_chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-";
	struct samples all;

	(void)state;
	/* every byte, raw and as \u00XX: plain printable ASCII is copied as it
	 * is, the rest sanitised, as if every string went through utf8_sanitize */
	for (int c = 1; c < 256; c++) {
		char raw[4] = {'a', (char)c, 'b', '\0'};
		char body[16];
		char *want = utf8_sanitize(raw, 3);

		if (c != '"' && c != '\\') {
			assert_int_equal(decode_one("name", raw, &all), ERR_OK);
			assert_string_equal(all.s[0].name, want);
			samples_free(&all);
			assert_int_equal(decode_one("id", raw, &all),
			                 strchr(id_chars, c) ? ERR_OK : ERR_PROTO);
			if (strchr(id_chars, c))
				assert_string_equal(all.s[0].id, raw);
			samples_free(&all);
		}
		if (c < 0x80) {
			snprintf(body, sizeof(body), "a\\u%04xb", (unsigned)c);
			assert_int_equal(decode_one("name", body, &all), ERR_OK);
			assert_string_equal(all.s[0].name, want);
			samples_free(&all);
			assert_int_equal(decode_one("id", body, &all),
			                 strchr(id_chars, c) ? ERR_OK : ERR_PROTO);
			samples_free(&all);
		}
		free(want);
	}
}

/* What a number field held before the strtod shortcut: strtod's value when
 * it takes the whole token and it is finite. */
static bool strtod_value(const char *s, double *out)
{
	char *end;

	if (s[0] != '-' && (s[0] < '0' || s[0] > '9'))
		return false;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out);
}

static void test_numbers(void **state)
{
	static const char *const nums[] = {
	    "0",
	    "-0",
	    "007",
	    "1",
	    "-1",
	    "1796013516452",
	    "123456789012345",
	    "-123456789012345",
	    "1234567890123456",
	    "9007199254740993",
	    "1.5",
	    "-1.5",
	    "0.007386",
	    "0.1",
	    "2.675",
	    "0.30000000000000004",
	    "0.17600000000000002",
	    "99999999999999.9",
	    "0.000000000000001",
	    "1234567.89012345",
	    "3.14159265358979",
	    "00.5",
	    "-0.0",
	    "1e3",
	    "2.5E-3",
	    "-.5",
	    "1.",
	    ".5",
	    "-",
	    "1.5.5",
	    "+1",
	    "0x10",
	    "1e999",
	};
	struct samples all;
	char text[96];
	double want;

	(void)state;
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		bool ok = strtod_value(nums[i], &want);

		snprintf(text, sizeof(text), "{\"x\":%s}", nums[i]);
		assert_int_equal(decode_samples(text, &all), ok ? ERR_OK : ERR_PROTO);
		/* the same double, bit for bit (-0 included) */
		if (ok && memcmp(&all.s[0].x, &want, sizeof(want)) != 0)
			fail_msg("%s: got %a, strtod gives %a", nums[i], all.s[0].x, want);
		samples_free(&all);
	}
	assert_int_equal(decode_samples("{\"x\":-0}", &all), ERR_OK);
	assert_true(signbit(all.s[0].x));
	samples_free(&all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_malformed_json),   cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_escapes_and_utf8), cmocka_unit_test(test_unescape),
	    cmocka_unit_test(test_field_table),      cmocka_unit_test(test_field_errors),
	    cmocka_unit_test(test_many_tokens),      cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_text_bytes),       cmocka_unit_test(test_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

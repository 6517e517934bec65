#include <setjmp.h>
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
    {"n", PROBE_DECODE_INT, offsetof(struct sample, inner), NULL, 0},
    {NULL, PROBE_DECODE_TEXT, 0, NULL, 0},
};

static const struct probe_decode_field sample_fields[] = {
    {"name", PROBE_DECODE_TEXT, offsetof(struct sample, name), NULL, 0},
    {"id", PROBE_DECODE_ID, offsetof(struct sample, id), NULL, 0},
    {"first", PROBE_DECODE_TEXT, offsetof(struct sample, fallback), NULL, 0},
    {"second", PROBE_DECODE_TEXT_FB, offsetof(struct sample, fallback), NULL, 0},
    {"n", PROBE_DECODE_INT, offsetof(struct sample, n), NULL, 0},
    {"x", PROBE_DECODE_REAL, offsetof(struct sample, x), NULL, 0},
    {"flag", PROBE_DECODE_BOOL, offsetof(struct sample, flag), NULL, 0},
    {"other", PROBE_DECODE_BOOL, offsetof(struct sample, other), NULL, 0},
    {"sub", PROBE_DECODE_OBJ, 0, inner_fields, 0},
    {"args", PROBE_DECODE_STRV, offsetof(struct sample, argv), NULL, offsetof(struct sample, argc)},
    {"ports", PROBE_DECODE_PORTS, offsetof(struct sample, ports), NULL,
     offsetof(struct sample, nports)},
    {NULL, PROBE_DECODE_TEXT, 0, NULL, 0},
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_malformed_json),   cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_escapes_and_utf8), cmocka_unit_test(test_unescape),
	    cmocka_unit_test(test_field_table),      cmocka_unit_test(test_field_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

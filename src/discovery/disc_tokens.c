/* disc_tokens: ~, %x and ${VAR} expansion as OpenSSH 9.2 does it
 * (misc.c: tilde_expand_filename, percent_expand, dollar_expand). */
#include "discovery/disc_tokens.h"

#include <ctype.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/strbuf.h"
#include "util/xmem.h"

/* Passwd look-ups need a caller buffer with the _r functions; 16 KiB covers
 * any real entry and keeps this free of the static-buffer variants. */
#define PW_BUFSZ 16384

static const char *token_value(const struct disc_tokens *t, char key)
{
	switch (key) {
	case 'C':
		return t->C;
	case 'L':
		return t->L;
	case 'd':
		return t->d;
	case 'h':
		return t->h;
	case 'i':
		return t->i;
	case 'k':
		return t->k;
	case 'l':
		return t->l;
	case 'n':
		return t->n;
	case 'p':
		return t->p;
	case 'r':
		return t->r;
	case 'u':
		return t->u;
	default:
		return NULL;
	}
}

static bool valid_env_name(const char *name, size_t len)
{
	if (len == 0 || (!isalpha((unsigned char)name[0]) && name[0] != '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	return true;
}

/* One ${VAR} at *pp (pointing at '$'); advances past '}'. */
static bool expand_dollar(const char **pp, struct strbuf *sb, const char **why)
{
	const char *name = *pp + 2;
	const char *end = strchr(name, '}');
	char *var = NULL;
	const char *val;

	if (!end) {
		*why = "environment variable '${' without '}'";
		return false;
	}
	if (!valid_env_name(name, (size_t)(end - name))) {
		*why = "invalid environment variable name";
		return false;
	}
	var = xstrndup(name, (size_t)(end - name));
	val = getenv(var);
	free(var);
	if (!val) {
		*why = "environment variable is not set";
		return false;
	}
	strbuf_puts(sb, val);
	*pp = end + 1;
	return true;
}

char *disc_tokens_expand(const char *in, const struct disc_tokens *t, bool dollar, const char **why)
{
	struct strbuf sb = STRBUF_INIT;
	const char *val;

	for (const char *p = in; *p;) {
		if (dollar && p[0] == '$' && p[1] == '{') {
			if (!expand_dollar(&p, &sb, why))
				goto fail;
			continue;
		}
		if (*p != '%' || !t) {
			strbuf_putc(&sb, *p++);
			continue;
		}
		if (p[1] == '%') {
			strbuf_putc(&sb, '%');
			p += 2;
			continue;
		}
		if (p[1] == '\0') {
			*why = "'%' at the end of the value";
			goto fail;
		}
		val = token_value(t, p[1]);
		if (!val) {
			*why = "unknown %-token";
			goto fail;
		}
		strbuf_puts(&sb, val);
		p += 2;
	}
	return strbuf_take(&sb);
fail:
	strbuf_free(&sb);
	return NULL;
}

char *disc_tokens_tilde(const char *path)
{
	struct passwd pwbuf, *pw = NULL;
	char *buf = NULL, *user = NULL, *ret = NULL;
	const char *rest = NULL, *p = path + 1;
	size_t len;

	if (path[0] != '~')
		return xstrdup(path);
	/* As 9.2's tilde_expand(): "~", "~/", "~//x", "~user", "~user/x". */
	if (*p == '/') {
		p += strspn(p, "/");
		rest = *p ? p : NULL;
	} else if (*p) {
		const char *slash = strchr(p, '/');

		user = slash ? xstrndup(p, (size_t)(slash - p)) : xstrdup(p);
		if (slash) {
			slash += strspn(slash, "/");
			rest = *slash ? slash : NULL;
		}
	}
	buf = xmalloc(PW_BUFSZ);
	if (user)
		getpwnam_r(user, &pwbuf, buf, PW_BUFSZ, &pw);
	else
		getpwuid_r(getuid(), &pwbuf, buf, PW_BUFSZ, &pw);
	if (!pw)
		goto out;
	len = strlen(pw->pw_dir);
	ret = xasprintf("%s%s%s", pw->pw_dir, len && pw->pw_dir[len - 1] == '/' ? "" : "/",
	                rest ? rest : "");
out:
	free(user);
	free(buf);
	return ret;
}

bool disc_tokens_self(char **home, char **name, char **uid)
{
	struct passwd pwbuf, *pw = NULL;
	char *buf = xmalloc(PW_BUFSZ);
	bool ok = false;

	getpwuid_r(getuid(), &pwbuf, buf, PW_BUFSZ, &pw);
	if (pw) {
		*home = xstrdup(pw->pw_dir);
		*name = xstrdup(pw->pw_name);
		*uid = xasprintf("%llu", (unsigned long long)pw->pw_uid);
		ok = true;
	}
	free(buf);
	return ok;
}

/* A plain SHA1 (FIPS 180-1): %C needs it and linking libcrypto for one
 * digest would add a dependency the rest of discovery does not have. */
struct sha1 {
	uint32_t h[5];
	uint64_t len;
	unsigned char block[64];
	size_t fill;
};

static uint32_t rol(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

static void sha1_block(struct sha1 *c, const unsigned char *b)
{
	uint32_t w[80], a = c->h[0], bb = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		       (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) {
			f = (bb & cc) | (~bb & d);
			k = 0x5A827999;
		} else if (i < 40) {
			f = bb ^ cc ^ d;
			k = 0x6ED9EBA1;
		} else if (i < 60) {
			f = (bb & cc) | (bb & d) | (cc & d);
			k = 0x8F1BBCDC;
		} else {
			f = bb ^ cc ^ d;
			k = 0xCA62C1D6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = cc;
		cc = rol(bb, 30);
		bb = a;
		a = t;
	}
	c->h[0] += a;
	c->h[1] += bb;
	c->h[2] += cc;
	c->h[3] += d;
	c->h[4] += e;
}

static void sha1_update(struct sha1 *c, const unsigned char *p, size_t n)
{
	c->len += n;
	while (n--) {
		c->block[c->fill++] = *p++;
		if (c->fill == 64) {
			sha1_block(c, c->block);
			c->fill = 0;
		}
	}
}

void disc_tokens_sha1(const void *data, unsigned long len, unsigned char out[20])
{
	struct sha1 c = {{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0}, 0, {0}, 0};
	uint64_t bits;
	unsigned char pad = 0x80, zero = 0, lenbuf[8];

	sha1_update(&c, data, len);
	bits = c.len * 8;
	sha1_update(&c, &pad, 1);
	while (c.fill != 56)
		sha1_update(&c, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenbuf[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(&c, lenbuf, 8);
	for (int i = 0; i < 20; i++)
		out[i] = (unsigned char)(c.h[i / 4] >> (24 - 8 * (i % 4)));
}

char *disc_tokens_conn_hash(const char *thishost, const char *host, const char *port,
                            const char *user)
{
	char *all = xasprintf("%s%s%s%s", thishost, host, port, user);
	unsigned char md[20];
	char *hex = xmalloc(41);

	disc_tokens_sha1(all, strlen(all), md);
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	free(all);
	return hex;
}

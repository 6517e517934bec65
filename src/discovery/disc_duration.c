/* disc_duration: parse and format durations (see disc_duration.h). */
#include "discovery/disc_duration.h"

#include <stdio.h>
#include <string.h>

#define DURATION_MAX ((int64_t)1000 * 1000 * 1000 * 1000 * 1000) /* ~31700 years */

static int64_t unit_ms(const char **p)
{
	const char *s = *p;

	if (!strncmp(s, "ms", 2)) {
		*p = s + 2;
		return 1;
	}
	*p = s + 1;
	switch (*s) {
	case 's':
		return 1000;
	case 'm':
		return 60 * 1000;
	case 'h':
		return 3600 * 1000;
	case 'd':
		return 24 * 3600 * 1000;
	}
	*p = s;
	return 0;
}

bool disc_duration_parse(const char *s, int64_t *ms)
{
	double total = 0;

	if (!strcmp(s, "0")) {
		*ms = 0;
		return true;
	}
	if (!*s)
		return false;
	while (*s) {
		double num = 0, frac = 0.1;
		int64_t unit;
		bool digits = false;

		for (; *s >= '0' && *s <= '9'; s++, digits = true)
			num = num * 10 + (*s - '0');
		if (*s == '.') {
			if (!digits || s[1] < '0' || s[1] > '9')
				return false;
			for (s++; *s >= '0' && *s <= '9'; s++, frac /= 10)
				num += frac * (*s - '0');
		}
		unit = unit_ms(&s);
		if (!digits || unit == 0)
			return false;
		total += num * (double)unit;
		if (total > (double)DURATION_MAX)
			return false;
	}
	*ms = (int64_t)(total + 0.5);
	return true;
}

void disc_duration_format(int64_t ms, char *buf, size_t size)
{
	static const struct {
		int64_t ms;
		const char *unit;
	} units[] = {
	    {24 * 3600 * 1000, "d"}, {3600 * 1000, "h"}, {60 * 1000, "m"}, {1000, "s"}, {1, "ms"}};
	size_t off = 0;

	buf[0] = '\0';
	if (ms <= 0) {
		snprintf(buf, size, "0s");
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && ms > 0; i++) {
		int64_t n = ms / units[i].ms;

		if (n == 0 || off >= size)
			continue;
		off +=
		    (size_t)snprintf(buf + off, size - off, "%lld%s", (long long)n, units[i].unit);
		ms -= n * units[i].ms;
	}
}

#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_text[2048];
static _Thread_local int last_code;

static const struct {
	int status;
	const char *text;
} table[] = {
#define ERR_ROW(name, status, text) {status, text},
    ERR_CODES(ERR_ROW)
#undef ERR_ROW
};

int err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_text, sizeof(last_text), fmt, ap);
	va_end(ap);
	last_code = code;
	return code;
}

const char *err_text(void)
{
	return last_text;
}

int err_last(void)
{
	return last_code;
}

void err_clear(void)
{
	last_text[0] = '\0';
	last_code = ERR_OK;
}

const char *err_describe(int code)
{
	if (code < 0 || code >= ERR_COUNT)
		return "unknown error";
	return table[code].text;
}

int err_exit_status(int code)
{
	if (code < 0 || code >= ERR_COUNT)
		return 1;
	return table[code].status;
}

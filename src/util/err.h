/* err: status codes with one message table, and the text of the last error.
 *
 * A failing function records why and returns the code in one statement:
 *     return err_set(ERR_CONFIG, "%s:%d: bad port '%s'", path, line, arg);
 * The text is per thread, so a probe worker's error never overwrites the UI's.
 * Objects that outlive the call (a host) copy err_text() into their own field. */
#ifndef CODEFLEET_UTIL_ERR_H
#define CODEFLEET_UTIL_ERR_H

/* X(name, exit status, short description) */
#define ERR_CODES(X)                                  \
	X(OK, 0, "success")                           \
	X(FAIL, 1, "failed")                          \
	X(USAGE, 2, "usage error")                    \
	X(CONFIG, 2, "configuration error")           \
	X(IO, 1, "input/output error")                \
	X(NET, 1, "network error")                    \
	X(TIMEOUT, 1, "timed out")                    \
	X(AUTH, 1, "authentication failed")           \
	X(HOSTKEY, 1, "host key verification failed") \
	X(PROTO, 1, "protocol error")                 \
	X(REMOTE, 1, "remote command failed")         \
	X(DENIED, 1, "not allowed")

enum err_code {
#define ERR_ENUM(name, status, text) ERR_##name,
	ERR_CODES(ERR_ENUM)
#undef ERR_ENUM
	    ERR_COUNT
};

/* Records the message (printf format) and returns code. */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last recorded message of this thread; "" when none. */
const char *err_text(void);
/* The last recorded code of this thread. */
int err_last(void);
void err_clear(void);
/* The short description of a code ("configuration error"). */
const char *err_describe(int code);
/* The process exit status for a code: 0, 1 or 2 (see DESIGN.md). */
int err_exit_status(int code);

#endif

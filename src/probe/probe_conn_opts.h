/* probe_conn_opts: what a connection is opened from, and how the host's
 * resolved ssh options (`ssh -G`, see disc_sshcfg.h) become it. */
#ifndef CODEFLEET_PROBE_CONN_OPTS_H
#define CODEFLEET_PROBE_CONN_OPTS_H

#include <stdbool.h>
#include <stddef.h>

struct disc_opts;

enum probe_conn_strict {
	PROBE_STRICT_ASK = 0, /* ssh's default: unknown keys are not accepted here */
	PROBE_STRICT_YES,
	PROBE_STRICT_ACCEPT_NEW,
	PROBE_STRICT_NO, /* unknown keys are used (not recorded); changed keys never */
};

/* What a connection is opened from. Strings and lists are owned (free with
 * probe_conn_opts_free); NULL or 0 means "not set". */
struct probe_conn_opts {
	char *alias;           /* the name the user knows (ssh's %n) */
	char *hostname;        /* HostName; required */
	char *user;            /* User; required */
	int port;              /* 0: 22 */
	char **identity_files; /* IdentityFile list, tokens and ~ expanded */
	size_t n_identity_files;
	bool identities_only;
	char *identity_agent;  /* socket path; NULL: $SSH_AUTH_SOCK; "none": no agent */
	int connect_timeout_s; /* ConnectTimeout; 0: only the caller's deadline */
	char *proxy_command;   /* ProxyCommand, %-tokens not yet expanded */
	char *proxy_jump;      /* ProxyJump list "[user@]host[:port],..." */
	char *ssh_config;      /* -F file for the `ssh -W` of ProxyJump; NULL: default */
	char **known_hosts;    /* UserKnownHostsFile list, then GlobalKnownHostsFile */
	size_t n_known_hosts;
	size_t n_user_known_hosts; /* the first n are the user's (accept-new writes the first) */
	char *host_key_alias;      /* HostKeyAlias: the known_hosts name instead of [host]:port */
	enum probe_conn_strict strict;
	int alive_interval_s; /* ServerAliveInterval; 0: no keepalives */
	int alive_count_max;  /* ServerAliveCountMax */
};

/* Fills *out (new; probe_conn_opts_free) from resolved options.
 * Returns ERR_OK or ERR_CONFIG (hostname or user missing, bad number). */
int probe_conn_opts_from_disc(const struct disc_opts *o, const char *alias, const char *ssh_config,
                              struct probe_conn_opts **out);
void probe_conn_opts_free(struct probe_conn_opts *o);
/* A deep copy (probe_conn_opts_free); n_user_known_hosts is clamped. */
struct probe_conn_opts *probe_conn_opts_dup(const struct probe_conn_opts *src);
/* "~/x" -> "$HOME/x"; everything else unchanged. Returns a new string. */
char *probe_conn_opts_expand_home(const char *path);

#endif

/* probe_auth: user authentication, never a prompt.
 *
 * `none`, then the agent (IdentityAgent, else $SSH_AUTH_SOCK; "none" turns
 * it off), then each IdentityFile; an encrypted file is skipped with a
 * reason. IdentitiesOnly: libssh 0.10 cannot restrict the agent to the
 * listed keys, so then the files go first and the agent is asked only if a
 * listed key is encrypted. Every attempt is listed in the detail. */
#ifndef CODEFLEET_PROBE_AUTH_H
#define CODEFLEET_PROBE_AUTH_H

#include <stdint.h>

#include "probe/probe_conn.h"

/* After the host key check. Returns ERR_OK, or ERR_AUTH (auth-required:
 * nothing accepted), ERR_TIMEOUT, ERR_PROTO (libssh error) with the state
 * recorded on the connection. */
int probe_auth_run(struct probe_conn *c, int64_t deadline_ms);

#endif

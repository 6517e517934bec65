/* probe_hostkey: is the server's host key the one we know?
 *
 * Every file of UserKnownHostsFile then GlobalKnownHostsFile is checked
 * (hashed `|1|` entries work): a match anywhere is good; a different key for
 * the host anywhere is hostkey-changed, whatever StrictHostKeyChecking says.
 * Unknown: hostkey-unknown under yes/ask, appended to the first user file
 * under accept-new, used without recording under no; under ask also
 * appended when the user accepted exactly this fingerprint
 * (probe_conn_set_trusted_fingerprint). Keys known only with another type
 * count as unknown and are never added, not even when trusted. */
#ifndef CODEFLEET_PROBE_HOSTKEY_H
#define CODEFLEET_PROBE_HOSTKEY_H

#include "probe/probe_conn.h"

/* After the handshake: sets c->fingerprint ("SHA256:...") and returns
 * ERR_OK, ERR_HOSTKEY (state hostkey-changed or hostkey-unknown) or ERR_IO
 * (accept-new could not write; state error). */
int probe_hostkey_check(struct probe_conn *c);

#endif

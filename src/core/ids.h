/* ids.h - identifiers: spool names, Message-IDs and registration codes, all from libuuid.
 * Nothing a sender controls ever becomes part of a file name or an id.
 */
#ifndef MAILREG_IDS_H
#define MAILREG_IDS_H

#include <glib.h>

/* A new random UUID in lower-case text form (36 chars).  (transfer full) */
char *ids_uuid (void);

/* A Message-ID "uuid@domain" (without angle brackets).  (transfer full) */
char *ids_message_id (const char *domain);

/* A short registration code "ZG-XXXX-XXXX": 40 random bits in Crockford's base32
 * (no I, L, O, U, so it survives being read aloud or retyped).  (transfer full) */
char *ids_registration_code (void);

#endif

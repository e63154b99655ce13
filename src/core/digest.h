/* digest.h - SHA-256 content hashes (hex), from OpenSSL's libcrypto.
 *
 * GLib's GChecksum is portable C; libcrypto uses the CPU's SHA instructions
 * and hashes a 25 KB message about eight times faster, which the intake does
 * for every message.
 */
#ifndef MAILREG_DIGEST_H
#define MAILREG_DIGEST_H

#include <glib.h>

typedef struct Digest Digest;

Digest *digest_new (void);
void digest_update (Digest *d, const void *data, gsize len);
/* The 64 lower-case hex digits; frees @d.  (transfer full) */
char *digest_finish (Digest *d);
void digest_free (Digest *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Digest, digest_free)

/* The SHA-256 of @data in hex.  (transfer full) */
char *digest_hex (const void *data, gsize len);

#endif

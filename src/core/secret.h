/* secret.h - reading a password or an OAuth2 token from its file, for the
 * IMAP client and the SMTP transport alike: one trailing newline stripped,
 * empty files refused, the bytes wiped (explicit_bzero) when freed.
 */
#ifndef MAILREG_SECRET_H
#define MAILREG_SECRET_H

#include <glib.h>

/* The secret in the file @path, @what naming it in errors ("IMAP password").
 * One trailing newline (LF or CRLF) is the editor's and is removed.
 * MAILREG_ERROR_CONFIG when the file cannot be read, is empty, or holds a NUL
 * byte or a second line.  Free with secret_free.  (transfer full) */
char *secret_read (const char *path, const char *what, GError **error);

/* The file of a password: @file when set, else @credential in
 * $CREDENTIALS_DIRECTORY (systemd LoadCredential=), else NULL.  (transfer full) */
char *secret_path (const char *file, const char *credential);

/* Overwrite @secret (explicit_bzero: not optimised away) and free it; NULL is
 * fine. */
void secret_free (char *secret);

#endif

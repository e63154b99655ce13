/* secret.c - reading a password or an OAuth2 token from its file (see
 * secret.h).  The IMAP client reads its password once, its token for every
 * connection; the SMTP transport the same.
 */
#include "core/secret.h"

#include <string.h>

#include "core/errors.h"

char *
secret_read (const char *path, const char *what, GError **error)
{
	g_autoptr (GError) local = NULL;
	char *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents (path, &text, &len, &local)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG, "cannot read the %s: %s", what, local->message);
		return NULL;
	}
	/* One trailing newline is the editor's, not the secret's. */
	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	if (len > 0 && text[len - 1] == '\r')
		text[--len] = '\0';
	/* A second line would be cut off by one reader and sent whole by another. */
	if (len == 0 || strlen (text) != len || strpbrk (text, "\r\n") != NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG,
		             "the %s in %s is empty or holds a NUL byte or a second line", what, path);
		explicit_bzero (text, len);
		g_free (text);
		return NULL;
	}
	return text;
}

char *
secret_path (const char *file, const char *credential)
{
	const char *creds = g_getenv ("CREDENTIALS_DIRECTORY");

	if (file != NULL)
		return g_strdup (file);
	return creds != NULL ? g_build_filename (creds, credential, NULL) : NULL;
}

void
secret_free (char *secret)
{
	if (secret != NULL) {
		explicit_bzero (secret, strlen (secret));
		g_free (secret);
	}
}

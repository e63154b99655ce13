/* errors.c - the one place errors become exit codes (like msmtp's smtp_exitcode). */
#include "core/errors.h"

#include <gio/gio.h>

G_DEFINE_QUARK (mailreg-error-quark, mailreg_error)

int
mailreg_exit_code (const GError *error)
{
	if (error == NULL)
		return EX_OK;
	/* a server breaking the protocol is trouble at the server, like a lost
	 * connection: nothing was given up, the next pass tries again */
	if (error->domain == MAILREG_ERROR && error->code == MAILREG_ERROR_PROTOCOL)
		return EX_TEMPFAIL;
	if (error->domain == MAILREG_ERROR)
		return error->code;
	if (error->domain == G_KEY_FILE_ERROR)
		return EX_CONFIG;
	if (error->domain == G_FILE_ERROR) {
		if (error->code == G_FILE_ERROR_NOENT || error->code == G_FILE_ERROR_ACCES)
			return EX_NOINPUT;
		if (error->code == G_FILE_ERROR_NOSPC)
			return EX_TEMPFAIL;
		return EX_IOERR;
	}
	if (error->domain == G_IO_ERROR)
		return EX_IOERR;
	return EX_SOFTWARE;
}

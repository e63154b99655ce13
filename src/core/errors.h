/* errors.h - mailreg's error domains and its one map to sysexits(3) codes.
 *
 * Lower levels return GErrors in these domains; main.c turns the error that
 * ends a command into an exit status with mailreg_exit_code().
 */
#ifndef MAILREG_ERRORS_H
#define MAILREG_ERRORS_H

#include <glib.h>
#include <sysexits.h>

#define MAILREG_ERROR (mailreg_error_quark ())
GQuark mailreg_error_quark (void);

/* Error codes are the sysexits value the error should end the program with. */
typedef enum {
	MAILREG_ERROR_USAGE = EX_USAGE,          /* bad command line */
	MAILREG_ERROR_DATA = EX_DATAERR,         /* bad input data (catalog, form definition) */
	MAILREG_ERROR_NOINPUT = EX_NOINPUT,      /* input file missing or unreadable */
	MAILREG_ERROR_SOFTWARE = EX_SOFTWARE,    /* internal error */
	MAILREG_ERROR_OS = EX_OSERR,             /* system call failed */
	MAILREG_ERROR_CANTCREAT = EX_CANTCREAT,  /* cannot create an output file */
	MAILREG_ERROR_IO = EX_IOERR,             /* read/write error */
	MAILREG_ERROR_TEMPFAIL = EX_TEMPFAIL,    /* try again later (busy database, full disk, server down) */
	MAILREG_ERROR_PROTOCOL = EX_PROTOCOL,    /* a server answered what the protocol does not allow */
	MAILREG_ERROR_NOPERM = EX_NOPERM,        /* a server refused our credentials */
	MAILREG_ERROR_CONFIG = EX_CONFIG,        /* configuration error */
	MAILREG_ERROR_ATTENTION = EX_UNAVAILABLE, /* `status`: something needs a person */
} MailregError;

/* The exit status for an error that ends a command (EX_SOFTWARE for foreign domains
 * other than GFileError/GIOError, which map to EX_IOERR). */
int mailreg_exit_code (const GError *error);

#endif

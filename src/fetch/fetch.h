/* fetch.h - stage 0: one intake pass, before the spool.
 *
 * With an [imap] group the pass takes every new message from the IMAP mailbox
 * exactly once (imap.c talks, this module keeps the books); without one it
 * takes the *.eml files dropped into the local inbox folder.  Either way each
 * message is spooled (fsync), registered (commit) and only then acknowledged
 * at its source: moved on the server (or flagged \Seen), or moved out of the
 * inbox folder.  A crash anywhere is finished by the next pass, without
 * processing a message twice.  `mailreg poll --once` is one pass; `mailreg run`
 * repeats it.
 */
#ifndef MAILREG_FETCH_H
#define MAILREG_FETCH_H

#include "register/register.h"

typedef struct {
	const char *source;    /* "imap UID 17", "inbox/a.eml", "spool/new/<id>" */
	Outcome outcome;
	const char *reason;    /* or NULL */
	gboolean recovered;    /* recorded by an earlier, interrupted pass */
} FetchEvent;

/* Called once per message that reached its recorded outcome in this pass. */
typedef void (*FetchReportFunc) (const FetchEvent *ev, gpointer user_data);

typedef struct {
	guint counts[OUTCOME_DUPLICATE + 1];  /* outcomes recorded in this pass */
	guint acknowledged;    /* messages moved or flagged at the source */
	guint already;         /* recorded before (crash, UIDVALIDITY change): only acknowledged */
	guint gone;            /* deleted from the server before they could be read */
	guint64 bytes;         /* bytes read from the server */
} FetchStats;

/* One pass over the source @p->cfg names.  Bad mail is an outcome, never an
 * error.  Errors: MAILREG_ERROR_TEMPFAIL (server unreachable, connection lost,
 * another pass running, busy database: try again), NOPERM (credentials
 * refused), CONFIG (certificate not trusted, mailbox missing, secret
 * unreadable), PROTOCOL, IO.  Messages handled before an error stay handled;
 * the next pass finishes the rest. */
gboolean fetch_pass (Pipeline *p, FetchReportFunc report, gpointer user_data, FetchStats *stats,
                     GError **error);

#endif

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
	const char *message_id;  /* the message's Message-ID as recorded (from mail: log it
	                            through log_safe), or NULL */
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

/* --- waiting for new mail ----------------------------------------------------- */

typedef enum {
	FETCH_WAKE_NEW,          /* the server (IDLE) or the inbox folder shows new mail */
	FETCH_WAKE_TIMEOUT,      /* nothing new within the time */
	FETCH_WAKE_POLL,         /* no IDLE: poll_interval passed, mail may be there */
	FETCH_WAKE_INTERRUPTED,  /* the wake fd became readable */
} FetchWake;

/* "new mail", "timeout", "poll interval", "interrupted".  (transfer none) */
const char *fetch_wake_name (FetchWake wake);

/* A waiter keeps its own IMAP connection (issue 4: IDLE on a dedicated
 * connection) from one fetch_wait to the next, so `run` may wait in short
 * slices without logging in again.  No I/O until the first wait.
 * (transfer full) @p is borrowed and must outlive the waiter. */
typedef struct FetchWaiter FetchWaiter;
FetchWaiter *fetch_waiter_new (Pipeline *p);
void fetch_waiter_free (FetchWaiter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FetchWaiter, fetch_waiter_free)

/* Wait at most @timeout_seconds for new mail at the source, then return so the
 * caller runs fetch_pass.  With [imap]: on (re)connecting, a UIDNEXT above the
 * last journalled UID (or a changed UIDVALIDITY) answers FETCH_WAKE_NEW at
 * once, as mail may have come while nobody waited; then, when the server
 * advertises IDLE, IDLE until it reports a new message (FETCH_WAKE_NEW, within
 * about a second of the delivery) or the time is up (TIMEOUT), re-issued every
 * 25 minutes; without IDLE the connection is closed and the wait sleeps
 * MIN(@timeout_seconds, [imap] poll_interval) (POLL).  Without [imap]: the
 * inbox folder is looked at every second.  A readable @wake_fd (-1: none; a
 * signal handler's self-pipe, not drained here) ends any wait at once
 * (INTERRUPTED).  The caller should run a pass at least every poll_interval
 * even without news: the safety net if a notification is lost.  Errors as
 * fetch_pass (TEMPFAIL: server down or connection lost; NOPERM; CONFIG); the
 * next call connects again. */
gboolean fetch_wait (FetchWaiter *w, guint timeout_seconds, int wake_fd, FetchWake *wake, GError **error);

#endif

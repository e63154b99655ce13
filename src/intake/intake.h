/* intake.h - one intake pass: the source (IMAP via fetch/imap.c, or the local
 * inbox folder) -> spool -> register -> acknowledge.
 *
 * With an [imap] group the pass takes every new message from the IMAP mailbox
 * exactly once (imap.c talks, this module keeps the books); without one it
 * takes the *.eml files dropped into the local inbox folder.  Either way each
 * message is spooled (fsync), registered (commit) and only then acknowledged
 * at its source: moved on the server (or flagged \Seen), or moved out of the
 * inbox folder.  A crash anywhere is finished by the next pass, without
 * processing a message twice.  `mailreg poll --once` is one pass; `mailreg run`
 * repeats it.
 *
 * The IMAP pass (intake.c: imap_pass, prefetch, take), step by step:
 *   1. recover: journal rows whose file is spooled but not recorded, then every
 *      file left in spool new/ (register_recover), are registered;
 *   2. journal: UIDs above the last one journalled get a row each with the
 *      spool id chosen now (one transaction), before anything is fetched;
 *   3. prefetch: the rows of one batch (the one filter: batched() - this
 *      UIDVALIDITY, not recorded, within max_message_size) in one UID FETCH,
 *      and the next batch asked for at once; each message goes to the spool
 *      writer threads (file in new/, not yet synced) and the reader thread
 *      (register_prepare: parse and extract, no effects);
 *   4. take, per row on the main thread: the writer's file and the reader's
 *      result are awaited (a failed read-ahead is logged and the file read
 *      again), the message registered inside the batch's group commit, and
 *      its acknowledgement held; a row too large is fetched alone, its header
 *      only, and goes to review;
 *   5. batch end: new/ fsynced, COMMIT, the files moved to cur/, then the
 *      acknowledgements sent (UID MOVE or \Seen, ACK_BATCH at a time) and
 *      their journal rows marked acked in one transaction.
 * A crash after 2 leaves pending rows, fetched by the next pass; after the
 * file but before the COMMIT, a file in new/ and a pending row (1 registers
 * it, then it is acknowledged); after the COMMIT, a recorded row not yet
 * acknowledged (acknowledged by the next pass, nothing registered again);
 * after the acknowledgement but before its journal mark, the acknowledgement
 * is sent once more, which the server takes as a no-op.  Only the main thread
 * touches the database and the connection; the worker threads (core/ahead.h)
 * parse and extract, PDFs included, ahead.
 */
#ifndef MAILREG_INTAKE_H
#define MAILREG_INTAKE_H

#include "register/register.h"

typedef struct {
	const char *source;    /* "imap UID 17", "inbox/a.eml", "spool/new/<id>" */
	const char *message_id;  /* the message's Message-ID as recorded (from mail: log it
	                            through log_safe), or NULL */
	Outcome outcome;
	const char *reason;    /* or NULL */
	gboolean recovered;    /* recorded by an earlier, interrupted pass */
} IntakeEvent;

/* Called once per message that reached its recorded outcome in this pass. */
typedef void (*IntakeReportFunc) (const IntakeEvent *ev, gpointer user_data);

typedef struct {
	guint counts[OUTCOME_DUPLICATE + 1];  /* outcomes recorded in this pass */
	guint acknowledged;    /* messages moved or flagged at the source */
	guint already;         /* recorded before (crash, UIDVALIDITY change): only acknowledged */
	guint gone;            /* deleted from the server before they could be read */
	guint64 bytes;         /* bytes read from the server */
} IntakeStats;

/* One pass over the source @p->cfg names.  Bad mail is an outcome, never an
 * error.  Errors: MAILREG_ERROR_TEMPFAIL (server unreachable, connection lost,
 * another pass running, busy database: try again), NOPERM (credentials
 * refused), CONFIG (certificate not trusted, mailbox missing, secret
 * unreadable), PROTOCOL, IO.  Messages handled before an error stay handled;
 * the next pass finishes the rest. */
gboolean intake_pass (Pipeline *p, IntakeReportFunc report, gpointer user_data, IntakeStats *stats,
                     GError **error);

/* --- waiting for new mail ----------------------------------------------------- */

typedef enum {
	INTAKE_WAKE_NEW,          /* the server (IDLE) or the inbox folder shows new mail */
	INTAKE_WAKE_TIMEOUT,      /* nothing new within the time */
	INTAKE_WAKE_POLL,         /* no IDLE: poll_interval passed, mail may be there */
	INTAKE_WAKE_INTERRUPTED,  /* the wake fd became readable */
} IntakeWake;

/* "new mail", "timeout", "poll interval", "interrupted".  (transfer none) */
const char *intake_wake_name (IntakeWake wake);

/* A waiter keeps its own IMAP connection (IDLE ties up a connection:
 * RFC 2177) from one intake_wait to the next, so `run` may wait in short
 * slices without logging in again.  No I/O until the first wait.
 * (transfer full) @p is borrowed and must outlive the waiter. */
typedef struct IntakeWaiter IntakeWaiter;
IntakeWaiter *intake_waiter_new (Pipeline *p);
void intake_waiter_free (IntakeWaiter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeWaiter, intake_waiter_free)

/* Wait at most @timeout_seconds for new mail at the source, then return so the
 * caller runs intake_pass.  With [imap]: on (re)connecting, a UIDNEXT above the
 * last journalled UID (or a changed UIDVALIDITY) answers INTAKE_WAKE_NEW at
 * once, as mail may have come while nobody waited; then, when the server
 * advertises IDLE, IDLE until it reports a new message (INTAKE_WAKE_NEW, within
 * about a second of the delivery) or the time is up (TIMEOUT), re-issued every
 * 25 minutes; without IDLE the connection is closed and the wait sleeps
 * MIN(@timeout_seconds, [imap] poll_interval) (POLL).  Without [imap]: the
 * inbox folder is looked at every second.  A readable @wake_fd (-1: none; a
 * signal handler's self-pipe, not drained here) ends any wait at once
 * (INTERRUPTED).  The caller should run a pass at least every poll_interval
 * even without news: the safety net if a notification is lost.  Errors as
 * intake_pass (TEMPFAIL: server down or connection lost; NOPERM; CONFIG); the
 * next call connects again. */
gboolean intake_wait (IntakeWaiter *w, guint timeout_seconds, int wake_fd, IntakeWake *wake, GError **error);

#endif

/* deliver.h - stage 8: queued replies leave the outbox through a transport.
 *
 * One interface for every transport: the directory transport (the embedded
 * default: each message becomes an .eml file in a folder) and SMTP on a
 * connection libcurl opens (smtp.c).  The queue follows Postfix: queued ->
 * sent, or -> deferred (retried on a schedule) -> failed (a 5xx reply, or too
 * long in the queue), each failure told to staff once.
 *
 * The delivery loop (deliver.c: deliver_due), all on one thread, for each row
 * db_outbox_due gives (queued or deferred, next attempt due; oldest first):
 *   1. its message is read and prepared (Transport.prepare), or taken from
 *      the read-ahead of step 3;
 *   2. Transport.send begins the transfer (SMTP: envelope); before any data
 *      leaves it calls before_data, where one commit marks the previous
 *      accepted message sent and this row in flight (Flight.accepted ->
 *      sent, Flight.current -> sending);
 *   3. the data leaves; meanwhile the next row's message is read and prepared
 *      (the meanwhile hook; a failure there is read again in step 1);
 *   4. the reply: accepted -> Flight.accepted, marked sent by the next row's
 *      before_data commit or at the end of the batch; 4xx -> deferred (retry
 *      schedule, staff warned once after delay_warning, failed after
 *      max_lifetime); 5xx -> failed, staff told; no connection -> this row and
 *      the rest of the batch deferred without a try.
 * A crash before step 2's commit leaves the row due: sent by the next run.
 * After it, the row is in flight: the next run logs it and sends it again,
 * whether or not the server had it (the only duplicate, at most once).  The
 * marks are not fsynced (db_set_durable): a power cut that loses one also only
 * sends that message again.  Errors of the database end the loop and are
 * returned; a second error while ending is logged.
 */
#ifndef MAILREG_DELIVER_H
#define MAILREG_DELIVER_H

#include "compose/compose.h"
#include "core/config.h"
#include "store/db.h"

/* Delivery errors carry their class, like isync's FAIL_TEMP / FAIL_FINAL. */
#define DELIVER_ERROR (deliver_error_quark ())
GQuark deliver_error_quark (void);

typedef enum {
	DELIVER_ERROR_TEMPORARY,    /* 4xx for this message: retry it later */
	DELIVER_ERROR_PERMANENT,    /* 5xx for this message: never retry */
	DELIVER_ERROR_UNAVAILABLE,  /* no usable connection (refused, TLS, timeout, no SMTP):
	                               retry later, and defer the rest of the batch now */
	DELIVER_ERROR_CREDENTIALS,  /* as UNAVAILABLE: the server refused the login */
	DELIVER_ERROR_CONFIG,       /* as UNAVAILABLE: TLS or URL settings do not fit the server */
} DeliverError;

typedef struct {
	int code;    /* the server's last reply code, 0 when there was none */
	char *text;  /* its text ("250 2.0.0 Ok: queued as X"), or NULL */
} TransportReply;

void transport_reply_clear (TransportReply *reply);

/* What the delivery loop does while a transfer runs: the SMTP server's round
 * trips overlap the loop's own work. */
typedef struct {
	/* Once per message, after its transfer has begun and before any of its
	 * data leaves (the loop records the previous message and marks this one in
	 * flight).  FALSE aborts the transfer; send then fails with the same error. */
	gboolean (*before_data) (gpointer data, GError **error);
	/* At most once, after before_data, while the server works on the message
	 * (the loop reads the next one); a transport may skip it. */
	void (*meanwhile) (gpointer data);
	gpointer data;
} TransportHooks;

typedef struct Transport Transport;
struct Transport {
	const char *name;   /* "directory", "smtp" */
	const char *where;  /* the folder or the URL, for messages */
	/* The message @raw (LF line ends) as this transport sends it (SMTP: CRLF
	 * line ends, dots stuffed, the closing "." line); NULL: as it is.  Called
	 * ahead, while the previous message is on its way.  (transfer full) */
	GBytes *(*prepare) (Transport *t, GBytes *raw);
	/* Hand @row with its message @wire (made by prepare) to the transport,
	 * calling @hooks as they say.  Fills @reply in both cases.  FALSE with a
	 * DELIVER_ERROR saying the class; any other error is taken as temporary. */
	gboolean (*send) (Transport *t, const OutboxRow *row, GBytes *wire, const TransportHooks *hooks,
	                  TransportReply *reply, GError **error);
	void (*free) (Transport *t);
};

/* The file name the directory transport gives the message @message_id (ours:
 * uuid@domain -> "uuid.eml", every other character made safe).  (transfer full) */
char *deliver_dir_name (const char *message_id);

/* The directory transport writing into @dir (created with mode 0700). (transfer full) */
Transport *deliver_dir_new (const char *dir, GError **error);

/* The SMTP transport of @cfg's [smtp] group (smtp.c).  Reads the password now,
 * warns when TLS verification or STARTTLS is off.  (transfer full)
 * MAILREG_ERROR_CONFIG (no password), MAILREG_ERROR_SOFTWARE (libcurl). */
Transport *deliver_smtp_new (const Config *cfg, GError **error);

/* The message @raw (LF or CRLF line ends) as the SMTP transport sends it after
 * DATA: every line end CRLF (RFC 5321 §2.3.8), a dot doubled at the start of a
 * line (§4.5.2), the last line ended, and the closing "." line.  (transfer full) */
GBytes *deliver_smtp_data (GBytes *raw);

void transport_free (Transport *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Transport, transport_free)

typedef struct {
	guint sent;
	guint deferred;
	guint failed;
	guint interrupted;  /* rows a killed run left in flight, sent again */
	/* why the server could not be used (the batch was deferred):
	 * MAILREG_ERROR_TEMPFAIL, _NOPERM (login refused), _CONFIG; 0: it could */
	int unusable;
} DeliverCounts;

/* Take the delivery lock beside the database: one sender at a time (`send`,
 * `run`).  The descriptor holding it, or -1 with MAILREG_ERROR_TEMPFAIL when
 * another process is delivering. */
int deliver_lock (const Config *cfg, GError **error);

/* What a delivery pass with @counts says about delivery's health: NULL when it
 * works, else why not ("12 messages deferred, none sent").  (transfer full) */
char *deliver_health (const DeliverCounts *counts);

/* Deliver every message due now (clock_now, so $MAILREG_NOW), oldest first.
 * Retry times, the queue lifetime and the delay warning come from @cfg; staff
 * notices of failed and late mail are composed with @composer (NULL: none) and
 * queued.  FALSE only when the database fails. */
gboolean deliver_queued (Db *db, Transport *t, const Config *cfg, Composer *composer,
                         DeliverCounts *counts, GError **error);

#endif

/* db.h - the store: every SQL statement of mailreg lives in src/store/.
 *
 * SQLite in WAL mode with synchronous=FULL (a commit is durable before the
 * spool file moves to cur/), foreign keys on, STRICT tables, schema migrated
 * by PRAGMA user_version.  Other stages call these domain functions only.
 */
#ifndef MAILREG_DB_H
#define MAILREG_DB_H

#include <glib.h>

typedef struct Db Db;

typedef enum {
	OUTCOME_REGISTERED,
	OUTCOME_REJECTED,
	OUTCOME_REVIEW,
	OUTCOME_IGNORED,
	OUTCOME_DUPLICATE,
} Outcome;

/* "registered", ... (static) */
const char *outcome_name (Outcome outcome);

/* Open (creating with mode 0600 and migrating) the database at @path.
 * (transfer full)  MAILREG_ERROR_CANTCREAT / MAILREG_ERROR_IO / TEMPFAIL (locked). */
Db *db_open (const char *path, GError **error);

/* Finalize the statements and close the connection; NULL is fine.  A
 * transaction still open is rolled back (nothing of it is kept). */
void db_close (Db *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Db, db_close)

/* Transactions.  db_begin takes the write lock at once (BEGIN IMMEDIATE), waiting up
 * to the busy timeout; MAILREG_ERROR_TEMPFAIL when it cannot.  db_rollback never fails. */
gboolean db_begin (Db *db, GError **error);
gboolean db_commit (Db *db, GError **error);
void db_rollback (Db *db);
/* End the open transaction by how its work went: COMMIT when @ok, else
 * ROLLBACK and FALSE (@error as the work set it).  One place for the
 * "if it failed roll back, else commit" every unit of work ends with. */
gboolean db_end (Db *db, gboolean ok, GError **error);

/* A nested unit inside an open transaction (SAVEPOINT): db_savepoint_release
 * keeps its effects for the enclosing COMMIT, db_savepoint_rollback undoes only
 * them and ends the savepoint (it never fails).  Used by the group commit of
 * register_batch_*: one savepoint per message. */
gboolean db_savepoint (Db *db, GError **error);
gboolean db_savepoint_release (Db *db, GError **error);
void db_savepoint_rollback (Db *db);

/* Whether a commit waits for the disk (synchronous=FULL, the default) or only
 * for the operating system (NORMAL: survives a killed process, not a power cut).
 * Intake needs FULL: the spool file moves on once its outcome is committed.
 * Delivery marks may use NORMAL: a mark lost in a power cut means the message is
 * sent once more, which the at-most-twice promise allows. */
gboolean db_set_durable (Db *db, gboolean durable, GError **error);

/* --- catalog ---------------------------------------------------------- */

typedef struct {
	char *start;   /* ISO 8601 local time "2014-03-06T10:00", or NULL when not fixed yet */
	char *end;
	char *place;
	int hours;     /* the hours attending it counts for (catalog sessionN_hours), 0: none given */
} EventSession;

typedef struct {
	char *code;        /* "INFO-CEN" */
	char *kind;        /* info_meeting | workshop_group | consulting | training */
	char *title;       /* Polish */
	char *subregion;   /* or NULL */
	int topic;         /* consulting topic 1-4, else 0 */
	int seats;         /* 0: no seat limit (consulting counts hours) */
	int hours;         /* consulting budget, else 0 */
	GPtrArray *sessions;  /* EventSession* */
	/* filled by db_events_list */
	int taken;
	int waitlist;
	int offered;       /* waitlisted registrations holding a place offered to them */
} Event;

/* A new empty event, its sessions array ready.  (transfer full)  event_free
 * frees it with its sessions; NULL is fine. */
Event *event_new (void);
void event_free (Event *ev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Event, event_free)

/* Insert or update @ev by code; its sessions replace the stored ones. */
gboolean db_event_upsert (Db *db, const Event *ev, GError **error);

/* The first event of @kind (by code) matching @subregion / @topic when given
 * (NULL / 0: any).  (transfer full), NULL when none. */
Event *db_event_find (Db *db, const char *kind, const char *subregion, int topic, GError **error);

/* The event with @code, or NULL.  (transfer full) */
Event *db_event_get (Db *db, const char *code, GError **error);

/* All events with seats taken and waitlist counts.  (transfer full) Event* array. */
GPtrArray *db_events_list (Db *db, GError **error);

/* --- inbound messages --------------------------------------------------- */

typedef struct {
	char *spool_id;     /* spool file name (UUID) */
	char *message_id;   /* Message-ID without <>, or NULL */
	char *hash;         /* SHA-256 of the raw message, hex */
	char *sender;       /* From address, or NULL */
	char *subject;      /* decoded, or NULL */
	char *form_part;    /* where the form was found, or NULL */
	Outcome outcome;
	char *reason;       /* one line, or NULL */
	char *reason_code;  /* its stable code (register/reasons.h), or NULL */
} InboundRecord;

/* Free the fields of @rec (not @rec itself) and zero it. */
void inbound_record_clear (InboundRecord *rec);

/* TRUE when the spool file @spool_id already has a recorded outcome (a crash came
 * after the commit and before the move to cur/); sets *@outcome. */
gboolean db_message_recorded (Db *db, const char *spool_id, Outcome *outcome, GError **error);

/* The Message-ID recorded for spool file @spool_id, or NULL (none, no such row,
 * or an error, which is then set).  (transfer full) */
char *db_message_mid (Db *db, const char *spool_id, GError **error);

/* TRUE when a message with this Message-ID (or, when it has none, this content
 * hash) was processed before. */
gboolean db_message_seen (Db *db, const char *message_id, const char *hash, GError **error);

/* Record @rec; returns the new row id, 0 on error. */
gint64 db_message_insert (Db *db, const InboundRecord *rec, GError **error);

/* Add "; @note" to the reason of message row @message_row. */
gboolean db_message_append_reason (Db *db, gint64 message_row, const char *note, GError **error);

/* Link a message to the applicant it created or updated, with the summary of
 * what was registered as its reason. */
gboolean db_message_set_applicant (Db *db, gint64 message_row, gint64 applicant_id, const char *reason,
                                   GError **error);

/* One form field read from a scan: kept with its message for review. */
typedef struct {
	char *key;          /* the form field's key, "first_name" */
	char *value;        /* as read (checkboxes: "tak" / "nie"), or NULL */
	int confidence;     /* percent, 0..100 */
} MessageField;

void message_field_free (MessageField *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MessageField, message_field_free)

/* Keep @field with message row @message_row, after the ones kept before. */
gboolean db_message_field_add (Db *db, gint64 message_row, const MessageField *field, GError **error);

/* The fields kept with message row @message_row, in order.  (transfer full)
 * MessageField*; NULL on error. */
GPtrArray *db_message_fields (Db *db, gint64 message_row, GError **error);

/* --- applicants and registrations ------------------------------------- */

/* What a form says about its sender, as the store keeps it (strings borrowed,
 * NULL when the form leaves them out). */
typedef struct {
	const char *email;
	const char *first_name;
	const char *last_name;
	const char *phone;
	const char *institution;
	const char *institution_type;
	const char *position;
	const char *powiat;
	const char *subregion;
	const char *needs;
	const char *topics;
	int consulting_topic;   /* 1..4, 0 when none */
} ApplicantFields;

/* Insert or update the applicant with @app->email; returns the row id (0 on error)
 * and sets *@created.  A resubmission keeps what the new form leaves out. */
gint64 db_applicant_upsert (Db *db, const ApplicantFields *app, gboolean *created, GError **error);

/* Register @applicant_id for @event_code with @status and @hours, at the end of
 * the queue, unless already registered.  Returns TRUE and sets *@code (transfer
 * full) to the new registration code, or returns TRUE with *@code NULL when the
 * registration existed; FALSE on error. */
gboolean db_registration_add (Db *db, gint64 applicant_id, const char *event_code,
                              const char *status, int hours, gint64 message_row, char **code,
                              GError **error);

/* --- outbox ------------------------------------------------------------- */

typedef struct {
	gint64 id;
	char *message_id;   /* without <> */
	char *kind;         /* confirmation | rejection | review | staff | ... */
	char *rcpt;         /* envelope/header recipient address */
	char *subject;      /* decoded */
	char *state;        /* queued | sent | deferred | failed */
	int attempts;
	char *created_at;
	char *sent_at;
	/* filled by db_outbox_due and db_outbox_find */
	gint64 queued_unix;  /* created_at as seconds since the epoch */
	gboolean warned;     /* staff were told it is late */
	gint64 inbound_id;   /* the message it answers, or 0 */
} OutboxRow;

/* Free @row with everything it holds; NULL is fine. */
void outbox_row_free (OutboxRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OutboxRow, outbox_row_free)

/* Queue a composed message for delivery. */
gboolean db_outbox_add (Db *db, gint64 inbound_row, const char *kind, const char *rcpt,
                        const char *subject, const char *message_id, GBytes *raw,
                        GError **error);

/* Messages due at @now (unix time): queued, or deferred with the next attempt not
 * after @now; oldest first.  (transfer full) */
GPtrArray *db_outbox_due (Db *db, gint64 now, GError **error);

/* The earliest next attempt (unix time) after @after of a queued or deferred
 * message in *@when, 0 when none. */
gboolean db_outbox_next_attempt (Db *db, gint64 after, gint64 *when, GError **error);

/* The stored message of row @id (LF line ends).  (transfer full) */
GBytes *db_outbox_raw (Db *db, gint64 id, GError **error);

/* Journal "row @id is being handed to a transport" in one autocommit statement,
 * before the transport sees it; db_outbox_result clears it. */
gboolean db_outbox_sending (Db *db, gint64 id, gint64 now, GError **error);

/* Clear the marks a killed run left (the server may have the message: it is sent
 * again, at worst a duplicate).  (transfer full) Message-IDs of those rows. */
GPtrArray *db_outbox_interrupted (Db *db, GError **error);

/* Record the end of an attempt in one statement: @state sent, deferred (next try at
 * @next_attempt) or failed; attempts+1; the reply @code (0: none) and @text kept. */
gboolean db_outbox_result (Db *db, gint64 id, const char *state, int code, const char *text,
                           gint64 next_attempt, GError **error);

/* Staff were warned that row @id is late. */
gboolean db_outbox_set_warned (Db *db, gint64 id, GError **error);

/* The row whose Message-ID is @message_id (without <>), without ->raw; NULL when
 * none (no error set).  (transfer full) */
OutboxRow *db_outbox_find (Db *db, const char *message_id, GError **error);

/* RFC 3464: row @id bounced with DSN @status ("5.1.1") and @diagnostic; the
 * applicant with that address, if any, is flagged. */
gboolean db_outbox_bounce (Db *db, gint64 id, const char *status, const char *diagnostic,
                           GError **error);

/* Outgoing mail not delivered yet or given up on (queued, deferred, failed),
 * oldest first: id, kind, to, subject, state, attempts, last_code,
 * last_error, created_at, next_attempt_at (ISO UTC, deferred only).
 * (transfer full) array of GHashTable*. */
GPtrArray *db_outbox_waiting_list (Db *db, GError **error);

/* Deferred row @id is due at @now (unix time): staff asked for a retry.
 * MAILREG_ERROR_DATA when the row is not deferred. */
gboolean db_outbox_retry_now (Db *db, gint64 id, gint64 now, GError **error);

/* Replies (any kind but staff notices) queued to @rcpt in the 24 hours before now;
 * -1 on error. */
int db_outbox_replies_today (Db *db, const char *rcpt, GError **error);

/* --- listings for the CLI (rows as GHashTable column -> string or NULL) ---- */

/* Each returns an array of GHashTable* (transfer full) with the columns named in
 * the JSON interfaces; values are strings (NULL for SQL NULL). */
GPtrArray *db_messages_list (Db *db, GError **error);
GPtrArray *db_outbox_list (Db *db, GError **error);
GPtrArray *db_applicants_list (Db *db, GError **error);
/* Registrations of one applicant: code, event, kind, status, title, hours,
 * position (on a waiting list), offer_until (ISO UTC deadline of an open offer). */
GPtrArray *db_registrations_of (Db *db, gint64 applicant_id, GError **error);

/* The daily digest counts things in [@since, @until) (ISO UTC), so consecutive
 * digests neither skip nor repeat anything.  New registrations per event:
 * columns event, title, new. */
GPtrArray *db_digest_registrations (Db *db, const char *since, const char *until, GError **error);

/* Outgoing messages queued in [@since, @until) now in @state; -1 on error. */
int db_outbox_count_since (Db *db, const char *state, const char *since, const char *until, GError **error);

/* When the last digest was queued (ISO UTC), or NULL (also on error, then set).
 * (transfer full) */
char *db_last_digest (Db *db, GError **error);

/* Inbound messages received in [@since, @until) now in @state (@since NULL:
 * from the start); -1 on error. */
int db_messages_count_since (Db *db, const char *state, const char *since, const char *until,
                             GError **error);

/* The next iCalendar SEQUENCE of registration @code (0 the first time), bumped
 * so a resent invitation replaces the calendar entry; -1 on error. */
int db_registration_next_sequence (Db *db, const char *code, GError **error);

/* Health: record that @step ("intake", "delivery") worked (@error_text NULL) or
 * failed with @error_text, at clock_now. */
gboolean db_health_record (Db *db, const char *step, const char *error_text, GError **error);

/* Health rows: step, last_ok, last_error, error_at.  (transfer full) */
GPtrArray *db_health_list (Db *db, GError **error);

typedef struct {
	char *mailbox;
	guint32 uidvalidity;
	guint32 last_uid;
} ImapMailboxState;

/* What `status` shows of the database. */
typedef struct {
	int queued, deferred, sent, failed, bounced;   /* outgoing messages by state */
	int review;              /* inbound messages in review */
	char *review_oldest;     /* received_at (ISO UTC) of the oldest of them, or NULL */
	GPtrArray *imap;         /* ImapMailboxState*, one per mailbox */
} StatusCounts;

/* Free @counts with everything it holds; NULL is fine. */
void status_counts_free (StatusCounts *counts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StatusCounts, status_counts_free)

/* The counts for `status`.  (transfer full) NULL on an error. */
StatusCounts *db_status_counts (Db *db, GError **error);

/* Counts of inbound messages by outcome (for summaries). */
gboolean db_message_counts (Db *db, int counts[5], GError **error);

/* --- IMAP sync state ------------------------------------------------------- */
/* Like isync's sync state: per mailbox the UIDVALIDITY and the highest UID whose
 * journal row exists (every message at or below it is in imap_messages); per
 * message the spool id reserved for it before the fetch, so the record of its
 * outcome (messages.spool_id) is found again after a crash, and whether the
 * server was told (moved or \Seen).  A row is 'pending' until acknowledged,
 * then 'acked'; 'gone' when the message vanished before it was read, 'stale'
 * when its UIDVALIDITY was replaced. */

/* TRUE and the stored values when @mailbox has a state; FALSE when not (or on
 * an error, which is then set). */
gboolean db_imap_mailbox_get (Db *db, const char *mailbox, guint32 *uidvalidity, guint32 *last_uid,
                              GError **error);
/* Store @mailbox's UIDVALIDITY, the highest UID journalled and the @server
 * it is on (for `status`), replacing what was there. */
gboolean db_imap_mailbox_set (Db *db, const char *mailbox, guint32 uidvalidity, guint32 last_uid,
                              const char *server, GError **error);

/* Journal a message about to be fetched, with its reserved @spool_id; @rematch:
 * compare its content with what was recorded before processing it (after a
 * UIDVALIDITY change).  A row already there is kept as it is. */
gboolean db_imap_journal_add (Db *db, const char *mailbox, guint32 uidvalidity, guint32 uid, guint64 size,
                              const char *spool_id, gboolean rematch, GError **error);

typedef struct {
	gint64 id;
	guint32 uidvalidity;
	guint32 uid;
	guint64 size;
	char *spool_id;
	gboolean rematch;
	gboolean recorded;   /* messages holds the outcome of spool_id */
	Outcome outcome;     /* when recorded */
} ImapJournalRow;

/* Free @row with everything it holds; NULL is fine. */
void imap_journal_row_free (ImapJournalRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImapJournalRow, imap_journal_row_free)

/* Rows of @mailbox still 'pending' (any UIDVALIDITY), in UID order.
 * (transfer full) array of ImapJournalRow*. */
GPtrArray *db_imap_pending (Db *db, const char *mailbox, GError **error);

/* Set a row's state ('acked', 'gone', 'stale') and where it was acknowledged to. */
gboolean db_imap_set_state (Db *db, gint64 id, const char *state, const char *acked_to, GError **error);

/* The same for the @n rows @ids, in one statement. */
gboolean db_imap_set_states (Db *db, const gint64 *ids, guint n, const char *state, const char *acked_to,
                             GError **error);

/* Point a row at an already recorded message (UIDVALIDITY change: same message). */
gboolean db_imap_set_spool (Db *db, gint64 id, const char *spool_id, GError **error);

/* The spool id of the first recorded message (any outcome) with @message_id, or,
 * when @message_id is NULL, with content @hash; NULL when none (or on error). */
char *db_message_find (Db *db, const char *message_id, const char *hash, GError **error);

/* --- the programme: places, waiting lists, reminders ---------------------- */
/* A waitlisted registration's position is its rank by arrival among the
 * waitlisted of its event (1 first); it is computed, so it moves up by itself
 * when someone ahead is promoted or cancels. */

/* Events of @kind for placement, matching @subregion (NULL: any) and @topic (0:
 * any; else that topic first, then events without one), by the start of their
 * first dated session (undated last), then code.  (transfer full) Event*. */
GPtrArray *db_event_candidates (Db *db, const char *kind, const char *subregion, int topic, GError **error);

/* Consulting hours held (confirmed or requested) in event @event_code; -1 on error. */
int db_event_hours_used (Db *db, const char *event_code, GError **error);

/* Register @applicant_id for @event_code with @status and @hours, at the end of
 * the arrival order; a cancelled registration is taken up again under its code.
 * *@code (transfer full) the code, or NULL when an active registration exists. */
gboolean db_registration_place (Db *db, gint64 applicant_id, const char *event_code, const char *status,
                                int hours, gint64 message_row, char **code, GError **error);

/* A registration with what the programme needs of its event and applicant.
 * db_registration_get fills every field; the listings say which they fill
 * (the others stay NULL / 0). */
typedef struct {
	char *code;
	char *event;              /* the event's code */
	char *kind;               /* the event's kind */
	char *title;              /* the event's title */
	char *status;             /* confirmed | waitlisted | requested | cancelled */
	int hours;                /* consulting hours held */
	gint64 applicant_id;
	char *email;
	char *first_name;
	char *last_name;
	char *appointment;        /* local ISO time staff set (consulting), or NULL */
	char *appointment_place;
	int position;             /* on the waiting list (1 first), 0 when not waitlisted */
	gint64 offer_deadline;    /* unix time until the last place offered is held, 0 when none */
	char *first_start;        /* db_waitlist_note_candidates: the event's first session start */
} Registration;

/* Free @reg with everything it holds; NULL is fine. */
void registration_free (Registration *reg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Registration, registration_free)

/* Registration @code, every field filled.  (transfer full) NULL when none (no
 * error set) or on an error. */
Registration *db_registration_get (Db *db, const char *code, GError **error);

/* Set the status of registration @code (cancelled also stamps cancelled_at). */
gboolean db_registration_set_status (Db *db, const char *code, const char *status, GError **error);

/* The code of the first on @event_code's waiting list not holding an offer,
 * NULL when none.  (transfer full) */
char *db_waitlist_first (Db *db, const char *event_code, GError **error);


/* One dated session of a confirmed registration, for reminders. */
typedef struct {
	char *code;          /* the registration's */
	char *email;
	char *first_name;
	char *last_name;
	char *event;         /* the event's code */
	char *title;
	int session;         /* its number in the event (1 first); 0: the consulting appointment */
	char *start;         /* local ISO time */
	char *end;           /* or NULL */
	char *place;         /* or NULL */
} ReminderRow;

/* Free @row with everything it holds; NULL is fine. */
void reminder_row_free (ReminderRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReminderRow, reminder_row_free)

/* Every (confirmed registration, dated session) pair, by start, then arrival,
 * then session.  (transfer full) array of ReminderRow*. */
GPtrArray *db_reminder_candidates (Db *db, GError **error);

/* Record the reminder @offset seconds before session @session starting at
 * @start of registration @code as @state (sent | missed): 1 when recorded now,
 * 0 when it was already, -1 on error. */
int db_reminder_record (Db *db, const char *code, int session, const char *start, gint64 offset,
                        const char *state, GError **error);

/* Offer a place to waitlisted registration @code until @deadline (unix time):
 * it holds the place (Event.offered, programme_room) until it answers or the
 * deadline passes. */
gboolean db_registration_offer (Db *db, const char *code, gint64 deadline, GError **error);

/* Open offers whose deadline is not after @now, oldest deadline first.
 * (transfer full) array of Registration* with code and event. */
GPtrArray *db_offers_expired (Db *db, gint64 now, GError **error);

/* Waitlisted registrations without an offer and not yet noted, of events with a
 * dated session, by that session's start.  (transfer full) array of
 * Registration* with code, event, position and first_start. */
GPtrArray *db_waitlist_note_candidates (Db *db, GError **error);

/* Record the waiting-list note of registration @code as @state (sent | missed)
 * at @position: 1 when recorded now, 0 when it was already, -1 on error. */
int db_waitlist_note_record (Db *db, const char *code, const char *state, int position, GError **error);

/* Registration @code gets its appointment (consulting): local ISO time @when at
 * @place; status confirmed.  Reminders then count it as session 0. */
gboolean db_registration_set_appointment (Db *db, const char *code, const char *when, const char *place,
                                          GError **error);

/* The id of the applicant with @email, 0 when none, -1 on error. */
gint64 db_applicant_find (Db *db, const char *email, GError **error);

/* RODO/GDPR erasure inside an open transaction: delete the messages from
 * @email, linked to @applicant (0: none), naming @email, or with a spool id in
 * @spool_ids (may be NULL); the outbox rows to @email, answering those messages
 * or whose body names @email; the applicant row keeps only its id (anonymous
 * counts).  Appends the spool ids of deleted messages to @spool_ids_out and the
 * Message-IDs of deleted outbox rows to @outbox_ids_out.  Deleted content is
 * zeroed (secure_delete); db_compact afterwards leaves no old page anywhere. */
gboolean db_forget (Db *db, gint64 applicant, const char *email, GPtrArray *spool_ids, GPtrArray *spool_ids_out,
                    GPtrArray *outbox_ids_out, GError **error);

/* VACUUM and truncate the WAL (outside a transaction). */
gboolean db_compact (Db *db, GError **error);

/* Messages in review not yet dealt with (all of them when @all), oldest
 * first, at most @limit (0: no limit): id, received_at, from, subject,
 * reason, reason_code, spool_id, reviewed_at, purged_at.  (transfer full) */
GPtrArray *db_review_list (Db *db, gboolean all, guint limit, GError **error);
/* How many messages in review are not yet dealt with; -1 on an error. */
int db_review_open_count (Db *db, GError **error);

/* Message row @id: id, spool_id, message_id, hash, sender, subject, state,
 * reason, reason_code, received_at, reviewed_at, purged_at; NULL when there is none (no
 * error set) or on an error.  (transfer full) */
GHashTable *db_message_get (Db *db, gint64 id, GError **error);

/* Review message @id was registered by staff from typed fields (@form_part says
 * so): state registered, reviewed now.  FALSE with MAILREG_ERROR_DATA when it is
 * not an open review. */
gboolean db_review_register (Db *db, gint64 id, const char *form_part, GError **error);

/* Mark review message @id dealt with: 1 done now, 0 when no such open review
 * message, -1 on error. */
int db_review_done (Db *db, gint64 id, GError **error);

/* Review message @id rejected by staff: state rejected, reviewed now, "; @note"
 * added to its reason, its reason code now @code.  FALSE with
 * MAILREG_ERROR_DATA when it is not an open review. */
gboolean db_review_reject (Db *db, gint64 id, const char *note, const char *code, GError **error);

/* --- audit: staff actions --------------------------------------------------- */

/* One staff action. */
typedef struct {
	gint64 id;
	char *at;        /* ISO UTC "2014-03-01T09:00:00Z" */
	char *actor;     /* "web:anna", "mail:anna@rops.pl", "cli" */
	char *action;    /* stable English verb: "review.register", "review.reject", ... */
	char *record;    /* what it acted on: "message:42", "registration:ZG-..."; or NULL */
	char *detail;    /* short, never a secret; or NULL */
} AuditRow;

/* Free @row with everything it holds; NULL is fine. */
void audit_row_free (AuditRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AuditRow, audit_row_free)

/* Record that @actor did @action on @record (may be NULL) with @detail (may be
 * NULL), at clock_now.  Call it inside the transaction of the action itself,
 * so the action and its row are committed or rolled back together. */
gboolean db_audit_add (Db *db, const char *actor, const char *action, const char *record, const char *detail,
                       GError **error);

/* The newest @limit audit rows (0: all), newest first.  (transfer full) array
 * of AuditRow*. */
GPtrArray *db_audit_list (Db *db, guint limit, GError **error);

/* Every audit row of @record ("message:42"), oldest first.  (transfer full)
 * array of AuditRow*. */
GPtrArray *db_audit_of (Db *db, const char *record, GError **error);

/* --- retention: purging raw copies ---------------------------------------- */
/* A message is finished when its outcome is recorded, it is not a review still
 * waiting for a person, and its IMAP journal row (if any) is acknowledged; a
 * reply when it left the queue (sent, failed or bounced) and is not in flight. */

/* A raw copy to purge: the row and the name its copy goes by. */
typedef struct {
	gint64 id;
	char *name;   /* a message's spool id, a reply's Message-ID */
} PurgeRow;

/* Free @row with everything it holds; NULL is fine. */
void purge_row_free (PurgeRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PurgeRow, purge_row_free)

/* Finished messages received before @before (ISO UTC) whose raw copy is not
 * marked purged, name = spool id.  (transfer full) array of PurgeRow*. */
GPtrArray *db_purge_messages (Db *db, const char *before, GError **error);

/* Replies out of the queue since before @before, not marked purged, name =
 * Message-ID.  (transfer full) array of PurgeRow*. */
GPtrArray *db_purge_outbox (Db *db, const char *before, GError **error);

/* 1 when messages with content @hash exist and all are finished and the newest
 * was received before @before; 0 when not (or none), -1 on error.  For copies
 * found by content (the inbox's processed/ folder). */
int db_purge_hash (Db *db, const char *hash, const char *before, GError **error);

/* Record that the raw copy of message (or, @outbox, reply) @id is purged; a
 * reply's text (outbox_bodies) goes too. */
gboolean db_purge_mark (Db *db, gboolean outbox, gint64 id, GError **error);

/* clock_now minus @days, as the ISO UTC text the tables hold.  (transfer full) */
char *db_iso_days_ago (guint days);

/* --- mixed workshop groups (db_placement.c) ----------------------------------
 * An institution type is compared as stored (NULL, a form without one, is a
 * type of its own). */

/* Registrations of @event_code holding a place (confirmed, requested or an
 * open offer) whose applicant is of @institution_type (NULL: none given),
 * and, when @waiting, those on its waiting list too; -1 on error. */
int db_event_type_count (Db *db, const char *event_code, const char *institution_type, gboolean waiting,
                         GError **error);

/* The code of the one on @event_code's waiting list (without an offer) whose
 * institution type holds the fewest places in the event, the earliest arrival
 * on a tie; NULL when nobody waits.  (transfer full) */
char *db_waitlist_first_mixed (Db *db, const char *event_code, GError **error);

/* The places held in @event_code by institution type: columns type ("" when
 * none given) and count, by type.  (transfer full) */
GPtrArray *db_event_composition (Db *db, const char *event_code, GError **error);

/* --- attendance (db_attendance.c) --------------------------------------------- */

/* One registration's mark for one session (1-based) of its event. */
typedef struct {
	char *code;
	int session;
	gboolean present;   /* FALSE: marked absent */
} AttendanceMark;

/* Free @mark with everything it holds; NULL is fine. */
void attendance_mark_free (AttendanceMark *mark);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendanceMark, attendance_mark_free)

/* Mark registration @code @present (or absent) at @session, replacing an
 * earlier mark; the caller checked the code and session. */
gboolean db_attendance_set (Db *db, const char *code, int session, gboolean present, GError **error);

/* Every mark of @event_code's registrations, by arrival, then session.
 * (transfer full) array of AttendanceMark*. */
GPtrArray *db_attendance_of_event (Db *db, const char *event_code, GError **error);

/* --- certificates of attendance (db_certificate.c) --------------------------- */

/* Record the certificate of registration @code stating @hours: *@number
 * (transfer full) its number, "@event/NNNN" from the row id; 1 when made now,
 * 0 when it existed (its number returned, queued counted up when @again), -1 on
 * error. */
int db_certificate_record (Db *db, const char *code, const char *event, int hours, gboolean again,
                           char **number, GError **error);

/* --- evaluation of events (db_evaluation.c) ------------------------------------ */

/* A participant's evaluation of an event: who, and what was asked and answered. */
typedef struct {
	char *code;
	char *email;
	char *first_name;
	char *last_name;
	char *event;        /* the event's code */
	char *title;
	char *last_end;     /* local ISO time the event's last session ends (or starts), or NULL */
	int asked;          /* 0 not yet, 1 asked (sent), 2 missed */
	gboolean asked_again;  /* the rating was asked again once */
	int rating;         /* 1-5, 0: none */
	char *comment;      /* or NULL */
	char *answered_at;  /* ISO UTC, or NULL */
} EvaluationRow;

void evaluation_row_free (EvaluationRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvaluationRow, evaluation_row_free)

/* Confirmed registrations marked present somewhere and not asked yet.
 * (transfer full) array of EvaluationRow*. */
GPtrArray *db_evaluation_candidates (Db *db, GError **error);

/* Record the request of registration @code as @state (sent | missed): 1 when
 * recorded now, 0 when it was already, -1 on error. */
int db_evaluation_record (Db *db, const char *code, const char *state, GError **error);

/* Note the Message-ID of the evaluation request just queued to @email as
 * registration @code's, for the replies to it. */
gboolean db_evaluation_set_request (Db *db, const char *code, const char *email, GError **error);

/* The evaluation asked by request @message_id, or by registration @code;
 * NULL when none (no error set) or on an error.  (transfer full) */
EvaluationRow *db_evaluation_by_request (Db *db, const char *message_id, GError **error);
EvaluationRow *db_evaluation_by_code (Db *db, const char *code, GError **error);

/* Record an answer of registration @code: @rating (0: none, the earlier one
 * stays), @comment appended (NULL: none), @asked_again set when TRUE. */
gboolean db_evaluation_answer (Db *db, const char *code, int rating, const char *comment, gboolean asked_again,
                               GError **error);

/* The evaluations asked in @event_code, by arrival.  (transfer full) */
GPtrArray *db_evaluation_of_event (Db *db, const char *event_code, GError **error);

/* Per event, the evaluations answered from @since until before @until (ISO
 * UTC): columns event, title, answers, rated, mean (of the ratings, "%.2f").
 * (transfer full) */
GPtrArray *db_evaluation_digest (Db *db, const char *since, const char *until, GError **error);

/* --- the needs survey (db_needs.c) -------------------------------------------- */

/* One registration's answers to the form's survey questions, with its event. */
typedef struct {
	char *subregion;    /* the event's (db_needs_since: the applicant's), or NULL */
	char *event;        /* the event's code (db_needs_since: NULL) */
	char *title;
	char *code;         /* the registration's; NULL: an event nobody registered for */
	char *status;
	char *first_name;
	char *last_name;
	char *institution;
	char *needs;        /* "Szczególne potrzeby" as written, or NULL */
	char *topics;       /* "Proponowana tematyka" as written, or NULL */
} NeedsRow;

/* Free @row with everything it holds; NULL is fine. */
void needs_row_free (NeedsRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NeedsRow, needs_row_free)

/* Every event (only @event_code when not NULL) with its registrations not
 * cancelled, one row each (an event without any: one row, code NULL), by
 * subregion (region-wide events last), event code, then arrival.
 * (transfer full) array of NeedsRow*. */
GPtrArray *db_needs_answers (Db *db, const char *event_code, GError **error);

/* The answers of applicants whose form arrived (or was resent) in [@since,
 * @until) (ISO UTC), for the digest.  (transfer full) array of NeedsRow*. */
GPtrArray *db_needs_since (Db *db, const char *since, const char *until, GError **error);

/* --- end of the programme section --- */

/* --- staff accounts of the web console (db_staff.c) ----------------------- */

typedef struct {
	gint64 id;
	char *login;
	char *name;            /* or NULL */
	char *pwhash;          /* crypto_pwhash_str output */
	gboolean disabled;
	int failed;            /* wrong passwords in a row */
	gint64 locked_until;   /* unix time; 0: not locked */
	char *created_at;
	char *last_login;      /* ISO UTC, or NULL */
} StaffRow;

/* Free @row with everything it holds; NULL is fine. */
void staff_row_free (StaffRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StaffRow, staff_row_free)

/* Add account @login (@name may be NULL) with the password hash @pwhash.
 * MAILREG_ERROR_DATA when the login exists. */
gboolean db_staff_add (Db *db, const char *login, const char *name, const char *pwhash, GError **error);

/* Replace @login's password hash; the account is enabled and unlocked again.
 * MAILREG_ERROR_DATA when there is no such account. */
gboolean db_staff_set_password (Db *db, const char *login, const char *pwhash, GError **error);

/* Disable @login: it can no longer log in.  MAILREG_ERROR_DATA when none. */
gboolean db_staff_disable (Db *db, const char *login, GError **error);

/* Account @login, or NULL when none (no error set) or on an error.  (transfer full) */
StaffRow *db_staff_get (Db *db, const char *login, GError **error);

/* Every account by login.  (transfer full) array of StaffRow*. */
GPtrArray *db_staff_list (Db *db, GError **error);

/* A wrong password for account @id: one more in a row; at the @limit-th the
 * account is locked until @lock_until (unix time) and the count starts again.
 * 1 when this failure locked it, 0 when not, -1 on an error. */
int db_staff_login_failed (Db *db, gint64 id, int limit, gint64 lock_until, GError **error);

/* A good password for account @id: the count of failures is cleared, the
 * login time recorded. */
gboolean db_staff_login_ok (Db *db, gint64 id, GError **error);

/* --- applicants as staff look them up (db_applicant.c) --------------------- */

/* An applicant as the store keeps it; NULL where the form said nothing. */
typedef struct {
	gint64 id;
	char *email;
	char *first_name;
	char *last_name;
	char *phone;
	char *institution;
	char *institution_type;
	char *position;         /* the job title */
	char *powiat;
	char *subregion;
	char *needs;            /* "Szczególne potrzeby" as written */
	char *topics;
	int consulting_topic;   /* 1..4, 0 when none */
	char *created_at;       /* ISO UTC */
	char *updated_at;
	char *bounced_at;       /* mail to it bounced (RFC 3464), or NULL */
	char *bounce_reason;
	gboolean forgotten;     /* erased (db_forget): only the id is left */
} ApplicantRow;

void applicant_row_free (ApplicantRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApplicantRow, applicant_row_free)

/* Applicant @id; NULL when none (no error set) or on an error.  (transfer full) */
ApplicantRow *db_applicant_get (Db *db, gint64 id, GError **error);

/* What staff look applicants up by; NULL or empty members match everyone. */
typedef struct {
	const char *text;       /* words all in the name, e-mail and institution (db_fold), or a registration code */
	const char *event;      /* a registration for the event with this code ... */
	const char *status;     /* ... and/or with this status (confirmed, waitlisted, requested, cancelled) */
	const char *subregion;  /* the applicant's subregion */
	guint limit;            /* at most this many (0: all) */
} ApplicantQuery;

/* The applicants matching @q, erased ones left out, by last name, first name;
 * *@more TRUE when the limit left some out.  (transfer full) ApplicantRow*. */
GPtrArray *db_applicant_search (Db *db, const ApplicantQuery *q, gboolean *more, GError **error);

/* @s lower case and without the marks of its letters ("Łódź" -> "lodz"), as
 * db_applicant_search compares text.  (transfer full) */
char *db_fold (const char *s);

/* Every registration of applicant @applicant, cancelled ones too, in the order
 * made.  (transfer full) Registration*, every field but first_start, and but
 * the waiting-list place unless @places (each place counts its event's list:
 * too dear for a list of a hundred applicants). */
GPtrArray *db_applicant_registrations (Db *db, gint64 applicant, gboolean places, GError **error);

/* A message an applicant sent, and what became of it. */
typedef struct {
	gint64 id;
	char *received_at;      /* ISO UTC */
	char *subject;          /* or NULL */
	Outcome outcome;
	char *reason_code;      /* reasons.h, or NULL */
	char *reviewed_at;      /* settled by staff, or NULL */
} ApplicantMessage;

void applicant_message_free (ApplicantMessage *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApplicantMessage, applicant_message_free)

/* The messages of applicant @applicant (linked to it or from its address),
 * oldest first.  (transfer full) ApplicantMessage*. */
GPtrArray *db_applicant_messages (Db *db, gint64 applicant, GError **error);

/* A mail sent (or to be sent) to an applicant. */
typedef struct {
	gint64 id;
	gint64 inbound_id;      /* the message it answers, or 0 */
	char *kind;             /* confirmation, waitlist, promotion, ... */
	char *subject;
	char *state;            /* queued | sent | deferred | failed | bounced */
	char *created_at;       /* ISO UTC */
	char *sent_at;          /* or NULL */
	char *last_error;       /* the server's last answer, or NULL */
} ApplicantReply;

void applicant_reply_free (ApplicantReply *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApplicantReply, applicant_reply_free)

/* The mail to applicant @applicant's address (staff notices left out), oldest
 * first.  (transfer full) ApplicantReply*. */
GPtrArray *db_applicant_replies (Db *db, gint64 applicant, GError **error);

/* A person registered for an event (not cancelled). */
typedef struct {
	char *code;
	char *status;           /* confirmed | requested | waitlisted */
	int position;           /* on the waiting list (1 first), 0 when not waitlisted */
	gint64 offer_deadline;  /* an open offer's deadline (unix time), 0 when none */
	gint64 applicant_id;
	char *first_name;
	char *last_name;
	char *institution;
	char *email;
	char *phone;
	char *needs;            /* "Szczególne potrzeby" as written, or NULL */
} Participant;

void participant_free (Participant *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Participant, participant_free)

/* The registrations of @event_code holding a place or asking for one
 * (confirmed, requested), in arrival order.  (transfer full) Participant*. */
GPtrArray *db_event_places (Db *db, const char *event_code, GError **error);

/* @limit (0: all) of the waiting list of @event_code from its @offset-th
 * (0: the first), in order, each with its place; *@total: how many wait.
 * (transfer full) Participant*. */
GPtrArray *db_event_waiting (Db *db, const char *event_code, guint offset, guint limit, guint *total,
                             GError **error);

#endif

/* register.h - stage 5: decide the one outcome of a spooled message and record
 * it, with the applicant, the registrations and the replies it causes, in one
 * SQLite transaction.
 *
 * Order of effects for one message (a crash anywhere is recovered by running
 * again): spooled in new/ -> parse/extract/validate (no effects) -> BEGIN ->
 * record message, applicant, registrations, queued replies -> COMMIT -> move
 * the spool file to cur/.  A file still in new/ whose spool id is already
 * recorded only needs the last step.
 */
#ifndef MAILREG_REGISTER_H
#define MAILREG_REGISTER_H

#include "compose/compose.h"
#include "compose/ical.h"
#include "core/config.h"
#include "extract/extract.h"
#include "parse/parse.h"
#include "spool/spool.h"
#include "store/db.h"
#include "validate/formdef.h"
#include "validate/validate.h"

typedef struct {
	const Config *cfg;     /* borrowed */
	Db *db;
	Spool *spool;
	FormDef *form;
	Composer *composer;
	GPtrArray *batch;      /* spool ids registered in the open group commit, or NULL */
	gboolean by_staff;     /* the mail queued now is a staff member's decision (review.c),
	                        * no automatic reply: not counted by replies_per_sender_per_day */
	GBytes *notice_key;    /* the review notice's key (notice.h), loaded when first needed */
} Pipeline;

/* Open the database, spool, form definition and templates of @cfg.  (transfer full) */
Pipeline *pipeline_open (const Config *cfg, GError **error);
void pipeline_free (Pipeline *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pipeline, pipeline_free)

typedef struct {
	Outcome outcome;
	char *reason;      /* one line for the log and `messages` */
	char *message_id;  /* the message's Message-ID (without <>, as recorded), or NULL */
	gboolean already;  /* recorded by an earlier run (crash recovery) */
} RegisterResult;

void register_result_clear (RegisterResult *res);

/* Process the spooled message @spool_id to its recorded outcome.  Bad mail is an
 * outcome, never an error; FALSE only for database or file-system failures (the
 * message then stays in new/ and is processed again by the next run). */
gboolean register_message (Pipeline *p, const char *spool_id, RegisterResult *res, GError **error);

/* Called with each message register_recover finished: @source is
 * "spool/new/<id>", @res its result (borrowed). */
typedef void (*RegisterDoneFunc) (const char *source, const RegisterResult *res, gpointer user);

/* Finish what a crashed run left in spool new/ (`ingest` and every intake
 * pass do this first): register_message for each file there, calling @done
 * after each.  Errors as register_message, prefixed with the source; the
 * messages before stay done. */
gboolean register_recover (Pipeline *p, RegisterDoneFunc done, gpointer user, GError **error);

/* What register_message learns of a message without the database - its
 * parsing and its form - worked out ahead on a worker thread while the main
 * thread registers the messages before.  No effects: a crash loses nothing. */
typedef struct {
	InboundMessage *msg;
	gboolean extracted;     /* form and notes are extract_form's (the message was parsed) */
	FormData *form;
	char *notes;
	gboolean maybe_code;    /* FALSE: it names no registration code (programme_mentions_code) */
	Application *app;       /* validate_form of a form with enough fields, or NULL */
} RegisterPrepared;

/* register_message's reading of the message @data (the bytes spooled), for
 * any thread: reads only @p's configuration and form definition.  (transfer full) */
RegisterPrepared *register_prepare (const Pipeline *p, GBytes *data);
void register_prepared_free (RegisterPrepared *pre);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RegisterPrepared, register_prepared_free)

/* register_message with what register_prepare read of the same message (its
 * parts are taken from @pre). */
gboolean register_message_prepared (Pipeline *p, const char *spool_id, RegisterPrepared *pre,
                                    RegisterResult *res, GError **error);

/* As register_message, but the outcome is review with @reason, decided before
 * the message was read (a message too large to fetch: only its header was
 * spooled).  The sender and staff are told as for any review. */
gboolean register_message_review (Pipeline *p, const char *spool_id, const char *reason, RegisterResult *res,
                                  GError **error);

/* Group commit (several whole messages per transaction: one fsync for many).
 * Between register_batch_begin and register_batch_commit, register_message and
 * register_message_review record each message inside its own SAVEPOINT of one
 * open transaction: a message that fails, or falls back to review, undoes only
 * its own effects.  Nothing is durable and no spool file leaves new/ until
 * register_batch_commit, which fsyncs new/ (spool_sync), commits, and only then
 * moves the files to cur/.  A crash before the COMMIT leaves every message of
 * the batch in new/, processed again by the next run.  Errors of begin and
 * commit as db_begin/db_commit; a failed commit has rolled the batch back. */
gboolean register_batch_begin (Pipeline *p, GError **error);
gboolean register_batch_commit (Pipeline *p, GError **error);
/* Undo every message of the open batch (their files stay in new/). */
void register_batch_rollback (Pipeline *p);

/* --- for review.c: settling a review item (see review.h) ------------------- */

/* The key of the review notice's token (notice_key_load in the database's
 * folder), loaded once.  (transfer none) */
GBytes *pipeline_notice_key (Pipeline *p, GError **error);

/* The message of row @r (db_message_get) as the pipeline would see it: parsed
 * from its raw copy in spool cur/ when there is one, else (purged) rebuilt
 * from the row: the sender is the reply address, the Message-ID the
 * reference.  (transfer full) */
InboundMessage *register_review_message (Pipeline *p, GHashTable *r, GError **error);

/* Inside the caller's open transaction, the effects of valid form @app of
 * message row @row, as for a mailed form: the applicant, the places or
 * waiting lists, the confirmation with its calendar entries (threaded to
 * @msg), the staff copy; the row's reason becomes the summary (after @prefix,
 * may be NULL), also in @res.  MAILREG_ERROR_DATA when the catalog has no
 * event for what the form asks. */
gboolean register_form_effects (Pipeline *p, gint64 row, const InboundMessage *msg, const FormData *form,
                                const Application *app, const char *prefix, RegisterResult *res,
                                GError **error);

/* The form @msg holds as the pipeline reads it ([limits] apply), or NULL
 * (no MIME, nothing recognised).  (transfer full) */
FormData *register_read_form (Pipeline *p, const InboundMessage *msg);

/* Queue the rejection reply listing @problems (Polish sentences) to the sender
 * of @msg (its reply address, else @fallback_addr, may be NULL), threaded to
 * it and linked to row @row. */
gboolean register_queue_rejection (Pipeline *p, gint64 row, const InboundMessage *msg, const char *first_name,
                                   const char *fallback_addr, GPtrArray *problems, GError **error);

/* Queue applicant @applicant's confirmation again (staff asked: the first was
 * lost, or the person asks for it), as its registrations stand now: template
 * and kind confirmation (waitlist when every registration not cancelled
 * waits), with the calendar entries of its places at their next SEQUENCE, to
 * its address, threaded to nothing.  Inside the caller's transaction.
 * MAILREG_ERROR_DATA when there is no such applicant, its data were erased, or
 * every registration of it is cancelled. */
gboolean register_resend_confirmation (Pipeline *p, gint64 applicant, GError **error);

/* Why @msg must not be answered automatically (RFC 3834: auto-replies, bounces,
 * lists, our own mail), or NULL.  (static string or transfer full via @reason) */
gboolean register_is_automatic (const Pipeline *p, const InboundMessage *msg, char **reason);

/* --- replies (reply.c): the one way into the outbox ------------------------ */
/* register.c and programme.c call these; reply.c calls neither. */

/* A table of template variables: names borrowed (string literals), values
 * owned.  (transfer full) */
GHashTable *reply_vars_new (void);
/* Set template variable @name (a string literal) to a copy of @value (NULL: ""). */
void reply_var_set (GHashTable *vars, const char *name, const char *value);

/* Queue template @tmpl (with the calendar @ics, may be NULL) as outbox @kind to
 * @to_name <@to_addr>, threaded to @msg (may be NULL) and linked to inbound
 * row @inbound_row (0: none).  Every mail to a person goes this way, replies
 * and the programme's own mail alike: never to our own address, and, except
 * kind `staff`, within [mail] replies_per_sender_per_day (RFC 3834 §2: one
 * over the limit is not queued, noted on the inbound row when there is one,
 * and logged).  No usable address: skipped.  TRUE also when skipped; FALSE
 * with the composer's or the database's error. */
gboolean reply_queue (Pipeline *p, gint64 inbound_row, const InboundMessage *msg, const char *kind,
                      const char *tmpl, GHashTable *vars, const char *to_name, const char *to_addr,
                      const char *ics, GError **error);

/* reply_queue with what the mail needs beyond its template (@extra: its
 * Message-ID, an attached message; may be NULL). */
gboolean reply_queue_extra (Pipeline *p, gint64 inbound_row, const InboundMessage *msg, const char *kind,
                            const char *tmpl, GHashTable *vars, const char *to_name, const char *to_addr,
                            const char *ics, const ComposeExtra *extra, GError **error);

/* Append to @out the sessions of @ev as the lines of a mail: "Termin: ...",
 * "Miejsce: ...", or a placeholder's own text. */
void reply_sessions_text (GString *out, const Event *ev);

/* The calendar entry of session @session (1-based; a consulting appointment
 * is 1) of registration @code at SEQUENCE @seq: @title at @place from @start
 * to @end (local ISO times, @end may be NULL).  (transfer full) */
IcalEvent *reply_ical_event (Pipeline *p, const char *code, guint session, int seq, const char *title,
                             const char *place, const char *start, const char *end);

/* Append to @events (IcalEvent*) one VEVENT per dated session of @ev for
 * registration @code, at the registration's next SEQUENCE (bumped once). */
gboolean reply_event_ics (Pipeline *p, const char *code, const Event *ev, gboolean tentative,
                          GPtrArray *events, GError **error);

/* @events (IcalEvent*) as one text/calendar of METHOD @method (ICAL_PUBLISH:
 * added or updated; ICAL_CANCEL: withdrawn) from the configured From; *@ics
 * NULL when @events is empty.  (transfer full) */
gboolean reply_calendar_ics (Pipeline *p, IcalMethod method, GPtrArray *events, char **ics, GError **error);

/* --- catalog (catalog.c) ------------------------------------------------ */

/* Read the programme catalog at @path.  (transfer full) array of Event*.
 * MAILREG_ERROR_DATA naming file, event and key on a malformed entry. */
GPtrArray *catalog_load (const char *path, GError **error);

/* Load @path and add or update its events by code, in one transaction. */
gboolean catalog_import (Db *db, const char *path, guint *count, GError **error);

/* Polish text of a session's date range: "czwartek, 6 marca 2014, 10:00–14:00",
 * or "termin zostanie podany" when not fixed.  (transfer full) */
char *catalog_format_when (const char *start, const char *end);

/* The moment @unix_time in Polish as the clocks in Poland show it (Europe/Warsaw,
 * whatever the local zone): "sobota, 22 lutego 2014, 10:00".  (transfer full) */
char *catalog_format_instant (gint64 unix_time);

/* --- the programme: places, waiting lists, cancellation, reminders (programme.c) */
/* Each function runs inside the caller's open transaction unless it says it
 * opens its own; seats are counted under that write lock (BEGIN IMMEDIATE), so
 * two processes never hand out the same seat. */

/* 1 when @ev has room for one more registration holding @hours (consulting: its
 * hour budget; else its seats, 0 seats: no limit), 0 when full, -1 on error. */
int programme_room (Pipeline *p, const Event *ev, int hours, GError **error);

/* Choose among @candidates (db_event_candidates of @kind, in order) the event
 * for one registration holding @hours by an applicant of @institution_type
 * (programme_institution_type; NULL: unknown): *@room TRUE when *@chosen
 * (transfer none, one of @candidates) has a free place, FALSE when every one
 * is full and *@chosen is the one whose waiting list to join.  The first with
 * room (full: the first), except workshop groups with [programme]
 * workshop_placement = mixed: the one whose places hold the fewest of
 * @institution_type (full: counting its waiting list too), the earlier on a
 * tie.  Inside the caller's transaction. */
gboolean programme_choose (Pipeline *p, const char *kind, GPtrArray *candidates, int hours,
                           const char *institution_type, const Event **chosen, gboolean *room, GError **error);

/* The institution type placement counts: @given (the form's "Typ instytucji")
 * when there is one, else read from the @institution's name - the call's
 * abbreviations as words (OPS, MOPS, GOPS, PCPR, ROPS, CIS, KIS, ZAZ, WTZ,
 * NGO, JST) or the stems of the full names ("Ośrodek Pomocy Społecznej" OPS,
 * "Powiatowe Centrum Pomocy Rodzinie" PCPR, "Stowarzyszenie", "Fundacja"
 * NGO, "Urząd Gminy" JST, ...); NULL when neither says.  (transfer none) */
const char *programme_institution_type (const char *given, const char *institution);

/* The state to record a mail due at @due (unix time) in, decided once:
 * "sent", or "missed" when it should have gone out more than [programme]
 * reminder_grace before @now (one that late is not sent late). */
const char *programme_due_state (const Pipeline *p, gint64 due, gint64 now);

/* After a due mail's record in @state added @fresh rows (0: decided before):
 * whether to send it now.  A miss recorded now counts in *@missed. */
gboolean programme_due_send (int fresh, const char *state, guint *missed);

/* Event @code.  (transfer full)  NULL on a database error, and when there is
 * no such event: then MAILREG_ERROR_DATA "@command: no event @code". */
Event *programme_event (Db *db, const char *command, const char *code, GError **error);

/* Mark the registrations @codes (NULL-terminated, any case) @present (or
 * absent) at session @session (1-based; 0: the only one, a usage error
 * when the event has more) of @event, in one transaction of its own; *@marked counts them.  MAILREG_ERROR_DATA naming the first that cannot
 * be marked, and nothing changes: an unknown event or session, an unknown
 * code, a registration for another event, present for one not confirmed
 * (waitlisted, requested, cancelled), absent for a cancelled one. */
gboolean programme_attendance (Db *db, const char *event, int session, gboolean present, char **codes,
                               guint *marked, GError **error);

/* The mark of registration @code at session @session (1-based) among @marks
 * (db_attendance_of_event): 1 present, 0 absent, -1 none recorded. */
int programme_attendance_mark (GPtrArray *marks, const char *code, int session);

/* The hours registration @code attended in @ev: the sum of the catalog hours
 * (EventSession.hours) of the sessions @marks (db_attendance_of_event) have it
 * present at. */
int programme_hours_attended (const Event *ev, GPtrArray *marks, const char *code);

/* The sender's own text of @msg (its plain text parts, without quoted lines, a
 * quoted reply or a signature), trimmed; the registration codes it names (the
 * subject's and its own first, then quoted ones) are added to @codes
 * (transfer full strings).  (transfer full) */
char *programme_own_text (Pipeline *p, const InboundMessage *msg, GPtrArray *codes);

/* --- evaluation of events (evaluation.c) ------------------------------------------
 * [programme] evaluation_delay after an event's last session (its end, else its
 * start) each confirmed participant marked present is asked once (outbox kind
 * evaluation, template evaluation) to rate it 1-5 and comment by replying. */

/* Queue the evaluation requests due at clock_now(), each registration once;
 * one more than reminder_grace late is recorded as missed.  In a transaction
 * of its own. */
gboolean programme_evaluations (Pipeline *p, guint *sent, guint *missed, GError **error);

/* When @msg answers an evaluation request (its References name the request,
 * else it names the registration code of one asked), record the answer: the
 * first number of the sender's own text a rating 1-5, the rest a comment; no
 * number: a comment; a number outside 1-5: asked again once (template
 * evaluation-again), a comment after that.  Records @rec (registered, reason
 * "evaluation: CODE ...") and sets *@handled; no form is read from it.  Not an
 * answer: *@handled FALSE, nothing done.  Without @maybe_code
 * (programme_mentions_code FALSE) only References are looked at.  Inside the caller's transaction. */
gboolean programme_evaluation_message (Pipeline *p, const InboundMessage *msg, gboolean maybe_code,
                                       InboundRecord *rec, gboolean *handled, GError **error);

/* --- certificates of attendance (certify.c) ------------------------------------ */

/* Queue a certificate of attendance (outbox kind certificate, template
 * certificate, the PDF of compose/certificate.c attached) for every confirmed
 * registration of @event marked present at some session, each once ever (its
 * number kept); with @resend (a registration code), for that one again.  In a
 * transaction of its own; *@queued counts the mails, *@without the confirmed
 * registrations with no attendance recorded (they get none).
 * MAILREG_ERROR_DATA naming it, nothing changed: an unknown event or code, a
 * code of another event, a @resend registration cancelled or without
 * recorded attendance. */
gboolean programme_certificates (Pipeline *p, const char *event, const char *resend, guint *queued,
                                 guint *without, GError **error);

/* --- the needs survey (needs.c) ------------------------------------------------ */

/* The workshop themes of the call a "Proponowana tematyka" answer can name. */
#define NEEDS_THEMES 3

/* Theme @theme's key for JSON ("ekonomia_spoleczna", "partnerstwa_lokalne",
 * "srodowisko_lokalne") and its Polish name; NULL past the last.  (static) */
const char *needs_theme_key (guint theme);
const char *needs_theme_name (guint theme);

/* Kinds of special needs ("Szczególne potrzeby"), a bit set. */
typedef enum {
	NEED_DIET = 1 << 0,     /* diet, food allergies */
	NEED_ACCESS = 1 << 1,   /* accessibility: wheelchair, sign language, ... */
	NEED_OTHER = 1 << 2,    /* anything else said */
} NeedKind;

/* Whether @text (may be NULL) says anything: not empty, "brak", "nie", "-", ... */
gboolean needs_answered (const char *text);

/* The themes @text names, bit i for theme i; 0 when none (listed verbatim). */
guint needs_themes (const char *text);

/* The NeedKind bits of special needs @text; 0 when it says there are none. */
guint needs_kinds (const char *text);

/* One event's survey answers.  Strings and rows are borrowed from the rows
 * needs_by_event read. */
typedef struct {
	const char *subregion;
	const char *event;
	const char *title;
	int registrations;            /* not cancelled */
	int topic_answers;            /* "Proponowana tematyka" answered */
	int themes[NEEDS_THEMES];     /* answers naming each theme */
	GPtrArray *other_topics;      /* const char*: answers naming no theme, verbatim */
	int need_answers;             /* "Szczególne potrzeby" answered */
	int diet, access, other;      /* answers of each kind (one may have several) */
	GPtrArray *special;           /* const NeedsRow*: who has special needs */
} NeedsEvent;

void needs_event_free (NeedsEvent *ev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NeedsEvent, needs_event_free)

/* @rows (db_needs_answers, which must outlive the result) counted per event,
 * in their order.  (transfer full) array of NeedsEvent*. */
GPtrArray *needs_by_event (GPtrArray *rows);

/* The digest's few Polish lines on the answers @rows (db_needs_since) hold.
 * (transfer full) */
char *needs_digest_text (GPtrArray *rows);

/* Give free places of @event_code to the waiting list in arrival order (mixed
 * workshop groups: the institution type the group holds fewest of first,
 * programme_choose), telling each (outbox kind `promotion`, with the calendar entry), or, with [programme]
 * promotion = offer, offer them (programme_expire_offers); *@promoted counts
 * them. */
gboolean programme_promote (Pipeline *p, const char *event_code, guint *promoted, GError **error);

/* Cancel registration @code (answering inbound message row @inbound_row / @msg,
 * both may be 0 / NULL for staff), tell the applicant (`cancellation`; a place
 * that was sent calendar entries gets them withdrawn, METHOD:CANCEL) and
 * promote from the waiting list.  FALSE with MAILREG_ERROR_DATA when @code is
 * unknown or already cancelled. */
gboolean programme_cancel (Pipeline *p, const char *code, gint64 inbound_row, const InboundMessage *msg,
                           guint *promoted, GError **error);

/* When @msg asks to cancel ("rezygnacja", "rezygnuję", "anuluj", ... with a
 * registration code, or a reply quoting a confirmation), record it in @rec as
 * registered with a reason naming what was cancelled, cancel and set *@handled.
 * Not a cancellation (or no active code in it): *@handled FALSE, nothing done. */
gboolean programme_cancel_message (Pipeline *p, const InboundMessage *msg, InboundRecord *rec,
                                   gboolean *handled, GError **error);

/* Whether @msg (parsed) names a registration code ("ZG-", any case) in its
 * subject or its text parts: without one it cancels nothing.  Reads only @p's
 * configuration: safe on a worker thread. */
gboolean programme_mentions_code (const Pipeline *p, const InboundMessage *msg);

/* Load the catalog @path and add or update its events by code in one transaction
 * of its own; every active registration of an event whose session date changed
 * gets an `update` mail with the calendar entry (same UID, higher SEQUENCE), and
 * places an event gained (more seats or hours) go to its waiting list
 * (programme_promote; *@promoted counts them). */
gboolean programme_import (Pipeline *p, const char *path, guint *count, guint *updates, guint *promoted,
                           GError **error);

/* programme_import's work for @events (Event*, as catalog_load reads them),
 * inside the caller's transaction: the console changes one session's date or
 * place this way.  Adds to *@updates and *@promoted. */
gboolean programme_update_events (Pipeline *p, GPtrArray *events, guint *updates, guint *promoted,
                                  GError **error);

/* Queue the reminders due at clock_now() (config [programme] reminders) for every
 * confirmed registration and dated session, in a transaction of its own; each
 * (registration, session, date, offset) at most once; one more than
 * reminder_grace late is recorded as missed, not sent. */
gboolean programme_remind (Pipeline *p, guint *sent, guint *missed, GError **error);

/* TRUE when @line (a line of text or a subject) answers "TAK" (yes): its first
 * word after "Re:"/"Odp:"/"Fwd:" and quotation marks, any case: "TAK", "Tak,
 * potwierdzam", "„TAK”", "Re: tak".  Not "także", nor "tak" later in a
 * sentence, which is no answer. */
gboolean programme_says_yes (const char *line);

/* TRUE when @line is where a top-posting client (Outlook, webmail) starts the
 * message replied to without quoting it with '>': "-----Original Message-----",
 * "-----Oryginalna wiadomość-----", or a "From:"/"Od:" header line with an
 * address.  What follows is quoted text, not the sender's. */
gboolean programme_starts_quoted_reply (const char *line);

/* Promotion by offer ([programme] promotion = offer): a freed place is held for
 * the first on the waiting list without an offer (programme_promote), who is
 * asked (outbox kind promotion, template offer) to answer "TAK" with the
 * registration code by a deadline ([programme] offer_hours, at most until the
 * event begins).  An unanswered offer expires: the registration is cancelled,
 * told so (kind cancellation, template offer-expired) and the place offered
 * to the next.  Runs in a transaction of its own; *@expired counts them. */
gboolean programme_expire_offers (Pipeline *p, guint *expired, GError **error);

/* When the sender's own text of @msg answers "TAK" (first word of a line or of
 * the subject) naming registration codes (written, else quoted from our offer):
 * an open offer in time is taken (confirmed or, for consulting, requested;
 * kind confirmation, template offer-accepted, with the calendar entries); a
 * lapsed one gets the reason why not (kind rejection, template offer-refused).
 * Records @rec (registered when a place was taken, else rejected) and sets
 * *@handled.  A "TAK" naming no offer (an unknown code, or none) is not
 * handled: with promotion = offer, *@unclear (transfer full) is then what to
 * tell the sender, who goes to review (@rec's reason set); else NULL and the
 * message is read as any other.  Inside the caller's transaction. */
gboolean programme_offer_message (Pipeline *p, const InboundMessage *msg, InboundRecord *rec,
                                  gboolean *handled, char **unclear, GError **error);

/* Queue the note "still on the waiting list, N. place" ([programme]
 * waitlist_note, default 3 days before the first session of the event, template
 * waitlist-note, kind waitlist) for every waitlisted registration without an
 * offer, once per registration; one more than reminder_grace late is recorded as
 * missed.  In a transaction of its own. */
gboolean programme_waitlist_notes (Pipeline *p, guint *sent, guint *missed, GError **error);

/* The Polish sentence telling a waiting list how a freed place reaches it, for
 * the configured promotion.  (transfer full) */
char *programme_waitlist_rule (const Pipeline *p);

typedef struct {
	guint expired;        /* offers that lapsed */
	guint notes;          /* waiting-list notes queued */
	guint notes_missed;
	guint reminders;      /* reminders queued */
	guint missed;
	guint evaluations;    /* evaluation requests queued */
	guint evaluations_missed;
} ProgrammeDue;

/* Everything due at clock_now(), each step in a transaction of its own:
 * lapsed offers, waiting-list notes, reminders.  `mailreg remind` and each pass
 * of `mailreg run`. */
gboolean programme_due (Pipeline *p, ProgrammeDue *due, GError **error);

/* Staff set the appointment of consulting request @code: @when (ISO 8601 local
 * time) at @place; it becomes confirmed and the applicant gets the confirmation
 * with the date and the calendar entry (template appointment, outbox kind
 * confirmation).  MAILREG_ERROR_DATA for an unknown code or one that is not a
 * consulting request, MAILREG_ERROR_USAGE for a malformed time.  Runs inside
 * the caller's transaction. */
gboolean programme_schedule (Pipeline *p, const char *code, const char *when, const char *place, GError **error);

/* Erase @email's personal data everywhere (RODO/GDPR): its registrations are
 * cancelled (places go to the waiting lists), its messages, replies and every
 * outbox row naming it deleted with their spool and outgoing files (and any file
 * there or in the inbox's processed/ naming the address), the applicant row
 * anonymised; then the database is compacted so no old page keeps it.  Opens
 * its own transaction; with @actor (may be NULL) its audit row
 * "applicant.forget" (the record by id, never the address) is in it.  *@rows
 * and *@files count what was erased. */
gboolean programme_forget (Pipeline *p, const char *email, const char *actor, guint *rows, guint *files,
                           GError **error);

/* --- retention (purge.c) ------------------------------------------------- */

typedef struct {
	guint files;       /* files removed */
	guint64 bytes;     /* their size */
	guint inbound;     /* of them: inbound copies (spool cur/, inbox processed/) */
	guint outgoing;    /* of them: replies in the outgoing folder */
	guint messages;    /* message rows newly marked purged */
	guint replies;     /* outbox rows newly marked purged */
	guint skipped;     /* finished messages whose file still waits in spool new/ */
} PurgeStats;

/* Remove the raw copies of finished messages received more than @days days
 * before clock_now (so $MAILREG_NOW): spool cur/ files and the inbox's
 * processed/ copies of messages no longer pending (an open review, an IMAP
 * message not yet acknowledged and a file still in spool new/ are kept), and
 * the outgoing folder's copies of replies that left the queue (sent, failed,
 * bounced) as long ago.  The rows stay, marked purged (messages and review
 * say so).  Unlink, fsync, then mark: running it again after a crash
 * finishes the job, and a second run finds nothing.  Logs what it did.
 * Errors: the database's (TEMPFAIL when busy), MAILREG_ERROR_IO. */
gboolean purge_old (Pipeline *p, guint days, PurgeStats *st, GError **error);

/* --- end of the programme section --- */

#endif

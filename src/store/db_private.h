/* db_private.h - what the store's files share and nobody else sees: the
 * connection, the statement cache, and the helpers that bind, step and read.
 *
 * Only src/store/ and the store's unit test include this (and <sqlite3.h>).
 * Statements are string literals; db_stmt caches each once prepared, so a
 * hot statement is prepared once per connection whichever helper runs it.
 */
#ifndef MAILREG_DB_PRIVATE_H
#define MAILREG_DB_PRIVATE_H

#include <sqlite3.h>

#include "store/db.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* An event and its row id: a row of EVENT_COLUMNS, or in Db.catalog the
 * event as read in the open transaction, its columns and sessions (not its
 * seat counts: those are read each time). */
typedef struct {
	gint64 id;
	Event *ev;
} CatalogEntry;

struct Db {
	sqlite3 *handle;
	char *path;
	GHashTable *stmts;   /* const char *sql (static) -> sqlite3_stmt* */
	/* The catalog as read in the open transaction, which holds the write lock
	 * (BEGIN IMMEDIATE): nobody else changes it before the transaction ends.
	 * Placement read the same events and sessions a dozen times a message.
	 * Emptied at every BEGIN, COMMIT, ROLLBACK and by db_event_upsert. */
	GHashTable *catalog;      /* code -> CatalogEntry* */
	GHashTable *candidates;   /* db_event_candidates' arguments -> GPtrArray of CatalogEntry* (transfer none) */
	gint64 now_second;        /* now_iso's last second (unix time) and its text */
	char *now_text;
};

/* The schema steps: step i (0-based) brings user_version i to i + 1. */
extern const char *const db_migrations[];
extern const guint db_migrations_n;

/* --- statements ------------------------------------------------------------ */

/* One named parameter: text (NULL binds SQL NULL), an integer, SQL NULL, or now. */
typedef enum { DB_PARAM_END, DB_PARAM_TEXT, DB_PARAM_INT, DB_PARAM_NULL, DB_PARAM_NOW } DbParamType;

typedef struct {
	DbParamType type;
	const char *name;    /* ":code" */
	const char *text;
	gint64 num;
} DbParam;

#define DB_TEXT(n, v)  ((DbParam) { DB_PARAM_TEXT, (n), (v), 0 })
#define DB_INT(n, v)   ((DbParam) { DB_PARAM_INT, (n), NULL, (gint64) (v) })
/* An integer when above 0 (a row id, a topic, an SMTP code), else SQL NULL. */
#define DB_POS(n, v)   ((gint64) (v) > 0 ? DB_INT (n, v) : ((DbParam) { DB_PARAM_NULL, (n), NULL, 0 }))
/* Now (clock_now, so $MAILREG_NOW too) as the ISO UTC text the tables hold:
 * the time a row is written, read when the statement is bound. */
#define DB_NOW(n)      ((DbParam) { DB_PARAM_NOW, (n), NULL, 0 })
/* The parameter list of one call, ended for the helpers. */
#define DB_PARAMS(...) ((const DbParam[]) { __VA_ARGS__, { DB_PARAM_END, NULL, NULL, 0 } })

/* Set @error from the connection's last error, naming @what; returns FALSE.
 * Busy, locked and a full disk are MAILREG_ERROR_TEMPFAIL, the rest _IO. */
gboolean db_fail (Db *db, GError **error, const char *what);

/* The cached statement for @sql (a string literal), reset and unbound.
 * (transfer none)  NULL with @error set when it does not prepare. */
sqlite3_stmt *db_stmt (Db *db, const char *sql, GError **error);

/* db_stmt with @params (may be NULL) bound by name.  (transfer none) */
sqlite3_stmt *db_query (Db *db, const char *sql, const DbParam *params, GError **error);

void db_bind_text (sqlite3_stmt *st, const char *name, const char *value);
void db_bind_int (sqlite3_stmt *st, const char *name, gint64 value);

/* Step @st, which returns no rows, and reset it; FALSE naming @what on error. */
gboolean db_step_done (Db *db, sqlite3_stmt *st, const char *what, GError **error);

/* Run @sql with @params, a statement that returns no rows. */
gboolean db_run (Db *db, const char *sql, const DbParam *params, const char *what, GError **error);

/* Run @sql with @params, a change: the number of rows it changed, -1 on an
 * error (set, naming @what). */
int db_changes (Db *db, const char *sql, const DbParam *params, const char *what, GError **error);

/* Run @sql with @params and read the first column of its first row: 1 with
 * *@value set (SQL NULL reads 0), 0 when there is no row (*@value untouched),
 * -1 on an error (set, naming @what). */
int db_scalar_int (Db *db, const char *sql, const DbParam *params, gint64 *value, const char *what,
                   GError **error);

/* db_scalar_int for a count or a sum: its value, -1 on an error. */
int db_count (Db *db, const char *sql, const DbParam *params, const char *what, GError **error);

/* Run @sql, a change with RETURNING one integer, into *@value: FALSE on an
 * error, or when no row came back (both set @error, naming @what). */
gboolean db_returning (Db *db, const char *sql, const DbParam *params, gint64 *value, const char *what,
                       GError **error);

/* The same as text: (transfer full), NULL when no row, SQL NULL or an error
 * (then set). */
char *db_scalar_text (Db *db, const char *sql, const DbParam *params, const char *what, GError **error);

/* Builds one object from the current row of a statement. */
typedef gpointer (*DbRowFunc) (sqlite3_stmt *st);

/* Every row of @sql with @params through @from_row, into an array freeing
 * them with @free_row.  (transfer full)  NULL on an error (set, naming @what). */
GPtrArray *db_collect (Db *db, const char *sql, const DbParam *params, DbRowFunc from_row,
                       GDestroyNotify free_row, const char *what, GError **error);

/* The first row of @sql through @from_row; NULL when none (no error set) or on
 * an error.  (transfer full) */
gpointer db_collect_one (Db *db, const char *sql, const DbParam *params, DbRowFunc from_row,
                         GDestroyNotify free_row, const char *what, GError **error);

/* --- typed rows described once ----------------------------------------------
 * Most structs the store hands out are described by one table of their fields
 * in the order a statement selects them (as config.c describes its keys): the
 * same table reads a row and frees it, so a field added to it is never left
 * unread or unfreed.  A statement may select fewer columns than there are
 * fields: the fields past them stay NULL / 0, so fields only some statements
 * fill (Registration.first_start) come last. */

typedef enum {
	DB_FIELD_TEXT,     /* char *, NULL for SQL NULL */
	DB_FIELD_SECRET,   /* char *, wiped before it is freed (a password hash) */
	DB_FIELD_INT,      /* int; SQL NULL reads 0, as for all numbers */
	DB_FIELD_INT64,
	DB_FIELD_UINT32,   /* an IMAP UID or UIDVALIDITY */
	DB_FIELD_BOOL,     /* gboolean: not 0 */
} DbFieldType;

typedef struct {
	DbFieldType type;
	gsize offset;
} DbField;

typedef struct {
	gsize size;
	const DbField *fields;   /* in SELECT order */
	guint n_fields;
	GDestroyNotify free;     /* the struct's public *_free, for the arrays of rows */
} DbRowType;

#define DB_FIELD(type, Struct, member) { DB_FIELD_##type, G_STRUCT_OFFSET (Struct, member) }
#define DB_ROW_TYPE(Struct, fields, free) \
	{ sizeof (Struct), (fields), G_N_ELEMENTS (fields), (GDestroyNotify) (free) }

/* A new row of @type from the current row of @st.  (transfer full) */
gpointer db_row_read (sqlite3_stmt *st, const DbRowType *type);

/* Free @row of @type and every string it holds; NULL is fine. */
void db_row_free (const DbRowType *type, gpointer row);

/* db_collect and db_collect_one for rows of @type (freed with type->free). */
GPtrArray *db_read_rows (Db *db, const char *sql, const DbParam *params, const DbRowType *type, const char *what,
                         GError **error);
gpointer db_read_row (Db *db, const char *sql, const DbParam *params, const DbRowType *type, const char *what,
                      GError **error);

/* Every row of @sql as a GHashTable column name -> string (NULL for SQL NULL),
 * for the listings printed by column name.  (transfer full) */
GPtrArray *db_rows (Db *db, const char *sql, const DbParam *params, GError **error);

/* Column @i as a new string, NULL for SQL NULL.  (transfer full) */
char *db_col_text (sqlite3_stmt *st, int i);

/* sqlite3_exec of @sql (no parameters, no rows), errors as db_fail. */
gboolean db_exec (Db *db, const char *sql, GError **error);

/* --- shared pieces ---------------------------------------------------------- */

/* @seconds before clock_now, as the ISO UTC text the tables hold.  (transfer full) */
char *db_iso_before (gint64 seconds);

/* The outcome named @s (messages.state); OUTCOME_REVIEW for anything else. */
Outcome db_outcome_parse (const char *s);

/* The transaction ends or the catalog changes: what was read of it is stale. */
void db_catalog_forget (Db *db);

void db_catalog_entry_free (CatalogEntry *entry);
void db_event_session_free (EventSession *s);
void db_imap_mailbox_state_free (ImapMailboxState *state);

/* A waitlisted registration holding a place offered to it (promotion = offer). */
#define OPEN_OFFER(r) "(" r ".status = 'waitlisted' AND " r ".offer_deadline IS NOT NULL)"

/* A waitlisted registration's place in its event's queue (1 first), else NULL:
 * counted from the end, since the one asked about is most often the newest
 * (the reply to its form).  Needs the registration as r, its event as e. */
#define POSITION_SQL \
	"CASE WHEN r.status = 'waitlisted' THEN e.waitlisted - (SELECT count(*) FROM registrations w" \
	" WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.arrival > r.arrival) END"

/* --- typed rows (db_types.c) ---------------------------------------------------
 * Each row type reads the columns named here, in this order. */

/* An event's seats taken, waiting list and open offers (Event.taken,
 * .waitlist, .offered).  Needs the event as e. */
#define EVENT_COUNTS \
	"(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed')," \
	" e.waitlisted," \
	" (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND " OPEN_OFFER ("r") ")"

#define EVENT_COLUMNS "e.id, e.code, e.kind, e.title, e.subregion, e.topic, e.seats, e.hours, " EVENT_COUNTS

/* CatalogEntry (an Event with its row id): EVENT_COLUMNS.  A DbRowFunc. */
gpointer db_event_read (sqlite3_stmt *st);

/* EventSession: start, end, place, hours. */
extern const DbRowType db_session_row;

/* Registration, every field but first_start; needs the registration as r,
 * its event as e and its applicant as a. */
#define REGISTRATION_COLUMNS_AT(position) \
	"r.code, e.code, e.kind, e.title, r.status, r.hours, r.applicant_id, a.email, a.first_name," \
	" a.last_name, r.appointment, r.appointment_place, " position ", r.offer_deadline"
#define REGISTRATION_COLUMNS REGISTRATION_COLUMNS_AT (POSITION_SQL)
extern const DbRowType db_registration_row;

/* Registration: code, event, position (NULL: 0), first_start. */
extern const DbRowType db_waiting_row;

/* ReminderRow: code, email, first_name, last_name, event, title, session,
 * start, end, place. */
extern const DbRowType db_reminder_row;

/* OutboxRow. */
#define OUTBOX_COLUMNS "id, message_id, kind, rcpt, subject, state, attempts," \
	" CAST(strftime('%s', created_at) AS INTEGER), warned, coalesce(inbound_id, 0)"
extern const DbRowType db_outbox_row;

/* ImapJournalRow: id, uidvalidity, uid, size, spool_id, rematch, and the
 * state of the message recorded for spool_id (NULL: none).  A DbRowFunc. */
gpointer db_journal_read (sqlite3_stmt *st);

/* ImapMailboxState. */
#define MAILBOX_COLUMNS "mailbox, uidvalidity, last_uid"
extern const DbRowType db_mailbox_row;

/* PurgeRow: id, name. */
extern const DbRowType db_purge_row;

#endif

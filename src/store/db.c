/* db.c - the store's connection: open, schema migrations, transactions, and
 * the helpers the other store files run their statements through.
 *
 * One Db wraps the connection and a cache of prepared statements (prepared
 * once, reset after each use).  The schema is created and migrated by steps
 * keyed on PRAGMA user_version; each step runs in its own transaction.  The
 * domain functions live beside it by concern: db_catalog.c, db_message.c,
 * db_registration.c, db_outbox.c, db_imap.c, db_report.c, db_retention.c,
 * db_audit.c.
 */
#include "store/db_private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "core/errors.h"

const char *const db_migrations[] = {
	/* 1: the core pipeline */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('info_meeting','workshop_group','consulting','training')),"
	"  title TEXT NOT NULL,"
	"  subregion TEXT,"
	"  topic INTEGER,"
	"  seats INTEGER NOT NULL DEFAULT 0,"
	"  hours INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  start TEXT,"
	"  end TEXT,"
	"  place TEXT,"
	"  UNIQUE (event_id, seq)"
	") STRICT;"
	"CREATE TABLE applicants ("
	"  id INTEGER PRIMARY KEY,"
	"  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  first_name TEXT, last_name TEXT, phone TEXT, institution TEXT,"
	"  institution_type TEXT, position TEXT, powiat TEXT, subregion TEXT,"
	"  needs TEXT, topics TEXT, consulting_topic INTEGER,"
	"  created_at TEXT NOT NULL, updated_at TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  spool_id TEXT NOT NULL UNIQUE,"
	"  message_id TEXT,"
	"  hash TEXT NOT NULL,"
	"  sender TEXT,"
	"  subject TEXT,"
	"  state TEXT NOT NULL CHECK (state IN ('registered','rejected','review','ignored','duplicate')),"
	"  reason TEXT,"
	"  form_part TEXT,"
	"  applicant_id INTEGER REFERENCES applicants(id),"
	"  received_at TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX messages_message_id ON messages (message_id);"
	"CREATE INDEX messages_hash ON messages (hash);"
	"CREATE TABLE registrations ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  applicant_id INTEGER NOT NULL REFERENCES applicants(id),"
	"  event_id INTEGER NOT NULL REFERENCES events(id),"
	"  status TEXT NOT NULL CHECK (status IN ('confirmed','waitlisted','requested','cancelled')),"
	"  message_id INTEGER REFERENCES messages(id),"
	"  created_at TEXT NOT NULL,"
	"  UNIQUE (applicant_id, event_id)"
	") STRICT;"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  inbound_id INTEGER REFERENCES messages(id),"
	"  kind TEXT NOT NULL,"
	"  rcpt TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  raw BLOB NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sent','deferred','failed','bounced')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  created_at TEXT NOT NULL,"
	"  sent_at TEXT"
	") STRICT;"
	"CREATE INDEX outbox_state ON outbox (state, id);",
	/* SMTP delivery: retry times, the last reply, an in-flight mark
	 * journalled before each attempt, bounces (RFC 3464) on the row and the
	 * applicant, iCalendar SEQUENCE per registration. */
	"ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE outbox ADD COLUMN sending_since INTEGER;"
	"ALTER TABLE outbox ADD COLUMN last_code INTEGER;"
	"ALTER TABLE outbox ADD COLUMN warned INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE outbox ADD COLUMN dsn_status TEXT;"
	"ALTER TABLE outbox ADD COLUMN dsn_diagnostic TEXT;"
	"ALTER TABLE applicants ADD COLUMN bounced_at TEXT;"
	"ALTER TABLE applicants ADD COLUMN bounce_reason TEXT;"
	"ALTER TABLE registrations ADD COLUMN ical_sequence INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX outbox_rcpt ON outbox (rcpt COLLATE NOCASE, created_at);",
	/* IMAP intake: per mailbox the UIDVALIDITY and the highest UID
	 * journalled; per message its UID, the spool id reserved for it before the
	 * fetch, and whether the server has been told (moved or \Seen). */
	"CREATE TABLE imap_mailboxes ("
	"  mailbox TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL DEFAULT 0,"
	"  server TEXT,"
	"  updated_at TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE imap_messages ("
	"  id INTEGER PRIMARY KEY,"
	"  mailbox TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  size INTEGER NOT NULL DEFAULT 0,"
	"  spool_id TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','acked','gone','stale')),"
	"  rematch INTEGER NOT NULL DEFAULT 0,"
	"  acked_to TEXT,"
	"  created_at TEXT NOT NULL,"
	"  acked_at TEXT,"
	"  UNIQUE (mailbox, uidvalidity, uid)"
	") STRICT;"
	"CREATE INDEX imap_messages_state ON imap_messages (mailbox, state);"
	"CREATE INDEX imap_messages_spool ON imap_messages (spool_id);",
	/* The seat counts of an event (EVENT_COLUMNS) scanned every registration at
	 * each look-up: intake slowed down with the size of the database. */
	"CREATE INDEX IF NOT EXISTS registrations_event ON registrations (event_id, status);",
	/* Message bodies apart from their delivery state: every state change rewrote
	 * the whole row, 20 KB of body included, twice per delivery. */
	"CREATE TABLE outbox_bodies ("
	"  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,"
	"  raw BLOB NOT NULL"
	") STRICT;"
	"INSERT INTO outbox_bodies (outbox_id, raw) SELECT id, raw FROM outbox;"
	"ALTER TABLE outbox DROP COLUMN raw;",
	/* The programme: consulting hours held by a registration, arrival
	 * order for the waiting lists (a cancelled registration taken up again joins
	 * at the end), when it was cancelled, the appointment staff set for a
	 * consulting request, and one row per reminder ever decided (sent or missed)
	 * so none is sent twice; the session's start is part of the key, so a moved
	 * date gets its own reminders. */
	"ALTER TABLE registrations ADD COLUMN hours INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE registrations ADD COLUMN arrival INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE registrations ADD COLUMN cancelled_at TEXT;"
	"ALTER TABLE registrations ADD COLUMN appointment TEXT;"
	"ALTER TABLE registrations ADD COLUMN appointment_place TEXT;"
	"UPDATE registrations SET arrival = id;"
	"CREATE INDEX registrations_queue ON registrations (event_id, status, arrival);"
	"CREATE TABLE reminders ("
	"  id INTEGER PRIMARY KEY,"
	"  registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
	"  session INTEGER NOT NULL,"
	"  session_start TEXT NOT NULL,"
	"  offset_s INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('sent','missed')),"
	"  created_at TEXT NOT NULL,"
	"  UNIQUE (registration_id, session, session_start, offset_s)"
	") STRICT;",
	/* Health (`status`): when each step (intake, delivery) last worked and
	 * last failed, for `mailreg status` and monitoring. */
	"CREATE TABLE health ("
	"  step TEXT PRIMARY KEY,"
	"  last_ok TEXT,"
	"  last_error TEXT,"
	"  error_at TEXT"
	") STRICT;",
	/* Staff review: when a review message was dealt with. */
	"ALTER TABLE messages ADD COLUMN reviewed_at TEXT;",
	/* Placement took max(arrival) over every registration for each new one:
	 * a scan growing with the programme. */
	"CREATE INDEX registrations_arrival ON registrations (arrival);",
	/* A waiting list's length was counted for every placement and every reply
	 * (EVENT_COLUMNS, POSITION_SQL): quadratic in a busy programme.  The
	 * triggers keep it in the event, in the same transaction as the change. */
	"DROP INDEX IF EXISTS registrations_event;"  /* a prefix of registrations_queue */
	"ALTER TABLE events ADD COLUMN waitlisted INTEGER NOT NULL DEFAULT 0;"
	"UPDATE events SET waitlisted = (SELECT count(*) FROM registrations r"
	"  WHERE r.event_id = events.id AND r.status = 'waitlisted');"
	"CREATE TRIGGER registrations_waitlist_insert AFTER INSERT ON registrations"
	"  WHEN new.status = 'waitlisted' BEGIN"
	"  UPDATE events SET waitlisted = waitlisted + 1 WHERE id = new.event_id; END;"
	"CREATE TRIGGER registrations_waitlist_delete AFTER DELETE ON registrations"
	"  WHEN old.status = 'waitlisted' BEGIN"
	"  UPDATE events SET waitlisted = waitlisted - 1 WHERE id = old.event_id; END;"
	"CREATE TRIGGER registrations_waitlist_update AFTER UPDATE OF status, event_id ON registrations"
	"  WHEN (old.status = 'waitlisted') <> (new.status = 'waitlisted') OR old.event_id <> new.event_id BEGIN"
	"  UPDATE events SET waitlisted = waitlisted - (old.status = 'waitlisted') WHERE id = old.event_id;"
	"  UPDATE events SET waitlisted = waitlisted + (new.status = 'waitlisted') WHERE id = new.event_id; END;",
	/* Retention: when the raw copy of a message (spool cur/, inbox
	 * processed/) or of a reply (outgoing folder) was purged; the row stays. */
	"ALTER TABLE messages ADD COLUMN purged_at TEXT;"
	"ALTER TABLE outbox ADD COLUMN purged_at TEXT;",
	/* Promotion by offer: until when a place offered to a waitlisted
	 * registration is held for its answer (unix time).  An open offer is a
	 * waitlisted registration with a deadline; the deadline stays after the
	 * answer or the expiry, so a late "TAK" is recognised.  The note to the
	 * waiting list before an event is decided once per registration. */
	"ALTER TABLE registrations ADD COLUMN offer_deadline INTEGER;"
	"CREATE INDEX registrations_offers ON registrations (offer_deadline)"
	"  WHERE status = 'waitlisted' AND offer_deadline IS NOT NULL;"
	"CREATE TABLE waitlist_notes ("
	"  registration_id INTEGER PRIMARY KEY REFERENCES registrations(id) ON DELETE CASCADE,"
	"  state TEXT NOT NULL CHECK (state IN ('sent','missed')),"
	"  position INTEGER,"
	"  created_at TEXT NOT NULL"
	") STRICT;",
	/* An event's open offers were counted by walking its whole waiting list
	 * (EVENT_COLUMNS), and its consulting hours by reading every request's
	 * row: both per placement and per reply.  Indexes that answer them alone. */
	"DROP INDEX registrations_offers;"
	"CREATE INDEX registrations_offers ON registrations (event_id, offer_deadline)"
	"  WHERE status = 'waitlisted' AND offer_deadline IS NOT NULL;"
	"CREATE INDEX registrations_hours ON registrations (event_id, status, hours);",
	/* Staff actions (console, mail, CLI): who did what to which record, each
	 * row written in the transaction of the action it records.  A message's
	 * reason also as a stable code, for the Polish text staff read. */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  record TEXT,"
	"  detail TEXT"
	") STRICT;"
	"CREATE INDEX audit_record ON audit (record);"
	"ALTER TABLE messages ADD COLUMN reason_code TEXT;",
	/* Attendance: the hours each session counts for (catalog sessionN_hours),
	 * and per registration and session whether staff marked it present or
	 * absent (the last mark stands). */
	"ALTER TABLE sessions ADD COLUMN hours INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE attendance ("
	"  registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
	"  session INTEGER NOT NULL,"
	"  present INTEGER NOT NULL CHECK (present IN (0, 1)),"
	"  recorded_at TEXT NOT NULL,"
	"  PRIMARY KEY (registration_id, session)"
	") STRICT;",
	/* Staff accounts of the web console: an argon2id hash (crypto_pwhash_str),
	 * never the password; wrong passwords in a row and the lock they set. */
	"CREATE TABLE staff ("
	"  id INTEGER PRIMARY KEY,"
	"  login TEXT NOT NULL UNIQUE,"
	"  name TEXT,"
	"  pwhash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  locked_until INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  last_login TEXT"
	") STRICT;",
	/* The fields OCR read from a scan, with how sure it was of each, kept
	 * with the message for the staff who review it. */
	"CREATE TABLE message_fields ("
	"  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  key TEXT NOT NULL,"
	"  value TEXT,"
	"  confidence INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 100),"
	"  PRIMARY KEY (message_id, seq)"
	") STRICT;",
	/* Certificates of attendance: one per registration ever, its number made
	 * from the row id (so unique), the hours it states, how often it was
	 * queued.  Evaluation: per registration the request to rate the event
	 * (decided once: sent or missed, with its Message-ID so a reply is
	 * found), whether the rating was asked again, and the answer. */
	"CREATE TABLE certificates ("
	"  id INTEGER PRIMARY KEY,"
	"  registration_id INTEGER NOT NULL UNIQUE REFERENCES registrations(id) ON DELETE CASCADE,"
	"  number TEXT NOT NULL UNIQUE,"
	"  hours INTEGER NOT NULL,"
	"  queued INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE evaluations ("
	"  registration_id INTEGER PRIMARY KEY REFERENCES registrations(id) ON DELETE CASCADE,"
	"  state TEXT NOT NULL CHECK (state IN ('sent','missed')),"
	"  request_id TEXT,"
	"  asked_at TEXT NOT NULL,"
	"  asked_again INTEGER NOT NULL DEFAULT 0,"
	"  rating INTEGER CHECK (rating BETWEEN 1 AND 5),"
	"  comment TEXT,"
	"  answered_at TEXT"
	") STRICT;"
	"CREATE INDEX evaluations_request ON evaluations (request_id);",
	/* The console's dashboard counted messages by outcome, in all and since
	 * midnight, and /review listed the open items: each count read every
	 * message (seven passes over 20,000 rows per dashboard). */
	"CREATE INDEX messages_state ON messages (state, received_at);"
	"CREATE INDEX messages_open_review ON messages (reviewed_at) WHERE state = 'review';",
	/* An applicant's page lists its messages, by its id or its address: each
	 * read every message. */
	"CREATE INDEX messages_applicant ON messages (applicant_id);"
	"CREATE INDEX messages_sender ON messages (sender COLLATE NOCASE);",
};

const guint db_migrations_n = G_N_ELEMENTS (db_migrations);

const char *
outcome_name (Outcome outcome)
{
	static const char *const names[] = { "registered", "rejected", "review", "ignored", "duplicate" };

	g_return_val_if_fail (outcome <= OUTCOME_DUPLICATE, "review");
	return names[outcome];
}

Outcome
db_outcome_parse (const char *s)
{
	for (Outcome o = OUTCOME_REGISTERED; o <= OUTCOME_DUPLICATE; o++)
		if (g_strcmp0 (s, outcome_name (o)) == 0)
			return o;
	return OUTCOME_REVIEW;
}

/* --- statements ------------------------------------------------------------ */

static int
tempfail_code (int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_FULL ? MAILREG_ERROR_TEMPFAIL
	                                                                     : MAILREG_ERROR_IO;
}

gboolean
db_fail (Db *db, GError **error, const char *what)
{
	g_set_error (error, MAILREG_ERROR, tempfail_code (sqlite3_extended_errcode (db->handle)),
	             "database %s: %s: %s", db->path, what, sqlite3_errmsg (db->handle));
	return FALSE;
}

gboolean
db_exec (Db *db, const char *sql, GError **error)
{
	char *msg = NULL;

	if (sqlite3_exec (db->handle, sql, NULL, NULL, &msg) != SQLITE_OK) {
		g_set_error (error, MAILREG_ERROR, tempfail_code (sqlite3_errcode (db->handle)), "database %s: %s",
		             db->path, msg ? msg : sqlite3_errmsg (db->handle));
		sqlite3_free (msg);
		return FALSE;
	}
	return TRUE;
}

sqlite3_stmt *
db_stmt (Db *db, const char *sql, GError **error)
{
	sqlite3_stmt *st = g_hash_table_lookup (db->stmts, sql);

	if (st != NULL) {
		sqlite3_reset (st);
		sqlite3_clear_bindings (st);
		return st;
	}
	if (sqlite3_prepare_v3 (db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		db_fail (db, error, "prepare");
		return NULL;
	}
	g_hash_table_insert (db->stmts, (gpointer) sql, st);
	return st;
}

void
db_bind_text (sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index (st, name);

	g_assert (i > 0);
	if (value != NULL)
		sqlite3_bind_text (st, i, value, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null (st, i);
}

void
db_bind_int (sqlite3_stmt *st, const char *name, gint64 value)
{
	int i = sqlite3_bind_parameter_index (st, name);

	g_assert (i > 0);
	sqlite3_bind_int64 (st, i, value);
}

/* Now as the ISO UTC text the tables hold, for DB_NOW.  (transfer none)
 * Formatted once a second: a message writes it half a dozen times. */
static const char *
now_iso (Db *db)
{
	g_autoptr (GDateTime) local = clock_now ();
	gint64 second = g_date_time_to_unix (local);

	if (db->now_text == NULL || second != db->now_second) {
		g_autoptr (GDateTime) now = g_date_time_to_utc (local);
		g_free (db->now_text);
		db->now_text = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
		db->now_second = second;
	}
	return db->now_text;
}

sqlite3_stmt *
db_query (Db *db, const char *sql, const DbParam *params, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, sql, error);

	for (const DbParam *p = params; st != NULL && p != NULL && p->type != DB_PARAM_END; p++) {
		if (p->type == DB_PARAM_TEXT)
			db_bind_text (st, p->name, p->text);
		else if (p->type == DB_PARAM_INT)
			db_bind_int (st, p->name, p->num);
		else if (p->type == DB_PARAM_NOW)
			db_bind_text (st, p->name, now_iso (db));
		else
			g_assert (sqlite3_bind_parameter_index (st, p->name) > 0);  /* unbound is NULL */
	}
	return st;
}

gboolean
db_step_done (Db *db, sqlite3_stmt *st, const char *what, GError **error)
{
	int rc = sqlite3_step (st);

	sqlite3_reset (st);
	if (rc != SQLITE_DONE)
		return db_fail (db, error, what);
	return TRUE;
}

gboolean
db_run (Db *db, const char *sql, const DbParam *params, const char *what, GError **error)
{
	sqlite3_stmt *st = db_query (db, sql, params, error);

	return st != NULL && db_step_done (db, st, what, error);
}

int
db_changes (Db *db, const char *sql, const DbParam *params, const char *what, GError **error)
{
	return db_run (db, sql, params, what, error) ? sqlite3_changes (db->handle) : -1;
}

int
db_scalar_int (Db *db, const char *sql, const DbParam *params, gint64 *value, const char *what, GError **error)
{
	sqlite3_stmt *st = db_query (db, sql, params, error);
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step (st)) == SQLITE_ROW)
		*value = sqlite3_column_int64 (st, 0);
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_fail (db, error, what);
		return -1;
	}
	return rc == SQLITE_ROW;
}

int
db_count (Db *db, const char *sql, const DbParam *params, const char *what, GError **error)
{
	gint64 n = 0;

	return db_scalar_int (db, sql, params, &n, what, error) < 0 ? -1 : (int) n;
}

gboolean
db_returning (Db *db, const char *sql, const DbParam *params, gint64 *value, const char *what, GError **error)
{
	int rc = db_scalar_int (db, sql, params, value, what, error);

	if (rc == 0)
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "database %s: %s: no such row", db->path, what);
	return rc == 1;
}

char *
db_scalar_text (Db *db, const char *sql, const DbParam *params, const char *what, GError **error)
{
	sqlite3_stmt *st = db_query (db, sql, params, error);
	char *text = NULL;
	int rc;

	if (st == NULL)
		return NULL;
	if ((rc = sqlite3_step (st)) == SQLITE_ROW)
		text = db_col_text (st, 0);
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_fail (db, error, what);
	return text;
}

/* Every row of @sql through @from_row, or as @type when that is not NULL. */
static GPtrArray *
collect (Db *db, const char *sql, const DbParam *params, DbRowFunc from_row, const DbRowType *type,
         GDestroyNotify free_row, const char *what, GError **error)
{
	g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (free_row);
	sqlite3_stmt *st = db_query (db, sql, params, error);
	int rc;

	if (st == NULL)
		return NULL;
	while ((rc = sqlite3_step (st)) == SQLITE_ROW)
		g_ptr_array_add (rows, type != NULL ? db_row_read (st, type) : from_row (st));
	sqlite3_reset (st);
	if (rc != SQLITE_DONE) {
		db_fail (db, error, what);
		return NULL;
	}
	return g_steal_pointer (&rows);
}

/* The first of @rows (transfer full), NULL when none. */
static gpointer
first_row (GPtrArray *rows)
{
	return rows != NULL && rows->len > 0 ? g_ptr_array_steal_index (rows, 0) : NULL;
}

GPtrArray *
db_collect (Db *db, const char *sql, const DbParam *params, DbRowFunc from_row, GDestroyNotify free_row,
            const char *what, GError **error)
{
	return collect (db, sql, params, from_row, NULL, free_row, what, error);
}

gpointer
db_collect_one (Db *db, const char *sql, const DbParam *params, DbRowFunc from_row, GDestroyNotify free_row,
                const char *what, GError **error)
{
	g_autoptr (GPtrArray) rows = collect (db, sql, params, from_row, NULL, free_row, what, error);

	return first_row (rows);
}

GPtrArray *
db_read_rows (Db *db, const char *sql, const DbParam *params, const DbRowType *type, const char *what,
              GError **error)
{
	return collect (db, sql, params, NULL, type, type->free, what, error);
}

gpointer
db_read_row (Db *db, const char *sql, const DbParam *params, const DbRowType *type, const char *what,
             GError **error)
{
	g_autoptr (GPtrArray) rows = collect (db, sql, params, NULL, type, type->free, what, error);

	return first_row (rows);
}

gpointer
db_row_read (sqlite3_stmt *st, const DbRowType *type)
{
	guint8 *row = g_malloc0 (type->size);
	guint n = MIN (type->n_fields, (guint) sqlite3_column_count (st));

	for (guint i = 0; i < n; i++) {
		gpointer field = row + type->fields[i].offset;
		switch (type->fields[i].type) {
		case DB_FIELD_TEXT:
		case DB_FIELD_SECRET:
			*(char **) field = db_col_text (st, (int) i);
			break;
		case DB_FIELD_INT:
			*(int *) field = sqlite3_column_int (st, (int) i);
			break;
		case DB_FIELD_INT64:
			*(gint64 *) field = sqlite3_column_int64 (st, (int) i);
			break;
		case DB_FIELD_UINT32:
			*(guint32 *) field = (guint32) sqlite3_column_int64 (st, (int) i);
			break;
		case DB_FIELD_BOOL:
			*(gboolean *) field = sqlite3_column_int (st, (int) i) != 0;
			break;
		}
	}
	return row;
}

void
db_row_free (const DbRowType *type, gpointer row)
{
	if (row == NULL)
		return;
	for (guint i = 0; i < type->n_fields; i++) {
		char **text = G_STRUCT_MEMBER_P (row, type->fields[i].offset);
		if (type->fields[i].type == DB_FIELD_SECRET && *text != NULL)
			memset (*text, 0, strlen (*text));
		if (type->fields[i].type == DB_FIELD_TEXT || type->fields[i].type == DB_FIELD_SECRET)
			g_free (*text);
	}
	g_free (row);
}

char *
db_col_text (sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text (st, i);

	return t ? g_strdup ((const char *) t) : NULL;
}

static gpointer
row_table (sqlite3_stmt *st)
{
	GHashTable *row = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

	for (int i = 0; i < sqlite3_column_count (st); i++)
		g_hash_table_insert (row, g_strdup (sqlite3_column_name (st, i)), db_col_text (st, i));
	return row;
}

GPtrArray *
db_rows (Db *db, const char *sql, const DbParam *params, GError **error)
{
	return db_collect (db, sql, params, row_table, (GDestroyNotify) g_hash_table_unref, "read rows", error);
}

/* --- time ------------------------------------------------------------------ */

char *
db_iso_before (gint64 seconds)
{
	g_autoptr (GDateTime) local = clock_now ();
	g_autoptr (GDateTime) utc = g_date_time_to_utc (local);
	g_autoptr (GDateTime) then = g_date_time_add_seconds (utc, (gdouble) -seconds);

	return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

char *
db_iso_days_ago (guint days)
{
	return db_iso_before ((gint64) days * 86400);
}

/* --- open, migrate, close ---------------------------------------------------- */

static gboolean
migrate (Db *db, GError **error)
{
	gint64 version = 0;

	if (db_scalar_int (db, "PRAGMA user_version", NULL, &version, "read schema version", error) < 0)
		return FALSE;
	if (version > (gint64) db_migrations_n) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "database %s: schema version %d is newer than this mailreg knows (%u)",
		             db->path, (int) version, db_migrations_n);
		return FALSE;
	}
	for (; version < (gint64) db_migrations_n; version++) {
		g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", (int) version + 1);
		if (!db_begin (db, error))
			return FALSE;
		if (!db_exec (db, db_migrations[version], error) || !db_exec (db, bump, error)) {
			db_rollback (db);
			return FALSE;
		}
		if (!db_commit (db, error))
			return FALSE;
	}
	return TRUE;
}

static void
stmt_finalize (gpointer st)
{
	sqlite3_finalize (st);
}

Db *
db_open (const char *path, GError **error)
{
	g_autoptr (Db) db = g_new0 (Db, 1);

	db->path = g_strdup (path);
	db->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, stmt_finalize);
	db->catalog = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) db_catalog_entry_free);
	db->candidates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
	/* No open()/close() of our own on the file: closing any descriptor of it
	 * drops every POSIX lock this process holds there, including those of
	 * another connection (a reload opens the new one before closing the old),
	 * and another process would then delete the WAL under us.  Owner-only: a
	 * chmod, before the WAL and shm files exist (SQLite gives them the
	 * database's mode). */
	if (sqlite3_open_v2 (path, &db->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                     NULL)
	    != SQLITE_OK) {
		db_fail (db, error, "open");
		return NULL;
	}
	if (chmod (path, 0600) != 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CANTCREAT, "database %s: %s", path,
		             g_strerror (errno));
		return NULL;
	}
	sqlite3_extended_result_codes (db->handle, 1);
	sqlite3_busy_timeout (db->handle, 10000);
	if (!db_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	                  "PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF; PRAGMA cache_size = -16384;", error))
		return NULL;
	if (!migrate (db, error))
		return NULL;
	return g_steal_pointer (&db);
}

void
db_close (Db *db)
{
	if (db == NULL)
		return;
	g_hash_table_unref (db->stmts);  /* finalizes the statements before the close */
	g_hash_table_unref (db->candidates);   /* before the entries it points to */
	g_hash_table_unref (db->catalog);
	g_free (db->now_text);
	if (db->handle != NULL)
		sqlite3_close_v2 (db->handle);
	g_free (db->path);
	g_free (db);
}

/* --- transactions ------------------------------------------------------------ */

gboolean
db_begin (Db *db, GError **error)
{
	db_catalog_forget (db);
	return db_run (db, "BEGIN IMMEDIATE", NULL, "begin", error);
}

gboolean
db_commit (Db *db, GError **error)
{
	db_catalog_forget (db);
	if (!db_run (db, "COMMIT", NULL, "commit", error)) {
		db_rollback (db);
		return FALSE;
	}
	return TRUE;
}

gboolean
db_end (Db *db, gboolean ok, GError **error)
{
	if (!ok) {
		db_rollback (db);
		return FALSE;
	}
	return db_commit (db, error);
}

gboolean
db_set_durable (Db *db, gboolean durable, GError **error)
{
	return db_exec (db, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", error);
}

void
db_rollback (Db *db)
{
	db_catalog_forget (db);
	if (!sqlite3_get_autocommit (db->handle))
		sqlite3_exec (db->handle, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
db_savepoint (Db *db, GError **error)
{
	return db_run (db, "SAVEPOINT message", NULL, "savepoint", error);
}

gboolean
db_savepoint_release (Db *db, GError **error)
{
	if (!db_run (db, "RELEASE message", NULL, "release savepoint", error)) {
		db_savepoint_rollback (db);
		return FALSE;
	}
	return TRUE;
}

void
db_savepoint_rollback (Db *db)
{
	db_catalog_forget (db);
	/* ROLLBACK TO keeps the savepoint open; RELEASE ends it. */
	if (!sqlite3_get_autocommit (db->handle))
		sqlite3_exec (db->handle, "ROLLBACK TO message; RELEASE message", NULL, NULL, NULL);
}

/* db.c - all of mailreg's SQL.
 *
 * One Db wraps the connection and a cache of prepared statements (prepared
 * once, reset after each use).  The schema is created and migrated by steps
 * keyed on PRAGMA user_version; each step runs in its own transaction.
 */
#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/autoptr.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/ids.h"

/* An event as read in the open transaction: its row id, and its columns and
 * sessions (no seat counts: those are read each time). */
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

static const char *const migrations[] = {
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
};

const char *
outcome_name (Outcome outcome)
{
	static const char *const names[] = { "registered", "rejected", "review", "ignored", "duplicate" };

	g_return_val_if_fail (outcome <= OUTCOME_DUPLICATE, "review");
	return names[outcome];
}

static gboolean
db_fail (Db *db, GError **error, const char *what)
{
	int rc = sqlite3_extended_errcode (db->handle);
	int code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED || (rc & 0xff) == SQLITE_FULL
	           ? MAILREG_ERROR_TEMPFAIL : MAILREG_ERROR_IO;

	g_set_error (error, MAILREG_ERROR, code, "database %s: %s: %s", db->path, what,
	             sqlite3_errmsg (db->handle));
	return FALSE;
}

/* The cached statement for @sql (a string literal), reset and unbound. (transfer none) */
static sqlite3_stmt *
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

static void
bind_text (sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index (st, name);

	g_assert (i > 0);
	if (value != NULL)
		sqlite3_bind_text (st, i, value, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null (st, i);
}

static void
bind_int (sqlite3_stmt *st, const char *name, gint64 value)
{
	int i = sqlite3_bind_parameter_index (st, name);

	g_assert (i > 0);
	sqlite3_bind_int64 (st, i, value);
}

/* Run a statement that returns no rows. */
static gboolean
step_done (Db *db, sqlite3_stmt *st, const char *what, GError **error)
{
	int rc = sqlite3_step (st);

	sqlite3_reset (st);
	if (rc != SQLITE_DONE)
		return db_fail (db, error, what);
	return TRUE;
}

static char *
col_text (sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text (st, i);

	return t ? g_strdup ((const char *) t) : NULL;
}

/* Now as the ISO UTC text the tables hold.  (transfer full)  Formatted once
 * a second: a message writes it half a dozen times. */
static char *
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
	return g_strdup (db->now_text);
}

static gboolean
exec (Db *db, const char *sql, GError **error)
{
	char *msg = NULL;

	if (sqlite3_exec (db->handle, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = sqlite3_errcode (db->handle);
		/* as db_fail: busy, locked and a full disk pass */
		g_set_error (error, MAILREG_ERROR,
		             rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_FULL ? MAILREG_ERROR_TEMPFAIL
		                                                                           : MAILREG_ERROR_IO,
		             "database %s: %s", db->path, msg ? msg : sqlite3_errmsg (db->handle));
		sqlite3_free (msg);
		return FALSE;
	}
	return TRUE;
}

static gboolean
migrate (Db *db, GError **error)
{
	sqlite3_stmt *st;
	int version;

	if ((st = db_stmt (db, "PRAGMA user_version", error)) == NULL)
		return FALSE;
	if (sqlite3_step (st) != SQLITE_ROW)
		return db_fail (db, error, "read schema version");
	version = sqlite3_column_int (st, 0);
	sqlite3_reset (st);

	if (version > (int) G_N_ELEMENTS (migrations)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "database %s: schema version %d is newer than this mailreg knows (%d)",
		             db->path, version, (int) G_N_ELEMENTS (migrations));
		return FALSE;
	}
	for (; version < (int) G_N_ELEMENTS (migrations); version++) {
		g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
		if (!db_begin (db, error))
			return FALSE;
		if (!exec (db, migrations[version], error) || !exec (db, bump, error)) {
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

static void
catalog_entry_free (CatalogEntry *entry)
{
	event_free (entry->ev);
	g_free (entry);
}

/* The transaction ends or the catalog changes: what was read of it is stale. */
static void
catalog_forget (Db *db)
{
	g_hash_table_remove_all (db->candidates);
	g_hash_table_remove_all (db->catalog);
}

/* Only inside a transaction is what was read of the catalog still true. */
static gboolean
catalog_usable (Db *db)
{
	return !sqlite3_get_autocommit (db->handle);
}

Db *
db_open (const char *path, GError **error)
{
	g_autoptr (Db) db = g_new0 (Db, 1);

	db->path = g_strdup (path);
	db->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, stmt_finalize);
	db->catalog = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) catalog_entry_free);
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
	if (!exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	               "PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;", error))
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

gboolean
db_begin (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "BEGIN IMMEDIATE", error);

	catalog_forget (db);

	return st != NULL && step_done (db, st, "begin", error);
}

gboolean
db_commit (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "COMMIT", error);

	catalog_forget (db);
	if (st == NULL || !step_done (db, st, "commit", error)) {
		db_rollback (db);
		return FALSE;
	}
	return TRUE;
}

gboolean
db_set_durable (Db *db, gboolean durable, GError **error)
{
	return exec (db, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", error);
}

void
db_rollback (Db *db)
{
	catalog_forget (db);
	if (!sqlite3_get_autocommit (db->handle))
		sqlite3_exec (db->handle, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
db_savepoint (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SAVEPOINT message", error);

	return st != NULL && step_done (db, st, "savepoint", error);
}

gboolean
db_savepoint_release (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "RELEASE message", error);

	if (st == NULL || !step_done (db, st, "release savepoint", error)) {
		db_savepoint_rollback (db);
		return FALSE;
	}
	return TRUE;
}

void
db_savepoint_rollback (Db *db)
{
	catalog_forget (db);
	/* ROLLBACK TO keeps the savepoint open; RELEASE ends it. */
	if (!sqlite3_get_autocommit (db->handle))
		sqlite3_exec (db->handle, "ROLLBACK TO message; RELEASE message", NULL, NULL, NULL);
}

/* --- catalog ---------------------------------------------------------- */

static void
event_session_free (EventSession *s)
{
	g_free (s->start);
	g_free (s->end);
	g_free (s->place);
	g_free (s);
}

Event *
event_new (void)
{
	Event *ev = g_new0 (Event, 1);

	ev->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) event_session_free);
	return ev;
}

void
event_free (Event *ev)
{
	if (ev == NULL)
		return;
	g_free (ev->code);
	g_free (ev->kind);
	g_free (ev->title);
	g_free (ev->subregion);
	g_ptr_array_unref (ev->sessions);
	g_free (ev);
}

gboolean
db_event_upsert (Db *db, const Event *ev, GError **error)
{
	sqlite3_stmt *st;
	gint64 id;

	catalog_forget (db);

	st = db_stmt (db,
	              "INSERT INTO events (code, kind, title, subregion, topic, seats, hours)"
	              " VALUES (:code, :kind, :title, :subregion, :topic, :seats, :hours)"
	              " ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, title = excluded.title,"
	              " subregion = excluded.subregion, topic = excluded.topic, seats = excluded.seats,"
	              " hours = excluded.hours"
	              " RETURNING id", error);
	if (st == NULL)
		return FALSE;
	bind_text (st, ":code", ev->code);
	bind_text (st, ":kind", ev->kind);
	bind_text (st, ":title", ev->title);
	bind_text (st, ":subregion", ev->subregion);
	if (ev->topic > 0)
		bind_int (st, ":topic", ev->topic);
	bind_int (st, ":seats", ev->seats);
	bind_int (st, ":hours", ev->hours);
	if (sqlite3_step (st) != SQLITE_ROW) {
		db_fail (db, error, "store event");
		sqlite3_reset (st);
		return FALSE;
	}
	id = sqlite3_column_int64 (st, 0);
	sqlite3_reset (st);

	if ((st = db_stmt (db, "DELETE FROM sessions WHERE event_id = :id AND seq > :n", error)) == NULL)
		return FALSE;
	bind_int (st, ":id", id);
	bind_int (st, ":n", ev->sessions->len);
	if (!step_done (db, st, "store sessions", error))
		return FALSE;
	for (guint i = 0; i < ev->sessions->len; i++) {
		const EventSession *s = g_ptr_array_index (ev->sessions, i);
		st = db_stmt (db,
		              "INSERT INTO sessions (event_id, seq, start, end, place)"
		              " VALUES (:id, :seq, :start, :end, :place)"
		              " ON CONFLICT (event_id, seq) DO UPDATE SET start = excluded.start,"
		              " end = excluded.end, place = excluded.place", error);
		if (st == NULL)
			return FALSE;
		bind_int (st, ":id", id);
		bind_int (st, ":seq", i + 1);
		bind_text (st, ":start", s->start);
		bind_text (st, ":end", s->end);
		bind_text (st, ":place", s->place);
		if (!step_done (db, st, "store session", error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
load_sessions (Db *db, gint64 event_id, Event *ev, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT start, end, place FROM sessions WHERE event_id = :id ORDER BY seq",
	                            error);
	int rc;

	if (st == NULL)
		return FALSE;
	bind_int (st, ":id", event_id);
	while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
		EventSession *s = g_new0 (EventSession, 1);
		s->start = col_text (st, 0);
		s->end = col_text (st, 1);
		s->place = col_text (st, 2);
		g_ptr_array_add (ev->sessions, s);
	}
	sqlite3_reset (st);
	return rc == SQLITE_DONE || db_fail (db, error, "read sessions");
}

/* A waitlisted registration holding a place offered to it (promotion = offer). */
#define OPEN_OFFER(r) "(" r ".status = 'waitlisted' AND " r ".offer_deadline IS NOT NULL)"

/* An event's seats taken, waiting list and open offers (Event.taken,
 * .waitlist, .offered).  Needs the event as e. */
#define EVENT_COUNTS \
	"(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed')," \
	" e.waitlisted," \
	" (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND " OPEN_OFFER ("r") ")"

#define EVENT_COLUMNS "e.id, e.code, e.kind, e.title, e.subregion, e.topic, e.seats, e.hours, " EVENT_COUNTS

/* A waitlisted registration's place in its event's queue (1 first), else NULL:
 * counted from the end, since the one asked about is most often the newest
 * (the reply to its form).  Needs the event joined as e. */
#define POSITION_SQL \
	"CASE WHEN r.status = 'waitlisted' THEN e.waitlisted - (SELECT count(*) FROM registrations w" \
	" WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.arrival > r.arrival) END"


static Event *
event_from_row (sqlite3_stmt *st)
{
	Event *ev = event_new ();

	ev->code = col_text (st, 1);
	ev->kind = col_text (st, 2);
	ev->title = col_text (st, 3);
	ev->subregion = col_text (st, 4);
	ev->topic = sqlite3_column_int (st, 5);
	ev->seats = sqlite3_column_int (st, 6);
	ev->hours = sqlite3_column_int (st, 7);
	ev->taken = sqlite3_column_int (st, 8);
	ev->waitlist = sqlite3_column_int (st, 9);
	ev->offered = sqlite3_column_int (st, 10);
	return ev;
}

/* Events from a stepped statement, sessions loaded after the statement is
 * reset; their row ids in *@ids_out when not NULL. */
static GPtrArray *
events_from (Db *db, sqlite3_stmt *st, GArray **ids_out, GError **error)
{
	g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
	g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
	int rc;

	while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64 (st, 0);
		g_array_append_val (ids, id);
		g_ptr_array_add (events, event_from_row (st));
	}
	sqlite3_reset (st);
	if (rc != SQLITE_DONE) {
		db_fail (db, error, "read events");
		return NULL;
	}
	for (guint i = 0; i < events->len; i++)
		if (!load_sessions (db, g_array_index (ids, gint64, i), g_ptr_array_index (events, i), error))
			return NULL;
	if (ids_out != NULL)
		*ids_out = g_steal_pointer (&ids);
	return g_steal_pointer (&events);
}

/* A copy of @ev's columns and sessions.  (transfer full) */
static Event *
event_dup (const Event *ev)
{
	Event *copy = event_new ();

	copy->code = g_strdup (ev->code);
	copy->kind = g_strdup (ev->kind);
	copy->title = g_strdup (ev->title);
	copy->subregion = g_strdup (ev->subregion);
	copy->topic = ev->topic;
	copy->seats = ev->seats;
	copy->hours = ev->hours;
	for (guint k = 0; k < ev->sessions->len; k++) {
		const EventSession *s = g_ptr_array_index (ev->sessions, k);
		EventSession *c = g_new0 (EventSession, 1);
		c->start = g_strdup (s->start);
		c->end = g_strdup (s->end);
		c->place = g_strdup (s->place);
		g_ptr_array_add (copy->sessions, c);
	}
	return copy;
}

/* Keep @events (with row @ids) as read in this transaction; returns their
 * entries, in order.  (transfer container) */
static GPtrArray *
catalog_keep (Db *db, GPtrArray *events, GArray *ids)
{
	GPtrArray *entries = g_ptr_array_sized_new (events->len);

	for (guint i = 0; i < events->len; i++) {
		const Event *ev = g_ptr_array_index (events, i);
		CatalogEntry *entry = g_hash_table_lookup (db->catalog, ev->code);

		if (entry == NULL) {
			entry = g_new0 (CatalogEntry, 1);
			entry->id = g_array_index (ids, gint64, i);
			entry->ev = event_dup (ev);
			g_hash_table_insert (db->catalog, entry->ev->code, entry);
		}
		g_ptr_array_add (entries, entry);
	}
	return entries;
}

/* A kept event with its seat counts as they are now.  (transfer full) */
static Event *
catalog_event (Db *db, const CatalogEntry *entry, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT " EVENT_COUNTS " FROM events e WHERE e.id = :id", error);
	g_autoptr (Event) ev = NULL;
	int rc;

	if (st == NULL)
		return NULL;
	bind_int (st, ":id", entry->id);
	ev = event_dup (entry->ev);
	if ((rc = sqlite3_step (st)) == SQLITE_ROW) {
		ev->taken = sqlite3_column_int (st, 0);
		ev->waitlist = sqlite3_column_int (st, 1);
		ev->offered = sqlite3_column_int (st, 2);
	}
	sqlite3_reset (st);
	if (rc != SQLITE_ROW) {
		/* the row is there: the transaction holds the write lock */
		db_fail (db, error, "read event counts");
		return NULL;
	}
	return g_steal_pointer (&ev);
}

Event *
db_event_find (Db *db, const char *kind, const char *subregion, int topic, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT " EVENT_COLUMNS " FROM events e WHERE e.kind = :kind"
	                            " AND (:subregion IS NULL OR e.subregion = :subregion)"
	                            " AND (:topic = 0 OR e.topic = :topic)"
	                            " ORDER BY e.code LIMIT 1", error);
	g_autoptr (GPtrArray) found = NULL;

	if (st == NULL)
		return NULL;
	bind_text (st, ":kind", kind);
	bind_text (st, ":subregion", subregion);
	bind_int (st, ":topic", topic);
	if ((found = events_from (db, st, NULL, error)) == NULL || found->len == 0)
		return NULL;
	return g_ptr_array_steal_index (found, 0);
}

Event *
db_event_get (Db *db, const char *code, GError **error)
{
	sqlite3_stmt *st;
	g_autoptr (GPtrArray) found = NULL;
	g_autoptr (GArray) ids = NULL;
	const CatalogEntry *entry;

	if (catalog_usable (db) && code != NULL && (entry = g_hash_table_lookup (db->catalog, code)) != NULL)
		return catalog_event (db, entry, error);
	if ((st = db_stmt (db, "SELECT " EVENT_COLUMNS " FROM events e WHERE e.code = :code", error)) == NULL)
		return NULL;
	bind_text (st, ":code", code);
	if ((found = events_from (db, st, &ids, error)) == NULL || found->len == 0)
		return NULL;
	if (catalog_usable (db))
		g_ptr_array_unref (catalog_keep (db, found, ids));
	return g_ptr_array_steal_index (found, 0);
}

GPtrArray *
db_events_list (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT " EVENT_COLUMNS " FROM events e ORDER BY e.code", error);

	return st ? events_from (db, st, NULL, error) : NULL;
}

/* --- inbound messages --------------------------------------------------- */

void
inbound_record_clear (InboundRecord *rec)
{
	g_free (rec->spool_id);
	g_free (rec->message_id);
	g_free (rec->hash);
	g_free (rec->sender);
	g_free (rec->subject);
	g_free (rec->form_part);
	g_free (rec->reason);
	memset (rec, 0, sizeof *rec);
}

static Outcome
outcome_parse (const char *s)
{
	for (Outcome o = OUTCOME_REGISTERED; o <= OUTCOME_DUPLICATE; o++)
		if (g_strcmp0 (s, outcome_name (o)) == 0)
			return o;
	return OUTCOME_REVIEW;
}

gboolean
db_message_recorded (Db *db, const char *spool_id, Outcome *outcome, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT state FROM messages WHERE spool_id = :spool", error);
	int rc;

	if (st == NULL)
		return FALSE;
	bind_text (st, ":spool", spool_id);
	rc = sqlite3_step (st);
	if (rc == SQLITE_ROW && outcome != NULL)
		*outcome = outcome_parse ((const char *) sqlite3_column_text (st, 0));
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_fail (db, error, "look up spool file");
	return rc == SQLITE_ROW;
}

char *
db_message_mid (Db *db, const char *spool_id, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT message_id FROM messages WHERE spool_id = :spool", error);
	char *mid = NULL;
	int rc;

	if (st == NULL)
		return NULL;
	bind_text (st, ":spool", spool_id);
	if ((rc = sqlite3_step (st)) == SQLITE_ROW)
		mid = col_text (st, 0);
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_fail (db, error, "look up Message-ID");
	return mid;
}

gboolean
db_message_seen (Db *db, const char *message_id, const char *hash, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT 1 FROM messages WHERE state <> 'duplicate' AND"
	                            " (message_id = :mid OR (:mid IS NULL AND message_id IS NULL AND hash = :hash))"
	                            " LIMIT 1", error);
	int rc;

	if (st == NULL)
		return FALSE;
	bind_text (st, ":mid", message_id);
	bind_text (st, ":hash", hash);
	rc = sqlite3_step (st);
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_fail (db, error, "look up Message-ID");
	return rc == SQLITE_ROW;
}

gint64
db_message_insert (Db *db, const InboundRecord *rec, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "INSERT INTO messages (spool_id, message_id, hash, sender, subject, state,"
	                            " reason, form_part, received_at) VALUES (:spool, :mid, :hash, :sender,"
	                            " :subject, :state, :reason, :part, :now)", error);

	if (st == NULL)
		return 0;
	bind_text (st, ":spool", rec->spool_id);
	bind_text (st, ":mid", rec->message_id);
	bind_text (st, ":hash", rec->hash);
	bind_text (st, ":sender", rec->sender);
	bind_text (st, ":subject", rec->subject);
	bind_text (st, ":state", outcome_name (rec->outcome));
	bind_text (st, ":reason", rec->reason);
	bind_text (st, ":part", rec->form_part);
	bind_text (st, ":now", now);
	if (!step_done (db, st, "record message", error))
		return 0;
	return sqlite3_last_insert_rowid (db->handle);
}

gboolean
db_message_append_reason (Db *db, gint64 message_row, const char *note, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "UPDATE messages SET reason = CASE WHEN reason IS NULL OR reason = ''"
	                            " THEN :note ELSE reason || '; ' || :note END WHERE id = :id", error);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":note", note);
	bind_int (st, ":id", message_row);
	return step_done (db, st, "note message reason", error);
}

gboolean
db_message_set_applicant (Db *db, gint64 message_row, gint64 applicant_id, const char *reason,
                          GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "UPDATE messages SET applicant_id = :a, reason = :reason WHERE id = :id",
	                            error);

	if (st == NULL)
		return FALSE;
	bind_int (st, ":a", applicant_id);
	bind_text (st, ":reason", reason);
	bind_int (st, ":id", message_row);
	return step_done (db, st, "link message", error);
}

/* --- applicants and registrations ------------------------------------- */

gint64
db_applicant_upsert (Db *db, const Application *app, gboolean *created, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st;
	gint64 id;

	st = db_stmt (db, "SELECT id FROM applicants WHERE email = :email", error);
	if (st == NULL)
		return 0;
	bind_text (st, ":email", app->email);
	*created = sqlite3_step (st) != SQLITE_ROW;
	sqlite3_reset (st);

	/* A resubmission updates what the new form says and keeps what it leaves out. */
	st = db_stmt (db,
	              "INSERT INTO applicants (email, first_name, last_name, phone, institution,"
	              " institution_type, position, powiat, subregion, needs, topics, consulting_topic,"
	              " created_at, updated_at) VALUES (:email, :first, :last, :phone, :inst, :itype,"
	              " :pos, :powiat, :sub, :needs, :topics, :ctopic, :now, :now)"
	              " ON CONFLICT (email) DO UPDATE SET first_name = excluded.first_name,"
	              " last_name = excluded.last_name, phone = coalesce(excluded.phone, phone),"
	              " institution = excluded.institution,"
	              " institution_type = coalesce(excluded.institution_type, institution_type),"
	              " position = coalesce(excluded.position, position), powiat = excluded.powiat,"
	              " subregion = excluded.subregion, needs = coalesce(excluded.needs, needs),"
	              " topics = coalesce(excluded.topics, topics),"
	              " consulting_topic = coalesce(excluded.consulting_topic, consulting_topic),"
	              " updated_at = excluded.updated_at RETURNING id", error);
	if (st == NULL)
		return 0;
	bind_text (st, ":email", app->email);
	bind_text (st, ":first", app->first_name);
	bind_text (st, ":last", app->last_name);
	bind_text (st, ":phone", app->phone);
	bind_text (st, ":inst", app->institution);
	bind_text (st, ":itype", app->institution_type);
	bind_text (st, ":pos", app->position);
	bind_text (st, ":powiat", app->powiat);
	bind_text (st, ":sub", app->subregion);
	bind_text (st, ":needs", app->needs);
	bind_text (st, ":topics", app->topics);
	if (app->consulting_topic > 0)
		bind_int (st, ":ctopic", app->consulting_topic);
	bind_text (st, ":now", now);
	if (sqlite3_step (st) != SQLITE_ROW) {
		db_fail (db, error, "store applicant");
		sqlite3_reset (st);
		return 0;
	}
	id = sqlite3_column_int64 (st, 0);
	sqlite3_reset (st);
	return id;
}

gboolean
db_registration_add (Db *db, gint64 applicant_id, const char *event_code, const char *status, int hours,
                     gint64 message_row, char **code, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st;

	*code = NULL;
	/* A code collision (1 in 2^40 per pair) just draws again. */
	for (int attempt = 0; attempt < 5; attempt++) {
		g_autofree char *candidate = ids_registration_code ();
		int rc;

		st = db_stmt (db,
		              "INSERT INTO registrations (code, applicant_id, event_id, status, hours, message_id,"
		              " created_at, arrival) SELECT :code, :a, id, :status, :hours, :m, :now,"
		              " (SELECT coalesce(max(arrival), 0) + 1 FROM registrations) FROM events"
		              " WHERE code = :event ON CONFLICT (applicant_id, event_id) DO NOTHING", error);
		if (st == NULL)
			return FALSE;
		bind_text (st, ":code", candidate);
		bind_int (st, ":a", applicant_id);
		bind_text (st, ":status", status);
		bind_int (st, ":hours", hours);
		if (message_row > 0)
			bind_int (st, ":m", message_row);
		bind_text (st, ":now", now);
		bind_text (st, ":event", event_code);
		rc = sqlite3_step (st);
		sqlite3_reset (st);
		if (rc == SQLITE_DONE) {
			if (sqlite3_changes (db->handle) == 1)
				*code = g_steal_pointer (&candidate);
			return TRUE;
		}
		if (sqlite3_extended_errcode (db->handle) != SQLITE_CONSTRAINT_UNIQUE)
			return db_fail (db, error, "store registration");
	}
	return db_fail (db, error, "store registration");
}

/* --- outbox ------------------------------------------------------------- */

void
outbox_row_free (OutboxRow *row)
{
	if (row == NULL)
		return;
	g_free (row->message_id);
	g_free (row->kind);
	g_free (row->rcpt);
	g_free (row->subject);
	g_free (row->state);
	g_free (row->created_at);
	g_free (row->sent_at);
	g_free (row);
}

gboolean
db_outbox_add (Db *db, gint64 inbound_row, const char *kind, const char *rcpt, const char *subject,
               const char *message_id, GBytes *raw, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "INSERT INTO outbox (message_id, inbound_id, kind, rcpt, subject,"
	                            " created_at) VALUES (:mid, :in, :kind, :rcpt, :subject, :now)",
	                            error);
	gsize len;
	const void *data = g_bytes_get_data (raw, &len);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":mid", message_id);
	if (inbound_row > 0)
		bind_int (st, ":in", inbound_row);
	bind_text (st, ":kind", kind);
	bind_text (st, ":rcpt", rcpt);
	bind_text (st, ":subject", subject);
	bind_text (st, ":now", now);
	if (!step_done (db, st, "queue reply", error))
		return FALSE;
	st = db_stmt (db, "INSERT INTO outbox_bodies (outbox_id, raw) VALUES (:id, :raw)", error);
	if (st == NULL)
		return FALSE;
	bind_int (st, ":id", sqlite3_last_insert_rowid (db->handle));
	sqlite3_bind_blob64 (st, sqlite3_bind_parameter_index (st, ":raw"), data, len, SQLITE_STATIC);
	return step_done (db, st, "queue reply", error);
}

static GPtrArray *rows_of (Db *db, sqlite3_stmt *st, GError **error);

#define OUTBOX_COLUMNS "id, message_id, kind, rcpt, subject, state, attempts," \
	" CAST(strftime('%s', created_at) AS INTEGER), warned, coalesce(inbound_id, 0)"

static OutboxRow *
outbox_from_row (sqlite3_stmt *st)
{
	OutboxRow *row = g_new0 (OutboxRow, 1);

	row->id = sqlite3_column_int64 (st, 0);
	row->message_id = col_text (st, 1);
	row->kind = col_text (st, 2);
	row->rcpt = col_text (st, 3);
	row->subject = col_text (st, 4);
	row->state = col_text (st, 5);
	row->attempts = sqlite3_column_int (st, 6);
	row->queued_unix = sqlite3_column_int64 (st, 7);
	row->warned = sqlite3_column_int (st, 8) != 0;
	row->inbound_id = sqlite3_column_int64 (st, 9);
	return row;
}

GPtrArray *
db_outbox_due (Db *db, gint64 now, GError **error)
{
	g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_row_free);
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state IN ('queued','deferred')"
	                            " AND next_attempt_at <= :now ORDER BY id", error);
	int rc;

	if (st == NULL)
		return NULL;
	bind_int (st, ":now", now);
	while ((rc = sqlite3_step (st)) == SQLITE_ROW)
		g_ptr_array_add (rows, outbox_from_row (st));
	sqlite3_reset (st);
	if (rc != SQLITE_DONE) {
		db_fail (db, error, "read outbox");
		return NULL;
	}
	return g_steal_pointer (&rows);
}

gboolean
db_outbox_next_attempt (Db *db, gint64 after, gint64 *when, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT min(next_attempt_at) FROM outbox WHERE state IN ('queued','deferred')"
	                            " AND next_attempt_at > :after", error);
	int rc;

	*when = 0;
	if (st == NULL)
		return FALSE;
	bind_int (st, ":after", after);
	if ((rc = sqlite3_step (st)) == SQLITE_ROW)
		*when = sqlite3_column_int64 (st, 0);
	sqlite3_reset (st);
	return rc == SQLITE_ROW || db_fail (db, error, "read outbox");
}

GBytes *
db_outbox_raw (Db *db, gint64 id, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT raw FROM outbox_bodies WHERE outbox_id = :id", error);
	GBytes *raw = NULL;

	if (st == NULL)
		return NULL;
	bind_int (st, ":id", id);
	if (sqlite3_step (st) == SQLITE_ROW)
		raw = g_bytes_new (sqlite3_column_blob (st, 0), (gsize) sqlite3_column_bytes (st, 0));
	else
		db_fail (db, error, "read queued message");
	sqlite3_reset (st);
	return raw;
}

gboolean
db_outbox_sending (Db *db, gint64 id, gint64 now, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "UPDATE outbox SET sending_since = :now WHERE id = :id", error);

	if (st == NULL)
		return FALSE;
	bind_int (st, ":now", now);
	bind_int (st, ":id", id);
	return step_done (db, st, "journal delivery attempt", error);
}

GPtrArray *
db_outbox_interrupted (Db *db, GError **error)
{
	g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
	sqlite3_stmt *st = db_stmt (db,
	                            "UPDATE outbox SET sending_since = NULL WHERE sending_since IS NOT NULL"
	                            " RETURNING message_id", error);
	int rc;

	if (st == NULL)
		return NULL;
	while ((rc = sqlite3_step (st)) == SQLITE_ROW)
		g_ptr_array_add (ids, col_text (st, 0));
	sqlite3_reset (st);
	if (rc != SQLITE_DONE) {
		db_fail (db, error, "recover interrupted deliveries");
		return NULL;
	}
	return g_steal_pointer (&ids);
}

gboolean
db_outbox_result (Db *db, gint64 id, const char *state, int code, const char *text,
                  gint64 next_attempt, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "UPDATE outbox SET state = :state, attempts = attempts + 1,"
	                            " sending_since = NULL, last_code = :code, last_error = :text,"
	                            " next_attempt_at = :next,"
	                            " sent_at = CASE WHEN :state = 'sent' THEN :now ELSE sent_at END"
	                            " WHERE id = :id", error);

	g_return_val_if_fail (g_strv_contains ((const char *const[]) { "sent", "deferred", "failed", NULL }, state),
	                      FALSE);
	if (st == NULL)
		return FALSE;
	bind_text (st, ":state", state);
	if (code > 0)
		bind_int (st, ":code", code);
	bind_text (st, ":text", text);
	bind_int (st, ":next", next_attempt);
	bind_text (st, ":now", now);
	bind_int (st, ":id", id);
	return step_done (db, st, "mark delivery", error);
}

gboolean
db_outbox_set_warned (Db *db, gint64 id, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "UPDATE outbox SET warned = 1 WHERE id = :id", error);

	if (st == NULL)
		return FALSE;
	bind_int (st, ":id", id);
	return step_done (db, st, "mark delay warning", error);
}

OutboxRow *
db_outbox_find (Db *db, const char *message_id, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE message_id = :mid", error);
	OutboxRow *row = NULL;
	int rc;

	if (st == NULL)
		return NULL;
	bind_text (st, ":mid", message_id);
	if ((rc = sqlite3_step (st)) == SQLITE_ROW)
		row = outbox_from_row (st);
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_fail (db, error, "look up outbox Message-ID");
	return row;
}

gboolean
db_outbox_bounce (Db *db, gint64 id, const char *status, const char *diagnostic, GError **error)
{
	g_autofree char *now = now_iso (db);
	g_autofree char *reason = g_strdup_printf ("%s %s", status ? status : "5.0.0", diagnostic ? diagnostic : "");
	sqlite3_stmt *st = db_stmt (db,
	                            "UPDATE outbox SET state = 'bounced', dsn_status = :status,"
	                            " dsn_diagnostic = :diag WHERE id = :id", error);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":status", status);
	bind_text (st, ":diag", diagnostic);
	bind_int (st, ":id", id);
	if (!step_done (db, st, "mark bounce", error))
		return FALSE;
	st = db_stmt (db,
	              "UPDATE applicants SET bounced_at = :now, bounce_reason = :reason"
	              " WHERE email = (SELECT rcpt FROM outbox WHERE id = :id)", error);
	if (st == NULL)
		return FALSE;
	bind_text (st, ":now", now);
	bind_text (st, ":reason", g_strstrip (reason));
	bind_int (st, ":id", id);
	return step_done (db, st, "flag bounced applicant", error);
}

/* @seconds before now, as the ISO UTC text the tables hold. */
static char *
iso_before (gint64 seconds)
{
	g_autoptr (GDateTime) local = clock_now ();
	g_autoptr (GDateTime) utc = g_date_time_to_utc (local);
	g_autoptr (GDateTime) then = g_date_time_add_seconds (utc, (gdouble) -seconds);

	return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

int
db_outbox_replies_today (Db *db, const char *rcpt, GError **error)
{
	g_autofree char *since = iso_before (86400);
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT count(*) FROM outbox WHERE rcpt = :rcpt COLLATE NOCASE"
	                            " AND created_at >= :since AND kind NOT IN ('staff','digest')", error);
	int n = -1;

	if (st == NULL)
		return -1;
	bind_text (st, ":rcpt", rcpt);
	bind_text (st, ":since", since);
	if (sqlite3_step (st) == SQLITE_ROW)
		n = sqlite3_column_int (st, 0);
	else
		db_fail (db, error, "count replies");
	sqlite3_reset (st);
	return n;
}

GPtrArray *
db_digest_registrations (Db *db, const char *since, const char *until, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT e.code AS event, e.title, count(r.id) AS new FROM events e"
	                            " JOIN registrations r ON r.event_id = e.id AND r.created_at >= :since"
	                            " AND r.created_at < :until GROUP BY e.id ORDER BY e.code", error);

	if (st == NULL)
		return NULL;
	bind_text (st, ":since", since);
	bind_text (st, ":until", until);
	return rows_of (db, st, error);
}

int
db_messages_count_since (Db *db, const char *state, const char *since, const char *until, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT count(*) FROM messages WHERE state = :state"
	                            " AND (:since IS NULL OR received_at >= :since) AND received_at < :until", error);
	int n = -1;

	if (st == NULL)
		return -1;
	bind_text (st, ":state", state);
	bind_text (st, ":since", since);
	bind_text (st, ":until", until);
	if (sqlite3_step (st) == SQLITE_ROW)
		n = sqlite3_column_int (st, 0);
	else
		db_fail (db, error, "count messages");
	sqlite3_reset (st);
	return n;
}

int
db_outbox_count_since (Db *db, const char *state, const char *since, const char *until, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT count(*) FROM outbox WHERE state = :state AND created_at >= :since"
	                            " AND created_at < :until", error);
	int n = -1;

	if (st == NULL)
		return -1;
	bind_text (st, ":state", state);
	bind_text (st, ":since", since);
	bind_text (st, ":until", until);
	if (sqlite3_step (st) == SQLITE_ROW)
		n = sqlite3_column_int (st, 0);
	else
		db_fail (db, error, "count outgoing mail");
	sqlite3_reset (st);
	return n;
}

char *
db_last_digest (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT max(created_at) FROM outbox WHERE kind = 'digest'", error);
	char *when = NULL;

	if (st == NULL)
		return NULL;
	if (sqlite3_step (st) == SQLITE_ROW)
		when = col_text (st, 0);
	else
		db_fail (db, error, "find the last digest");
	sqlite3_reset (st);
	return when;
}

gboolean
db_health_record (Db *db, const char *step, const char *error_text, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "INSERT INTO health (step, last_ok, last_error, error_at)"
	                            " VALUES (:step, CASE WHEN :err IS NULL THEN :now END, :err,"
	                            " CASE WHEN :err IS NOT NULL THEN :now END)"
	                            " ON CONFLICT (step) DO UPDATE SET"
	                            " last_ok = CASE WHEN :err IS NULL THEN :now ELSE last_ok END,"
	                            " last_error = CASE WHEN :err IS NULL THEN last_error ELSE :err END,"
	                            " error_at = CASE WHEN :err IS NULL THEN error_at ELSE :now END", error);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":step", step);
	bind_text (st, ":err", error_text);
	bind_text (st, ":now", now);
	return step_done (db, st, "record health", error);
}

GPtrArray *
db_health_list (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT step, last_ok, last_error, error_at FROM health ORDER BY step",
	                            error);

	return st ? rows_of (db, st, error) : NULL;
}

GPtrArray *
db_status_counts (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT 'outbox_' || state AS name, count(*) AS n FROM outbox GROUP BY state"
	                            " UNION ALL SELECT 'review', count(*) FROM messages WHERE state = 'review'"
	                            " UNION ALL SELECT 'review_oldest', min(received_at) FROM messages"
	                            "  WHERE state = 'review'"
	                            " UNION ALL SELECT 'imap_' || mailbox, uidvalidity || ' ' || last_uid"
	                            "  FROM imap_mailboxes", error);

	return st ? rows_of (db, st, error) : NULL;
}

int
db_registration_next_sequence (Db *db, const char *code, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "UPDATE registrations SET ical_sequence = ical_sequence + 1 WHERE code = :code"
	                            " RETURNING ical_sequence - 1", error);
	int n = -1;

	if (st == NULL)
		return -1;
	bind_text (st, ":code", code);
	if (sqlite3_step (st) == SQLITE_ROW)
		n = sqlite3_column_int (st, 0);
	else
		db_fail (db, error, "bump calendar sequence");
	sqlite3_reset (st);
	return n;
}

/* --- listings ------------------------------------------------------------ */

/* Every row of @st as a GHashTable column name -> string (NULL for SQL NULL). */
static GPtrArray *
rows_of (Db *db, sqlite3_stmt *st, GError **error)
{
	g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
	int rc;

	while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
		GHashTable *row = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
		for (int i = 0; i < sqlite3_column_count (st); i++)
			g_hash_table_insert (row, g_strdup (sqlite3_column_name (st, i)), col_text (st, i));
		g_ptr_array_add (rows, row);
	}
	sqlite3_reset (st);
	if (rc != SQLITE_DONE) {
		db_fail (db, error, "read rows");
		return NULL;
	}
	return g_steal_pointer (&rows);
}

GPtrArray *
db_messages_list (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT message_id, sender AS \"from\", subject, state, reason, form_part,"
	                            " received_at, purged_at FROM messages ORDER BY id", error);

	return st ? rows_of (db, st, error) : NULL;
}

GPtrArray *
db_outbox_list (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT message_id, rcpt AS \"to\", kind, subject, state, attempts,"
	                            " last_code, last_error, created_at, sent_at,"
	                            " CASE WHEN state = 'deferred' THEN strftime('%Y-%m-%dT%H:%M:%SZ',"
	                            " next_attempt_at, 'unixepoch') END AS next_attempt_at,"
	                            " dsn_status, dsn_diagnostic FROM outbox ORDER BY id", error);

	return st ? rows_of (db, st, error) : NULL;
}

GPtrArray *
db_applicants_list (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT id, first_name, last_name, email, phone, institution,"
	                            " institution_type, position, powiat, subregion, needs, topics,"
	                            " consulting_topic, created_at, updated_at FROM applicants ORDER BY id",
	                            error);

	return st ? rows_of (db, st, error) : NULL;
}

GPtrArray *
db_registrations_of (Db *db, gint64 applicant_id, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT r.code, e.code AS event, e.kind, r.status, e.title, r.hours,"
	                            " " POSITION_SQL " AS position,"
	                            " CASE WHEN " OPEN_OFFER ("r") " THEN strftime('%Y-%m-%dT%H:%M:%SZ',"
	                            " r.offer_deadline, 'unixepoch') END AS offer_until"
	                            " FROM registrations r JOIN events e ON e.id = r.event_id"
	                            " WHERE r.applicant_id = :a ORDER BY r.id", error);

	if (st == NULL)
		return NULL;
	bind_int (st, ":a", applicant_id);
	return rows_of (db, st, error);
}

gboolean
db_message_counts (Db *db, int counts[5], GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT state, count(*) FROM messages GROUP BY state", error);
	int rc;

	if (st == NULL)
		return FALSE;
	memset (counts, 0, 5 * sizeof *counts);
	while ((rc = sqlite3_step (st)) == SQLITE_ROW)
		counts[outcome_parse ((const char *) sqlite3_column_text (st, 0))] = sqlite3_column_int (st, 1);
	sqlite3_reset (st);
	return rc == SQLITE_DONE || db_fail (db, error, "count messages");
}

/* --- IMAP sync state ------------------------------------------------------- */

gboolean
db_imap_mailbox_get (Db *db, const char *mailbox, guint32 *uidvalidity, guint32 *last_uid, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT uidvalidity, last_uid FROM imap_mailboxes WHERE mailbox = :m", error);
	int rc;

	if (st == NULL)
		return FALSE;
	bind_text (st, ":m", mailbox);
	rc = sqlite3_step (st);
	if (rc == SQLITE_ROW) {
		*uidvalidity = (guint32) sqlite3_column_int64 (st, 0);
		*last_uid = (guint32) sqlite3_column_int64 (st, 1);
	}
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_fail (db, error, "read IMAP state");
	return rc == SQLITE_ROW;
}

gboolean
db_imap_mailbox_set (Db *db, const char *mailbox, guint32 uidvalidity, guint32 last_uid, const char *server,
                     GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "INSERT INTO imap_mailboxes (mailbox, uidvalidity, last_uid, server, updated_at)"
	                            " VALUES (:m, :v, :u, :s, :now) ON CONFLICT (mailbox) DO UPDATE SET"
	                            " uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"
	                            " server = excluded.server, updated_at = excluded.updated_at", error);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":m", mailbox);
	bind_int (st, ":v", uidvalidity);
	bind_int (st, ":u", last_uid);
	bind_text (st, ":s", server);
	bind_text (st, ":now", now);
	return step_done (db, st, "store IMAP state", error);
}

gboolean
db_imap_journal_add (Db *db, const char *mailbox, guint32 uidvalidity, guint32 uid, guint64 size,
                     const char *spool_id, gboolean rematch, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "INSERT INTO imap_messages (mailbox, uidvalidity, uid, size, spool_id, rematch,"
	                            " created_at) VALUES (:m, :v, :u, :size, :spool, :rematch, :now)"
	                            " ON CONFLICT (mailbox, uidvalidity, uid) DO NOTHING", error);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":m", mailbox);
	bind_int (st, ":v", uidvalidity);
	bind_int (st, ":u", uid);
	bind_int (st, ":size", (gint64) size);
	bind_text (st, ":spool", spool_id);
	bind_int (st, ":rematch", rematch);
	bind_text (st, ":now", now);
	return step_done (db, st, "journal IMAP message", error);
}

void
imap_journal_row_free (ImapJournalRow *row)
{
	if (row == NULL)
		return;
	g_free (row->spool_id);
	g_free (row);
}

GPtrArray *
db_imap_pending (Db *db, const char *mailbox, GError **error)
{
	g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) imap_journal_row_free);
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT i.id, i.uidvalidity, i.uid, i.size, i.spool_id, i.rematch, m.state"
	                            " FROM imap_messages i LEFT JOIN messages m ON m.spool_id = i.spool_id"
	                            " WHERE i.mailbox = :m AND i.state = 'pending' ORDER BY i.uidvalidity, i.uid",
	                            error);
	int rc;

	if (st == NULL)
		return NULL;
	bind_text (st, ":m", mailbox);
	while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
		ImapJournalRow *row = g_new0 (ImapJournalRow, 1);
		row->id = sqlite3_column_int64 (st, 0);
		row->uidvalidity = (guint32) sqlite3_column_int64 (st, 1);
		row->uid = (guint32) sqlite3_column_int64 (st, 2);
		row->size = (guint64) sqlite3_column_int64 (st, 3);
		row->spool_id = col_text (st, 4);
		row->rematch = sqlite3_column_int (st, 5) != 0;
		row->recorded = sqlite3_column_type (st, 6) != SQLITE_NULL;
		if (row->recorded)
			row->outcome = outcome_parse ((const char *) sqlite3_column_text (st, 6));
		g_ptr_array_add (rows, row);
	}
	sqlite3_reset (st);
	if (rc != SQLITE_DONE) {
		db_fail (db, error, "read IMAP journal");
		return NULL;
	}
	return g_steal_pointer (&rows);
}

gboolean
db_imap_set_states (Db *db, const gint64 *ids, guint n, const char *state, const char *acked_to,
                    GError **error)
{
	g_autofree char *now = now_iso (db);
	g_autoptr (GString) list = g_string_sized_new (12 * n + 2);
	sqlite3_stmt *st;

	if (n == 0)
		return TRUE;
	/* a JSON array: a statement per row was most of an acknowledgement's cost */
	for (guint i = 0; i < n; i++)
		g_string_append_printf (list, "%c%" G_GINT64_FORMAT, i ? ',' : '[', ids[i]);
	g_string_append_c (list, ']');
	st = db_stmt (db,
	              "UPDATE imap_messages SET state = :state, acked_to = :to,"
	              " acked_at = CASE WHEN :state = 'acked' THEN :now END"
	              " WHERE id IN (SELECT value FROM json_each(:ids))", error);
	if (st == NULL)
		return FALSE;
	bind_text (st, ":state", state);
	bind_text (st, ":to", acked_to);
	bind_text (st, ":now", now);
	bind_text (st, ":ids", list->str);
	return step_done (db, st, "update IMAP journal", error);
}

gboolean
db_imap_set_state (Db *db, gint64 id, const char *state, const char *acked_to, GError **error)
{
	return db_imap_set_states (db, &id, 1, state, acked_to, error);
}

gboolean
db_imap_set_spool (Db *db, gint64 id, const char *spool_id, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "UPDATE imap_messages SET spool_id = :spool, rematch = 0 WHERE id = :id",
	                            error);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":spool", spool_id);
	bind_int (st, ":id", id);
	return step_done (db, st, "update IMAP journal", error);
}

char *
db_message_find (Db *db, const char *message_id, const char *hash, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT spool_id FROM messages WHERE"
	                            " (:mid IS NOT NULL AND message_id = :mid) OR (:mid IS NULL AND hash = :hash)"
	                            " ORDER BY id LIMIT 1", error);
	char *spool_id = NULL;
	int rc;

	if (st == NULL)
		return NULL;
	bind_text (st, ":mid", message_id);
	bind_text (st, ":hash", hash);
	rc = sqlite3_step (st);
	if (rc == SQLITE_ROW)
		spool_id = col_text (st, 0);
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_fail (db, error, "look up message");
	return spool_id;
}

/* --- the programme: places, waiting lists, reminders ------------------------ */

GPtrArray *
db_event_candidates (Db *db, const char *kind, const char *subregion, int topic, GError **error)
{
	/* the arguments, NULL apart from "" (\x1f and \x1e are in no event's kind or subregion) */
	g_autofree char *key = g_strdup_printf ("%s\x1f%s\x1f%d", kind ? kind : "\x1e",
	                                        subregion ? subregion : "\x1e", topic);
	GPtrArray *kept = catalog_usable (db) ? g_hash_table_lookup (db->candidates, key) : NULL;
	g_autoptr (GPtrArray) events = NULL;
	g_autoptr (GArray) ids = NULL;
	sqlite3_stmt *st;

	if (kept != NULL) {
		events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
		for (guint i = 0; i < kept->len; i++) {
			Event *ev = catalog_event (db, g_ptr_array_index (kept, i), error);
			if (ev == NULL)
				return NULL;
			g_ptr_array_add (events, ev);
		}
		return g_steal_pointer (&events);
	}
	/* By the start of the first dated session (undated last), then by code. */
	st = db_stmt (db,
	                            "SELECT " EVENT_COLUMNS " FROM events e WHERE e.kind = :kind"
	                            " AND (:subregion IS NULL OR e.subregion = :subregion)"
	                            " AND (:topic = 0 OR e.topic = :topic OR e.topic IS NULL)"
	                            " ORDER BY (:topic <> 0 AND e.topic IS NULL),"
	                            " (SELECT min(s.start) FROM sessions s WHERE s.event_id = e.id) IS NULL,"
	                            " (SELECT min(s.start) FROM sessions s WHERE s.event_id = e.id), e.code", error);

	if (st == NULL)
		return NULL;
	bind_text (st, ":kind", kind);
	bind_text (st, ":subregion", subregion);
	bind_int (st, ":topic", topic);
	if ((events = events_from (db, st, &ids, error)) == NULL)
		return NULL;
	if (catalog_usable (db))
		g_hash_table_insert (db->candidates, g_steal_pointer (&key), catalog_keep (db, events, ids));
	return g_steal_pointer (&events);
}

int
db_event_hours_used (Db *db, const char *event_code, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            /* sums each answered by an index: with OR, SQLite read
	                             * the row of every request waiting too; an IN list
	                             * built a temporary table at every call */
	                            "SELECT coalesce((SELECT (SELECT coalesce(sum(r.hours), 0) FROM registrations r"
	                            " WHERE r.event_id = e.id AND r.status = 'confirmed')"
	                            " + (SELECT coalesce(sum(r.hours), 0) FROM registrations r"
	                            " WHERE r.event_id = e.id AND r.status = 'requested')"
	                            " + (SELECT coalesce(sum(r.hours), 0) FROM registrations r"
	                            " WHERE r.event_id = e.id AND " OPEN_OFFER ("r") ")"
	                            " FROM events e WHERE e.code = :event), 0)", error);
	int n = -1;

	if (st == NULL)
		return -1;
	bind_text (st, ":event", event_code);
	if (sqlite3_step (st) == SQLITE_ROW)
		n = sqlite3_column_int (st, 0);
	else
		db_fail (db, error, "count consulting hours");
	sqlite3_reset (st);
	return n;
}

gboolean
db_registration_place (Db *db, gint64 applicant_id, const char *event_code, const char *status, int hours,
                       gint64 message_row, char **code, GError **error)
{
	sqlite3_stmt *st;
	g_autofree char *existing = NULL;
	g_autofree char *old_status = NULL;
	int rc;

	*code = NULL;
	st = db_stmt (db,
	              "SELECT r.code, r.status FROM registrations r JOIN events e ON e.id = r.event_id"
	              " WHERE r.applicant_id = :a AND e.code = :event", error);
	if (st == NULL)
		return FALSE;
	bind_int (st, ":a", applicant_id);
	bind_text (st, ":event", event_code);
	if ((rc = sqlite3_step (st)) == SQLITE_ROW) {
		existing = col_text (st, 0);
		old_status = col_text (st, 1);
	}
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail (db, error, "look up registration");
	if (existing != NULL && g_strcmp0 (old_status, "cancelled") != 0)
		return TRUE;  /* already registered: keep the place or the position */
	if (existing == NULL)
		return db_registration_add (db, applicant_id, event_code, status, hours, message_row, code, error);
	/* A cancelled registration taken up again: at the end of the queue. */
	st = db_stmt (db,
	              "UPDATE registrations SET status = :status, hours = :hours, cancelled_at = NULL, offer_deadline = NULL,"
	              " message_id = coalesce(:m, message_id),"
	              " arrival = (SELECT coalesce(max(arrival), 0) + 1 FROM registrations) WHERE code = :code",
	              error);
	if (st == NULL)
		return FALSE;
	bind_text (st, ":status", status);
	bind_int (st, ":hours", hours);
	if (message_row > 0)
		bind_int (st, ":m", message_row);
	bind_text (st, ":code", existing);
	if (!step_done (db, st, "place registration", error))
		return FALSE;
	*code = g_steal_pointer (&existing);
	return TRUE;
}

GHashTable *
db_registration_get (Db *db, const char *code, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT r.code, e.code AS event, e.kind, e.title, r.status, r.hours,"
	                            " r.applicant_id, a.email, a.first_name, a.last_name, r.appointment,"
	                            " r.appointment_place, " POSITION_SQL " AS position, r.offer_deadline"
	                            " FROM registrations r JOIN events e ON e.id = r.event_id"
	                            " JOIN applicants a ON a.id = r.applicant_id WHERE r.code = :code", error);
	g_autoptr (GPtrArray) rows = NULL;

	if (st == NULL)
		return NULL;
	bind_text (st, ":code", code);
	if ((rows = rows_of (db, st, error)) == NULL || rows->len == 0)
		return NULL;
	return g_hash_table_ref (g_ptr_array_index (rows, 0));
}

gboolean
db_registration_set_status (Db *db, const char *code, const char *status, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "UPDATE registrations SET status = :status,"
	                            " cancelled_at = CASE WHEN :status = 'cancelled' THEN :now END"
	                            " WHERE code = :code", error);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":status", status);
	bind_text (st, ":now", now);
	bind_text (st, ":code", code);
	return step_done (db, st, "change registration", error);
}

char *
db_waitlist_first (Db *db, const char *event_code, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT r.code FROM registrations r JOIN events e ON e.id = r.event_id"
	                            " WHERE e.code = :event AND r.status = 'waitlisted' AND r.offer_deadline IS NULL"
	                            " ORDER BY r.arrival LIMIT 1", error);
	char *code = NULL;
	int rc;

	if (st == NULL)
		return NULL;
	bind_text (st, ":event", event_code);
	if ((rc = sqlite3_step (st)) == SQLITE_ROW)
		code = col_text (st, 0);
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_fail (db, error, "read waiting list");
	return code;
}

GPtrArray *
db_event_registrations (Db *db, const char *event_code, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT r.code, r.status, r.hours, a.email, a.first_name, a.last_name,"
	                            " a.institution, a.phone, " POSITION_SQL " AS position"
	                            " FROM registrations r JOIN events e ON e.id = r.event_id"
	                            " JOIN applicants a ON a.id = r.applicant_id"
	                            " WHERE e.code = :event AND r.status <> 'cancelled'"
	                            " ORDER BY r.status = 'waitlisted', r.arrival", error);

	if (st == NULL)
		return NULL;
	bind_text (st, ":event", event_code);
	return rows_of (db, st, error);
}

GPtrArray *
db_reminder_candidates (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT r.code, a.email, a.first_name, a.last_name, e.code AS event,"
	                            " e.title, s.seq AS session, s.start, s.end, s.place, r.arrival"
	                            " FROM registrations r JOIN events e ON e.id = r.event_id"
	                            " JOIN applicants a ON a.id = r.applicant_id"
	                            " JOIN sessions s ON s.event_id = e.id"
	                            " WHERE r.status = 'confirmed' AND s.start IS NOT NULL"
	                            /* a consulting appointment staff set is session 0 */
	                            " UNION ALL SELECT r.code, a.email, a.first_name, a.last_name, e.code, e.title,"
	                            " 0, r.appointment, NULL, r.appointment_place, r.arrival"
	                            " FROM registrations r JOIN events e ON e.id = r.event_id"
	                            " JOIN applicants a ON a.id = r.applicant_id"
	                            " WHERE r.status = 'confirmed' AND r.appointment IS NOT NULL"
	                            " ORDER BY 8, 11, 7", error);

	return st ? rows_of (db, st, error) : NULL;
}

int
db_reminder_record (Db *db, const char *code, int session, const char *start, gint64 offset,
                    const char *state, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "INSERT INTO reminders (registration_id, session, session_start, offset_s,"
	                            " state, created_at) SELECT id, :session, :start, :offset, :state, :now"
	                            " FROM registrations WHERE code = :code"
	                            " ON CONFLICT (registration_id, session, session_start, offset_s) DO NOTHING",
	                            error);

	if (st == NULL)
		return -1;
	bind_text (st, ":code", code);
	bind_int (st, ":session", session);
	bind_text (st, ":start", start);
	bind_int (st, ":offset", offset);
	bind_text (st, ":state", state);
	bind_text (st, ":now", now);
	if (!step_done (db, st, "record reminder", error))
		return -1;
	return sqlite3_changes (db->handle);
}

gboolean
db_registration_offer (Db *db, const char *code, gint64 deadline, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "UPDATE registrations SET offer_deadline = :deadline"
	                            " WHERE code = :code AND status = 'waitlisted'", error);

	if (st == NULL)
		return FALSE;
	bind_int (st, ":deadline", deadline);
	bind_text (st, ":code", code);
	return step_done (db, st, "offer a place", error);
}

GPtrArray *
db_offers_expired (Db *db, gint64 now, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT r.code, e.code AS event FROM registrations r"
	                            " JOIN events e ON e.id = r.event_id"
	                            " WHERE " OPEN_OFFER ("r") " AND r.offer_deadline <= :now"
	                            " ORDER BY r.offer_deadline, r.arrival", error);

	if (st == NULL)
		return NULL;
	bind_int (st, ":now", now);
	return rows_of (db, st, error);
}

GPtrArray *
db_waitlist_note_candidates (Db *db, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT r.code, e.code AS event, " POSITION_SQL " AS position,"
	                            " (SELECT min(s.start) FROM sessions s WHERE s.event_id = e.id) AS start"
	                            " FROM registrations r JOIN events e ON e.id = r.event_id"
	                            " WHERE r.status = 'waitlisted' AND r.offer_deadline IS NULL"
	                            " AND NOT EXISTS (SELECT 1 FROM waitlist_notes n WHERE n.registration_id = r.id)"
	                            " AND EXISTS (SELECT 1 FROM sessions s WHERE s.event_id = e.id AND s.start IS NOT NULL)"
	                            " ORDER BY start, r.arrival", error);

	return st ? rows_of (db, st, error) : NULL;
}

int
db_waitlist_note_record (Db *db, const char *code, const char *state, int position, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "INSERT INTO waitlist_notes (registration_id, state, position, created_at)"
	                            " SELECT id, :state, :position, :now FROM registrations WHERE code = :code"
	                            " ON CONFLICT (registration_id) DO NOTHING", error);

	if (st == NULL)
		return -1;
	bind_text (st, ":code", code);
	bind_text (st, ":state", state);
	bind_int (st, ":position", position);
	bind_text (st, ":now", now);
	if (!step_done (db, st, "record waiting-list note", error))
		return -1;
	return sqlite3_changes (db->handle);
}

gboolean
db_registration_set_appointment (Db *db, const char *code, const char *when, const char *place, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "UPDATE registrations SET appointment = :when, appointment_place = :place,"
	                            " status = 'confirmed' WHERE code = :code", error);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":when", when);
	bind_text (st, ":place", place);
	bind_text (st, ":code", code);
	return step_done (db, st, "set appointment", error);
}

gint64
db_applicant_find (Db *db, const char *email, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, "SELECT id FROM applicants WHERE email = :email", error);
	gint64 id = 0;
	int rc;

	if (st == NULL)
		return -1;
	bind_text (st, ":email", email);
	if ((rc = sqlite3_step (st)) == SQLITE_ROW)
		id = sqlite3_column_int64 (st, 0);
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_fail (db, error, "look up applicant");
		return -1;
	}
	return id;
}

/* Run @sql (no rows) with :a = @applicant and :email = @email bound when used. */
static gboolean
forget_step (Db *db, const char *sql, gint64 applicant, const char *email, GPtrArray *out, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, sql, error);
	int rc;

	if (st == NULL)
		return FALSE;
	if (sqlite3_bind_parameter_index (st, ":a") > 0)
		bind_int (st, ":a", applicant);
	if (sqlite3_bind_parameter_index (st, ":email") > 0)
		bind_text (st, ":email", email);
	while ((rc = sqlite3_step (st)) == SQLITE_ROW)
		if (out != NULL)
			g_ptr_array_add (out, col_text (st, 0));
	sqlite3_reset (st);
	return rc == SQLITE_DONE || db_fail (db, error, "erase personal data");
}

gboolean
db_forget (Db *db, gint64 applicant, const char *email, GPtrArray *spool_ids, GPtrArray *spool_ids_out,
           GPtrArray *outbox_ids_out, GError **error)
{
	/* The messages to erase: from the address, linked to the applicant, naming
	 * the address, or whose raw file named it (@spool_ids, found by the caller). */
	if (!exec (db, "PRAGMA secure_delete = ON", error) ||
	    !exec (db, "CREATE TEMP TABLE IF NOT EXISTS forget_messages (id INTEGER PRIMARY KEY, spool_id TEXT);"
	               "DELETE FROM temp.forget_messages;", error))
		return FALSE;
	for (guint i = 0; spool_ids != NULL && i < spool_ids->len; i++) {
		sqlite3_stmt *st = db_stmt (db, "INSERT OR IGNORE INTO temp.forget_messages"
		                                " SELECT id, spool_id FROM messages WHERE spool_id = :spool", error);
		if (st == NULL)
			return FALSE;
		bind_text (st, ":spool", g_ptr_array_index (spool_ids, i));
		if (!step_done (db, st, "erase personal data", error))
			return FALSE;
	}
	return forget_step (db,
	                    "INSERT OR IGNORE INTO temp.forget_messages SELECT id, spool_id FROM messages"
	                    " WHERE applicant_id = :a OR sender = :email COLLATE NOCASE"
	                    " OR instr(lower(coalesce(reason, '') || ' ' || coalesce(subject, '')), lower(:email)) > 0",
	                    applicant, email, NULL, error) &&
	       forget_step (db, "SELECT spool_id FROM temp.forget_messages", 0, NULL, spool_ids_out, error) &&
	       /* Outgoing mail to the address, answering those messages, or naming it. */
	       forget_step (db,
	                    "DELETE FROM outbox WHERE rcpt = :email COLLATE NOCASE"
	                    " OR inbound_id IN (SELECT id FROM temp.forget_messages)"
	                    " OR id IN (SELECT outbox_id FROM outbox_bodies"
	                    "   WHERE instr(lower(CAST(raw AS TEXT)), lower(:email)) > 0) RETURNING message_id",
	                    applicant, email, outbox_ids_out, error) &&
	       forget_step (db, "UPDATE registrations SET message_id = NULL"
	                        " WHERE message_id IN (SELECT id FROM temp.forget_messages)", 0, NULL, NULL, error) &&
	       forget_step (db, "DELETE FROM messages WHERE id IN (SELECT id FROM temp.forget_messages)",
	                    0, NULL, NULL, error) &&
	       /* The applicant stays as an anonymous row, so counts per event hold. */
	       (applicant <= 0 ||
	        forget_step (db,
	                     "UPDATE applicants SET email = 'forgotten-' || id || '@invalid', first_name = NULL,"
	                     " last_name = NULL, phone = NULL, institution = NULL, institution_type = NULL,"
	                     " position = NULL, powiat = NULL, needs = NULL, topics = NULL, bounced_at = NULL,"
	                     " bounce_reason = NULL WHERE id = :a", applicant, NULL, NULL, error));
}

gboolean
db_compact (Db *db, GError **error)
{
	/* VACUUM rewrites every page; the checkpoint empties the WAL file, so no old
	 * page version survives in either file. */
	return exec (db, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);", error);
}

GPtrArray *
db_review_list (Db *db, gboolean all, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT id, received_at, sender AS \"from\", subject, reason, spool_id, reviewed_at,"
	                            " purged_at FROM messages WHERE state = 'review' AND (:all OR reviewed_at IS NULL)"
	                            " ORDER BY id", error);

	if (st == NULL)
		return NULL;
	bind_int (st, ":all", all);
	return rows_of (db, st, error);
}

GHashTable *
db_message_get (Db *db, gint64 id, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT id, spool_id, message_id, hash, sender, subject, state, reviewed_at,"
	                            " purged_at FROM messages WHERE id = :id", error);
	g_autoptr (GPtrArray) rows = NULL;

	if (st == NULL)
		return NULL;
	bind_int (st, ":id", id);
	if ((rows = rows_of (db, st, error)) == NULL || rows->len == 0)
		return NULL;
	return g_hash_table_ref (g_ptr_array_index (rows, 0));
}

gboolean
db_review_register (Db *db, gint64 id, const char *form_part, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "UPDATE messages SET state = 'registered', form_part = :part, reviewed_at = :now"
	                            " WHERE id = :id AND state = 'review' AND reviewed_at IS NULL", error);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":part", form_part);
	bind_text (st, ":now", now);
	bind_int (st, ":id", id);
	if (!step_done (db, st, "register review message", error))
		return FALSE;
	if (sqlite3_changes (db->handle) != 1) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "message %" G_GINT64_FORMAT " is not an open review", id);
		return FALSE;
	}
	return TRUE;
}

int
db_review_done (Db *db, gint64 id, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db,
	                            "UPDATE messages SET reviewed_at = :now WHERE id = :id AND state = 'review'"
	                            " AND reviewed_at IS NULL", error);

	if (st == NULL)
		return -1;
	bind_text (st, ":now", now);
	bind_int (st, ":id", id);
	if (!step_done (db, st, "mark review done", error))
		return -1;
	return sqlite3_changes (db->handle);
}

/* --- retention ----------------------------------------------------------- */

/* A message is finished when its outcome is recorded, it is not waiting for a
 * person (review not yet done), and its IMAP journal row, if any, is no longer
 * pending (the server has been told). */
#define MESSAGE_FINISHED \
	"NOT (m.state = 'review' AND m.reviewed_at IS NULL)" \
	" AND NOT EXISTS (SELECT 1 FROM imap_messages i WHERE i.spool_id = m.spool_id AND i.state = 'pending')"

GPtrArray *
db_purge_messages (Db *db, const char *before, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT m.id, m.spool_id FROM messages m WHERE m.purged_at IS NULL"
	                            " AND m.received_at < :before AND " MESSAGE_FINISHED " ORDER BY m.id", error);

	if (st == NULL)
		return NULL;
	bind_text (st, ":before", before);
	return rows_of (db, st, error);
}

GPtrArray *
db_purge_outbox (Db *db, const char *before, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT id, message_id FROM outbox WHERE purged_at IS NULL"
	                            " AND state IN ('sent', 'failed', 'bounced') AND sending_since IS NULL"
	                            " AND coalesce(sent_at, created_at) < :before ORDER BY id", error);

	if (st == NULL)
		return NULL;
	bind_text (st, ":before", before);
	return rows_of (db, st, error);
}

int
db_purge_hash (Db *db, const char *hash, const char *before, GError **error)
{
	sqlite3_stmt *st = db_stmt (db,
	                            "SELECT count(*), max(m.received_at) < :before,"
	                            " min(" MESSAGE_FINISHED ") FROM messages m WHERE m.hash = :hash", error);
	int rc, ok = 0;

	if (st == NULL)
		return -1;
	bind_text (st, ":hash", hash);
	bind_text (st, ":before", before);
	if ((rc = sqlite3_step (st)) == SQLITE_ROW)
		ok = sqlite3_column_int (st, 0) > 0 && sqlite3_column_int (st, 1) && sqlite3_column_int (st, 2);
	sqlite3_reset (st);
	if (rc != SQLITE_ROW) {
		db_fail (db, error, "look up message by content");
		return -1;
	}
	return ok;
}

gboolean
db_purge_mark (Db *db, gboolean outbox, gint64 id, GError **error)
{
	g_autofree char *now = now_iso (db);
	sqlite3_stmt *st = db_stmt (db, outbox ? "UPDATE outbox SET purged_at = :now WHERE id = :id"
	                                       : "UPDATE messages SET purged_at = :now WHERE id = :id", error);

	if (st == NULL)
		return FALSE;
	bind_text (st, ":now", now);
	bind_int (st, ":id", id);
	if (!step_done (db, st, "mark raw copy purged", error))
		return FALSE;
	if (!outbox)
		return TRUE;
	/* the reply's text in the database is a raw copy too, and no longer sent */
	if ((st = db_stmt (db, "DELETE FROM outbox_bodies WHERE outbox_id = :id", error)) == NULL)
		return FALSE;
	bind_int (st, ":id", id);
	return step_done (db, st, "purge reply text", error);
}

char *
db_iso_days_ago (guint days)
{
	return iso_before ((gint64) days * 86400);
}

/* --- end of the programme section --- */

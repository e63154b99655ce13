/* test_store.c - the SQLite store: migrations (on an empty database and on one
 * with rows), idempotent upserts, outbox states, typed rows. */
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <string.h>

#include "core/errors.h"
#include "store/db.h"
#include "store/db_private.h"   /* db_migrations, to build an old database */

static Db *
open_temp (char **dir)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *path = NULL;
	Db *db;

	*dir = g_dir_make_tmp ("mailreg-store-XXXXXX", &error);
	path = g_build_filename (*dir, "t.db", NULL);
	db = db_open (path, &error);
	g_assert_no_error (error);
	return db;
}

static Event *
info_meeting (int seats)
{
	Event *ev = event_new ();
	EventSession *s = g_new0 (EventSession, 1);

	ev->code = g_strdup ("INFO-CEN");
	ev->kind = g_strdup ("info_meeting");
	ev->title = g_strdup ("Spotkanie informacyjne – subregion centralny");
	ev->subregion = g_strdup ("centralny");
	ev->seats = seats;
	s->start = g_strdup ("2014-03-06T10:00");
	s->end = g_strdup ("2014-03-06T14:00");
	s->place = g_strdup ("Katowice");
	g_ptr_array_add (ev->sessions, s);
	return ev;
}

static void
test_open_migrate_reopen (void)
{
	g_autofree char *dir = NULL;
	g_autofree char *path = NULL;
	g_autoptr (GError) error = NULL;
	struct stat st;

	db_close (open_temp (&dir));
	path = g_build_filename (dir, "t.db", NULL);
	g_assert_cmpint (g_stat (path, &st), ==, 0);
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);
	{
		g_autoptr (Db) again = db_open (path, &error);
		g_assert_no_error (error);
		g_assert_nonnull (again);
	}
}

static void
test_events (void)
{
	g_autofree char *dir = NULL;
	g_autoptr (Db) db = open_temp (&dir);
	g_autoptr (GError) error = NULL;
	g_autoptr (Event) ev = info_meeting (25);
	g_autoptr (Event) updated = info_meeting (30);
	g_autoptr (Event) found = NULL;
	g_autoptr (Event) none = NULL;
	g_autoptr (GPtrArray) all = NULL;

	g_assert_true (db_event_upsert (db, ev, &error));
	g_assert_true (db_event_upsert (db, updated, &error));
	g_assert_no_error (error);
	all = db_events_list (db, &error);
	g_assert_cmpint (all->len, ==, 1);
	found = db_event_find (db, "info_meeting", "centralny", 0, &error);
	g_assert_nonnull (found);
	g_assert_cmpint (found->seats, ==, 30);
	g_assert_cmpint (found->sessions->len, ==, 1);
	g_assert_cmpstr (((EventSession *) g_ptr_array_index (found->sessions, 0))->start, ==, "2014-03-06T10:00");
	none = db_event_find (db, "info_meeting", "zachodni", 0, &error);
	g_assert_null (none);
	g_assert_no_error (error);
}

static void
test_applicant_and_registrations (void)
{
	g_autofree char *dir = NULL;
	g_autoptr (Db) db = open_temp (&dir);
	g_autoptr (GError) error = NULL;
	g_autoptr (Event) ev = info_meeting (25);
	g_autoptr (GPtrArray) regs = NULL;
	g_autofree char *code = NULL;
	g_autofree char *again = NULL;
	ApplicantFields app = { 0 };
	gboolean created;
	gint64 id, id2;

	app.first_name = "Anna";
	app.last_name = "Nowak'); DROP TABLE applicants;--";
	app.email = "anna@ops.example.pl";
	app.institution = "OPS";
	app.powiat = "Katowice";
	app.subregion = "centralny";
	app.phone = "32 000 00 00";
	g_assert_true (db_event_upsert (db, ev, &error));
	id = db_applicant_upsert (db, &app, &created, &error);
	g_assert_true (created);
	app.email = "ANNA@ops.example.pl";  /* same person, other case */
	app.phone = NULL;                   /* a resubmission without phone keeps it */
	id2 = db_applicant_upsert (db, &app, &created, &error);
	g_assert_false (created);
	g_assert_cmpint (id, ==, id2);

	g_assert_true (db_registration_add (db, id, "INFO-CEN", "confirmed", 0, 0, &code, &error));
	g_assert_no_error (error);
	g_assert_true (g_regex_match_simple ("^ZG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", code, 0, 0));
	g_assert_true (db_registration_add (db, id, "INFO-CEN", "confirmed", 0, 0, &again, &error));
	g_assert_null (again);  /* already registered: nothing new */
	regs = db_registrations_of (db, id, &error);
	g_assert_cmpint (regs->len, ==, 1);
	g_assert_cmpstr (g_hash_table_lookup (g_ptr_array_index (regs, 0), "code"), ==, code);
	{
		g_autoptr (GPtrArray) rows = db_applicants_list (db, &error);
		g_assert_cmpint (rows->len, ==, 1);
		g_assert_cmpstr (g_hash_table_lookup (g_ptr_array_index (rows, 0), "last_name"), ==,
		                 "Nowak'); DROP TABLE applicants;--");
		g_assert_cmpstr (g_hash_table_lookup (g_ptr_array_index (rows, 0), "phone"), ==, "32 000 00 00");
	}
}

static void
test_messages_and_outbox (void)
{
	g_autofree char *dir = NULL;
	g_autoptr (Db) db = open_temp (&dir);
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) raw = g_bytes_new_static ("Subject: x\n\nbody\n", 17);
	g_autoptr (GPtrArray) queued = NULL;
	g_autoptr (GPtrArray) after = NULL;
	g_autoptr (GBytes) body = NULL;
	InboundRecord rec = { 0 };
	gint64 id;
	Outcome outcome;
	gint64 row;

	rec.spool_id = "11111111-2222-3333-4444-555555555555";
	rec.message_id = "m1@example.pl";
	rec.hash = "abc";
	rec.outcome = OUTCOME_REJECTED;
	g_assert_true (db_begin (db, &error));
	row = db_message_insert (db, &rec, &error);
	g_assert_cmpint (row, >, 0);
	g_assert_true (db_outbox_add (db, row, "rejection", "a@b.pl", "Temat", "r1@rops.example.pl", raw, &error));
	g_assert_true (db_commit (db, &error));
	g_assert_no_error (error);

	g_assert_true (db_message_recorded (db, rec.spool_id, &outcome, &error));
	g_assert_cmpint (outcome, ==, OUTCOME_REJECTED);
	g_assert_true (db_message_seen (db, "m1@example.pl", "zzz", &error));
	g_assert_false (db_message_seen (db, "m2@example.pl", "abc", &error));
	g_assert_false (db_message_seen (db, NULL, "abc", &error));  /* only id-less messages match by hash */

	queued = db_outbox_due (db, G_MAXINT64, &error);
	g_assert_cmpint (queued->len, ==, 1);
	id = ((OutboxRow *) g_ptr_array_index (queued, 0))->id;
	body = db_outbox_raw (db, id, &error);
	g_assert_true (g_bytes_equal (body, raw));
	g_assert_true (db_outbox_result (db, id, "deferred", 451, "disk full", 300, &error));
	g_assert_true (db_outbox_result (db, id, "sent", 250, "ok", 0, &error));
	after = db_outbox_due (db, G_MAXINT64, &error);
	g_assert_cmpint (after->len, ==, 0);
	{
		g_autoptr (GPtrArray) rows = db_outbox_list (db, &error);
		g_assert_cmpstr (g_hash_table_lookup (g_ptr_array_index (rows, 0), "state"), ==, "sent");
		g_assert_cmpstr (g_hash_table_lookup (g_ptr_array_index (rows, 0), "attempts"), ==, "2");
	}
}

/* Inside a transaction the catalog is read once, but seat counts always
 * afresh, and an upsert or the end of the transaction drops what was read. */
static void
test_catalog_in_transaction (void)
{
	g_autofree char *dir = NULL;
	g_autoptr (Db) db = open_temp (&dir);
	g_autoptr (GError) error = NULL;
	g_autoptr (Event) ev = info_meeting (25);
	g_autoptr (Event) bigger = info_meeting (30);
	ApplicantFields app = { .first_name = "Anna", .last_name = "Nowak", .email = "anna@ops.example.pl",
	                        .institution = "OPS", .powiat = "Katowice", .subregion = "centralny" };
	g_autofree char *code = NULL;
	gboolean created;
	gint64 id;

	g_assert_true (db_event_upsert (db, ev, &error));
	g_assert_true (db_begin (db, &error));
	{
		g_autoptr (GPtrArray) first = db_event_candidates (db, "info_meeting", "centralny", 0, &error);
		g_autoptr (Event) got = db_event_get (db, "INFO-CEN", &error);
		g_assert_cmpint (first->len, ==, 1);
		g_assert_cmpint (((Event *) g_ptr_array_index (first, 0))->taken, ==, 0);
		g_assert_cmpint (got->taken, ==, 0);
	}
	id = db_applicant_upsert (db, &app, &created, &error);
	g_assert_true (db_registration_add (db, id, "INFO-CEN", "confirmed", 0, 0, &code, &error));
	{
		/* kept: the same event and sessions, the seat taken counted */
		g_autoptr (GPtrArray) again = db_event_candidates (db, "info_meeting", "centralny", 0, &error);
		g_autoptr (Event) got = db_event_get (db, "INFO-CEN", &error);
		const Event *e = g_ptr_array_index (again, 0);
		g_assert_cmpint (e->taken, ==, 1);
		g_assert_cmpint (e->seats, ==, 25);
		g_assert_cmpstr (e->title, ==, ev->title);
		g_assert_cmpint (e->sessions->len, ==, 1);
		g_assert_cmpstr (((EventSession *) g_ptr_array_index (e->sessions, 0))->place, ==, "Katowice");
		g_assert_cmpint (got->taken, ==, 1);
	}
	/* an upsert in the transaction is seen at once */
	g_assert_true (db_event_upsert (db, bigger, &error));
	{
		g_autoptr (GPtrArray) after = db_event_candidates (db, "info_meeting", "centralny", 0, &error);
		g_autoptr (Event) got = db_event_get (db, "INFO-CEN", &error);
		g_assert_cmpint (((Event *) g_ptr_array_index (after, 0))->seats, ==, 30);
		g_assert_cmpint (got->seats, ==, 30);
	}
	db_rollback (db);
	{
		/* rolled back: 25 seats, none taken */
		g_autoptr (Event) got = db_event_get (db, "INFO-CEN", &error);
		g_assert_cmpint (got->seats, ==, 25);
		g_assert_cmpint (got->taken, ==, 0);
	}
	g_assert_no_error (error);
}

/* Journal rows marked together leave the pending list together. */
static void
test_imap_set_states (void)
{
	g_autofree char *dir = NULL;
	g_autoptr (Db) db = open_temp (&dir);
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) pending = NULL;
	g_autoptr (GPtrArray) left = NULL;
	gint64 ids[2];

	for (guint32 uid = 1; uid <= 3; uid++) {
		g_autofree char *spool = g_strdup_printf ("spool-%u", uid);
		g_assert_true (db_imap_journal_add (db, "INBOX", 7, uid, 100, spool, FALSE, &error));
	}
	pending = db_imap_pending (db, "INBOX", &error);
	g_assert_cmpint (pending->len, ==, 3);
	ids[0] = ((ImapJournalRow *) g_ptr_array_index (pending, 0))->id;
	ids[1] = ((ImapJournalRow *) g_ptr_array_index (pending, 2))->id;
	g_assert_true (db_imap_set_states (db, ids, 0, "acked", "Done", &error));
	g_assert_true (db_imap_set_states (db, ids, 2, "acked", "Done", &error));
	left = db_imap_pending (db, "INBOX", &error);
	g_assert_cmpint (left->len, ==, 1);
	g_assert_cmpint (((ImapJournalRow *) g_ptr_array_index (left, 0))->uid, ==, 2);
	g_assert_no_error (error);
}

static void
test_rollback (void)
{
	g_autofree char *dir = NULL;
	g_autoptr (Db) db = open_temp (&dir);
	g_autoptr (GError) error = NULL;
	InboundRecord rec = { 0 };
	int counts[5];

	rec.spool_id = "s1";
	rec.hash = "h";
	rec.outcome = OUTCOME_REVIEW;
	g_assert_true (db_begin (db, &error));
	g_assert_cmpint (db_message_insert (db, &rec, &error), >, 0);
	db_rollback (db);
	g_assert_true (db_message_counts (db, counts, &error));
	g_assert_cmpint (counts[OUTCOME_REVIEW], ==, 0);
}

static void
exec_ok (sqlite3 *raw, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec (raw, sql, NULL, NULL, &msg) != SQLITE_OK)
		g_error ("%s: %s", sql, msg);
}

static gint64
scalar (sqlite3 *raw, const char *sql)
{
	g_autoptr (sqlite3_stmt) st = NULL;

	g_assert_cmpint (sqlite3_prepare_v2 (raw, sql, -1, &st, NULL), ==, SQLITE_OK);
	g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
	return sqlite3_column_int64 (st, 0);
}

/* A database written before the outgoing bodies moved to their own table
 * (user_version 4), with rows in it: db_open migrates it, and every row is
 * where the newest schema keeps it.  Until now the steps that move data ran
 * only on empty databases. */
static void
test_migrate_rows (void)
{
	static const char body[] = "From: mailreg@rops.example.pl\nSubject: Potwierdzenie\n\nDzie\xc5\x84 dobry\n";
	g_autofree char *dir = g_dir_make_tmp ("mailreg-store-XXXXXX", NULL);
	g_autofree char *path = g_build_filename (dir, "old.db", NULL);
	g_autoptr (GError) error = NULL;
	sqlite3 *raw = NULL;

	g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
	for (guint v = 0; v < 4; v++)
		exec_ok (raw, db_migrations[v]);
	exec_ok (raw, "PRAGMA user_version = 4;"
	              "INSERT INTO events (id, code, kind, title, subregion, seats)"
	              " VALUES (1, 'INFO-CEN', 'info_meeting', 'Spotkanie', 'centralny', 1);"
	              "INSERT INTO sessions (event_id, seq, start, end, place)"
	              " VALUES (1, 1, '2014-03-06T10:00', '2014-03-06T14:00', 'Katowice');"
	              "INSERT INTO applicants (id, email, first_name, last_name, created_at, updated_at) VALUES"
	              " (1, 'anna@ops.example.pl', 'Anna', 'Nowak', '2014-03-01T09:00:00Z', '2014-03-01T09:00:00Z'),"
	              " (2, 'jan@ops.example.pl', 'Jan', 'Kowalski', '2014-03-01T09:01:00Z', '2014-03-01T09:01:00Z'),"
	              " (3, 'ewa@ops.example.pl', 'Ewa', 'Lis', '2014-03-01T09:02:00Z', '2014-03-01T09:02:00Z');"
	              "INSERT INTO messages (id, spool_id, hash, state, applicant_id, received_at)"
	              " VALUES (1, 'spool-1', 'h1', 'registered', 1, '2014-03-01T09:00:00Z');"
	              "INSERT INTO registrations (id, code, applicant_id, event_id, status, message_id, created_at) VALUES"
	              " (1, 'ZG-AAAA-AAAA', 1, 1, 'confirmed', 1, '2014-03-01T09:00:00Z'),"
	              " (2, 'ZG-BBBB-BBBB', 2, 1, 'waitlisted', NULL, '2014-03-01T09:01:00Z'),"
	              " (3, 'ZG-CCCC-CCCC', 3, 1, 'waitlisted', NULL, '2014-03-01T09:02:00Z');");
	{
		g_autoptr (sqlite3_stmt) st = NULL;
		g_assert_cmpint (sqlite3_prepare_v2 (raw, "INSERT INTO outbox (id, message_id, inbound_id, kind, rcpt,"
		                                          " subject, raw, state, attempts, created_at, sent_at) VALUES"
		                                          " (1, 'reply-1@rops.example.pl', 1, 'confirmation',"
		                                          " 'anna@ops.example.pl', 'Potwierdzenie', ?, 'sent', 1,"
		                                          " '2014-03-01T09:00:05Z', '2014-03-01T09:00:06Z')",
		                                     -1, &st, NULL), ==, SQLITE_OK);
		sqlite3_bind_blob (st, 1, body, sizeof body - 1, SQLITE_STATIC);
		g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
	}
	sqlite3_close (raw);

	{
		g_autoptr (Db) db = db_open (path, &error);
		g_autoptr (GBytes) moved = NULL;
		g_autoptr (OutboxRow) row = NULL;
		g_autoptr (Event) ev = NULL;
		g_autoptr (Registration) first = NULL;
		g_autoptr (Registration) second = NULL;
		g_autofree char *next = NULL;

		g_assert_no_error (error);
		g_assert_nonnull (db);
		/* the body moved from outbox.raw to outbox_bodies */
		moved = db_outbox_raw (db, 1, &error);
		g_assert_no_error (error);
		g_assert_cmpmem (g_bytes_get_data (moved, NULL), g_bytes_get_size (moved), body, sizeof body - 1);
		row = db_outbox_find (db, "reply-1@rops.example.pl", &error);
		g_assert_nonnull (row);
		g_assert_cmpstr (row->state, ==, "sent");
		g_assert_cmpint (row->attempts, ==, 1);
		g_assert_cmpint (row->inbound_id, ==, 1);
		/* the waiting list counted into the event, its order from the rows */
		ev = db_event_get (db, "INFO-CEN", &error);
		g_assert_cmpint (ev->taken, ==, 1);
		g_assert_cmpint (ev->waitlist, ==, 2);
		g_assert_cmpint (ev->sessions->len, ==, 1);
		first = db_registration_get (db, "ZG-BBBB-BBBB", &error);
		second = db_registration_get (db, "ZG-CCCC-CCCC", &error);
		g_assert_no_error (error);
		g_assert_cmpint (first->position, ==, 1);
		g_assert_cmpint (second->position, ==, 2);
		g_assert_cmpstr (second->email, ==, "ewa@ops.example.pl");
		g_assert_cmpint (second->offer_deadline, ==, 0);
		next = db_waitlist_first (db, "INFO-CEN", &error);
		g_assert_cmpstr (next, ==, "ZG-BBBB-BBBB");
		g_assert_cmpint (db_event_hours_used (db, "INFO-CEN", &error), ==, 0);
	}
	g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
	g_assert_cmpint (scalar (raw, "PRAGMA user_version"), ==, db_migrations_n);
	g_assert_cmpint (scalar (raw, "SELECT count(*) FROM pragma_table_info('outbox') WHERE name = 'raw'"), ==, 0);
	g_assert_cmpint (scalar (raw, "SELECT count(*) FROM registrations WHERE arrival = id"), ==, 3);
	sqlite3_close (raw);
}

/* A registration comes back typed: numbers as numbers, absent as NULL or 0. */
static void
test_registration_row (void)
{
	g_autofree char *dir = NULL;
	g_autoptr (Db) db = open_temp (&dir);
	g_autoptr (GError) error = NULL;
	g_autoptr (Event) ev = info_meeting (0);
	g_autoptr (Registration) reg = NULL;
	g_autoptr (Registration) none = NULL;
	g_autoptr (StatusCounts) counts = NULL;
	ApplicantFields app = { .first_name = "Anna", .last_name = "Nowak", .email = "anna@ops.example.pl" };
	g_autofree char *code = NULL;
	gboolean created;
	gint64 id;

	g_assert_true (db_event_upsert (db, ev, &error));
	id = db_applicant_upsert (db, &app, &created, &error);
	g_assert_true (db_registration_add (db, id, "INFO-CEN", "waitlisted", 3, 0, &code, &error));
	g_assert_true (db_registration_offer (db, code, 1394100000, &error));
	reg = db_registration_get (db, code, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (reg->code, ==, code);
	g_assert_cmpstr (reg->event, ==, "INFO-CEN");
	g_assert_cmpstr (reg->kind, ==, "info_meeting");
	g_assert_cmpstr (reg->status, ==, "waitlisted");
	g_assert_cmpint (reg->hours, ==, 3);
	g_assert_cmpint (reg->applicant_id, ==, id);
	g_assert_cmpint (reg->position, ==, 1);
	g_assert_cmpint (reg->offer_deadline, ==, 1394100000);
	g_assert_null (reg->appointment);
	none = db_registration_get (db, "ZG-0000-0000", &error);
	g_assert_null (none);
	g_assert_no_error (error);

	g_assert_true (db_imap_mailbox_set (db, "INBOX", 1234567890, 42, "imap.example.pl", &error));
	counts = db_status_counts (db, &error);
	g_assert_no_error (error);
	g_assert_cmpint (counts->queued + counts->sent + counts->failed, ==, 0);
	g_assert_cmpint (counts->review, ==, 0);
	g_assert_null (counts->review_oldest);
	g_assert_cmpint (counts->imap->len, ==, 1);
	g_assert_cmpstr (((ImapMailboxState *) g_ptr_array_index (counts->imap, 0))->mailbox, ==, "INBOX");
	g_assert_cmpuint (((ImapMailboxState *) g_ptr_array_index (counts->imap, 0))->uidvalidity, ==, 1234567890);
	g_assert_cmpuint (((ImapMailboxState *) g_ptr_array_index (counts->imap, 0))->last_uid, ==, 42);
}

/* An audit row lives and dies with the transaction it was written in, and
 * comes back typed, newest first; a database of the schema before the audit
 * (every step before it) migrates to one that has it. */
static void
test_audit (void)
{
	g_autofree char *dir = g_dir_make_tmp ("mailreg-store-XXXXXX", NULL);
	g_autofree char *path = g_build_filename (dir, "audit.db", NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	const AuditRow *row;
	sqlite3 *raw = NULL;

	guint audit_step = 0;

	/* the step that adds the audit table; later steps may follow it */
	while (audit_step < db_migrations_n && strstr (db_migrations[audit_step], "CREATE TABLE audit") == NULL)
		audit_step++;
	g_assert_cmpuint (audit_step, <, db_migrations_n);
	g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
	for (guint v = 0; v < audit_step; v++)
		exec_ok (raw, db_migrations[v]);
	{
		g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %u;", audit_step);
		exec_ok (raw, bump);
	}
	g_assert_cmpint (scalar (raw, "SELECT count(*) FROM sqlite_master WHERE name = 'audit'"), ==, 0);
	sqlite3_close (raw);

	db = db_open (path, &error);
	g_assert_no_error (error);
	g_assert_true (db_begin (db, &error));
	g_assert_true (db_audit_add (db, "web:anna", "review.done", "message:1", NULL, &error));
	db_rollback (db);
	rows = db_audit_list (db, 0, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (rows->len, ==, 0);
	g_clear_pointer (&rows, g_ptr_array_unref);

	g_assert_true (db_begin (db, &error));
	g_assert_true (db_audit_add (db, "cli", "review.reject", "message:7", "2 problems", &error));
	g_assert_true (db_audit_add (db, "mail:anna@rops.example.pl", "review.answer", "message:8", NULL, &error));
	g_assert_true (db_commit (db, &error));
	g_assert_no_error (error);
	rows = db_audit_list (db, 1, &error);
	g_assert_cmpuint (rows->len, ==, 1);
	row = g_ptr_array_index (rows, 0);
	g_assert_cmpstr (row->actor, ==, "mail:anna@rops.example.pl");
	g_assert_cmpstr (row->action, ==, "review.answer");
	g_assert_cmpstr (row->record, ==, "message:8");
	g_assert_null (row->detail);
	g_assert_true (g_str_has_suffix (row->at, "Z"));
	g_clear_pointer (&rows, g_ptr_array_unref);
	rows = db_audit_of (db, "message:7", &error);
	g_assert_cmpuint (rows->len, ==, 1);
	g_assert_cmpstr (((AuditRow *) g_ptr_array_index (rows, 0))->detail, ==, "2 problems");
}

/* The emails of @rows (ApplicantRow*), joined by spaces.  (transfer full) */
static char *
emails (GPtrArray *rows)
{
	GString *out = g_string_new (NULL);

	for (guint i = 0; rows != NULL && i < rows->len; i++)
		g_string_append_printf (out, "%s%s", i ? " " : "", ((ApplicantRow *) g_ptr_array_index (rows, i))->email);
	return g_string_free (out, FALSE);
}

static char *
search (Db *db, const char *text, const char *event, const char *status, const char *subregion, guint limit,
        gboolean *more)
{
	g_autoptr (GError) error = NULL;
	ApplicantQuery q = { .text = text, .event = event, .status = status, .subregion = subregion, .limit = limit };
	gboolean m = FALSE;
	g_autoptr (GPtrArray) rows = db_applicant_search (db, &q, more ? more : &m, &error);

	g_assert_no_error (error);
	return emails (rows);
}

/* The console's search: words in any order, any case, Polish letters with
 * or without their marks, in the name, address and institution; or a
 * registration code; filters by event, status and subregion; a limit that
 * says when it left some out; erased people never. */
static void
test_applicant_search (void)
{
	g_autofree char *dir = NULL;
	g_autoptr (Db) db = open_temp (&dir);
	g_autoptr (GError) error = NULL;
	g_autoptr (Event) ev = info_meeting (1);
	g_autofree char *code_a = NULL, *code_b = NULL, *folded = db_fold ("Łódź ŻÓŁW Ąę");
	ApplicantFields a = { .first_name = "Łucja", .last_name = "Żółkiewska", .email = "lucja@ops.example.pl",
		              .institution = "MOPS Świętochłowice", .subregion = "centralny" };
	ApplicantFields b = { .first_name = "Jan", .last_name = "Nowak", .email = "jan@gops.example.pl",
		              .institution = "GOPS Ożarowice", .subregion = "północny" };
	gboolean created, more = FALSE;
	gint64 ia, ib;

	g_assert_cmpstr (folded, ==, "lodz zolw ae");
	g_assert_true (db_event_upsert (db, ev, &error));
	ia = db_applicant_upsert (db, &a, &created, &error);
	ib = db_applicant_upsert (db, &b, &created, &error);
	g_assert_true (db_registration_add (db, ia, "INFO-CEN", "confirmed", 0, 0, &code_a, &error));
	g_assert_true (db_registration_add (db, ib, "INFO-CEN", "waitlisted", 0, 0, &code_b, &error));
	g_assert_no_error (error);
	for (const char *const *t = (const char *const[]) { "łucja żółkiewska", "ZOLKIEWSKA lucja", "swietochlowice",
		                                            "lucja@ops", "  Żół  ", NULL };
	     *t; t++) {
		g_autofree char *got = search (db, *t, NULL, NULL, NULL, 0, NULL);
		g_assert_cmpstr (got, ==, "lucja@ops.example.pl");
	}
	{
		g_autofree char *lower = g_ascii_strdown (code_b, -1);
		g_autofree char *by_code = search (db, lower, NULL, NULL, NULL, 0, NULL);
		g_autofree char *all = search (db, NULL, NULL, NULL, NULL, 0, NULL);
		g_autofree char *none = search (db, "kowalski", NULL, NULL, NULL, 0, NULL);
		g_autofree char *waiting = search (db, "", "INFO-CEN", "waitlisted", NULL, 0, NULL);
		g_autofree char *north = search (db, NULL, NULL, NULL, "północny", 0, NULL);
		g_autofree char *other_event = search (db, NULL, "WS-1", NULL, NULL, 0, NULL);
		g_autofree char *first = search (db, NULL, NULL, NULL, NULL, 1, &more);
		g_assert_cmpstr (by_code, ==, "jan@gops.example.pl");
		g_assert_cmpstr (all, ==, "jan@gops.example.pl lucja@ops.example.pl");   /* by last name */
		g_assert_cmpstr (none, ==, "");
		g_assert_cmpstr (waiting, ==, "jan@gops.example.pl");
		g_assert_cmpstr (north, ==, "jan@gops.example.pl");
		g_assert_cmpstr (other_event, ==, "");
		g_assert_cmpstr (first, ==, "jan@gops.example.pl");
		g_assert_true (more);
	}
	{
		g_autoptr (GPtrArray) sp = g_ptr_array_new_with_free_func (g_free);
		g_autoptr (GPtrArray) op = g_ptr_array_new_with_free_func (g_free);
		g_autoptr (ApplicantRow) gone = NULL;
		g_autofree char *left = NULL;
		g_assert_true (db_begin (db, &error));
		g_assert_true (db_forget (db, ib, b.email, NULL, sp, op, &error));
		g_assert_true (db_commit (db, &error));
		left = search (db, NULL, NULL, NULL, NULL, 0, NULL);
		g_assert_cmpstr (left, ==, "lucja@ops.example.pl");
		gone = db_applicant_get (db, ib, &error);
		g_assert_nonnull (gone);
		g_assert_true (gone->forgotten);
	}
	{
		guint total = 0, total_after = 0;
		g_autoptr (GPtrArray) places = db_event_places (db, "INFO-CEN", &error);
		g_autoptr (GPtrArray) waiting = db_event_waiting (db, "INFO-CEN", 0, 100, &total, &error);
		g_autoptr (GPtrArray) after = db_event_waiting (db, "INFO-CEN", 1, 100, &total_after, &error);
		g_autoptr (GPtrArray) regs = db_applicant_registrations (db, ia, TRUE, &error);
		g_assert_no_error (error);
		g_assert_cmpuint (places->len, ==, 1);
		g_assert_cmpstr (((Participant *) g_ptr_array_index (places, 0))->last_name, ==, "Żółkiewska");
		g_assert_cmpuint (waiting->len, ==, 1);
		g_assert_cmpint (((Participant *) g_ptr_array_index (waiting, 0))->position, ==, 1);
		g_assert_cmpuint (total, ==, 1);
		g_assert_cmpuint (after->len, ==, 0);   /* a page past the end: nobody, and the length */
		g_assert_cmpuint (total_after, ==, 1);
		g_assert_cmpuint (regs->len, ==, 1);
		g_assert_cmpstr (((Registration *) g_ptr_array_index (regs, 0))->code, ==, code_a);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_test_add_func ("/store/open-migrate-reopen", test_open_migrate_reopen);
	g_test_add_func ("/store/events", test_events);
	g_test_add_func ("/store/applicant-and-registrations", test_applicant_and_registrations);
	g_test_add_func ("/store/messages-and-outbox", test_messages_and_outbox);
	g_test_add_func ("/store/rollback", test_rollback);
	g_test_add_func ("/store/catalog-in-transaction", test_catalog_in_transaction);
	g_test_add_func ("/store/imap-set-states", test_imap_set_states);
	g_test_add_func ("/store/migrate-rows", test_migrate_rows);
	g_test_add_func ("/store/registration-row", test_registration_row);
	g_test_add_func ("/store/audit", test_audit);
	g_test_add_func ("/store/applicant-search", test_applicant_search);
	return g_test_run ();
}

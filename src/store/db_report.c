/* db_report.c - what people and monitoring read: the listings behind
 * `messages`, `outbox`, `applicants`, the counts of `status`, `stats` and the
 * daily digest, and the health of each step.
 */
#include "store/db_private.h"

#include <string.h>

GPtrArray *
db_messages_list (Db *db, GError **error)
{
	return db_rows (db,
	                "SELECT message_id, sender AS \"from\", subject, state, reason, reason_code, form_part,"
	                " received_at, purged_at FROM messages ORDER BY id",
	                NULL, error);
}

GPtrArray *
db_outbox_list (Db *db, GError **error)
{
	return db_rows (db,
	                "SELECT message_id, rcpt AS \"to\", kind, subject, state, attempts,"
	                " last_code, last_error, created_at, sent_at,"
	                " CASE WHEN state = 'deferred' THEN strftime('%Y-%m-%dT%H:%M:%SZ',"
	                " next_attempt_at, 'unixepoch') END AS next_attempt_at,"
	                " dsn_status, dsn_diagnostic FROM outbox ORDER BY id",
	                NULL, error);
}

GPtrArray *
db_applicants_list (Db *db, GError **error)
{
	return db_rows (db,
	                "SELECT id, first_name, last_name, email, phone, institution,"
	                " institution_type, position, powiat, subregion, needs, topics,"
	                " consulting_topic, created_at, updated_at FROM applicants ORDER BY id",
	                NULL, error);
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
		counts[db_outcome_parse ((const char *) sqlite3_column_text (st, 0))] = sqlite3_column_int (st, 1);
	sqlite3_reset (st);
	return rc == SQLITE_DONE || db_fail (db, error, "count messages");
}

StatusCounts *
db_status_counts (Db *db, GError **error)
{
	g_autoptr (StatusCounts) counts = g_new0 (StatusCounts, 1);
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt (db, "SELECT state, count(*) FROM outbox GROUP BY state", error)) == NULL)
		return NULL;
	while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
		const char *state = (const char *) sqlite3_column_text (st, 0);
		int n = sqlite3_column_int (st, 1);
		int *slot = g_str_equal (state, "queued") ? &counts->queued
		            : g_str_equal (state, "deferred") ? &counts->deferred
		            : g_str_equal (state, "sent") ? &counts->sent
		            : g_str_equal (state, "failed") ? &counts->failed : &counts->bounced;
		*slot = n;
	}
	sqlite3_reset (st);
	if (rc != SQLITE_DONE) {
		db_fail (db, error, "count outgoing mail");
		return NULL;
	}
	if ((st = db_stmt (db, "SELECT count(*), min(received_at) FROM messages WHERE state = 'review'", error)) == NULL)
		return NULL;
	if ((rc = sqlite3_step (st)) == SQLITE_ROW) {
		counts->review = sqlite3_column_int (st, 0);
		counts->review_oldest = db_col_text (st, 1);
	}
	sqlite3_reset (st);
	if (rc != SQLITE_ROW) {
		db_fail (db, error, "count messages in review");
		return NULL;
	}
	if ((counts->imap = db_read_rows (db, "SELECT " MAILBOX_COLUMNS " FROM imap_mailboxes", NULL,
	                                  &db_mailbox_row, "read IMAP state", error)) == NULL)
		return NULL;
	return g_steal_pointer (&counts);
}

/* --- the daily digest -------------------------------------------------------- */

GPtrArray *
db_digest_registrations (Db *db, const char *since, const char *until, GError **error)
{
	return db_rows (db,
	                "SELECT e.code AS event, e.title, count(r.id) AS new FROM events e"
	                " JOIN registrations r ON r.event_id = e.id AND r.created_at >= :since"
	                " AND r.created_at < :until GROUP BY e.id ORDER BY e.code",
	                DB_PARAMS (DB_TEXT (":since", since), DB_TEXT (":until", until)), error);
}

int
db_messages_count_since (Db *db, const char *state, const char *since, const char *until, GError **error)
{
	return db_count (db,
	                 "SELECT count(*) FROM messages WHERE state = :state"
	                 " AND (:since IS NULL OR received_at >= :since) AND received_at < :until",
	                 DB_PARAMS (DB_TEXT (":state", state), DB_TEXT (":since", since), DB_TEXT (":until", until)),
	                 "count messages", error);
}

int
db_outbox_count_since (Db *db, const char *state, const char *since, const char *until, GError **error)
{
	return db_count (db,
	                 "SELECT count(*) FROM outbox WHERE state = :state AND created_at >= :since"
	                 " AND created_at < :until",
	                 DB_PARAMS (DB_TEXT (":state", state), DB_TEXT (":since", since), DB_TEXT (":until", until)),
	                 "count outgoing mail", error);
}

char *
db_last_digest (Db *db, GError **error)
{
	return db_scalar_text (db, "SELECT max(created_at) FROM outbox WHERE kind = 'digest'", NULL,
	                       "find the last digest", error);
}

/* --- health ------------------------------------------------------------------ */

gboolean
db_health_record (Db *db, const char *step, const char *error_text, GError **error)
{
	return db_run (db,
	               "INSERT INTO health (step, last_ok, last_error, error_at)"
	               " VALUES (:step, CASE WHEN :err IS NULL THEN :now END, :err,"
	               " CASE WHEN :err IS NOT NULL THEN :now END)"
	               " ON CONFLICT (step) DO UPDATE SET"
	               " last_ok = CASE WHEN :err IS NULL THEN :now ELSE last_ok END,"
	               " last_error = CASE WHEN :err IS NULL THEN last_error ELSE :err END,"
	               " error_at = CASE WHEN :err IS NULL THEN error_at ELSE :now END",
	               DB_PARAMS (DB_TEXT (":step", step), DB_TEXT (":err", error_text), DB_NOW (":now")),
	               "record health", error);
}

GPtrArray *
db_health_list (Db *db, GError **error)
{
	return db_rows (db, "SELECT step, last_ok, last_error, error_at FROM health ORDER BY step", NULL, error);
}

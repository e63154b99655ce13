/* db_outbox.c - the outgoing queue: composed replies with their delivery
 * state, the in-flight mark journalled before each attempt, bounces.
 *
 * Bodies live apart (outbox_bodies), so a state change rewrites a short row.
 */
#include "store/db_private.h"

gboolean
db_outbox_add (Db *db, gint64 inbound_row, const char *kind, const char *rcpt, const char *subject,
               const char *message_id, GBytes *raw, GError **error)
{
	sqlite3_stmt *st;
	gsize len;
	const void *data = g_bytes_get_data (raw, &len);

	if (!db_run (db,
	             "INSERT INTO outbox (message_id, inbound_id, kind, rcpt, subject,"
	             " created_at) VALUES (:mid, :in, :kind, :rcpt, :subject, :now)",
	             DB_PARAMS (DB_TEXT (":mid", message_id), DB_POS (":in", inbound_row), DB_TEXT (":kind", kind),
	                        DB_TEXT (":rcpt", rcpt), DB_TEXT (":subject", subject), DB_NOW (":now")),
	             "queue reply", error))
		return FALSE;
	st = db_query (db, "INSERT INTO outbox_bodies (outbox_id, raw) VALUES (:id, :raw)",
	               DB_PARAMS (DB_INT (":id", sqlite3_last_insert_rowid (db->handle))), error);
	if (st == NULL)
		return FALSE;
	sqlite3_bind_blob64 (st, sqlite3_bind_parameter_index (st, ":raw"), data, len, SQLITE_STATIC);
	return db_step_done (db, st, "queue reply", error);
}

GPtrArray *
db_outbox_due (Db *db, gint64 now, GError **error)
{
	return db_read_rows (db,
	                     "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state IN ('queued','deferred')"
	                     " AND next_attempt_at <= :now ORDER BY id",
	                     DB_PARAMS (DB_INT (":now", now)), &db_outbox_row, "read outbox", error);
}

OutboxRow *
db_outbox_find (Db *db, const char *message_id, GError **error)
{
	return db_read_row (db, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE message_id = :mid",
	                    DB_PARAMS (DB_TEXT (":mid", message_id)), &db_outbox_row, "look up outbox Message-ID", error);
}

gboolean
db_outbox_next_attempt (Db *db, gint64 after, gint64 *when, GError **error)
{
	*when = 0;
	return db_scalar_int (db,
	                      "SELECT min(next_attempt_at) FROM outbox WHERE state IN ('queued','deferred')"
	                      " AND next_attempt_at > :after",
	                      DB_PARAMS (DB_INT (":after", after)), when, "read outbox", error) >= 0;
}

GBytes *
db_outbox_raw (Db *db, gint64 id, GError **error)
{
	sqlite3_stmt *st = db_query (db, "SELECT raw FROM outbox_bodies WHERE outbox_id = :id",
	                             DB_PARAMS (DB_INT (":id", id)), error);
	GBytes *raw = NULL;

	if (st == NULL)
		return NULL;
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
	return db_run (db, "UPDATE outbox SET sending_since = :now WHERE id = :id",
	               DB_PARAMS (DB_INT (":now", now), DB_INT (":id", id)), "journal delivery attempt", error);
}

static gpointer
text_from_row (sqlite3_stmt *st)
{
	return db_col_text (st, 0);
}

GPtrArray *
db_outbox_interrupted (Db *db, GError **error)
{
	return db_collect (db,
	                   "UPDATE outbox SET sending_since = NULL WHERE sending_since IS NOT NULL"
	                   " RETURNING message_id",
	                   NULL, text_from_row, g_free, "recover interrupted deliveries", error);
}

gboolean
db_outbox_result (Db *db, gint64 id, const char *state, int code, const char *text,
                  gint64 next_attempt, GError **error)
{
	g_return_val_if_fail (g_strv_contains ((const char *const[]) { "sent", "deferred", "failed", NULL }, state),
	                      FALSE);
	return db_run (db,
	               "UPDATE outbox SET state = :state, attempts = attempts + 1,"
	               " sending_since = NULL, last_code = :code, last_error = :text,"
	               " next_attempt_at = :next,"
	               " sent_at = CASE WHEN :state = 'sent' THEN :now ELSE sent_at END"
	               " WHERE id = :id",
	               DB_PARAMS (DB_TEXT (":state", state), DB_POS (":code", code), DB_TEXT (":text", text),
	                          DB_INT (":next", next_attempt), DB_NOW (":now"), DB_INT (":id", id)),
	               "mark delivery", error);
}

gboolean
db_outbox_set_warned (Db *db, gint64 id, GError **error)
{
	return db_run (db, "UPDATE outbox SET warned = 1 WHERE id = :id", DB_PARAMS (DB_INT (":id", id)),
	               "mark delay warning", error);
}

gboolean
db_outbox_bounce (Db *db, gint64 id, const char *status, const char *diagnostic, GError **error)
{
	g_autofree char *reason = g_strdup_printf ("%s %s", status ? status : "5.0.0", diagnostic ? diagnostic : "");

	return db_run (db,
	               "UPDATE outbox SET state = 'bounced', dsn_status = :status,"
	               " dsn_diagnostic = :diag WHERE id = :id",
	               DB_PARAMS (DB_TEXT (":status", status), DB_TEXT (":diag", diagnostic), DB_INT (":id", id)),
	               "mark bounce", error) &&
	       db_run (db,
	               "UPDATE applicants SET bounced_at = :now, bounce_reason = :reason"
	               " WHERE email = (SELECT rcpt FROM outbox WHERE id = :id)",
	               DB_PARAMS (DB_NOW (":now"), DB_TEXT (":reason", g_strstrip (reason)), DB_INT (":id", id)),
	               "flag bounced applicant", error);
}

int
db_outbox_replies_today (Db *db, const char *rcpt, GError **error)
{
	g_autofree char *since = db_iso_before (86400);

	return db_count (db,
	                 "SELECT count(*) FROM outbox WHERE rcpt = :rcpt COLLATE NOCASE"
	                 " AND created_at >= :since AND kind NOT IN ('staff','digest')",
	                 DB_PARAMS (DB_TEXT (":rcpt", rcpt), DB_TEXT (":since", since)), "count replies", error);
}

GPtrArray *
db_outbox_waiting_list (Db *db, GError **error)
{
	return db_rows (db,
	                "SELECT id, kind, rcpt AS \"to\", subject, state, attempts, last_code, last_error, created_at,"
	                " CASE WHEN state = 'deferred' THEN strftime('%Y-%m-%dT%H:%M:%SZ',"
	                " next_attempt_at, 'unixepoch') END AS next_attempt_at"
	                " FROM outbox WHERE state IN ('queued','deferred','failed') ORDER BY id",
	                NULL, error);
}

gboolean
db_outbox_retry_now (Db *db, gint64 id, gint64 now, GError **error)
{
	gint64 done;

	/* no row back (not deferred) is db_returning's MAILREG_ERROR_DATA */
	return db_returning (db, "UPDATE outbox SET next_attempt_at = :now WHERE id = :id AND state = 'deferred' RETURNING id",
	                     DB_PARAMS (DB_INT (":now", now), DB_INT (":id", id)), &done, "retry a deferred reply now",
	                     error);
}

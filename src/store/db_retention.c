/* db_retention.c - what the store forgets: RODO/GDPR erasure of one person,
 * the purge of raw copies past the retention period, and the compaction that
 * leaves no old page of either behind.
 *
 * A message is finished when its outcome is recorded, it is not a review
 * still waiting for a person, and its IMAP journal row (if any) is
 * acknowledged; a reply when it left the queue and is not in flight.
 */
#include "store/db_private.h"

/* Run @sql with :a = @applicant and :email = @email bound when it uses them;
 * the first column of any rows it returns goes to @out (when not NULL). */
static gboolean
forget_step (Db *db, const char *sql, gint64 applicant, const char *email, GPtrArray *out, GError **error)
{
	sqlite3_stmt *st = db_stmt (db, sql, error);
	int rc;

	if (st == NULL)
		return FALSE;
	if (sqlite3_bind_parameter_index (st, ":a") > 0)
		db_bind_int (st, ":a", applicant);
	if (sqlite3_bind_parameter_index (st, ":email") > 0)
		db_bind_text (st, ":email", email);
	while ((rc = sqlite3_step (st)) == SQLITE_ROW)
		if (out != NULL)
			g_ptr_array_add (out, db_col_text (st, 0));
	sqlite3_reset (st);
	return rc == SQLITE_DONE || db_fail (db, error, "erase personal data");
}

gboolean
db_forget (Db *db, gint64 applicant, const char *email, GPtrArray *spool_ids, GPtrArray *spool_ids_out,
           GPtrArray *outbox_ids_out, GError **error)
{
	/* The messages to erase: from the address, linked to the applicant, naming
	 * the address, or whose raw file named it (@spool_ids, found by the caller). */
	if (!db_exec (db, "PRAGMA secure_delete = ON", error) ||
	    !db_exec (db, "CREATE TEMP TABLE IF NOT EXISTS forget_messages (id INTEGER PRIMARY KEY, spool_id TEXT);"
	                  "DELETE FROM temp.forget_messages;", error))
		return FALSE;
	for (guint i = 0; spool_ids != NULL && i < spool_ids->len; i++)
		if (!db_run (db, "INSERT OR IGNORE INTO temp.forget_messages"
		             " SELECT id, spool_id FROM messages WHERE spool_id = :spool",
		             DB_PARAMS (DB_TEXT (":spool", g_ptr_array_index (spool_ids, i))), "erase personal data", error))
			return FALSE;
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
	return db_exec (db, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);", error);
}

/* --- purging raw copies -------------------------------------------------------- */

#define MESSAGE_FINISHED \
	"NOT (m.state = 'review' AND m.reviewed_at IS NULL)" \
	" AND NOT EXISTS (SELECT 1 FROM imap_messages i WHERE i.spool_id = m.spool_id AND i.state = 'pending')"

GPtrArray *
db_purge_messages (Db *db, const char *before, GError **error)
{
	return db_read_rows (db,
	                     "SELECT m.id, m.spool_id FROM messages m WHERE m.purged_at IS NULL"
	                     " AND m.received_at < :before AND " MESSAGE_FINISHED " ORDER BY m.id",
	                     DB_PARAMS (DB_TEXT (":before", before)), &db_purge_row, "read messages to purge", error);
}

GPtrArray *
db_purge_outbox (Db *db, const char *before, GError **error)
{
	return db_read_rows (db,
	                     "SELECT id, message_id FROM outbox WHERE purged_at IS NULL"
	                     " AND state IN ('sent', 'failed', 'bounced') AND sending_since IS NULL"
	                     " AND coalesce(sent_at, created_at) < :before ORDER BY id",
	                     DB_PARAMS (DB_TEXT (":before", before)), &db_purge_row, "read replies to purge", error);
}

int
db_purge_hash (Db *db, const char *hash, const char *before, GError **error)
{
	gint64 ok = 0;

	/* a row always comes (an aggregate); NULL when no message has @hash */
	if (db_scalar_int (db,
	                   "SELECT count(*) > 0 AND max(m.received_at) < :before AND min(" MESSAGE_FINISHED ")"
	                   " FROM messages m WHERE m.hash = :hash",
	                   DB_PARAMS (DB_TEXT (":hash", hash), DB_TEXT (":before", before)), &ok,
	                   "look up message by content", error) < 0)
		return -1;
	return ok != 0;
}

gboolean
db_purge_mark (Db *db, gboolean outbox, gint64 id, GError **error)
{
	if (!db_run (db, outbox ? "UPDATE outbox SET purged_at = :now WHERE id = :id"
	             : "UPDATE messages SET purged_at = :now WHERE id = :id",
	             DB_PARAMS (DB_NOW (":now"), DB_INT (":id", id)), "mark raw copy purged", error))
		return FALSE;
	/* what OCR read of a scan is a copy of the raw message too */
	if (!outbox && !db_run (db, "DELETE FROM message_fields WHERE message_id = :id", DB_PARAMS (DB_INT (":id", id)),
	                        "purge scanned fields", error))
		return FALSE;
	/* the reply's text in the database is a raw copy too, and no longer sent */
	return !outbox || db_run (db, "DELETE FROM outbox_bodies WHERE outbox_id = :id", DB_PARAMS (DB_INT (":id", id)),
	                          "purge reply text", error);
}

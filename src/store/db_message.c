/* db_message.c - inbound messages: one row per spool file with its outcome,
 * found again by spool id, Message-ID or content hash, and the staff review
 * of those that needed a person.
 */
#include "store/db_private.h"

#include "core/errors.h"

gboolean
db_message_recorded (Db *db, const char *spool_id, Outcome *outcome, GError **error)
{
	g_autofree char *state = db_scalar_text (db, "SELECT state FROM messages WHERE spool_id = :spool",
	                                         DB_PARAMS (DB_TEXT (":spool", spool_id)), "look up spool file",
	                                         error);

	/* state is NOT NULL: a row gives a text */
	if (state != NULL && outcome != NULL)
		*outcome = db_outcome_parse (state);
	return state != NULL;
}

char *
db_message_mid (Db *db, const char *spool_id, GError **error)
{
	return db_scalar_text (db, "SELECT message_id FROM messages WHERE spool_id = :spool",
	                       DB_PARAMS (DB_TEXT (":spool", spool_id)), "look up Message-ID", error);
}

gboolean
db_message_seen (Db *db, const char *message_id, const char *hash, GError **error)
{
	gint64 one = 0;

	return db_scalar_int (db,
	                      "SELECT 1 FROM messages WHERE state <> 'duplicate' AND"
	                      " (message_id = :mid OR (:mid IS NULL AND message_id IS NULL AND hash = :hash))"
	                      " LIMIT 1",
	                      DB_PARAMS (DB_TEXT (":mid", message_id), DB_TEXT (":hash", hash)), &one,
	                      "look up Message-ID", error) == 1;
}

gint64
db_message_insert (Db *db, const InboundRecord *rec, GError **error)
{
	if (!db_run (db,
	             "INSERT INTO messages (spool_id, message_id, hash, sender, subject, state,"
	             " reason, reason_code, form_part, received_at) VALUES (:spool, :mid, :hash, :sender,"
	             " :subject, :state, :reason, :code, :part, :now)",
	             DB_PARAMS (DB_TEXT (":spool", rec->spool_id), DB_TEXT (":mid", rec->message_id),
	                        DB_TEXT (":hash", rec->hash), DB_TEXT (":sender", rec->sender),
	                        DB_TEXT (":subject", rec->subject), DB_TEXT (":state", outcome_name (rec->outcome)),
	                        DB_TEXT (":reason", rec->reason), DB_TEXT (":code", rec->reason_code),
	                        DB_TEXT (":part", rec->form_part), DB_NOW (":now")),
	             "record message", error))
		return 0;
	return sqlite3_last_insert_rowid (db->handle);
}

gboolean
db_message_append_reason (Db *db, gint64 message_row, const char *note, GError **error)
{
	return db_run (db,
	               "UPDATE messages SET reason = CASE WHEN reason IS NULL OR reason = ''"
	               " THEN :note ELSE reason || '; ' || :note END WHERE id = :id",
	               DB_PARAMS (DB_TEXT (":note", note), DB_INT (":id", message_row)), "note message reason", error);
}

gboolean
db_message_set_applicant (Db *db, gint64 message_row, gint64 applicant_id, const char *reason,
                          GError **error)
{
	return db_run (db, "UPDATE messages SET applicant_id = :a, reason = :reason WHERE id = :id",
	               DB_PARAMS (DB_INT (":a", applicant_id), DB_TEXT (":reason", reason), DB_INT (":id", message_row)),
	               "link message", error);
}

char *
db_message_find (Db *db, const char *message_id, const char *hash, GError **error)
{
	return db_scalar_text (db,
	                       "SELECT spool_id FROM messages WHERE"
	                       " (:mid IS NOT NULL AND message_id = :mid) OR (:mid IS NULL AND hash = :hash)"
	                       " ORDER BY id LIMIT 1",
	                       DB_PARAMS (DB_TEXT (":mid", message_id), DB_TEXT (":hash", hash)), "look up message",
	                       error);
}

/* --- staff review ------------------------------------------------------------ */

GPtrArray *
db_review_list (Db *db, gboolean all, guint limit, GError **error)
{
#define REVIEW_COLUMNS "SELECT id, received_at, sender AS \"from\", subject, reason, reason_code, spool_id," \
	" reviewed_at, purged_at FROM messages WHERE state = 'review'"
	/* the open ones by their own index (messages_open_review), in id order:
	 * an OR with :all would make SQLite read every review row and sort */
	return db_rows (db,
	                all ? REVIEW_COLUMNS " ORDER BY id LIMIT :limit"
	                    : REVIEW_COLUMNS " AND reviewed_at IS NULL ORDER BY id LIMIT :limit",
	                DB_PARAMS (DB_INT (":limit", limit > 0 ? (gint64) limit : -1)), error);
#undef REVIEW_COLUMNS
}

int
db_review_open_count (Db *db, GError **error)
{
	/* without statistics SQLite took messages_state and read every review row */
	return db_count (db,
	                 "SELECT count(*) FROM messages INDEXED BY messages_open_review"
	                 " WHERE state = 'review' AND reviewed_at IS NULL",
	                 NULL, "count open review items", error);
}

GHashTable *
db_message_get (Db *db, gint64 id, GError **error)
{
	g_autoptr (GPtrArray) rows = db_rows (db,
	                                      "SELECT id, spool_id, message_id, hash, sender, subject, state,"
	                                      " reason, reason_code, received_at, reviewed_at, purged_at FROM messages"
	                                      " WHERE id = :id",
	                                      DB_PARAMS (DB_INT (":id", id)), error);

	if (rows == NULL || rows->len == 0)
		return NULL;
	return g_hash_table_ref (g_ptr_array_index (rows, 0));
}

/* The change just run changed message @id, else MAILREG_ERROR_DATA: it is not
 * a review waiting for staff. */
static gboolean
one_open_review (Db *db, gint64 id, GError **error)
{
	if (sqlite3_changes (db->handle) == 1)
		return TRUE;
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "message %" G_GINT64_FORMAT " is not an open review", id);
	return FALSE;
}

gboolean
db_review_register (Db *db, gint64 id, const char *form_part, GError **error)
{
	return db_run (db,
	               "UPDATE messages SET state = 'registered', form_part = :part, reviewed_at = :now"
	               " WHERE id = :id AND state = 'review' AND reviewed_at IS NULL",
	               DB_PARAMS (DB_TEXT (":part", form_part), DB_NOW (":now"), DB_INT (":id", id)),
	               "register review message", error) &&
	       one_open_review (db, id, error);
}

int
db_review_done (Db *db, gint64 id, GError **error)
{
	return db_changes (db,
	                   "UPDATE messages SET reviewed_at = :now WHERE id = :id AND state = 'review'"
	                   " AND reviewed_at IS NULL",
	                   DB_PARAMS (DB_NOW (":now"), DB_INT (":id", id)), "mark review done", error);
}

static const DbField field_fields[] = {
	DB_FIELD (TEXT, MessageField, key), DB_FIELD (TEXT, MessageField, value), DB_FIELD (INT, MessageField, confidence),
};
static const DbRowType field_row = DB_ROW_TYPE (MessageField, field_fields, message_field_free);

void
message_field_free (MessageField *f)
{
	db_row_free (&field_row, f);
}

gboolean
db_message_field_add (Db *db, gint64 message_row, const MessageField *field, GError **error)
{
	return db_run (db,
	               "INSERT INTO message_fields (message_id, seq, key, value, confidence)"
	               " SELECT :m, coalesce(max(seq), 0) + 1, :key, :value, :conf FROM message_fields"
	               " WHERE message_id = :m",
	               DB_PARAMS (DB_INT (":m", message_row), DB_TEXT (":key", field->key),
	                          DB_TEXT (":value", field->value), DB_INT (":conf", CLAMP (field->confidence, 0, 100))),
	               "record scanned field", error);
}

GPtrArray *
db_message_fields (Db *db, gint64 message_row, GError **error)
{
	return db_read_rows (db, "SELECT key, value, confidence FROM message_fields WHERE message_id = :m ORDER BY seq",
	                     DB_PARAMS (DB_INT (":m", message_row)), &field_row, "read scanned fields", error);
}

gboolean
db_review_reject (Db *db, gint64 id, const char *note, const char *code, GError **error)
{
	return db_run (db,
	               "UPDATE messages SET state = 'rejected', reviewed_at = :now, reason_code = :code,"
	               " reason = CASE WHEN reason IS NULL OR reason = '' THEN :note ELSE reason || '; ' || :note END"
	               " WHERE id = :id AND state = 'review' AND reviewed_at IS NULL",
	               DB_PARAMS (DB_NOW (":now"), DB_TEXT (":note", note), DB_TEXT (":code", code),
	                          DB_INT (":id", id)),
	               "reject review message", error) &&
	       one_open_review (db, id, error);
}

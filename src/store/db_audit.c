/* db_audit.c - the audit trail of staff actions: who (actor), what (action),
 * on which record, when.  A row is added inside the transaction of the action
 * it records, so an action and its row are kept or undone together.
 */
#include "store/db_private.h"

void
audit_row_free (AuditRow *row)
{
	if (row == NULL)
		return;
	g_free (row->at);
	g_free (row->actor);
	g_free (row->action);
	g_free (row->record);
	g_free (row->detail);
	g_free (row);
}

/* AuditRow: id, at, actor, action, record, detail. */
static gpointer
audit_read (sqlite3_stmt *st)
{
	AuditRow *row = g_new0 (AuditRow, 1);

	row->id = sqlite3_column_int64 (st, 0);
	row->at = db_col_text (st, 1);
	row->actor = db_col_text (st, 2);
	row->action = db_col_text (st, 3);
	row->record = db_col_text (st, 4);
	row->detail = db_col_text (st, 5);
	return row;
}

gboolean
db_audit_add (Db *db, const char *actor, const char *action, const char *record, const char *detail,
              GError **error)
{
	g_autofree char *now = db_now_iso (db);

	g_return_val_if_fail (actor != NULL && action != NULL, FALSE);
	return db_run (db,
	               "INSERT INTO audit (at, actor, action, record, detail)"
	               " VALUES (:at, :actor, :action, :record, :detail)",
	               DB_PARAMS (DB_TEXT (":at", now), DB_TEXT (":actor", actor), DB_TEXT (":action", action),
	                          DB_TEXT (":record", record), DB_TEXT (":detail", detail)),
	               "add audit row", error);
}

GPtrArray *
db_audit_list (Db *db, guint limit, GError **error)
{
	return db_collect (db,
	                   "SELECT id, at, actor, action, record, detail FROM audit"
	                   " ORDER BY id DESC LIMIT :limit",
	                   DB_PARAMS (DB_INT (":limit", limit > 0 ? (gint64) limit : -1)), audit_read,
	                   (GDestroyNotify) audit_row_free, "list audit rows", error);
}

GPtrArray *
db_audit_of (Db *db, const char *record, GError **error)
{
	return db_collect (db,
	                   "SELECT id, at, actor, action, record, detail FROM audit"
	                   " WHERE record = :record ORDER BY id",
	                   DB_PARAMS (DB_TEXT (":record", record)), audit_read, (GDestroyNotify) audit_row_free,
	                   "list audit rows of a record", error);
}

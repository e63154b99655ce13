/* db_audit.c - the audit trail of staff actions: who (actor), what (action),
 * on which record, when.  A row is added inside the transaction of the action
 * it records, so an action and its row are kept or undone together.
 */
#include "store/db_private.h"

static const DbField audit_fields[] = {
	DB_FIELD (INT64, AuditRow, id), DB_FIELD (TEXT, AuditRow, at), DB_FIELD (TEXT, AuditRow, actor),
	DB_FIELD (TEXT, AuditRow, action), DB_FIELD (TEXT, AuditRow, record), DB_FIELD (TEXT, AuditRow, detail),
};
static const DbRowType audit_row = DB_ROW_TYPE (AuditRow, audit_fields, audit_row_free);

/* The columns of audit_fields, in its order. */
#define AUDIT_SELECT "SELECT id, at, actor, action, record, detail FROM audit"

void
audit_row_free (AuditRow *row)
{
	db_row_free (&audit_row, row);
}

gboolean
db_audit_add (Db *db, const char *actor, const char *action, const char *record, const char *detail,
              GError **error)
{
	g_return_val_if_fail (actor != NULL && action != NULL, FALSE);
	return db_run (db,
	               "INSERT INTO audit (at, actor, action, record, detail)"
	               " VALUES (:at, :actor, :action, :record, :detail)",
	               DB_PARAMS (DB_NOW (":at"), DB_TEXT (":actor", actor), DB_TEXT (":action", action),
	                          DB_TEXT (":record", record), DB_TEXT (":detail", detail)),
	               "add audit row", error);
}

GPtrArray *
db_audit_list (Db *db, guint limit, GError **error)
{
	return db_read_rows (db,
	                     AUDIT_SELECT " ORDER BY id DESC LIMIT :limit",
	                     DB_PARAMS (DB_INT (":limit", limit > 0 ? (gint64) limit : -1)), &audit_row,
	                     "list audit rows", error);
}

GPtrArray *
db_audit_of (Db *db, const char *record, GError **error)
{
	return db_read_rows (db,
	                     AUDIT_SELECT " WHERE record = :record ORDER BY id",
	                     DB_PARAMS (DB_TEXT (":record", record)), &audit_row, "list audit rows of a record", error);
}

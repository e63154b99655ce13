/* db_needs.c - the needs survey: what the forms' "Szczególne potrzeby" and
 * "Proponowana tematyka" answers say, per event, for `mailreg needs` and the
 * daily digest.  The store only reads them; needs.c reads the text.
 */
#include "store/db_private.h"

static const DbField needs_fields[] = {
	DB_FIELD (TEXT, NeedsRow, subregion), DB_FIELD (TEXT, NeedsRow, event), DB_FIELD (TEXT, NeedsRow, title),
	DB_FIELD (TEXT, NeedsRow, code), DB_FIELD (TEXT, NeedsRow, status), DB_FIELD (TEXT, NeedsRow, first_name),
	DB_FIELD (TEXT, NeedsRow, last_name), DB_FIELD (TEXT, NeedsRow, institution), DB_FIELD (TEXT, NeedsRow, needs),
	DB_FIELD (TEXT, NeedsRow, topics),
};
static const DbRowType needs_row = DB_ROW_TYPE (NeedsRow, needs_fields, needs_row_free);

void
needs_row_free (NeedsRow *row)
{
	db_row_free (&needs_row, row);
}

GPtrArray *
db_needs_answers (Db *db, const char *event_code, GError **error)
{
	return db_read_rows (db,
	                     "SELECT e.subregion, e.code, e.title, r.code, r.status, a.first_name, a.last_name,"
	                     " a.institution, a.needs, a.topics"
	                     " FROM events e LEFT JOIN registrations r ON r.event_id = e.id AND r.status <> 'cancelled'"
	                     " LEFT JOIN applicants a ON a.id = r.applicant_id"
	                     " WHERE :event IS NULL OR e.code = :event"
	                     " ORDER BY e.subregion IS NULL, e.subregion, e.code, r.arrival",
	                     DB_PARAMS (DB_TEXT (":event", event_code)), &needs_row, "read needs", error);
}

GPtrArray *
db_needs_since (Db *db, const char *since, const char *until, GError **error)
{
	return db_read_rows (db,
	                     "SELECT subregion, NULL, NULL, NULL, NULL, first_name, last_name, institution, needs, topics"
	                     " FROM applicants WHERE updated_at >= :since AND updated_at < :until"
	                     " AND (needs IS NOT NULL OR topics IS NOT NULL) ORDER BY id",
	                     DB_PARAMS (DB_TEXT (":since", since), DB_TEXT (":until", until)), &needs_row,
	                     "read new needs", error);
}

/* db_needs.c - the needs survey: what the forms' "Szczególne potrzeby" and
 * "Proponowana tematyka" answers say, per event, for `mailreg needs` and the
 * daily digest.  The store only reads them; needs.c reads the text.
 */
#include "store/db_private.h"

void
needs_row_free (NeedsRow *row)
{
	if (row == NULL)
		return;
	g_free (row->subregion);
	g_free (row->event);
	g_free (row->title);
	g_free (row->code);
	g_free (row->status);
	g_free (row->first_name);
	g_free (row->last_name);
	g_free (row->institution);
	g_free (row->needs);
	g_free (row->topics);
	g_free (row);
}

static gpointer
needs_read (sqlite3_stmt *st)
{
	NeedsRow *row = g_new0 (NeedsRow, 1);

	row->subregion = db_col_text (st, 0);
	row->event = db_col_text (st, 1);
	row->title = db_col_text (st, 2);
	row->code = db_col_text (st, 3);
	row->status = db_col_text (st, 4);
	row->first_name = db_col_text (st, 5);
	row->last_name = db_col_text (st, 6);
	row->institution = db_col_text (st, 7);
	row->needs = db_col_text (st, 8);
	row->topics = db_col_text (st, 9);
	return row;
}

GPtrArray *
db_needs_answers (Db *db, const char *event_code, GError **error)
{
	return db_collect (db,
	                   "SELECT e.subregion, e.code, e.title, r.code, r.status, a.first_name, a.last_name,"
	                   " a.institution, a.needs, a.topics"
	                   " FROM events e LEFT JOIN registrations r ON r.event_id = e.id AND r.status <> 'cancelled'"
	                   " LEFT JOIN applicants a ON a.id = r.applicant_id"
	                   " WHERE :event IS NULL OR e.code = :event"
	                   " ORDER BY e.subregion IS NULL, e.subregion, e.code, r.arrival",
	                   DB_PARAMS (DB_TEXT (":event", event_code)), needs_read, (GDestroyNotify) needs_row_free,
	                   "read needs", error);
}

GPtrArray *
db_needs_since (Db *db, const char *since, const char *until, GError **error)
{
	return db_collect (db,
	                   "SELECT subregion, NULL, NULL, NULL, NULL, first_name, last_name, institution, needs, topics"
	                   " FROM applicants WHERE updated_at >= :since AND updated_at < :until"
	                   " AND (needs IS NOT NULL OR topics IS NOT NULL) ORDER BY id",
	                   DB_PARAMS (DB_TEXT (":since", since), DB_TEXT (":until", until)), needs_read,
	                   (GDestroyNotify) needs_row_free, "read new needs", error);
}

/* db_attendance.c - who attended which session of an event: one mark per
 * registration and session (present or absent, the last mark stands), set by
 * staff with `attendance EVENT --present|--absent` inside their transaction.
 */
#include "store/db_private.h"

gboolean
db_attendance_set (Db *db, const char *code, int session, gboolean present, GError **error)
{
	g_autofree char *now = db_now_iso (db);

	return db_run (db,
	               "INSERT INTO attendance (registration_id, session, present, recorded_at)"
	               " SELECT id, :session, :present, :now FROM registrations WHERE code = :code"
	               " ON CONFLICT (registration_id, session) DO UPDATE SET present = excluded.present,"
	               " recorded_at = excluded.recorded_at",
	               DB_PARAMS (DB_TEXT (":code", code), DB_INT (":session", session), DB_INT (":present", present),
	                          DB_TEXT (":now", now)),
	               "record attendance", error);
}

void
attendance_mark_free (AttendanceMark *mark)
{
	if (mark == NULL)
		return;
	g_free (mark->code);
	g_free (mark);
}

static gpointer
mark_read (sqlite3_stmt *st)
{
	AttendanceMark *mark = g_new0 (AttendanceMark, 1);

	mark->code = db_col_text (st, 0);
	mark->session = sqlite3_column_int (st, 1);
	mark->present = sqlite3_column_int (st, 2) != 0;
	return mark;
}

GPtrArray *
db_attendance_of_event (Db *db, const char *event_code, GError **error)
{
	return db_collect (db,
	                   "SELECT r.code, t.session, t.present FROM attendance t"
	                   " JOIN registrations r ON r.id = t.registration_id JOIN events e ON e.id = r.event_id"
	                   " WHERE e.code = :event ORDER BY r.arrival, t.session",
	                   DB_PARAMS (DB_TEXT (":event", event_code)), mark_read, (GDestroyNotify) attendance_mark_free,
	                   "read attendance", error);
}

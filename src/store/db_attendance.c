/* db_attendance.c - who attended which session of an event: one mark per
 * registration and session (present or absent, the last mark stands), set by
 * staff with `attendance EVENT --present|--absent` inside their transaction.
 */
#include "store/db_private.h"

gboolean
db_attendance_set (Db *db, const char *code, int session, gboolean present, GError **error)
{
	return db_run (db,
	               "INSERT INTO attendance (registration_id, session, present, recorded_at)"
	               " SELECT id, :session, :present, :now FROM registrations WHERE code = :code"
	               " ON CONFLICT (registration_id, session) DO UPDATE SET present = excluded.present,"
	               " recorded_at = excluded.recorded_at",
	               DB_PARAMS (DB_TEXT (":code", code), DB_INT (":session", session), DB_INT (":present", present),
	                          DB_NOW (":now")),
	               "record attendance", error);
}

static const DbField mark_fields[] = {
	DB_FIELD (TEXT, AttendanceMark, code), DB_FIELD (INT, AttendanceMark, session),
	DB_FIELD (BOOL, AttendanceMark, present),
};
static const DbRowType mark_row = DB_ROW_TYPE (AttendanceMark, mark_fields, attendance_mark_free);

void
attendance_mark_free (AttendanceMark *mark)
{
	db_row_free (&mark_row, mark);
}

GPtrArray *
db_attendance_of_event (Db *db, const char *event_code, GError **error)
{
	return db_read_rows (db,
	                     "SELECT r.code, t.session, t.present FROM attendance t"
	                     " JOIN registrations r ON r.id = t.registration_id JOIN events e ON e.id = r.event_id"
	                     " WHERE e.code = :event ORDER BY r.arrival, t.session",
	                     DB_PARAMS (DB_TEXT (":event", event_code)), &mark_row, "read attendance", error);
}

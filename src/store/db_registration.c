/* db_registration.c - applicants and their registrations: placement, the
 * waiting lists with their offers, appointments, reminders and the notes to
 * the waiting list before an event.
 *
 * A waitlisted registration's position is computed (POSITION_SQL), so it
 * moves up by itself when someone ahead is promoted or cancels.
 */
#include "store/db_private.h"

#include "core/ids.h"

gint64
db_applicant_upsert (Db *db, const ApplicantFields *app, gboolean *created, GError **error)
{
	gint64 id;

	if ((id = db_applicant_find (db, app->email, error)) < 0)
		return 0;
	*created = id == 0;   /* row ids start at 1 */

	/* A resubmission updates what the new form says and keeps what it leaves out. */
	if (!db_returning (db,
	                   "INSERT INTO applicants (email, first_name, last_name, phone, institution,"
	                   " institution_type, position, powiat, subregion, needs, topics, consulting_topic,"
	                   " created_at, updated_at) VALUES (:email, :first, :last, :phone, :inst, :itype,"
	                   " :pos, :powiat, :sub, :needs, :topics, :ctopic, :now, :now)"
	                   " ON CONFLICT (email) DO UPDATE SET first_name = excluded.first_name,"
	                   " last_name = excluded.last_name, phone = coalesce(excluded.phone, phone),"
	                   " institution = excluded.institution,"
	                   " institution_type = coalesce(excluded.institution_type, institution_type),"
	                   " position = coalesce(excluded.position, position), powiat = excluded.powiat,"
	                   " subregion = excluded.subregion, needs = coalesce(excluded.needs, needs),"
	                   " topics = coalesce(excluded.topics, topics),"
	                   " consulting_topic = coalesce(excluded.consulting_topic, consulting_topic),"
	                   " updated_at = excluded.updated_at RETURNING id",
	                   DB_PARAMS (DB_TEXT (":email", app->email), DB_TEXT (":first", app->first_name),
	                              DB_TEXT (":last", app->last_name), DB_TEXT (":phone", app->phone),
	                              DB_TEXT (":inst", app->institution), DB_TEXT (":itype", app->institution_type),
	                              DB_TEXT (":pos", app->position), DB_TEXT (":powiat", app->powiat),
	                              DB_TEXT (":sub", app->subregion), DB_TEXT (":needs", app->needs),
	                              DB_TEXT (":topics", app->topics), DB_POS (":ctopic", app->consulting_topic),
	                              DB_NOW (":now")),
	                   &id, "store applicant", error))
		return 0;
	return id;
}

gint64
db_applicant_find (Db *db, const char *email, GError **error)
{
	gint64 id = 0;

	if (db_scalar_int (db, "SELECT id FROM applicants WHERE email = :email", DB_PARAMS (DB_TEXT (":email", email)),
	                   &id, "look up applicant", error) < 0)
		return -1;
	return id;
}

gboolean
db_registration_add (Db *db, gint64 applicant_id, const char *event_code, const char *status, int hours,
                     gint64 message_row, char **code, GError **error)
{
	*code = NULL;
	/* A code collision (1 in 2^40 per pair) just draws again. */
	for (int attempt = 0; attempt < 5; attempt++) {
		g_autofree char *candidate = ids_registration_code ();
		sqlite3_stmt *st = db_query (db,
		                             "INSERT INTO registrations (code, applicant_id, event_id, status, hours,"
		                             " message_id, created_at, arrival) SELECT :code, :a, id, :status, :hours,"
		                             " :m, :now, (SELECT coalesce(max(arrival), 0) + 1 FROM registrations)"
		                             " FROM events WHERE code = :event"
		                             " ON CONFLICT (applicant_id, event_id) DO NOTHING",
		                             DB_PARAMS (DB_TEXT (":code", candidate), DB_INT (":a", applicant_id),
		                                        DB_TEXT (":status", status), DB_INT (":hours", hours),
		                                        DB_POS (":m", message_row), DB_NOW (":now"),
		                                        DB_TEXT (":event", event_code)),
		                             error);
		int rc;

		if (st == NULL)
			return FALSE;
		rc = sqlite3_step (st);
		sqlite3_reset (st);
		if (rc == SQLITE_DONE) {
			if (sqlite3_changes (db->handle) == 1)
				*code = g_steal_pointer (&candidate);
			return TRUE;
		}
		if (sqlite3_extended_errcode (db->handle) != SQLITE_CONSTRAINT_UNIQUE)
			return db_fail (db, error, "store registration");
	}
	return db_fail (db, error, "store registration");
}

gboolean
db_registration_place (Db *db, gint64 applicant_id, const char *event_code, const char *status, int hours,
                       gint64 message_row, char **code, GError **error)
{
	sqlite3_stmt *st;
	g_autofree char *existing = NULL;
	g_autofree char *old_status = NULL;
	int rc;

	*code = NULL;
	st = db_query (db,
	               "SELECT r.code, r.status FROM registrations r JOIN events e ON e.id = r.event_id"
	               " WHERE r.applicant_id = :a AND e.code = :event",
	               DB_PARAMS (DB_INT (":a", applicant_id), DB_TEXT (":event", event_code)), error);
	if (st == NULL)
		return FALSE;
	if ((rc = sqlite3_step (st)) == SQLITE_ROW) {
		existing = db_col_text (st, 0);
		old_status = db_col_text (st, 1);
	}
	sqlite3_reset (st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail (db, error, "look up registration");
	if (existing != NULL && g_strcmp0 (old_status, "cancelled") != 0)
		return TRUE;  /* already registered: keep the place or the position */
	if (existing == NULL)
		return db_registration_add (db, applicant_id, event_code, status, hours, message_row, code, error);
	/* A cancelled registration taken up again: at the end of the queue. */
	if (!db_run (db,
	             "UPDATE registrations SET status = :status, hours = :hours, cancelled_at = NULL,"
	             " offer_deadline = NULL, message_id = coalesce(:m, message_id),"
	             " arrival = (SELECT coalesce(max(arrival), 0) + 1 FROM registrations) WHERE code = :code",
	             DB_PARAMS (DB_TEXT (":status", status), DB_INT (":hours", hours), DB_POS (":m", message_row),
	                        DB_TEXT (":code", existing)),
	             "place registration", error))
		return FALSE;
	*code = g_steal_pointer (&existing);
	return TRUE;
}

Registration *
db_registration_get (Db *db, const char *code, GError **error)
{
	return db_read_row (db,
	                    "SELECT " REGISTRATION_COLUMNS " FROM registrations r JOIN events e ON e.id = r.event_id"
	                    " JOIN applicants a ON a.id = r.applicant_id WHERE r.code = :code",
	                    DB_PARAMS (DB_TEXT (":code", code)), &db_registration_row, "read registration", error);
}

GPtrArray *
db_registrations_of (Db *db, gint64 applicant_id, GError **error)
{
	return db_rows (db,
	                "SELECT r.code, e.code AS event, e.kind, r.status, e.title, r.hours,"
	                " " POSITION_SQL " AS position,"
	                " CASE WHEN " OPEN_OFFER ("r") " THEN strftime('%Y-%m-%dT%H:%M:%SZ',"
	                " r.offer_deadline, 'unixepoch') END AS offer_until"
	                " FROM registrations r JOIN events e ON e.id = r.event_id"
	                " WHERE r.applicant_id = :a ORDER BY r.id",
	                DB_PARAMS (DB_INT (":a", applicant_id)), error);
}

gboolean
db_registration_set_status (Db *db, const char *code, const char *status, GError **error)
{
	return db_run (db,
	               "UPDATE registrations SET status = :status,"
	               " cancelled_at = CASE WHEN :status = 'cancelled' THEN :now END WHERE code = :code",
	               DB_PARAMS (DB_TEXT (":status", status), DB_NOW (":now"), DB_TEXT (":code", code)),
	               "change registration", error);
}

int
db_registration_next_sequence (Db *db, const char *code, GError **error)
{
	gint64 n = -1;

	return db_returning (db,
	                     "UPDATE registrations SET ical_sequence = ical_sequence + 1 WHERE code = :code"
	                     " RETURNING ical_sequence - 1",
	                     DB_PARAMS (DB_TEXT (":code", code)), &n, "bump calendar sequence", error) ? (int) n : -1;
}

gboolean
db_registration_set_appointment (Db *db, const char *code, const char *when, const char *place, GError **error)
{
	return db_run (db,
	               "UPDATE registrations SET appointment = :when, appointment_place = :place,"
	               " status = 'confirmed' WHERE code = :code",
	               DB_PARAMS (DB_TEXT (":when", when), DB_TEXT (":place", place), DB_TEXT (":code", code)),
	               "set appointment", error);
}

/* --- waiting lists and offers ------------------------------------------------ */

char *
db_waitlist_first (Db *db, const char *event_code, GError **error)
{
	return db_scalar_text (db,
	                       "SELECT r.code FROM registrations r JOIN events e ON e.id = r.event_id"
	                       " WHERE e.code = :event AND r.status = 'waitlisted' AND r.offer_deadline IS NULL"
	                       " ORDER BY r.arrival LIMIT 1",
	                       DB_PARAMS (DB_TEXT (":event", event_code)), "read waiting list", error);
}

gboolean
db_registration_offer (Db *db, const char *code, gint64 deadline, GError **error)
{
	return db_run (db,
	               "UPDATE registrations SET offer_deadline = :deadline"
	               " WHERE code = :code AND status = 'waitlisted'",
	               DB_PARAMS (DB_INT (":deadline", deadline), DB_TEXT (":code", code)), "offer a place", error);
}

GPtrArray *
db_offers_expired (Db *db, gint64 now, GError **error)
{
	return db_read_rows (db,
	                     "SELECT r.code, e.code, NULL, NULL FROM registrations r"
	                     " JOIN events e ON e.id = r.event_id"
	                     " WHERE " OPEN_OFFER ("r") " AND r.offer_deadline <= :now"
	                     " ORDER BY r.offer_deadline, r.arrival",
	                     DB_PARAMS (DB_INT (":now", now)), &db_waiting_row, "read expired offers", error);
}

GPtrArray *
db_waitlist_note_candidates (Db *db, GError **error)
{
	return db_read_rows (db,
	                     "SELECT r.code, e.code, " POSITION_SQL ","
	                     " (SELECT min(s.start) FROM sessions s WHERE s.event_id = e.id) AS start"
	                     " FROM registrations r JOIN events e ON e.id = r.event_id"
	                     " WHERE r.status = 'waitlisted' AND r.offer_deadline IS NULL"
	                     " AND NOT EXISTS (SELECT 1 FROM waitlist_notes n WHERE n.registration_id = r.id)"
	                     " AND EXISTS (SELECT 1 FROM sessions s WHERE s.event_id = e.id AND s.start IS NOT NULL)"
	                     " ORDER BY start, r.arrival",
	                     NULL, &db_waiting_row, "read waiting lists", error);
}

int
db_waitlist_note_record (Db *db, const char *code, const char *state, int position, GError **error)
{
	return db_changes (db,
	                   "INSERT INTO waitlist_notes (registration_id, state, position, created_at)"
	                   " SELECT id, :state, :position, :now FROM registrations WHERE code = :code"
	                   " ON CONFLICT (registration_id) DO NOTHING",
	                   DB_PARAMS (DB_TEXT (":code", code), DB_TEXT (":state", state), DB_INT (":position", position),
	                              DB_NOW (":now")),
	                   "record waiting-list note", error);
}

/* --- reminders --------------------------------------------------------------- */

GPtrArray *
db_reminder_candidates (Db *db, GError **error)
{
	return db_read_rows (db,
	                     "SELECT r.code, a.email, a.first_name, a.last_name, e.code,"
	                     " e.title, s.seq, s.start, s.end, s.place, r.arrival"
	                     " FROM registrations r JOIN events e ON e.id = r.event_id"
	                     " JOIN applicants a ON a.id = r.applicant_id"
	                     " JOIN sessions s ON s.event_id = e.id"
	                     " WHERE r.status = 'confirmed' AND s.start IS NOT NULL"
	                     /* a consulting appointment staff set is session 0 */
	                     " UNION ALL SELECT r.code, a.email, a.first_name, a.last_name, e.code, e.title,"
	                     " 0, r.appointment, NULL, r.appointment_place, r.arrival"
	                     " FROM registrations r JOIN events e ON e.id = r.event_id"
	                     " JOIN applicants a ON a.id = r.applicant_id"
	                     " WHERE r.status = 'confirmed' AND r.appointment IS NOT NULL"
	                     " ORDER BY 8, 11, 7",
	                     NULL, &db_reminder_row, "read reminders", error);
}

int
db_reminder_record (Db *db, const char *code, int session, const char *start, gint64 offset,
                    const char *state, GError **error)
{
	return db_changes (db,
	                   "INSERT INTO reminders (registration_id, session, session_start, offset_s,"
	                   " state, created_at) SELECT id, :session, :start, :offset, :state, :now"
	                   " FROM registrations WHERE code = :code"
	                   " ON CONFLICT (registration_id, session, session_start, offset_s) DO NOTHING",
	                   DB_PARAMS (DB_TEXT (":code", code), DB_INT (":session", session), DB_TEXT (":start", start),
	                              DB_INT (":offset", offset), DB_TEXT (":state", state), DB_NOW (":now")),
	                   "record reminder", error);
}

/* db_evaluation.c - the evaluation of an event by its participants: one
 * request per registration ever (sent, or missed when mailreg was down too
 * long), found again by its Message-ID or the registration code, and the
 * answer: a rating 1-5 and a comment.
 */
#include "store/db_private.h"

void
evaluation_row_free (EvaluationRow *row)
{
	if (row == NULL)
		return;
	g_free (row->code);
	g_free (row->email);
	g_free (row->first_name);
	g_free (row->last_name);
	g_free (row->event);
	g_free (row->title);
	g_free (row->last_end);
	g_free (row->comment);
	g_free (row->answered_at);
	g_free (row);
}

/* code, email, first_name, last_name, event, title, last_end, asked, asked_again, rating, comment, answered_at */
static gpointer
row_read (sqlite3_stmt *st)
{
	EvaluationRow *row = g_new0 (EvaluationRow, 1);

	row->code = db_col_text (st, 0);
	row->email = db_col_text (st, 1);
	row->first_name = db_col_text (st, 2);
	row->last_name = db_col_text (st, 3);
	row->event = db_col_text (st, 4);
	row->title = db_col_text (st, 5);
	row->last_end = db_col_text (st, 6);
	row->asked = sqlite3_column_int (st, 7);
	row->asked_again = sqlite3_column_int (st, 8) != 0;
	row->rating = sqlite3_column_int (st, 9);
	row->comment = db_col_text (st, 10);
	row->answered_at = db_col_text (st, 11);
	return row;
}

#define EVALUATION_COLUMNS \
	"r.code, a.email, a.first_name, a.last_name, e.code, e.title," \
	" (SELECT max(coalesce(s.\"end\", s.start)) FROM sessions s WHERE s.event_id = e.id)," \
	" CASE v.state WHEN 'sent' THEN 1 WHEN 'missed' THEN 2 ELSE 0 END, coalesce(v.asked_again, 0)," \
	" coalesce(v.rating, 0), v.comment, v.answered_at" \
	" FROM registrations r JOIN applicants a ON a.id = r.applicant_id JOIN events e ON e.id = r.event_id" \
	" LEFT JOIN evaluations v ON v.registration_id = r.id"

GPtrArray *
db_evaluation_candidates (Db *db, GError **error)
{
	return db_collect (db,
	                   "SELECT " EVALUATION_COLUMNS
	                   " WHERE r.status = 'confirmed' AND v.registration_id IS NULL"
	                   " AND EXISTS (SELECT 1 FROM attendance t WHERE t.registration_id = r.id AND t.present)"
	                   " ORDER BY e.code, r.arrival",
	                   NULL, row_read, (GDestroyNotify) evaluation_row_free, "read evaluation candidates", error);
}

int
db_evaluation_record (Db *db, const char *code, const char *state, GError **error)
{
	g_autofree char *now = db_now_iso (db);

	if (!db_run (db,
	             "INSERT INTO evaluations (registration_id, state, asked_at)"
	             " SELECT id, :state, :now FROM registrations WHERE code = :code"
	             " ON CONFLICT (registration_id) DO NOTHING",
	             DB_PARAMS (DB_TEXT (":code", code), DB_TEXT (":state", state), DB_TEXT (":now", now)),
	             "record evaluation request", error))
		return -1;
	return sqlite3_changes (db->handle);
}

gboolean
db_evaluation_set_request (Db *db, const char *code, const char *email, GError **error)
{
	return db_run (db,
	               "UPDATE evaluations SET request_id = (SELECT message_id FROM outbox"
	               "  WHERE kind = 'evaluation' AND rcpt = :email ORDER BY id DESC LIMIT 1)"
	               " WHERE registration_id = (SELECT id FROM registrations WHERE code = :code)",
	               DB_PARAMS (DB_TEXT (":code", code), DB_TEXT (":email", email)), "note evaluation request", error);
}

EvaluationRow *
db_evaluation_by_request (Db *db, const char *message_id, GError **error)
{
	return db_collect_one (db, "SELECT " EVALUATION_COLUMNS " WHERE v.request_id = :mid AND v.state = 'sent'",
	                       DB_PARAMS (DB_TEXT (":mid", message_id)), row_read,
	                       (GDestroyNotify) evaluation_row_free, "find evaluation", error);
}

EvaluationRow *
db_evaluation_by_code (Db *db, const char *code, GError **error)
{
	return db_collect_one (db, "SELECT " EVALUATION_COLUMNS " WHERE r.code = :code AND v.state = 'sent'",
	                       DB_PARAMS (DB_TEXT (":code", code)), row_read, (GDestroyNotify) evaluation_row_free,
	                       "find evaluation", error);
}

gboolean
db_evaluation_answer (Db *db, const char *code, int rating, const char *comment, gboolean asked_again,
                      GError **error)
{
	g_autofree char *now = db_now_iso (db);

	return db_run (db,
	               "UPDATE evaluations SET rating = CASE WHEN :rating > 0 THEN :rating ELSE rating END,"
	               " comment = CASE WHEN :comment IS NULL OR :comment = '' THEN comment"
	               "  WHEN comment IS NULL THEN :comment ELSE comment || char(10) || :comment END,"
	               " asked_again = asked_again OR :again, answered_at = :now"
	               " WHERE registration_id = (SELECT id FROM registrations WHERE code = :code)",
	               DB_PARAMS (DB_TEXT (":code", code), DB_INT (":rating", rating), DB_TEXT (":comment", comment),
	                          DB_INT (":again", asked_again), DB_TEXT (":now", now)),
	               "record evaluation answer", error);
}

GPtrArray *
db_evaluation_of_event (Db *db, const char *event_code, GError **error)
{
	return db_collect (db, "SELECT " EVALUATION_COLUMNS " WHERE e.code = :event AND v.registration_id IS NOT NULL"
	                   " ORDER BY r.arrival",
	                   DB_PARAMS (DB_TEXT (":event", event_code)), row_read, (GDestroyNotify) evaluation_row_free,
	                   "read evaluations", error);
}

GPtrArray *
db_evaluation_digest (Db *db, const char *since, const char *until, GError **error)
{
	return db_rows (db,
	                "SELECT e.code AS event, e.title AS title, count(*) AS answers, count(v.rating) AS rated,"
	                " printf('%.2f', avg(v.rating)) AS mean"
	                " FROM evaluations v JOIN registrations r ON r.id = v.registration_id"
	                " JOIN events e ON e.id = r.event_id"
	                " WHERE v.answered_at >= :since AND v.answered_at < :until GROUP BY e.id ORDER BY e.code",
	                DB_PARAMS (DB_TEXT (":since", since), DB_TEXT (":until", until)), error);
}

/* db_evaluation.c - the evaluation of an event by its participants: one
 * request per registration ever (sent, or missed when mailreg was down too
 * long), found again by its Message-ID or the registration code, and the
 * answer: a rating 1-5 and a comment.
 */
#include "store/db_private.h"

/* The columns of EVALUATION_COLUMNS, in its order. */
static const DbField evaluation_fields[] = {
	DB_FIELD (TEXT, EvaluationRow, code), DB_FIELD (TEXT, EvaluationRow, email),
	DB_FIELD (TEXT, EvaluationRow, first_name), DB_FIELD (TEXT, EvaluationRow, last_name),
	DB_FIELD (TEXT, EvaluationRow, event), DB_FIELD (TEXT, EvaluationRow, title),
	DB_FIELD (TEXT, EvaluationRow, last_end), DB_FIELD (INT, EvaluationRow, asked),
	DB_FIELD (BOOL, EvaluationRow, asked_again), DB_FIELD (INT, EvaluationRow, rating),
	DB_FIELD (TEXT, EvaluationRow, comment), DB_FIELD (TEXT, EvaluationRow, answered_at),
};
static const DbRowType evaluation_row = DB_ROW_TYPE (EvaluationRow, evaluation_fields, evaluation_row_free);

void
evaluation_row_free (EvaluationRow *row)
{
	db_row_free (&evaluation_row, row);
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
	return db_read_rows (db,
	                     "SELECT " EVALUATION_COLUMNS
	                     " WHERE r.status = 'confirmed' AND v.registration_id IS NULL"
	                     " AND EXISTS (SELECT 1 FROM attendance t WHERE t.registration_id = r.id AND t.present)"
	                     " ORDER BY e.code, r.arrival",
	                     NULL, &evaluation_row, "read evaluation candidates", error);
}

int
db_evaluation_record (Db *db, const char *code, const char *state, GError **error)
{
	return db_changes (db,
	                   "INSERT INTO evaluations (registration_id, state, asked_at)"
	                   " SELECT id, :state, :now FROM registrations WHERE code = :code"
	                   " ON CONFLICT (registration_id) DO NOTHING",
	                   DB_PARAMS (DB_TEXT (":code", code), DB_TEXT (":state", state), DB_NOW (":now")),
	                   "record evaluation request", error);
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
	return db_read_row (db, "SELECT " EVALUATION_COLUMNS " WHERE v.request_id = :mid AND v.state = 'sent'",
	                    DB_PARAMS (DB_TEXT (":mid", message_id)), &evaluation_row, "find evaluation", error);
}

EvaluationRow *
db_evaluation_by_code (Db *db, const char *code, GError **error)
{
	return db_read_row (db, "SELECT " EVALUATION_COLUMNS " WHERE r.code = :code AND v.state = 'sent'",
	                    DB_PARAMS (DB_TEXT (":code", code)), &evaluation_row, "find evaluation", error);
}

gboolean
db_evaluation_answer (Db *db, const char *code, int rating, const char *comment, gboolean asked_again,
                      GError **error)
{
	return db_run (db,
	               "UPDATE evaluations SET rating = CASE WHEN :rating > 0 THEN :rating ELSE rating END,"
	               " comment = CASE WHEN :comment IS NULL OR :comment = '' THEN comment"
	               "  WHEN comment IS NULL THEN :comment ELSE comment || char(10) || :comment END,"
	               " asked_again = asked_again OR :again, answered_at = :now"
	               " WHERE registration_id = (SELECT id FROM registrations WHERE code = :code)",
	               DB_PARAMS (DB_TEXT (":code", code), DB_INT (":rating", rating), DB_TEXT (":comment", comment),
	                          DB_INT (":again", asked_again), DB_NOW (":now")),
	               "record evaluation answer", error);
}

GPtrArray *
db_evaluation_of_event (Db *db, const char *event_code, GError **error)
{
	return db_read_rows (db, "SELECT " EVALUATION_COLUMNS " WHERE e.code = :event AND v.registration_id IS NOT NULL"
	                     " ORDER BY r.arrival",
	                     DB_PARAMS (DB_TEXT (":event", event_code)), &evaluation_row, "read evaluations", error);
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

/* db_applicant.c - applicants as staff look them up in the console: search,
 * one applicant with its registrations, the messages it sent and the replies
 * it got, and the people of one event with their special needs.
 *
 * Read only; the changes go through the programme's functions.  Names are
 * matched in C (db_applicant_match below, an SQL function of this
 * connection): SQLite's lower() knows no Polish letter.
 */
#include "store/db_private.h"

#include <string.h>

/* Erased by db_forget (db_retention.c): the address it leaves is this. */
#define FORGOTTEN(a) "(" a ".email GLOB 'forgotten-*@invalid')"

void
applicant_message_free (ApplicantMessage *m)
{
	if (m == NULL)
		return;
	g_free (m->received_at);
	g_free (m->subject);
	g_free (m->reason_code);
	g_free (m->reviewed_at);
	g_free (m);
}

/* --- matching names: any case, Polish letters with or without their marks ----- */

char *
db_fold (const char *s)
{
	GString *out = g_string_sized_new (s ? strlen (s) : 0);

	for (const char *c = s; c != NULL && *c; c = g_utf8_next_char (c)) {
		gunichar u, d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];

		/* most of a name or an address is ASCII: run for every row searched */
		if ((guchar) *c < 0x80) {
			g_string_append_c (out, g_ascii_tolower (*c));
			continue;
		}
		u = g_utf8_get_char_validated (c, -1);
		if (u == (gunichar) -1 || u == (gunichar) -2)
			break;
		u = g_unichar_tolower (u);
		/* "ą" is "a" and a mark; "ł" has no decomposition but is read as "l" */
		if (u == 0x0142)
			u = 'l';
		else if (g_unichar_fully_decompose (u, FALSE, d, G_N_ELEMENTS (d)) > 0)
			u = d[0];
		g_string_append_unichar (out, u);
	}
	return g_string_free (out, FALSE);
}

static void
words_free (void *p)
{
	g_strfreev (p);
}

/* The words of @needle, folded, without empty ones.  (transfer full) */
static char **
needle_words (const char *needle)
{
	g_autofree char *folded = db_fold (needle);
	char **w = g_strsplit_set (folded, " \t,;", -1);
	guint n = 0;

	for (guint i = 0; w[i] != NULL; i++) {
		if (*w[i] != '\0')
			w[n++] = w[i];
		else
			g_free (w[i]);
	}
	w[n] = NULL;
	return w;
}

/* mailreg_match(needle, haystack): 1 when every word of the needle is in the
 * haystack, both folded.  The needle's words are worked out once per
 * statement, kept as auxiliary data of argument 0 (SQLite may drop them
 * any time: then they are worked out again). */
static void
match_fn (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char **words = sqlite3_get_auxdata (ctx, 0), **own = NULL;
	g_autofree char *hay = db_fold ((const char *) sqlite3_value_text (argv[1]));
	int found = 1;

	if (words == NULL)
		words = own = needle_words ((const char *) sqlite3_value_text (argv[0]));
	for (char **w = words; *w != NULL && found; w++)
		found = strstr (hay, *w) != NULL;
	if (own != NULL)
		sqlite3_set_auxdata (ctx, 0, own, words_free);   /* (transfer full), even when dropped at once */
	sqlite3_result_int (ctx, found);
}

/* The matching function on this connection, made once. */
static gboolean
match_ready (Db *db, GError **error)
{
	int n = db_count (db, "SELECT count(*) FROM pragma_function_list WHERE name = 'mailreg_match'", NULL,
	                  "look up mailreg_match", error);

	if (n < 0)
		return FALSE;
	if (n > 0)
		return TRUE;
	if (sqlite3_create_function_v2 (db->handle, "mailreg_match", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                                match_fn, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail (db, error, "define mailreg_match");
	return TRUE;
}

/* --- applicants ------------------------------------------------------------------- */

#define APPLICANT_COLUMNS \
	"a.id, a.email, a.first_name, a.last_name, a.phone, a.institution, a.institution_type, a.position," \
	" a.powiat, a.subregion, a.needs, a.topics, a.consulting_topic, a.created_at, a.updated_at," \
	" a.bounced_at, a.bounce_reason, " FORGOTTEN ("a")

static const DbField applicant_fields[] = {
	DB_FIELD (INT64, ApplicantRow, id), DB_FIELD (TEXT, ApplicantRow, email),
	DB_FIELD (TEXT, ApplicantRow, first_name), DB_FIELD (TEXT, ApplicantRow, last_name),
	DB_FIELD (TEXT, ApplicantRow, phone), DB_FIELD (TEXT, ApplicantRow, institution),
	DB_FIELD (TEXT, ApplicantRow, institution_type), DB_FIELD (TEXT, ApplicantRow, position),
	DB_FIELD (TEXT, ApplicantRow, powiat), DB_FIELD (TEXT, ApplicantRow, subregion),
	DB_FIELD (TEXT, ApplicantRow, needs), DB_FIELD (TEXT, ApplicantRow, topics),
	DB_FIELD (INT, ApplicantRow, consulting_topic), DB_FIELD (TEXT, ApplicantRow, created_at),
	DB_FIELD (TEXT, ApplicantRow, updated_at), DB_FIELD (TEXT, ApplicantRow, bounced_at),
	DB_FIELD (TEXT, ApplicantRow, bounce_reason), DB_FIELD (BOOL, ApplicantRow, forgotten),
};
static const DbRowType applicant_row = DB_ROW_TYPE (ApplicantRow, applicant_fields, applicant_row_free);

void
applicant_row_free (ApplicantRow *row)
{
	db_row_free (&applicant_row, row);
}

ApplicantRow *
db_applicant_get (Db *db, gint64 id, GError **error)
{
	return db_read_row (db, "SELECT " APPLICANT_COLUMNS " FROM applicants a WHERE a.id = :id",
	                    DB_PARAMS (DB_INT (":id", id)), &applicant_row, "read applicant", error);
}

static const char *
empty_null (const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

GPtrArray *
db_applicant_search (Db *db, const ApplicantQuery *q, gboolean *more, GError **error)
{
	g_autofree char *text = q->text ? g_strstrip (g_strdup (q->text)) : NULL;
	g_autofree char *code = text ? g_ascii_strup (text, -1) : NULL;
	guint limit = q->limit > 0 ? q->limit : G_MAXINT - 1;
	GPtrArray *rows;

	*more = FALSE;
	/* a statement naming an unknown function does not even prepare */
	if (!match_ready (db, error))
		return NULL;
	/* one more than shown: whether there are more */
	rows = db_read_rows (db,
	                   "SELECT " APPLICANT_COLUMNS " FROM applicants a"
	                   " WHERE NOT " FORGOTTEN ("a") " AND (:subregion IS NULL OR a.subregion = :subregion)"
	                   " AND (:text IS NULL OR a.id IN (SELECT applicant_id FROM registrations WHERE code = :code)"
	                   "  OR mailreg_match(:text, coalesce(a.first_name, '') || ' ' ||"
	                   "   coalesce(a.last_name, '') || ' ' || a.email || ' ' || coalesce(a.institution, '')))"
	                   " AND ((:event IS NULL AND :status IS NULL) OR EXISTS (SELECT 1 FROM registrations r"
	                   "  JOIN events e ON e.id = r.event_id WHERE r.applicant_id = a.id"
	                   "  AND (:event IS NULL OR e.code = :event) AND (:status IS NULL OR r.status = :status)))"
	                   " ORDER BY a.last_name, a.first_name, a.id LIMIT :limit",
	                   DB_PARAMS (DB_TEXT (":subregion", empty_null (q->subregion)),
	                              DB_TEXT (":text", empty_null (text)), DB_TEXT (":code", empty_null (code)),
	                              DB_TEXT (":event", empty_null (q->event)),
	                              DB_TEXT (":status", empty_null (q->status)), DB_INT (":limit", limit + 1)),
	                   &applicant_row, "search applicants", error);
	if (rows != NULL && rows->len > limit) {
		g_ptr_array_set_size (rows, limit);
		*more = TRUE;
	}
	return rows;
}

GPtrArray *
db_applicant_registrations (Db *db, gint64 applicant, gboolean places, GError **error)
{
#define OF_APPLICANT(position) \
	"SELECT " REGISTRATION_COLUMNS_AT (position) " FROM registrations r JOIN events e ON e.id = r.event_id" \
	" JOIN applicants a ON a.id = r.applicant_id WHERE r.applicant_id = :a ORDER BY r.id"

	return db_read_rows (db, places ? OF_APPLICANT (POSITION_SQL) : OF_APPLICANT ("NULL"),
	                     DB_PARAMS (DB_INT (":a", applicant)), &db_registration_row,
	                     "read registrations of an applicant", error);
}

static gpointer
message_read (sqlite3_stmt *st)
{
	ApplicantMessage *m = g_new0 (ApplicantMessage, 1);

	m->id = sqlite3_column_int64 (st, 0);
	m->received_at = db_col_text (st, 1);
	m->subject = db_col_text (st, 2);
	m->outcome = db_outcome_parse ((const char *) sqlite3_column_text (st, 3));
	m->reason_code = db_col_text (st, 4);
	m->reviewed_at = db_col_text (st, 5);
	return m;
}

GPtrArray *
db_applicant_messages (Db *db, gint64 applicant, GError **error)
{
	/* linked to the applicant, or sent from its address before it was one */
	return db_collect (db,
	                   "SELECT m.id, m.received_at, m.subject, m.state, m.reason_code, m.reviewed_at"
	                   " FROM messages m WHERE m.applicant_id = :a OR m.sender = (SELECT email FROM applicants"
	                   " WHERE id = :a) COLLATE NOCASE ORDER BY m.id",
	                   DB_PARAMS (DB_INT (":a", applicant)), message_read, (GDestroyNotify) applicant_message_free,
	                   "read messages of an applicant", error);
}

static const DbField reply_fields[] = {
	DB_FIELD (INT64, ApplicantReply, id), DB_FIELD (INT64, ApplicantReply, inbound_id),
	DB_FIELD (TEXT, ApplicantReply, kind), DB_FIELD (TEXT, ApplicantReply, subject),
	DB_FIELD (TEXT, ApplicantReply, state), DB_FIELD (TEXT, ApplicantReply, created_at),
	DB_FIELD (TEXT, ApplicantReply, sent_at), DB_FIELD (TEXT, ApplicantReply, last_error),
};
static const DbRowType reply_row = DB_ROW_TYPE (ApplicantReply, reply_fields, applicant_reply_free);

void
applicant_reply_free (ApplicantReply *r)
{
	db_row_free (&reply_row, r);
}

GPtrArray *
db_applicant_replies (Db *db, gint64 applicant, GError **error)
{
	return db_read_rows (db,
	                   "SELECT o.id, coalesce(o.inbound_id, 0), o.kind, o.subject, o.state, o.created_at,"
	                   " o.sent_at, o.last_error FROM outbox o"
	                   " WHERE o.rcpt = (SELECT email FROM applicants WHERE id = :a) COLLATE NOCASE"
	                   " AND o.kind <> 'staff' ORDER BY o.id",
	                   DB_PARAMS (DB_INT (":a", applicant)), &reply_row, "read replies to an applicant", error);
}

/* --- the people of one event ----------------------------------------------------- */

static const DbField participant_fields[] = {
	DB_FIELD (TEXT, Participant, code), DB_FIELD (TEXT, Participant, status),
	DB_FIELD (INT, Participant, position), DB_FIELD (INT64, Participant, offer_deadline),
	DB_FIELD (INT64, Participant, applicant_id), DB_FIELD (TEXT, Participant, first_name),
	DB_FIELD (TEXT, Participant, last_name), DB_FIELD (TEXT, Participant, institution),
	DB_FIELD (TEXT, Participant, email), DB_FIELD (TEXT, Participant, phone),
	DB_FIELD (TEXT, Participant, needs),
};
static const DbRowType participant_row = DB_ROW_TYPE (Participant, participant_fields, participant_free);

void
participant_free (Participant *p)
{
	db_row_free (&participant_row, p);
}

/* The columns of a Participant, its place on the waiting list left to the caller. */
#define PARTICIPANT_SELECT \
	"SELECT r.code, r.status, NULL, CASE WHEN " OPEN_OFFER ("r") " THEN r.offer_deadline ELSE 0 END, a.id," \
	" a.first_name, a.last_name, a.institution, a.email, a.phone, a.needs" \
	" FROM registrations r JOIN events e ON e.id = r.event_id JOIN applicants a ON a.id = r.applicant_id" \
	" WHERE e.code = :event"

GPtrArray *
db_event_places (Db *db, const char *event_code, GError **error)
{
	return db_read_rows (db, PARTICIPANT_SELECT " AND r.status IN ('confirmed', 'requested') ORDER BY r.arrival",
	                     DB_PARAMS (DB_TEXT (":event", event_code)), &participant_row, "read participants", error);
}

GPtrArray *
db_event_waiting (Db *db, const char *event_code, guint offset, guint limit, guint *total, GError **error)
{
	GPtrArray *rows;
	int n;

	/* read in queue order (the index registrations_queue), so a row's place is
	 * its rank: arrivals are unique */
	rows = db_read_rows (db, PARTICIPANT_SELECT " AND r.status = 'waitlisted' ORDER BY r.arrival"
	                         " LIMIT :limit OFFSET :offset",
	                     DB_PARAMS (DB_TEXT (":event", event_code), DB_INT (":limit", limit > 0 ? (gint64) limit : -1),
	                                DB_INT (":offset", offset)),
	                     &participant_row, "read the waiting list", error);
	if (rows == NULL)
		return NULL;
	if ((n = db_count (db,
	                   "SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id"
	                   " WHERE e.code = :event AND r.status = 'waitlisted'",
	                   DB_PARAMS (DB_TEXT (":event", event_code)), "count the waiting list", error)) < 0) {
		g_ptr_array_unref (rows);
		return NULL;
	}
	for (guint i = 0; i < rows->len; i++)
		((Participant *) g_ptr_array_index (rows, i))->position = (int) (offset + i + 1);
	*total = (guint) n;
	return rows;
}

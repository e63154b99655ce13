/* db_placement.c - what mixed workshop placement reads: how many of one
 * institution type an event's group holds, the waiting list by that rule,
 * and each group's composition for `events`.
 *
 * Read inside the message's (or staff action's) write transaction, never
 * cached: two processes placing at once each see the other's committed seats.
 */
#include "store/db_private.h"

/* A registration holding a place: confirmed, requested or an open offer. */
#define HOLDS_PLACE(r) "(" r ".status IN ('confirmed', 'requested') OR " OPEN_OFFER (r) ")"

int
db_event_type_count (Db *db, const char *event_code, const char *institution_type, gboolean waiting,
                     GError **error)
{
	return db_count (db,
	                 "SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id"
	                 " JOIN applicants a ON a.id = r.applicant_id"
	                 " WHERE e.code = :event AND a.institution_type IS :type"
	                 " AND (" HOLDS_PLACE ("r") " OR (:waiting AND r.status = 'waitlisted'))",
	                 DB_PARAMS (DB_TEXT (":event", event_code), DB_TEXT (":type", institution_type),
	                            DB_INT (":waiting", waiting)),
	                 "count institution type", error);
}

char *
db_waitlist_first_mixed (Db *db, const char *event_code, GError **error)
{
	return db_scalar_text (db,
	                       "SELECT r.code FROM registrations r JOIN events e ON e.id = r.event_id"
	                       " JOIN applicants a ON a.id = r.applicant_id"
	                       " WHERE e.code = :event AND r.status = 'waitlisted' AND r.offer_deadline IS NULL"
	                       " ORDER BY (SELECT count(*) FROM registrations o JOIN applicants b ON b.id = o.applicant_id"
	                       "  WHERE o.event_id = r.event_id AND b.institution_type IS a.institution_type"
	                       "  AND " HOLDS_PLACE ("o") "), r.arrival LIMIT 1",
	                       DB_PARAMS (DB_TEXT (":event", event_code)), "read waiting list", error);
}

GPtrArray *
db_event_composition (Db *db, const char *event_code, GError **error)
{
	return db_rows (db,
	                "SELECT coalesce(a.institution_type, '') AS type, count(*) AS count"
	                " FROM registrations r JOIN events e ON e.id = r.event_id"
	                " JOIN applicants a ON a.id = r.applicant_id"
	                " WHERE e.code = :event AND " HOLDS_PLACE ("r")
	                " GROUP BY a.institution_type ORDER BY a.institution_type",
	                DB_PARAMS (DB_TEXT (":event", event_code)), error);
}

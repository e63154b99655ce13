/* db_certificate.c - certificates of attendance: one row per registration
 * ever, so a certificate is queued once across re-runs and restarts, and its
 * number stays the same when it is sent again.
 */
#include "store/db_private.h"

/* The number of certificate @id of @event. */
static char *
number_of (const char *event, gint64 id)
{
	return g_strdup_printf ("%s/%04" G_GINT64_FORMAT, event, id);
}

int
db_certificate_record (Db *db, const char *code, const char *event, int hours, gboolean again, char **number,
                       GError **error)
{
	g_autofree char *existing = NULL;
	gint64 id;

	*number = NULL;
	existing = db_scalar_text (db, "SELECT c.number FROM certificates c JOIN registrations r ON r.id = c.registration_id"
	                        " WHERE r.code = :code", DB_PARAMS (DB_TEXT (":code", code)), "read certificate", error);
	if (error != NULL && *error != NULL)
		return -1;
	if (existing != NULL) {
		if (again && !db_run (db, "UPDATE certificates SET queued = queued + 1 WHERE number = :number",
		                      DB_PARAMS (DB_TEXT (":number", existing)), "count certificate", error))
			return -1;
		*number = g_steal_pointer (&existing);
		return 0;
	}
	/* the number needs the row id: a placeholder unique to the registration first */
	if (!db_returning (db,
	                   "INSERT INTO certificates (registration_id, number, hours, created_at)"
	                   " SELECT id, 'new:' || code, :hours, :now FROM registrations WHERE code = :code RETURNING id",
	                   DB_PARAMS (DB_TEXT (":code", code), DB_INT (":hours", hours), DB_NOW (":now")), &id,
	                   "record certificate", error))
		return -1;
	*number = number_of (event, id);
	if (!db_run (db, "UPDATE certificates SET number = :number WHERE id = :id",
	             DB_PARAMS (DB_TEXT (":number", *number), DB_INT (":id", id)), "number certificate", error)) {
		g_clear_pointer (number, g_free);
		return -1;
	}
	return 1;
}

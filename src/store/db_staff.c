/* db_staff.c - staff accounts of the web console: who may log in, the hash of
 * their password (never the password) and the failed logins that lock an
 * account for a while.
 */
#include "store/db_private.h"


#include "core/errors.h"

#define STAFF_COLUMNS "id, login, name, pwhash, disabled, failed, locked_until, created_at, last_login"

static const DbField staff_fields[] = {
	DB_FIELD (INT64, StaffRow, id), DB_FIELD (TEXT, StaffRow, login), DB_FIELD (TEXT, StaffRow, name),
	DB_FIELD (SECRET, StaffRow, pwhash), DB_FIELD (BOOL, StaffRow, disabled), DB_FIELD (INT, StaffRow, failed),
	DB_FIELD (INT64, StaffRow, locked_until), DB_FIELD (TEXT, StaffRow, created_at),
	DB_FIELD (TEXT, StaffRow, last_login),
};
static const DbRowType staff_row = DB_ROW_TYPE (StaffRow, staff_fields, staff_row_free);

void
staff_row_free (StaffRow *row)
{
	db_row_free (&staff_row, row);
}

/* The last statement changed exactly one row, else MAILREG_ERROR_DATA naming @login. */
static gboolean
one_account (Db *db, const char *login, GError **error)
{
	if (sqlite3_changes (db->handle) == 1)
		return TRUE;
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "staff: no account '%s'", login);
	return FALSE;
}

gboolean
db_staff_add (Db *db, const char *login, const char *name, const char *pwhash, GError **error)
{
	gint64 id;

	int rc = db_scalar_int (db,
	                        "INSERT INTO staff (login, name, pwhash, created_at) VALUES (:login, :name, :hash, :now)"
	                        " ON CONFLICT (login) DO NOTHING RETURNING id",
	                        DB_PARAMS (DB_TEXT (":login", login), DB_TEXT (":name", name),
	                                   DB_TEXT (":hash", pwhash), DB_NOW (":now")),
	                        &id, "add staff account", error);

	if (rc == 0)
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "staff: account '%s' exists", login);
	return rc == 1;
}

gboolean
db_staff_set_password (Db *db, const char *login, const char *pwhash, GError **error)
{
	return db_run (db,
	               "UPDATE staff SET pwhash = :hash, disabled = 0, failed = 0, locked_until = 0 WHERE login = :login",
	               DB_PARAMS (DB_TEXT (":hash", pwhash), DB_TEXT (":login", login)), "set staff password", error) &&
	       one_account (db, login, error);
}

gboolean
db_staff_disable (Db *db, const char *login, GError **error)
{
	return db_run (db, "UPDATE staff SET disabled = 1 WHERE login = :login",
	               DB_PARAMS (DB_TEXT (":login", login)), "disable staff account", error) &&
	       one_account (db, login, error);
}

StaffRow *
db_staff_get (Db *db, const char *login, GError **error)
{
	return db_read_row (db, "SELECT " STAFF_COLUMNS " FROM staff WHERE login = :login",
	                    DB_PARAMS (DB_TEXT (":login", login)), &staff_row, "read staff account", error);
}

GPtrArray *
db_staff_list (Db *db, GError **error)
{
	return db_read_rows (db, "SELECT " STAFF_COLUMNS " FROM staff ORDER BY login", NULL, &staff_row,
	                     "list staff accounts", error);
}

int
db_staff_login_failed (Db *db, gint64 id, int limit, gint64 lock_until, GError **error)
{
	gint64 locked;

	/* one statement: two wrong passwords at once cannot both miss the limit */
	if (!db_returning (db,
	                   "UPDATE staff SET"
	                   " locked_until = CASE WHEN failed + 1 >= :limit THEN :until ELSE locked_until END,"
	                   " failed = CASE WHEN failed + 1 >= :limit THEN 0 ELSE failed + 1 END"
	                   " WHERE id = :id RETURNING locked_until = :until",
	                   DB_PARAMS (DB_INT (":limit", limit), DB_INT (":until", lock_until), DB_INT (":id", id)),
	                   &locked, "record a failed login", error))
		return -1;
	return locked ? 1 : 0;
}

gboolean
db_staff_login_ok (Db *db, gint64 id, GError **error)
{
	return db_run (db, "UPDATE staff SET failed = 0, locked_until = 0, last_login = :now WHERE id = :id",
	               DB_PARAMS (DB_NOW (":now"), DB_INT (":id", id)), "record a login", error);
}

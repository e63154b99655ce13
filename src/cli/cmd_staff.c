/* cmd_staff.c - `mailreg staff add LOGIN [--name NAME] | passwd LOGIN |
 * disable LOGIN | list`: the accounts of the web console.
 *
 * A password is read from the terminal twice without echo, or as one line
 * of stdin when that is not a terminal; never from argv (ps shows it), never
 * logged.  The store keeps only its argon2id hash.
 */
#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/errors.h"
#include "web/web.h"

#define PASSWORD_MIN 10
#define PASSWORD_MAX 1024

/* One line of stdin into @buf, without its newline; echo off on a terminal. */
static gboolean
read_line (const char *prompt, char *buf, gsize size, gboolean tty)
{
	struct termios old, quiet;
	gboolean ok;
	gsize n;

	if (tty) {
		fputs (prompt, stderr);
		fflush (stderr);
		tcgetattr (STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t) ECHO;
		tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = fgets (buf, (int) size, stdin) != NULL;
	if (tty) {
		tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
		fputc ('\n', stderr);
	}
	n = ok ? strlen (buf) : 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return ok;
}

/* The new password's hash.  (transfer full) */
static char *
new_password_hash (GError **error)
{
	char first[PASSWORD_MAX + 2], second[PASSWORD_MAX + 2];
	gboolean tty = isatty (STDIN_FILENO);
	char *hash = NULL;

	if (!read_line ("Hasło: ", first, sizeof first, tty) ||
	    (tty && !read_line ("Powtórz hasło: ", second, sizeof second, tty)))
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_NOINPUT, "staff: no password given (one line on stdin)");
	else if (tty && strcmp (first, second) != 0)
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "staff: the two passwords differ");
	else if (g_utf8_strlen (first, -1) < PASSWORD_MIN || strlen (first) > PASSWORD_MAX ||
	         !g_utf8_validate (first, -1, NULL))
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "staff: a password has %d to %d characters", PASSWORD_MIN, PASSWORD_MAX);
	else
		hash = web_password_hash (first, error);
	sodium_memzero (first, sizeof first);
	sodium_memzero (second, sizeof second);
	return hash;
}

static gboolean
valid_login (const char *login, GError **error)
{
	gsize n = strlen (login);

	for (const char *c = login; *c; c++)
		if (!g_ascii_isalnum (*c) && !strchr ("._-@", *c))
			n = 0;
	if (n == 0 || n > 64) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
		             "staff: a login is 1 to 64 letters, digits and . _ - @ (got '%s')", login);
		return FALSE;
	}
	return TRUE;
}

static gboolean
staff_list (Db *db, GError **error)
{
	g_autoptr (GPtrArray) rows = db_staff_list (db, error);

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		const StaffRow *s = g_ptr_array_index (rows, i);
		printf ("%-20s %-30s %s%s\n", s->login, s->name ? s->name : "-", s->disabled ? "disabled" : "active",
		        s->last_login ? "" : ", never logged in");
	}
	return TRUE;
}

gboolean
cmd_staff (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autofree char *hash = NULL;
	const char *sub = argc > 1 ? argv[1] : "", *login = argc > 2 ? argv[2] : NULL, *name = NULL;

	if (strcmp (sub, "add") == 0 && argc == 5 && strcmp (argv[3], "--name") == 0)
		name = argv[4];
	else if (strcmp (sub, "list") == 0 ? argc != 2
	         : (strcmp (sub, "add") != 0 && strcmp (sub, "passwd") != 0 && strcmp (sub, "disable") != 0) ||
	               argc != 3) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
		             "staff: add LOGIN [--name NAME] | passwd LOGIN | disable LOGIN | list");
		return FALSE;
	}
	if ((login != NULL && !valid_login (login, error)) || (db = db_open (cfg->database, error)) == NULL)
		return FALSE;
	if (strcmp (sub, "list") == 0)
		return staff_list (db, error);
	if (strcmp (sub, "disable") == 0) {
		if (!db_staff_disable (db, login, error))
			return FALSE;
		printf ("staff: %s disabled\n", login);
		return TRUE;
	}
	if ((hash = new_password_hash (error)) == NULL)
		return FALSE;
	if (strcmp (sub, "add") == 0 ? !db_staff_add (db, login, name, hash, error)
	                             : !db_staff_set_password (db, login, hash, error))
		return FALSE;
	printf ("staff: %s %s\n", login, strcmp (sub, "add") == 0 ? "added" : "has a new password");
	return TRUE;
}

/* cmd_cancel.c - `mailreg cancel CODE...`: staff cancel registrations; the
 * applicant is told and the freed place goes to the waiting list, each code in
 * one transaction. */
#include "cli/cli.h"

#include <stdio.h>

#include "core/errors.h"
#include "register/register.h"

gboolean
cmd_cancel (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;

	if (argc < 2) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: cancel CODE...");
		return FALSE;
	}
	if ((p = pipeline_open (cfg, error)) == NULL)
		return FALSE;
	for (int i = 1; i < argc; i++) {
		g_autofree char *code = g_ascii_strup (argv[i], -1);
		guint promoted = 0;

		if (!db_begin (p->db, error) ||
		    !db_end (p->db, programme_cancel (p, code, 0, NULL, &promoted, error), error))
			return FALSE;
		printf ("%s cancelled, %u promoted from the waiting list\n", code, promoted);
	}
	return TRUE;
}

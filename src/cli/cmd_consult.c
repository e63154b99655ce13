/* cmd_consult.c - `mailreg consult schedule CODE TIME PLACE`: staff set the
 * appointment of a consulting request; the applicant gets the confirmation with
 * the date and a calendar entry. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "register/register.h"

gboolean
cmd_consult (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	g_autofree char *code = NULL;

	if (argc != 5 || strcmp (argv[1], "schedule") != 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
		             "usage: consult schedule CODE TIME PLACE  (TIME: 2014-05-12T10:00, local)");
		return FALSE;
	}
	code = g_ascii_strup (argv[2], -1);
	if ((p = pipeline_open (cfg, error)) == NULL || !db_begin (p->db, error) ||
	    !db_end (p->db, programme_schedule (p, code, argv[3], argv[4], error), error))
		return FALSE;
	printf ("%s scheduled for %s, %s; confirmation queued\n", code, argv[3], argv[4]);
	return TRUE;
}

/* cmd_forget.c - `mailreg forget EMAIL`: erase a person's data everywhere
 * (RODO/GDPR art. 17), keeping only anonymous counts. */
#include "cli/cli.h"

#include <stdio.h>

#include "core/errors.h"
#include "register/register.h"

gboolean
cmd_forget (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	guint rows = 0, files = 0;

	if (argc != 2) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: forget EMAIL");
		return FALSE;
	}
	if ((p = pipeline_open (cfg, error)) == NULL || !programme_forget (p, argv[1], "cli", &rows, &files, error))
		return FALSE;
	printf ("forget: %u records and %u files erased\n", rows, files);
	return TRUE;
}

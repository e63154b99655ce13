/* cmd_catalog.c - `mailreg catalog import FILE`: add or update events by code;
 * registered people of an event whose dates changed get an update mail. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "register/register.h"

gboolean
cmd_catalog (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	guint count = 0, updates = 0, promoted = 0;

	if (argc != 3 || strcmp (argv[1], "import") != 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: catalog import FILE");
		return FALSE;
	}
	if ((p = pipeline_open (cfg, error)) == NULL || !programme_import (p, argv[2], &count, &updates, &promoted, error))
		return FALSE;
	printf ("catalog: %s (%u events), %u update mails queued, %u places given to waiting lists\n", argv[2],
	        count, updates, promoted);
	return TRUE;
}

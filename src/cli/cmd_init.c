/* cmd_init.c - `mailreg init`: create the database, spool and outgoing folder,
 * and load the programme catalog.  Safe to run again: everything is idempotent. */
#include "cli/cli.h"

#include <stdio.h>

#include "core/errors.h"
#include "core/fs.h"
#include "register/register.h"

gboolean
cmd_init (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	g_autofree char *dbdir = g_path_get_dirname (cfg->database);
	guint count = 0;

	if (argc > 1) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "init: takes no arguments");
		return FALSE;
	}
	if (!fs_mkdir_p (dbdir, error) || !fs_mkdir_p (cfg->outgoing, error))
		return FALSE;
	if ((p = pipeline_open (cfg, error)) == NULL)
		return FALSE;
	if (!catalog_import (p->db, cfg->catalog, &count, error))
		return FALSE;
	printf ("database: %s\nspool:    %s\noutgoing: %s\ncatalog:  %s (%u events)\n", cfg->database,
	        cfg->spool, cfg->outgoing, cfg->catalog, count);
	return TRUE;
}

/* cmd_send.c - `mailreg send`: deliver the queued replies once. */
#include "cli/cli.h"

#include <stdio.h>

#include "core/errors.h"
#include "deliver/deliver.h"

gboolean
cmd_send (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (Transport) t = NULL;
	guint sent, deferred;

	if (argc > 1) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "send: takes no arguments");
		return FALSE;
	}
	if ((db = db_open (cfg->database, error)) == NULL ||
	    (t = deliver_dir_new (cfg->outgoing, error)) == NULL)
		return FALSE;
	if (!deliver_queued (db, t, &sent, &deferred, error))
		return FALSE;
	printf ("sent %u, deferred %u (%s transport: %s)\n", sent, deferred, t->name, cfg->outgoing);
	if (deferred > 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL, "send: %u messages deferred", deferred);
		return FALSE;
	}
	return TRUE;
}

/* cmd_send.c - `mailreg send`: deliver the queued replies that are due, once.
 *
 * Over SMTP when the configuration has [smtp], else into [paths] outgoing.  One
 * sender at a time: a second `send` finds the lock taken and leaves the queue
 * to the first.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <unistd.h>

#include "compose/compose.h"
#include "core/errors.h"
#include "deliver/deliver.h"

gboolean
cmd_send (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (Composer) composer = NULL;
	g_autoptr (Transport) t = NULL;
	DeliverCounts n;
	gboolean ok;
	int lock;
	GError *err = NULL;

	if (argc > 1) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "send: takes no arguments");
		return FALSE;
	}
	if ((lock = deliver_lock (cfg, error)) < 0)
		return FALSE;
	ok = (db = db_open (cfg->database, &err)) != NULL &&
	     (composer = compose_new (cfg, &err)) != NULL &&
	     (t = cfg->has_smtp ? deliver_smtp_new (cfg, &err) : deliver_dir_new (cfg->outgoing, &err)) != NULL &&
	     deliver_queued (db, t, cfg, composer, &n, &err);
	g_clear_pointer (&t, transport_free);  /* QUIT before the lock goes */
	close (lock);
	if (db != NULL) {
		g_autofree char *stuck = ok ? deliver_health (&n) : NULL;
		/* best effort: status is a report, not part of the delivery */
		db_health_record (db, "delivery", ok ? stuck : err ? err->message : "failed", NULL);
	}
	if (!ok) {
		if (err != NULL)
			g_propagate_error (error, err);
		return FALSE;
	}
	printf ("sent %u, deferred %u, failed %u (%s transport: %s)\n", n.sent, n.deferred, n.failed,
	        cfg->has_smtp ? "smtp" : "directory", cfg->has_smtp ? cfg->smtp_url : cfg->outgoing);
	if (n.deferred > 0) {
		/* a refused login or settings that do not fit the server need a person */
		g_set_error (error, MAILREG_ERROR, n.unusable != 0 ? n.unusable : MAILREG_ERROR_TEMPFAIL,
		             "send: %u messages deferred%s", n.deferred,
		             n.unusable == MAILREG_ERROR_NOPERM ? ": the SMTP server refused the login"
		             : n.unusable == MAILREG_ERROR_CONFIG ? ": the [smtp] settings do not fit the server" : "");
		return FALSE;
	}
	return TRUE;
}

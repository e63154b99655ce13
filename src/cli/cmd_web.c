/* cmd_web.c - `mailreg web`: the staff console alone, without taking or
 * delivering mail (`mailreg run` serves it too).  Runs until SIGTERM/SIGINT. */
#include "cli/cli.h"

#include <signal.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/notify.h"
#include "web/web.h"

gboolean
cmd_web (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (WebServer) srv = NULL;
	sigset_t set;
	int sig;

	if (argc > 1) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "web: takes no arguments");
		return FALSE;
	}
	/* the server's thread inherits the mask: the signals come to sigwait */
	sigemptyset (&set);
	sigaddset (&set, SIGTERM);
	sigaddset (&set, SIGINT);
	pthread_sigmask (SIG_BLOCK, &set, NULL);
	signal (SIGPIPE, SIG_IGN);
	if ((srv = web_start (cfg->path, error)) == NULL)
		return FALSE;
	notify_send ("READY=1\nSTATUS=serving the console");
	sigwait (&set, &sig);
	notify_send ("STOPPING=1");
	g_message ("web: stopping");
	return TRUE;
}

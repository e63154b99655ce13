/* cmd_remind.c - `mailreg remind [--now TIME]`: queue the reminders due now
 * (TIME: ISO 8601 local time, as $MAILREG_NOW, which it sets). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/errors.h"
#include "register/register.h"

gboolean
cmd_remind (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	guint sent = 0, missed = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp (argv[i], "--now") == 0 && i + 1 < argc) {
			g_setenv ("MAILREG_NOW", argv[++i], TRUE);
		} else {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: remind [--now TIME]");
			return FALSE;
		}
	}
	if ((p = pipeline_open (cfg, error)) == NULL || !programme_remind (p, &sent, &missed, error))
		return FALSE;
	printf ("reminders: %u queued, %u missed\n", sent, missed);
	return TRUE;
}

/* cmd_remind.c - `mailreg remind [--now TIME]`: what the programme has due now
 * (TIME: ISO 8601 local time, as $MAILREG_NOW, which it sets): lapsed offers
 * move on, waiting-list notes and reminders are queued. */
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
	ProgrammeDue due;

	for (int i = 1; i < argc; i++) {
		if (strcmp (argv[i], "--now") == 0 && i + 1 < argc) {
			g_setenv ("MAILREG_NOW", argv[++i], TRUE);
		} else {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: remind [--now TIME]");
			return FALSE;
		}
	}
	if ((p = pipeline_open (cfg, error)) == NULL || !programme_due (p, &due, error))
		return FALSE;
	printf ("reminders: %u queued, %u missed\n", due.reminders, due.missed);
	/* lines of their own, and only when there is news: scripts read the first */
	if (due.notes > 0 || due.notes_missed > 0)
		printf ("waiting-list notes: %u queued, %u missed\n", due.notes, due.notes_missed);
	if (due.evaluations > 0 || due.evaluations_missed > 0)
		printf ("evaluation requests: %u queued, %u missed\n", due.evaluations, due.evaluations_missed);
	if (due.expired > 0)
		printf ("offers expired: %u\n", due.expired);
	return TRUE;
}

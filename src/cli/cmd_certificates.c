/* cmd_certificates.c - `mailreg certificates EVENT [--resend CODE]`: queue a
 * certificate of attendance (PDF) to each participant of EVENT marked
 * present, once per registration; --resend CODE queues that one again. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "register/register.h"

#define USAGE "usage: certificates EVENT [--resend CODE]"

gboolean
cmd_certificates (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	const char *event = NULL;
	const char *resend = NULL;
	guint queued, without;
	gboolean bad = FALSE;

	for (int i = 1; i < argc && !bad; i++) {
		if (strcmp (argv[i], "--resend") == 0)
			bad = i + 1 >= argc || resend != NULL || (resend = argv[++i]) == NULL;
		else if (argv[i][0] == '-' || event != NULL)
			bad = TRUE;
		else
			event = argv[i];
	}
	if (bad || event == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, USAGE);
		return FALSE;
	}
	if ((p = pipeline_open (cfg, error)) == NULL ||
	    !programme_certificates (p, event, resend, &queued, &without, error))
		return FALSE;
	printf ("%s: zaświadczenia w kolejce – %u\n", event, queued);
	if (without > 0)
		printf ("%s: bez zapisanej obecności (bez zaświadczenia) – %u\n", event, without);
	return TRUE;
}

/* cmd_poll.c - `mailreg poll --once`: one intake pass (intake/intake.c) from the IMAP
 * mailbox of [imap], or, without it, from the local inbox folder.  One line per
 * message, as `ingest` prints them (outcome, source, reason), then a summary.
 * `mailreg poll --wait SECONDS` first waits up to SECONDS for new mail (IMAP
 * IDLE when the server has it; intake_wait), says what ended the wait, then
 * makes the pass: one turn of `mailreg run`.
 * The exit status tells a temporary failure (75) from refused credentials (77)
 * and configuration problems (78). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "intake/intake.h"

static void
print_event (const IntakeEvent *ev, gpointer user_data)
{
	printf ("%-10s %s: %s%s\n", outcome_name (ev->outcome), ev->source, ev->recovered ? "(recovered) " : "",
	        ev->reason ? ev->reason : "");
	fflush (stdout);
}

static void
print_summary (const Config *cfg, const IntakeStats *st)
{
	printf ("poll: %u registered, %u rejected, %u review, %u ignored, %u duplicate; "
	        "%u acknowledged at the source (%u recorded before), %u gone; %s\n",
	        st->counts[OUTCOME_REGISTERED], st->counts[OUTCOME_REJECTED], st->counts[OUTCOME_REVIEW],
	        st->counts[OUTCOME_IGNORED], st->counts[OUTCOME_DUPLICATE], st->acknowledged, st->already,
	        st->gone, cfg->has_imap ? "imap" : cfg->inbox);
}

gboolean
cmd_poll (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	IntakeStats stats;
	gboolean ok;
	guint64 wait = 0;
	char *end = NULL;

	if (!(argc == 2 && strcmp (argv[1], "--once") == 0) &&
	    !(argc == 3 && strcmp (argv[1], "--wait") == 0 && g_ascii_isdigit (argv[2][0]) &&
	      (wait = g_ascii_strtoull (argv[2], &end, 10)) <= 86400 && *end == '\0')) {
		/* The loop is `mailreg run`; poll is the single turn it repeats. */
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
		             "usage: mailreg poll --once | --wait SECONDS (0-86400)");
		return FALSE;
	}
	if ((p = pipeline_open (cfg, error)) == NULL)
		return FALSE;
	if (argc == 3) {
		g_autoptr (IntakeWaiter) w = intake_waiter_new (p);
		gint64 start = g_get_monotonic_time ();
		IntakeWake wake;

		if (!intake_wait (w, (guint) wait, -1, &wake, error))
			return FALSE;
		printf ("wait: %s after %.1f s\n", intake_wake_name (wake),
		        (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
		fflush (stdout);
	}
	ok = intake_pass (p, print_event, NULL, &stats, error);
	print_summary (cfg, &stats);
	return ok;
}

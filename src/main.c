/* main.c - mailreg: e-mail registration for the ROPS Katowice training programme.
 *
 * argv -> command table.  The one place an error becomes an exit status
 * (sysexits.h, through mailreg_exit_code).
 */
#include <gmime/gmime.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/errors.h"
#include "core/log.h"
#include "parse/parse.h"

#define MAILREG_VERSION "0.1"

static const struct {
	const char *name;
	CommandFunc func;
	const char *help;
} commands[] = {
	{ "init", cmd_init, "create the database and spool, load the catalog" },
	{ "ingest", cmd_ingest, "[FILE|DIR|- ...]  run local .eml files (and what the spool holds) through the pipeline" },
	{ "poll", cmd_poll, "--once | --wait SECONDS  take new mail once (after waiting for it: IMAP IDLE): the IMAP mailbox of [imap], else *.eml in [paths] inbox" },
	{ "send", cmd_send, "deliver queued mail once" },
	{ "run", cmd_run, "the daemon: take new mail, deliver replies, repeat; SIGHUP reloads" },
	{ "messages", cmd_messages, "[--json]  inbound messages and their outcome" },
	{ "applicants", cmd_applicants, "[--per-registration] [--json|--csv]  applicants with their registrations" },
	{ "outbox", cmd_outbox, "[--json]  outgoing mail" },
	{ "events", cmd_events, "[--json]  events with seats taken, free and waitlisted" },
	{ "catalog", cmd_catalog, "import FILE  add or update events by code; date changes are mailed" },
	{ "cancel", cmd_cancel, "CODE...  cancel registrations; the waiting list moves up" },
	{ "remind", cmd_remind, "[--now TIME]  expire lapsed offers; queue waiting-list notes and reminders due" },
	{ "consult", cmd_consult, "schedule CODE TIME PLACE  set a consulting appointment and confirm it" },
	{ "forget", cmd_forget, "EMAIL  erase a person's data everywhere (RODO/GDPR)" },
	{ "purge", cmd_purge, "[--older-than DAYS]  remove raw copies of finished messages older than DAYS (else [paths] retention_days); the rows stay" },
	{ "certificates", cmd_certificates, "EVENT [--resend CODE]  queue a PDF certificate of attendance to each\n"
	                                    "              participant marked present, once; --resend: that one again" },
	{ "evaluation", cmd_evaluation, "EVENT [--json|--csv]  the participants' ratings (1-5) of an event and their comments" },
	{ "attendance", cmd_attendance, "EVENT [--csv|--json] | EVENT [--session N] --present|--absent CODE...\n"
	                                "              the sign-in sheet of an event with the hours each attended;\n"
	                                "              record who was present at a session (confirmed places only)" },
	{ "needs", cmd_needs, "[--event CODE] [--json|--csv]  the needs survey per event: proposed topics, special needs" },
	{ "stats", cmd_stats, "[--json]  seats per event, consulting hours left per topic" },
	{ "review", cmd_review, "[--all] [--json] | done ID... | register ID FIELD=VALUE... [--file FILE | -]\n"
	                        "              messages waiting for a person; mark them done, or register one from the\n"
	                        "              form fields staff type (FIELD: a key of form.ini such as first_name, or its\n"
	                        "              label; - or --file FILE: lines 'FIELD: value'); the same validation and\n"
	                        "              placement as a mailed form, the confirmation goes to the applicant" },
	{ "status", cmd_status, "[--json]  is it working? exits 69 when something needs a person" },
	{ "digest", cmd_digest, "queue the daily summary for staff (since the previous digest)" },
	{ "web", cmd_web, "the staff console alone ([web] listen), without taking or delivering mail" },
	{ "staff", cmd_staff, "add LOGIN [--name NAME] | passwd LOGIN | disable LOGIN | list  accounts of the console\n"
	                      "              (the password from the terminal, or one line on stdin)" },
	{ "audit", cmd_audit, "[--json]  every staff action (console, mail, CLI): when, who, what, on which record" },
};

static void
usage (FILE *out)
{
	fprintf (out, "usage: mailreg [-c FILE] [-v] COMMAND [ARGS]\n\n"
	              "  -c FILE   configuration file (else $MAILREG_CONFIG, else /etc/mailreg/mailreg.conf)\n"
	              "  -v        debug messages\n\ncommands (mailreg help COMMAND for one):\n");
	for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
		fprintf (out, "  %-11s %s\n", commands[i].name, commands[i].help);
}

int
main (int argc, char **argv)
{
	const char *config_path = NULL;
	gboolean verbose = FALSE;
	g_autoptr (Config) cfg = NULL;
	g_autoptr (GError) error = NULL;
	int i;

	setlocale (LC_ALL, "");
	/* Everything mailreg writes holds personal data: owner-only, whoever runs it. */
	umask (077);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp (argv[i], "-c") == 0 && i + 1 < argc)
			config_path = argv[++i];
		else if (strcmp (argv[i], "-v") == 0)
			verbose = TRUE;
		else if (strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "--help") == 0) {
			usage (stdout);
			return EX_OK;
		} else if (strcmp (argv[i], "--version") == 0) {
			printf ("mailreg %s\n", MAILREG_VERSION);
			return EX_OK;
		} else {
			fprintf (stderr, "mailreg: unknown option %s\n", argv[i]);
			usage (stderr);
			return EX_USAGE;
		}
	}
	if (i >= argc) {
		usage (stderr);
		return EX_USAGE;
	}
	/* "mailreg help [COMMAND]": the usage, or one command's line of it */
	if (strcmp (argv[i], "help") == 0) {
		if (i + 1 >= argc) {
			usage (stdout);
			return EX_OK;
		}
		for (gsize c = 0; c < G_N_ELEMENTS (commands); c++)
			if (strcmp (argv[i + 1], commands[c].name) == 0) {
				printf ("usage: mailreg [-c FILE] [-v] %s %s\n(see mailreg(1))\n", commands[c].name,
				        commands[c].help);
				return EX_OK;
			}
		fprintf (stderr, "mailreg: unknown command '%s'\n", argv[i + 1]);
		return EX_USAGE;
	}
	log_init (verbose);
	parse_init ();

	for (gsize c = 0; c < G_N_ELEMENTS (commands); c++) {
		if (strcmp (argv[i], commands[c].name) != 0)
			continue;
		if ((cfg = config_load (config_path, &error)) == NULL ||
		    !commands[c].func (cfg, argc - i, argv + i, &error)) {
			fprintf (stderr, "mailreg: %s\n", error->message);
			return mailreg_exit_code (error);
		}
		return EX_OK;
	}
	fprintf (stderr, "mailreg: unknown command '%s'\n", argv[i]);
	usage (stderr);
	return EX_USAGE;
}

/* cmd_outbox.c - `mailreg outbox [--json]`: outgoing mail and its delivery state. */
#include "cli/cli.h"

#include <stdio.h>

#include "store/db.h"

static void
print_text (GHashTable *r)
{
	const char *reply = g_hash_table_lookup (r, "last_error");
	const char *next = g_hash_table_lookup (r, "next_attempt_at");
	const char *dsn = g_hash_table_lookup (r, "dsn_status");

	printf ("%-8s %-12s %s \"%s\" attempts=%s", (char *) g_hash_table_lookup (r, "state"),
	        (char *) g_hash_table_lookup (r, "kind"), (char *) g_hash_table_lookup (r, "to"),
	        (char *) g_hash_table_lookup (r, "subject"), (char *) g_hash_table_lookup (r, "attempts"));
	if (next != NULL)
		printf (" next=%s", next);
	if (reply != NULL)
		printf (" reply=\"%s\"", reply);
	if (dsn != NULL)
		printf (" dsn=%s \"%s\"", dsn, (char *) g_hash_table_lookup (r, "dsn_diagnostic"));
	putchar ('\n');
}

gboolean
cmd_outbox (const Config *cfg, int argc, char **argv, GError **error)
{
	static const char *const columns[] = { "to", "kind", "subject", "state", "attempts", "message_id",
	                                       "last_code", "last_error", "created_at", "sent_at",
	                                       "next_attempt_at", "dsn_status", "dsn_diagnostic", NULL };
	static const char *const integers[] = { "attempts", "last_code", NULL };

	return cli_list_rows (cfg, argc, argv, db_outbox_list, columns, integers, print_text, error);
}

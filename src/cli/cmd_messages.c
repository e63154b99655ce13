/* cmd_messages.c - `mailreg messages [--json]`: inbound messages and their outcome,
 * and whether `purge` removed the raw copy (purged_at). */
#include "cli/cli.h"

#include <stdio.h>

#include "store/db.h"

static void
print_text (GHashTable *r)
{
	const char *reason = g_hash_table_lookup (r, "reason");
	const char *purged = g_hash_table_lookup (r, "purged_at");

	printf ("%-10s <%s> %s \"%s\"%s%s%s%s%s\n", (char *) g_hash_table_lookup (r, "state"),
	        (char *) g_hash_table_lookup (r, "message_id") ?: "",
	        (char *) g_hash_table_lookup (r, "from") ?: "-",
	        (char *) g_hash_table_lookup (r, "subject") ?: "", reason ? ": " : "",
	        reason ? reason : "", purged ? " [raw copy purged " : "", purged ? purged : "",
	        purged ? "]" : "");
}

gboolean
cmd_messages (const Config *cfg, int argc, char **argv, GError **error)
{
	static const char *const columns[] = { "message_id", "from", "subject", "state", "reason",
	                                       "reason_code", "form_part", "received_at", "purged_at", NULL };

	return cli_list_rows (cfg, argc, argv, db_messages_list, columns, NULL, print_text, error);
}

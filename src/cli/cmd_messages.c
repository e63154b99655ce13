/* cmd_messages.c - `mailreg messages [--json]`: inbound messages and their outcome,
 * and whether `purge` removed the raw copy (purged_at). */
#include "cli/cli.h"

#include <stdio.h>

#include "store/db.h"

gboolean
cmd_messages (const Config *cfg, int argc, char **argv, GError **error)
{
	static const char *const columns[] = { "message_id", "from", "subject", "state", "reason",
	                                       "form_part", "received_at", "purged_at", NULL };
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	OutputFormat fmt;

	if (!cli_output_format (argc, argv, FALSE, &fmt, error) ||
	    (db = db_open (cfg->database, error)) == NULL || (rows = db_messages_list (db, error)) == NULL)
		return FALSE;
	if (fmt == OUTPUT_JSON) {
		cli_print_rows_json (rows, columns, NULL);
		return TRUE;
	}
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		const char *reason = g_hash_table_lookup (r, "reason");
		const char *purged = g_hash_table_lookup (r, "purged_at");
		printf ("%-10s <%s> %s \"%s\"%s%s%s%s%s\n", (char *) g_hash_table_lookup (r, "state"),
		        (char *) g_hash_table_lookup (r, "message_id") ?: "",
		        (char *) g_hash_table_lookup (r, "from") ?: "-",
		        (char *) g_hash_table_lookup (r, "subject") ?: "", reason ? ": " : "",
		        reason ? reason : "", purged ? " [raw copy purged " : "", purged ? purged : "",
		        purged ? "]" : "");
	}
	return TRUE;
}

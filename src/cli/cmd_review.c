/* cmd_review.c - `mailreg review [--all] [--json]` lists the messages waiting
 * for a person (outcome review); `mailreg review done ID...` marks them dealt
 * with. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "store/db.h"

gboolean
cmd_review (const Config *cfg, int argc, char **argv, GError **error)
{
	static const char *const columns[] = { "id", "received_at", "from", "subject", "reason", "spool_id",
	                                       "reviewed_at", "purged_at", NULL };
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	gboolean all = FALSE, json = FALSE;

	if ((db = db_open (cfg->database, error)) == NULL)
		return FALSE;
	if (argc >= 2 && strcmp (argv[1], "done") == 0) {
		if (argc < 3) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: review done ID...");
			return FALSE;
		}
		for (int i = 2; i < argc; i++) {
			char *end = NULL;
			gint64 id = g_ascii_strtoll (argv[i], &end, 10);
			int n;
			if (end == argv[i] || *end != '\0' || id <= 0) {
				g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "review done: '%s' is not an id", argv[i]);
				return FALSE;
			}
			if ((n = db_review_done (db, id, error)) < 0)
				return FALSE;
			if (n == 0) {
				g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
				             "review done: message %s is not an open review", argv[i]);
				return FALSE;
			}
			printf ("message %s: done\n", argv[i]);
		}
		return TRUE;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp (argv[i], "--all") == 0)
			all = TRUE;
		else if (strcmp (argv[i], "--json") == 0)
			json = TRUE;
		else {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
			             "usage: review [--all] [--json] | review done ID...");
			return FALSE;
		}
	}
	if ((rows = db_review_list (db, all, error)) == NULL)
		return FALSE;
	if (json) {
		cli_print_rows_json (rows, columns, (const char *const[]) { "id", NULL });
		return TRUE;
	}
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		printf ("%5s  %s  %s  %s%s%s\n       %s\n", (char *) g_hash_table_lookup (r, "id"),
		        (char *) g_hash_table_lookup (r, "received_at"),
		        g_hash_table_lookup (r, "from") ? (char *) g_hash_table_lookup (r, "from") : "(no sender)",
		        g_hash_table_lookup (r, "subject") ? (char *) g_hash_table_lookup (r, "subject") : "(no subject)",
		        g_hash_table_lookup (r, "reviewed_at") ? "  [done]" : "",
		        g_hash_table_lookup (r, "purged_at") ? "  [raw copy purged]" : "",
		        g_hash_table_lookup (r, "reason") ? (char *) g_hash_table_lookup (r, "reason") : "");
	}
	return TRUE;
}

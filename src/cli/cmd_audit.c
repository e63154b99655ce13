/* cmd_audit.c - `mailreg audit [--json]`: every staff action, newest first:
 * when, who (web:LOGIN, mail:ADDRESS, cli), what, on which record. */
#include "cli/cli.h"

#include <stdio.h>

#include "store/db.h"

gboolean
cmd_audit (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	OutputFormat fmt;

	if ((db = cli_open (cfg, argc, argv, FALSE, &fmt, error)) == NULL ||
	    (rows = db_audit_list (db, 0, error)) == NULL)
		return FALSE;
	json_builder_begin_array (b);
	for (guint i = 0; i < rows->len; i++) {
		const AuditRow *a = g_ptr_array_index (rows, i);
		if (fmt == OUTPUT_TEXT) {
			printf ("%s  %-24s %-18s %-24s %s\n", a->at, a->actor, a->action, a->record ? a->record : "-",
			        a->detail ? a->detail : "");
			continue;
		}
		json_builder_begin_object (b);
		cli_json_add_int (b, "id", a->id);
		cli_json_add (b, "at", a->at, FALSE);
		cli_json_add (b, "actor", a->actor, FALSE);
		cli_json_add (b, "action", a->action, FALSE);
		cli_json_add (b, "record", a->record, FALSE);
		cli_json_add (b, "detail", a->detail, FALSE);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	if (fmt == OUTPUT_JSON)
		cli_json_print (b);
	return TRUE;
}

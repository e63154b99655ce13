/* cmd_attendance.c - `mailreg attendance EVENT [--csv|--json]`: the sign-in
 * sheet of an event, its confirmed participants in order of arrival.  CSV opens
 * in LibreOffice with Polish letters intact (UTF-8 with a BOM, CRLF). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "store/db.h"

gboolean
cmd_attendance (const Config *cfg, int argc, char **argv, GError **error)
{
	static const char *const columns[] = { "no", "last_name", "first_name", "institution", "email", "phone",
	                                        "code", "signature", NULL };
	g_autoptr (Db) db = NULL;
	g_autoptr (Event) ev = NULL;
	g_autoptr (GPtrArray) regs = NULL;
	g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
	const char *event = NULL;
	OutputFormat fmt = OUTPUT_TEXT;

	for (int i = 1; i < argc; i++) {
		if (strcmp (argv[i], "--csv") == 0)
			fmt = OUTPUT_CSV;
		else if (strcmp (argv[i], "--json") == 0)
			fmt = OUTPUT_JSON;
		else if (event == NULL && argv[i][0] != '-')
			event = argv[i];
		else
			event = NULL, i = argc;
	}
	if (event == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: attendance EVENT [--csv|--json]");
		return FALSE;
	}
	if ((db = db_open (cfg->database, error)) == NULL)
		return FALSE;
	if ((ev = db_event_get (db, event, error)) == NULL) {
		if (error == NULL || *error == NULL)
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "attendance: no event %s", event);
		return FALSE;
	}
	if ((regs = db_event_registrations (db, event, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < regs->len; i++) {
		GHashTable *r = g_ptr_array_index (regs, i);
		if (g_strcmp0 (g_hash_table_lookup (r, "status"), "waitlisted") == 0)
			continue;
		g_hash_table_insert (r, g_strdup ("no"), g_strdup_printf ("%u", rows->len + 1));
		g_hash_table_insert (r, g_strdup ("signature"), g_strdup (""));
		g_ptr_array_add (rows, g_hash_table_ref (r));
	}
	if (fmt == OUTPUT_JSON) {
		cli_print_rows_json (rows, columns, (const char *const[]) { "no", NULL });
	} else if (fmt == OUTPUT_CSV) {
		const char *cells[G_N_ELEMENTS (columns) - 1];
		fputs ("\xEF\xBB\xBF", stdout);
		cli_csv_row ((const char *const[]) { "Lp.", "Nazwisko", "Imię", "Instytucja", "E-mail", "Telefon",
		                                     "Kod zgłoszenia", "Podpis" }, G_N_ELEMENTS (cells));
		for (guint i = 0; i < rows->len; i++) {
			for (gsize k = 0; k < G_N_ELEMENTS (cells); k++)
				cells[k] = g_hash_table_lookup (g_ptr_array_index (rows, i), columns[k]);
			cli_csv_row (cells, G_N_ELEMENTS (cells));
		}
	} else {
		printf ("%s – %s (%u)\n", ev->code, ev->title, rows->len);
		for (guint i = 0; i < rows->len; i++) {
			GHashTable *r = g_ptr_array_index (rows, i);
			printf ("%3u. %s %s, %s <%s> %s\n", i + 1, (char *) g_hash_table_lookup (r, "last_name"),
			        (char *) g_hash_table_lookup (r, "first_name"), (char *) g_hash_table_lookup (r, "institution"),
			        (char *) g_hash_table_lookup (r, "email"), (char *) g_hash_table_lookup (r, "code"));
		}
	}
	return TRUE;
}

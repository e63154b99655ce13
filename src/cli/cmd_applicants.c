/* cmd_applicants.c - `mailreg applicants [--per-registration] [--json|--csv]`:
 * applicants with their registrations, or one row per registration.  CSV opens in LibreOffice with Polish letters intact: UTF-8 with
 * a byte-order mark, CRLF rows. */
#include "cli/cli.h"

#include <stdio.h>

#include "store/db.h"

static const char *const fields[] = { "first_name", "last_name", "email", "phone", "institution",
                                       "institution_type", "position", "powiat", "subregion",
                                       "needs", "topics", "consulting_topic", NULL };

static void
print_json (Db *db, GPtrArray *rows, GPtrArray *regs_of)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();

	json_builder_begin_array (b);
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		GPtrArray *regs = g_ptr_array_index (regs_of, i);

		json_builder_begin_object (b);
		for (const char *const *f = fields; *f; f++)
			cli_json_add (b, *f, g_hash_table_lookup (r, *f), g_str_equal (*f, "consulting_topic"));
		json_builder_set_member_name (b, "registrations");
		json_builder_begin_array (b);
		for (guint j = 0; j < regs->len; j++) {
			GHashTable *reg = g_ptr_array_index (regs, j);
			json_builder_begin_object (b);
			for (const char *const *k = (const char *const[]) { "code", "event", "kind", "status", NULL }; *k; k++)
				cli_json_add (b, *k, g_hash_table_lookup (reg, *k), FALSE);
			cli_json_add (b, "position", g_hash_table_lookup (reg, "position"), TRUE);
			cli_json_add (b, "offer_until", g_hash_table_lookup (reg, "offer_until"), FALSE);
			json_builder_end_object (b);
		}
		json_builder_end_array (b);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	cli_json_print (b);
}

static void
print_csv (GPtrArray *rows, GPtrArray *regs_of)
{
	const gsize n = G_N_ELEMENTS (fields);  /* the fields + "registrations" */
	const char *cells[G_N_ELEMENTS (fields)];

	for (gsize i = 0; i + 1 < n; i++)
		cells[i] = fields[i];
	cells[n - 1] = "registrations";
	cli_csv_header (cells, n);
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		GPtrArray *regs = g_ptr_array_index (regs_of, i);
		g_autoptr (GString) joined = g_string_new (NULL);

		for (gsize k = 0; k + 1 < n; k++)
			cells[k] = g_hash_table_lookup (r, fields[k]);
		for (guint j = 0; j < regs->len; j++) {
			GHashTable *reg = g_ptr_array_index (regs, j);
			g_string_append_printf (joined, "%s%s %s (%s)", j ? "; " : "",
			                        (char *) g_hash_table_lookup (reg, "event"),
			                        (char *) g_hash_table_lookup (reg, "code"),
			                        (char *) g_hash_table_lookup (reg, "status"));
		}
		cells[n - 1] = joined->str;
		cli_csv_row (cells, n);
	}
}

/* --per-registration: one row per registration, the applicant's fields repeated
 * (staff count and sort per event in a spreadsheet). */
static void
print_per_registration (GPtrArray *rows, GPtrArray *regs_of, OutputFormat fmt)
{
	/* The applicant's "position" is the job title: the place on a waiting list
	 * is "waitlist_position" here. */
	static const char *const reg_fields[] = { "code", "event", "kind", "status", "waitlist_position", NULL };
	g_autoptr (GPtrArray) flat = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
	g_autoptr (GPtrArray) columns = g_ptr_array_new ();

	for (const char *const *f = fields; *f; f++)
		g_ptr_array_add (columns, (gpointer) *f);
	for (const char *const *f = reg_fields; *f; f++)
		g_ptr_array_add (columns, (gpointer) *f);
	g_ptr_array_add (columns, NULL);
	for (guint i = 0; i < rows->len; i++) {
		GPtrArray *regs = g_ptr_array_index (regs_of, i);
		for (guint j = 0; j < regs->len; j++) {
			GHashTable *row = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
			for (const char *const *f = fields; *f; f++)
				g_hash_table_insert (row, (gpointer) *f, g_strdup (g_hash_table_lookup (g_ptr_array_index (rows, i), *f)));
			for (const char *const *f = reg_fields; *f; f++)
				g_hash_table_insert (row, (gpointer) *f, g_strdup (g_hash_table_lookup (g_ptr_array_index (regs, j),
				                                                                         g_str_has_prefix (*f, "waitlist_") ? "position" : *f)));
			g_ptr_array_add (flat, row);
		}
	}
	if (fmt == OUTPUT_JSON) {
		cli_print_rows_json (flat, (const char *const *) columns->pdata,
		                     (const char *const[]) { "consulting_topic", "waitlist_position", NULL });
		return;
	}
	if (fmt == OUTPUT_CSV)
		cli_csv_header ((const char *const *) columns->pdata, columns->len - 1);
	for (guint i = 0; i < flat->len; i++) {
		const char *cells[32];
		for (guint k = 0; k + 1 < columns->len && k < G_N_ELEMENTS (cells); k++)
			cells[k] = g_hash_table_lookup (g_ptr_array_index (flat, i), g_ptr_array_index (columns, k));
		if (fmt == OUTPUT_CSV)
			cli_csv_row (cells, columns->len - 1);
		else
			printf ("%s %-12s %-10s %s %s <%s>\n", cells[12], cells[13], cells[15], cells[0], cells[1], cells[2]);
	}
}

gboolean
cmd_applicants (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	g_autoptr (GPtrArray) regs_of = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
	g_autoptr (GPtrArray) args = g_ptr_array_new ();
	gboolean per_registration = FALSE;
	OutputFormat fmt;

	for (int i = 0; i < argc; i++) {
		if (i > 0 && g_strcmp0 (argv[i], "--per-registration") == 0)
			per_registration = TRUE;
		else
			g_ptr_array_add (args, argv[i]);
	}
	argc = (int) args->len;
	argv = (char **) args->pdata;
	if ((db = cli_open (cfg, argc, argv, TRUE, &fmt, error)) == NULL ||
	    (rows = db_applicants_list (db, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		GPtrArray *regs = db_registrations_of (db, g_ascii_strtoll (g_hash_table_lookup (r, "id"), NULL, 10), error);
		if (regs == NULL)
			return FALSE;
		g_ptr_array_add (regs_of, regs);
	}
	if (per_registration) {
		print_per_registration (rows, regs_of, fmt);
	} else if (fmt == OUTPUT_JSON) {
		print_json (db, rows, regs_of);
	} else if (fmt == OUTPUT_CSV) {
		print_csv (rows, regs_of);
	} else {
		for (guint i = 0; i < rows->len; i++) {
			GHashTable *r = g_ptr_array_index (rows, i);
			GPtrArray *regs = g_ptr_array_index (regs_of, i);
			printf ("%s %s <%s>, %s, %s (%s)\n", (char *) g_hash_table_lookup (r, "first_name"),
			        (char *) g_hash_table_lookup (r, "last_name"), (char *) g_hash_table_lookup (r, "email"),
			        (char *) g_hash_table_lookup (r, "institution"), (char *) g_hash_table_lookup (r, "powiat"),
			        (char *) g_hash_table_lookup (r, "subregion"));
			for (guint j = 0; j < regs->len; j++) {
				GHashTable *reg = g_ptr_array_index (regs, j);
				printf ("    %s %-12s %s\n", (char *) g_hash_table_lookup (reg, "code"),
				        (char *) g_hash_table_lookup (reg, "event"), (char *) g_hash_table_lookup (reg, "status"));
			}
		}
	}
	return TRUE;
}

/* output.c - JSON, CSV and text output shared by the listing commands. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"

gboolean
cli_output_format (int argc, char **argv, gboolean csv_ok, OutputFormat *format, GError **error)
{
	*format = OUTPUT_TEXT;
	for (int i = 1; i < argc; i++) {
		if (strcmp (argv[i], "--json") == 0)
			*format = OUTPUT_JSON;
		else if (csv_ok && strcmp (argv[i], "--csv") == 0)
			*format = OUTPUT_CSV;
		else {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "%s: unknown argument '%s'; "
			             "allowed: --json%s", argv[0], argv[i], csv_ok ? ", --csv" : "");
			return FALSE;
		}
	}
	return TRUE;
}

Db *
cli_open (const Config *cfg, int argc, char **argv, gboolean csv_ok, OutputFormat *format, GError **error)
{
	return cli_output_format (argc, argv, csv_ok, format, error) ? db_open (cfg->database, error) : NULL;
}

void
cli_json_add (JsonBuilder *b, const char *key, const char *value, gboolean integer)
{
	json_builder_set_member_name (b, key);
	if (value == NULL)
		json_builder_add_null_value (b);
	else if (integer)
		json_builder_add_int_value (b, g_ascii_strtoll (value, NULL, 10));
	else
		json_builder_add_string_value (b, value);
}

void
cli_json_add_int (JsonBuilder *b, const char *key, gint64 value)
{
	json_builder_set_member_name (b, key);
	json_builder_add_int_value (b, value);
}

void
cli_json_add_pos (JsonBuilder *b, const char *key, gint64 value)
{
	json_builder_set_member_name (b, key);
	if (value > 0)
		json_builder_add_int_value (b, value);
	else
		json_builder_add_null_value (b);
}

void
cli_json_print (JsonBuilder *b)
{
	g_autoptr (JsonGenerator) gen = json_generator_new ();
	g_autoptr (JsonNode) root = json_builder_get_root (b);
	g_autofree char *text = NULL;

	json_generator_set_pretty (gen, TRUE);
	json_generator_set_root (gen, root);
	text = json_generator_to_data (gen, NULL);
	fputs (text, stdout);
	fputc ('\n', stdout);
}

void
cli_csv_row (const char *const *cells, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		const char *c = cells[i] ? cells[i] : "";
		/* OWASP CSV injection: a cell a spreadsheet would run as a formula is
		 * shown as text instead; a phone number "+48 32 ..." stays as it is. */
		gboolean formula = strchr ("=+-@\t\r", c[0]) != NULL && c[0] != '\0' &&
		                   !((c[0] == '+' || c[0] == '-') && strspn (c + 1, "0123456789 ()-/.") == strlen (c + 1) &&
		                     c[1] != '\0');

		if (i > 0)
			fputc (',', stdout);
		fputc ('"', stdout);
		if (formula)
			fputc ('\'', stdout);
		for (const char *p = c; *p; p++) {
			if (*p == '"')
				fputc ('"', stdout);
			fputc (*p, stdout);
		}
		fputc ('"', stdout);
	}
	fputs ("\r\n", stdout);
}

void
cli_csv_header (const char *const *cells, gsize n)
{
	fputs ("\xEF\xBB\xBF", stdout);
	cli_csv_row (cells, n);
}

void
cli_print_rows_json (GPtrArray *rows, const char *const *columns, const char *const *integers)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();

	json_builder_begin_array (b);
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *row = g_ptr_array_index (rows, i);
		json_builder_begin_object (b);
		for (const char *const *c = columns; *c; c++)
			cli_json_add (b, *c, g_hash_table_lookup (row, *c),
			              integers && g_strv_contains (integers, *c));
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	cli_json_print (b);
}

gboolean
cli_list_rows (const Config *cfg, int argc, char **argv, GPtrArray *(*list) (Db *db, GError **error),
               const char *const *columns, const char *const *integers,
               void (*print_text) (GHashTable *row), GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	OutputFormat fmt;

	if ((db = cli_open (cfg, argc, argv, FALSE, &fmt, error)) == NULL || (rows = list (db, error)) == NULL)
		return FALSE;
	if (fmt == OUTPUT_JSON)
		cli_print_rows_json (rows, columns, integers);
	else
		for (guint i = 0; i < rows->len; i++)
			print_text (g_ptr_array_index (rows, i));
	return TRUE;
}

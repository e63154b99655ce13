/* cmd_attendance.c - `mailreg attendance EVENT [--csv|--json]`: the sign-in
 * sheet of an event, its confirmed participants in order of arrival, with the
 * sessions each attended and the hours that makes (catalog sessionN_hours);
 * `attendance EVENT [--session N] --present|--absent CODE...` records them.
 * CSV opens in LibreOffice with Polish letters intact (UTF-8 with a BOM, CRLF). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "register/register.h"

#define USAGE "usage: attendance EVENT [--csv|--json] | attendance EVENT [--session N] --present|--absent CODE..."

/* The columns of the sheet after its number, as JSON names them, and their
 * values in @r; the last, the signature, is empty on paper. */
static const char *const columns[] = { "last_name", "first_name", "institution", "email", "phone", "code",
                                       "signature" };

static void
sheet_cells (const Participant *r, const char *cells[G_N_ELEMENTS (columns)])
{
	const char *values[] = { r->last_name, r->first_name, r->institution, r->email, r->phone, r->code, "" };

	G_STATIC_ASSERT (G_N_ELEMENTS (values) == G_N_ELEMENTS (columns));
	memcpy (cells, values, sizeof values);
}

static void
print_json (const Event *ev, GPtrArray *people, GPtrArray *marks)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();

	json_builder_begin_array (b);
	for (guint i = 0; i < people->len; i++) {
		const Participant *r = g_ptr_array_index (people, i);
		const char *cells[G_N_ELEMENTS (columns)];

		sheet_cells (r, cells);
		json_builder_begin_object (b);
		cli_json_add_int (b, "no", i + 1);
		for (gsize c = 0; c < G_N_ELEMENTS (columns); c++)
			cli_json_add (b, columns[c], cells[c], FALSE);
		json_builder_set_member_name (b, "sessions");
		json_builder_begin_array (b);
		for (guint k = 0; k < ev->sessions->len; k++) {
			const EventSession *s = g_ptr_array_index (ev->sessions, k);
			int mark = programme_attendance_mark (marks, r->code, (int) k + 1);
			json_builder_begin_object (b);
			cli_json_add_int (b, "session", k + 1);
			cli_json_add_int (b, "hours", s->hours);
			json_builder_set_member_name (b, "present");
			if (mark < 0)
				json_builder_add_null_value (b);  /* not recorded */
			else
				json_builder_add_boolean_value (b, mark);
			json_builder_end_object (b);
		}
		json_builder_end_array (b);
		cli_json_add_int (b, "hours_attended", programme_hours_attended (ev, marks, r->code));
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	cli_json_print (b);
}

/* `attendance EVENT [--session N] --present|--absent CODE...` */
static gboolean
record (const Config *cfg, const char *event, int session, gboolean present, char **codes, GError **error)
{
	g_autoptr (Db) db = NULL;
	guint marked;

	if ((db = db_open (cfg->database, error)) == NULL ||
	    !programme_attendance (db, event, session, present, codes, &marked, error))
		return FALSE;
	printf ("%s: %s – %u\n", event, present ? "obecni" : "nieobecni", marked);
	return TRUE;
}

gboolean
cmd_attendance (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (Event) ev = NULL;
	g_autoptr (GPtrArray) rows = NULL;   /* Participant*: a place, given or asked for */
	g_autoptr (GPtrArray) marks = NULL;
	g_autoptr (GPtrArray) codes = g_ptr_array_new ();
	const char *event = NULL;
	OutputFormat fmt = OUTPUT_TEXT;
	int mark = -1;   /* 1 --present, 0 --absent, -1 neither: the sheet */
	gint64 session = 0;
	gboolean bad = FALSE;

	for (int i = 1; i < argc && !bad; i++) {
		if (strcmp (argv[i], "--csv") == 0)
			fmt = OUTPUT_CSV;
		else if (strcmp (argv[i], "--json") == 0)
			fmt = OUTPUT_JSON;
		else if (strcmp (argv[i], "--session") == 0)
			bad = i + 1 >= argc || !g_ascii_string_to_signed (argv[++i], 10, 1, 1000, &session, NULL);
		else if (strcmp (argv[i], "--present") == 0 || strcmp (argv[i], "--absent") == 0) {
			int m = strcmp (argv[i], "--present") == 0;
			bad = mark >= 0 && mark != m;   /* one of the two per command */
			mark = m;
		} else if (argv[i][0] == '-')
			bad = TRUE;
		else if (event == NULL)
			event = argv[i];
		else if (mark >= 0)
			g_ptr_array_add (codes, argv[i]);
		else
			bad = TRUE;
	}
	g_ptr_array_add (codes, NULL);
	if (bad || event == NULL || (mark >= 0 && (codes->len == 1 || fmt != OUTPUT_TEXT)) ||
	    (mark < 0 && session != 0)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, USAGE);
		return FALSE;
	}
	if (mark >= 0)
		return record (cfg, event, (int) session, mark, (char **) codes->pdata, error);
	if ((db = db_open (cfg->database, error)) == NULL ||
	    (ev = programme_event (db, "attendance", event, error)) == NULL ||
	    (rows = db_event_places (db, event, error)) == NULL ||
	    (marks = db_attendance_of_event (db, event, error)) == NULL)
		return FALSE;
	if (fmt == OUTPUT_JSON) {
		print_json (ev, rows, marks);
	} else if (fmt == OUTPUT_CSV) {
		const char *cells[G_N_ELEMENTS (columns) + 1];
		cli_csv_header ((const char *const[]) { "Lp.", "Nazwisko", "Imię", "Instytucja", "E-mail", "Telefon",
		                                        "Kod zgłoszenia", "Podpis" }, G_N_ELEMENTS (cells));
		for (guint i = 0; i < rows->len; i++) {
			g_autofree char *no = g_strdup_printf ("%u", i + 1);
			cells[0] = no;
			sheet_cells (g_ptr_array_index (rows, i), cells + 1);
			cli_csv_row (cells, G_N_ELEMENTS (cells));
		}
	} else {
		printf ("%s – %s (%u)\n", ev->code, ev->title, rows->len);
		for (guint i = 0; i < rows->len; i++) {
			const Participant *r = g_ptr_array_index (rows, i);
			printf ("%3u. %s %s, %s <%s> %s  %d godz.\n", i + 1, r->last_name, r->first_name, r->institution,
			        r->email, r->code, programme_hours_attended (ev, marks, r->code));
		}
	}
	return TRUE;
}

/* cmd_needs.c - `mailreg needs [--event CODE] [--json|--csv]`: the needs
 * survey per subregion and event - the workshop themes proposed (the rest of
 * the proposals verbatim) and who has special needs (diet, accessibility,
 * other), with counts, for fitting the workshops and preparing the rooms.
 * CSV (one row per registration that answered) opens in LibreOffice: UTF-8
 * with a BOM, CRLF. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "register/register.h"

#define USAGE "usage: needs [--event CODE] [--json|--csv]"

/* The kinds @kinds (NeedKind bits) as staff read them: "dieta, inne".
 * (transfer full) */
static char *
kinds_text (guint kinds)
{
	static const char *const pl[] = { "dieta", "dostępność", "inne" };
	GString *out = g_string_new (NULL);

	for (guint i = 0; i < 3; i++)
		if (kinds & (1u << i))
			g_string_append_printf (out, "%s%s", out->len ? ", " : "", pl[i]);
	return g_string_free (out, FALSE);
}

static void
add_person (JsonBuilder *b, const NeedsRow *row)
{
	guint kinds = needs_kinds (row->needs);
	const char *const en[] = { "diet", "accessibility", "other" };

	json_builder_begin_object (b);
	cli_json_add (b, "code", row->code, FALSE);
	cli_json_add (b, "status", row->status, FALSE);
	cli_json_add (b, "first_name", row->first_name, FALSE);
	cli_json_add (b, "last_name", row->last_name, FALSE);
	cli_json_add (b, "institution", row->institution, FALSE);
	json_builder_set_member_name (b, "kinds");
	json_builder_begin_array (b);
	for (guint i = 0; i < 3; i++)
		if (kinds & (1u << i))
			json_builder_add_string_value (b, en[i]);
	json_builder_end_array (b);
	cli_json_add (b, "text", row->needs, FALSE);
	json_builder_end_object (b);
}

static void
print_json (GPtrArray *events)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();

	json_builder_begin_array (b);
	for (guint i = 0; i < events->len; i++) {
		const NeedsEvent *ev = g_ptr_array_index (events, i);
		json_builder_begin_object (b);
		cli_json_add (b, "subregion", ev->subregion, FALSE);
		cli_json_add (b, "event", ev->event, FALSE);
		cli_json_add (b, "title", ev->title, FALSE);
		cli_json_add_int (b, "registrations", ev->registrations);
		json_builder_set_member_name (b, "topics");
		json_builder_begin_object (b);
		cli_json_add_int (b, "answers", ev->topic_answers);
		for (guint t = 0; t < NEEDS_THEMES; t++)
			cli_json_add_int (b, needs_theme_key (t), ev->themes[t]);
		json_builder_set_member_name (b, "other");
		json_builder_begin_array (b);
		for (guint k = 0; k < ev->other_topics->len; k++)
			json_builder_add_string_value (b, g_ptr_array_index (ev->other_topics, k));
		json_builder_end_array (b);
		json_builder_end_object (b);
		json_builder_set_member_name (b, "needs");
		json_builder_begin_object (b);
		cli_json_add_int (b, "answers", ev->need_answers);
		cli_json_add_int (b, "diet", ev->diet);
		cli_json_add_int (b, "accessibility", ev->access);
		cli_json_add_int (b, "other", ev->other);
		json_builder_set_member_name (b, "people");
		json_builder_begin_array (b);
		for (guint k = 0; k < ev->special->len; k++)
			add_person (b, g_ptr_array_index (ev->special, k));
		json_builder_end_array (b);
		json_builder_end_object (b);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	cli_json_print (b);
}

static void
print_csv (GPtrArray *rows)
{
	cli_csv_header ((const char *const[]) { "Subregion", "Wydarzenie", "Kod zgłoszenia", "Status", "Nazwisko", "Imię",
	                                        "Instytucja", "Tematy z ogłoszenia", "Proponowana tematyka",
	                                        "Rodzaj potrzeb", "Szczególne potrzeby" }, 11);
	for (guint i = 0; i < rows->len; i++) {
		const NeedsRow *r = g_ptr_array_index (rows, i);
		guint found;
		g_autoptr (GString) names = g_string_new (NULL);
		g_autofree char *kinds = NULL;
		if (r->code == NULL || (!needs_answered (r->topics) && !needs_answered (r->needs)))
			continue;
		found = needs_answered (r->topics) ? needs_themes (r->topics) : 0;
		for (guint t = 0; t < NEEDS_THEMES; t++)
			if (found & (1u << t))
				g_string_append_printf (names, "%s%s", names->len ? "; " : "", needs_theme_name (t));
		kinds = kinds_text (needs_kinds (r->needs));
		cli_csv_row ((const char *const[]) { r->subregion ? r->subregion : "", r->event, r->code, r->status,
		                                     r->last_name, r->first_name, r->institution ? r->institution : "",
		                                     names->str, needs_answered (r->topics) ? r->topics : "", kinds,
		                                     needs_answered (r->needs) ? r->needs : "" }, 11);
	}
}

static void
print_text (GPtrArray *events)
{
	for (guint i = 0; i < events->len; i++) {
		const NeedsEvent *ev = g_ptr_array_index (events, i);
		if (ev->topic_answers == 0 && ev->need_answers == 0)
			continue;
		printf ("%s – %s (subregion: %s, zgłoszenia: %d)\n", ev->event, ev->title,
		        ev->subregion ? ev->subregion : "cały region", ev->registrations);
		printf ("  Proponowana tematyka: %d odpowiedzi\n", ev->topic_answers);
		for (guint t = 0; t < NEEDS_THEMES; t++)
			printf ("    %-32s %d\n", needs_theme_name (t), ev->themes[t]);
		for (guint k = 0; k < ev->other_topics->len; k++)
			printf ("    inne: %s\n", (char *) g_ptr_array_index (ev->other_topics, k));
		printf ("  Szczególne potrzeby: %d (dieta %d, dostępność %d, inne %d)\n", ev->need_answers, ev->diet,
		        ev->access, ev->other);
		for (guint k = 0; k < ev->special->len; k++) {
			const NeedsRow *r = g_ptr_array_index (ev->special, k);
			g_autofree char *kinds = kinds_text (needs_kinds (r->needs));
			printf ("    %s %s %s [%s]: %s\n", r->code, r->first_name, r->last_name, kinds, r->needs);
		}
	}
}

gboolean
cmd_needs (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	g_autoptr (GPtrArray) events = NULL;
	const char *event = NULL;
	OutputFormat fmt = OUTPUT_TEXT;

	for (int i = 1; i < argc; i++) {
		if (strcmp (argv[i], "--json") == 0 && fmt == OUTPUT_TEXT)
			fmt = OUTPUT_JSON;
		else if (strcmp (argv[i], "--csv") == 0 && fmt == OUTPUT_TEXT)
			fmt = OUTPUT_CSV;
		else if (strcmp (argv[i], "--event") == 0 && event == NULL && i + 1 < argc)
			event = argv[++i];
		else {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, USAGE);
			return FALSE;
		}
	}
	if ((db = db_open (cfg->database, error)) == NULL || (rows = db_needs_answers (db, event, error)) == NULL)
		return FALSE;
	if (event != NULL && rows->len == 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "needs: no event %s", event);
		return FALSE;
	}
	events = needs_by_event (rows);
	if (fmt == OUTPUT_JSON)
		print_json (events);
	else if (fmt == OUTPUT_CSV)
		print_csv (rows);
	else
		print_text (events);
	return TRUE;
}

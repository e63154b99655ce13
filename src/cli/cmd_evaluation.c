/* cmd_evaluation.c - `mailreg evaluation EVENT [--json|--csv]`: how the
 * participants of EVENT rated it: how many were asked and answered, the
 * ratings 1-5 and their mean, the comments.  --csv: one row per participant
 * asked (UTF-8 with a BOM, CRLF, for LibreOffice). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "register/register.h"

#define USAGE "usage: evaluation EVENT [--json|--csv]"

typedef struct {
	int asked, answered, rated;
	int counts[6];   /* [1..5] */
	double mean;
} Summary;

static void
summarise (GPtrArray *rows, Summary *s)
{
	int sum = 0;

	memset (s, 0, sizeof *s);
	for (guint i = 0; i < rows->len; i++) {
		const EvaluationRow *r = g_ptr_array_index (rows, i);
		s->asked += r->asked == 1;
		s->answered += r->answered_at != NULL;
		if (r->rating >= 1 && r->rating <= 5) {
			s->counts[r->rating]++;
			s->rated++;
			sum += r->rating;
		}
	}
	s->mean = s->rated ? (double) sum / s->rated : 0;
}

static void
print_json (const Event *ev, GPtrArray *rows, const Summary *s)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();

	json_builder_begin_object (b);
	cli_json_add (b, "event", ev->code, FALSE);
	cli_json_add (b, "title", ev->title, FALSE);
	cli_json_add_int (b, "asked", s->asked);
	cli_json_add_int (b, "answered", s->answered);
	cli_json_add_int (b, "rated", s->rated);
	json_builder_set_member_name (b, "ratings");
	json_builder_begin_object (b);
	for (int k = 1; k <= 5; k++) {
		char key[2] = { (char) ('0' + k), 0 };
		cli_json_add_int (b, key, s->counts[k]);
	}
	json_builder_end_object (b);
	json_builder_set_member_name (b, "mean");
	if (s->rated)
		json_builder_add_double_value (b, (double) (gint64) (s->mean * 100 + 0.5) / 100);
	else
		json_builder_add_null_value (b);
	json_builder_set_member_name (b, "answers");
	json_builder_begin_array (b);
	for (guint i = 0; i < rows->len; i++) {
		const EvaluationRow *r = g_ptr_array_index (rows, i);
		if (r->answered_at == NULL)
			continue;
		json_builder_begin_object (b);
		cli_json_add (b, "code", r->code, FALSE);
		cli_json_add_pos (b, "rating", r->rating);
		cli_json_add (b, "comment", r->comment, FALSE);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	json_builder_end_object (b);
	cli_json_print (b);
}

gboolean
cmd_evaluation (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (Event) ev = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	const char *event = NULL;
	OutputFormat fmt = OUTPUT_TEXT;
	Summary s;

	for (int i = 1; i < argc; i++) {
		if (strcmp (argv[i], "--csv") == 0)
			fmt = OUTPUT_CSV;
		else if (strcmp (argv[i], "--json") == 0)
			fmt = OUTPUT_JSON;
		else if (argv[i][0] == '-' || event != NULL)
			event = "";  /* a usage error below */
		else
			event = argv[i];
	}
	if (event == NULL || *event == '\0') {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, USAGE);
		return FALSE;
	}
	if ((db = db_open (cfg->database, error)) == NULL ||
	    (ev = programme_event (db, "evaluation", event, error)) == NULL ||
	    (rows = db_evaluation_of_event (db, event, error)) == NULL)
		return FALSE;
	summarise (rows, &s);
	if (fmt == OUTPUT_JSON) {
		print_json (ev, rows, &s);
	} else if (fmt == OUTPUT_CSV) {
		cli_csv_header ((const char *const[]) { "Kod zgłoszenia", "Nazwisko", "Imię", "Ocena", "Uwagi" }, 5);
		for (guint i = 0; i < rows->len; i++) {
			const EvaluationRow *r = g_ptr_array_index (rows, i);
			g_autofree char *rating = r->rating > 0 ? g_strdup_printf ("%d", r->rating) : g_strdup ("");
			cli_csv_row ((const char *const[]) { r->code, r->last_name, r->first_name, rating,
			                                     r->comment ? r->comment : "" }, 5);
		}
	} else {
		char mean[32];
		g_ascii_formatd (mean, sizeof mean, "%.2f", s.mean);
		printf ("%s – %s\n", ev->code, ev->title);
		printf ("zapytanych: %d, odpowiedzi: %d, ocen: %d, średnia: %s\n", s.asked, s.answered, s.rated,
		        s.rated ? mean : "–");
		printf ("oceny: 1: %d  2: %d  3: %d  4: %d  5: %d\n", s.counts[1], s.counts[2], s.counts[3], s.counts[4],
		        s.counts[5]);
		for (guint i = 0; i < rows->len; i++) {
			const EvaluationRow *r = g_ptr_array_index (rows, i);
			if (r->comment != NULL)
				printf ("  %s: %s\n", r->code, r->comment);
		}
	}
	return TRUE;
}

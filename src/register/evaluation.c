/* evaluation.c - asking participants how an event went, and recording their
 * answers.  The request goes once per registration, a while after the last
 * session; a reply to it (found by References or the registration code) is an
 * answer, never a form: the first number of the sender's own words is the
 * rating, the words the comment.
 */
#include "register/register.h"

#include <stdlib.h>
#include <string.h>

#include "core/autoptr.h"
#include "core/clock.h"
#include "core/errors.h"

/* The moment @row's event ended, unix time; 0 when it has no date. */
static gint64
ended (const EvaluationRow *row)
{
	g_autoptr (GDateTime) at = row->last_end ? clock_parse (row->last_end) : NULL;

	return at ? g_date_time_to_unix (at) : 0;
}

static gboolean
ask (Pipeline *p, const EvaluationRow *r, const char *tmpl, gint64 inbound_row, const InboundMessage *msg,
     const char *given, GError **error)
{
	g_autoptr (GHashTable) vars = reply_vars_new ();
	g_autofree char *name = g_strdup_printf ("%s %s", r->first_name, r->last_name);

	reply_var_set (vars, "first_name", r->first_name);
	reply_var_set (vars, "code", r->code);
	reply_var_set (vars, "title", r->title);
	reply_var_set (vars, "event", r->event);
	reply_var_set (vars, "project", p->cfg->project_name);
	reply_var_set (vars, "given", given);
	return reply_queue (p, inbound_row, msg, "evaluation", tmpl, vars, name, r->email, NULL, error) &&
	       db_evaluation_set_request (p->db, r->code, r->email, error);
}

gboolean
programme_evaluations (Pipeline *p, guint *sent, guint *missed, GError **error)
{
	gint64 now = clock_now_unix ();
	g_autoptr (GPtrArray) rows = NULL;

	*sent = *missed = 0;
	if (!db_begin (p->db, error))
		return FALSE;
	if ((rows = db_evaluation_candidates (p->db, error)) == NULL)
		goto fail;
	for (guint i = 0; i < rows->len; i++) {
		const EvaluationRow *r = g_ptr_array_index (rows, i);
		gint64 end = ended (r), due;
		const char *state;
		int fresh;

		if (end == 0 || (due = end + (gint64) p->cfg->evaluation_delay) > now)
			continue;
		state = programme_due_state (p, due, now);
		if ((fresh = db_evaluation_record (p->db, r->code, state, error)) < 0)
			goto fail;
		if (!programme_due_send (fresh, state, missed))
			continue;
		if (!ask (p, r, "evaluation", 0, NULL, "", error))
			goto fail;
		(*sent)++;
	}
	return db_commit (p->db, error);

fail:
	db_rollback (p->db);
	return FALSE;
}

/* The evaluation request @msg's References name; NULL when none (or on an
 * error, set). */
static EvaluationRow *
by_references (Pipeline *p, const InboundMessage *msg, GError **error)
{
	EvaluationRow *row = NULL;

	if (msg->references != NULL) {
		g_auto (GStrv) ids = g_strsplit_set (msg->references, "<> \t\r\n", -1);
		for (char **id = ids; *id && row == NULL; id++) {
			if (**id == '\0' || g_strcmp0 (*id, msg->message_id) == 0)
				continue;
			if ((row = db_evaluation_by_request (p->db, *id, error)) == NULL && error && *error)
				return NULL;
		}
	}
	return row;
}

/* The evaluation asked of one of the registrations @codes; NULL when none (or
 * on an error, set). */
static EvaluationRow *
by_code (Pipeline *p, GPtrArray *codes, GError **error)
{
	EvaluationRow *row = NULL;

	for (guint i = 0; i < codes->len && row == NULL; i++)
		if ((row = db_evaluation_by_code (p->db, g_ptr_array_index (codes, i), error)) == NULL && error && *error)
			return NULL;
	return row;
}

/* The first number standing alone in @text ("4", "Ocena: 5.", "4/5"; not a
 * date's, a code's or a phone's); *@at, *@len where it is.  -1 when none. */
static int
first_number (const char *text, const char **at, gsize *len)
{
	static GRegex *re;
	g_autoptr (GMatchInfo) mi = NULL;
	int start, end;
	g_autofree char *digits = NULL;

	if (g_once_init_enter (&re))
		g_once_init_leave (&re, g_regex_new ("(?<![\\w.,/-])(\\d{1,3})(?:\\s*/\\s*(?:5|10))?(?![\\w,-]|[./]\\d)",
		                                     G_REGEX_OPTIMIZE, 0, NULL));
	if (!g_regex_match (re, text, 0, &mi))
		return -1;
	g_match_info_fetch_pos (mi, 0, &start, &end);
	digits = g_match_info_fetch (mi, 1);
	*at = text + start;
	*len = end - start;
	return atoi (digits);
}

/* Whether @line says nothing but a label: no letters, or only "ocena". */
static gboolean
only_label (const char *line)
{
	g_autoptr (GString) letters = g_string_new (NULL);

	for (const char *c = line; *c; c = g_utf8_next_char (c)) {
		gunichar u = g_utf8_get_char (c);
		if (g_unichar_isalpha (u))
			g_string_append_unichar (letters, g_unichar_tolower (u));
	}
	return letters->len == 0 || g_str_equal (letters->str, "ocena");
}

/* @text without [@at, @at + @len) and lines left saying nothing ("Ocena:"),
 * trimmed; NULL when nothing is left.  (transfer full) */
static char *
comment_of (const char *text, const char *at, gsize len)
{
	g_autoptr (GString) rest = g_string_new_len (text, at ? at - text : (gssize) strlen (text));
	g_autoptr (GString) out = g_string_new (NULL);
	g_auto (GStrv) lines = NULL;

	if (at != NULL)
		g_string_append (rest, at + len);
	lines = g_strsplit (rest->str, "\n", -1);
	for (char **l = lines; *l; l++)
		if (!only_label (*l) || (out->len > 0 && **l == '\0'))
			g_string_append_printf (out, "%s\n", g_strstrip (*l));
	g_strstrip (out->str);
	return *out->str ? g_strdup (out->str) : NULL;
}

gboolean
programme_evaluation_message (Pipeline *p, const InboundMessage *msg, gboolean maybe_code, InboundRecord *rec,
                              gboolean *handled, GError **error)
{
	g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
	g_autofree char *own = NULL;
	g_autofree char *comment = NULL;
	g_autoptr (EvaluationRow) ev = NULL;
	const char *at = NULL;
	gsize len = 0;
	int number;
	gboolean again = FALSE;
	gint64 row;

	*handled = FALSE;
	if ((ev = by_references (p, msg, error)) == NULL && error && *error)
		return FALSE;
	/* most messages are forms: their text is read only when a code may be in it */
	if (ev == NULL && !maybe_code)
		return TRUE;
	own = programme_own_text (p, msg, codes);
	if (ev == NULL && (ev = by_code (p, codes, error)) == NULL)
		return error == NULL || *error == NULL;
	number = first_number (own, &at, &len);
	comment = comment_of (own, number >= 0 ? at : NULL, len);
	if (number >= 1 && number <= 5) {
		rec->reason = g_strdup_printf ("evaluation: %s rating %d", ev->code, number);
	} else if (number >= 0 && !ev->asked_again) {
		again = TRUE;
		rec->reason = g_strdup_printf ("evaluation: %s rating %d outside 1-5, asked again", ev->code, number);
		number = 0;
	} else {
		/* no rating, or a second one outside the scale: all of it is the comment */
		g_free (comment);
		comment = *own ? g_strdup (own) : NULL;
		rec->reason = g_strdup_printf ("evaluation: %s comment", ev->code);
		number = 0;
	}
	rec->outcome = OUTCOME_REGISTERED;
	if ((row = db_message_insert (p->db, rec, error)) == 0 ||
	    !db_evaluation_answer (p->db, ev->code, number, comment, again, error))
		return FALSE;
	if (again) {
		g_autofree char *given = g_strndup (at, len);
		if (!ask (p, ev, "evaluation-again", row, msg, g_strstrip (given), error))
			return FALSE;
	}
	*handled = TRUE;
	return TRUE;
}

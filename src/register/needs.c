/* needs.c - the needs survey read from the forms' free text: the workshop
 * themes of the call a "Proponowana tematyka" answer names, and the kinds of
 * "Szczególne potrzeby" (diet, accessibility, other) the organisers of an
 * event must prepare for.  Pure text work on rows the store read.
 *
 * Matching is on word stems of the lower-cased text with Polish letters
 * folded to ASCII, so "ekonomii społecznej", "Ekonomia spoleczna" and
 * "EKONOMIA SPOŁECZNA" are one theme; a text may name several. */
#include "register/register.h"

#include <string.h>

/* The three workshop themes of the call (2014 "Partnerstwa lokalne"), the
 * same as its first three consulting topics: key, Polish name, stems. */
static const struct {
	const char *key;
	const char *name;
	const char *const stems[5];
} themes[NEEDS_THEMES] = {
	{ "ekonomia_spoleczna", "Ekonomia społeczna", { "ekonomi", "przedsiebiorczosc spoleczn", "spoldziel" } },
	{ "partnerstwa_lokalne", "Budowanie partnerstw lokalnych", { "partnerst", "partnersk", "wspolprac" } },
	{ "srodowisko_lokalne", "Praca ze środowiskiem lokalnym", { "srodowisk", "spolecznosc", "animac" } },
};

static const char *const diet_stems[] = { "diet", "wegetar", "wegan", "bezglut", "gluten", "laktoz", "posil",
	                                      "jedzen", "wyzywien", "pokarm", "alergi", "celiak", "cukrzyc",
	                                      "koszer", "halal", "bezmies", NULL };
static const char *const access_stems[] = { "wozk", "niepelnospraw", "dostep", "wind", "podjazd", "parter",
	                                        "barier", "migow", "tlumacz", "niedowid", "niewidom", "niedoslys",
	                                        "sluch", "petla", "petli", "asystent", "opiekun", "chodzik",
	                                        "poruszani", "schody", "schodow", NULL };
/* Answers that say there is nothing (after trimming and folding). */
static const char *const nothing[] = { "", "-", "--", "brak", "nie", "nie dotyczy", "nd", "n/d", "nie mam",
	                                   "zadne", "zadnych", "bez", "none", "x", "nie potrzebuje", NULL };

const char *
needs_theme_key (guint theme)
{
	return theme < NEEDS_THEMES ? themes[theme].key : NULL;
}

const char *
needs_theme_name (guint theme)
{
	return theme < NEEDS_THEMES ? themes[theme].name : NULL;
}

/* @text lower case, Polish letters folded to ASCII, trimmed of spaces and
 * final punctuation.  (transfer full) */
static char *
folded (const char *text)
{
	g_autofree char *ascii = g_str_to_ascii (text ? text : "", "C");
	char *low = g_ascii_strdown (ascii, -1);
	gsize n;

	g_strstrip (low);
	while ((n = strlen (low)) > 0 && strchr (".,;:!", low[n - 1]) != NULL)
		low[n - 1] = '\0';
	return low;
}

static gboolean
has_stem (const char *low, const char *const *stems)
{
	for (const char *const *s = stems; *s; s++)
		if (strstr (low, *s) != NULL)
			return TRUE;
	return FALSE;
}

gboolean
needs_answered (const char *text)
{
	g_autofree char *low = folded (text);

	return !g_strv_contains (nothing, low) && !g_str_has_prefix (low, "brak ");
}

guint
needs_themes (const char *text)
{
	g_autofree char *low = folded (text);
	guint found = 0;

	for (guint i = 0; i < NEEDS_THEMES; i++)
		if (has_stem (low, themes[i].stems))
			found |= 1u << i;
	return found;
}

guint
needs_kinds (const char *text)
{
	g_autofree char *low = folded (text);
	guint kinds = 0;

	if (!needs_answered (text))
		return 0;
	if (has_stem (low, diet_stems))
		kinds |= NEED_DIET;
	if (has_stem (low, access_stems))
		kinds |= NEED_ACCESS;
	return kinds ? kinds : NEED_OTHER;
}

void
needs_event_free (NeedsEvent *ev)
{
	if (ev == NULL)
		return;
	g_ptr_array_unref (ev->other_topics);
	g_ptr_array_unref (ev->special);
	g_free (ev);
}

/* Count @row's answers into @ev. */
static void
count_row (NeedsEvent *ev, const NeedsRow *row)
{
	ev->registrations++;
	if (needs_answered (row->topics)) {
		guint found = needs_themes (row->topics);
		ev->topic_answers++;
		for (guint i = 0; i < NEEDS_THEMES; i++)
			ev->themes[i] += (found >> i) & 1;
		if (found == 0)
			g_ptr_array_add (ev->other_topics, row->topics);
	}
	if (needs_answered (row->needs)) {
		guint kinds = needs_kinds (row->needs);
		ev->need_answers++;
		ev->diet += (kinds & NEED_DIET) != 0;
		ev->access += (kinds & NEED_ACCESS) != 0;
		ev->other += (kinds & NEED_OTHER) != 0;
		g_ptr_array_add (ev->special, (gpointer) row);
	}
}

GPtrArray *
needs_by_event (GPtrArray *rows)
{
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) needs_event_free);
	NeedsEvent *ev = NULL;

	for (guint i = 0; i < rows->len; i++) {
		const NeedsRow *row = g_ptr_array_index (rows, i);
		if (ev == NULL || g_strcmp0 (ev->event, row->event) != 0) {
			ev = g_new0 (NeedsEvent, 1);
			ev->subregion = row->subregion;
			ev->event = row->event;
			ev->title = row->title;
			ev->other_topics = g_ptr_array_new ();
			ev->special = g_ptr_array_new ();
			g_ptr_array_add (out, ev);
		}
		if (row->code != NULL)
			count_row (ev, row);
	}
	return out;
}

char *
needs_digest_text (GPtrArray *rows)
{
	NeedsEvent all = { .other_topics = g_ptr_array_new (), .special = g_ptr_array_new () };
	GString *out = g_string_new (NULL);

	for (guint i = 0; i < rows->len; i++)
		count_row (&all, g_ptr_array_index (rows, i));
	if (all.topic_answers == 0 && all.need_answers == 0) {
		g_string_append (out, "  (brak nowych odpowiedzi)\n");
	} else {
		g_string_append_printf (out, "  Proponowana tematyka: %d odpowiedzi", all.topic_answers);
		for (guint i = 0; i < NEEDS_THEMES; i++)
			g_string_append_printf (out, "%s %s: %d", i ? "," : " –", themes[i].name, all.themes[i]);
		g_string_append_printf (out, ", inne tematy: %u\n", all.other_topics->len);
		g_string_append_printf (out, "  Szczególne potrzeby: %d (dieta: %d, dostępność: %d, inne: %d)\n",
		                        all.need_answers, all.diet, all.access, all.other);
		g_string_append (out, "  Szczegóły: mailreg needs\n");
	}
	g_ptr_array_unref (all.other_topics);
	g_ptr_array_unref (all.special);
	return g_string_free (out, FALSE);
}

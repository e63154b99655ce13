/* powiat.c - the 36 units of the Silesian voivodeship and their subregions.
 *
 * Part of validate: what an applicant wrote as their powiat is reduced to a bare
 * name (no case, diacritics, "m." / "powiat" prefixes, hyphens or spaces) and looked
 * up in a fixed table.  The four subregions are those of the 2014 call for applications.
 */
#include "validate/powiat.h"

#include <string.h>

#include "validate/formdef.h"

static const char SUB_CENTRALNY[] = "centralny";
static const char SUB_POLNOCNY[] = "północny";
static const char SUB_POLUDNIOWY[] = "południowy";
static const char SUB_ZACHODNI[] = "zachodni";

typedef struct {
	const char *key;        /* bare name: normalized, no spaces or hyphens */
	const char *canonical;  /* proper name, UTF-8 */
	const char *subregion;
} Unit;

/* A city and the powiat around it are different units ("Gliwice" is not "powiat
 * gliwicki"), so each is keyed by its own word form, never by a shared stem. */
static const Unit units[] = {
	/* północny */
	{ "czestochowa", "Częstochowa", SUB_POLNOCNY },
	{ "czestochowski", "powiat częstochowski", SUB_POLNOCNY },
	{ "klobucki", "powiat kłobucki", SUB_POLNOCNY },
	{ "lubliniecki", "powiat lubliniecki", SUB_POLNOCNY },
	{ "myszkowski", "powiat myszkowski", SUB_POLNOCNY },
	/* południowy */
	{ "bielskobiala", "Bielsko-Biała", SUB_POLUDNIOWY },
	{ "bielski", "powiat bielski", SUB_POLUDNIOWY },
	{ "cieszynski", "powiat cieszyński", SUB_POLUDNIOWY },
	{ "zywiecki", "powiat żywiecki", SUB_POLUDNIOWY },
	/* zachodni */
	{ "rybnik", "Rybnik", SUB_ZACHODNI },
	{ "jastrzebiezdroj", "Jastrzębie-Zdrój", SUB_ZACHODNI },
	{ "zory", "Żory", SUB_ZACHODNI },
	{ "raciborski", "powiat raciborski", SUB_ZACHODNI },
	{ "rybnicki", "powiat rybnicki", SUB_ZACHODNI },
	{ "wodzislawski", "powiat wodzisławski", SUB_ZACHODNI },
	/* centralny */
	{ "bytom", "Bytom", SUB_CENTRALNY },
	{ "chorzow", "Chorzów", SUB_CENTRALNY },
	{ "dabrowagornicza", "Dąbrowa Górnicza", SUB_CENTRALNY },
	{ "gliwice", "Gliwice", SUB_CENTRALNY },
	{ "jaworzno", "Jaworzno", SUB_CENTRALNY },
	{ "katowice", "Katowice", SUB_CENTRALNY },
	{ "myslowice", "Mysłowice", SUB_CENTRALNY },
	{ "piekaryslaskie", "Piekary Śląskie", SUB_CENTRALNY },
	{ "rudaslaska", "Ruda Śląska", SUB_CENTRALNY },
	{ "siemianowiceslaskie", "Siemianowice Śląskie", SUB_CENTRALNY },
	{ "sosnowiec", "Sosnowiec", SUB_CENTRALNY },
	{ "swietochlowice", "Świętochłowice", SUB_CENTRALNY },
	{ "tychy", "Tychy", SUB_CENTRALNY },
	{ "zabrze", "Zabrze", SUB_CENTRALNY },
	{ "bedzinski", "powiat będziński", SUB_CENTRALNY },
	{ "bierunskoledzinski", "powiat bieruńsko-lędziński", SUB_CENTRALNY },
	{ "gliwicki", "powiat gliwicki", SUB_CENTRALNY },
	{ "mikolowski", "powiat mikołowski", SUB_CENTRALNY },
	{ "pszczynski", "powiat pszczyński", SUB_CENTRALNY },
	{ "tarnogorski", "powiat tarnogórski", SUB_CENTRALNY },
	{ "zawiercianski", "powiat zawierciański", SUB_CENTRALNY },
};

G_STATIC_ASSERT (G_N_ELEMENTS (units) == 36);

/* Words that only say what kind of unit follows ("m. st.", "pow.", "powiat grodzki").
 * "st" counts only after "m", so a name is never eaten by a stray abbreviation. */
static const char *const unit_words[] = { "m", "miasto", "pow", "powiat", "grodzki", "ziemski", NULL };
static const char *const rights_phrase[] = { "miasto", "na", "prawach", "powiatu", NULL };

/* @input normalized and split into words: punctuation that separates parts of a
 * name or an abbreviation ("Bielsko-Biała", "m.st.", "Katowice (miasto ...)") counts
 * as a space.  (transfer full) */
static char **
split_words (const char *input)
{
	g_autofree char *norm = formdef_normalize (input);
	g_autofree char *spaced = NULL;

	for (char *p = norm; *p; p++)
		if (strchr ("-.,:;()/\"'", *p) != NULL)
			*p = ' ';
	/* Normalizing again collapses the new spaces; "" splits into no words. */
	spaced = formdef_normalize (norm);
	return g_strsplit (spaced, " ", -1);
}

static gboolean
words_start_with (char **words, guint n, const char *const *phrase)
{
	guint len = g_strv_length ((char **) phrase);

	if (len > n)
		return FALSE;
	for (guint i = 0; i < len; i++)
		if (strcmp (words[i], phrase[i]) != 0)
			return FALSE;
	return TRUE;
}

/* The bare name left of @input once unit words are dropped from the front and
 * "miasto na prawach powiatu" from either end: "m. st. Bielsko - Biała" ->
 * "bielskobiala".  (transfer full) */
static char *
bare_name (const char *input)
{
	g_auto (GStrv) words = split_words (input);
	guint n = g_strv_length (words);
	guint first = 0;
	guint phrase_len = g_strv_length ((char **) rights_phrase);
	GString *out;

	for (;;) {
		if (n - first > phrase_len && words_start_with (words + first, n - first, rights_phrase)) {
			first += phrase_len;
			continue;
		}
		if (n - first > phrase_len
		    && words_start_with (words + n - phrase_len, phrase_len, rights_phrase)) {
			n -= phrase_len;
			continue;
		}
		if (n - first > 2 && strcmp (words[first], "m") == 0 && strcmp (words[first + 1], "st") == 0) {
			first += 2;
			continue;
		}
		if (n - first > 1 && g_strv_contains (unit_words, words[first])) {
			first++;
			continue;
		}
		break;
	}
	out = g_string_new (NULL);
	for (guint i = first; i < n; i++)
		g_string_append (out, words[i]);
	return g_string_free (out, FALSE);
}

const char *
powiat_subregion (const char *input, const char **canonical)
{
	g_autofree char *name = NULL;

	if (canonical != NULL)
		*canonical = NULL;
	if (input == NULL)
		return NULL;
	name = bare_name (input);
	for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
		if (strcmp (name, units[i].key) == 0) {
			if (canonical != NULL)
				*canonical = units[i].canonical;
			return units[i].subregion;
		}
	return NULL;
}

const char *
powiat_subregion_name (const char *input)
{
	static const struct {
		const char *key;
		const char *name;
	} names[] = {
		{ "centralny", SUB_CENTRALNY },
		{ "polnocny", SUB_POLNOCNY },
		{ "poludniowy", SUB_POLUDNIOWY },
		{ "zachodni", SUB_ZACHODNI },
	};
	g_auto (GStrv) words = NULL;
	guint n, first = 0;

	if (input == NULL)
		return NULL;
	words = split_words (input);
	n = g_strv_length (words);
	/* "subregion centralny", "centralny subregion", "podregion centralny" */
	if (n == 2 && (strcmp (words[0], "subregion") == 0 || strcmp (words[0], "podregion") == 0))
		first = 1;
	else if (n == 2 && (strcmp (words[1], "subregion") == 0 || strcmp (words[1], "podregion") == 0))
		n = 1;
	if (n - first != 1)
		return NULL;
	for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
		if (strcmp (words[first], names[i].key) == 0)
			return names[i].name;
	return NULL;
}

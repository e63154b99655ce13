/* test_needs.c - reading free text for the programme: the institution type a
 * name implies (mixed workshop groups) and the needs survey's themes and kinds
 * of special needs. */
#include <string.h>

#include "register/register.h"

static void
test_institution_type (void)
{
	static const struct { const char *given, *name, *want; } cases[] = {
		{ "NGO", "Ośrodek Pomocy Społecznej", "NGO" },   /* the form's own answer wins */
		{ NULL, "Miejski Ośrodek Pomocy Społecznej w Katowicach", "OPS" },
		{ NULL, "MOPS Bytom", "OPS" },
		{ NULL, "Gminny Ośrodek Pomocy Społecznej", "OPS" },
		{ "", "Powiatowe Centrum Pomocy Rodzinie w Bielsku-Białej", "PCPR" },
		{ NULL, "PCPR w Rybniku", "PCPR" },
		{ NULL, "Regionalny Ośrodek Polityki Społecznej", "ROPS" },
		{ NULL, "Centrum Integracji Społecznej „Szansa”", "CIS" },
		{ NULL, "Klub Integracji Społecznej", "KIS" },
		{ NULL, "Zakład Aktywności Zawodowej", "ZAZ" },
		{ NULL, "Warsztat Terapii Zajęciowej", "WTZ" },
		{ NULL, "Stowarzyszenie na rzecz Osób Niepełnosprawnych", "NGO" },
		{ NULL, "Fundacja Pomocy", "NGO" },
		{ NULL, "Urząd Gminy Pawłowice", "JST" },
		{ NULL, "Biuro rachunkowe Kropka", NULL },
		{ NULL, "Topsy sp. z o.o.", NULL },   /* "ops" inside a word is not OPS */
		{ NULL, NULL, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
		g_assert_cmpstr (programme_institution_type (cases[i].given, cases[i].name), ==, cases[i].want);
}

static void
test_themes (void)
{
	g_assert_cmpuint (needs_themes ("Ekonomia społeczna"), ==, 1);
	g_assert_cmpuint (needs_themes ("EKONOMII SPOLECZNEJ"), ==, 1);
	g_assert_cmpuint (needs_themes ("budowanie partnerstw lokalnych, ekonomia społeczna"), ==, 3);
	g_assert_cmpuint (needs_themes ("Praca ze środowiskiem lokalnym"), ==, 4);
	g_assert_cmpuint (needs_themes ("animacja społeczności lokalnej"), ==, 4);
	g_assert_cmpuint (needs_themes ("Pozyskiwanie funduszy unijnych"), ==, 0);
	g_assert_true (needs_answered ("Pozyskiwanie funduszy"));
	for (const char *const *s = (const char *const[]) { "", "brak", "Brak.", "-", "nie", "Nie dotyczy",
	                                                    "  ", "brak szczególnych potrzeb", NULL }; *s; s++)
		g_assert_false (needs_answered (*s));
	g_assert_false (needs_answered (NULL));
}

static void
test_kinds (void)
{
	g_assert_cmpuint (needs_kinds ("dieta wegetariańska"), ==, NEED_DIET);
	g_assert_cmpuint (needs_kinds ("posiłek bezglutenowy"), ==, NEED_DIET);
	g_assert_cmpuint (needs_kinds ("Poruszam się na wózku"), ==, NEED_ACCESS);
	g_assert_cmpuint (needs_kinds ("tłumacz języka migowego"), ==, NEED_ACCESS);
	g_assert_cmpuint (needs_kinds ("dieta wegańska; sala na parterze"), ==, NEED_DIET | NEED_ACCESS);
	g_assert_cmpuint (needs_kinds ("nocleg"), ==, NEED_OTHER);
	g_assert_cmpuint (needs_kinds ("Katowice, dzielnica wschodnia"), ==, NEED_OTHER);   /* not "schody" */
	g_assert_cmpuint (needs_kinds ("brak"), ==, 0);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_test_add_func ("/programme/institution-type", test_institution_type);
	g_test_add_func ("/needs/themes", test_themes);
	g_test_add_func ("/needs/kinds", test_kinds);
	return g_test_run ();
}

/* test_programme.c - the pure parts of the programme: reading an answer
 * ("TAK", the start of an unquoted copy), the Polish time of a deadline and of
 * the catalog. */
#include <string.h>

#include "core/clock.h"
#include "register/register.h"

static void
test_says_yes (void)
{
	static const char *const yes[] = { "TAK", "tak", "Tak, potwierdzam", "  TAK ZG-ABCD-EFGH", "„TAK”",
	                                   "\"Tak\"", "Re: TAK", "RE: Odp: tak", "TAK!", "Tak.", "tak\r",
	                                   "- tak", NULL };
	static const char *const no[] = { "", "także", "Taki", "Także rezygnuję", "Nie, dziękuję",
	                                  "Odpowiadam tak", "Re: Wolne miejsce – odpowiedz TAK", "> TAK",
	                                  "tAkt", "Szczególne potrzeby: tak", NULL };

	for (const char *const *s = yes; *s; s++)
		g_assert_true (programme_says_yes (*s) || (g_test_message ("'%s' is a yes", *s), FALSE));
	for (const char *const *s = no; *s; s++)
		g_assert_false (programme_says_yes (*s) && (g_test_message ("'%s' is no yes", *s), TRUE));
}

static void
test_quoted_reply (void)
{
	g_assert_true (programme_starts_quoted_reply ("-----Original Message-----"));
	g_assert_true (programme_starts_quoted_reply ("  -----Oryginalna wiadomość-----"));
	g_assert_true (programme_starts_quoted_reply ("From: Rejestracja ROPS <rejestracja@rops.example.pl>"));
	g_assert_true (programme_starts_quoted_reply ("Od: rejestracja@rops.example.pl"));
	g_assert_false (programme_starts_quoted_reply ("Od poniedziałku nie mogę, rezygnuję."));
	g_assert_false (programme_starts_quoted_reply ("-- "));
	g_assert_false (programme_starts_quoted_reply ("From: the form, as you asked"));
}

static void
test_instant (void)
{
	g_autofree char *winter = catalog_format_instant (1393405200);  /* 2014-02-26T09:00:00Z */
	g_autofree char *summer = catalog_format_instant (1401958800);  /* 2014-06-05T09:00:00Z */

	/* Europe/Warsaw whatever TZ says: CET (UTC+1) in February, CEST (UTC+2) in June */
	g_assert_cmpstr (winter, ==, "środa, 26 lutego 2014, 10:00");
	g_assert_cmpstr (summer, ==, "czwartek, 5 czerwca 2014, 11:00");
}

/* Catalog times and MAILREG_NOW are Polish wall-clock times, not the server's. */
static void
test_catalog_time (void)
{
	g_autoptr (GDateTime) winter = clock_parse ("2014-03-06T10:00");
	g_autoptr (GDateTime) summer = clock_parse ("2014-06-05T11:00:00");
	g_autoptr (GDateTime) now = NULL;

	g_assert_nonnull (winter);
	g_assert_nonnull (summer);
	g_assert_cmpint (g_date_time_to_unix (winter), ==, 1394096400);  /* 09:00Z */
	g_assert_cmpint (g_date_time_to_unix (summer), ==, 1401958800);  /* 09:00Z */
	g_assert_null (clock_parse ("6 marca 2014"));
	g_setenv ("MAILREG_NOW", "2014-02-26T10:00", TRUE);
	now = clock_now ();
	g_assert_cmpint (g_date_time_to_unix (now), ==, 1393405200);
	g_unsetenv ("MAILREG_NOW");
}

int
main (int argc, char **argv)
{
	g_setenv ("TZ", "America/New_York", TRUE);
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_test_add_func ("/programme/says-yes", test_says_yes);
	g_test_add_func ("/programme/quoted-reply", test_quoted_reply);
	g_test_add_func ("/programme/instant", test_instant);
	g_test_add_func ("/programme/catalog-time", test_catalog_time);
	return g_test_run ();
}

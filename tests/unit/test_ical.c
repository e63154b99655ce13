/* test_ical.c - invitations built with libical and parsed back with libical. */
#include <libical/ical.h>
#include <string.h>

#include "compose/ical.h"
#include "core/errors.h"

static IcalEvent *
event (const char *code, guint n, int seq, const char *start, const char *end)
{
	IcalEvent *e = g_new0 (IcalEvent, 1);

	e->uid = ical_uid (code, n, "rops.example.pl");
	e->sequence = seq;
	e->summary = g_strdup ("Warsztaty – subregion południowy, grupa 1");
	e->location = g_strdup ("Bielsko-Biała, ul. Zażółć 1; sala 2");
	e->start = g_strdup (start);
	e->end = g_strdup (end);
	return e;
}

static void
test_roundtrip (void)
{
	g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) ical_event_free);
	g_autoptr (GError) error = NULL;
	g_autofree char *text = NULL;
	icalcomponent *cal, *ev, *tz;
	icalproperty *p;
	struct icaltimetype start;
	int n = 0;

	g_ptr_array_add (events, event ("ZG-ABCD-EFGH", 1, 3, "2014-06-05T09:00", "2014-06-05T16:00"));
	g_ptr_array_add (events, event ("ZG-ABCD-EFGH", 2, 3, "2014-11-06T09:00", "2014-11-06T16:00"));
	text = ical_publish ("Rejestracja ROPS", "rejestracja@rops.example.pl", events, &error);
	g_assert_no_error (error);
	g_assert_nonnull (strstr (text, "\r\n"));
	for (const char *l = text; (l = strchr (l, '\n')) != NULL; l++)
		g_assert_true (l[-1] == '\r');
	cal = icalparser_parse_string (text);
	g_assert_nonnull (cal);
	g_assert_cmpint (icalcomponent_get_method (cal), ==, ICAL_METHOD_PUBLISH);
	tz = icalcomponent_get_first_component (cal, ICAL_VTIMEZONE_COMPONENT);
	g_assert_nonnull (tz);
	p = icalcomponent_get_first_property (tz, ICAL_TZID_PROPERTY);
	g_assert_cmpstr (icalproperty_get_tzid (p), ==, "Europe/Warsaw");
	for (ev = icalcomponent_get_first_component (cal, ICAL_VEVENT_COMPONENT); ev;
	     ev = icalcomponent_get_next_component (cal, ICAL_VEVENT_COMPONENT), n++) {
		g_autofree char *uid = g_strdup_printf ("ZG-ABCD-EFGH-%d@rops.example.pl", n + 1);
		g_assert_cmpstr (icalcomponent_get_uid (ev), ==, uid);
		g_assert_cmpint (icalcomponent_get_sequence (ev), ==, 3);
		g_assert_cmpstr (icalcomponent_get_summary (ev), ==, "Warsztaty – subregion południowy, grupa 1");
		g_assert_cmpstr (icalcomponent_get_location (ev), ==, "Bielsko-Biała, ul. Zażółć 1; sala 2");
		p = icalcomponent_get_first_property (ev, ICAL_DTSTART_PROPERTY);
		g_assert_cmpstr (icalparameter_get_tzid (icalproperty_get_first_parameter (p, ICAL_TZID_PARAMETER)), ==,
		                 "Europe/Warsaw");
		start = icalproperty_get_dtstart (p);
		g_assert_cmpint (start.hour, ==, 9);
		g_assert_cmpint (start.month, ==, n == 0 ? 6 : 11);
		g_assert_nonnull (icalcomponent_get_first_property (ev, ICAL_ORGANIZER_PROPERTY));
		g_assert_nonnull (icalcomponent_get_first_property (ev, ICAL_DTSTAMP_PROPERTY));
	}
	g_assert_cmpint (n, ==, 2);
	/* the zone resolves: 09:00 in June is CEST (UTC+2), in November CET (UTC+1) */
	{
		icaltimezone *zone = icaltimezone_new ();
		struct icaltimetype june = icaltime_from_string ("20140605T090000");
		struct icaltimetype nov = icaltime_from_string ("20141106T090000");
		int dst;
		g_assert_true (icaltimezone_set_component (zone, icalcomponent_new_clone (tz)));
		g_assert_cmpint (icaltimezone_get_utc_offset (zone, &june, &dst), ==, 7200);
		g_assert_cmpint (icaltimezone_get_utc_offset (zone, &nov, &dst), ==, 3600);
		icaltimezone_free (zone, 1);
	}
	icalcomponent_free (cal);
}

static void
test_bad_time (void)
{
	g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) ical_event_free);
	g_autoptr (GError) error = NULL;
	g_autofree char *text = NULL;

	g_ptr_array_add (events, event ("ZG-X", 1, 0, "6 marca", NULL));
	text = ical_publish (NULL, "a@b.pl", events, &error);
	g_assert_null (text);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
}

/* RFC 5546 §3.2.5: a CANCEL withdraws the PUBLISH entries by UID, with a
 * higher SEQUENCE and STATUS:CANCELLED; a tentative entry is cancelled too. */
static void
test_cancel (void)
{
	g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) ical_event_free);
	g_autoptr (GError) error = NULL;
	g_autofree char *text = NULL;
	icalcomponent *cal, *ev;
	int n = 0;

	g_ptr_array_add (events, event ("ZG-ABCD-EFGH", 1, 4, "2014-06-05T09:00", "2014-06-05T16:00"));
	g_ptr_array_add (events, event ("ZG-ABCD-EFGH", 2, 4, "2014-11-06T09:00", "2014-11-06T16:00"));
	((IcalEvent *) g_ptr_array_index (events, 1))->tentative = TRUE;
	text = ical_calendar (ICAL_CANCEL, "Rejestracja ROPS", "rejestracja@rops.example.pl", events, &error);
	g_assert_no_error (error);
	cal = icalparser_parse_string (text);
	g_assert_nonnull (cal);
	g_assert_cmpint (icalcomponent_get_method (cal), ==, ICAL_METHOD_CANCEL);
	for (ev = icalcomponent_get_first_component (cal, ICAL_VEVENT_COMPONENT); ev;
	     ev = icalcomponent_get_next_component (cal, ICAL_VEVENT_COMPONENT), n++) {
		g_autofree char *uid = g_strdup_printf ("ZG-ABCD-EFGH-%d@rops.example.pl", n + 1);
		g_assert_cmpstr (icalcomponent_get_uid (ev), ==, uid);
		g_assert_cmpint (icalcomponent_get_sequence (ev), ==, 4);
		g_assert_cmpint (icalcomponent_get_status (ev), ==, ICAL_STATUS_CANCELLED);
		g_assert_nonnull (icalcomponent_get_first_property (ev, ICAL_ORGANIZER_PROPERTY));
	}
	g_assert_cmpint (n, ==, 2);
	icalcomponent_free (cal);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_test_add_func ("/ical/roundtrip", test_roundtrip);
	g_test_add_func ("/ical/bad-time", test_bad_time);
	g_test_add_func ("/ical/cancel", test_cancel);
	return g_test_run ();
}

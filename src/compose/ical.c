/* ical.c - iCalendar invitations with libical (see ical.h). */
#include "compose/ical.h"

#include <libical/ical.h>
#include <string.h>

#include "core/clock.h"
#include "core/errors.h"

/* Europe/Warsaw as calendar programs write it: the EU rules since 1996, not the
 * zone's whole history from tzdata. */
static const char vtimezone[] =
	"BEGIN:VTIMEZONE\r\n"
	"TZID:" ICAL_TZID "\r\n"
	"X-LIC-LOCATION:" ICAL_TZID "\r\n"
	"BEGIN:DAYLIGHT\r\n"
	"TZOFFSETFROM:+0100\r\n"
	"TZOFFSETTO:+0200\r\n"
	"TZNAME:CEST\r\n"
	"DTSTART:19700329T020000\r\n"
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
	"END:DAYLIGHT\r\n"
	"BEGIN:STANDARD\r\n"
	"TZOFFSETFROM:+0200\r\n"
	"TZOFFSETTO:+0100\r\n"
	"TZNAME:CET\r\n"
	"DTSTART:19701025T030000\r\n"
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
	"END:STANDARD\r\n"
	"END:VTIMEZONE\r\n";

/* A copy of the VTIMEZONE: parsed once, cloned for each calendar (parsing it
 * was a third of a calendar's cost).  (transfer full) */
static icalcomponent *
timezone_component (void)
{
	static icalcomponent *parsed;   /* never freed: one per process, never changed */

	if (g_once_init_enter (&parsed))
		g_once_init_leave (&parsed, icalparser_parse_string (vtimezone));
	return icalcomponent_new_clone (parsed);
}

void
ical_event_free (IcalEvent *ev)
{
	if (ev == NULL)
		return;
	g_free (ev->uid);
	g_free (ev->summary);
	g_free (ev->location);
	g_free (ev->description);
	g_free (ev->start);
	g_free (ev->end);
	g_free (ev);
}

char *
ical_uid (const char *code, guint session, const char *domain)
{
	return g_strdup_printf ("%s-%u@%s", code, session, domain);
}

/* "2014-03-06T10:00[:SS]" -> a floating local time; FALSE when malformed. */
static gboolean
local_time (const char *iso, struct icaltimetype *t)
{
	int y, mo, d, h, mi, s = 0;

	if (iso == NULL || sscanf (iso, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) < 5)
		return FALSE;
	*t = icaltime_null_time ();
	t->year = y;
	t->month = mo;
	t->day = d;
	t->hour = h;
	t->minute = mi;
	t->second = s;
	return icaltime_is_valid_time (*t) && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

static icalproperty *
zoned (icalproperty *p)
{
	icalproperty_add_parameter (p, icalparameter_new_tzid (ICAL_TZID));
	return p;
}

char *
ical_publish (const char *organizer_name, const char *organizer_addr, GPtrArray *events,
              GError **error)
{
	return ical_calendar (ICAL_PUBLISH, organizer_name, organizer_addr, events, error);
}

char *
ical_calendar (IcalMethod method, const char *organizer_name, const char *organizer_addr,
               GPtrArray *events, GError **error)
{
	icalcomponent *cal = icalcomponent_vanew (ICAL_VCALENDAR_COMPONENT,
	                                          icalproperty_new_prodid ("-//ROPS Katowice//mailreg//PL"),
	                                          icalproperty_new_version ("2.0"),
	                                          icalproperty_new_method (method == ICAL_CANCEL ? ICAL_METHOD_CANCEL
	                                                                                         : ICAL_METHOD_PUBLISH),
	                                          icalproperty_new_calscale ("GREGORIAN"), (void *) 0);
	icalcomponent *tz = timezone_component ();  /* cal takes it */
	g_autoptr (GDateTime) now = clock_now ();
	struct icaltimetype stamp = icaltime_from_timet_with_zone ((time_t) g_date_time_to_unix (now), 0,
	                                                           icaltimezone_get_utc_timezone ());
	g_autofree char *mailto = g_strdup_printf ("mailto:%s", organizer_addr);
	char *text;
	gchar *out;

	icalcomponent_add_component (cal, tz);
	for (guint i = 0; i < events->len; i++) {
		const IcalEvent *e = g_ptr_array_index (events, i);
		struct icaltimetype start, end;
		icalcomponent *ev;
		icalproperty *org;

		if (!local_time (e->start, &start) || !local_time (e->end ? e->end : e->start, &end)) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "calendar: '%s' is not an ISO 8601 time",
			             e->start ? e->start : "(none)");
			icalcomponent_free (cal);
			return NULL;
		}
		ev = icalcomponent_new_vevent ();
		icalcomponent_add_property (ev, icalproperty_new_uid (e->uid));
		icalcomponent_add_property (ev, icalproperty_new_sequence (e->sequence));
		icalcomponent_add_property (ev, icalproperty_new_dtstamp (stamp));
		icalcomponent_add_property (ev, zoned (icalproperty_new_dtstart (start)));
		icalcomponent_add_property (ev, zoned (icalproperty_new_dtend (end)));
		icalcomponent_add_property (ev, icalproperty_new_summary (e->summary));
		if (e->location != NULL)
			icalcomponent_add_property (ev, icalproperty_new_location (e->location));
		if (e->description != NULL)
			icalcomponent_add_property (ev, icalproperty_new_description (e->description));
		/* RFC 5546 §3.2.1 and §3.2.5: PUBLISH and CANCEL carry the ORGANIZER */
		org = icalproperty_new_organizer (mailto);
		if (organizer_name != NULL)
			icalproperty_add_parameter (org, icalparameter_new_cn (organizer_name));
		icalcomponent_add_property (ev, org);
		/* RFC 5546 §3.2.5: CANCELLED withdraws the whole entry */
		icalcomponent_add_property (ev, icalproperty_new_status (method == ICAL_CANCEL ? ICAL_STATUS_CANCELLED
		                                                         : e->tentative ? ICAL_STATUS_TENTATIVE
		                                                                        : ICAL_STATUS_CONFIRMED));
		icalcomponent_add_property (ev, icalproperty_new_transp (ICAL_TRANSP_OPAQUE));
		icalcomponent_add_component (cal, ev);
	}
	text = icalcomponent_as_ical_string_r (cal);  /* CRLF, folded */
	out = g_strdup (text);
	free (text);
	icalcomponent_free (cal);
	return out;
}

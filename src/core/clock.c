/* clock.c - real time or $MAILREG_NOW (see clock.h). */
#include "core/clock.h"

#include <string.h>

GTimeZone *
clock_zone (void)
{
	static GTimeZone *zone;

	/* loaded once: reading the tzfile for every clock_now() tripled the cost
	 * of a delivery */
	if (g_once_init_enter (&zone)) {
		GTimeZone *tz = g_time_zone_new_identifier ("Europe/Warsaw");
		g_once_init_leave (&zone, tz != NULL ? tz : g_time_zone_new_local ());
	}
	return g_time_zone_ref (zone);
}

GDateTime *
clock_parse (const char *s)
{
	g_autoptr (GTimeZone) tz = clock_zone ();
	GDateTime *t;

	if (s == NULL)
		return NULL;
	if ((t = g_date_time_new_from_iso8601 (s, tz)) == NULL && strlen (s) == 16) {
		/* "2014-03-06T10:00": GLib wants the seconds */
		g_autofree char *full = g_strconcat (s, ":00", NULL);
		t = g_date_time_new_from_iso8601 (full, tz);
	}
	return t;
}

GDateTime *
clock_now (void)
{
	static gboolean warned;
	const char *fake = g_getenv ("MAILREG_NOW");
	g_autoptr (GTimeZone) tz = clock_zone ();
	GDateTime *t;

	if (fake != NULL && *fake != '\0') {
		if ((t = clock_parse (fake)) != NULL)
			return t;
		if (!warned) {
			g_warning ("clock: MAILREG_NOW '%s' is not an ISO 8601 time; using the real clock", fake);
			warned = TRUE;
		}
	}
	return g_date_time_new_now (tz);
}

gint64
clock_now_unix (void)
{
	g_autoptr (GDateTime) now = clock_now ();

	return g_date_time_to_unix (now);
}

/* clock.c - real time or $MAILREG_NOW (see clock.h). */
#include "core/clock.h"

#include <string.h>

GDateTime *
clock_now (void)
{
	static gboolean warned;
	const char *fake = g_getenv ("MAILREG_NOW");
	g_autoptr (GTimeZone) local = NULL;
	GDateTime *t;

	if (fake == NULL || *fake == '\0')
		return g_date_time_new_now_local ();
	local = g_time_zone_new_local ();
	if ((t = g_date_time_new_from_iso8601 (fake, local)) != NULL)
		return t;
	if (strlen (fake) == 16) {
		/* "2014-03-06T10:00": GLib wants the seconds */
		g_autofree char *full = g_strconcat (fake, ":00", NULL);
		if ((t = g_date_time_new_from_iso8601 (full, local)) != NULL)
			return t;
	}
	if (!warned) {
		g_warning ("clock: MAILREG_NOW '%s' is not an ISO 8601 time; using the real clock", fake);
		warned = TRUE;
	}
	return g_date_time_new_now_local ();
}

gint64
clock_now_unix (void)
{
	g_autoptr (GDateTime) now = clock_now ();

	return g_date_time_to_unix (now);
}

/* catalog.c - the programme catalog (events and their sessions) from an INI file.
 *
 * One group per event, named by its code:
 *   [INFO-CEN]
 *   kind = info_meeting
 *   title = Spotkanie informacyjne – subregion centralny
 *   subregion = centralny
 *   seats = 25
 *   session1 = 2014-03-06T10:00 | 2014-03-06T14:00 | Katowice, ...
 * A session with empty dates is a placeholder staff fill in later.
 */
#include "register/register.h"

#include <string.h>

#include "core/clock.h"
#include "core/errors.h"
#include "core/fs.h"
#include "validate/powiat.h"

static const char *const kinds[] = { "info_meeting", "workshop_group", "consulting", "training" };

/* Parse local wall-clock time "YYYY-MM-DDTHH:MM[:SS]" (GLib insists on seconds). */
static GDateTime *
parse_local (const char *s)
{
	g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
	g_autofree char *full = strlen (s) == 16 ? g_strconcat (s, ":00", NULL) : g_strdup (s);

	return g_date_time_new_from_iso8601 (full, utc);
}

/* A wall-clock time: GLib reads it, and it names no zone of its own (read
 * with two different default zones, it is two different moments). */
static gboolean
valid_time (const char *s)
{
	g_autoptr (GDateTime) dt = parse_local (s);
	g_autoptr (GTimeZone) east = g_time_zone_new_offset (5 * 3600);
	g_autofree char *full = strlen (s) == 16 ? g_strconcat (s, ":00", NULL) : g_strdup (s);
	g_autoptr (GDateTime) there = g_date_time_new_from_iso8601 (full, east);

	return dt != NULL && there != NULL && g_date_time_to_unix (dt) != g_date_time_to_unix (there);
}

/* @s (valid_time) as "YYYY-MM-DDTHH:MM[:SS]": the store orders sessions by
 * this text, which is then the order in time ("2014-05-10 10:00:00" and the
 * week date "2014-W19-6T10:00:00" are the same moment).  (transfer full) */
static char *
canonical_time (const char *s)
{
	g_autoptr (GDateTime) dt = parse_local (s);

	return g_date_time_format (dt, g_date_time_get_second (dt) ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%dT%H:%M");
}

static gboolean
parse_session (const char *path, const char *code, const char *key, const char *value,
               EventSession *s, GError **error)
{
	g_auto (GStrv) parts = g_strsplit (value, "|", 3);

	if (g_strv_length (parts) != 3) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "%s: [%s] %s: expected 'START | END | PLACE'", path, code, key);
		return FALSE;
	}
	for (int i = 0; i < 3; i++)
		g_strstrip (parts[i]);
	if ((*parts[0] != '\0') != (*parts[1] != '\0') ||
	    (*parts[0] && (!valid_time (parts[0]) || !valid_time (parts[1])))) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "%s: [%s] %s: START and END must both be ISO 8601 local times "
		             "(2014-03-06T10:00) or both empty", path, code, key);
		return FALSE;
	}
	s->start = *parts[0] ? canonical_time (parts[0]) : NULL;
	s->end = *parts[1] ? canonical_time (parts[1]) : NULL;
	s->place = *parts[2] ? g_strdup (parts[2]) : NULL;
	return TRUE;
}

/* The hours session @n of @code counts for in attendance: its sessionN_hours
 * (teaching hours, days of a study visit as hours: what the call counts),
 * else, for a session within one day, its length in whole hours; 0 when
 * neither says. */
static gboolean
session_hours (GKeyFile *kf, const char *path, const char *code, int n, EventSession *s, GError **error)
{
	g_autofree char *key = g_strdup_printf ("session%d_hours", n);
	g_autofree char *value = g_key_file_get_string (kf, code, key, NULL);
	g_autoptr (GDateTime) a = s->start ? parse_local (s->start) : NULL;
	g_autoptr (GDateTime) b = s->end ? parse_local (s->end) : NULL;
	gint64 len;

	if (value != NULL) {
		char *end = NULL;
		gint64 h = g_ascii_strtoll (g_strstrip (value), &end, 10);
		if (end == value || *end != '\0' || h < 0 || h > 1000) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			             "%s: [%s] %s: expected a number of hours from 0 to 1000", path, code, key);
			return FALSE;
		}
		s->hours = (int) h;
		return TRUE;
	}
	if (a == NULL || b == NULL || g_date_time_get_day_of_year (a) != g_date_time_get_day_of_year (b) ||
	    g_date_time_get_year (a) != g_date_time_get_year (b))
		return TRUE;
	len = g_date_time_difference (b, a) / G_TIME_SPAN_HOUR;
	s->hours = (int) MAX (len, 0);
	return TRUE;
}

static Event *
load_event (GKeyFile *kf, const char *path, const char *code, GError **error)
{
	g_autoptr (Event) ev = event_new ();
	g_autofree char *subregion = g_key_file_get_string (kf, code, "subregion", NULL);
	g_auto (GStrv) keys = g_key_file_get_keys (kf, code, NULL, NULL);
	gboolean kind_ok = FALSE;

	ev->code = g_strdup (code);
	ev->kind = g_key_file_get_string (kf, code, "kind", NULL);
	ev->title = g_key_file_get_string (kf, code, "title", NULL);
	ev->topic = g_key_file_get_integer (kf, code, "topic", NULL);
	ev->seats = g_key_file_get_integer (kf, code, "seats", NULL);
	ev->hours = g_key_file_get_integer (kf, code, "hours", NULL);
	for (gsize i = 0; ev->kind && i < G_N_ELEMENTS (kinds); i++)
		kind_ok |= strcmp (ev->kind, kinds[i]) == 0;
	if (!kind_ok) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "%s: [%s] kind: expected info_meeting, workshop_group, consulting or training",
		             path, code);
		return NULL;
	}
	if (ev->title == NULL || *g_strstrip (ev->title) == '\0') {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s: [%s] title: missing", path, code);
		return NULL;
	}
	if (subregion != NULL && (ev->subregion = g_strdup (powiat_subregion_name (subregion))) == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "%s: [%s] subregion: '%s' is not centralny, północny, południowy or zachodni",
		             path, code, subregion);
		return NULL;
	}
	if (ev->seats < 0 || ev->hours < 0 || ev->topic < 0 || ev->topic > 4) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "%s: [%s]: seats and hours must be >= 0, topic 1-4", path, code);
		return NULL;
	}
	/* session1, session2, ... in numeric order. */
	for (int n = 1; n <= 50; n++) {
		g_autofree char *key = g_strdup_printf ("session%d", n);
		g_autofree char *value = g_key_file_get_string (kf, code, key, NULL);
		EventSession *s;

		if (value == NULL)
			break;
		s = g_new0 (EventSession, 1);
		g_ptr_array_add (ev->sessions, s);
		if (!parse_session (path, code, key, value, s, error) ||
		    !session_hours (kf, path, code, n, s, error))
			return NULL;
	}
	for (char **k = keys; k && *k; k++) {
		static const char *const known[] = { "kind", "title", "subregion", "topic", "seats", "hours" };
		gboolean ok = g_str_has_prefix (*k, "session");
		for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
			ok |= strcmp (*k, known[i]) == 0;
		if (!ok) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			             "%s: [%s] %s: unknown key; allowed: kind, title, subregion, topic, seats, "
			             "hours, session1, session2, ... (and session1_hours, ...)", path, code, *k);
			return NULL;
		}
	}
	return g_steal_pointer (&ev);
}

GPtrArray *
catalog_load (const char *path, GError **error)
{
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
	g_auto (GStrv) groups = NULL;

	if (!fs_load_keyfile (kf, path, "catalog", MAILREG_ERROR_DATA, error))
		return NULL;
	groups = g_key_file_get_groups (kf, NULL);
	for (char **g = groups; *g; g++) {
		Event *ev = load_event (kf, path, *g, error);
		if (ev == NULL)
			return NULL;
		g_ptr_array_add (events, ev);
	}
	return g_steal_pointer (&events);
}

gboolean
catalog_import (Db *db, const char *path, guint *count, GError **error)
{
	g_autoptr (GPtrArray) events = catalog_load (path, error);
	gboolean ok = TRUE;

	if (events == NULL || !db_begin (db, error))
		return FALSE;
	for (guint i = 0; ok && i < events->len; i++)
		ok = db_event_upsert (db, g_ptr_array_index (events, i), error);
	if (!db_end (db, ok, error))
		return FALSE;
	*count = events->len;
	return TRUE;
}

static const char *const days[] = { "", "poniedziałek", "wtorek", "środa", "czwartek",
                                     "piątek", "sobota", "niedziela" };
static const char *const months[] = { "", "stycznia", "lutego", "marca", "kwietnia", "maja",
                                      "czerwca", "lipca", "sierpnia", "września",
                                      "października", "listopada", "grudnia" };

/* "czwartek, 6 marca 2014, 10:00" */
static void
append_day_time (GString *out, GDateTime *t)
{
	g_string_append_printf (out, "%s, %d %s %d, %02d:%02d", days[g_date_time_get_day_of_week (t)],
	                        g_date_time_get_day_of_month (t), months[g_date_time_get_month (t)],
	                        g_date_time_get_year (t), g_date_time_get_hour (t), g_date_time_get_minute (t));
}

char *
catalog_format_when (const char *start, const char *end)
{
	g_autoptr (GDateTime) a = start ? parse_local (start) : NULL;
	g_autoptr (GDateTime) b = end ? parse_local (end) : NULL;
	GString *out;

	if (a == NULL)
		return g_strdup ("termin zostanie podany");
	out = g_string_new (NULL);
	append_day_time (out, a);
	if (b != NULL) {
		if (g_date_time_get_year (a) == g_date_time_get_year (b) &&
		    g_date_time_get_day_of_year (a) == g_date_time_get_day_of_year (b))
			g_string_append_printf (out, "–%02d:%02d", g_date_time_get_hour (b),
			                        g_date_time_get_minute (b));
		else {
			g_string_append (out, " – ");
			append_day_time (out, b);
		}
	}
	return g_string_free (out, FALSE);
}

char *
catalog_format_instant (gint64 unix_time)
{
	/* A moment, not a catalog time: said as the clocks in Poland show it,
	 * whatever the server's zone. */
	g_autoptr (GTimeZone) tz = clock_zone ();
	g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
	g_autoptr (GDateTime) t = g_date_time_to_timezone (utc, tz);
	GString *out = g_string_new (NULL);

	append_day_time (out, t);
	return g_string_free (out, FALSE);
}

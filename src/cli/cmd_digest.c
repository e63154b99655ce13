/* cmd_digest.c - `mailreg digest`: queue the staff's daily summary.
 *
 * New registrations per event, seats left and waiting lists, messages waiting
 * for a person, undelivered and bounced mail - since the previous digest (or
 * the last 24 hours for the first), so a digest run at irregular times neither
 * skips nor repeats anything.  Delivered by the next `send`.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "compose/compose.h"
#include "core/clock.h"
#include "core/errors.h"
#include "register/register.h"
#include "store/db.h"
#include "validate/reasons.h"

static char *
iso_utc (GDateTime *t, const char *format)
{
	g_autoptr (GDateTime) utc = g_date_time_to_utc (t);

	return g_date_time_format (utc, format);
}

/* The evaluation answers of the period per event, as "evaluations" in @vars. */
static gboolean
evaluations_text (Db *db, const char *since, const char *until, GHashTable *vars, GError **error)
{
	g_autoptr (GPtrArray) rows = db_evaluation_digest (db, since, until, error);
	GString *out;

	if (rows == NULL)
		return FALSE;
	out = g_string_new (NULL);
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		const char *rated = g_hash_table_lookup (r, "rated");
		g_string_append_printf (out, "  %s – %s: %s odp.", (char *) g_hash_table_lookup (r, "event"),
		                        (char *) g_hash_table_lookup (r, "title"), (char *) g_hash_table_lookup (r, "answers"));
		if (g_strcmp0 (rated, "0") != 0)
			g_string_append_printf (out, ", średnia ocena %s (ocen: %s)", (char *) g_hash_table_lookup (r, "mean"),
			                        rated);
		g_string_append_c (out, '\n');
	}
	if (out->len == 0)
		g_string_append (out, "  (brak)\n");
	g_hash_table_insert (vars, "evaluations", g_string_free (out, FALSE));
	return TRUE;
}

static char *
new_registrations_text (Db *db, const char *since, const char *until, GError **error)
{
	g_autoptr (GPtrArray) rows = db_digest_registrations (db, since, until, error);
	GString *out;

	if (rows == NULL)
		return NULL;
	out = g_string_new (NULL);
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		g_string_append_printf (out, "  %-10s %4s  %s\n", (char *) g_hash_table_lookup (r, "event"),
		                        (char *) g_hash_table_lookup (r, "new"),
		                        (char *) g_hash_table_lookup (r, "title"));
	}
	if (out->len == 0)
		g_string_append (out, "  (brak)\n");
	return g_string_free (out, FALSE);
}

static char *
seats_text (Db *db, GError **error)
{
	g_autoptr (GPtrArray) events = db_events_list (db, error);
	GString *out;

	if (events == NULL)
		return NULL;
	out = g_string_new (NULL);
	for (guint i = 0; i < events->len; i++) {
		const Event *ev = g_ptr_array_index (events, i);
		if (ev->seats <= 0)
			continue;  /* consulting counts hours, not seats */
		g_string_append_printf (out, "  %-10s wolne %2d z %2d, lista rezerwowa %d\n", ev->code,
		                        ev->seats > ev->taken ? ev->seats - ev->taken : 0, ev->seats, ev->waitlist);
	}
	return g_string_free (out, FALSE);
}

/* The review items still waiting, oldest first, each with why in Polish
 * (reasons.h); the first DIGEST_REVIEW_ITEMS of them.  (transfer full) */
#define DIGEST_REVIEW_ITEMS 30
static char *
review_items_text (Db *db, GError **error)
{
	g_autoptr (GPtrArray) rows = db_review_list (db, FALSE, 0, error);
	GString *out;

	if (rows == NULL)
		return NULL;
	out = g_string_new (NULL);
	for (guint i = 0; i < rows->len && i < DIGEST_REVIEW_ITEMS; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		const char *from = g_hash_table_lookup (r, "from");
		g_string_append_printf (out, "  nr %s od %s:\n    %s\n", (char *) g_hash_table_lookup (r, "id"),
		                        from ? from : "(brak nadawcy)",
		                        reason_text_pl (g_hash_table_lookup (r, "reason_code")));
	}
	if (rows->len > DIGEST_REVIEW_ITEMS)
		g_string_append_printf (out, "  … i %u kolejnych (mailreg review)\n", rows->len - DIGEST_REVIEW_ITEMS);
	return g_string_free (out, FALSE);
}

gboolean
cmd_digest (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (Composer) composer = NULL;
	g_autoptr (GHashTable) vars = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	g_autoptr (GDateTime) now = clock_now ();
	g_autoptr (ComposedMail) mail = NULL;
	g_autofree char *since = NULL;
	g_autofree char *until = NULL;
	GError *err = NULL;   /* NULL from db_last_digest: no digest yet, or this set */
	int review_new, review_all, failed, bounced;

	if (argc > 1) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "digest: takes no arguments");
		return FALSE;
	}
	if (cfg->staff == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG,
		             "digest: %s: [mail] staff is not set; the digest goes to staff", cfg->path);
		return FALSE;
	}
	if ((db = db_open (cfg->database, error)) == NULL || (composer = compose_new (cfg, error)) == NULL)
		return FALSE;
	since = db_last_digest (db, &err);
	if (since == NULL) {
		g_autoptr (GDateTime) day_ago = NULL;
		if (err != NULL) {
			g_propagate_error (error, err);
			return FALSE;
		}
		day_ago = g_date_time_add_days (now, -1);
		since = iso_utc (day_ago, "%Y-%m-%dT%H:%M:%SZ");
	}
	until = iso_utc (now, "%Y-%m-%dT%H:%M:%SZ");
	review_new = db_messages_count_since (db, "review", since, until, error);
	review_all = review_new < 0 ? -1 : db_messages_count_since (db, "review", NULL, until, error);
	failed = review_all < 0 ? -1 : db_outbox_count_since (db, "failed", since, until, error);
	bounced = failed < 0 ? -1 : db_outbox_count_since (db, "bounced", since, until, error);
	if (bounced < 0)
		return FALSE;

	g_hash_table_insert (vars, "date", g_date_time_format (now, "%d.%m.%Y"));
	g_hash_table_insert (vars, "now", g_date_time_format (now, "%d.%m.%Y %H:%M"));
	{
		g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
		g_autoptr (GDateTime) from = g_date_time_new_from_iso8601 (since, utc);
		g_autoptr (GDateTime) local = from ? g_date_time_to_timezone (from, g_date_time_get_timezone (now)) : NULL;
		g_hash_table_insert (vars, "since", local ? g_date_time_format (local, "%d.%m.%Y %H:%M") : g_strdup (since));
	}
	g_hash_table_insert (vars, "review_new", g_strdup_printf ("%d", review_new));
	g_hash_table_insert (vars, "review_all", g_strdup_printf ("%d", review_all));
	g_hash_table_insert (vars, "failed", g_strdup_printf ("%d", failed));
	g_hash_table_insert (vars, "bounced", g_strdup_printf ("%d", bounced));
	g_hash_table_insert (vars, "new_registrations", new_registrations_text (db, since, until, error));
	g_hash_table_insert (vars, "seats", seats_text (db, error));
	g_hash_table_insert (vars, "review_items", review_items_text (db, error));
	if (g_hash_table_lookup (vars, "new_registrations") == NULL || g_hash_table_lookup (vars, "seats") == NULL ||
	    g_hash_table_lookup (vars, "review_items") == NULL)
		return FALSE;
	{
		/* the needs survey: what the forms of the period answered */
		g_autoptr (GPtrArray) answers = db_needs_since (db, since, until, error);
		if (answers == NULL)
			return FALSE;
		g_hash_table_insert (vars, "needs", needs_digest_text (answers));
	}
	if (!evaluations_text (db, since, until, vars, error))
		return FALSE;

	if ((mail = compose_mail (composer, "digest", vars, NULL, cfg->staff, NULL, NULL, error)) == NULL ||
	    !db_outbox_add (db, 0, "digest", cfg->staff, mail->subject, mail->message_id, mail->raw, error))
		return FALSE;
	printf ("digest queued for %s (since %s): %d new in review, %d failed, %d bounced\n", cfg->staff, since,
	        review_new, failed, bounced);
	return TRUE;
}

/* cmd_status.c - `mailreg status [--json]`: is mailreg working, and does
 * anything need a person?  For people and for monitoring.
 *
 * Shows when intake and delivery last worked (and their last error), the
 * outgoing queue by state, the messages waiting for review, and the IMAP
 * UIDVALIDITY / last UID, and the free disk space.  Exits 69 (EX_UNAVAILABLE)
 * when something needs a person: failed deliveries, a review older than a day,
 * no successful intake within three poll intervals of the last attempt,
 * delivery stuck, a disk too full to take new mail (read here, not from the
 * database: a full disk may keep the daemon from recording it).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/errors.h"
#include "core/fs.h"
#include "spool/spool.h"
#include "store/db.h"

static gint64
age_seconds (const char *iso_utc, GDateTime *now)
{
	g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
	g_autoptr (GDateTime) t = iso_utc ? g_date_time_new_from_iso8601 (iso_utc, utc) : NULL;

	return t ? g_date_time_difference (now, t) / G_USEC_PER_SEC : -1;
}

/* Column @col of the health row of @step, or NULL. */
static const char *
lookup (GPtrArray *health, const char *step, const char *col)
{
	for (guint i = 0; health && i < health->len; i++) {
		GHashTable *r = g_ptr_array_index (health, i);
		if (g_strcmp0 (g_hash_table_lookup (r, "step"), step) == 0)
			return g_hash_table_lookup (r, col);
	}
	return NULL;
}

gboolean
cmd_status (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) health = NULL;
	g_autoptr (StatusCounts) counts = NULL;
	g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GDateTime) now = clock_now ();
	g_autoptr (GError) full = NULL;
	g_autofree char *free_text = NULL;
	guint64 avail = 0;
	OutputFormat fmt;
	const char *intake_ok, *intake_err_at, *delivery_err, *oldest;
	gint64 review_age;

	if ((db = cli_open (cfg, argc, argv, FALSE, &fmt, error)) == NULL ||
	    (health = db_health_list (db, error)) == NULL ||
	    (counts = db_status_counts (db, error)) == NULL)
		return FALSE;

	/* a file system with no room at all is full whatever min_free_space says */
	if (!spool_check_space (cfg->spool, cfg->database, MAX (cfg->min_free_space, 1), &avail, &full))
		g_ptr_array_add (problems, g_strdup (full->message));
	free_text = fs_format_size (avail);
	if (counts->failed > 0)
		g_ptr_array_add (problems, g_strdup_printf ("%d outgoing messages failed", counts->failed));
	oldest = counts->review_oldest;
	const struct {
		const char *state;
		int n;
	} outbox[] = { { "queued", counts->queued }, { "deferred", counts->deferred }, { "sent", counts->sent },
		       { "failed", counts->failed }, { "bounced", counts->bounced } };
	review_age = age_seconds (oldest, now);
	if (review_age > 86400)
		g_ptr_array_add (problems, g_strdup_printf ("a message has waited for review since %s", oldest));
	intake_ok = lookup (health, "intake", "last_ok");
	intake_err_at = lookup (health, "intake", "error_at");
	if (intake_err_at != NULL && (intake_ok == NULL || g_strcmp0 (intake_ok, intake_err_at) < 0) &&
	    age_seconds (intake_ok, now) > 3 * (gint64) cfg->imap_poll_interval)
		g_ptr_array_add (problems, g_strdup_printf ("no successful intake since %s: %s",
		                                            intake_ok ? intake_ok : "the start",
		                                            lookup (health, "intake", "last_error")));
	delivery_err = lookup (health, "delivery", "error_at");
	if (delivery_err != NULL && g_strcmp0 (lookup (health, "delivery", "last_ok"), delivery_err) < 0)
		g_ptr_array_add (problems, g_strdup_printf ("delivery not working since %s: %s", delivery_err,
		                                            lookup (health, "delivery", "last_error")));

	if (fmt == OUTPUT_JSON) {
		g_autoptr (JsonBuilder) b = json_builder_new ();
		json_builder_begin_object (b);
		for (const char *const *step = (const char *const[]) { "intake", "delivery", NULL }; *step; step++) {
			json_builder_set_member_name (b, *step);
			json_builder_begin_object (b);
			cli_json_add (b, "last_ok", lookup (health, *step, "last_ok"), FALSE);
			cli_json_add (b, "last_error", lookup (health, *step, "last_error"), FALSE);
			cli_json_add (b, "error_at", lookup (health, *step, "error_at"), FALSE);
			json_builder_end_object (b);
		}
		json_builder_set_member_name (b, "outbox");
		json_builder_begin_object (b);
		for (gsize i = 0; i < G_N_ELEMENTS (outbox); i++)
			cli_json_add_int (b, outbox[i].state, outbox[i].n);
		json_builder_end_object (b);
		cli_json_add_int (b, "review", counts->review);
		cli_json_add (b, "review_oldest", oldest, FALSE);
		json_builder_set_member_name (b, "disk");
		json_builder_begin_object (b);
		cli_json_add_int (b, "free", (gint64) avail);
		cli_json_add_int (b, "min_free_space", (gint64) cfg->min_free_space);
		json_builder_end_object (b);
		json_builder_set_member_name (b, "imap");
		json_builder_begin_object (b);
		for (guint i = 0; i < counts->imap->len; i++) {
			const ImapMailboxState *m = g_ptr_array_index (counts->imap, i);
			json_builder_set_member_name (b, m->mailbox);
			json_builder_begin_object (b);
			cli_json_add_int (b, "uidvalidity", m->uidvalidity);
			cli_json_add_int (b, "last_uid", m->last_uid);
			json_builder_end_object (b);
		}
		json_builder_end_object (b);
		json_builder_set_member_name (b, "problems");
		json_builder_begin_array (b);
		for (guint i = 0; i < problems->len; i++)
			json_builder_add_string_value (b, g_ptr_array_index (problems, i));
		json_builder_end_array (b);
		json_builder_end_object (b);
		cli_json_print (b);
	} else {
		printf ("intake:   last worked %s%s%s\n", intake_ok ? intake_ok : "never",
		        lookup (health, "intake", "last_error") ? ", last error: " : "",
		        lookup (health, "intake", "last_error") ?: "");
		printf ("delivery: last worked %s%s%s\n", lookup (health, "delivery", "last_ok") ?: "never",
		        lookup (health, "delivery", "last_error") ? ", last error: " : "",
		        lookup (health, "delivery", "last_error") ?: "");
		printf ("outbox:  ");
		for (gsize i = 0; i < G_N_ELEMENTS (outbox); i++)
			printf (" %s %d", outbox[i].state, outbox[i].n);
		g_autofree char *need = fs_format_size (cfg->min_free_space);
		printf ("\ndisk:     %s free for the spool and database (intake needs %s)", free_text, need);
		printf ("\nreview:   %d waiting%s%s\n", counts->review,
		        oldest ? ", oldest since " : "", oldest ? oldest : "");
		for (guint i = 0; i < counts->imap->len; i++) {
			const ImapMailboxState *m = g_ptr_array_index (counts->imap, i);
			printf ("imap:     %s: UIDVALIDITY and last UID %u %u\n", m->mailbox, m->uidvalidity, m->last_uid);
		}
		for (guint i = 0; i < problems->len; i++)
			printf ("NEEDS A PERSON: %s\n", (char *) g_ptr_array_index (problems, i));
	}
	if (problems->len > 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_ATTENTION, "status: %u problem(s) need a person",
		             problems->len);
		return FALSE;
	}
	return TRUE;
}

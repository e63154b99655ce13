/* purge.c - retention: remove the raw copies of finished messages after some
 * days, keeping their rows (RODO/GDPR art. 5(1)(e): personal data no longer
 * than needed).
 *
 * Three places hold raw copies: the spool's cur/ (every inbound message, by
 * spool id), the inbox's processed/ (files dropped there, found again by their
 * content hash) and the outgoing folder of the directory transport (replies,
 * by Message-ID); a reply's text in the database goes with its mark.  Order for each chunk of rows: unlink -> fsync the folder ->
 * commit the rows' purged_at.  A crash in between leaves rows unmarked whose
 * files are gone: the next run finds nothing to unlink and marks them.
 */
#include "register/register.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/errors.h"
#include "core/fault.h"
#include "core/fs.h"
#include "deliver/deliver.h"

/* Rows marked per transaction. */
#define PURGE_CHUNK 500

/* Remove @path, counting it in @st; TRUE when it is gone (removed now or
 * before).  Another failure is warned about and the file kept for next time. */
static gboolean
purge_file (const char *path, PurgeStats *st, gboolean outgoing, gboolean *removed)
{
	struct stat sb;

	if (g_lstat (path, &sb) != 0)
		return errno == ENOENT;
	if (g_unlink (path) != 0) {
		if (errno == ENOENT)
			return TRUE;
		g_warning ("purge: cannot remove %s: %s", path, g_strerror (errno));
		return FALSE;
	}
	st->files++;
	st->bytes += (guint64) sb.st_size;
	if (outgoing)
		st->outgoing++;
	else
		st->inbound++;
	*removed = TRUE;
	return TRUE;
}

/* Mark @ids purged (messages, or outbox rows when @outbox) in one transaction,
 * after fsyncing @dir when a file left it. */
static gboolean
mark (Pipeline *p, GArray *ids, gboolean outbox, const char *dir, gboolean removed, GError **error)
{
	gboolean ok = TRUE;

	if (ids->len == 0)
		return TRUE;
	if (removed && !fs_fsync_dir (dir, error))
		return FALSE;
	FAULT_POINT ("purge-before-mark");
	if (!db_begin (p->db, error))
		return FALSE;
	for (guint i = 0; ok && i < ids->len; i++)
		ok = db_purge_mark (p->db, outbox, g_array_index (ids, gint64, i), error);
	if (!db_end (p->db, ok, error))
		return FALSE;
	g_array_set_size (ids, 0);
	return TRUE;
}

/* The file of purge row @r (db_purge_messages, db_purge_outbox), or NULL
 * when the row waits for a later purge.  (transfer full) */
typedef char *(*CopyOf) (Pipeline *p, const PurgeRow *r, PurgeStats *st);

/* Remove the file of each row of @rows (transfer full; NULL: the database's
 * @error) that copy_of names, all in @dir, and mark the rows whose file is
 * gone purged (outbox rows when @outbox), PURGE_CHUNK per transaction;
 * *@count counts them. */
static gboolean
purge_rows (Pipeline *p, GPtrArray *rows, CopyOf copy_of, gboolean outbox, const char *dir, guint *count,
            PurgeStats *st, GError **error)
{
	g_autoptr (GPtrArray) owned = rows;
	g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
	gboolean removed = FALSE;

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		const PurgeRow *r = g_ptr_array_index (rows, i);
		g_autofree char *path = copy_of (p, r, st);

		if (path == NULL || !purge_file (path, st, outbox, &removed))
			continue;
		g_array_append_val (ids, r->id);
		(*count)++;
		if (ids->len >= PURGE_CHUNK && !mark (p, ids, outbox, dir, removed, error))
			return FALSE;
	}
	return mark (p, ids, outbox, dir, removed, error);
}

/* The inbound copy in spool cur/ of a finished message. */
static char *
spool_copy (Pipeline *p, const PurgeRow *r, PurgeStats *st)
{
	const char *spool_id = r->name;
	g_autofree char *pending = g_build_filename (p->spool->new, spool_id, NULL);

	/* Recorded but still in new/ (a run died before moving it): the next
	 * ingest or poll moves it, a later purge takes it. */
	if (g_file_test (pending, G_FILE_TEST_EXISTS)) {
		st->skipped++;
		return NULL;
	}
	return g_build_filename (p->spool->cur, spool_id, NULL);
}

/* The directory transport's copy of a reply out of the queue. */
static char *
outgoing_copy (Pipeline *p, const PurgeRow *r, PurgeStats *st)
{
	g_autofree char *name = deliver_dir_name (r->name);

	return g_build_filename (p->cfg->outgoing, name, NULL);
}

/* The inbox's processed/ copies, matched to their messages by content: the
 * file names are the senders' own, so only the hash links them. */
static gboolean
purge_processed (Pipeline *p, const char *before, PurgeStats *st, GError **error)
{
	g_autofree char *dir = g_build_filename (p->cfg->inbox, "processed", NULL);
	g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
	gboolean removed = FALSE;
	const char *name;

	if (d == NULL)
		return TRUE;  /* never made: nothing in it */
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree char *path = g_build_filename (dir, name, NULL);
		g_autoptr (GMappedFile) map = NULL;
		g_autofree char *hash = NULL;
		int old;

		if (name[0] == '.' || !g_file_test (path, G_FILE_TEST_IS_REGULAR) ||
		    (map = g_mapped_file_new (path, FALSE, NULL)) == NULL)
			continue;
		hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) g_mapped_file_get_contents (map),
		                                    g_mapped_file_get_length (map));
		if ((old = db_purge_hash (p->db, hash, before, error)) < 0)
			return FALSE;
		if (old > 0)
			purge_file (path, st, FALSE, &removed);
	}
	return !removed || fs_fsync_dir (dir, error);
}

gboolean
purge_old (Pipeline *p, guint days, PurgeStats *st, GError **error)
{
	g_autofree char *before = db_iso_days_ago (days);

	memset (st, 0, sizeof *st);
	if (!purge_processed (p, before, st, error) ||
	    !purge_rows (p, db_purge_messages (p->db, before, error), spool_copy, FALSE, p->spool->cur,
	                 &st->messages, st, error) ||
	    !purge_rows (p, db_purge_outbox (p->db, before, error), outgoing_copy, TRUE, p->cfg->outgoing,
	                 &st->replies, st, error)) {
		g_prefix_error (error, "purge: ");
		return FALSE;
	}
	g_message ("purge: raw copies older than %u days (received before %s): %u files removed (%" G_GUINT64_FORMAT
	           " bytes; %u inbound, %u outgoing), %u messages and %u replies marked purged%s",
	           days, before, st->files, st->bytes, st->inbound, st->outgoing, st->messages, st->replies,
	           st->skipped ? ", some still in spool new/ left for later" : "");
	return TRUE;
}

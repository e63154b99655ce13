/* spool.h - stage 1: the raw inbound message, stored durably before anything else.
 *
 * A Maildir-style folder: a message is written to tmp/, fsynced, renamed into
 * new/ (it now survives any crash), processed, and renamed into cur/ after its
 * outcome is committed.  File names are random UUIDs, never sender-controlled.
 */
#ifndef MAILREG_SPOOL_H
#define MAILREG_SPOOL_H

#include <glib.h>

typedef struct {
	char *dir;
	char *tmp;
	char *new;
	char *cur;
	gint unsynced;       /* a rename into new/ awaits spool_sync() (atomic: SpoolAhead) */
} Spool;

/* Open the spool at @dir, creating tmp/ new/ cur/ (mode 0700) and removing debris
 * a crash left in tmp/ (files older than 36 hours: younger ones may belong to a
 * process writing them now).  (transfer full)  MAILREG_ERROR_CANTCREAT. */
Spool *spool_open (const char *dir, GError **error);
void spool_free (Spool *spool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Spool, spool_free)

/* Copy everything readable from @fd into the spool (tmp -> fsync -> new).  Reading
 * streams in blocks, so the size of the message does not matter for memory.  Returns
 * the new spool id (transfer full) and its size in *@size, or NULL:
 * MAILREG_ERROR_IO / MAILREG_ERROR_TEMPFAIL (disk full; nothing is left behind). */
char *spool_add_fd (Spool *spool, int fd, guint64 *size, GError **error);

/* Store @len bytes of @data; as spool_add_fd. */
char *spool_add_data (Spool *spool, const void *data, gsize len, GError **error);

/* As spool_add_data, under the id @want_id (a UUID from ids_uuid() the caller
 * journalled before, so the file is found again after a crash; NULL: a new
 * one).  A file of that id in new/ is replaced. */
char *spool_add_data_as (Spool *spool, const char *want_id, const void *data, gsize len, GError **error);

/* As spool_add_data_as, but the folder new/ is fsynced by the next spool_sync()
 * instead of now (the file itself is fsynced before its rename): a group commit
 * syncs the folder once for all its messages, before the commit recording them. */
char *spool_add_data_deferred (Spool *spool, const char *want_id, const void *data, gsize len, GError **error);

/* fsync new/ when a deferred add renamed a file into it since the last call. */
gboolean spool_sync (Spool *spool, GError **error);

/* Is there room for new mail?  FALSE with MAILREG_ERROR_TEMPFAIL ("spool: disk
 * full: ...") when the file system of @spool_dir or of the database @database
 * has less than @min_free bytes free (Postfix's queue_minfree: intake stops
 * while the database keeps room to record deliveries and health).  *@avail (may
 * be NULL) gets the smaller of the two free spaces.  @min_free 0: only reads
 * *@avail. */
gboolean spool_check_space (const char *spool_dir, const char *database, guint64 min_free, guint64 *avail,
                            GError **error);

/* The path of a spooled message in new/.  (transfer full) */
char *spool_path (const Spool *spool, const char *id);

/* Ids waiting in new/ (left by a crash or not yet processed), oldest first.
 * (transfer full) array of char*. */
GPtrArray *spool_pending (const Spool *spool, GError **error);

/* Move a processed message from new/ to cur/.  Missing in new/ but present in cur/
 * is success (a crash came between the rename and its report). */
gboolean spool_done (const Spool *spool, const char *id, GError **error);

#endif

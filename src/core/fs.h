/* fs.h - durable file-system helpers used by every stage that writes to disk.
 *
 * One recipe everywhere (OpenSMTPD's queue_fs, Maildir delivery): create a
 * temporary file with O_EXCL, write, fsync, rename into place, fsync the folder.
 */
#ifndef MAILREG_FS_H
#define MAILREG_FS_H

#include <glib.h>

/* Create @path and missing parents with mode 0700.  MAILREG_ERROR_CANTCREAT on failure. */
gboolean fs_mkdir_p (const char *path, GError **error);

/* Load the key file @path into @kf; errors say "@what @path: ...":
 * MAILREG_ERROR_NOINPUT when it cannot be read, @bad_code when it is malformed. */
gboolean fs_load_keyfile (GKeyFile *kf, const char *path, const char *what, int bad_code, GError **error);

/* fsync the folder @dir so a rename or create inside it is durable. */
gboolean fs_fsync_dir (const char *dir, GError **error);

/* Write @len bytes of @data to @dir/@name atomically: @dir/.@name.tmp (O_EXCL,
 * mode 0600), fsync, rename over @name, fsync @dir.  A stale temporary file from a
 * crash is replaced.  MAILREG_ERROR_IO (or TEMPFAIL when the disk is full). */
gboolean fs_write_atomic (const char *dir, const char *name, const void *data, gsize len,
                          GError **error);

/* Write all of @len bytes to @fd, retrying on EINTR and short writes. */
gboolean fs_write_all (int fd, const void *data, gsize len, const char *what, GError **error);

/* Rename @from to @to (same file system).  MAILREG_ERROR_IO. */
gboolean fs_rename (const char *from, const char *to, GError **error);

/* Take an exclusive lock on @path (created 0600) without waiting; returns the
 * descriptor holding it (the kernel drops the lock when the process ends, however
 * it ends), or -1: MAILREG_ERROR_TEMPFAIL "@what: ... is locked" when another
 * process holds it, CANTCREAT when it cannot be opened. */
int fs_lock (const char *path, const char *what, GError **error);

/* A GError for errno @err about @what ("write /path"): TEMPFAIL for ENOSPC/EDQUOT. */
void fs_set_error (GError **error, int err, const char *what);

/* The bytes an unprivileged process may still write on the file system holding
 * @path (statvfs f_bavail), in *@avail.  MAILREG_ERROR_IO when it cannot be read. */
gboolean fs_free_space (const char *path, guint64 *avail, GError **error);

/* The names of the regular files in @dir, hidden ones (".name") left out,
 * and only those ending in @suffix unless it is NULL; in name order, so runs
 * are reproducible.  (transfer full) G_FILE_ERROR when @dir cannot be read. */
GPtrArray *fs_list_files (const char *dir, const char *suffix, GError **error);

/* @bytes as "2.0 MiB" for a log line (g_format_size with a plain space, not
 * U+00A0).  (transfer full) */
char *fs_format_size (guint64 bytes);

#endif

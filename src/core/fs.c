/* fs.c - durable writes: O_EXCL tmp -> write -> fsync -> rename -> fsync(dir). */
#include "core/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/errors.h"

void
fs_set_error (GError **error, int err, const char *what)
{
	if (err == ENOSPC || err == EDQUOT) {
		/* temporary: the same write works once there is room again */
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL, "%s: disk full (%s): %s", what,
		             err == ENOSPC ? "ENOSPC" : "EDQUOT", g_strerror (err));
		return;
	}
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_IO, "%s: %s", what, g_strerror (err));
}

char *
fs_format_size (guint64 bytes)
{
	g_autofree char *text = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
	g_autoptr (GString) plain = g_string_new (text);

	g_string_replace (plain, "\u00a0", " ", 0);
	return g_string_free (g_steal_pointer (&plain), FALSE);
}

gboolean
fs_free_space (const char *path, guint64 *avail, GError **error)
{
	struct statvfs st;

	if (statvfs (path, &st) != 0) {
		g_autofree char *what = g_strdup_printf ("free space of %s", path);
		fs_set_error (error, errno, what);
		return FALSE;
	}
	*avail = (guint64) st.f_bavail * (st.f_frsize ? st.f_frsize : st.f_bsize);
	return TRUE;
}

gboolean
fs_mkdir_p (const char *path, GError **error)
{
	if (g_mkdir_with_parents (path, 0700) != 0) {
		int err = errno;
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CANTCREAT,
		             "cannot create folder %s: %s", path, g_strerror (err));
		return FALSE;
	}
	return TRUE;
}

gboolean
fs_fsync_dir (const char *dir, GError **error)
{
	int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync (fd) != 0) {
		int err = errno;
		g_autofree char *what = g_strdup_printf ("fsync %s", dir);
		if (fd >= 0)
			close (fd);
		fs_set_error (error, err, what);
		return FALSE;
	}
	close (fd);
	return TRUE;
}

gboolean
fs_write_all (int fd, const void *data, gsize len, const char *what, GError **error)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write (fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fs_set_error (error, errno, what);
			return FALSE;
		}
		p += n;
		len -= (gsize) n;
	}
	return TRUE;
}

gboolean
fs_rename (const char *from, const char *to, GError **error)
{
	if (rename (from, to) != 0) {
		g_autofree char *what = g_strdup_printf ("rename %s to %s", from, to);
		fs_set_error (error, errno, what);
		return FALSE;
	}
	return TRUE;
}

gboolean
fs_write_atomic (const char *dir, const char *name, const void *data, gsize len,
                 GError **error)
{
	g_autofree char *tmp_name = g_strdup_printf (".%s.tmp", name);
	g_autofree char *tmp = g_build_filename (dir, tmp_name, NULL);
	g_autofree char *dst = g_build_filename (dir, name, NULL);
	int fd;

	/* A temporary file left by a crash holds nothing anyone relies on. */
	unlink (tmp);
	fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_autofree char *what = g_strdup_printf ("create %s", tmp);
		fs_set_error (error, errno, what);
		return FALSE;
	}
	if (!fs_write_all (fd, data, len, tmp, error))
		goto fail;
	if (fsync (fd) != 0) {
		g_autofree char *what = g_strdup_printf ("fsync %s", tmp);
		fs_set_error (error, errno, what);
		goto fail;
	}
	if (close (fd) != 0) {
		fd = -1;
		g_autofree char *what = g_strdup_printf ("close %s", tmp);
		fs_set_error (error, errno, what);
		goto fail;
	}
	fd = -1;
	if (!fs_rename (tmp, dst, error))
		goto fail;
	return fs_fsync_dir (dir, error);

fail:
	if (fd >= 0)
		close (fd);
	unlink (tmp);
	return FALSE;
}

int
fs_lock (const char *path, const char *what, GError **error)
{
	int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CANTCREAT, "%s: %s: %s", what, path,
		             g_strerror (errno));
		return -1;
	}
	if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL, "%s (%s is locked)", what, path);
		close (fd);
		return -1;
	}
	return fd;
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
	return strcmp (*(char *const *) a, *(char *const *) b);
}

GPtrArray *
fs_list_files (const char *dir, const char *suffix, GError **error)
{
	g_autoptr (GDir) d = g_dir_open (dir, 0, error);
	g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	const char *name;

	if (d == NULL)
		return NULL;
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree char *path = g_build_filename (dir, name, NULL);
		if (name[0] != '.' && (suffix == NULL || g_str_has_suffix (name, suffix)) &&
		    g_file_test (path, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add (names, g_strdup (name));
	}
	g_ptr_array_sort (names, cmp_str);
	return g_steal_pointer (&names);
}

gboolean
fs_load_keyfile (GKeyFile *kf, const char *path, const char *what, int bad_code, GError **error)
{
	g_autoptr (GError) local = NULL;

	if (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
		return TRUE;
	g_set_error (error, MAILREG_ERROR, local->domain == G_FILE_ERROR ? MAILREG_ERROR_NOINPUT : bad_code,
	             "%s %s: %s", what, path, local->message);
	return FALSE;
}

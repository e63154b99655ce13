/* spool.c - the durable inbound spool (tmp/ -> new/ -> cur/). */
#include "spool/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/fault.h"
#include "core/fs.h"
#include "core/ids.h"

#define SPOOL_TMP_MAX_AGE (36 * 60 * 60)

Spool *
spool_open (const char *dir, GError **error)
{
	g_autoptr (Spool) spool = g_new0 (Spool, 1);
	g_autoptr (GDir) d = NULL;
	const char *name;
	time_t now;

	spool->dir = g_strdup (dir);
	spool->tmp = g_build_filename (dir, "tmp", NULL);
	spool->new = g_build_filename (dir, "new", NULL);
	spool->cur = g_build_filename (dir, "cur", NULL);
	if (!fs_mkdir_p (spool->tmp, error) || !fs_mkdir_p (spool->new, error) ||
	    !fs_mkdir_p (spool->cur, error))
		return NULL;
	/* Debris of a crash during spool_add: never renamed, so never acknowledged.
	 * Another process may be writing a file right now, so only old ones go
	 * (Maildir's rule: untouched for 36 hours). */
	if ((d = g_dir_open (spool->tmp, 0, error)) == NULL)
		return NULL;
	now = time (NULL);
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree char *path = g_build_filename (spool->tmp, name, NULL);
		struct stat st;

		if (stat (path, &st) == 0 && now - st.st_mtime > SPOOL_TMP_MAX_AGE && unlink (path) == 0)
			g_info ("removed stale spool file %s", path);
	}
	return g_steal_pointer (&spool);
}

void
spool_free (Spool *spool)
{
	if (spool == NULL)
		return;
	g_free (spool->dir);
	g_free (spool->tmp);
	g_free (spool->new);
	g_free (spool->cur);
	g_free (spool);
}

/* Create tmp/<uuid> (or tmp/@want: a reserved id, whose debris from a crash is
 * ours to replace); returns the fd and sets *@id and *@path. */
static int
spool_create (Spool *spool, const char *want, char **id, char **path, GError **error)
{
	int fd;

	*id = want ? g_strdup (want) : ids_uuid ();
	*path = g_build_filename (spool->tmp, *id, NULL);
	if (want != NULL)
		unlink (*path);
	fd = open (*path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_autofree char *what = g_strdup_printf ("spool: create %s", *path);
		fs_set_error (error, errno, what);
	}
	return fd;
}

static gboolean
spool_write (int fd, const void *data, gsize len, const char *path, GError **error)
{
	g_autofree char *what = g_strdup_printf ("spool: write %s", path);

	return fs_write_all (fd, data, len, what, error);
}

/* fsync and close @fd, rename tmp/@id into new/, fsync new/ (or leave that to
 * spool_sync() when @defer). */
static gboolean
spool_commit_full (Spool *spool, int fd, const char *id, const char *tmp_path, gboolean defer, GError **error)
{
	g_autofree char *dst = g_build_filename (spool->new, id, NULL);
	int rc = fsync (fd);
	int err = errno;

	if (close (fd) != 0 && rc == 0) {
		rc = -1;
		err = errno;
	}
	if (rc != 0) {
		g_autofree char *what = g_strdup_printf ("spool: fsync %s", tmp_path);
		fs_set_error (error, err, what);
		return FALSE;
	}
	if (!fs_rename (tmp_path, dst, error)) {
		g_prefix_error (error, "spool: ");
		return FALSE;
	}
	FAULT_POINT ("spool-rename");
	if (defer) {
		g_atomic_int_set (&spool->unsynced, TRUE);
		return TRUE;
	}
	return fs_fsync_dir (spool->new, error);
}

static gboolean
spool_commit (Spool *spool, int fd, const char *id, const char *tmp_path, GError **error)
{
	return spool_commit_full (spool, fd, id, tmp_path, FALSE, error);
}

gboolean
spool_sync (Spool *spool, GError **error)
{
	if (!g_atomic_int_compare_and_exchange (&spool->unsynced, TRUE, FALSE))
		return TRUE;
	if (!fs_fsync_dir (spool->new, error)) {
		g_atomic_int_set (&spool->unsynced, TRUE);
		return FALSE;
	}
	return TRUE;
}

char *
spool_add_fd (Spool *spool, int fd, guint64 *size, GError **error)
{
	g_autofree char *id = NULL;
	g_autofree char *path = NULL;
	char buf[65536];
	guint64 total = 0;
	int out = spool_create (spool, NULL, &id, &path, error);

	if (out < 0)
		return NULL;
	for (;;) {
		ssize_t n = read (fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fs_set_error (error, errno, "spool: read input");
			goto fail;
		}
		if (n == 0)
			break;
		if (!spool_write (out, buf, (gsize) n, path, error))
			goto fail;
		total += (guint64) n;
	}
	if (!spool_commit (spool, out, id, path, error)) {
		unlink (path);
		return NULL;
	}
	if (size != NULL)
		*size = total;
	return g_steal_pointer (&id);

fail:
	close (out);
	unlink (path);
	return NULL;
}

char *
spool_add_data (Spool *spool, const void *data, gsize len, GError **error)
{
	return spool_add_data_as (spool, NULL, data, len, error);
}

static char *
add_data (Spool *spool, const char *want_id, const void *data, gsize len, gboolean defer, GError **error)
{
	g_autofree char *id = NULL;
	g_autofree char *path = NULL;
	int out = spool_create (spool, want_id, &id, &path, error);

	if (out < 0)
		return NULL;
	if (!spool_write (out, data, len, path, error)) {
		close (out);
		unlink (path);
		return NULL;
	}
	if (!spool_commit_full (spool, out, id, path, defer, error)) {
		unlink (path);
		return NULL;
	}
	return g_steal_pointer (&id);
}

char *
spool_add_data_as (Spool *spool, const char *want_id, const void *data, gsize len, GError **error)
{
	return add_data (spool, want_id, data, len, FALSE, error);
}

char *
spool_add_data_deferred (Spool *spool, const char *want_id, const void *data, gsize len, GError **error)
{
	return add_data (spool, want_id, data, len, TRUE, error);
}

gboolean
spool_check_space (const char *spool_dir, const char *database, guint64 min_free, guint64 *avail,
                   GError **error)
{
	g_autofree char *db_dir = g_path_get_dirname (database);
	const char *dirs[] = { spool_dir, db_dir };
	guint64 least = G_MAXUINT64;
	const char *where = spool_dir;

	for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++) {
		guint64 n;
		if (!fs_free_space (dirs[i], &n, error))
			return FALSE;
		if (n < least) {
			least = n;
			where = dirs[i];
		}
	}
	if (avail != NULL)
		*avail = least;
	if (least < min_free) {
		g_autofree char *have = fs_format_size (least);
		g_autofree char *need = fs_format_size (min_free);
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL,
		             "spool: disk full: %s has %s free, less than [limits] min_free_space %s; "
		             "new mail waits on the server until there is room", where, have, need);
		return FALSE;
	}
	return TRUE;
}

char *
spool_path (const Spool *spool, const char *id)
{
	return g_build_filename (spool->new, id, NULL);
}

typedef struct {
	char *id;
	gint64 mtime;
} Pending;

static int
pending_cmp (gconstpointer a, gconstpointer b)
{
	const Pending *pa = a, *pb = b;

	if (pa->mtime != pb->mtime)
		return pa->mtime < pb->mtime ? -1 : 1;
	return strcmp (pa->id, pb->id);
}

GPtrArray *
spool_pending (const Spool *spool, GError **error)
{
	g_autoptr (GDir) d = g_dir_open (spool->new, 0, error);
	g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (Pending));
	GPtrArray *ids;
	const char *name;

	if (d == NULL)
		return NULL;
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree char *path = g_build_filename (spool->new, name, NULL);
		struct stat st;
		Pending p;

		if (name[0] == '.' || stat (path, &st) != 0 || !S_ISREG (st.st_mode))
			continue;
		p.id = g_strdup (name);
		p.mtime = (gint64) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		g_array_append_val (found, p);
	}
	g_array_sort (found, pending_cmp);
	ids = g_ptr_array_new_full (found->len, g_free);
	for (guint i = 0; i < found->len; i++)
		g_ptr_array_add (ids, g_array_index (found, Pending, i).id);
	return ids;
}

gboolean
spool_done (const Spool *spool, const char *id, GError **error)
{
	g_autofree char *from = g_build_filename (spool->new, id, NULL);
	g_autofree char *to = g_build_filename (spool->cur, id, NULL);

	if (rename (from, to) == 0)
		return TRUE;
	if (errno == ENOENT && g_file_test (to, G_FILE_TEST_EXISTS))
		return TRUE;
	{
		g_autofree char *what = g_strdup_printf ("spool: move %s to cur/", from);
		fs_set_error (error, errno, what);
	}
	return FALSE;
}

/* test_spool.c - the durable spool: tmp/ -> new/ -> cur/, debris purge, order. */
#include <fcntl.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "core/errors.h"
#include "spool/spool.h"

static char *
temp_dir (void)
{
	g_autoptr (GError) error = NULL;
	char *dir = g_dir_make_tmp ("mailreg-spool-XXXXXX", &error);

	g_assert_no_error (error);
	return dir;
}

static void
test_add_and_done (void)
{
	g_autofree char *dir = temp_dir ();
	g_autoptr (GError) error = NULL;
	g_autoptr (Spool) spool = spool_open (dir, &error);
	g_autofree char *id = NULL;
	g_autofree char *path = NULL;
	g_autofree char *cur = NULL;
	g_autofree char *text = NULL;
	g_autoptr (GPtrArray) pending = NULL;
	struct stat st;

	g_assert_no_error (error);
	id = spool_add_data (spool, "Subject: x\n\nbody\n", 17, &error);
	g_assert_no_error (error);
	g_assert_cmpint (strlen (id), ==, 36);
	path = spool_path (spool, id);
	g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
	g_assert_cmpstr (text, ==, "Subject: x\n\nbody\n");
	g_assert_cmpint (g_stat (path, &st), ==, 0);
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);

	pending = spool_pending (spool, &error);
	g_assert_cmpint (pending->len, ==, 1);
	g_assert_cmpstr (g_ptr_array_index (pending, 0), ==, id);

	g_assert_true (spool_done (spool, id, &error));
	cur = g_build_filename (dir, "cur", id, NULL);
	g_assert_true (g_file_test (cur, G_FILE_TEST_EXISTS));
	g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
	/* a crash after the rename: done again is still success */
	g_assert_true (spool_done (spool, id, &error));
	g_assert_no_error (error);
}

static void
test_add_fd_streams (void)
{
	g_autofree char *dir = temp_dir ();
	g_autofree char *src = g_build_filename (dir, "big.eml", NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (Spool) spool = spool_open (dir, &error);
	g_autofree char *data = g_malloc (3 << 20);
	g_autofree char *id = NULL;
	guint64 size = 0;
	int fd;

	memset (data, 'a', 3 << 20);
	g_assert_true (g_file_set_contents (src, data, 3 << 20, NULL));
	fd = open (src, O_RDONLY);
	id = spool_add_fd (spool, fd, &size, &error);
	close (fd);
	g_assert_no_error (error);
	g_assert_cmpuint (size, ==, 3 << 20);
}

static void
test_debris_purged_and_order (void)
{
	g_autofree char *dir = temp_dir ();
	g_autofree char *debris = NULL;
	g_autofree char *fresh = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (Spool) first = spool_open (dir, &error);
	g_autoptr (Spool) again = NULL;
	g_autoptr (GPtrArray) pending = NULL;
	char *ids[3];

	debris = g_build_filename (dir, "tmp", "half-written", NULL);
	g_assert_true (g_file_set_contents (debris, "x", 1, NULL));
	fresh = g_build_filename (dir, "tmp", "being-written", NULL);
	g_assert_true (g_file_set_contents (fresh, "x", 1, NULL));
	{
		struct utimbuf old = { time (NULL) - 37 * 3600, time (NULL) - 37 * 3600 };
		g_assert_cmpint (utime (debris, &old), ==, 0);
	}
	for (int i = 0; i < 3; i++) {
		ids[i] = spool_add_data (first, "x", 1, &error);
		g_usleep (20000);  /* file times tick in jiffies */
	}
	again = spool_open (dir, &error);
	g_assert_no_error (error);
	g_assert_false (g_file_test (debris, G_FILE_TEST_EXISTS));
	g_assert_true (g_file_test (fresh, G_FILE_TEST_EXISTS));  /* another process's */
	pending = spool_pending (again, &error);
	g_assert_cmpint (pending->len, ==, 3);
	for (int i = 0; i < 3; i++) {
		g_assert_cmpstr (g_ptr_array_index (pending, i), ==, ids[i]);
		g_free (ids[i]);
	}
}

static void
test_unwritable (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (Spool) spool = spool_open ("/proc/mailreg-cannot-exist", &error);

	g_assert_null (spool);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_CANTCREAT);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_test_add_func ("/spool/add-and-done", test_add_and_done);
	g_test_add_func ("/spool/add-fd-streams", test_add_fd_streams);
	g_test_add_func ("/spool/debris-and-order", test_debris_purged_and_order);
	g_test_add_func ("/spool/unwritable", test_unwritable);
	return g_test_run ();
}

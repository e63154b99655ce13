/* cmd_ingest.c - `mailreg ingest FILE|DIR|- ...`: run local messages through the
 * pipeline.  Each one is spooled first, then processed; messages a crashed run
 * left in the spool are processed before the new ones (with no arguments, only
 * those).  One line per message:
 * outcome, source, reason. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/fault.h"
#include "core/fs.h"
#include "register/register.h"

typedef struct {
	Pipeline *p;
	guint counts[OUTCOME_DUPLICATE + 1];
	gboolean missing_input;
} Ingest;

static void
report (const char *source, const RegisterResult *res, gpointer user)
{
	Ingest *in = user;

	in->counts[res->outcome]++;
	printf ("%-10s %s: %s%s\n", outcome_name (res->outcome), source, res->already ? "(recovered) " : "",
	        res->reason ? res->reason : "");
	fflush (stdout);
}

static gboolean
process (Ingest *in, const char *id, const char *source, GError **error)
{
	RegisterResult res;

	if (!register_message (in->p, id, &res, error)) {
		g_prefix_error (error, "%s: ", source);
		return FALSE;
	}
	report (source, &res, in);
	register_result_clear (&res);
	return TRUE;
}

static gboolean
ingest_fd (Ingest *in, int fd, const char *source, GError **error)
{
	const Config *cfg = in->p->cfg;
	g_autofree char *id = NULL;

	/* as the intake does: below [limits] min_free_space nothing new is taken
	 * (exit 75: an MTA piping into `ingest -` tries again later) */
	if (!spool_check_space (in->p->spool->dir, cfg->database, cfg->min_free_space, NULL, error)) {
		g_prefix_error (error, "%s: ", source);
		return FALSE;
	}
	if ((id = spool_add_fd (in->p->spool, fd, NULL, error)) == NULL) {
		g_prefix_error (error, "%s: ", source);
		return FALSE;
	}
	FAULT_POINT ("ingest-after-spool");
	return process (in, id, source, error);
}

static gboolean
ingest_file (Ingest *in, const char *path, GError **error)
{
	int fd = open (path, O_RDONLY | O_CLOEXEC);
	gboolean ok;

	if (fd < 0) {
		g_warning ("ingest: %s: %s", path, g_strerror (errno));
		in->missing_input = TRUE;
		return TRUE;
	}
	ok = ingest_fd (in, fd, path, error);
	close (fd);
	return ok;
}

/* Regular files of @dir (not hidden), in name order so runs are reproducible. */
static gboolean
ingest_dir (Ingest *in, const char *dir, GError **error)
{
	g_autoptr (GPtrArray) names = fs_list_files (dir, NULL, error);

	if (names == NULL)
		return FALSE;
	for (guint i = 0; i < names->len; i++) {
		g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
		if (!ingest_file (in, path, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
cmd_ingest (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	Ingest in = { 0 };

	if ((p = pipeline_open (cfg, error)) == NULL)
		return FALSE;
	in.p = p;
	/* what a crashed run left in new/ first */
	if (!register_recover (p, report, &in, error))
		return FALSE;
	for (int i = 1; i < argc; i++) {
		gboolean ok;
		if (strcmp (argv[i], "-") == 0)
			ok = ingest_fd (&in, STDIN_FILENO, "stdin", error);
		else if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
			ok = ingest_dir (&in, argv[i], error);
		else
			ok = ingest_file (&in, argv[i], error);
		if (!ok)
			return FALSE;
	}
	g_info ("ingest: %u registered, %u rejected, %u review, %u ignored, %u duplicate",
	        in.counts[OUTCOME_REGISTERED], in.counts[OUTCOME_REJECTED], in.counts[OUTCOME_REVIEW],
	        in.counts[OUTCOME_IGNORED], in.counts[OUTCOME_DUPLICATE]);
	if (in.missing_input) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_NOINPUT, "ingest: some inputs could not be read");
		return FALSE;
	}
	return TRUE;
}

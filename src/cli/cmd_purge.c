/* cmd_purge.c - `mailreg purge [--older-than DAYS]`: remove the raw copies of
 * finished messages and replies older than DAYS (default [paths]
 * retention_days), keeping their rows (purge.c). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "register/register.h"

gboolean
cmd_purge (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	guint days = cfg->retention_days;
	PurgeStats st;

	if (argc == 3 && strcmp (argv[1], "--older-than") == 0) {
		char *end = NULL;
		guint64 n = g_ascii_strtoull (argv[2], &end, 10);
		if (!g_ascii_isdigit (argv[2][0]) || *end != '\0' || n < 1 || n > 36500) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
			             "purge: '%s' is not a number of days from 1 to 36500", argv[2]);
			return FALSE;
		}
		days = (guint) n;
	} else if (argc != 1) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: purge [--older-than DAYS]");
		return FALSE;
	} else if (days == 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
		             "purge: give --older-than DAYS or set [paths] retention_days in %s", cfg->path);
		return FALSE;
	}
	if ((p = pipeline_open (cfg, error)) == NULL || !purge_old (p, days, &st, error))
		return FALSE;
	printf ("purge: %u files removed (%" G_GUINT64_FORMAT " bytes: %u inbound, %u outgoing); "
	        "%u messages and %u replies older than %u days marked purged\n",
	        st.files, st.bytes, st.inbound, st.outgoing, st.messages, st.replies, days);
	if (st.skipped > 0)
		printf ("purge: %u finished messages still in the spool's new/ folder, left for the next purge\n",
		        st.skipped);
	return TRUE;
}

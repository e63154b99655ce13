/* log.c - stderr log writer in journald's style.
 *
 * GLib's default writer sends structured logs straight to the journal when it
 * is running under systemd, which tests cannot see; this one always uses stderr.
 */
#include "core/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean log_verbose;
static gboolean log_journal;

static gboolean
stderr_is_journal (void)
{
	const char *js = g_getenv ("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	if (js == NULL || sscanf (js, "%lu:%lu", &dev, &ino) != 2)
		return FALSE;
	if (fstat (STDERR_FILENO, &st) != 0)
		return FALSE;
	return st.st_dev == dev && st.st_ino == ino;
}

static int
syslog_priority (GLogLevelFlags level)
{
	if (level & G_LOG_LEVEL_ERROR)
		return 2;
	if (level & G_LOG_LEVEL_CRITICAL)
		return 3;
	if (level & G_LOG_LEVEL_WARNING)
		return 4;
	if (level & G_LOG_LEVEL_MESSAGE)
		return 5;
	if (level & G_LOG_LEVEL_INFO)
		return 6;
	return 7;
}

/* @message with each control character made "?": one event, one line, whatever
 * a value from mail (an address, a subject) holds.  (transfer full) or NULL
 * when it has none. */
static char *
one_line (const char *message)
{
	char *out = NULL;

	for (const char *p = message; *p != '\0'; p++) {
		if ((guchar) *p >= 0x20 && *p != 0x7f)
			continue;
		if (out == NULL)
			out = g_strdup (message);
		out[p - message] = '?';
	}
	return out;
}

static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
	const char *domain = NULL, *message = NULL;
	g_autofree char *safe = NULL;

	if ((level & G_LOG_LEVEL_DEBUG) && !log_verbose)
		return G_LOG_WRITER_HANDLED;
	for (gsize i = 0; i < n_fields; i++) {
		if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
			domain = fields[i].value;
		else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
			message = fields[i].value;
	}
	if (message == NULL)
		return G_LOG_WRITER_UNHANDLED;
	if ((safe = one_line (message)) != NULL)
		message = safe;
	if (log_journal)
		fprintf (stderr, "<%d>%s%s%s\n", syslog_priority (level),
		         domain ? domain : "", domain ? ": " : "", message);
	else
		fprintf (stderr, "mailreg: %s%s%s\n", domain ? domain : "", domain ? ": " : "",
		         message);
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL))
		g_log_writer_default (level, fields, n_fields, user_data);
	return G_LOG_WRITER_HANDLED;
}

void
log_init (gboolean verbose)
{
	log_verbose = verbose;
	log_journal = stderr_is_journal ();
	g_log_set_writer_func (log_writer, NULL, NULL);
}

char *
log_safe (const char *s, gsize max)
{
	g_autofree char *valid = NULL;
	GString *out;

	if (s == NULL)
		return NULL;
	valid = g_utf8_make_valid (s, -1);
	out = g_string_sized_new (MIN (strlen (valid), max) + 4);
	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);
		const char *next = g_utf8_next_char (p);

		if (out->len + (gsize) (next - p) > max) {
			g_string_append (out, "...");
			break;
		}
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
			g_string_append_c (out, '?');
		else
			g_string_append_len (out, p, next - p);
	}
	return g_string_free (out, FALSE);
}

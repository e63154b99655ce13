/* log.h - the one log writer: stderr, with sd-daemon "<N>" priority prefixes
 * when stderr is the journal (JOURNAL_STREAM), plain text otherwise.
 * Modules log with g_warning/g_message/g_info/g_debug under their G_LOG_DOMAIN.
 */
#ifndef MAILREG_LOG_H
#define MAILREG_LOG_H

#include <glib.h>

/* Install the writer.  @verbose enables debug messages. */
void log_init (gboolean verbose);

/* A copy of @s fit to sit inside one log line: control characters (C0, DEL,
 * C1, U+2028/U+2029: anything that could end the line or fake a new one) become
 * '?', invalid UTF-8 is repaired, and the result is cut at about @max bytes (on
 * a character boundary, marked "...").  For values that come from mail
 * (Message-ID, reasons).  NULL gives NULL.  (transfer full) */
char *log_safe (const char *s, gsize max);

#endif

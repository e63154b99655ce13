/* log.h - the one log writer: stderr, with sd-daemon "<N>" priority prefixes
 * when stderr is the journal (JOURNAL_STREAM), plain text otherwise.
 * Modules log with g_warning/g_message/g_info/g_debug under their G_LOG_DOMAIN.
 */
#ifndef MAILREG_LOG_H
#define MAILREG_LOG_H

#include <glib.h>

/* Install the writer.  @verbose enables debug messages. */
void log_init (gboolean verbose);

#endif

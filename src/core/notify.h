/* notify.h - the service manager's notification protocol (sd_notify(3)), in the
 * small self-contained form the man page documents: one datagram per message
 * to $NOTIFY_SOCKET.  Without systemd (no $NOTIFY_SOCKET) every call is a no-op.
 */
#ifndef MAILREG_NOTIFY_H
#define MAILREG_NOTIFY_H

#include <glib.h>

/* Send "READY=1", "STATUS=...", "WATCHDOG=1", "RELOADING=1", "STOPPING=1" (one
 * or several lines).  Failures are logged at debug level and otherwise ignored:
 * a daemon must not stop because its supervisor went away. */
void notify_send (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

/* The watchdog interval systemd expects pings within (microseconds), or 0 when
 * no watchdog is set up for this process. */
guint64 notify_watchdog_usec (void);

#endif

/* stop.h - a polite stop.  The daemon's SIGTERM asks long passes (intake over a
 * full mailbox, a delivery batch) to end after the unit of work in hand - a
 * message, a fetched batch - committed, so `systemctl stop` returns in seconds
 * and nothing is half done.
 */
#ifndef MAILREG_STOP_H
#define MAILREG_STOP_H

#include <glib.h>

/* Ask for the stop; async-signal-safe. */
void stop_request (void);

/* TRUE once stop_request() was called. */
gboolean stop_requested (void);

#endif

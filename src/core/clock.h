/* clock.h - the one clock of mailreg: the real time, or $MAILREG_NOW.
 *
 * Retry times, queue lifetimes and "per day" limits all read this clock, so a
 * test can step through five days of retries by setting MAILREG_NOW to an ISO
 * 8601 local time ("2014-03-06T10:00:00", "2014-03-06T10:00").
 */
#ifndef MAILREG_CLOCK_H
#define MAILREG_CLOCK_H

#include <glib.h>

/* Now, in local time.  A malformed $MAILREG_NOW is warned about once and
 * ignored.  (transfer full) */
GDateTime *clock_now (void);

/* Now as seconds since the epoch. */
gint64 clock_now_unix (void);

#endif

/* clock.h - the one clock of mailreg: the real time, or $MAILREG_NOW.
 *
 * Retry times, queue lifetimes and "per day" limits all read this clock, so a
 * test can step through five days of retries by setting MAILREG_NOW to an ISO
 * 8601 time ("2014-03-06T10:00:00", "2014-03-06T10:00"), read like every time
 * of the programme as the clocks in Poland show it (clock_zone).
 */
#ifndef MAILREG_CLOCK_H
#define MAILREG_CLOCK_H

#include <glib.h>

/* The programme's time zone, Europe/Warsaw whatever the server's zone (the
 * server's own only when tzdata lacks it): catalog times, --now and
 * $MAILREG_NOW are wall-clock times there.  (transfer full) */
GTimeZone *clock_zone (void);

/* Now, in clock_zone.  A malformed $MAILREG_NOW is warned about once and
 * ignored.  (transfer full) */
GDateTime *clock_now (void);

/* Wall-clock time @s of the programme ("YYYY-MM-DDTHH:MM[:SS]", no zone) in
 * clock_zone, or NULL when malformed.  (transfer full) */
GDateTime *clock_parse (const char *s);

/* Now as seconds since the epoch. */
gint64 clock_now_unix (void);

#endif

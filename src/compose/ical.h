/* ical.h - iCalendar invitations (RFC 5545, METHOD:PUBLISH per RFC 5546) built
 * with libical, attached to confirmations so the date lands in a calendar, and
 * their withdrawal (METHOD:CANCEL) attached to cancellations.
 *
 * One VEVENT per dated session; the UID is derived from the registration code
 * and the session number, so a resent or updated invitation (higher SEQUENCE)
 * replaces the same calendar entry.  Times are local Europe/Warsaw with a
 * VTIMEZONE, as the catalog writes them.
 */
#ifndef MAILREG_ICAL_H
#define MAILREG_ICAL_H

#include <glib.h>

#define ICAL_TZID "Europe/Warsaw"

typedef struct {
	char *uid;          /* "ZG-XXXX-XXXX-1@rops.example.pl" */
	int sequence;       /* 0 first, then higher with every resend */
	char *summary;      /* Polish title */
	char *location;     /* or NULL */
	char *description;  /* or NULL */
	char *start;        /* ISO 8601 local time "2014-03-06T10:00" */
	char *end;
	gboolean tentative; /* requested, not yet confirmed */
} IcalEvent;

void ical_event_free (IcalEvent *ev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IcalEvent, ical_event_free)

/* The UID of session @session (1-based) of registration @code.  (transfer full) */
char *ical_uid (const char *code, guint session, const char *domain);

/* A VCALENDAR with METHOD:PUBLISH, the Europe/Warsaw VTIMEZONE and one VEVENT per
 * IcalEvent of @events, organised by @organizer (an RFC 5322 mailbox).  CRLF line
 * ends, folded at 75 octets.  (transfer full)  MAILREG_ERROR_DATA for a time
 * that is not ISO 8601. */
char *ical_publish (const char *organizer_name, const char *organizer_addr, GPtrArray *events,
                    GError **error);

typedef enum {
	ICAL_PUBLISH,   /* the entries, to add or update (STATUS CONFIRMED or TENTATIVE) */
	ICAL_CANCEL,    /* the same entries withdrawn: STATUS CANCELLED (RFC 5546 §3.2.5) */
} IcalMethod;

/* As ical_publish with METHOD @method; a CANCEL names the same UIDs as the
 * PUBLISH it withdraws and needs a higher SEQUENCE in @events to be obeyed. */
char *ical_calendar (IcalMethod method, const char *organizer_name, const char *organizer_addr,
                     GPtrArray *events, GError **error);

#endif

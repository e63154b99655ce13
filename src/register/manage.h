/* manage.h - what staff do to an applicant or an event from the console:
 * cancel a registration, send the confirmation again, erase a person (RODO),
 * move a session.  The programme's own functions do the work (programme.c,
 * register.c); here each action gets ONE transaction of its own (BEGIN
 * IMMEDIATE) holding its effects, the mail they cause and its audit row
 * (db_audit_add: @actor "web:LOGIN", the action, the record), so it is kept
 * or undone whole.  The mail queued is a staff decision (Pipeline.by_staff).
 *
 * Refusals return FALSE with MAILREG_ERROR_DATA (English, for the log) and
 * change nothing; the console words them itself after checking the state.
 */
#ifndef MAILREG_MANAGE_H
#define MAILREG_MANAGE_H

#include "register/register.h"

/* Cancel registration @code of applicant @applicant (programme_cancel: the
 * applicant is told, calendar entries withdrawn, the waiting list moves up
 * and the promoted are told); audit "registration.cancel" on
 * "registration:CODE".  *@promoted counts the promoted.  Refused: @code
 * unknown, another applicant's, or already cancelled. */
gboolean manage_cancel (Pipeline *p, gint64 applicant, const char *code, const char *actor, guint *promoted,
                        GError **error);

/* Queue applicant @applicant's confirmation again (register_resend_confirmation);
 * audit "applicant.resend" on "applicant:ID". */
gboolean manage_resend (Pipeline *p, gint64 applicant, const char *actor, GError **error);

/* Erase applicant @applicant (programme_forget of its address, with its audit
 * row "applicant.forget" in the same transaction).  Refused: no such
 * applicant, or already erased.  *@rows and *@files as programme_forget. */
gboolean manage_forget (Pipeline *p, gint64 applicant, const char *actor, guint *rows, guint *files,
                        GError **error);

/* Session @session (1-based) of @event now starts at @start and ends at @end
 * (local ISO times "YYYY-MM-DDTHH:MM", @end may be NULL) at @place (NULL:
 * unchanged); when that changes anything the registered get the update mail
 * with the calendar entry, as `catalog import` sends it (programme_update_events),
 * and the audit row "event.reschedule" on "event:CODE" says what changed.
 * *@updates counts the mails, *@promoted places given to the waiting list.
 * MAILREG_ERROR_USAGE: a malformed time, or an end not after the start;
 * MAILREG_ERROR_DATA: no such event or session. */
gboolean manage_reschedule (Pipeline *p, const char *event, guint session, const char *start, const char *end,
                            const char *place, const char *actor, guint *updates, guint *promoted, GError **error);

#endif

/* manage.c - staff actions on applicants and events (manage.h): each the
 * programme's own function inside one transaction with its audit row.
 */
#include "register/manage.h"

#include <string.h>

#include "core/clock.h"
#include "core/errors.h"
#include "core/fault.h"

/* Begin a staff action: the write lock, and the mail queued until
 * action_end is a staff decision. */
static gboolean
action_begin (Pipeline *p, GError **error)
{
	if (!db_begin (p->db, error))
		return FALSE;
	p->by_staff = TRUE;
	return TRUE;
}

/* End the action begun by action_begin: when its effects were recorded (@ok),
 * the audit row and the COMMIT; else (or when those fail) the rollback, and
 * nothing of it stays. */
static gboolean
action_end (Pipeline *p, gboolean ok, const char *actor, const char *action, const char *record,
            const char *detail, GError **error)
{
	p->by_staff = FALSE;
	if (!ok || !db_audit_add (p->db, actor, action, record, detail, error)) {
		db_rollback (p->db);
		g_prefix_error (error, "%s %s: ", action, record);
		return FALSE;
	}
	FAULT_POINT ("manage-before-commit");
	if (!db_commit (p->db, error))
		return FALSE;
	g_message ("%s %s by %s%s%s%s", action, record, actor, detail ? " (" : "", detail ? detail : "",
	           detail ? ")" : "");
	return TRUE;
}

gboolean
manage_cancel (Pipeline *p, gint64 applicant, const char *code, const char *actor, guint *promoted,
               GError **error)
{
	g_autofree char *record = g_strdup_printf ("registration:%s", code);
	g_autofree char *detail = NULL;
	g_autoptr (Registration) reg = NULL;
	GError *local = NULL;
	gboolean ok = FALSE;

	*promoted = 0;
	if (!action_begin (p, error))
		return FALSE;
	/* read under the write lock: nobody cancels it between */
	if ((reg = db_registration_get (p->db, code, &local)) == NULL && local != NULL)
		g_propagate_error (error, local);
	else if (reg == NULL || reg->applicant_id != applicant)
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "no registration %s of applicant #%" G_GINT64_FORMAT,
		             code, applicant);
	else
		ok = programme_cancel (p, code, 0, NULL, promoted, error);
	if (ok)
		detail = g_strdup_printf ("%s, %u promoted from the waiting list", reg->event, *promoted);
	return action_end (p, ok, actor, "registration.cancel", record, detail, error);
}

gboolean
manage_resend (Pipeline *p, gint64 applicant, const char *actor, GError **error)
{
	g_autofree char *record = g_strdup_printf ("applicant:%" G_GINT64_FORMAT, applicant);

	if (!action_begin (p, error))
		return FALSE;
	return action_end (p, register_resend_confirmation (p, applicant, error), actor, "applicant.resend", record,
	                   NULL, error);
}

gboolean
manage_forget (Pipeline *p, gint64 applicant, const char *actor, guint *rows, guint *files, GError **error)
{
	g_autoptr (ApplicantRow) a = db_applicant_get (p->db, applicant, error);

	*rows = *files = 0;
	if (a == NULL || a->forgotten) {
		if (error == NULL || *error == NULL)
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "applicant.forget: no applicant #%" G_GINT64_FORMAT
			             "%s", applicant, a ? " (already erased)" : "");
		return FALSE;
	}
	/* its own transaction, the audit row in it: the database is compacted
	 * after the commit, which no open transaction may wait for */
	return programme_forget (p, a->email, actor, rows, files, error);
}

/* A local ISO time of the programme as the catalog keeps it, "YYYY-MM-DDTHH:MM";
 * NULL when @s is not one.  (transfer full) */
static char *
catalog_time (const char *s)
{
	g_autoptr (GDateTime) t = s != NULL ? clock_parse (s) : NULL;

	return t ? g_date_time_format (t, "%Y-%m-%dT%H:%M") : NULL;
}

gboolean
manage_reschedule (Pipeline *p, const char *event, guint session, const char *start, const char *end,
                   const char *place, const char *actor, guint *updates, guint *promoted, GError **error)
{
	g_autofree char *record = g_strdup_printf ("event:%s", event);
	g_autofree char *from = catalog_time (start);
	g_autofree char *until = NULL;
	g_autofree char *detail = NULL;
	g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
	Event *ev;
	EventSession *s;
	gboolean ok;

	*updates = *promoted = 0;
	if (from == NULL || (end != NULL && *end != '\0' && (until = catalog_time (end)) == NULL)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "event.reschedule: a time is not YYYY-MM-DDTHH:MM");
		return FALSE;
	}
	if (until != NULL && strcmp (until, from) <= 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "event.reschedule: the end is not after the start");
		return FALSE;
	}
	if (!action_begin (p, error))
		return FALSE;
	if ((ev = db_event_get (p->db, event, error)) == NULL) {
		if (error == NULL || *error == NULL)
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "no event %s", event);
		return action_end (p, FALSE, actor, "event.reschedule", record, NULL, error);
	}
	g_ptr_array_add (events, ev);
	if (session < 1 || session > ev->sessions->len) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s has no session %u", event, session);
		return action_end (p, FALSE, actor, "event.reschedule", record, NULL, error);
	}
	s = g_ptr_array_index (ev->sessions, session - 1);
	if (g_strcmp0 (s->start, from) == 0 && g_strcmp0 (s->end, until) == 0 &&
	    (place == NULL || g_strcmp0 (s->place, place) == 0)) {
		/* nothing moved: nobody is told, nothing is recorded */
		p->by_staff = FALSE;
		db_rollback (p->db);
		return TRUE;
	}
	detail = g_strdup_printf ("session %u: %s..%s %s -> %s..%s %s", session, s->start ? s->start : "?",
	                          s->end ? s->end : "", s->place ? s->place : "", from, until ? until : "",
	                          place ? place : s->place ? s->place : "");
	g_free (s->start);
	s->start = g_steal_pointer (&from);
	g_free (s->end);
	s->end = g_steal_pointer (&until);
	if (place != NULL) {
		g_free (s->place);
		s->place = g_strdup (place);
	}
	ok = programme_update_events (p, events, updates, promoted, error);
	return action_end (p, ok, actor, "event.reschedule", record, detail, error);
}

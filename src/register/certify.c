/* certify.c - certificates of attendance: a PDF for every participant marked
 * present, queued once per registration (the certificates table is the key,
 * so re-runs and restarts send none twice), again only when staff ask.
 */
#include "register/register.h"

#include <string.h>

#include "compose/certificate.h"
#include "core/autoptr.h"
#include "core/errors.h"

/* The dates of @ev's sessions, "6.03.2014, 12.05.2014–14.05.2014".  (transfer full) */
static char *
dates_text (const Event *ev)
{
	GString *out = g_string_new (NULL);

	for (guint k = 0; k < ev->sessions->len; k++) {
		const EventSession *s = g_ptr_array_index (ev->sessions, k);
		int y, m, d, y2, m2, d2;

		if (s->start == NULL || sscanf (s->start, "%d-%d-%d", &y, &m, &d) != 3)
			continue;
		g_string_append_printf (out, "%s%d.%02d.%d", out->len ? ", " : "", d, m, y);
		if (s->end != NULL && sscanf (s->end, "%d-%d-%d", &y2, &m2, &d2) == 3 && (y2 != y || m2 != m || d2 != d))
			g_string_append_printf (out, "–%d.%02d.%d", d2, m2, y2);
	}
	return g_string_free (out, FALSE);
}

/* The participant of registration @code in @people (db_event_places), or NULL. */
static const Participant *
row_of (GPtrArray *people, const char *code)
{
	for (guint i = 0; i < people->len; i++) {
		const Participant *r = g_ptr_array_index (people, i);
		if (g_strcmp0 (r->code, code) == 0)
			return r;
	}
	return NULL;
}

/* Queue the certificate of @r attending @hours of @ev, unless it was queued
 * before (and not @again). */
static gboolean
certify (Pipeline *p, const Event *ev, const Participant *r, int hours, gboolean again, guint *queued,
         GError **error)
{
	const char *code = r->code;
	g_autofree char *number = NULL;
	g_autofree char *name = g_strdup_printf ("%s %s", r->first_name, r->last_name);
	g_autofree char *path = g_build_filename (p->cfg->templates, "certificate.ini", NULL);
	g_autofree char *file = NULL;
	g_autoptr (GHashTable) vars = reply_vars_new ();
	g_autoptr (GBytes) pdf = NULL;
	ComposeExtra extra = { .attach_type = "application", .attach_subtype = "pdf" };
	int fresh = db_certificate_record (p->db, code, ev->code, hours, again, &number, error);

	if (fresh < 0)
		return FALSE;
	if (fresh == 0 && !again)
		return TRUE;
	reply_var_set (vars, "name", name);
	reply_var_set (vars, "first_name", r->first_name);
	reply_var_set (vars, "institution", r->institution);
	reply_var_set (vars, "title", ev->title);
	reply_var_set (vars, "event", ev->code);
	reply_var_set (vars, "code", code);
	reply_var_set (vars, "number", number);
	reply_var_set (vars, "project", p->cfg->project_name);
	reply_var_set (vars, "funding", p->cfg->funding_line);
	g_hash_table_insert (vars, "dates", dates_text (ev));
	g_hash_table_insert (vars, "hours", g_strdup_printf ("%d", hours));
	if ((pdf = certificate_pdf (path, vars, error)) == NULL)
		return FALSE;
	file = g_strdup_printf ("zaswiadczenie-%s.pdf", code);
	extra.attach_name = file;
	extra.attach = pdf;
	if (!reply_queue_extra (p, 0, NULL, "certificate", "certificate", vars, name,
	                        r->email, NULL, &extra, error))
		return FALSE;
	(*queued)++;
	return TRUE;
}

/* Why registration @code cannot have a certificate of @ev, or NULL when it can. */
static char *
refusal (Db *db, const Event *ev, const Participant *r, const char *code, int hours, GError **error)
{
	g_autoptr (Registration) reg = NULL;

	if (r != NULL && g_strcmp0 (r->status, "confirmed") == 0)
		return hours > 0 ? NULL
		                 : g_strdup_printf ("certificates: %s has no recorded attendance at %s: no certificate",
		                                    code, ev->code);
	if ((reg = db_registration_get (db, code, error)) == NULL)
		return error && *error ? NULL : g_strdup_printf ("certificates: no registration %s", code);
	if (g_strcmp0 (reg->event, ev->code) != 0)
		return g_strdup_printf ("certificates: %s is a registration for %s, not %s", code, reg->event, ev->code);
	return g_strdup_printf ("certificates: %s is %s, not a confirmed registration: no certificate", code,
	                        reg->status);
}

gboolean
programme_certificates (Pipeline *p, const char *event, const char *resend, guint *queued, guint *without,
                        GError **error)
{
	g_autoptr (Event) ev = NULL;
	g_autoptr (GPtrArray) regs = NULL;
	g_autoptr (GPtrArray) marks = NULL;
	gboolean by_staff = p->by_staff;

	*queued = *without = 0;
	if (!db_begin (p->db, error))
		return FALSE;
	/* staff send these: not counted against the automatic replies' limit */
	p->by_staff = TRUE;
	if ((ev = programme_event (p->db, "certificates", event, error)) == NULL)
		goto fail;
	if ((regs = db_event_places (p->db, event, error)) == NULL ||
	    (marks = db_attendance_of_event (p->db, event, error)) == NULL)
		goto fail;
	if (resend != NULL) {
		g_autofree char *code = g_ascii_strup (resend, -1);
		const Participant *r = row_of (regs, code);
		int hours = programme_hours_attended (ev, marks, code);
		g_autofree char *why = refusal (p->db, ev, r, code, hours, error);

		if (why != NULL)
			g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, why);
		if (why != NULL || (error && *error) || !certify (p, ev, r, hours, TRUE, queued, error))
			goto fail;
	}
	for (guint i = 0; resend == NULL && i < regs->len; i++) {
		const Participant *r = g_ptr_array_index (regs, i);
		int hours = programme_hours_attended (ev, marks, r->code);

		if (g_strcmp0 (r->status, "confirmed") != 0)
			continue;
		if (hours == 0) {
			(*without)++;
			continue;
		}
		if (!certify (p, ev, r, hours, FALSE, queued, error))
			goto fail;
	}
	{
		g_autofree char *code = resend ? g_ascii_strup (resend, -1) : NULL;
		g_autofree char *record = resend ? g_strdup_printf ("registration:%s", code)
		                                 : g_strdup_printf ("event:%s", event);
		g_autofree char *detail = g_strdup_printf ("%u queued", *queued);
		if (!db_audit_add (p->db, "cli", resend ? "certificates.resend" : "certificates.queue", record, detail,
		                   error))
			goto fail;
	}
	p->by_staff = by_staff;
	if (!db_commit (p->db, error))
		return FALSE;
	g_message ("programme: %u certificates queued for %s", *queued, event);
	return TRUE;

fail:
	p->by_staff = by_staff;
	*queued = *without = 0;
	db_rollback (p->db);
	return FALSE;
}

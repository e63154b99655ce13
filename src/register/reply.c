/* reply.c - the one path every mail mailreg writes to a person takes into the
 * outbox: replies to a message (confirmation, rejection, review notice) and
 * the programme's own mail (promotion, cancellation, reminder, waiting-list
 * note, update, appointment), staff notices too.  register.c and programme.c
 * both call it; it calls neither.
 */
#include "register/register.h"

#include <string.h>

#include "compose/ical.h"
#include "core/autoptr.h"
#include "validate/validate.h"

GHashTable *
reply_vars_new (void)
{
	return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

void
reply_var_set (GHashTable *vars, const char *name, const char *value)
{
	g_hash_table_insert (vars, (gpointer) name, g_strdup (value ? value : ""));
}

gboolean
reply_queue (Pipeline *p, gint64 inbound_row, const InboundMessage *msg, const char *kind, const char *tmpl,
             GHashTable *vars, const char *to_name, const char *to_addr, const char *ics, GError **error)
{
	return reply_queue_extra (p, inbound_row, msg, kind, tmpl, vars, to_name, to_addr, ics, NULL, error);
}

gboolean
reply_queue_extra (Pipeline *p, gint64 inbound_row, const InboundMessage *msg, const char *kind, const char *tmpl,
                   GHashTable *vars, const char *to_name, const char *to_addr, const char *ics,
                   const ComposeExtra *extra, GError **error)
{
	g_autoptr (ComposedMail) mail = NULL;

	if (to_addr == NULL || !validate_email (to_addr)) {
		g_info ("%s reply not sent: no usable address", kind);
		return TRUE;
	}
	/* Never answer ourselves: the cheapest mail loop there is. */
	if (p->cfg->from_addr && g_ascii_strcasecmp (to_addr, p->cfg->from_addr) == 0) {
		g_info ("%s reply not sent: %s is our own address", kind, to_addr);
		return TRUE;
	}
	/* RFC 3834 §2: a limit on automatic mail to one address, should every
	 * other check miss a loop; staff notices are not replies, nor is what a
	 * staff member decided (review.c). */
	if (g_strcmp0 (kind, "staff") != 0 && !p->by_staff && p->cfg->replies_per_sender_per_day > 0) {
		int n = db_outbox_replies_today (p->db, to_addr, error);
		if (n < 0)
			return FALSE;
		if ((guint) n >= p->cfg->replies_per_sender_per_day) {
			g_autofree char *note = g_strdup_printf ("not answered: %d replies to %s in the last 24 hours "
			                                         "(replies_per_sender_per_day = %u)", n, to_addr,
			                                         p->cfg->replies_per_sender_per_day);
			g_message ("%s reply not sent: %s", kind, note);
			return inbound_row <= 0 || db_message_append_reason (p->db, inbound_row, note, error);
		}
	}
	mail = compose_mail_extra (p->composer, tmpl, vars, to_name, to_addr, msg ? msg->message_id : NULL,
	                           msg ? msg->references : NULL, ics, extra, error);
	if (mail == NULL)
		return FALSE;
	return db_outbox_add (p->db, inbound_row, kind, to_addr, mail->subject, mail->message_id, mail->raw, error);
}

void
reply_sessions_text (GString *out, const Event *ev)
{
	for (guint k = 0; k < ev->sessions->len; k++) {
		const EventSession *s = g_ptr_array_index (ev->sessions, k);
		g_autofree char *when = catalog_format_when (s->start, s->end);
		/* A placeholder session's place says what it is and that the date follows. */
		if (s->start == NULL) {
			g_string_append_printf (out, "  – %s\n", s->place ? s->place : when);
			continue;
		}
		g_string_append_printf (out, "  Termin: %s\n", when);
		if (s->place != NULL)
			g_string_append_printf (out, "  Miejsce: %s\n", s->place);
	}
}

IcalEvent *
reply_ical_event (Pipeline *p, const char *code, guint session, int seq, const char *title, const char *place,
                  const char *start, const char *end)
{
	IcalEvent *ie = g_new0 (IcalEvent, 1);

	ie->uid = ical_uid (code, session, p->cfg->domain);
	ie->sequence = seq;
	ie->summary = g_strdup (title);
	ie->location = g_strdup (place);
	ie->description = g_strdup_printf ("Kod zgłoszenia: %s", code);
	ie->start = g_strdup (start);
	ie->end = g_strdup (end);
	return ie;
}

gboolean
reply_event_ics (Pipeline *p, const char *code, const Event *ev, gboolean tentative, GPtrArray *events,
                 GError **error)
{
	int seq = -1;

	for (guint k = 0; k < ev->sessions->len; k++) {
		const EventSession *s = g_ptr_array_index (ev->sessions, k);
		IcalEvent *ie;

		if (s->start == NULL)
			continue;
		if (seq < 0 && (seq = db_registration_next_sequence (p->db, code, error)) < 0)
			return FALSE;
		ie = reply_ical_event (p, code, k + 1, seq, ev->title, s->place, s->start, s->end);
		ie->tentative = tentative;
		g_ptr_array_add (events, ie);
	}
	return TRUE;
}

gboolean
reply_calendar_ics (Pipeline *p, IcalMethod method, GPtrArray *events, char **ics, GError **error)
{
	g_autoptr (InternetAddressList) from = NULL;
	InternetAddress *ia;

	*ics = NULL;
	if (events->len == 0)
		return TRUE;
	/* the organizer's name, only when there is a calendar */
	from = internet_address_list_parse (NULL, p->cfg->from);
	ia = from && internet_address_list_length (from) ? internet_address_list_get_address (from, 0) : NULL;
	*ics = ical_calendar (method, ia ? internet_address_get_name (ia) : NULL, p->cfg->from_addr, events, error);
	return *ics != NULL;
}

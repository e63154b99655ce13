/* register.c - one spooled message -> exactly one recorded outcome.
 *
 * Everything that can be decided without the database (parse, extract,
 * validate) is decided first; then one immediate transaction records the
 * message with all its effects and commits them together.
 */
#include "register/register.h"

#include <string.h>

#include "core/autoptr.h"
#include "core/errors.h"
#include "core/fault.h"
#include "extract/extract.h"
#include "compose/ical.h"
#include "parse/dsn.h"
#include "register/notice.h"
#include "register/review.h"
#include "validate/reasons.h"
#include "validate/validate.h"

#define ACCEPTED_FORMATS "wypełniony formularz jako załącznik DOCX, DOC, ODT, RTF lub PDF albo w treści wiadomości (tekst)"

Pipeline *
pipeline_open (const Config *cfg, GError **error)
{
	g_autoptr (Pipeline) p = g_new0 (Pipeline, 1);

	p->cfg = cfg;
	if ((p->form = formdef_load (cfg->form, error)) == NULL ||
	    (p->composer = compose_new (cfg, error)) == NULL ||
	    (p->spool = spool_open (cfg->spool, error)) == NULL ||
	    (p->db = db_open (cfg->database, error)) == NULL)
		return NULL;
	return g_steal_pointer (&p);
}

void
pipeline_free (Pipeline *p)
{
	if (p == NULL)
		return;
	if (p->batch != NULL)
		register_batch_rollback (p);
	db_close (p->db);
	spool_free (p->spool);
	formdef_free (p->form);
	compose_free (p->composer);
	if (p->notice_key != NULL)
		g_bytes_unref (p->notice_key);
	g_free (p);
}

void
register_result_clear (RegisterResult *res)
{
	g_free (res->reason);
	g_free (res->message_id);
	memset (res, 0, sizeof *res);
}

/* --- RFC 3834: who never gets an automatic answer -------------------------- */

/* TRUE when header value @v, without parameters and surrounding space, is @word. */
static gboolean
header_is (const char *v, const char *word)
{
	g_autofree char *t = g_strdup (v);
	char *semi = strchr (t, ';');

	if (semi != NULL)
		*semi = '\0';
	return g_ascii_strcasecmp (g_strstrip (t), word) == 0;
}

/* "<>", "< >" or nothing: the null reverse-path of bounces (RFC 5321 §4.5.5). */
static gboolean
return_path_empty (const char *v)
{
	for (; *v; v++)
		if (!g_ascii_isspace (*v) && *v != '<' && *v != '>')
			return FALSE;
	return TRUE;
}

/* RFC 3834 §2 and common practice: senders that are programs, not people. */
static gboolean
automatic_local_part (const char *addr)
{
	static const char *const exact[] = { "mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply",
	                                     "do-not-reply", "donotreply", "do_not_reply", "bounce", "bounces",
	                                     "listserv", "majordomo", NULL };
	g_autofree char *local = g_ascii_strdown (addr, strcspn (addr, "@"));

	local[strcspn (local, "+")] = '\0';  /* subaddress: noreply+news@ */
	return g_strv_contains (exact, local) || g_str_has_prefix (local, "owner-") ||
	       g_str_has_suffix (local, "-request") || g_str_has_suffix (local, "-bounces");
}

/* An out-of-office subject, as Outlook, Thunderbird, Gmail and Polish webmail
 * set it when the sender's client adds no header: "Automatyczna odpowiedź:
 * Zgłoszenie", "Out of Office: ...". */
static gboolean
autoreply_subject (const char *subject)
{
	static const char *const prefixes[] = { "automatyczna odpowiedź", "odpowiedź automatyczna",
	                                        "nieobecność", "out of office", "automatic reply",
	                                        "autoreply", "auto-reply", NULL };
	g_autofree char *lower = NULL;
	const char *p;

	if (subject == NULL)
		return FALSE;
	lower = g_utf8_strdown (subject, -1);
	p = lower;
	while (g_ascii_isspace (*p))
		p++;
	for (const char *const *x = prefixes; *x; x++)
		if (g_str_has_prefix (p, *x))
			return TRUE;
	return FALSE;
}

/* @addr is @own or a subaddress of it (VERP: bounces+<id>@domain). */
static gboolean
same_mailbox (const char *addr, const char *own)
{
	const char *at = strchr (own, '@');
	gsize local = at ? (gsize) (at - own) : strlen (own);

	if (g_ascii_strcasecmp (addr, own) == 0)
		return TRUE;
	return at != NULL && g_ascii_strncasecmp (addr, own, local) == 0 && addr[local] == '+' &&
	       strchr (addr + local, '@') != NULL && g_ascii_strcasecmp (strchr (addr + local, '@'), at) == 0;
}

gboolean
register_is_automatic (const Pipeline *p, const InboundMessage *msg, char **reason)
{
	GMimeObject *obj = GMIME_OBJECT (msg->mime);
	const char *v;
	GMimeContentType *ct = g_mime_object_get_content_type (g_mime_message_get_mime_part (msg->mime)
	                                                       ? g_mime_message_get_mime_part (msg->mime)
	                                                       : obj);

	*reason = NULL;
	if ((v = g_mime_object_get_header (obj, "Auto-Submitted")) != NULL &&
	    !header_is (v, "no"))
		*reason = g_strdup_printf ("automatic message (Auto-Submitted: %.40s)", v);
	else if ((v = g_mime_object_get_header (obj, "Precedence")) != NULL &&
	         (header_is (v, "bulk") || header_is (v, "junk") || header_is (v, "list") ||
	          header_is (v, "auto_reply")))
		*reason = g_strdup_printf ("automatic message (Precedence: %.20s)", v);
	else if (g_mime_object_get_header (obj, "List-Id") || g_mime_object_get_header (obj, "List-Unsubscribe"))
		*reason = g_strdup ("mailing-list message (List-Id/List-Unsubscribe)");
	else if (g_mime_object_get_header (obj, "X-Autoreply") || g_mime_object_get_header (obj, "X-Autorespond"))
		*reason = g_strdup ("automatic message (X-Autoreply)");
	else if (autoreply_subject (msg->subject)) {
		g_autofree char *valid = g_utf8_make_valid (msg->subject, -1);
		g_autofree char *shown = g_utf8_substring (valid, 0, MIN (g_utf8_strlen (valid, -1), 40));
		*reason = g_strdup_printf ("automatic reply (Subject: %s)", shown);
	}
	else if (ct != NULL && g_mime_content_type_is_type (ct, "multipart", "report"))
		*reason = g_strdup ("delivery or read report (multipart/report)");
	else if ((v = g_mime_object_get_header (obj, "Return-Path")) != NULL && return_path_empty (v))
		/* RFC 3834 §2: a null reverse-path is a bounce or another automatic message */
		*reason = g_strdup ("automatic message (empty Return-Path <>)");
	else if (msg->sender != NULL && automatic_local_part (msg->sender))
		*reason = g_strdup_printf ("automatic sender %s", msg->sender);
	else if (msg->sender != NULL && p->cfg->from_addr != NULL &&
	         g_ascii_strcasecmp (msg->sender, p->cfg->from_addr) == 0)
		*reason = g_strdup ("sent by mailreg itself (From is our own address)");
	else if (msg->sender != NULL && p->cfg->smtp_envelope_from != NULL &&
	         same_mailbox (msg->sender, p->cfg->smtp_envelope_from))
		*reason = g_strdup ("sent by mailreg itself (From is our bounce address)");
	else if (msg->message_id != NULL && p->cfg->domain != NULL &&
	         g_str_has_suffix (msg->message_id, p->cfg->domain) &&
	         msg->message_id[strlen (msg->message_id) - strlen (p->cfg->domain) - 1] == '@')
		*reason = g_strdup ("sent by mailreg itself (Message-ID under our own domain)");
	return *reason != NULL;
}

/* --- replies ------------------------------------------------------------- */

/* The event of each registration in @regs (db_registrations_of), in the same
 * order.  (transfer full) */
static GPtrArray *
events_of (Pipeline *p, GPtrArray *regs, GError **error)
{
	g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);

	for (guint i = 0; i < regs->len; i++) {
		Event *ev = db_event_get (p->db, g_hash_table_lookup (g_ptr_array_index (regs, i), "event"), error);
		if (ev == NULL)
			return NULL;
		g_ptr_array_add (events, ev);
	}
	return g_steal_pointer (&events);
}

/* The calendar invitation for every dated session the applicant is registered
 * for (waiting lists excluded): @regs and their @events as events_of gives
 * them; *@ics NULL when there is none.  Each registration included gets the
 * next SEQUENCE, so calendars update the entry. */
static gboolean
invitation (Pipeline *p, GPtrArray *regs, GPtrArray *events, char **ics, GError **error)
{
	g_autoptr (GPtrArray) ical = g_ptr_array_new_with_free_func ((GDestroyNotify) ical_event_free);

	*ics = NULL;
	for (guint i = 0; i < regs->len; i++) {
		GHashTable *r = g_ptr_array_index (regs, i);
		const char *code = g_hash_table_lookup (r, "code");
		const char *status = g_hash_table_lookup (r, "status");

		if (g_strcmp0 (status, "confirmed") != 0 && g_strcmp0 (status, "requested") != 0)
			continue;
		if (!reply_event_ics (p, code, g_ptr_array_index (events, i), g_strcmp0 (status, "confirmed") != 0,
		                         ical, error))
			return FALSE;
	}
	return reply_calendar_ics (p, ICAL_PUBLISH, ical, ics, error);
}

GBytes *
pipeline_notice_key (Pipeline *p, GError **error)
{
	if (p->notice_key == NULL) {
		g_autofree char *dir = g_path_get_dirname (p->cfg->database);
		p->notice_key = notice_key_load (dir, error);
	}
	return p->notice_key;
}

/* The fields @form recognised as "Label: value" lines, by the form's labels
 * ("(brak)" when none).  (transfer full) */
static char *
fields_text (const Pipeline *p, const FormData *form)
{
	GString *out = g_string_new (NULL);

	for (guint i = 0; form != NULL && i < form->pairs->len; i++) {
		const FormPair *pair = g_ptr_array_index (form->pairs, i);
		const FieldDef *f = pair->label ? formdef_match (p->form, pair->label) : NULL;
		g_autofree char *value = NULL;

		if (f == NULL || pair->value == NULL || *pair->value == '\0')
			continue;
		value = g_strdup (pair->value);
		g_strdelimit (value, "\r\n", ' ');
		g_string_append_printf (out, "%s: %s\n", f->label, value);
	}
	if (out->len == 0)
		g_string_append (out, "(brak)\n");
	return g_string_free (out, FALSE);
}

/* The fields read from a scan (MessageField*) as the lines of the staff
 * notice, each with how sure OCR was: "Imię: Anna (pewność 97 %)".
 * (transfer full) */
static char *
scan_fields_text (const Pipeline *p, const GPtrArray *fields)
{
	GString *out = g_string_new ("(odczytane ze skanu przez OCR – sprawdź je z załącznikiem)\n");

	for (guint i = 0; i < fields->len; i++) {
		const MessageField *f = g_ptr_array_index (fields, i);
		const FieldDef *def = formdef_field (p->form, f->key);
		g_autofree char *value = g_strdup (f->value ? f->value : "");

		g_strdelimit (value, "\r\n", ' ');
		g_string_append_printf (out, "%s: %s (pewność %d %%)\n", def ? def->label : f->key, value, f->confidence);
	}
	return g_string_free (out, FALSE);
}

/* The notice staff answer by mail (notice.h): why in Polish, the fields
 * recognised (of a scan, @fields with their confidences), the console's link,
 * the message attached, a Message-ID with the item's token. */
static gboolean
queue_staff_notice (Pipeline *p, gint64 inbound_row, const InboundMessage *msg, const char *spool_id,
                    const InboundRecord *rec, const FormData *form, const GPtrArray *fields, GError **error)
{
	g_autoptr (GHashTable) vars = reply_vars_new ();
	g_autofree char *path = spool_path (p->spool, spool_id);
	g_autofree char *mid = NULL;
	g_autofree char *link = NULL;
	g_autofree char *raw = NULL;
	g_autoptr (GBytes) attach = NULL;
	g_autoptr (GError) unread = NULL;
	gsize len = 0;
	GBytes *key;
	ComposeExtra extra = { 0 };

	if (p->cfg->staff == NULL)
		return TRUE;
	if ((key = pipeline_notice_key (p, error)) == NULL)
		return FALSE;
	mid = notice_message_id (key, inbound_row, spool_id, p->cfg->domain);
	if (g_file_get_contents (path, &raw, &len, &unread))
		attach = g_bytes_new_take (g_steal_pointer (&raw), len);
	else
		g_warning ("register: review notice of message %" G_GINT64_FORMAT " without the original: %s",
		           inbound_row, unread->message);
	if (p->cfg->web_base_url != NULL)
		link = g_strdup_printf ("W konsoli: %s%sreview/%" G_GINT64_FORMAT "\n", p->cfg->web_base_url,
		                        g_str_has_suffix (p->cfg->web_base_url, "/") ? "" : "/", inbound_row);
	g_hash_table_insert (vars, "id", g_strdup_printf ("%" G_GINT64_FORMAT, inbound_row));
	reply_var_set (vars, "sender", msg->sender ? msg->sender : "(brak adresu nadawcy)");
	reply_var_set (vars, "subject", msg->subject ? msg->subject : "(bez tematu)");
	reply_var_set (vars, "reason", reason_text_pl (rec->reason_code));
	reply_var_set (vars, "link", link);
	reply_var_set (vars, "attached", attach ? "Oryginalna wiadomość jest w załączniku." : "");
	g_hash_table_insert (vars, "fields", fields != NULL && fields->len > 0 ? scan_fields_text (p, fields)
	                                                                   : fields_text (p, form));
	extra.message_id = mid;
	extra.attach = attach;
	return reply_queue_extra (p, inbound_row, NULL, "staff", "staff-review", vars, NULL, p->cfg->staff, NULL,
	                          &extra, error);
}

static char *
status_text (GHashTable *reg)
{
	const char *status = g_hash_table_lookup (reg, "status");

	if (g_strcmp0 (status, "confirmed") == 0)
		return g_strdup ("miejsce potwierdzone");
	if (g_strcmp0 (status, "waitlisted") == 0)
		return g_strdup_printf ("lista rezerwowa – %s. miejsce na liście (napiszemy, gdy zwolni się miejsce)",
		                        (char *) g_hash_table_lookup (reg, "position"));
	if (g_strcmp0 (status, "cancelled") == 0)
		return g_strdup ("zgłoszenie anulowane");
	return g_strdup ("zgłoszenie przyjęte – termin i miejsce podamy w osobnej wiadomości");
}

/* The applicant's registrations (@regs and their @events, as events_of gives
 * them) as the text block of the confirmation.  (transfer full) */
static char *
registrations_text (GPtrArray *regs, GPtrArray *events)
{
	g_autoptr (GString) out = g_string_new (NULL);

	for (guint i = 0; i < regs->len; i++) {
		GHashTable *r = g_ptr_array_index (regs, i);
		g_autofree char *status = NULL;

		if (g_strcmp0 (g_hash_table_lookup (r, "status"), "cancelled") == 0)
			continue;
		status = status_text (r);
		g_string_append_printf (out, "%s• %s\n  Kod zgłoszenia: %s\n  Status: %s\n", i ? "\n" : "",
		                        (char *) g_hash_table_lookup (r, "title"),
		                        (char *) g_hash_table_lookup (r, "code"), status);
		reply_sessions_text (out, g_ptr_array_index (events, i));
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

/* How register_applicant's error for a form the catalog cannot place starts
 * (the review that follows gets code no_event). */
#define CATALOG_MISSING "catalog has no event for: "

/* --- placement ------------------------------------------------------------ */

typedef struct {
	const char *kind;
	gboolean subregional;
	gboolean by_topic;
	const char *status;
} Placement;

/* As the call for applications has it: an info meeting is the subregion's;
 * workshops the first group of the subregion with a free seat, by start date;
 * consulting a request for the topic holding [programme] consulting_hours of
 * its hour budget (staff set the date); training the first with a free seat,
 * the asked topic first.  When every candidate is full: the waiting list of
 * the first, in order of arrival.  Seats are counted inside the message's
 * immediate transaction. */
static const Placement placements[] = {
	{ "info_meeting", TRUE, FALSE, "confirmed" },
	{ "workshop_group", TRUE, FALSE, "confirmed" },
	{ "consulting", FALSE, TRUE, "requested" },
	{ "training", FALSE, TRUE, "confirmed" },
};

/* The event code of an active registration of @kind in @regs
 * (db_registrations_of), or NULL.  (transfer none) */
static const char *
holds_kind (GPtrArray *regs, const char *kind)
{
	for (guint i = 0; i < regs->len; i++) {
		GHashTable *r = g_ptr_array_index (regs, i);
		if (g_strcmp0 (g_hash_table_lookup (r, "kind"), kind) == 0 &&
		    g_strcmp0 (g_hash_table_lookup (r, "status"), "cancelled") != 0)
			return g_hash_table_lookup (r, "event");
	}
	return NULL;
}

/* Add the registrations @app asks for.  Appends "CODE EVENT (status)" to @summary;
 * sets *@missing to the kinds the catalog has no event for; counts the new
 * registrations in *@added and those on a waiting list in *@waitlisted. */
static gboolean
place (Pipeline *p, const Application *app, gint64 applicant_id, gint64 row, GString *summary,
       GString *missing, guint *added, guint *waitlisted, GError **error)
{
	const gboolean asked[] = { app->info_meeting, app->workshops, app->consulting, app->training };
	g_autoptr (GPtrArray) held = db_registrations_of (p->db, applicant_id, error);

	if (held == NULL)
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS (placements); i++) {
		const Placement *pl = &placements[i];
		g_autoptr (GPtrArray) candidates = NULL;
		const Event *ev = NULL;
		const char *status = "waitlisted";
		gboolean room;
		int hours = g_str_equal (pl->kind, "consulting") ? (int) p->cfg->consulting_hours : 0;
		g_autofree char *code = NULL;

		if (!asked[i])
			continue;
		candidates = db_event_candidates (p->db, pl->kind, pl->subregional ? app->subregion : NULL,
		                                  pl->by_topic ? app->consulting_topic : 0, error);
		if (candidates == NULL)
			return FALSE;
		if (candidates->len == 0) {
			g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", pl->kind);
			continue;
		}
		if (holds_kind (held, pl->kind) != NULL) {
			/* A resubmitted form keeps the place (or position) it has. */
			g_string_append_printf (summary, " %s already registered", holds_kind (held, pl->kind));
			continue;
		}
		if (!programme_choose (p, pl->kind, candidates, hours,
		                       programme_institution_type (app->institution_type, app->institution), &ev, &room,
		                       error))
			return FALSE;
		if (room)
			status = pl->status;
		if (!db_registration_place (p->db, applicant_id, ev->code, status, hours, row, &code, error))
			return FALSE;
		g_string_append_printf (summary, " %s %s (%s)", ev->code, code ? code : "already registered", status);
		if (code != NULL) {
			(*added)++;
			*waitlisted += g_str_equal (status, "waitlisted");
		}
	}
	return TRUE;
}

/* --- the decision ---------------------------------------------------------- */

static char *
joined (GPtrArray *items, const char *sep)
{
	GString *out = g_string_new (NULL);

	for (guint i = 0; items && i < items->len; i++)
		g_string_append_printf (out, "%s%s", i ? sep : "", (char *) g_ptr_array_index (items, i));
	return g_string_free (out, FALSE);
}

/* Record @msg for review: the sender gets template @tmpl (with {{why}}, may be
 * NULL), staff the notice; @fields (MessageField*, or NULL), read from a scan,
 * are kept with the message and listed in the notice. */
static gboolean
record_review_as (Pipeline *p, const char *spool_id, const InboundMessage *msg, InboundRecord *rec,
                  const FormData *form, RegisterResult *res, const char *tmpl, const char *why,
                  const GPtrArray *fields, GError **error)
{
	g_autoptr (GHashTable) vars = reply_vars_new ();
	gint64 row;

	rec->outcome = OUTCOME_REVIEW;
	if ((row = db_message_insert (p->db, rec, error)) == 0)
		return FALSE;
	for (guint i = 0; fields != NULL && i < fields->len; i++)
		if (!db_message_field_add (p->db, row, g_ptr_array_index (fields, i), error))
			return FALSE;
	reply_var_set (vars, "subject", msg->subject ? msg->subject : "(bez tematu)");
	reply_var_set (vars, "accepted_formats", ACCEPTED_FORMATS);
	reply_var_set (vars, "why", why);
	if (msg->mime != NULL &&
	    !reply_queue (p, row, msg, "review", tmpl, vars, msg->sender_name, msg->reply_addr, NULL, error))
		return FALSE;
	if (!queue_staff_notice (p, row, msg, spool_id, rec, form, fields, error))
		return FALSE;
	res->outcome = OUTCOME_REVIEW;
	return TRUE;
}

static gboolean
record_review (Pipeline *p, const char *spool_id, const InboundMessage *msg, InboundRecord *rec,
               const FormData *form, RegisterResult *res, GError **error)
{
	return record_review_as (p, spool_id, msg, rec, form, res, "review", NULL, NULL, error);
}

static gboolean
record_rejection (Pipeline *p, const InboundMessage *msg, const Application *app, InboundRecord *rec,
                  RegisterResult *res, GError **error)
{
	gint64 row;

	rec->outcome = OUTCOME_REJECTED;
	if ((row = db_message_insert (p->db, rec, error)) == 0)
		return FALSE;
	res->outcome = OUTCOME_REJECTED;
	return register_queue_rejection (p, row, msg, app->first_name, app->email, app->problems, error);
}

/* Queue the confirmation of applicant @applicant, whose data are @who, as
 * template and outbox kind @kind (confirmation, or waitlist when a form placed
 * it only on waiting lists): its registrations as they stand, the calendar
 * entries of its places, the form's @notes (may be empty); threaded to @msg
 * (may be NULL), linked to inbound row @row (0: none).  @vars gets the
 * template's variables (the staff copy uses them too). */
static gboolean
queue_confirmation (Pipeline *p, gint64 row, const InboundMessage *msg, const char *kind, gint64 applicant,
                    const ApplicantFields *who, const char *notes, GHashTable *vars, GError **error)
{
	g_autofree char *name = g_strdup_printf ("%s %s", who->first_name, who->last_name);
	g_autofree char *ics = NULL;
	g_autoptr (GPtrArray) regs = NULL;
	g_autoptr (GPtrArray) events = NULL;

	reply_var_set (vars, "first_name", who->first_name);
	reply_var_set (vars, "last_name", who->last_name);
	reply_var_set (vars, "email", who->email);
	reply_var_set (vars, "institution", who->institution);
	g_hash_table_insert (vars, "waitlist_rule", programme_waitlist_rule (p));
	reply_var_set (vars, "powiat", who->powiat);
	reply_var_set (vars, "subregion", who->subregion);
	if (notes != NULL && *notes != '\0')
		g_hash_table_insert (vars, "notes", g_strdup_printf ("\nUwagi:\n%s\n", notes));
	else
		reply_var_set (vars, "notes", "");
	/* read once, after the placements, for the text and the calendar both */
	if ((regs = db_registrations_of (p->db, applicant, error)) == NULL ||
	    (events = events_of (p, regs, error)) == NULL)
		return FALSE;
	g_hash_table_insert (vars, "registrations", registrations_text (regs, events));
	return invitation (p, regs, events, &ics, error) &&
	       reply_queue (p, row, msg, kind, kind, vars, name, who->email, ics, error);
}

/* The effects of valid form @app of message row @row: the applicant, the
 * places, the confirmation (with the calendar entries) and the staff copy;
 * the message's reason becomes the summary (after @prefix, may be NULL). */
static gboolean
register_applicant (Pipeline *p, gint64 row, const InboundMessage *msg, const FormData *form,
                    const Application *app, const char *prefix, RegisterResult *res, GError **error)
{
	g_autoptr (GHashTable) vars = reply_vars_new ();
	g_autoptr (GString) summary = g_string_new (NULL);
	g_autoptr (GString) missing = g_string_new (NULL);
	g_autofree char *name = g_strdup_printf ("%s %s", app->first_name, app->last_name);
	g_autofree char *notes = NULL;
	const ApplicantFields fields = {
		.email = app->email, .first_name = app->first_name, .last_name = app->last_name,
		.phone = app->phone, .institution = app->institution,
		.institution_type = programme_institution_type (app->institution_type, app->institution),
		.position = app->position, .powiat = app->powiat, .subregion = app->subregion,
		.needs = app->needs, .topics = app->topics, .consulting_topic = app->consulting_topic,
	};
	gboolean created;
	gint64 applicant;
	guint added = 0, waitlisted = 0;
	/* Only waiting lists this time: the reply says so from its subject on. */
	const char *kind;

	if ((applicant = db_applicant_upsert (p->db, &fields, &created, error)) == 0 ||
	    !place (p, app, applicant, row, summary, missing, &added, &waitlisted, error))
		return FALSE;
	kind = added > 0 && waitlisted == added ? "waitlist" : "confirmation";

	if (missing->len > 0) {
		/* A valid form the catalog cannot place: staff must add the event. Undo the
		 * registration by recording review instead (the transaction is rolled back). */
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             CATALOG_MISSING "%s (run mailreg init / catalog import)", missing->str);
		return FALSE;
	}
	g_free (res->reason);
	res->reason = g_strdup_printf ("%s%s%s:%s", prefix ? prefix : "", name, created ? "" : " (updated)",
	                               summary->str);
	if (!db_message_set_applicant (p->db, row, applicant, res->reason, error))
		return FALSE;
	notes = joined (app->notes, "\n");
	res->outcome = OUTCOME_REGISTERED;
	if (!queue_confirmation (p, row, msg, kind, applicant, &fields, notes, vars, error))
		return FALSE;
	if (!p->cfg->staff_copy || p->cfg->staff == NULL)
		return TRUE;
	reply_var_set (vars, "form_part", form->part);
	reply_var_set (vars, "form_format", form->format);
	reply_var_set (vars, "message_id", msg->message_id ? msg->message_id : "(brak)");
	return reply_queue (p, row, NULL, "staff", "staff-registration", vars, NULL, p->cfg->staff, NULL, error);
}

static gboolean
record_registration (Pipeline *p, const InboundMessage *msg, const FormData *form,
                     const Application *app, InboundRecord *rec, RegisterResult *res, GError **error)
{
	gint64 row;

	rec->outcome = OUTCOME_REGISTERED;
	if ((row = db_message_insert (p->db, rec, error)) == 0)
		return FALSE;
	return register_applicant (p, row, msg, form, app, NULL, res, error);
}

/* The outbox row a delivery report is about: by the returned Message-ID, else
 * by the VERP address it was sent back to (bounces+<uuid>@domain).  (transfer full) */
static OutboxRow *
bounced_row (Pipeline *p, const InboundMessage *msg, const DsnReport *dsn, GError **error)
{
	static const char *const headers[] = { "Delivered-To", "X-Original-To", "To", "Envelope-To" };
	g_autofree char *local = NULL;
	OutboxRow *row;
	GError *err = NULL;   /* NULL from db_outbox_find: not found, or this set */

	if (dsn->original_message_id != NULL &&
	    ((row = db_outbox_find (p->db, dsn->original_message_id, &err)) != NULL || err != NULL)) {
		if (err != NULL)
			g_propagate_error (error, err);
		return row;
	}
	if (!p->cfg->smtp_verp || p->cfg->smtp_envelope_from == NULL)
		return NULL;
	local = g_strndup (p->cfg->smtp_envelope_from, strcspn (p->cfg->smtp_envelope_from, "@"));
	for (gsize i = 0; i < G_N_ELEMENTS (headers); i++) {
		const char *v = g_mime_object_get_header (GMIME_OBJECT (msg->mime), headers[i]);
		g_autoptr (InternetAddressList) list = v ? internet_address_list_parse (NULL, v) : NULL;
		InternetAddress *ia = list && internet_address_list_length (list) > 0
		                      ? internet_address_list_get_address (list, 0) : NULL;
		g_autofree char *id = NULL;
		g_autofree char *mid = NULL;

		if (ia == NULL || !INTERNET_ADDRESS_IS_MAILBOX (ia) ||
		    (id = dsn_verp_id (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia)), local)) == NULL)
			continue;
		mid = g_strdup_printf ("%s@%s", id, p->cfg->domain);
		if ((row = db_outbox_find (p->db, mid, &err)) != NULL || err != NULL) {
			if (err != NULL)
				g_propagate_error (error, err);
			return row;
		}
	}
	return NULL;
}

/* Record a message that gets no answer.  RFC 3464: a delivery report about our
 * own mail marks that outbox row bounced, flags the address and tells staff once;
 * the report itself stays ignored, with what it said as the reason. */
static gboolean
record_ignored (Pipeline *p, const InboundMessage *msg, InboundRecord *rec, GError **error)
{
	g_autoptr (DsnReport) dsn = dsn_parse (msg->mime);
	g_autoptr (OutboxRow) row = NULL;
	g_autoptr (GError) local = NULL;
	gboolean failed;
	gint64 inbound;

	if (dsn == NULL)
		return db_message_insert (p->db, rec, error) != 0;
	failed = g_strcmp0 (dsn->action, "failed") == 0;
	if ((row = bounced_row (p, msg, dsn, &local)) == NULL && local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	g_free (rec->reason);
	rec->reason = g_strdup_printf ("delivery report (RFC 3464): %s %s for %s%s%s%s%s",
	                               dsn->action ? dsn->action : "no action", dsn->status ? dsn->status : "",
	                               dsn->recipient ? dsn->recipient : "(no recipient)",
	                               dsn->diagnostic ? " (" : "", dsn->diagnostic ? dsn->diagnostic : "",
	                               dsn->diagnostic ? ")" : "",
	                               row == NULL ? "; matches no message of ours"
	                               : !failed ? "; not a failure, nothing marked"
	                               : g_strcmp0 (row->state, "bounced") == 0 ? "; already marked bounced"
	                               : "; the reply is marked bounced");
	if ((inbound = db_message_insert (p->db, rec, error)) == 0)
		return FALSE;
	if (row == NULL || !failed || g_strcmp0 (row->state, "bounced") == 0)
		return TRUE;
	if (!db_outbox_bounce (p->db, row->id, dsn->status, dsn->diagnostic, error))
		return FALSE;
	if (p->cfg->staff != NULL && g_strcmp0 (row->kind, "staff") != 0) {
		g_autoptr (GHashTable) vars = reply_vars_new ();
		reply_var_set (vars, "rcpt", row->rcpt);
		reply_var_set (vars, "kind", row->kind);
		reply_var_set (vars, "subject", row->subject);
		reply_var_set (vars, "message_id", row->message_id);
		reply_var_set (vars, "status", dsn->status ? dsn->status : "(brak)");
		reply_var_set (vars, "diagnostic", dsn->diagnostic ? dsn->diagnostic : "(brak)");
		reply_var_set (vars, "reporter", dsn->reporting_mta ? dsn->reporting_mta : (msg->sender ? msg->sender : "(nieznany)"));
		return reply_queue (p, inbound, NULL, "staff", "staff-bounce", vars, NULL, p->cfg->staff, NULL, error);
	}
	return TRUE;
}

/* --- scans ---------------------------------------------------------------- */

/* OCR reads the '@' of an address as 'Q', '©' or 'a': an e-mail field within a
 * few edits of @sender's address is the sender's address.  Sets the field to it
 * and returns a note saying so, or NULL.  (transfer full) */
static char *
scan_email_from_sender (const FormDef *def, FormData *form, const char *sender)
{
	const FieldDef *email = NULL;

	for (guint i = 0; sender != NULL && i < def->fields->len && email == NULL; i++)
		if (((FieldDef *) g_ptr_array_index (def->fields, i))->type == FIELD_EMAIL)
			email = g_ptr_array_index (def->fields, i);
	for (guint i = 0; email != NULL && i < form->pairs->len; i++) {
		FormPair *pair = g_ptr_array_index (form->pairs, i);
		g_autofree char *read = NULL;
		g_autofree char *want = NULL;
		char *note;
		guint bound;

		if (formdef_match (def, pair->label) != email)
			continue;
		/* spaces are OCR's: an address has none */
		read = g_ascii_strdown (pair->value, -1);
		g_strdelimit (read, "\t", ' ');
		{
			g_auto (GStrv) pieces = g_strsplit (read, " ", -1);
			g_free (read);
			read = g_strjoinv ("", pieces);
		}
		want = g_ascii_strdown (sender, -1);
		if (strcmp (read, want) == 0 && strcmp (pair->value, sender) == 0)
			return NULL;
		bound = MAX (2, (guint) strlen (want) / 8);
		if (formdef_edit_distance (read, want, bound) > bound)
			return NULL;
		note = g_strdup_printf ("e-mail read as '%s', the sender's address %s taken", pair->value, sender);
		g_free (pair->value);
		pair->value = g_strdup (sender);
		if (form->confidence != NULL && i < form->confidence->len)
			g_array_index (form->confidence, double, i) = 1.0;
		return note;
	}
	return NULL;
}

/* The fields of the scanned @form, each form field once (its first value), in
 * form order, with OCR's confidence.  (transfer full) MessageField* */
static GPtrArray *
scan_fields (const FormDef *def, const FormData *form)
{
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) message_field_free);

	for (guint k = 0; k < def->fields->len; k++) {
		const FieldDef *f = g_ptr_array_index (def->fields, k);

		for (guint i = 0; i < form->pairs->len; i++) {
			const FormPair *pair = g_ptr_array_index (form->pairs, i);
			MessageField *m;

			if (formdef_match (def, pair->label) != f)
				continue;
			m = g_new0 (MessageField, 1);
			m->key = g_strdup (f->key);
			if (f->type == FIELD_CHECKBOX && validate_checkbox (pair->value) >= 0)
				m->value = g_strdup (validate_checkbox (pair->value) ? "tak" : "nie");
			else
				m->value = g_strdup (pair->value);
			m->confidence = (int) (form_data_confidence (form, i) * 100 + 0.5);
			g_ptr_array_add (out, m);
			break;
		}
	}
	return out;
}

/* The required field of @fields read least surely, or NULL when all are read
 * at least @min percent sure.  A required field not read at all counts as 0.
 * (transfer none: a label of @def) */
static const char *
scan_least_sure (const FormDef *def, const GPtrArray *fields, int min, int *confidence)
{
	const char *least = NULL;

	*confidence = 100;
	for (guint k = 0; k < def->fields->len; k++) {
		const FieldDef *f = g_ptr_array_index (def->fields, k);
		int c = 0;

		if (!f->required)
			continue;
		for (guint i = 0; i < fields->len; i++)
			if (strcmp (((MessageField *) g_ptr_array_index (fields, i))->key, f->key) == 0)
				c = ((MessageField *) g_ptr_array_index (fields, i))->confidence;
		if (c < min && c < *confidence) {
			*confidence = c;
			least = f->label;
		}
	}
	return least;
}

/* A scan goes to review with its fields unless [ocr] auto_register is on,
 * every required field was read surely enough and the form is valid: OCR's
 * mistakes must not reach the applicant as a rejection.  TRUE with the
 * outcome recorded; FALSE with *@handled unset when it is to be registered. */
static gboolean
scan_review (Pipeline *p, const char *spool_id, const InboundMessage *msg, const FormData *form,
             const Application *app, const char *email_note, InboundRecord *rec, RegisterResult *res,
             gboolean *handled, GError **error)
{
	g_autoptr (GPtrArray) fields = scan_fields (p->form, form);
	g_autoptr (GString) why = g_string_new ("scan read by OCR: check the fields");
	int min = (int) (p->cfg->ocr_min_confidence * 100 + 0.5), least_conf;
	const char *least = scan_least_sure (p->form, fields, min, &least_conf);

	*handled = FALSE;
	if (p->cfg->ocr_auto_register && least == NULL && app->problems->len == 0)
		return TRUE;
	if (least != NULL)
		g_string_append_printf (why, " (least sure: %s %d %%)", least, least_conf);
	if (email_note != NULL)
		g_string_append_printf (why, "; %s", email_note);
	for (guint i = 0; i < app->problems->len; i++)
		g_string_append_printf (why, "%s%s", i ? " | " : "; as read: ", (char *) g_ptr_array_index (app->problems, i));
	rec->reason = g_string_free (g_steal_pointer (&why), FALSE);
	g_free (rec->reason_code);
	rec->reason_code = g_strdup (REASON_SCAN);
	*handled = TRUE;
	return record_review_as (p, spool_id, msg, rec, form, res, "review", NULL, fields, error);
}

static ExtractLimits
extract_limits (const Config *c)
{
	return (ExtractLimits) {
		.max_depth = c->max_mime_depth,
		.max_text = c->max_form_text,
		.max_attachment = c->max_attachment_size,
		.max_total = c->max_total_size,
		.max_zip_entry = c->max_zip_entry_size,
		.max_zip_entries = c->max_zip_entries,
		.max_xml_depth = c->max_xml_depth,
		.max_pdf_pages = c->max_pdf_pages,
		.ocr = c->ocr_enabled,
		.max_ocr_pages = c->max_ocr_pages,
		.max_ocr_pixels = c->max_ocr_pixels,
		.max_ocr_seconds = c->max_ocr_seconds,
		.ocr_tessdata = c->ocr_tessdata,
		.ocr_language = c->ocr_language,
	};
}

/* Decide and record inside the open transaction; @forced_review (or NULL) is
 * the reason of a review decided before the message was read; @pre (or NULL)
 * may hold the form, read ahead. */
static gboolean
decide (Pipeline *p, const char *spool_id, const InboundMessage *msg, const char *forced_review,
        RegisterPrepared *pre, InboundRecord *rec, RegisterResult *res, GError **error)
{
	ExtractLimits limits = extract_limits (p->cfg);
	g_autoptr (FormData) form = NULL;
	g_autoptr (Application) app = NULL;
	g_autofree char *notes = NULL;
	g_autofree char *automatic = NULL;
	g_autofree char *email_note = NULL;
	g_autoptr (GError) unseen = NULL;   /* db_message_seen's FALSE: not seen, or this set */

	if (forced_review != NULL) {
		/* only a message too large to fetch is decided before it is read */
		rec->reason = g_strdup (forced_review);
		rec->reason_code = g_strdup (REASON_TOO_LARGE);
		return record_review (p, spool_id, msg, rec, form, res, error);
	}
	if (msg->mime == NULL) {
		rec->reason = g_strdup (msg->problem);
		rec->reason_code = g_strdup (msg->size > p->cfg->max_message_size ? REASON_TOO_LARGE : REASON_NOT_MIME);
		return record_review (p, spool_id, msg, rec, form, res, error);
	}
	if (db_message_seen (p->db, msg->message_id, msg->hash, &unseen)) {
		rec->outcome = res->outcome = OUTCOME_DUPLICATE;
		rec->reason = msg->message_id ? g_strdup_printf ("Message-ID <%s> already processed", msg->message_id)
		                              : g_strdup ("same content already processed (no Message-ID)");
		return db_message_insert (p->db, rec, error) != 0;
	}
	if (unseen != NULL) {
		g_propagate_error (error, g_steal_pointer (&unseen));
		return FALSE;
	}
	if (register_is_automatic (p, msg, &automatic)) {
		rec->outcome = res->outcome = OUTCOME_IGNORED;
		rec->reason = g_steal_pointer (&automatic);
		return record_ignored (p, msg, rec, error);
	}
	{
		/* A staff member's reply to a review notice settles the item. */
		gboolean settled = FALSE;
		if (!review_by_mail (p, msg, rec, &settled, error))
			return FALSE;
		if (settled) {
			res->outcome = rec->outcome;
			return TRUE;
		}
	}
	{
		/* "rezygnuję" with a registration code cancels it. */
		gboolean cancelled = FALSE;
		if ((pre == NULL || pre->maybe_code) && !programme_cancel_message (p, msg, rec, &cancelled, error))
			return FALSE;
		if (cancelled) {
			res->outcome = OUTCOME_REGISTERED;
			return TRUE;
		}
	}
	{
		/* an answer to an evaluation request is recorded, never read as a form */
		gboolean rated = FALSE;
		if (!programme_evaluation_message (p, msg, pre == NULL || pre->maybe_code, rec, &rated, error))
			return FALSE;
		if (rated) {
			res->outcome = OUTCOME_REGISTERED;
			return TRUE;
		}
	}

	if (pre != NULL && pre->extracted) {
		form = g_steal_pointer (&pre->form);
		notes = g_steal_pointer (&pre->notes);
	} else {
		form = extract_form (msg->mime, p->form, &limits, &notes);
	}
	if (form == NULL || form->matched < p->form->min_fields) {
		g_autoptr (GPtrArray) why = g_ptr_array_new_with_free_func (g_free);
		/* "TAK" with a registration code takes a place offered.  Only
		 * a message without a form: a form's "tak" is an answer to a field. */
		gboolean answered = FALSE;
		g_autofree char *unclear = NULL;
		if (!programme_offer_message (p, msg, rec, &answered, &unclear, error))
			return FALSE;
		if (answered) {
			res->outcome = rec->outcome;
			return TRUE;
		}
		if (unclear != NULL) {
			rec->reason_code = g_strdup (REASON_OFFER_UNCLEAR);
			return record_review_as (p, spool_id, msg, rec, form, res, "offer-refused", unclear, NULL, error);
		}
		g_ptr_array_add (why, g_strdup_printf ("no form found (%u form fields recognised, %u needed)",
		                                       form ? form->matched : 0, p->form->min_fields));
		if (notes != NULL)
			g_ptr_array_add (why, g_strdup (notes));
		for (guint i = 0; i < msg->warnings->len; i++)
			g_ptr_array_add (why, g_strdup (g_ptr_array_index (msg->warnings, i)));
		rec->reason = joined (why, "; ");
		rec->reason_code = g_strdup (notes != NULL ? REASON_UNREADABLE_ATTACHMENT : REASON_NO_FORM);
		return record_review (p, spool_id, msg, rec, form, res, error);
	}
	rec->form_part = g_strdup_printf ("%s (%s)", form->part, form->format);
	if (form->confidence != NULL)
		email_note = scan_email_from_sender (p->form, form, msg->reply_addr ? msg->reply_addr : msg->sender);
	if (pre != NULL && pre->app != NULL && email_note == NULL)
		app = g_steal_pointer (&pre->app);
	else
		app = validate_form (p->form, form, msg->reply_addr ? msg->reply_addr : msg->sender);
	if (form->confidence != NULL) {
		gboolean handled;
		if (!scan_review (p, spool_id, msg, form, app, email_note, rec, res, &handled, error))
			return FALSE;
		if (handled)
			return TRUE;
	}
	if (app->problems->len > 0 && msg->truncated) {
		/* A cut-off message yields a cut-off form: the problems would be ours,
		 * not the applicant's. */
		g_autofree char *problems = joined (app->problems, " | ");
		rec->reason = g_strdup_printf ("message truncated (the form may be incomplete): %s", problems);
		rec->reason_code = g_strdup (REASON_TRUNCATED);
		return record_review (p, spool_id, msg, rec, form, res, error);
	}
	if (app->unread->len > 0 && app->unread->len == app->problems->len) {
		/* boxes not found are all that is wrong: the reader may have missed
		 * them, so staff look; the applicant is not told a ticked box is empty */
		rec->reason = joined (app->unread, "; ");
		rec->reason_code = g_strdup (REASON_BOX_NOT_FOUND);
		return record_review (p, spool_id, msg, rec, form, res, error);
	}
	if (app->problems->len > 0) {
		rec->reason = joined (app->problems, " | ");
		rec->reason_code = g_strdup (g_ptr_array_index (app->problem_codes, 0));
		return record_rejection (p, msg, app, rec, res, error);
	}
	return record_registration (p, msg, form, app, rec, res, error);
}

static void
record_init (InboundRecord *rec, const char *spool_id, const InboundMessage *msg)
{
	inbound_record_clear (rec);
	rec->spool_id = g_strdup (spool_id);
	rec->message_id = g_strdup (msg->message_id);
	rec->hash = g_strdup (msg->hash);
	rec->sender = g_strdup (msg->sender);
	rec->subject = g_strdup (msg->subject);
}

/* 1 when @spool_id already has a recorded outcome (set in @res), 0 when not,
 * -1 on a database error. */
static int
recorded (Pipeline *p, const char *spool_id, RegisterResult *res, GError **error)
{
	g_autoptr (GError) local = NULL;

	if (db_message_recorded (p->db, spool_id, &res->outcome, &local)) {
		res->already = TRUE;
		g_free (res->reason);
		res->reason = g_strdup ("recorded by an earlier run");
		g_free (res->message_id);
		res->message_id = db_message_mid (p->db, spool_id, &local);
		if (local != NULL) {
			g_propagate_error (error, g_steal_pointer (&local));
			return -1;
		}
		return 1;
	}
	if (local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		return -1;
	}
	return 0;
}

/* One message's transaction: its own, or a savepoint in the open batch.  The
 * spool folder is fsynced before any commit that records a file in it. */
static gboolean
msg_begin (Pipeline *p, GError **error)
{
	return p->batch != NULL ? db_savepoint (p->db, error) : db_begin (p->db, error);
}

static void
msg_rollback (Pipeline *p)
{
	if (p->batch != NULL)
		db_savepoint_rollback (p->db);
	else
		db_rollback (p->db);
}

static gboolean
msg_commit (Pipeline *p, GError **error)
{
	if (p->batch != NULL)
		return db_savepoint_release (p->db, error);
	return db_end (p->db, spool_sync (p->spool, error), error);
}

gboolean
register_batch_begin (Pipeline *p, GError **error)
{
	g_return_val_if_fail (p->batch == NULL, FALSE);
	if (!db_begin (p->db, error))
		return FALSE;
	p->batch = g_ptr_array_new_with_free_func (g_free);
	return TRUE;
}

void
register_batch_rollback (Pipeline *p)
{
	if (p->batch == NULL)
		return;
	db_rollback (p->db);
	g_clear_pointer (&p->batch, g_ptr_array_unref);
}

gboolean
register_batch_commit (Pipeline *p, GError **error)
{
	g_autoptr (GPtrArray) ids = g_steal_pointer (&p->batch);

	g_return_val_if_fail (ids != NULL, FALSE);
	if (!db_end (p->db, spool_sync (p->spool, error), error))
		return FALSE;
	FAULT_POINT ("register-after-commit");
	for (guint i = 0; i < ids->len; i++)
		if (!spool_done (p->spool, g_ptr_array_index (ids, i), error))
			return FALSE;
	return TRUE;
}

RegisterPrepared *
register_prepare (const Pipeline *p, GBytes *data)
{
	RegisterPrepared *pre = g_new0 (RegisterPrepared, 1);
	ExtractLimits limits = extract_limits (p->cfg);

	pre->msg = parse_bytes (data, p->cfg->max_message_size);
	pre->maybe_code = TRUE;
	if (pre->msg->mime != NULL) {
		pre->maybe_code = programme_mentions_code (p, pre->msg);
		pre->form = extract_form (pre->msg->mime, p->form, &limits, &pre->notes);
		pre->extracted = TRUE;
	}
	if (pre->form != NULL && pre->form->matched >= p->form->min_fields)
		pre->app = validate_form (p->form, pre->form, pre->msg->reply_addr ? pre->msg->reply_addr
		                                                                    : pre->msg->sender);
	return pre;
}

void
register_prepared_free (RegisterPrepared *pre)
{
	if (pre == NULL)
		return;
	inbound_message_free (pre->msg);
	form_data_free (pre->form);
	if (pre->app != NULL)
		application_free (pre->app);
	g_free (pre->notes);
	g_free (pre);
}

static gboolean
register_spooled (Pipeline *p, const char *spool_id, const char *forced_review, RegisterPrepared *pre,
                  RegisterResult *res, GError **error)
{
	g_autofree char *path = spool_path (p->spool, spool_id);
	g_autoptr (InboundMessage) msg = NULL;
	InboundRecord rec = { 0 };
	g_autoptr (GError) local = NULL;
	gboolean ok;
	int done;

	memset (res, 0, sizeof *res);
	/* Committed by a run that died before moving the file: only the move is left. */
	if ((done = recorded (p, spool_id, res, error)) != 0)
		return done > 0 && spool_done (p->spool, spool_id, error);
	if (pre != NULL && pre->msg != NULL)
		msg = g_steal_pointer (&pre->msg);
	else if ((msg = parse_file (path, p->cfg->max_message_size, &local)) == NULL) {
		/* Another process recovering the same spool may have finished it. */
		if (!g_file_test (path, G_FILE_TEST_EXISTS) && recorded (p, spool_id, res, NULL) > 0)
			return TRUE;
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	if (!msg_begin (p, error))
		return FALSE;
	/* ... or committed it while we parsed: the write lock makes this check final. */
	if ((done = recorded (p, spool_id, res, error)) != 0) {
		msg_rollback (p);
		return done > 0 && spool_done (p->spool, spool_id, error);
	}
	record_init (&rec, spool_id, msg);
	res->message_id = g_strdup (msg->message_id);
	ok = decide (p, spool_id, msg, forced_review, pre, &rec, res, &local);
	if (!ok && local != NULL && local->domain == MAILREG_ERROR && local->code == MAILREG_ERROR_DATA) {
		/* The message is fine but we cannot act on it (catalog, template): review. */
		msg_rollback (p);
		record_init (&rec, spool_id, msg);
		rec.reason = g_strdup (local->message);
		rec.reason_code = g_strdup (g_str_has_prefix (local->message, CATALOG_MISSING) ? REASON_NO_EVENT
		                                                                             : REASON_CANNOT_PROCESS);
		g_clear_error (&local);
		g_clear_pointer (&res->reason, g_free);
		ok = msg_begin (p, &local) && record_review (p, spool_id, msg, &rec, NULL, res, &local);
	}
	if (!ok) {
		msg_rollback (p);
		inbound_record_clear (&rec);
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	FAULT_POINT ("register-before-commit");
	if (!msg_commit (p, error)) {
		inbound_record_clear (&rec);
		return FALSE;
	}
	if (res->reason == NULL)
		res->reason = g_strdup (rec.reason);
	if (rec.reason_code != NULL)
		g_message ("register: spool %s: %s, reason code %s", spool_id, outcome_name (res->outcome), rec.reason_code);
	inbound_record_clear (&rec);
	if (p->batch != NULL) {
		/* cur/ only after the batch COMMIT */
		g_ptr_array_add (p->batch, g_strdup (spool_id));
		return TRUE;
	}
	FAULT_POINT ("register-after-commit");
	return spool_done (p->spool, spool_id, error);
}

gboolean
register_message (Pipeline *p, const char *spool_id, RegisterResult *res, GError **error)
{
	return register_spooled (p, spool_id, NULL, NULL, res, error);
}

gboolean
register_recover (Pipeline *p, RegisterDoneFunc done, gpointer user, GError **error)
{
	g_autoptr (GPtrArray) pending = spool_pending (p->spool, error);

	if (pending == NULL)
		return FALSE;
	for (guint i = 0; i < pending->len; i++) {
		const char *id = g_ptr_array_index (pending, i);
		g_autofree char *source = g_build_filename ("spool", "new", id, NULL);
		RegisterResult res;

		if (!register_message (p, id, &res, error)) {
			g_prefix_error (error, "%s: ", source);
			return FALSE;
		}
		done (source, &res, user);
		register_result_clear (&res);
	}
	return TRUE;
}

gboolean
register_message_prepared (Pipeline *p, const char *spool_id, RegisterPrepared *pre, RegisterResult *res,
                           GError **error)
{
	return register_spooled (p, spool_id, NULL, pre, res, error);
}

gboolean
register_message_review (Pipeline *p, const char *spool_id, const char *reason, RegisterResult *res,
                         GError **error)
{
	return register_spooled (p, spool_id, reason, NULL, res, error);
}

/* --- what review.c settles with ------------------------------------------- */

InboundMessage *
register_review_message (Pipeline *p, GHashTable *r, GError **error)
{
	const char *spool_id = g_hash_table_lookup (r, "spool_id");
	g_autofree char *path = g_build_filename (p->spool->cur, spool_id, NULL);
	InboundMessage *msg;

	if (g_hash_table_lookup (r, "purged_at") == NULL && g_file_test (path, G_FILE_TEST_EXISTS))
		return parse_file (path, p->cfg->max_message_size, error);
	msg = g_new0 (InboundMessage, 1);
	msg->warnings = g_ptr_array_new_with_free_func (g_free);
	msg->message_id = g_strdup (g_hash_table_lookup (r, "message_id"));
	msg->sender = g_strdup (g_hash_table_lookup (r, "sender"));
	msg->reply_addr = g_strdup (msg->sender);
	msg->subject = g_strdup (g_hash_table_lookup (r, "subject"));
	msg->hash = g_strdup (g_hash_table_lookup (r, "hash"));
	if (msg->message_id != NULL)
		msg->references = g_strdup_printf ("<%s>", msg->message_id);
	return msg;
}

FormData *
register_read_form (Pipeline *p, const InboundMessage *msg)
{
	ExtractLimits limits = extract_limits (p->cfg);
	g_autofree char *notes = NULL;

	return msg->mime != NULL ? extract_form (msg->mime, p->form, &limits, &notes) : NULL;
}

gboolean
register_form_effects (Pipeline *p, gint64 row, const InboundMessage *msg, const FormData *form,
                       const Application *app, const char *prefix, RegisterResult *res, GError **error)
{
	return register_applicant (p, row, msg, form, app, prefix, res, error);
}

gboolean
register_resend_confirmation (Pipeline *p, gint64 applicant, GError **error)
{
	g_autoptr (ApplicantRow) a = db_applicant_get (p->db, applicant, error);
	g_autoptr (GPtrArray) regs = NULL;
	g_autoptr (GHashTable) vars = reply_vars_new ();
	guint active = 0, waiting = 0;

	if (a == NULL || a->forgotten) {
		if (error == NULL || *error == NULL)
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "no applicant #%" G_GINT64_FORMAT "%s",
			             applicant, a ? " (its data were erased)" : "");
		return FALSE;
	}
	if ((regs = db_applicant_registrations (p->db, applicant, TRUE, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < regs->len; i++) {
		const Registration *r = g_ptr_array_index (regs, i);
		active += g_strcmp0 (r->status, "cancelled") != 0;
		waiting += g_strcmp0 (r->status, "waitlisted") == 0;
	}
	if (active == 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "applicant #%" G_GINT64_FORMAT " has no registration that is not cancelled", applicant);
		return FALSE;
	}
	{
		const ApplicantFields who = {
			.email = a->email, .first_name = a->first_name, .last_name = a->last_name, .phone = a->phone,
			.institution = a->institution, .institution_type = a->institution_type, .position = a->position,
			.powiat = a->powiat, .subregion = a->subregion, .needs = a->needs, .topics = a->topics,
			.consulting_topic = a->consulting_topic,
		};
		/* the form's notes are not kept: the confirmation comes without them */
		return queue_confirmation (p, 0, NULL, waiting == active ? "waitlist" : "confirmation", applicant, &who,
		                           NULL, vars, error);
	}
}

gboolean
register_queue_rejection (Pipeline *p, gint64 row, const InboundMessage *msg, const char *first_name,
                          const char *fallback_addr, GPtrArray *problems, GError **error)
{
	g_autoptr (GHashTable) vars = reply_vars_new ();
	GString *text = g_string_new (NULL);

	for (guint i = 0; i < problems->len; i++)
		g_string_append_printf (text, "%u. %s\n", i + 1, (char *) g_ptr_array_index (problems, i));
	reply_var_set (vars, "first_name", first_name);
	reply_var_set (vars, "subject", msg->subject ? msg->subject : "(bez tematu)");
	g_hash_table_insert (vars, "problems", g_string_free (text, FALSE));
	return reply_queue (p, row, msg, "rejection", "rejection", vars, msg->sender_name,
	                    msg->reply_addr ? msg->reply_addr : fallback_addr, NULL, error);
}

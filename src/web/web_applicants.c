/* web_applicants.c - the applicants' pages of the console: search, one
 * applicant with its registrations, messages and replies, and the actions on
 * it, each one staff action through register/manage.h (one transaction with
 * its audit row, actor "web:LOGIN").
 *
 * /applicants                  search form and the list (GET: everyone)
 * POST /applicants             the list for the words and filters sent: a
 *                              name searched for never stands in an address
 * /applicants/ID               one applicant
 * /applicants/ID/forget        the confirmation step before erasing it
 * POST /applicants/ID          action = cancel (code) | resend | forget (confirm=tak)
 */
#define G_LOG_DOMAIN "web"
#include "web/web_private.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/errors.h"
#include "register/manage.h"
#include "validate/reasons.h"

#define LIST_MAX 100   /* applicants listed at once: staff narrow the search */

/* --- shared with web_events.c ----------------------------------------------------- */

WebReply *
web_db_error (WebCtx *ctx, WebRequest *req, const GError *error)
{
	g_warning ("%s", error->message);
	return web_message_page (ctx, req, 500, "Błąd", "Baza danych nie odpowiedziała. Nic nie zostało zmienione. "
	                                                "Spróbuj ponownie za chwilę.");
}

const char *
web_word_pl (const char *const table[][2], gsize n, const char *word)
{
	for (gsize i = 0; i < n; i++)
		if (g_strcmp0 (word, table[i][0]) == 0)
			return table[i][1];
	return word ? word : "";
}

const char *
web_status_pl (const char *status)
{
	static const char *const names[][2] = { { "confirmed", "potwierdzone" },
		                                { "waitlisted", "lista rezerwowa" },
		                                { "requested", "przyjęte, termin do ustalenia" },
		                                { "cancelled", "anulowane" } };

	return web_word_pl (names, G_N_ELEMENTS (names), status);
}

char *
web_time (gint64 t)
{
	g_autoptr (GTimeZone) tz = clock_zone ();
	g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (t);
	g_autoptr (GDateTime) local = utc ? g_date_time_to_timezone (utc, tz) : NULL;

	return local ? g_date_time_format (local, "%d.%m.%Y %H:%M") : g_strdup ("");
}

/* The store's ISO UTC text "2014-03-01T09:00:00Z" as web_time shows it. */
static char *
iso_time (const char *iso)
{
	g_autoptr (GDateTime) t = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;

	return t ? web_time (g_date_time_to_unix (t)) : g_strdup (iso ? iso : "");
}

static void
set_str (JsonObject *o, const char *name, const char *value)
{
	if (value != NULL && *value != '\0')
		json_object_set_string_member (o, name, value);
}

static void
set_time (JsonObject *o, const char *name, const char *iso)
{
	g_autofree char *t = iso ? iso_time (iso) : NULL;

	set_str (o, name, t);
}

static const char *
field (WebRequest *req, const char *name)
{
	return req->form ? g_hash_table_lookup (req->form, name) : NULL;
}

static char *
actor_of (WebRequest *req)
{
	return g_strconcat ("web:", req->session->login, NULL);
}

/* --- /applicants ------------------------------------------------------------------- */

static const char *const statuses[] = { "confirmed", "waitlisted", "requested", "cancelled" };

/* The choices of a <select>: value, label, selected. */
static JsonArray *
options (GPtrArray *values, GPtrArray *labels, const char *chosen)
{
	JsonArray *a = json_array_new ();

	for (guint i = 0; i < values->len; i++) {
		JsonObject *o = json_object_new ();
		json_object_set_string_member (o, "value", g_ptr_array_index (values, i));
		json_object_set_string_member (o, "label", g_ptr_array_index (labels, i));
		json_object_set_boolean_member (o, "selected", g_strcmp0 (chosen, g_ptr_array_index (values, i)) == 0);
		json_array_add_object_element (a, o);
	}
	return a;
}

static int
by_text (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The search form's choices, what was asked kept selected. */
static gboolean
search_form (WebCtx *ctx, JsonObject *data, const ApplicantQuery *q, GError **error)
{
	g_autoptr (GPtrArray) evs = db_events_list (ctx->p->db, error);
	g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) subs = g_ptr_array_new ();
	g_autoptr (GPtrArray) st_values = g_ptr_array_new ();
	g_autoptr (GPtrArray) st_labels = g_ptr_array_new ();

	if (evs == NULL)
		return FALSE;
	for (guint i = 0; i < evs->len; i++) {
		const Event *ev = g_ptr_array_index (evs, i);
		g_ptr_array_add (codes, g_strdup (ev->code));
		g_ptr_array_add (names, g_strdup_printf ("%s – %s", ev->code, ev->title));
		if (ev->subregion != NULL && !g_ptr_array_find_with_equal_func (subs, ev->subregion, g_str_equal, NULL))
			g_ptr_array_add (subs, ev->subregion);
	}
	g_ptr_array_sort (subs, by_text);
	for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++) {
		g_ptr_array_add (st_values, (gpointer) statuses[i]);
		g_ptr_array_add (st_labels, (gpointer) web_status_pl (statuses[i]));
	}
	set_str (data, "q", q->text);
	json_object_set_array_member (data, "event_options", options (codes, names, q->event));
	json_object_set_array_member (data, "subregion_options", options (subs, subs, q->subregion));
	json_object_set_array_member (data, "status_options", options (st_values, st_labels, q->status));
	return TRUE;
}

static WebReply *
applicant_list (WebCtx *ctx, WebRequest *req)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) data = json_object_new ();
	g_autoptr (JsonArray) items = json_array_new ();
	g_autoptr (GPtrArray) rows = NULL;
	ApplicantQuery q = { .text = field (req, "q"), .event = field (req, "event"), .status = field (req, "status"),
		             .subregion = field (req, "subregion"), .limit = LIST_MAX };
	gboolean more;

	if (!search_form (ctx, data, &q, &error) || (rows = db_applicant_search (ctx->p->db, &q, &more, &error)) == NULL)
		return web_db_error (ctx, req, error);
	for (guint i = 0; i < rows->len; i++) {
		const ApplicantRow *a = g_ptr_array_index (rows, i);
		g_autoptr (GPtrArray) regs = db_applicant_registrations (ctx->p->db, a->id, FALSE, &error);
		JsonObject *o = json_object_new ();
		JsonArray *ra = json_array_new ();

		json_array_add_object_element (items, o);
		if (regs == NULL) {
			json_array_unref (ra);
			return web_db_error (ctx, req, error);
		}
		json_object_set_int_member (o, "id", a->id);
		set_str (o, "first_name", a->first_name);
		set_str (o, "last_name", a->last_name);
		set_str (o, "email", a->email);
		set_str (o, "institution", a->institution);
		set_str (o, "subregion", a->subregion);
		for (guint j = 0; j < regs->len; j++) {
			const Registration *r = g_ptr_array_index (regs, j);
			JsonObject *ro = json_object_new ();
			json_object_set_string_member (ro, "code", r->code);
			json_object_set_string_member (ro, "event", r->event);
			json_object_set_string_member (ro, "status_pl", web_status_pl (r->status));
			json_array_add_object_element (ra, ro);
		}
		json_object_set_array_member (o, "registrations", ra);
	}
	json_object_set_array_member (data, "items", json_array_ref (items));
	json_object_set_int_member (data, "count", rows->len);
	json_object_set_boolean_member (data, "more", more);
	json_object_set_int_member (data, "max", LIST_MAX);
	json_object_set_boolean_member (data, "searched", req->form != NULL);
	return web_page (ctx, req, 200, "applicants", "Zgłoszeni", data);
}

/* --- /applicants/ID --------------------------------------------------------------- */

static const char *
outcome_pl (Outcome o)
{
	static const char *const names[] = { "zarejestrowana", "odrzucona", "do przejrzenia", "pominięta",
		                             "powtórzona" };

	return o <= OUTCOME_DUPLICATE ? names[o] : "";
}

static const char *
mail_kind_pl (const char *kind)
{
	static const char *const names[][2] = {
		{ "confirmation", "potwierdzenie" }, { "waitlist", "lista rezerwowa" },
		{ "rejection", "odrzucenie" }, { "review", "do przejrzenia" }, { "answer", "odpowiedź zespołu" },
		{ "promotion", "miejsce z listy rezerwowej" }, { "cancellation", "anulowanie" },
		{ "reminder", "przypomnienie" }, { "update", "zmiana terminu" }, { "certificate", "zaświadczenie" },
		{ "evaluation", "ankieta" },
	};

	return web_word_pl (names, G_N_ELEMENTS (names), kind);
}

static const char *
state_pl (const char *state)
{
	static const char *const names[][2] = { { "queued", "w kolejce" }, { "sent", "wysłana" },
		                                { "deferred", "odłożona" }, { "failed", "nieudana" },
		                                { "bounced", "zwrócona" } };

	return web_word_pl (names, G_N_ELEMENTS (names), state);
}

/* The applicant's own data into @data; an erased one has only its id. */
static void
applicant_json (JsonObject *data, const ApplicantRow *a)
{
	json_object_set_int_member (data, "id", a->id);
	json_object_set_boolean_member (data, "forgotten", a->forgotten);
	if (a->forgotten)
		return;
	set_str (data, "first_name", a->first_name);
	set_str (data, "last_name", a->last_name);
	set_str (data, "email", a->email);
	set_str (data, "phone", a->phone);
	set_str (data, "institution", a->institution);
	set_str (data, "institution_type", a->institution_type);
	/* "position" is a place on a waiting list in the lists below */
	set_str (data, "job_title", a->position);
	set_str (data, "powiat", a->powiat);
	set_str (data, "subregion", a->subregion);
	set_str (data, "needs", a->needs);
	set_str (data, "topics", a->topics);
	if (a->consulting_topic > 0)
		json_object_set_int_member (data, "consulting_topic", a->consulting_topic);
	set_time (data, "created_at", a->created_at);
	set_time (data, "updated_at", a->updated_at);
	set_time (data, "bounced_at", a->bounced_at);
	set_str (data, "bounce_reason", a->bounce_reason);
}

static JsonArray *
registrations_json (GPtrArray *regs)
{
	JsonArray *a = json_array_new ();

	for (guint i = 0; i < regs->len; i++) {
		const Registration *r = g_ptr_array_index (regs, i);
		JsonObject *o = json_object_new ();

		json_object_set_string_member (o, "code", r->code);
		json_object_set_string_member (o, "event", r->event);
		set_str (o, "title", r->title);
		json_object_set_string_member (o, "status_pl", web_status_pl (r->status));
		json_object_set_boolean_member (o, "active", g_strcmp0 (r->status, "cancelled") != 0);
		if (r->position > 0)
			json_object_set_int_member (o, "position", r->position);
		/* an open offer: the place is held for an answer until then */
		if (r->offer_deadline > 0 && g_strcmp0 (r->status, "waitlisted") == 0) {
			g_autofree char *until = web_time (r->offer_deadline);
			json_object_set_string_member (o, "offer_until", until);
		}
		if (r->appointment != NULL) {
			g_autofree char *when = g_strdup_printf ("%s%s%s", r->appointment, r->appointment_place ? ", " : "",
			                                         r->appointment_place ? r->appointment_place : "");
			g_strdelimit (when, "T", ' ');
			json_object_set_string_member (o, "appointment", when);
		}
		json_array_add_object_element (a, o);
	}
	return a;
}

static JsonArray *
messages_json (GPtrArray *msgs)
{
	JsonArray *a = json_array_new ();

	for (guint i = 0; i < msgs->len; i++) {
		const ApplicantMessage *m = g_ptr_array_index (msgs, i);
		JsonObject *o = json_object_new ();

		json_object_set_int_member (o, "id", m->id);
		set_time (o, "received_at", m->received_at);
		set_str (o, "subject", m->subject);
		json_object_set_string_member (o, "outcome_pl", outcome_pl (m->outcome));
		if (m->reason_code != NULL)
			json_object_set_string_member (o, "reason_pl", reason_text_pl (m->reason_code));
		/* a message that went to review keeps its page there */
		json_object_set_boolean_member (o, "reviewable", m->outcome == OUTCOME_REVIEW || m->reviewed_at != NULL);
		set_time (o, "reviewed_at", m->reviewed_at);
		json_array_add_object_element (a, o);
	}
	return a;
}

static JsonArray *
replies_json (GPtrArray *replies)
{
	JsonArray *a = json_array_new ();

	for (guint i = 0; i < replies->len; i++) {
		const ApplicantReply *r = g_ptr_array_index (replies, i);
		JsonObject *o = json_object_new ();

		json_object_set_int_member (o, "id", r->id);
		if (r->inbound_id > 0)
			json_object_set_int_member (o, "inbound_id", r->inbound_id);
		json_object_set_string_member (o, "kind_pl", mail_kind_pl (r->kind));
		set_str (o, "subject", r->subject);
		json_object_set_string_member (o, "state_pl", state_pl (r->state));
		set_time (o, "created_at", r->created_at);
		set_time (o, "sent_at", r->sent_at);
		set_str (o, "last_error", r->last_error);
		json_array_add_object_element (a, o);
	}
	return a;
}

/* The page of applicant @id (its confirmation step when @forget_step). */
static WebReply *
applicant_page (WebCtx *ctx, WebRequest *req, gint64 id, gboolean forget_step)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (ApplicantRow) a = db_applicant_get (ctx->p->db, id, &error);
	g_autoptr (GPtrArray) regs = NULL;
	g_autoptr (GPtrArray) msgs = NULL;
	g_autoptr (GPtrArray) replies = NULL;
	g_autoptr (JsonObject) data = json_object_new ();
	g_autofree char *title = NULL;
	gboolean active = FALSE;

	if (a == NULL)
		return error ? web_db_error (ctx, req, error) : NULL;
	if ((regs = db_applicant_registrations (ctx->p->db, id, TRUE, &error)) == NULL ||
	    (msgs = db_applicant_messages (ctx->p->db, id, &error)) == NULL ||
	    (replies = db_applicant_replies (ctx->p->db, id, &error)) == NULL)
		return web_db_error (ctx, req, error);
	applicant_json (data, a);
	for (guint i = 0; i < regs->len; i++)
		active |= g_strcmp0 (((const Registration *) g_ptr_array_index (regs, i))->status, "cancelled") != 0;
	/* a confirmation of nothing but cancellations is not offered */
	json_object_set_boolean_member (data, "has_active", active);
	json_object_set_array_member (data, "registrations", registrations_json (regs));
	json_object_set_array_member (data, "messages", messages_json (msgs));
	json_object_set_boolean_member (data, "has_messages", msgs->len > 0);
	json_object_set_array_member (data, "replies", replies_json (replies));
	json_object_set_boolean_member (data, "has_replies", replies->len > 0);
	title = a->forgotten ? g_strdup_printf ("Zgłoszony nr %" G_GINT64_FORMAT, id)
	                     : g_strdup_printf ("%s %s", a->first_name ? a->first_name : "",
	                                        a->last_name ? a->last_name : "");
	if (forget_step) {
		if (a->forgotten)
			return web_message_page (ctx, req, 409, "Dane już usunięte",
			                         "Dane osobowe tej osoby zostały już usunięte. Nic nie zmieniono.");
		return web_page (ctx, req, 200, "applicant-forget", "Usunięcie danych osobowych", data);
	}
	return web_page (ctx, req, 200, "applicant", title, data);
}

/* --- actions ------------------------------------------------------------------------ */

/* What the console says when @error refused an action (MAILREG_ERROR_DATA:
 * the record is not what the page showed), or the database failed. */
static WebReply *
refused (WebCtx *ctx, WebRequest *req, const GError *error, const char *text)
{
	if (error->domain == MAILREG_ERROR && error->code == MAILREG_ERROR_DATA) {
		g_info ("a staff action refused: %s", error->message);
		return web_message_page (ctx, req, 409, "Nie wykonano", text);
	}
	return web_db_error (ctx, req, error);
}

static WebReply *
applicant_action (WebCtx *ctx, WebRequest *req, gint64 id)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *actor = actor_of (req);
	g_autofree char *location = g_strdup_printf ("/applicants/%" G_GINT64_FORMAT, id);
	const char *action = field (req, "action");

	if (g_strcmp0 (action, "cancel") == 0) {
		g_autofree char *code = g_ascii_strup (field (req, "code") ? field (req, "code") : "", -1);
		guint promoted;
		if (!manage_cancel (ctx->p, id, code, actor, &promoted, &error))
			return refused (ctx, req, error, "Tego zgłoszenia nie można anulować: jest już anulowane albo "
			                                 "nie należy do tej osoby. Nic nie zostało zmienione.");
	} else if (g_strcmp0 (action, "resend") == 0) {
		if (!manage_resend (ctx->p, id, actor, &error))
			return refused (ctx, req, error, "Ta osoba nie ma zgłoszenia, które można potwierdzić "
			                                 "(wszystkie są anulowane albo dane usunięto). Nic nie wysłano.");
	} else if (g_strcmp0 (action, "forget") == 0) {
		guint rows, files;
		/* the confirmation step: without it the page asks first */
		if (g_strcmp0 (field (req, "confirm"), "tak") != 0)
			return applicant_page (ctx, req, id, TRUE);
		if (!manage_forget (ctx->p, id, actor, &rows, &files, &error))
			return refused (ctx, req, error, "Dane osobowe tej osoby zostały już usunięte. Nic nie zmieniono.");
	} else {
		return NULL;
	}
	return web_redirect (location);
}

WebReply *
web_applicants_handle (WebCtx *ctx, WebRequest *req)
{
	gboolean post = strcmp (req->method, "POST") == 0;
	gint64 id = 0;
	char tail;

	if (strcmp (req->path, "/applicants") == 0)
		return applicant_list (ctx, req);
	if (sscanf (req->path, "/applicants/%" G_GINT64_MODIFIER "d%c", &id, &tail) == 1 && id > 0) {
		/* an unknown applicant: 404 for a page and an action alike */
		if (post) {
			g_autoptr (GError) error = NULL;
			g_autoptr (ApplicantRow) a = db_applicant_get (ctx->p->db, id, &error);
			if (a == NULL)
				return error ? web_db_error (ctx, req, error) : NULL;
			return applicant_action (ctx, req, id);
		}
		return applicant_page (ctx, req, id, FALSE);
	}
	if (!post && sscanf (req->path, "/applicants/%" G_GINT64_MODIFIER "d/forget%c", &id, &tail) == 1 && id > 0)
		return applicant_page (ctx, req, id, TRUE);
	return NULL;
}

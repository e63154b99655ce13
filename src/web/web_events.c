/* web_events.c - the events' pages of the console: the list, one event with
 * its sessions, participants, waiting list and their special needs, the
 * printable sign-in sheet, the attendance list as CSV, and the change of a
 * session's date or place (register/manage.h: the update mail as `catalog
 * import` sends it, one transaction with the audit row).
 *
 * /events                      every event with its seats
 * /events/CODE                 one event
 * /events/CODE/sheet           the sign-in sheet, for print
 * /events/CODE/attendance.csv  the attendance list, a download
 * POST /events/CODE            action = reschedule (session, start, end, place)
 */
#define G_LOG_DOMAIN "web"
#include "web/web_private.h"

#include <string.h>

#include "core/errors.h"
#include "register/manage.h"

static const char *
event_kind_pl (const char *kind)
{
	static const char *const names[][2] = { { "info_meeting", "spotkanie informacyjne" },
		                                { "workshop_group", "grupa warsztatowa" },
		                                { "consulting", "doradztwo" },
		                                { "training", "szkolenie" } };

	return web_word_pl (names, G_N_ELEMENTS (names), kind);
}

static void
set_str (JsonObject *o, const char *name, const char *value)
{
	if (value != NULL && *value != '\0')
		json_object_set_string_member (o, name, value);
}

/* Codes are capital letters, digits and dashes: anything else is no event
 * (and nothing else reaches a file name or a header). */
static gboolean
code_ok (const char *code)
{
	return *code != '\0' && strspn (code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == strlen (code);
}

/* The event @code, or NULL with *@reply the page to answer (NULL: 404). */
static Event *
event_of (WebCtx *ctx, WebRequest *req, const char *code, WebReply **reply)
{
	g_autoptr (GError) error = NULL;
	Event *ev;

	*reply = NULL;
	if (!code_ok (code))
		return NULL;
	if ((ev = db_event_get (ctx->p->db, code, &error)) == NULL && error != NULL)
		*reply = web_db_error (ctx, req, error);
	return ev;
}

static JsonArray *
sessions_json (const Event *ev)
{
	JsonArray *a = json_array_new ();

	for (guint i = 0; i < ev->sessions->len; i++) {
		const EventSession *s = g_ptr_array_index (ev->sessions, i);
		JsonObject *o = json_object_new ();
		g_autofree char *when = catalog_format_when (s->start, s->end);

		json_object_set_int_member (o, "n", i + 1);
		json_object_set_string_member (o, "when", when);
		/* <input type="datetime-local"> takes "YYYY-MM-DDTHH:MM", as the catalog has it */
		set_str (o, "start", s->start);
		set_str (o, "end", s->end);
		set_str (o, "place", s->place);
		if (s->hours > 0)
			json_object_set_int_member (o, "hours", s->hours);
		json_array_add_object_element (a, o);
	}
	return a;
}

/* --- /events ------------------------------------------------------------------------ */

static WebReply *
event_list (WebCtx *ctx, WebRequest *req)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) evs = db_events_list (ctx->p->db, &error);
	g_autoptr (JsonObject) data = json_object_new ();
	g_autoptr (JsonArray) items = json_array_new ();

	if (evs == NULL)
		return web_db_error (ctx, req, error);
	for (guint i = 0; i < evs->len; i++) {
		const Event *ev = g_ptr_array_index (evs, i);
		const EventSession *first = ev->sessions->len ? g_ptr_array_index (ev->sessions, 0) : NULL;
		g_autofree char *when = first ? catalog_format_when (first->start, first->end) : NULL;
		JsonObject *o = json_object_new ();

		json_object_set_string_member (o, "code", ev->code);
		json_object_set_string_member (o, "title", ev->title);
		json_object_set_string_member (o, "kind_pl", event_kind_pl (ev->kind));
		set_str (o, "subregion", ev->subregion);
		set_str (o, "when", when);
		if (ev->seats > 0) {
			json_object_set_int_member (o, "seats", ev->seats);
			/* a place offered and not yet answered is not free */
			json_object_set_int_member (o, "free", MAX (ev->seats - ev->taken - ev->offered, 0));
		}
		json_object_set_int_member (o, "taken", ev->taken);
		json_object_set_int_member (o, "waitlist", ev->waitlist);
		json_array_add_object_element (items, o);
	}
	json_object_set_array_member (data, "items", json_array_ref (items));
	return web_page (ctx, req, 200, "events", "Wydarzenia", data);
}

/* --- /events/CODE ------------------------------------------------------------------- */

/* The Polish names of the kinds of special needs in @kinds (NeedKind bits). */
static char *
needs_pl (guint kinds)
{
	g_autoptr (GString) out = g_string_new (NULL);

	if (kinds & NEED_DIET)
		g_string_append (out, "dieta");
	if (kinds & NEED_ACCESS)
		g_string_append_printf (out, "%sdostępność", out->len ? ", " : "");
	if (kinds & NEED_OTHER)
		g_string_append_printf (out, "%sinne", out->len ? ", " : "");
	return g_string_free (g_steal_pointer (&out), FALSE);
}

static JsonObject *
participant_json (const Participant *p, guint n)
{
	JsonObject *o = json_object_new ();

	json_object_set_int_member (o, "n", n);
	json_object_set_int_member (o, "applicant", p->applicant_id);
	json_object_set_string_member (o, "code", p->code);
	json_object_set_string_member (o, "status_pl", web_status_pl (p->status));
	set_str (o, "first_name", p->first_name);
	set_str (o, "last_name", p->last_name);
	set_str (o, "institution", p->institution);
	set_str (o, "email", p->email);
	set_str (o, "phone", p->phone);
	if (p->position > 0)
		json_object_set_int_member (o, "position", p->position);
	if (p->offer_deadline > 0) {
		g_autofree char *until = web_time (p->offer_deadline);
		json_object_set_string_member (o, "offer_until", until);
	}
	return o;
}

/* @o gets the special needs, when @p wrote any: their kinds in Polish and the text.
 * The kinds bits, 0 when none. */
static guint
needs_json (JsonObject *o, const Participant *p)
{
	guint kinds = p->needs ? needs_kinds (p->needs) : 0;
	g_autofree char *kinds_pl = kinds ? needs_pl (kinds) : NULL;

	if (kinds != 0) {
		json_object_set_string_member (o, "kinds", kinds_pl);
		json_object_set_string_member (o, "needs", p->needs);
	}
	return kinds;
}

/* @people as the event page lists them, numbered from 1, each with its
 * special needs.  (transfer full) */
static JsonArray *
participants_json (GPtrArray *people)
{
	JsonArray *a = json_array_new ();

	for (guint i = 0; i < people->len; i++) {
		const Participant *p = g_ptr_array_index (people, i);
		JsonObject *o = participant_json (p, i + 1);
		needs_json (o, p);
		json_array_add_object_element (a, o);
	}
	return a;
}

/* The window of the waiting list shown: rows @first+1 to @first+@shown of
 * @total, and the links to the pages before and after it. */
static void
waiting_pages (JsonObject *data, guint first, guint shown, guint total)
{
	json_object_set_int_member (data, "waiting_total", total);
	json_object_set_boolean_member (data, "waiting_paged", total > WEB_LIST_PAGE);
	json_object_set_int_member (data, "waiting_first", shown > 0 ? first + 1 : 0);
	json_object_set_int_member (data, "waiting_last", first + shown);
	/* back from past the end: to the last page */
	if (first > 0)
		json_object_set_int_member (data, "waiting_prev",
		                            first >= total && total > 0 ? (total - 1) / WEB_LIST_PAGE * WEB_LIST_PAGE + 1
		                            : first > WEB_LIST_PAGE     ? first - WEB_LIST_PAGE + 1
		                                                        : 1);
	if (first + shown < total)
		json_object_set_int_member (data, "waiting_next", first + shown + 1);
	json_object_set_int_member (data, "page", WEB_LIST_PAGE);
}

/* The page of event @ev; @status and @problem (may be NULL) after a change refused. */
static WebReply *
event_page (WebCtx *ctx, WebRequest *req, const Event *ev, guint status, const char *problem)
{
	g_autoptr (GError) error = NULL;
	guint first = req->from > 0 ? req->from - 1 : 0, n_waiting = 0;   /* a waiting list of thousands: a page of it */
	g_autoptr (GPtrArray) places = db_event_places (ctx->p->db, ev->code, &error);
	g_autoptr (GPtrArray) waits = places ? db_event_waiting (ctx->p->db, ev->code, first, WEB_LIST_PAGE, &n_waiting,
	                                                         &error) : NULL;
	g_autoptr (JsonObject) data = json_object_new ();
	g_autoptr (JsonArray) needs = json_array_new ();
	g_autofree char *title = NULL;
	int n_diet = 0, n_access = 0, n_other = 0;

	if (waits == NULL)
		return web_db_error (ctx, req, error);
	/* what to prepare for those who come; the waiting list's are beside each name */
	for (guint i = 0; i < places->len; i++) {
		const Participant *p = g_ptr_array_index (places, i);
		JsonObject *o = participant_json (p, json_array_get_length (needs) + 1);
		guint kinds = needs_json (o, p);

		if (kinds == 0) {
			json_object_unref (o);
			continue;
		}
		json_array_add_object_element (needs, o);
		n_diet += (kinds & NEED_DIET) != 0;
		n_access += (kinds & NEED_ACCESS) != 0;
		n_other += (kinds & NEED_OTHER) != 0;
	}
	json_object_set_string_member (data, "code", ev->code);
	json_object_set_string_member (data, "event_title", ev->title);
	json_object_set_string_member (data, "kind_pl", event_kind_pl (ev->kind));
	set_str (data, "subregion", ev->subregion);
	json_object_set_int_member (data, "seats", ev->seats);
	json_object_set_boolean_member (data, "has_seats", ev->seats > 0);
	json_object_set_boolean_member (data, "has_sessions", ev->sessions->len > 0);
	json_object_set_array_member (data, "sessions", sessions_json (ev));
	json_object_set_array_member (data, "confirmed", participants_json (places));
	json_object_set_array_member (data, "waiting", participants_json (waits));
	json_object_set_boolean_member (data, "has_waiting", n_waiting > 0);
	waiting_pages (data, first, waits->len, n_waiting);
	json_object_set_array_member (data, "needs", json_array_ref (needs));
	json_object_set_boolean_member (data, "has_needs", json_array_get_length (needs) > 0);
	json_object_set_int_member (data, "diet", n_diet);
	json_object_set_int_member (data, "access", n_access);
	json_object_set_int_member (data, "other", n_other);
	set_str (data, "problem", problem);
	title = g_strdup_printf ("Wydarzenie %s", ev->code);
	return web_page (ctx, req, status, "event", title, data);
}

/* --- the sign-in sheet and the attendance list --------------------------------------- */

static WebReply *
sheet_page (WebCtx *ctx, WebRequest *req, const Event *ev)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) people = db_event_places (ctx->p->db, ev->code, &error);
	g_autoptr (JsonObject) data = json_object_new ();
	g_autoptr (JsonArray) rows = json_array_new ();
	g_autoptr (JsonArray) sessions = sessions_json (ev);
	g_autofree char *title = NULL;
	guint columns = MAX (ev->sessions->len, 1);

	if (people == NULL)
		return web_db_error (ctx, req, error);
	for (guint i = 0; i < people->len; i++) {
		JsonObject *o = participant_json (g_ptr_array_index (people, i), i + 1);
		JsonArray *boxes = json_array_new ();

		for (guint k = 0; k < columns; k++)
			json_array_add_object_element (boxes, json_object_new ());
		json_object_set_array_member (o, "boxes", boxes);
		json_array_add_object_element (rows, o);
	}
	json_object_set_string_member (data, "code", ev->code);
	json_object_set_string_member (data, "event_title", ev->title);
	json_object_set_array_member (data, "sessions", json_array_ref (sessions));
	json_object_set_boolean_member (data, "one_session", ev->sessions->len <= 1);
	json_object_set_array_member (data, "rows", json_array_ref (rows));
	title = g_strdup_printf ("Lista obecności %s", ev->code);
	return web_page (ctx, req, 200, "event-sheet", title, data);
}

static WebReply *
attendance_csv (WebCtx *ctx, WebRequest *req, const Event *ev)
{
	g_autoptr (GError) error = NULL;
	/* the sign-in sheet's people: a place, given or asked for */
	g_autoptr (GPtrArray) people = db_event_places (ctx->p->db, ev->code, &error);
	g_autoptr (GPtrArray) marks = people ? db_attendance_of_event (ctx->p->db, ev->code, &error) : NULL;
	g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
	g_autofree char *disposition = NULL;
	WebReply *r;

	if (marks == NULL)
		return web_db_error (ctx, req, error);
	r = web_reply_new (200);
	web_csv_start (r->body);
	for (const char *const *c = (const char *const[]) { "Lp.", "Nazwisko", "Imię", "Instytucja", "E-mail",
		                                            "Telefon", "Kod zgłoszenia", NULL };
	     *c; c++)
		g_ptr_array_add (cells, g_strdup (*c));
	for (guint k = 0; k < ev->sessions->len; k++) {
		const EventSession *s = g_ptr_array_index (ev->sessions, k);
		g_ptr_array_add (cells, s->start ? g_strdup_printf ("Obecność %u (%s)", k + 1, s->start)
		                                 : g_strdup_printf ("Obecność %u", k + 1));
	}
	g_ptr_array_add (cells, g_strdup ("Godziny"));
	g_ptr_array_add (cells, g_strdup ("Podpis"));
	web_csv_row (r->body, (const char *const *) cells->pdata, cells->len);
	for (guint i = 0; i < people->len; i++) {
		const Participant *p = g_ptr_array_index (people, i);

		g_ptr_array_set_size (cells, 0);
		g_ptr_array_add (cells, g_strdup_printf ("%u", i + 1));
		g_ptr_array_add (cells, g_strdup (p->last_name));
		g_ptr_array_add (cells, g_strdup (p->first_name));
		g_ptr_array_add (cells, g_strdup (p->institution));
		g_ptr_array_add (cells, g_strdup (p->email));
		g_ptr_array_add (cells, g_strdup (p->phone));
		g_ptr_array_add (cells, g_strdup (p->code));
		for (guint k = 0; k < ev->sessions->len; k++) {
			int mark = programme_attendance_mark (marks, p->code, (int) k + 1);
			g_ptr_array_add (cells, g_strdup (mark < 0 ? "" : mark ? "obecny" : "nieobecny"));
		}
		g_ptr_array_add (cells, g_strdup_printf ("%d", programme_hours_attended (ev, marks, p->code)));
		g_ptr_array_add (cells, NULL);   /* the signature, by hand */
		web_csv_row (r->body, (const char *const *) cells->pdata, cells->len);
	}
	r->content_type = "text/csv; charset=utf-8";
	/* a download, never a page: the code is letters, digits and dashes only */
	disposition = g_strdup_printf ("attachment; filename=\"lista-obecnosci-%s.csv\"", ev->code);
	web_reply_header (r, "Content-Disposition", disposition);
	web_reply_header (r, "Cache-Control", "no-store");
	return r;
}

/* --- the change of a session's date or place --------------------------------------- */

static WebReply *
reschedule (WebCtx *ctx, WebRequest *req, const Event *ev)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *actor = g_strconcat ("web:", req->session->login, NULL);
	g_autofree char *location = g_strdup_printf ("/events/%s", ev->code);
	const char *session = g_hash_table_lookup (req->form, "session");
	const char *end = g_hash_table_lookup (req->form, "end");
	g_autofree char *place = g_strstrip (g_strdup (g_hash_table_lookup (req->form, "place") ?: ""));
	guint64 n = 0;
	guint updates, promoted;

	if (session == NULL || !g_ascii_string_to_unsigned (session, 10, 1, G_MAXUINT, &n, NULL))
		return event_page (ctx, req, ev, 422, "Nie wskazano zajęć do zmiany. Nic nie zostało zmienione.");
	if (!manage_reschedule (ctx->p, ev->code, (guint) n, g_hash_table_lookup (req->form, "start"),
	                        end && *end ? end : NULL, *place ? place : NULL, actor, &updates, &promoted, &error)) {
		if (error->domain == MAILREG_ERROR && error->code == MAILREG_ERROR_USAGE)
			return event_page (ctx, req, ev, 422,
			                   "Podaj początek (i ewentualnie koniec, późniejszy niż początek) jako datę i "
			                   "godzinę, np. 2014-03-06T10:00. Nic nie zostało zmienione.");
		if (error->domain == MAILREG_ERROR && error->code == MAILREG_ERROR_DATA)
			return event_page (ctx, req, ev, 409, "Tych zajęć już nie ma w katalogu. Nic nie zostało zmienione.");
		return web_db_error (ctx, req, error);
	}
	return web_redirect (location);
}

WebReply *
web_events_handle (WebCtx *ctx, WebRequest *req)
{
	gboolean post = strcmp (req->method, "POST") == 0;
	g_autofree char *code = NULL;
	g_autoptr (Event) ev = NULL;
	const char *rest, *slash;
	WebReply *r = NULL;

	if (strcmp (req->path, "/events") == 0)
		return post ? NULL : event_list (ctx, req);
	if (!g_str_has_prefix (req->path, "/events/"))
		return NULL;
	rest = req->path + 8;
	slash = strchr (rest, '/');
	code = slash ? g_strndup (rest, slash - rest) : g_strdup (rest);
	if ((ev = event_of (ctx, req, code, &r)) == NULL)
		return r;
	if (slash == NULL)
		return post ? (g_strcmp0 (g_hash_table_lookup (req->form, "action"), "reschedule") == 0
		                       ? reschedule (ctx, req, ev)
		                       : NULL)
		            : event_page (ctx, req, ev, 200, NULL);
	if (post)
		return NULL;
	if (strcmp (slash, "/sheet") == 0)
		return sheet_page (ctx, req, ev);
	if (strcmp (slash, "/attendance.csv") == 0)
		return attendance_csv (ctx, req, ev);
	return NULL;
}

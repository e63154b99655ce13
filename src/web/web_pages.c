/* web_pages.c - the console's pages: one handler per path, each reading
 * through the store's domain functions and rendering a template of
 * templates/web/.
 *
 * /login is the only page served without a session (and /static/); every
 * POST carries the session's CSRF token (the login form a token of its own,
 * in a cookie), checked before anything else: a POST without it, or with
 * another session's, changes nothing and is answered 403.
 */
#define G_LOG_DOMAIN "web"
#include "web/web_private.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/errors.h"

/* --- helpers ---------------------------------------------------------------- */

static void
set_cookie (WebCtx *ctx, WebReply *r, const char *name, const char *value, gboolean clear)
{
	g_autofree char *c = g_strdup_printf ("%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, clear ? "" : value,
	                                      ctx->secure ? "; Secure" : "", clear ? "; Max-Age=0" : "");

	web_reply_header (r, "Set-Cookie", c);
}

WebReply *
web_page (WebCtx *ctx, WebRequest *req, guint status, const char *name, const char *title, JsonObject *data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) layout = json_object_new ();
	g_autofree char *body = NULL, *html = NULL;
	WebReply *r;

	json_object_set_string_member (data, "title", title);
	json_object_set_string_member (layout, "title", title);
	if (req->session != NULL) {
		json_object_set_string_member (layout, "user", req->session->name);
		json_object_set_string_member (layout, "csrf", req->session->csrf);
		json_object_set_string_member (data, "csrf", req->session->csrf);
	}
	if ((body = web_render (ctx->tmpl_dir, name, data, NULL, &error)) == NULL ||
	    (html = web_render (ctx->tmpl_dir, "layout", layout, body, &error)) == NULL) {
		g_warning ("%s", error->message);
		r = web_reply_new (500);
		g_string_append (r->body, "Błąd szablonu strony: szczegóły w dzienniku.\n");
		r->content_type = "text/plain; charset=utf-8";
		return r;
	}
	r = web_reply_new (status);
	g_string_append (r->body, html);
	/* every page but the static files shows personal data or a form token */
	web_reply_header (r, "Cache-Control", "no-store");
	return r;
}

WebReply *
web_message_page (WebCtx *ctx, WebRequest *req, guint status, const char *title, const char *text)
{
	g_autoptr (JsonObject) data = json_object_new ();

	json_object_set_string_member (data, "message", text);
	return web_page (ctx, req, status, "message", title, data);
}

static WebReply *
forbidden (WebCtx *ctx, WebRequest *req)
{
	g_info ("refused a %s to %s: no valid form token", req->method, req->session ? "a session" : "no session");
	return web_message_page (ctx, req, 403, "Odmowa",
	                     "Formularz wygasł lub nie pochodzi z tej sesji. Nic nie zostało zmienione. "
	                     "Odśwież stronę i spróbuj ponownie.");
}

static WebReply *
db_failed (WebCtx *ctx, WebRequest *req, GError *error)
{
	g_warning ("%s", error->message);
	return web_message_page (ctx, req, 500, "Błąd", "Baza danych nie odpowiedziała. Spróbuj ponownie za chwilę.");
}

static const char *
field (WebRequest *req, const char *name)
{
	return req->form ? g_hash_table_lookup (req->form, name) : NULL;
}

/* --- /static/ -------------------------------------------------------------- */

static WebReply *
static_file (WebCtx *ctx, WebRequest *req)
{
	g_autofree char *path = NULL, *data = NULL;
	gsize len;
	WebReply *r;

	/* one known file: no path from the request reaches the file system */
	if (strcmp (req->path, "/static/style.css") != 0)
		return NULL;
	path = g_build_filename (ctx->tmpl_dir, "style.css", NULL);
	if (!g_file_get_contents (path, &data, &len, NULL))
		return NULL;
	r = web_reply_new (200);
	r->content_type = "text/css; charset=utf-8";
	g_string_append_len (r->body, data, len);
	web_reply_header (r, "Cache-Control", "max-age=3600");
	return r;
}

/* --- /login, /logout ---------------------------------------------------------- */

static WebReply *
login_form (WebCtx *ctx, WebRequest *req, guint status, const char *problem, const char *login)
{
	g_autoptr (JsonObject) data = json_object_new ();
	/* the browser's token stays: another tab or a favicon fetch that lands
	 * here must not spoil the form already shown */
	g_autofree char *token = req->login_cookie != NULL && strlen (req->login_cookie) == 64 &&
	                                 strspn (req->login_cookie, "0123456789abcdef") == 64
	                             ? g_strdup (req->login_cookie)
	                             : web_token ();
	WebReply *r;

	json_object_set_string_member (data, "login_csrf", token);
	if (problem != NULL)
		json_object_set_string_member (data, "problem", problem);
	if (login != NULL)
		json_object_set_string_member (data, "login", login);
	r = web_page (ctx, req, status, "login", "Logowanie", data);
	set_cookie (ctx, r, ctx->login_cookie, token, FALSE);
	return r;
}

static WebReply *
login_post (WebCtx *ctx, WebRequest *req)
{
	g_autoptr (StaffRow) staff = NULL;
	g_autofree char *id = NULL;
	const char *login = field (req, "login");
	WebReply *r;

	if (!web_token_equal (req->login_cookie, field (req, "csrf")))
		return login_form (ctx, req, 403, "Formularz logowania wygasł. Zaloguj się ponownie.", NULL);
	switch (web_login_check (ctx, login, field (req, "password"), req->addr, &staff)) {
	case WEB_LOGIN_OK:
		break;
	case WEB_LOGIN_LOCKED:
		return login_form (ctx, req, 403,
		                   "Konto jest zablokowane na 15 minut po 10 nieudanych próbach logowania. "
		                   "Spróbuj ponownie później.", login);
	case WEB_LOGIN_ADDR_LOCKED:
		return login_form (ctx, req, 429,
		                   "Zbyt wiele nieudanych prób logowania z tego adresu. Spróbuj ponownie za 15 minut.", login);
	case WEB_LOGIN_ERROR:
		return login_form (ctx, req, 500, "Logowanie chwilowo niemożliwe. Spróbuj ponownie za chwilę.", login);
	case WEB_LOGIN_BAD:
	default:
		return login_form (ctx, req, 403, "Nieprawidłowy login lub hasło.", login);
	}
	/* a new session id at every login: a planted cookie is never promoted */
	if (req->session != NULL)
		web_session_end (ctx, req->session_key);
	web_session_new (ctx, staff, &id);
	g_message ("a staff member logged in");
	r = web_redirect ("/");
	set_cookie (ctx, r, ctx->cookie, id, FALSE);
	set_cookie (ctx, r, ctx->login_cookie, NULL, TRUE);
	return r;
}

static WebReply *
logout (WebCtx *ctx, WebRequest *req)
{
	WebReply *r;

	if (!web_csrf_ok (req->session, field (req, "csrf")))
		return forbidden (ctx, req);
	web_session_end (ctx, req->session_key);
	req->session = NULL;
	r = web_redirect ("/login");
	set_cookie (ctx, r, ctx->cookie, NULL, TRUE);
	return r;
}

/* --- / ------------------------------------------------------------------------ */

static WebReply *
dashboard (WebCtx *ctx, WebRequest *req)
{
	static const char *const outcome_pl[] = { "zarejestrowane", "odrzucone", "do przejrzenia", "pominięte",
		                                  "powtórzone" };
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) data = json_object_new ();
	g_autoptr (JsonArray) outcomes = json_array_new ();
	g_autoptr (JsonArray) events = json_array_new ();
	g_autoptr (JsonArray) consulting = json_array_new ();
	g_autoptr (StatusCounts) st = NULL;
	g_autoptr (GPtrArray) evs = NULL;
	g_autoptr (GDateTime) now = clock_now ();
	g_autoptr (GDateTime) midnight = g_date_time_new (g_date_time_get_timezone (now), g_date_time_get_year (now),
	                                                  g_date_time_get_month (now),
	                                                  g_date_time_get_day_of_month (now), 0, 0, 0);
	g_autoptr (GDateTime) midnight_utc = g_date_time_to_utc (midnight);
	g_autoptr (GDateTime) now_utc = g_date_time_to_utc (now);
	g_autofree char *since = g_date_time_format (midnight_utc, "%Y-%m-%dT%H:%M:%SZ");
	g_autofree char *until = g_date_time_format (now_utc, "%Y-%m-%dT%H:%M:%S~");
	int total[5];

	if (!db_message_counts (ctx->p->db, total, &error) || (st = db_status_counts (ctx->p->db, &error)) == NULL ||
	    (evs = db_events_list (ctx->p->db, &error)) == NULL)
		return db_failed (ctx, req, error);
	for (int o = 0; o < 5; o++) {
		JsonObject *row = json_object_new ();
		int today = db_messages_count_since (ctx->p->db, outcome_name (o), since, until, &error);
		if (today < 0)
			return db_failed (ctx, req, error);
		json_object_set_string_member (row, "outcome", outcome_pl[o]);
		json_object_set_int_member (row, "today", today);
		json_object_set_int_member (row, "total", total[o]);
		json_array_add_object_element (outcomes, row);
	}
	for (guint i = 0; i < evs->len; i++) {
		const Event *ev = g_ptr_array_index (evs, i);
		JsonObject *row = json_object_new ();
		if (g_strcmp0 (ev->kind, "consulting") == 0) {
			int used = db_event_hours_used (ctx->p->db, ev->code, &error);
			if (used < 0) {
				json_object_unref (row);
				return db_failed (ctx, req, error);
			}
			json_object_set_string_member (row, "code", ev->code);
			json_object_set_string_member (row, "title", ev->title);
			json_object_set_int_member (row, "topic", ev->topic);
			json_object_set_int_member (row, "hours", ev->hours);
			json_object_set_int_member (row, "used", used);
			json_object_set_int_member (row, "left", MAX (ev->hours - used, 0));
			json_array_add_object_element (consulting, row);
			continue;
		}
		json_object_set_string_member (row, "code", ev->code);
		json_object_set_string_member (row, "title", ev->title);
		json_object_set_int_member (row, "seats", ev->seats);
		json_object_set_int_member (row, "taken", ev->taken);
		/* a place offered and not yet answered is not free */
		json_object_set_int_member (row, "free", MAX (ev->seats - ev->taken - ev->offered, 0));
		json_object_set_int_member (row, "waitlist", ev->waitlist);
		json_array_add_object_element (events, row);
	}
	json_object_set_array_member (data, "outcomes", json_array_ref (outcomes));
	json_object_set_array_member (data, "events", json_array_ref (events));
	json_object_set_array_member (data, "consulting", json_array_ref (consulting));
	json_object_set_boolean_member (data, "has_consulting", json_array_get_length (consulting) > 0);
	json_object_set_int_member (data, "review", st->review);
	json_object_set_int_member (data, "queued", st->queued);
	json_object_set_int_member (data, "deferred", st->deferred);
	json_object_set_int_member (data, "failed", st->failed);
	return web_page (ctx, req, 200, "dashboard", "Pulpit", data);
}

/* --- /outbox ------------------------------------------------------------------------ */

static WebReply *
outbox_page (WebCtx *ctx, WebRequest *req, guint status, const char *notice)
{
	static const char *const state_pl[][2] = { { "queued", "w kolejce" }, { "deferred", "odłożona" },
		                                   { "failed", "nieudana" } };
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) rows = db_outbox_waiting_list (ctx->p->db, &error);
	g_autoptr (JsonObject) data = json_object_new ();
	g_autoptr (JsonArray) items = json_array_new ();

	if (rows == NULL)
		return db_failed (ctx, req, error);
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		JsonObject *o = json_object_new ();
		const char *state = g_hash_table_lookup (r, "state");
		for (const char *const *c = (const char *const[]) { "id", "kind", "to", "subject", "attempts", "last_code",
		                                                    "last_error", "created_at", "next_attempt_at", NULL };
		     *c; c++)
			if (g_hash_table_lookup (r, *c) != NULL)
				json_object_set_string_member (o, *c, g_hash_table_lookup (r, *c));
		for (gsize k = 0; k < G_N_ELEMENTS (state_pl); k++)
			if (g_strcmp0 (state, state_pl[k][0]) == 0)
				json_object_set_string_member (o, "state", state_pl[k][1]);
		json_object_set_boolean_member (o, "deferred", g_strcmp0 (state, "deferred") == 0);
		json_array_add_object_element (items, o);
	}
	json_object_set_array_member (data, "items", json_array_ref (items));
	if (notice != NULL)
		json_object_set_string_member (data, "notice", notice);
	return web_page (ctx, req, status, "outbox", "Poczta wychodząca", data);
}

/* "Retry now": the deferred reply is due at once, in one transaction with
 * its audit row; the daemon's next round sends it. */
static WebReply *
outbox_retry (WebCtx *ctx, WebRequest *req, gint64 id)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *actor = g_strconcat ("web:", req->session->login, NULL);
	g_autofree char *record = g_strdup_printf ("outbox:%" G_GINT64_FORMAT, id);

	if (g_strcmp0 (field (req, "action"), "retry") != 0)
		return NULL;
	if (!db_begin (ctx->p->db, &error))
		return db_failed (ctx, req, error);
	if (!db_outbox_retry_now (ctx->p->db, id, web_now (), &error) ||
	    !db_audit_add (ctx->p->db, actor, "outbox.retry", record, NULL, &error) || !db_commit (ctx->p->db, &error)) {
		db_rollback (ctx->p->db);
		if (error->domain == MAILREG_ERROR && error->code == MAILREG_ERROR_DATA)
			return outbox_page (ctx, req, 409, "Ta wiadomość nie czeka już na ponowną próbę. Nic nie zmieniono.");
		return db_failed (ctx, req, error);
	}
	g_message ("outbox %" G_GINT64_FORMAT ": retry now, asked by a staff member", id);
	return web_redirect ("/outbox");
}

/* --- /audit --------------------------------------------------------------------- */

static WebReply *
audit (WebCtx *ctx, WebRequest *req)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) rows = db_audit_list (ctx->p->db, 500, &error);
	g_autoptr (JsonObject) data = json_object_new ();
	g_autoptr (JsonArray) items = json_array_new ();

	if (rows == NULL)
		return db_failed (ctx, req, error);
	for (guint i = 0; i < rows->len; i++) {
		const AuditRow *a = g_ptr_array_index (rows, i);
		JsonObject *o = json_object_new ();
		json_object_set_string_member (o, "at", a->at);
		json_object_set_string_member (o, "actor", a->actor);
		json_object_set_string_member (o, "action", a->action);
		if (a->record != NULL)
			json_object_set_string_member (o, "record", a->record);
		if (a->detail != NULL)
			json_object_set_string_member (o, "detail", a->detail);
		/* a message's record links to its page: ids only in the address */
		if (a->record != NULL && g_str_has_prefix (a->record, "message:"))
			json_object_set_string_member (o, "review_id", a->record + 8);
		json_array_add_object_element (items, o);
	}
	json_object_set_array_member (data, "items", json_array_ref (items));
	return web_page (ctx, req, 200, "audit", "Dziennik działań", data);
}

/* --- dispatch ------------------------------------------------------------------ */

WebReply *
web_pages_handle (WebCtx *ctx, WebRequest *req)
{
	gboolean post = strcmp (req->method, "POST") == 0;
	gint64 id = 0;
	char tail;
	WebReply *r;

	if (g_str_has_prefix (req->path, "/static/") && !post)
		return (r = static_file (ctx, req)) ? r : web_message_page (ctx, req, 404, "Nie ma takiej strony", "Nie ma takiej strony.");
	if (strcmp (req->path, "/login") == 0)
		return post ? login_post (ctx, req) : login_form (ctx, req, 200, NULL, NULL);
	if (!post && strcmp (req->path, "/favicon.ico") == 0)
		return web_message_page (ctx, req, 404, "Nie ma takiej strony", "Nie ma takiej strony.");
	if (req->session == NULL)
		return post ? forbidden (ctx, req) : web_redirect ("/login");
	if (post && strcmp (req->path, "/logout") == 0)
		return logout (ctx, req);
	/* no state-changing POST goes further without the session's token */
	if (post && !web_csrf_ok (req->session, field (req, "csrf")))
		return forbidden (ctx, req);
	if (!post && strcmp (req->path, "/") == 0)
		return dashboard (ctx, req);
	if (!post && strcmp (req->path, "/audit") == 0)
		return audit (ctx, req);
	if (!post && strcmp (req->path, "/outbox") == 0)
		return outbox_page (ctx, req, 200, NULL);
	if (post && sscanf (req->path, "/outbox/%" G_GINT64_MODIFIER "d%c", &id, &tail) == 1 && id > 0 &&
	    (r = outbox_retry (ctx, req, id)) != NULL)
		return r;
	if ((r = web_events_handle (ctx, req)) != NULL || (r = web_applicants_handle (ctx, req)) != NULL)
		return r;
	if ((r = web_review_handle (ctx, req)) != NULL)
		return r;
	return web_message_page (ctx, req, 404, "Nie ma takiej strony", "Nie ma takiej strony.");
}

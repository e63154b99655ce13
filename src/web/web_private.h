/* web_private.h - what the console's files share: the server state, one
 * request and its reply, sessions, and the HTML helpers. */
#ifndef MAILREG_WEB_PRIVATE_H
#define MAILREG_WEB_PRIVATE_H

#include <json-glib/json-glib.h>

#include "register/register.h"
#include "web/web.h"

#define WEB_LOCK_AFTER 10           /* wrong passwords in a row lock an account */
#define WEB_LOCK_SECONDS (15 * 60)
#define WEB_ADDR_FAILS 20           /* wrong passwords from one address ... */
#define WEB_ADDR_WINDOW (15 * 60)   /* ... within this refuse it for the rest of the window */
#define WEB_SESSION_MAX (12 * 3600) /* absolute session lifetime */
#define WEB_MAX_BODY (256 * 1024)   /* bytes of a request body */
#define WEB_LIST_PAGE 100           /* rows of a long list on one page (a waiting list) */

typedef struct {
	char *login;
	char *name;           /* display name, or the login */
	char *csrf;           /* the synchronizer token of its forms */
	gint64 created;       /* web_now */
	gint64 last_seen;
} WebSession;

typedef struct {
	Config *cfg;
	Pipeline *p;          /* its own: p->db is the console's connection */
	char *tmpl_dir;       /* <templates>/web */
	gboolean secure;      /* cookies Secure + __Host-: TLS here or at the proxy */
	const char *cookie;   /* "mailreg" or "__Host-mailreg" */
	const char *login_cookie;
	GHashTable *sessions;   /* SHA-256 of the id -> WebSession* */
	GHashTable *addr_fails; /* client address -> WebAddrFails* */
	char *dummy_hash;       /* verified against for unknown logins: the same time */
} WebCtx;

/* One request as the handlers see it. */
typedef struct {
	const char *method;
	const char *path;
	const char *addr;          /* the client's address, text */
	GHashTable *form;          /* POST fields (name -> value), or NULL */
	const char *cookie;        /* the session cookie's value, or NULL */
	const char *login_cookie;
	guint from;                /* ?od=N: the first place of a long list to show (1 first); 0: not given */
	WebSession *session;       /* NULL when none */
	const char *session_key;   /* its key in WebCtx.sessions */
} WebRequest;

/* What a handler answers. */
typedef struct {
	guint status;
	GString *body;
	const char *content_type;   /* static */
	GPtrArray *headers;         /* name, value, name, value ... (transfer full strings) */
} WebReply;

WebReply *web_reply_new (guint status);
void web_reply_free (WebReply *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WebReply, web_reply_free)
void web_reply_header (WebReply *r, const char *name, const char *value);
/* 303 See Other to @location (a path of the console). */
WebReply *web_redirect (const char *location);

/* --- web_html.c --- */
/* Append @s to @out with & < > " ' as entities: the one escaping function. */
void web_escape (GString *out, const char *s);
/* Render template text @tpl with @data (borrowed); {{>content}} inserts
 * @content as it is.  (transfer full) NULL with MAILREG_ERROR_DATA when the
 * template is malformed. */
char *web_render_string (const char *tpl, JsonObject *data, const char *content, GError **error);
/* The same for the file @dir/@name.html. */
char *web_render (const char *dir, const char *name, JsonObject *data, const char *content, GError **error);

/* --- web_auth.c --- */
/* Seconds since the epoch as the console sees them: clock_now_unix, in test
 * builds shifted by the seconds in $MAILREG_WEB_SKEW_FILE (read at each call),
 * so expiry is tested without waiting. */
gint64 web_now (void);
/* A new random token: 32 bytes from randombytes, hex.  (transfer full) */
char *web_token (void);
/* Find the session of cookie value @id, dropping it when idle or too old;
 * refreshes its last use.  *@key (transfer none) its table key.  NULL when none. */
WebSession *web_session_find (WebCtx *ctx, const char *id, const char **key);
/* A new session for @staff; *@id (transfer full) is the cookie value. */
WebSession *web_session_new (WebCtx *ctx, const StaffRow *staff, char **id);
void web_session_end (WebCtx *ctx, const char *key);
/* TRUE when @token is the session's CSRF token (constant time). */
gboolean web_csrf_ok (const WebSession *s, const char *token);
/* TRUE when @a and @b are equal non-empty strings (constant time). */
gboolean web_token_equal (const char *a, const char *b);

typedef enum { WEB_LOGIN_OK, WEB_LOGIN_BAD, WEB_LOGIN_LOCKED, WEB_LOGIN_ADDR_LOCKED, WEB_LOGIN_ERROR } WebLogin;
/* Check @login / @password from @addr with both throttles; *@staff (transfer
 * full) on WEB_LOGIN_OK. */
WebLogin web_login_check (WebCtx *ctx, const char *login, const char *password, const char *addr,
                          StaffRow **staff);

/* --- web_pages.c --- */
/* Answer @req (session already checked: NULL only for /login). */
WebReply *web_pages_handle (WebCtx *ctx, WebRequest *req);
/* The page @name rendered into the layout with @data (the layout's title,
 * the user, the logout form's token are added).  On a template error, a 500. */
WebReply *web_page (WebCtx *ctx, WebRequest *req, guint status, const char *name, const char *title,
                    JsonObject *data);

/* A page of one sentence @text under @title. */
WebReply *web_message_page (WebCtx *ctx, WebRequest *req, guint status, const char *title, const char *text);

/* --- web_review.c --- */
/* /review, /review/ID and its attachments and actions; NULL when @req is
 * for none of them. */
WebReply *web_review_handle (WebCtx *ctx, WebRequest *req);

/* --- web_applicants.c --- */
/* /applicants (search), /applicants/ID, /applicants/ID/forget and the
 * actions on an applicant; NULL when @req is for none of them. */
WebReply *web_applicants_handle (WebCtx *ctx, WebRequest *req);
/* The page saying the database failed; @error is logged. */
WebReply *web_db_error (WebCtx *ctx, WebRequest *req, const GError *error);
/* The Polish of @word in @table (@n pairs: English word, Polish), else
 * @word itself ("" for NULL).  (transfer none) */
const char *web_word_pl (const char *const table[][2], gsize n, const char *word);
/* A registration's status as staff read it ("potwierdzone", ...).  (static) */
const char *web_status_pl (const char *status);
/* Unix time @t as the clocks in Poland show it, "05.12.2026 10:30".  (transfer full) */
char *web_time (gint64 t);

/* --- web_events.c --- */
/* /events, /events/CODE, its sign-in sheet, attendance.csv and the change
 * of a session's date or place; NULL when @req is for none of them. */
WebReply *web_events_handle (WebCtx *ctx, WebRequest *req);

/* --- web_csv.c --- */
/* Start a CSV file: the UTF-8 byte-order mark. */
void web_csv_start (GString *out);
/* Append one row of @n @cells (NULL: empty) to @out: ';'-separated, every cell
 * quoted, a cell starting with = + - @ (or tab, CR) behind an apostrophe,
 * CRLF at the end. */
void web_csv_row (GString *out, const char *const *cells, gsize n);

#endif

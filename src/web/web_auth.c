/* web_auth.c - who is at the console: password hashes (argon2id), sessions
 * with idle and absolute expiry, CSRF tokens, and the throttles on wrong
 * passwords (per account in the store, per client address here).
 *
 * Everything here runs on the console's one server thread: the tables need
 * no lock.
 */
#define G_LOG_DOMAIN "web"
#include "web/web_private.h"

#include <sodium.h>
#include <string.h>

#include "core/clock.h"
#include "core/errors.h"

typedef struct {
	int count;
	gint64 since;
} WebAddrFails;

char *
web_password_hash (const char *password, GError **error)
{
	char out[crypto_pwhash_STRBYTES];

	if (sodium_init () < 0 ||
	    crypto_pwhash_str (out, password, strlen (password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                       crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_OS, "web: cannot hash the password (out of memory)");
		return NULL;
	}
	return g_strdup (out);
}

gint64
web_now (void)
{
	gint64 now = clock_now_unix ();
#ifdef MAILREG_FAULTS
	const char *skew_file = g_getenv ("MAILREG_WEB_SKEW_FILE");
	g_autofree char *skew = NULL;

	if (skew_file != NULL && g_file_get_contents (skew_file, &skew, NULL, NULL))
		now += g_ascii_strtoll (skew, NULL, 10);
#endif
	return now;
}

char *
web_token (void)
{
	unsigned char raw[32];
	char hex[sizeof raw * 2 + 1];

	randombytes_buf (raw, sizeof raw);
	sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
	return g_strdup (hex);
}

gboolean
web_token_equal (const char *a, const char *b)
{
	gsize n;

	if (a == NULL || b == NULL || *a == '\0' || (n = strlen (a)) != strlen (b))
		return FALSE;
	return sodium_memcmp (a, b, n) == 0;
}

gboolean
web_csrf_ok (const WebSession *s, const char *token)
{
	return s != NULL && web_token_equal (s->csrf, token);
}

static void
session_free (gpointer data)
{
	WebSession *s = data;

	g_free (s->login);
	g_free (s->name);
	g_free (s->csrf);
	g_free (s);
}

/* Sessions are kept under the hash of their id: the table never holds a
 * cookie that would let someone reading memory dumps log in. */
static char *
session_key (const char *id)
{
	return g_compute_checksum_for_string (G_CHECKSUM_SHA256, id, -1);
}

WebSession *
web_session_find (WebCtx *ctx, const char *id, const char **key)
{
	g_autofree char *k = NULL;
	gpointer orig_key = NULL, value = NULL;
	WebSession *s;
	gint64 now = web_now ();

	if (ctx->sessions == NULL)
		ctx->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, session_free);
	if (id == NULL || strlen (id) != 64)
		return NULL;
	k = session_key (id);
	if (!g_hash_table_lookup_extended (ctx->sessions, k, &orig_key, &value))
		return NULL;
	s = value;
	if (now - s->last_seen > (gint64) ctx->cfg->web_session_idle || now - s->created > WEB_SESSION_MAX ||
	    now < s->created) {
		g_info ("a session expired");
		g_hash_table_remove (ctx->sessions, k);
		return NULL;
	}
	s->last_seen = now;
	*key = orig_key;
	return s;
}

WebSession *
web_session_new (WebCtx *ctx, const StaffRow *staff, char **id)
{
	WebSession *s = g_new0 (WebSession, 1);
	GHashTableIter it;
	gpointer value;
	gint64 now = web_now ();

	if (ctx->sessions == NULL)
		ctx->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, session_free);
	/* a login is a good moment to forget the sessions nobody ended */
	g_hash_table_iter_init (&it, ctx->sessions);
	while (g_hash_table_iter_next (&it, NULL, &value)) {
		WebSession *old = value;
		if (now - old->last_seen > (gint64) ctx->cfg->web_session_idle || now - old->created > WEB_SESSION_MAX)
			g_hash_table_iter_remove (&it);
	}
	s->login = g_strdup (staff->login);
	s->name = g_strdup (staff->name ? staff->name : staff->login);
	s->csrf = web_token ();
	s->created = s->last_seen = now;
	*id = web_token ();
	g_hash_table_insert (ctx->sessions, session_key (*id), s);
	return s;
}

void
web_session_end (WebCtx *ctx, const char *key)
{
	g_hash_table_remove (ctx->sessions, key);
}

/* One more wrong password from @addr; TRUE when it is over the limit. */
static gboolean
addr_failed (WebCtx *ctx, const char *addr, gint64 now)
{
	WebAddrFails *f = g_hash_table_lookup (ctx->addr_fails, addr);

	if (f == NULL) {
		f = g_new0 (WebAddrFails, 1);
		g_hash_table_insert (ctx->addr_fails, g_strdup (addr), f);
	}
	if (now - f->since > WEB_ADDR_WINDOW) {
		f->count = 0;
		f->since = now;
	}
	return ++f->count >= WEB_ADDR_FAILS;
}

static gboolean
addr_locked (WebCtx *ctx, const char *addr, gint64 now)
{
	WebAddrFails *f = g_hash_table_lookup (ctx->addr_fails, addr);

	return f != NULL && now - f->since <= WEB_ADDR_WINDOW && f->count >= WEB_ADDR_FAILS;
}

WebLogin
web_login_check (WebCtx *ctx, const char *login, const char *password, const char *addr, StaffRow **staff)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (StaffRow) row = NULL;
	gint64 now = web_now ();
	gboolean good;
	int locked;

	if (ctx->addr_fails == NULL)
		ctx->addr_fails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	if (addr_locked (ctx, addr, now))
		return WEB_LOGIN_ADDR_LOCKED;
	if (login == NULL || password == NULL)
		return WEB_LOGIN_BAD;
	row = db_staff_get (ctx->p->db, login, &error);
	if (error != NULL) {
		g_warning ("%s", error->message);
		return WEB_LOGIN_ERROR;
	}
	if (row != NULL && row->locked_until > now)
		return WEB_LOGIN_LOCKED;
	/* an unknown login costs the same hash as a known one */
	good = crypto_pwhash_str_verify (row ? row->pwhash : ctx->dummy_hash, password, strlen (password)) == 0;
	if (good && row != NULL && !row->disabled) {
		if (!db_staff_login_ok (ctx->p->db, row->id, &error)) {
			g_warning ("%s", error->message);
			return WEB_LOGIN_ERROR;
		}
		*staff = g_steal_pointer (&row);
		return WEB_LOGIN_OK;
	}
	addr_failed (ctx, addr, now);
	if (row == NULL || row->disabled)
		return WEB_LOGIN_BAD;
	locked = db_staff_login_failed (ctx->p->db, row->id, WEB_LOCK_AFTER, now + WEB_LOCK_SECONDS, &error);
	if (locked < 0) {
		g_warning ("%s", error->message);
		return WEB_LOGIN_ERROR;
	}
	if (locked == 1) {
		g_message ("a staff account is locked for %d minutes after %d wrong passwords", WEB_LOCK_SECONDS / 60,
		           WEB_LOCK_AFTER);
		return WEB_LOGIN_LOCKED;
	}
	return WEB_LOGIN_BAD;
}

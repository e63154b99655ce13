/* web.c - the console's HTTP server: libmicrohttpd on its internal polling
 * thread (one thread, so the console's database connection and session
 * table are only ever used from it), TLS from files, bounded requests.
 *
 * Every answer carries the same security headers; requests without a valid
 * session reach only /login and /static/.  The access log names method,
 * route and status, never a person (paths hold ids only) nor a query.
 */
#define G_LOG_DOMAIN "web"
#include "web/web_private.h"

#include <errno.h>
#include <gio/gio.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/errors.h"

#if MHD_VERSION < 0x00097002
typedef int MhdResult;
#else
typedef enum MHD_Result MhdResult;
#endif

#define WEB_NICE 10   /* the console thread's nice value */

struct WebServer {
	WebCtx ctx;
	struct MHD_Daemon *daemon;
	char *cert, *key;   /* PEM, kept while the daemon runs */
};

/* --- replies --------------------------------------------------------------- */

WebReply *
web_reply_new (guint status)
{
	WebReply *r = g_new0 (WebReply, 1);

	r->status = status;
	r->body = g_string_new (NULL);
	r->content_type = "text/html; charset=utf-8";
	r->headers = g_ptr_array_new_with_free_func (g_free);
	return r;
}

void
web_reply_free (WebReply *r)
{
	if (r == NULL)
		return;
	g_string_free (r->body, TRUE);
	g_ptr_array_unref (r->headers);
	g_free (r);
}

void
web_reply_header (WebReply *r, const char *name, const char *value)
{
	g_ptr_array_add (r->headers, g_strdup (name));
	g_ptr_array_add (r->headers, g_strdup (value));
}

WebReply *
web_redirect (const char *location)
{
	WebReply *r = web_reply_new (303);

	web_reply_header (r, "Location", location);
	return r;
}

/* --- one connection's request ---------------------------------------------- */

typedef struct {
	GString *body;
	gboolean too_big;
} Upload;

static void
request_completed (void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	Upload *up = *con_cls;

	if (up == NULL)
		return;
	/* a body may hold a password: gone from memory with the request */
	sodium_memzero (up->body->str, up->body->len);
	g_string_free (up->body, TRUE);
	g_free (up);
	*con_cls = NULL;
}

/* application/x-www-form-urlencoded: name -> value (the first of each name);
 * pairs that do not decode to UTF-8 are left out. */
static GHashTable *
parse_form (const GString *body)
{
	GHashTable *form = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_auto (GStrv) pairs = g_strsplit (body->str, "&", -1);

	for (char **p = pairs; *p; p++) {
		char *eq = strchr (*p, '=');
		g_autofree char *name = NULL, *value = NULL;
		if (eq == NULL)
			continue;
		*eq = '\0';
		g_strdelimit (*p, "+", ' ');
		g_strdelimit (eq + 1, "+", ' ');
		name = g_uri_unescape_string (*p, NULL);
		value = g_uri_unescape_string (eq + 1, NULL);
		if (name == NULL || value == NULL || !g_utf8_validate (name, -1, NULL) ||
		    !g_utf8_validate (value, -1, NULL) || g_hash_table_contains (form, name))
			continue;
		g_hash_table_insert (form, g_steal_pointer (&name), g_steal_pointer (&value));
	}
	sodium_memzero (body->str, body->len);
	return form;
}

static char *
client_addr (struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info (conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	g_autoptr (GSocketAddress) sa = NULL;

	if (info == NULL || info->client_addr == NULL)
		return g_strdup ("?");
	sa = g_socket_address_new_from_native (info->client_addr, info->client_addr->sa_family == AF_INET6
	                                                             ? sizeof (struct sockaddr_in6)
	                                                             : sizeof (struct sockaddr_in));
	if (sa == NULL || !G_IS_INET_SOCKET_ADDRESS (sa))
		return g_strdup ("?");
	return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sa)));
}

static MhdResult
send_reply (struct MHD_Connection *conn, WebReply *r)
{
	/* the body is handed over, not copied: a long list is hundreds of KB */
	gsize len = r->body->len;
	char *body = g_string_free (g_steal_pointer (&r->body), FALSE);
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback (len, body, g_free);
	MhdResult ret;

	r->body = g_string_new (NULL);   /* web_reply_free's */
	if (resp == NULL) {
		g_free (body);
		return MHD_NO;
	}
	MHD_add_response_header (resp, "Content-Type", r->content_type);
	/* OWASP: no script at all, no framing, no sniffing, no referrer */
	MHD_add_response_header (resp, "Content-Security-Policy",
	                         "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
	                         "frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header (resp, "X-Frame-Options", "DENY");
	MHD_add_response_header (resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header (resp, "Referrer-Policy", "no-referrer");
	for (guint i = 0; i + 1 < r->headers->len; i += 2)
		MHD_add_response_header (resp, g_ptr_array_index (r->headers, i), g_ptr_array_index (r->headers, i + 1));
	ret = MHD_queue_response (conn, r->status, resp);
	MHD_destroy_response (resp);
	return ret;
}

static WebReply *
plain_reply (guint status, const char *text)
{
	WebReply *r = web_reply_new (status);

	r->content_type = "text/plain; charset=utf-8";
	g_string_append (r->body, text);
	web_reply_header (r, "Cache-Control", "no-store");
	return r;
}

/* ?od=N where a long list is paged: a place from 1 on; anything else is ignored. */
static guint
list_from (const char *value)
{
	guint64 n;

	return value != NULL && g_ascii_string_to_unsigned (value, 10, 1, G_MAXINT32, &n, NULL) ? (guint) n : 0;
}

static WebReply *
dispatch (WebCtx *ctx, struct MHD_Connection *conn, const char *method, const char *url, Upload *up)
{
	g_autoptr (GHashTable) form = NULL;
	g_autofree char *addr = client_addr (conn);
	WebRequest req = { .method = method, .path = url, .addr = addr };
	const char *ctype = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

	if (up->too_big)
		return plain_reply (413, "Za duże żądanie.\n");
	if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0 && strcmp (method, "POST") != 0) {
		WebReply *r = plain_reply (405, "Niedozwolona metoda.\n");
		web_reply_header (r, "Allow", "GET, HEAD, POST");
		return r;
	}
	if (strcmp (method, "POST") == 0) {
		if (ctype == NULL || g_ascii_strncasecmp (ctype, "application/x-www-form-urlencoded", 33) != 0)
			return plain_reply (415, "Oczekiwano formularza.\n");
		req.form = form = parse_form (up->body);
	}
	req.from = list_from (MHD_lookup_connection_value (conn, MHD_GET_ARGUMENT_KIND, "od"));
	req.cookie = MHD_lookup_connection_value (conn, MHD_COOKIE_KIND, ctx->cookie);
	req.login_cookie = MHD_lookup_connection_value (conn, MHD_COOKIE_KIND, ctx->login_cookie);
	req.session = web_session_find (ctx, req.cookie, &req.session_key);
	return web_pages_handle (ctx, &req);
}

/* Intake and delivery never wait for a page: the server thread runs at a
 * lower priority than the rest of mailreg (Linux: setpriority on a thread id
 * sets that thread's nice value only).  Staff pages then yield the CPU to a
 * poll that runs at the same time; on an idle machine they lose nothing. */
static void
lower_priority (void)
{
	static __thread gboolean done;

	if (done)
		return;
	done = TRUE;
	if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), WEB_NICE) != 0)
		g_info ("cannot lower the console thread's priority: %s", g_strerror (errno));
}

static MhdResult
on_request (void *cls, struct MHD_Connection *conn, const char *url, const char *method, const char *version,
            const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	WebCtx *ctx = cls;
	Upload *up = *con_cls;
	g_autoptr (WebReply) r = NULL;

	lower_priority ();
	if (up == NULL) {
		*con_cls = up = g_new0 (Upload, 1);
		up->body = g_string_new (NULL);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (up->body->len + *upload_data_size > WEB_MAX_BODY)
			up->too_big = TRUE;
		else
			g_string_append_len (up->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	r = dispatch (ctx, conn, method, url, up);
	/* the route only: paths hold ids, never a name or an address */
	g_info ("%s %s %u", method, r->status == 404 ? "(unknown path)" : url, r->status);
	return send_reply (conn, r);
}

/* --- start and stop ---------------------------------------------------------- */

static gboolean
read_pem (const char *path, char **out, GError **error)
{
	if (!g_file_get_contents (path, out, NULL, error)) {
		g_prefix_error (error, "web: ");
		(*error)->domain = MAILREG_ERROR;
		(*error)->code = MAILREG_ERROR_CONFIG;
		return FALSE;
	}
	return TRUE;
}

static void
ctx_clear (WebCtx *ctx)
{
	g_clear_pointer (&ctx->sessions, g_hash_table_unref);
	g_clear_pointer (&ctx->addr_fails, g_hash_table_unref);
	g_clear_pointer (&ctx->p, pipeline_free);
	g_clear_pointer (&ctx->cfg, config_free);
	g_clear_pointer (&ctx->tmpl_dir, g_free);
	g_clear_pointer (&ctx->dummy_hash, g_free);
}

void
web_stop (WebServer *srv)
{
	if (srv == NULL)
		return;
	if (srv->daemon != NULL)
		MHD_stop_daemon (srv->daemon);
	ctx_clear (&srv->ctx);
	g_free (srv->cert);
	if (srv->key != NULL)
		sodium_memzero (srv->key, strlen (srv->key));
	g_free (srv->key);
	g_free (srv);
}

WebServer *
web_start (const char *config_path, GError **error)
{
	g_autoptr (WebServer) srv = g_new0 (WebServer, 1);
	WebCtx *ctx = &srv->ctx;
	g_autofree char *host = NULL;
	g_autoptr (GInetAddress) ia = NULL;
	g_autoptr (GSocketAddress) sa = NULL;
	struct sockaddr_storage ss;
	guint16 port;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (sodium_init () < 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_OS, "web: libsodium cannot start");
		return NULL;
	}
	if ((ctx->cfg = config_load (config_path, error)) == NULL)
		return NULL;
	if (!config_listen_parse (ctx->cfg->web_listen, &host, &port, NULL)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG, "web: [web] listen is empty: the console is off");
		return NULL;
	}
	/* libxml2 readies its global state here, before the server thread reads HTML */
	extract_init ();
	if ((ctx->p = pipeline_open (ctx->cfg, error)) == NULL ||
	    (ctx->dummy_hash = web_password_hash ("not a password", error)) == NULL)
		return NULL;
	ctx->tmpl_dir = g_build_filename (ctx->cfg->templates, "web", NULL);
	ctx->secure = ctx->cfg->web_tls_cert_file != NULL ||
	              (ctx->cfg->web_base_url != NULL && g_str_has_prefix (ctx->cfg->web_base_url, "https:"));
	/* RFC 6265bis: a __Host- cookie is Secure, Path=/, without Domain */
	ctx->cookie = ctx->secure ? "__Host-mailreg" : "mailreg";
	ctx->login_cookie = ctx->secure ? "__Host-mailreg-login" : "mailreg-login";

	ia = g_inet_address_new_from_string (host);
	sa = g_inet_socket_address_new (ia, port);
	if (!g_socket_address_to_native (sa, &ss, sizeof ss, error))
		return NULL;
	if (g_inet_address_get_family (ia) == G_SOCKET_FAMILY_IPV6)
		flags |= MHD_USE_IPv6;
	if (ctx->cfg->web_tls_cert_file != NULL) {
		if (!MHD_is_feature_supported (MHD_FEATURE_TLS)) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG, "web: this libmicrohttpd has no TLS");
			return NULL;
		}
		if (!read_pem (ctx->cfg->web_tls_cert_file, &srv->cert, error) ||
		    !read_pem (ctx->cfg->web_tls_key_file, &srv->key, error))
			return NULL;
		flags |= MHD_USE_TLS;
	}
	srv->daemon = MHD_start_daemon (
		flags, port, NULL, NULL, on_request, ctx,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &ss,
		MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
		/* headers and the parser's buffers of one connection: a request
		 * with more header than this is answered 431 */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (64 * 1024),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 64,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int) 16,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 60,
		srv->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, srv->cert,
		MHD_OPTION_HTTPS_MEM_KEY, srv->key,
		MHD_OPTION_END);
	if (srv->daemon == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_OS, "web: cannot listen on %s (in use, or TLS files not valid)",
		             ctx->cfg->web_listen);
		return NULL;
	}
	g_message ("the console listens on %s%s", ctx->cfg->web_listen, srv->cert ? " (HTTPS)" : "");
	return g_steal_pointer (&srv);
}

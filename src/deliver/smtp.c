/* smtp.c - the SMTP transport: libcurl opens the connection, the mail
 * transactions are ours.
 *
 * libcurl does what is easy to get wrong: TCP, TLS (implicit, or STARTTLS
 * required), certificate checks, EHLO and SASL (PLAIN, LOGIN, XOAUTH2), with
 * CURLOPT_CONNECT_ONLY, as the IMAP client does (fetch/imap.c).  MAIL, RCPT
 * and DATA then run on that connection through curl_easy_send/curl_easy_recv:
 * libcurl 7.88 has no command pipelining, and it dot-stuffs the data a byte at
 * a time into a buffer it allocates for every message.  When the server offers
 * PIPELINING (RFC 2920), MAIL, RCPT and DATA leave in one write, and a message
 * costs two round trips instead of four; the data is made CRLF and dot-stuffed
 * once, ahead (smtp_prepare).
 *
 * One connection serves the batch: opened for the first message, again after
 * the server closed it (421) or it broke, closed with QUIT by libcurl.  The
 * delivery loop's commit (TransportHooks.before_data) runs while the server
 * answers the envelope; nothing of a message's data leaves before it is done.
 *
 * Every reply has a deadline as a whole ([smtp] timeout, RFC 5321 §4.5.3.2:
 * 5 minutes; the end of the data twice that, 10), not each read: a server
 * trickling a byte at a time is not waited for past it.  A reply that is no
 * SMTP (smtp-parse.c: bad lines, mixed codes, too many or too long lines) is
 * a protocol error; both drop the connection and the message stays queued.
 *
 * Failure classes: 4xx to MAIL, RCPT, DATA or the data -> temporary, 5xx ->
 * permanent; no connection, TLS, EHLO or AUTH failing, a timeout, a reply that
 * is no SMTP or a broken connection -> the server is unavailable and the batch
 * waits (a refused login and TLS or URL settings that do not fit the server
 * say so in their class: the exit status names them).
 */
#include "deliver/deliver.h"

#include <curl/curl.h>
#include <string.h>
#include <sys/socket.h>

#include "core/curlio.h"
#include "core/errors.h"
#include "core/secret.h"
#include "core/fault.h"
#include "deliver/smtp-parse.h"

/* The reply to the end of the data gets this many times [smtp] timeout:
 * RFC 5321 §4.5.3.2.6 asks for 10 minutes, twice the 5 of the other replies,
 * as the server may be checking the message, and a client that gives up
 * sooner makes it deliver twice.  A multiple, not a fixed floor, so that a
 * short timeout shortens this wait too (the tests cut it within seconds). */
#define DATA_DONE_TIMEOUTS 2

typedef struct {
	Transport base;
	const Config *cfg;
	char *url;
	char *password;        /* for each new connection; wiped at the end */
	char *envelope_from;   /* bare address */
	gboolean verp;
	CURL *curl;            /* NULL: not connected */
	curl_socket_t sock;
	char errbuf[CURL_ERROR_SIZE];
	guint caps;            /* SMTP_CAP_* of the last EHLO reply */
	SmtpReply reply;       /* the reply being read, then the last complete one */
	/* libcurl's connect: the first 4xx/5xx reply (greeting, EHLO, AUTH) */
	int connect_code;
	GString *connect_text;
	const char *connect_why;  /* a reply during the connect that was no SMTP (static) */
	GByteArray *rbuf;      /* bytes read, not yet parsed */
	gsize rpos;
} SmtpTransport;

/* --- replies ------------------------------------------------------------- */

/* libcurl's connect hands every reply line to the header callback. */
static size_t
on_header (char *data, size_t size, size_t nmemb, void *user)
{
	SmtpTransport *s = user;
	size_t len = size * nmemb;
	int r = smtp_reply_feed (&s->reply, data, len, &s->connect_why);

	if (r < 0)
		return 0;   /* libcurl ends the connect (CURLE_WRITE_ERROR) */
	if (r == 0)
		return len;
	s->connect_why = NULL;
	/* the last EHLO reply counts (after STARTTLS the first is void) */
	if (s->reply.code == 250)
		s->caps = s->reply.caps;
	if (s->reply.code >= 400 && s->connect_text->len == 0) {
		s->connect_code = s->reply.code;
		g_string_assign (s->connect_text, s->reply.text->str);
	}
	return len;
}

/* --- the connection -------------------------------------------------------- */

/* Close the connection.  @broken: no QUIT (the socket is shut first, so
 * libcurl's QUIT fails at once instead of waiting for a silent server). */
static void
disconnect (SmtpTransport *s, gboolean broken)
{
	if (s->curl == NULL)
		return;
	if (broken && s->sock != CURL_SOCKET_BAD)
		shutdown (s->sock, SHUT_RDWR);
	curl_easy_cleanup (s->curl);   /* sends QUIT on a working connection */
	s->curl = NULL;
	s->sock = CURL_SOCKET_BAD;
	s->reply.open = FALSE;
	g_byte_array_set_size (s->rbuf, 0);
	s->rpos = 0;
}

/* The connection is of no further use: DELIVER_ERROR_UNAVAILABLE. */
static gboolean
broken (SmtpTransport *s, const char *what, const char *why, GError **error)
{
	g_set_error (error, DELIVER_ERROR, DELIVER_ERROR_UNAVAILABLE, "%s: %s: %s", s->url, what, why);
	disconnect (s, TRUE);
	return FALSE;
}

static CURL *
handle_new (SmtpTransport *s, GError **error)
{
	const Config *cfg = s->cfg;
	gboolean smtps = g_str_has_prefix (s->url, "smtps:");
	CURL *h = curl_easy_init ();

	if (h == NULL) {
		g_set_error (error, DELIVER_ERROR, DELIVER_ERROR_UNAVAILABLE, "smtp: curl_easy_init failed");
		return NULL;
	}
	curl_easy_setopt (h, CURLOPT_URL, s->url);
	curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt (h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt (h, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt (h, CURLOPT_HEADERDATA, s);
	/* libcurl's connect timeout covers the greeting, EHLO and AUTH too: all
	 * of them within [smtp] timeout (but at least 30 s), each reply within it
	 * too, counted from its command (libcurl: not per read) */
	curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, (long) MAX (30, cfg->smtp_timeout));
	curl_easy_setopt (h, CURLOPT_SERVER_RESPONSE_TIMEOUT, (long) cfg->smtp_timeout);
	curl_easy_setopt (h, CURLOPT_USE_SSL,
	                  smtps || cfg->smtp_starttls ? (long) CURLUSESSL_ALL : (long) CURLUSESSL_NONE);
	curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, cfg->smtp_tls_verify ? 1L : 0L);
	curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, cfg->smtp_tls_verify ? 2L : 0L);
	if (cfg->smtp_ca_file != NULL)
		curl_easy_setopt (h, CURLOPT_CAINFO, cfg->smtp_ca_file);
	if (cfg->smtp_user != NULL)
		curl_easy_setopt (h, CURLOPT_USERNAME, cfg->smtp_user);
	if (cfg->smtp_oauth2_token_file != NULL) {
		/* read for every connection: a token renewed meanwhile is used */
		g_autoptr (GError) local = NULL;
		char *token = secret_read (cfg->smtp_oauth2_token_file, "OAuth2 token", &local);
		if (token == NULL) {
			/* the helper renewing it may be mid-write: try again later */
			g_set_error (error, DELIVER_ERROR, DELIVER_ERROR_UNAVAILABLE, "smtp: %s", local->message);
			curl_easy_cleanup (h);
			return NULL;
		}
		curl_easy_setopt (h, CURLOPT_XOAUTH2_BEARER, token);  /* libcurl copies it */
		secret_free (token);
	} else if (s->password != NULL) {
		curl_easy_setopt (h, CURLOPT_PASSWORD, s->password);
	}
	return h;
}

/* The class of a failed connect: what the exit status tells the admin. */
static DeliverError
connect_class (CURLcode rc)
{
	switch (rc) {
	case CURLE_LOGIN_DENIED:
		return DELIVER_ERROR_CREDENTIALS;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_USE_SSL_FAILED:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return DELIVER_ERROR_CONFIG;
	default:
		/* connection refused or dropped, DNS, timeouts, TLS cut, no SMTP */
		return DELIVER_ERROR_UNAVAILABLE;
	}
}

/* libcurl's part: connect, TLS, EHLO, AUTH.  On failure @reply holds the
 * server's refusal, if it said one. */
static gboolean
smtp_connect (SmtpTransport *s, TransportReply *reply, GError **error)
{
	CURLcode rc;

	if ((s->curl = handle_new (s, error)) == NULL)
		return FALSE;
	s->errbuf[0] = '\0';
	s->caps = 0;
	s->reply.open = FALSE;
	s->connect_code = 0;
	s->connect_why = NULL;
	g_string_truncate (s->connect_text, 0);
	if ((rc = curl_easy_perform (s->curl)) == CURLE_OK &&
	    (curl_easy_getinfo (s->curl, CURLINFO_ACTIVESOCKET, &s->sock) != CURLE_OK || s->sock == CURL_SOCKET_BAD))
		rc = CURLE_COULDNT_CONNECT;
	if (rc == CURLE_OK)
		return TRUE;
	if (s->connect_why != NULL)
		g_set_error (error, DELIVER_ERROR, DELIVER_ERROR_UNAVAILABLE, "%s: connect: protocol error: %s", s->url,
		             s->connect_why);
	else
		g_set_error (error, DELIVER_ERROR, connect_class (rc), "%s: %s", s->url,
		             s->errbuf[0] ? s->errbuf : curl_easy_strerror (rc));
	if (s->connect_text->len > 0) {
		reply->code = s->connect_code;
		reply->text = g_strdup (s->connect_text->str);
	}
	curl_easy_cleanup (s->curl);
	s->curl = NULL;
	return FALSE;
}

static gboolean
send_all (SmtpTransport *s, const char *data, gsize len, const char *what, GError **error)
{
	const char *why = curlio_send_all (s->curl, s->sock, data, len, (int) s->cfg->smtp_timeout);

	return why == NULL || broken (s, what, why, error);
}

/* Read more from the server into rbuf, until monotonic @deadline (µs), which
 * is @timeouts times [smtp] timeout from the command. */
static gboolean
fill (SmtpTransport *s, gint64 deadline, guint timeouts, const char *what, GError **error)
{
	gint64 left = deadline - g_get_monotonic_time ();
	const char *why;

	if (left <= 0) {
		guint seconds = timeouts * s->cfg->smtp_timeout;
		g_autofree char *detail = timeouts == 1
			? g_strdup_printf ("no complete reply within %u seconds ([smtp] timeout)", seconds)
			: g_strdup_printf ("no complete reply within %u seconds (%u times [smtp] timeout)", seconds,
			                   timeouts);
		return broken (s, what, detail, error);
	}
	if (s->rpos > 0) {
		g_byte_array_remove_range (s->rbuf, 0, s->rpos);
		s->rpos = 0;
	}
	why = curlio_recv (s->curl, s->sock, s->rbuf, (int) MAX ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1));
	if (why != NULL && g_get_monotonic_time () >= deadline)
		return fill (s, deadline, timeouts, what, error);   /* say it was the deadline */
	return why == NULL || broken (s, what, why, error);
}

/* Read the reply to @what (all its lines) into s->reply, all of it within
 * @timeouts times [smtp] timeout: a deadline for the whole reply, not for
 * each read. */
static gboolean
read_reply (SmtpTransport *s, const char *what, guint timeouts, GError **error)
{
	gint64 deadline = g_get_monotonic_time () + (gint64) timeouts * s->cfg->smtp_timeout * G_USEC_PER_SEC;

	for (;;) {
		gsize used = 0;
		const char *why = NULL;
		int r = smtp_reply_take (&s->reply, s->rbuf->data != NULL ? s->rbuf->data + s->rpos : NULL,
		                         s->rbuf->len - s->rpos, &used, &why);

		s->rpos += used;
		if (r > 0)
			return TRUE;
		if (r < 0) {
			g_autofree char *detail = g_strdup_printf ("protocol error: %s", why);
			return broken (s, what, detail, error);
		}
		if (!fill (s, deadline, timeouts, what, error))
			return FALSE;
	}
}

/* --- a message ------------------------------------------------------------- */

/* @addr as an SMTP path "<local@domain>", its domain in ASCII (IDNA); NULL
 * when no SMTP command may carry it (controls, spaces, brackets: they would
 * end or change the command).  *@utf8 is set when the local part needs
 * SMTPUTF8 (RFC 6531). */
static char *
smtp_path (const char *addr, gboolean *utf8)
{
	const char *at = strrchr (addr, '@');
	g_autofree char *domain = NULL;

	if (at == NULL || at == addr || !g_utf8_validate (addr, -1, NULL))
		return NULL;
	for (const char *p = addr; *p != '\0'; p++) {
		guchar c = (guchar) *p;
		if (c <= ' ' || c == 0x7f || c == '<' || c == '>')
			return NULL;
		if (c >= 0x80 && p < at)
			*utf8 = TRUE;
	}
	/* an ASCII domain (or [address literal]) goes as it is */
	domain = g_str_is_ascii (at + 1) ? g_strdup (at + 1) : g_hostname_to_ascii (at + 1);
	if (domain == NULL || *domain == '\0')
		return NULL;
	return g_strdup_printf ("<%.*s@%s>", (int) (at - addr), addr, domain);
}

/* The envelope sender of @row: VERP bounces+<uuid of our Message-ID>@domain
 * names the message a bounce is about. */
static char *
envelope_from (const SmtpTransport *s, const OutboxRow *row, gboolean *utf8)
{
	const char *at = strchr (s->envelope_from, '@');
	g_autofree char *addr = NULL;

	if (!s->verp || at == NULL)
		return smtp_path (s->envelope_from, utf8);
	addr = g_strdup_printf ("%.*s+%.*s%s", (int) (at - s->envelope_from), s->envelope_from,
	                        (int) strcspn (row->message_id, "@"), row->message_id, at);
	return smtp_path (addr, utf8);
}

/* The server refused @what: the class from its code. */
static gboolean
refused (SmtpTransport *s, const char *what, TransportReply *reply, GError **error)
{
	DeliverError class = s->reply.code >= 500 && s->reply.code < 600 ? DELIVER_ERROR_PERMANENT : DELIVER_ERROR_TEMPORARY;

	transport_reply_clear (reply);
	reply->code = s->reply.code;
	reply->text = g_strdup (s->reply.text->str);
	g_set_error (error, DELIVER_ERROR, class, "%s: %s refused: %s", s->url, what, s->reply.text->str);
	return FALSE;
}

/* After a refusal the connection serves the next message, with the
 * transaction reset - unless the server is closing it (421). */
static void
after_refusal (SmtpTransport *s)
{
	g_autoptr (GError) ignored = NULL;

	if (s->curl == NULL)
		return;
	if (s->reply.code == 421 || !send_all (s, "RSET\r\n", 6, "RSET", &ignored) ||
	    !read_reply (s, "RSET", 1, &ignored) || s->reply.code != 250)
		disconnect (s, TRUE);
}

/* Run the delivery loop's before_data; when it fails the message must not
 * leave, and a DATA already accepted can only be ended by closing. */
static gboolean
run_before (SmtpTransport *s, const TransportHooks *hooks, GError **error)
{
	g_autoptr (GError) local = NULL;

	if (hooks->before_data (hooks->data, &local))
		return TRUE;
	disconnect (s, TRUE);
	if (local == NULL)
		g_set_error_literal (&local, MAILREG_ERROR, MAILREG_ERROR_SOFTWARE,
		                     "smtp: the message was withdrawn before its data");
	g_propagate_error (error, g_steal_pointer (&local));
	return FALSE;
}

/* MAIL, RCPT, DATA up to the server's 354: in one write with PIPELINING, else
 * one at a time.  before_data runs while the server answers MAIL. */
static gboolean
envelope (SmtpTransport *s, const char *from, const char *rcpt, gsize size, gboolean utf8,
          const TransportHooks *hooks, TransportReply *reply, GError **error)
{
	static const char *const what[] = { "MAIL FROM", "RCPT TO", "DATA" };
	static const int want[] = { 2, 2, 3 };  /* the class of reply that lets us go on */
	g_autofree char *size_param = (s->caps & SMTP_CAP_SIZE)
	                              ? g_strdup_printf (" SIZE=%" G_GSIZE_FORMAT, size) : NULL;
	g_autofree char *mail = g_strdup_printf ("MAIL FROM:%s%s%s\r\n", from, size_param ? size_param : "",
	                                         utf8 ? " SMTPUTF8" : "");
	g_autofree char *rcpt_cmd = g_strdup_printf ("RCPT TO:%s\r\n", rcpt);
	const char *cmd[] = { mail, rcpt_cmd, "DATA\r\n" };
	gboolean pipelined = (s->caps & SMTP_CAP_PIPELINING) != 0;
	int failed = -1, failed_code = 0;
	g_autofree char *failed_text = NULL;

	if (pipelined) {
		g_autofree char *all = g_strconcat (cmd[0], cmd[1], cmd[2], NULL);
		if (!send_all (s, all, strlen (all), what[0], error) || !run_before (s, hooks, error))
			return FALSE;
	}
	for (int i = 0; i < 3 && (failed < 0 || pipelined); i++) {
		g_autoptr (GError) local = NULL;

		if (!pipelined && (!send_all (s, cmd[i], strlen (cmd[i]), what[i], error) ||
		                   (i == 0 && !run_before (s, hooks, error))))
			return FALSE;
		if (!read_reply (s, what[i], 1, &local)) {
			/* the server closed after refusing: its refusal is the news */
			if (failed >= 0)
				break;
			g_propagate_error (error, g_steal_pointer (&local));
			return FALSE;
		}
		if (failed < 0 && s->reply.code / 100 != want[i]) {
			failed = i;
			failed_code = s->reply.code;
			failed_text = g_strdup (s->reply.text->str);
		}
		if (s->reply.code == 421)
			break;   /* closing: nothing more comes */
	}
	if (failed < 0)
		return TRUE;
	/* DATA accepted after a refused MAIL or RCPT: only closing ends it without
	 * a message */
	if (s->curl != NULL && (s->reply.code / 100 == 3 || failed_code == 421))
		disconnect (s, TRUE);
	s->reply.code = failed_code;
	g_string_assign (s->reply.text, failed_text);
	refused (s, what[failed], reply, error);
	after_refusal (s);
	return FALSE;
}

static gboolean
smtp_send (Transport *t, const OutboxRow *row, GBytes *wire, const TransportHooks *hooks, TransportReply *reply,
           GError **error)
{
	SmtpTransport *s = (SmtpTransport *) t;
	gboolean utf8 = FALSE;
	g_autofree char *from = envelope_from (s, row, &utf8);
	g_autofree char *rcpt = smtp_path (row->rcpt, &utf8);
	gsize len;
	const char *data = g_bytes_get_data (wire, &len);

	if (from == NULL || rcpt == NULL) {
		g_autofree char *shown = g_strescape (from == NULL ? s->envelope_from : row->rcpt, NULL);
		g_set_error (error, DELIVER_ERROR, DELIVER_ERROR_PERMANENT,
		             "%s: the address \"%s\" cannot be used in SMTP", s->url, shown);
		return FALSE;
	}
	if (s->curl == NULL && !smtp_connect (s, reply, error))
		return FALSE;
	if (utf8 && !(s->caps & SMTP_CAP_SMTPUTF8)) {
		g_set_error (error, DELIVER_ERROR, DELIVER_ERROR_PERMANENT,
		             "%s: the server takes no UTF-8 addresses (no SMTPUTF8) and %s needs it", s->url, rcpt);
		return FALSE;
	}
	if (!envelope (s, from, rcpt, len, utf8, hooks, reply, error))
		return FALSE;
	if (!send_all (s, data, len, "the message data", error))
		return FALSE;
	if (hooks->meanwhile != NULL)
		hooks->meanwhile (hooks->data);
	if (!read_reply (s, "the end of the data", DATA_DONE_TIMEOUTS, error))
		return FALSE;
	if (s->reply.code / 100 != 2) {
		refused (s, "the message", reply, error);
		if (s->reply.code == 421)
			disconnect (s, TRUE);
		return FALSE;
	}
	reply->code = s->reply.code;
	reply->text = g_strdup (s->reply.text->str);
	FAULT_POINT ("smtp-after-accept");
	return TRUE;
}

/* Two passes: count, then copy, into one allocation. */
GBytes *
deliver_smtp_data (GBytes *raw)
{
	gsize len, extra = 0, o = 0;
	const char *p = g_bytes_get_data (raw, &len);
	const char *end = p + len;
	char *out;

	for (const char *l = p; l < end;) {
		const char *nl = memchr (l, '\n', end - l);
		extra += (*l == '.') + (nl != NULL && (nl == l || nl[-1] != '\r'));
		l = nl ? nl + 1 : end;
	}
	out = g_malloc (len + extra + 5);
	for (const char *l = p; l < end;) {
		const char *nl = memchr (l, '\n', end - l);
		const char *stop = nl ? nl : end;
		gsize n;

		if (*l == '.')
			out[o++] = '.';
		if (nl != NULL && nl > l && nl[-1] == '\r')
			stop--;
		n = stop - l;
		memcpy (out + o, l, n);
		o += n;
		out[o++] = '\r';
		out[o++] = '\n';
		l = nl ? nl + 1 : end;
	}
	memcpy (out + o, ".\r\n", 3);
	return g_bytes_new_take (out, o + 3);
}

static GBytes *
smtp_prepare (Transport *t, GBytes *raw)
{
	return deliver_smtp_data (raw);
}

static void
smtp_free (Transport *t)
{
	SmtpTransport *s = (SmtpTransport *) t;

	disconnect (s, FALSE);
	secret_free (s->password);
	g_free (s->url);
	g_free (s->envelope_from);
	smtp_reply_clear (&s->reply);
	g_string_free (s->connect_text, TRUE);
	g_byte_array_unref (s->rbuf);
	g_free (s);
	curl_global_cleanup ();
}

/* smtp://host[:port] with no path would EHLO "localhost": name our domain instead. */
static char *
url_with_helo (const char *url, const char *domain)
{
	g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
	const char *path = uri ? g_uri_get_path (uri) : NULL;

	if (uri == NULL || (path != NULL && *path != '\0' && strcmp (path, "/") != 0) || domain == NULL)
		return g_strdup (url);
	return g_strdup_printf ("%s%s%s", url, g_str_has_suffix (url, "/") ? "" : "/", domain);
}

Transport *
deliver_smtp_new (const Config *cfg, GError **error)
{
	SmtpTransport *s;
	char *password = NULL;
	gboolean smtps = g_str_has_prefix (cfg->smtp_url, "smtps:");

	if (cfg->smtp_user != NULL && cfg->smtp_oauth2_token_file == NULL) {
		g_autofree char *path = secret_path (cfg->smtp_password_file, "smtp-password");
		if (path == NULL) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG,
			             "config %s: [smtp] user is set but there is no password_file and no "
			             "$CREDENTIALS_DIRECTORY/smtp-password", cfg->path);
			return NULL;
		}
		if ((password = secret_read (path, "SMTP password", error)) == NULL) {
			g_prefix_error (error, "smtp: ");
			return NULL;
		}
	}
	if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_SOFTWARE, "smtp: libcurl initialisation failed");
		secret_free (password);
		return NULL;
	}
	s = g_new0 (SmtpTransport, 1);
	s->base.name = "smtp";
	s->base.prepare = smtp_prepare;
	s->base.send = smtp_send;
	s->base.free = smtp_free;
	s->cfg = cfg;
	s->url = url_with_helo (cfg->smtp_url, cfg->domain);
	s->base.where = s->url;
	s->password = password;
	s->envelope_from = g_strdup (cfg->smtp_envelope_from);
	s->verp = cfg->smtp_verp;
	s->sock = CURL_SOCKET_BAD;
	smtp_reply_init (&s->reply);
	s->connect_text = g_string_new (NULL);
	s->rbuf = g_byte_array_new ();
	if (!smtps && !cfg->smtp_starttls)
		g_warning ("smtp: [smtp] starttls = false: mail and password go to %s in clear text", s->url);
	if (!cfg->smtp_tls_verify)
		g_warning ("smtp: [smtp] tls_verify = false: the server's certificate is not checked");
	return &s->base;
}

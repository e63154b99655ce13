/* smtp.c - the SMTP transport: libcurl, one easy handle for a whole batch,
 * driven through a multi handle.
 *
 * libcurl keeps the connection open between messages (QUIT only when the
 * handles are freed), as curl's docs/examples/smtp-mail.c and smtp-tls.c do.
 * The multi interface lets the delivery loop's commit (TransportHooks) run
 * while the server answers MAIL FROM; the read callback pauses the upload until
 * it is done, so no data leaves before.
 *
 * The reply code of the last response (CURLINFO_RESPONSE_CODE) and the command
 * it answered decide the class of a failure: 4xx -> temporary, 5xx to
 * MAIL/RCPT/DATA -> permanent, anything before MAIL (connect, TLS, EHLO, AUTH)
 * -> the server is unavailable and the batch waits.
 */
#include "deliver/deliver.h"

#include <curl/curl.h>
#include <string.h>

#include "core/errors.h"
#include "core/fault.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURL, curl_easy_cleanup)

#define REPLY_MAX 512

typedef struct {
	Transport base;
	CURLM *multi;
	CURL *curl;
	char *url;
	char *envelope_from;   /* bare address */
	gboolean verp;
	char *oauth2_token_file;
	char errbuf[CURL_ERROR_SIZE];
	/* per message */
	const TransportHooks *hooks;
	GError *before_error;  /* before_data failed: the transfer is aborted */
	gboolean before_ran;
	gboolean meanwhile_ran;
	gboolean uploading;    /* the data has begun to leave */
	gboolean paused;       /* the upload waits for before_data */
	const char *data;
	gsize len, pos;
	char command[8];       /* the last command sent: MAIL, RCPT, DATA, ... */
	GString *reply;        /* the server's last complete reply, lines joined */
	GString *failure;      /* the first 4xx/5xx reply of the transfer (libcurl QUITs after it) */
	char failed_command[8];   /* the command it answered */
	GString *pending;      /* lines of a multi-line reply so far */
} SmtpTransport;

static size_t
read_body (char *buf, size_t size, size_t nmemb, void *user)
{
	SmtpTransport *s = user;
	size_t n = MIN (size * nmemb, s->len - s->pos);

	if (!s->before_ran) {
		s->paused = TRUE;
		return CURL_READFUNC_PAUSE;
	}
	if (s->before_error != NULL)
		return CURL_READFUNC_ABORT;
	s->uploading = TRUE;
	memcpy (buf, s->data + s->pos, n);
	s->pos += n;
	return n;
}

/* Keep what the server said and what we last asked: CURLOPT_ERRORBUFFER only
 * has libcurl's summary ("RCPT failed: 550"), staff want the server's words. */
static int
on_debug (CURL *curl, curl_infotype type, char *data, size_t size, void *user)
{
	SmtpTransport *s = user;

	if (type == CURLINFO_HEADER_OUT && size >= 4) {
		gsize n = MIN (size, sizeof s->command - 1);
		memcpy (s->command, data, n);
		s->command[n] = '\0';
		s->command[strcspn (s->command, " :\r\n")] = '\0';
		return 0;
	}
	if (type == CURLINFO_DATA_OUT && strcmp (s->command, "DATA") != 0) {
		g_strlcpy (s->command, "DATA", sizeof s->command);
		return 0;
	}
	if (type != CURLINFO_HEADER_IN)
		return 0;
	for (const char *p = data, *end = data + size; p < end;) {
		const char *nl = memchr (p, '\n', end - p);
		gsize n = (nl ? nl : end) - p;
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
			n--;
		if (n >= 4 && s->pending->len < REPLY_MAX) {
			if (s->pending->len > 0)
				g_string_append_c (s->pending, ' ');
			g_string_append_len (s->pending, p, MIN (n, REPLY_MAX));
		}
		/* "250-..." continues a reply, "250 ..." ends it (RFC 5321 §4.2.1) */
		if (n >= 3 && (n == 3 || p[3] == ' ')) {
			g_string_assign (s->reply, s->pending->str);
			g_string_truncate (s->pending, 0);
			if (s->failure->len == 0 && (p[0] == '4' || p[0] == '5')) {
				g_string_assign (s->failure, s->reply->str);
				memcpy (s->failed_command, s->command, sizeof s->command);
			}
		}
		p += n;
		while (p < end && (*p == '\r' || *p == '\n'))
			p++;
	}
	return 0;
}

/* @raw with every bare LF made CRLF: SMTP wants CRLF on the wire (RFC 5321
 * §2.3.8) and libcurl's dot-stuffing looks for CRLF "."  CURLOPT_CRLF would also
 * turn an existing CRLF into CR CR LF, so the conversion is done here. */
static GBytes *
smtp_prepare (Transport *t, GBytes *raw)
{
	gsize len;
	const guint8 *p = g_bytes_get_data (raw, &len);
	GByteArray *out = g_byte_array_sized_new (len + len / 32 + 2);

	gsize start = 0;

	for (const guint8 *nl; start < len && (nl = memchr (p + start, '\n', len - start)) != NULL;) {
		gsize i = nl - p;
		gsize end = i > start && p[i - 1] == '\r' ? i - 1 : i;
		g_byte_array_append (out, p + start, end - start);
		g_byte_array_append (out, (const guint8 *) "\r\n", 2);
		start = i + 1;
	}
	g_byte_array_append (out, p + start, len - start);
	return g_byte_array_free_to_bytes (out);
}

static char *
read_secret (const char *path, const char *what, GError **error)
{
	g_autofree char *text = NULL;
	g_autoptr (GError) local = NULL;

	if (!g_file_get_contents (path, &text, NULL, &local)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG, "smtp: %s %s: %s", what, path,
		             local->message);
		return NULL;
	}
	text[strcspn (text, "\r\n")] = '\0';
	return g_steal_pointer (&text);
}

static void
wipe (char *secret)
{
	if (secret != NULL) {
		memset (secret, 0, strlen (secret));
		g_free (secret);
	}
}

/* The class of a failed transfer (see the file comment). */
static DeliverError
classify (const SmtpTransport *s, CURLcode rc, long code)
{
	const char *cmd = s->failure->len ? s->failed_command : s->command;
	gboolean per_message = strcmp (cmd, "MAIL") == 0 || strcmp (cmd, "RCPT") == 0 ||
	                       strcmp (cmd, "DATA") == 0;

	if (rc == CURLE_LOGIN_DENIED || !per_message || code == 0)
		return DELIVER_ERROR_UNAVAILABLE;
	if (code >= 500 && code < 600)
		return DELIVER_ERROR_PERMANENT;
	/* 4xx, Exchange's 432 and 421 among them */
	return DELIVER_ERROR_TEMPORARY;
}

/* Run before_data, once; a paused upload goes on (or aborts, when it failed). */
static void
run_before (SmtpTransport *s)
{
	s->before_ran = TRUE;
	if (!s->hooks->before_data (s->hooks->data, &s->before_error) && s->before_error == NULL)
		g_set_error_literal (&s->before_error, MAILREG_ERROR, MAILREG_ERROR_SOFTWARE,
		                     "smtp: the message was withdrawn before its data");
	if (s->paused) {
		s->paused = FALSE;
		curl_easy_pause (s->curl, CURLPAUSE_CONT);
	}
}

/* curl_easy_perform, with before_data run as soon as the transfer has begun
 * and meanwhile at the next wait before the data (RCPT, DATA); the wait for
 * the final reply is libcurl's own (smtp_done blocks), out of our reach. */
static CURLcode
perform (SmtpTransport *s)
{
	CURLcode rc = CURLE_OK;
	CURLMcode mc;
	CURLMsg *m;
	int running = 1, left;

	if ((mc = curl_multi_add_handle (s->multi, s->curl)) != CURLM_OK) {
		g_strlcpy (s->errbuf, curl_multi_strerror (mc), sizeof s->errbuf);
		return CURLE_FAILED_INIT;
	}
	while (running) {
		if ((mc = curl_multi_perform (s->multi, &running)) != CURLM_OK)
			break;
		if (!s->before_ran) {
			run_before (s);
		} else if (running && !s->meanwhile_ran && !s->uploading && s->hooks->meanwhile != NULL) {
			s->meanwhile_ran = TRUE;
			s->hooks->meanwhile (s->hooks->data);
		} else if (running && (mc = curl_multi_poll (s->multi, NULL, 0, 1000, NULL)) != CURLM_OK) {
			break;
		}
	}
	if (mc != CURLM_OK) {
		g_strlcpy (s->errbuf, curl_multi_strerror (mc), sizeof s->errbuf);
		rc = CURLE_SEND_ERROR;
	}
	while ((m = curl_multi_info_read (s->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE && m->easy_handle == s->curl)
			rc = m->data.result;
	/* a transfer over before it began (refused at once) never ran before: the
	 * delivery loop sees to it */
	curl_multi_remove_handle (s->multi, s->curl);
	return rc;
}

static gboolean
smtp_send (Transport *t, const OutboxRow *row, GBytes *wire, const TransportHooks *hooks, TransportReply *reply,
           GError **error)
{
	SmtpTransport *s = (SmtpTransport *) t;
	g_autofree char *rcpt = g_strdup_printf ("<%s>", row->rcpt);
	g_autofree char *from = NULL;
	struct curl_slist *rcpts = curl_slist_append (NULL, rcpt);
	CURLcode rc;
	long code = 0;

	if (s->verp) {
		/* VERP: bounces+<uuid of our Message-ID>@domain names the message bounced */
		const char *at = strchr (s->envelope_from, '@');
		gsize id_len = strcspn (row->message_id, "@");
		from = g_strdup_printf ("<%.*s+%.*s%s>", (int) (at - s->envelope_from), s->envelope_from,
		                        (int) id_len, row->message_id, at);
	} else {
		from = g_strdup_printf ("<%s>", s->envelope_from);
	}
	if (s->oauth2_token_file != NULL) {
		/* read for every message: a token renewed meanwhile is used by the next
		 * connection (libcurl reuses a connection only with the same token) */
		g_autoptr (GError) local = NULL;
		char *token = read_secret (s->oauth2_token_file, "oauth2_token_file", &local);
		if (token == NULL) {
			curl_slist_free_all (rcpts);
			g_set_error (error, DELIVER_ERROR, DELIVER_ERROR_UNAVAILABLE, "%s", local->message);
			return FALSE;
		}
		curl_easy_setopt (s->curl, CURLOPT_XOAUTH2_BEARER, token);
		wipe (token);
	}
	s->hooks = hooks;
	s->before_ran = FALSE;
	s->meanwhile_ran = FALSE;
	s->uploading = FALSE;
	s->paused = FALSE;
	g_clear_error (&s->before_error);
	s->data = g_bytes_get_data (wire, &s->len);
	s->pos = 0;
	s->errbuf[0] = '\0';
	s->command[0] = '\0';
	s->failed_command[0] = '\0';
	g_string_truncate (s->reply, 0);
	g_string_truncate (s->pending, 0);
	g_string_truncate (s->failure, 0);
	curl_easy_setopt (s->curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt (s->curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt (s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) s->len);
	rc = perform (s);
	curl_easy_setopt (s->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all (rcpts);
	curl_easy_getinfo (s->curl, CURLINFO_RESPONSE_CODE, &code);

	/* after a failure before any 4xx/5xx (TLS, connection) the last code is the
	 * EHLO's 250: no reply code then */
	reply->code = rc == CURLE_OK || s->failure->len > 0 ? (int) code : 0;
	if (rc != CURLE_OK && s->failure->len > 0)
		reply->text = g_strdup (s->failure->str);
	else if (rc == CURLE_OK && s->reply->len > 0)
		reply->text = g_strdup (s->reply->str);
	if (s->before_error != NULL) {
		g_propagate_error (error, g_steal_pointer (&s->before_error));
		return FALSE;
	}
	if (rc == CURLE_OK) {
		FAULT_POINT ("smtp-after-accept");
		return TRUE;
	}
	g_set_error (error, DELIVER_ERROR, classify (s, rc, code), "%s: %s", s->url,
	             s->errbuf[0] ? s->errbuf : curl_easy_strerror (rc));
	if (reply->text == NULL)
		reply->text = g_strdup ((*error)->message);
	return FALSE;
}

static void
smtp_free (Transport *t)
{
	SmtpTransport *s = (SmtpTransport *) t;

	/* the multi handle holds the connection: its cleanup sends QUIT */
	if (s->multi != NULL)
		curl_multi_cleanup (s->multi);
	if (s->curl != NULL)
		curl_easy_cleanup (s->curl);
	g_clear_error (&s->before_error);
	g_free (s->url);
	g_free (s->envelope_from);
	g_free (s->oauth2_token_file);
	g_string_free (s->reply, TRUE);
	g_string_free (s->pending, TRUE);
	g_string_free (s->failure, TRUE);
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
	g_autofree char *password = NULL;
	gboolean smtps = g_str_has_prefix (cfg->smtp_url, "smtps:");

	if (cfg->smtp_user != NULL && cfg->smtp_oauth2_token_file == NULL) {
		const char *creds = g_getenv ("CREDENTIALS_DIRECTORY");
		g_autofree char *path = cfg->smtp_password_file
		                        ? g_strdup (cfg->smtp_password_file)
		                        : creds ? g_build_filename (creds, "smtp-password", NULL) : NULL;
		if (path == NULL) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG,
			             "config %s: [smtp] user is set but there is no password_file and no "
			             "$CREDENTIALS_DIRECTORY/smtp-password", cfg->path);
			return NULL;
		}
		if ((password = read_secret (path, "password_file", error)) == NULL)
			return NULL;
	}
	if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_SOFTWARE, "smtp: libcurl initialisation failed");
		wipe (g_steal_pointer (&password));
		return NULL;
	}
	s = g_new0 (SmtpTransport, 1);
	s->base.name = "smtp";
	s->base.prepare = smtp_prepare;
	s->base.send = smtp_send;
	s->base.free = smtp_free;
	s->url = url_with_helo (cfg->smtp_url, cfg->domain);
	s->base.where = s->url;
	s->envelope_from = g_strdup (cfg->smtp_envelope_from);
	s->verp = cfg->smtp_verp;
	s->oauth2_token_file = g_strdup (cfg->smtp_oauth2_token_file);
	s->reply = g_string_new (NULL);
	s->pending = g_string_new (NULL);
	s->failure = g_string_new (NULL);
	if ((s->curl = curl_easy_init ()) == NULL || (s->multi = curl_multi_init ()) == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_SOFTWARE, "smtp: libcurl handle creation failed");
		wipe (g_steal_pointer (&password));
		smtp_free (&s->base);
		return NULL;
	}
	curl_easy_setopt (s->curl, CURLOPT_URL, s->url);
	curl_easy_setopt (s->curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt (s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt (s->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt (s->curl, CURLOPT_CRLF, 0L);  /* smtp_prepare does it, exactly once */
	curl_easy_setopt (s->curl, CURLOPT_READFUNCTION, read_body);
	curl_easy_setopt (s->curl, CURLOPT_READDATA, s);
	curl_easy_setopt (s->curl, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt (s->curl, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt (s->curl, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt (s->curl, CURLOPT_VERBOSE, 1L);  /* feeds on_debug; nothing is printed */
	curl_easy_setopt (s->curl, CURLOPT_CONNECTTIMEOUT, 30L);
	/* Postfix waits 300 s for most replies; a dead server is found sooner */
	curl_easy_setopt (s->curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, 120L);
	if (!smtps && !cfg->smtp_starttls)
		g_warning ("smtp: [smtp] starttls = false: mail and password go to %s in clear text", s->url);
	curl_easy_setopt (s->curl, CURLOPT_USE_SSL,
	                  smtps || cfg->smtp_starttls ? (long) CURLUSESSL_ALL : (long) CURLUSESSL_NONE);
	if (!cfg->smtp_tls_verify)
		g_warning ("smtp: [smtp] tls_verify = false: the server's certificate is not checked");
	curl_easy_setopt (s->curl, CURLOPT_SSL_VERIFYPEER, cfg->smtp_tls_verify ? 1L : 0L);
	curl_easy_setopt (s->curl, CURLOPT_SSL_VERIFYHOST, cfg->smtp_tls_verify ? 2L : 0L);
	if (cfg->smtp_ca_file != NULL)
		curl_easy_setopt (s->curl, CURLOPT_CAINFO, cfg->smtp_ca_file);
	if (cfg->smtp_user != NULL)
		curl_easy_setopt (s->curl, CURLOPT_USERNAME, cfg->smtp_user);
	if (password != NULL) {
		curl_easy_setopt (s->curl, CURLOPT_PASSWORD, password);  /* libcurl keeps a copy */
		wipe (g_steal_pointer (&password));
	}
	return &s->base;
}

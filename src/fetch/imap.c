/* imap.c - the IMAP client of the intake on libcurl (see imap.h).
 *
 * libcurl opens the connection: TCP, TLS (implicit, or STARTTLS required),
 * certificate checks, the greeting and SASL login (PLAIN, LOGIN, XOAUTH2), with
 * CURLOPT_CONNECT_ONLY.  The commands of the pass then run on that connection
 * through curl_easy_send/curl_easy_recv with our own tags, and each response
 * is read to its tagged end, literals by their announced length: a message
 * may hold any line, even one that looks like a tag.  (libcurl's custom
 * requests hand literals to the header callback, which Debian 12's libcurl
 * caps at 300 KB per command: neither a large message nor a long FETCH list
 * gets through that way.)
 */
#include "fetch/imap.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "core/curlio.h"
#include "core/errors.h"
#include "core/secret.h"
#include "fetch/imap-parse.h"

/* Longest response line kept (literals are counted, not lines). */
#define IMAP_MAX_LINE (1 << 20)
/* The literals one answer may hold together, as a multiple of the largest
 * message ([imap] max_message_size, at least IMAP_RESPONSE_MIN): a batch of
 * messages, the Message-IDs of a long list, and what a server lying about
 * sizes adds.  Each FETCH response kept is charged IMAP_RESPONSE_ENTRY bytes
 * too, so a flood of small ones is bounded the same way. */
#define IMAP_RESPONSE_FACTOR 2
#define IMAP_RESPONSE_MIN (16 << 20)
#define IMAP_RESPONSE_ENTRY 64
/* RFC 2177: a client idling 30 minutes may be logged out; IDLE is ended and
 * issued again after this many seconds. */
#define IMAP_IDLE_RENEW (25 * 60)

typedef struct {
	guint32 uid;
	guint64 size;
	GByteArray *literal;   /* the first literal of the response, or NULL */
} FetchResp;

struct ImapClient {
	const Config *cfg;
	CURL *curl;
	char *base;            /* scheme://host:port/ */
	char *mailbox;         /* as configured, decoded */
	char *mailbox_wire;    /* modified UTF-7 (RFC 3501 §5.1.3) */
	char *describe;        /* user@host:port */
	char *password;        /* never logged */
	char errbuf[CURL_ERROR_SIZE];
	gboolean selected;     /* logged in, mailbox selected, connection in step */
	curl_socket_t sock;
	GByteArray *rbuf;      /* bytes received, parsed up to rpos */
	guint rpos;
	guint tag;
	gboolean debug;        /* $MAILREG_IMAP_DEBUG: commands and response lines on stderr */

	/* what the server said */
	guint32 uidvalidity, uidnext, exists;
	char *capabilities;    /* " CAP1 CAP2 ... " upper-cased */
	char *last_tagged;     /* the last tagged response line */
	char *failed_tagged;   /* the first tagged NO or BAD (libcurl logs out after one) */
	char *bye;             /* text of an untagged BYE */

	/* the response parser (header callback while libcurl logs in; then ours) */
	GString *line;
	gboolean in_fetch;     /* inside a FETCH response (it spans literals) */
	GString *fetch_text;   /* its text, literals left out */
	GByteArray *literal;   /* the literal being read */
	guint64 literal_left;
	guint64 literal_len;   /* its announced length */
	gboolean literal_skip; /* of a FETCH response not asked for: read past, never kept */
	guint64 literal_cap;   /* the largest literal read */
	guint64 response_cap;  /* what the literals of one answer may hold together */
	guint64 kept;          /* bytes held for the current answer (literals and responses) */
	gboolean overflow;
	GPtrArray *responses;  /* FetchResp* of the current command */
	GHashTable *by_uid;    /* UID -> its FetchResp in responses */
	guint64 bytes;
	char *parse_error;     /* what made the response unreadable, or NULL */
	gint64 deadline;       /* monotonic µs by which the whole response must be in (0: none) */
	gboolean want_any;     /* keep every FETCH response (the list of new messages) */
	GArray *want;          /* else keep those of these UIDs (sorted guint32; NULL: none) */
	GArray *search;        /* UIDs of the last "* SEARCH" response, or NULL */

	/* a UID FETCH sent ahead (imap_fetch_ahead) so the server prepares it while
	 * the caller works; its answer is read by imap_fetch_batch, or before any
	 * other command */
	char *ahead_tag;       /* sent, answer not read yet */
	char *ahead_set;       /* its UID set */
	GArray *ahead_uids;    /* its UIDs */
	GHashTable *ahead_got; /* its answer, read early */
};

void
imap_message_info_free (ImapMessageInfo *info)
{
	if (info == NULL)
		return;
	g_free (info->header);
	g_free (info);
}

static void
fetch_resp_free (FetchResp *r)
{
	if (r->literal != NULL)
		g_byte_array_unref (r->literal);
	g_free (r);
}

/* --- names ---------------------------------------------------------------- */

/* RFC 3501 §5.1.3: printable ASCII stays ("&" becomes "&-"), everything else is
 * UTF-16BE in base64 with "," for "/", between "&" and "-". */
static char *
mutf7_encode (const char *utf8)
{
	GString *out = g_string_new (NULL);
	const char *p = utf8;

	while (*p) {
		gunichar ch = g_utf8_get_char (p);
		g_autoptr (GByteArray) u16 = NULL;
		g_autofree char *b64 = NULL;

		if (ch >= 0x20 && ch < 0x7f) {
			g_string_append (out, ch == '&' ? "&-" : (char[]) { (char) ch, 0 });
			p++;
			continue;
		}
		u16 = g_byte_array_new ();
		while (*p && ((ch = g_utf8_get_char (p)) < 0x20 || ch >= 0x7f)) {
			gunichar2 units[2];
			int n = 1;
			if (ch >= 0x10000) {
				units[0] = (gunichar2) (0xd800 + ((ch - 0x10000) >> 10));
				units[1] = (gunichar2) (0xdc00 + ((ch - 0x10000) & 0x3ff));
				n = 2;
			} else {
				units[0] = (gunichar2) ch;
			}
			for (int i = 0; i < n; i++) {
				guint8 be[2] = { units[i] >> 8, units[i] & 0xff };
				g_byte_array_append (u16, be, 2);
			}
			p = g_utf8_next_char (p);
		}
		b64 = g_base64_encode (u16->data, u16->len);
		g_strdelimit (b64, "/", ',');
		b64[strcspn (b64, "=")] = '\0';
		g_string_append_printf (out, "&%s-", b64);
	}
	return g_string_free (out, FALSE);
}

/* "1:5,7,9:10" for sorted @uids. */
static char *
uid_set (GArray *uids)
{
	GString *out = g_string_new (NULL);

	for (guint i = 0; i < uids->len;) {
		guint32 first = g_array_index (uids, guint32, i), last = first;
		while (++i < uids->len && g_array_index (uids, guint32, i) == last + 1)
			last++;
		if (first == last)
			g_string_append_printf (out, "%s%u", out->len ? "," : "", first);
		else
			g_string_append_printf (out, "%s%u:%u", out->len ? "," : "", first, last);
	}
	return g_string_free (out, FALSE);
}

/* --- the response parser ----------------------------------------------------- */

gint64
imap_literal_length (const char *l)
{
	gsize n = strlen (l);
	const char *open, *q;

	if (n < 2 || l[n - 1] != '}' || (open = strrchr (l, '{')) == NULL)
		return -1;
	/* RFC 3501 §9: literal = "{" number ["+"] "}"; number = 1*DIGIT, at most
	 * 32 bits.  Anything else in braces at the end of a line is no literal
	 * the server could mean: the rest of the response cannot be read. */
	for (q = open + 1; g_ascii_isdigit (*q); q++)
		;
	if (q == open + 1 || q - open - 1 > 10 || (*q == '+' && q[1] == '}' ? q + 2 : q + 1) != l + n ||
	    (*q != '}' && *q != '+'))
		return -2;
	return g_ascii_strtoll (open + 1, NULL, 10);
}

/* The digits after item @name in FETCH text @t, or NULL. */
static const char *
fetch_item_find (const char *t, const char *name)
{
	gsize n = strlen (name);

	for (const char *p = t; *p; p++)
		if ((p == t || p[-1] == ' ' || p[-1] == '(') && g_ascii_strncasecmp (p, name, n) == 0 &&
		    p[n] == ' ' && g_ascii_isdigit (p[n + 1]))
			return p + n + 1;
	return NULL;
}

guint64
imap_fetch_item (const char *t, const char *name)
{
	const char *v = fetch_item_find (t, name);

	return v != NULL ? g_ascii_strtoull (v, NULL, 10) : 0;
}

static void
parse_fail (ImapClient *c, char *why)
{
	if (c->parse_error == NULL)
		c->parse_error = why;
	else
		g_free (why);
}

static gboolean wanted (const ImapClient *c, guint32 uid);

/* A literal of @len bytes begins in a FETCH response.  One of a response not
 * asked for (its UID came before it) is read past without being kept; one
 * larger than a message may be, or than what the answer may still hold, ends
 * the answer at once, before a byte of it is read. */
static void
fetch_begin_literal (ImapClient *c, guint64 len)
{
	guint32 uid = (guint32) imap_fetch_item (c->fetch_text->str, "UID");

	if (c->literal != NULL) {
		/* only one literal is kept (we never ask for two): the last */
		c->kept -= c->literal->len;
		g_clear_pointer (&c->literal, g_byte_array_unref);
	}
	c->literal_left = len;
	c->literal_len = len;
	c->literal_skip = uid != 0 && !wanted (c, uid);
	if (c->literal_skip)
		return;
	if (len > c->literal_cap)
		parse_fail (c, g_strdup_printf ("a literal of %" G_GUINT64_FORMAT " bytes, above the limit of %"
		                                G_GUINT64_FORMAT " ([imap] max_message_size)", len, c->literal_cap));
	else if (c->kept + len > c->response_cap)
		parse_fail (c, g_strdup_printf ("the answer holds more than %" G_GUINT64_FORMAT " bytes",
		                                c->response_cap));
	else   /* sized once: growing by doubling would hold up to twice the message */
		c->literal = g_byte_array_sized_new ((guint) len);
}

/* Take @n bytes (at most literal_left) of the literal being read. */
static void
literal_take (ImapClient *c, const guint8 *data, gsize n)
{
	c->literal_left -= n;
	c->bytes += n;
	if (c->literal == NULL)
		return;   /* skipped, or refused (parse_error) */
	g_byte_array_append (c->literal, data, (guint) n);
	c->kept += n;
}

static int
cmp_uid (gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

	return x < y ? -1 : x > y;
}

static gboolean
wanted (const ImapClient *c, guint32 uid)
{
	guint idx;

	if (c->want_any)
		return TRUE;
	return c->want != NULL && g_array_binary_search (c->want, &uid, cmp_uid, &idx);
}

/* A FETCH response is complete.  One of the UIDs asked for is kept; any other
 * (unasked, or a flag change) is dropped now, so memory holds at most one
 * unasked literal at a time. */
static void
fetch_done (ImapClient *c)
{
	g_autoptr (GByteArray) literal = g_steal_pointer (&c->literal);
	guint32 uid = (guint32) imap_fetch_item (c->fetch_text->str, "UID");
	const char *size = fetch_item_find (c->fetch_text->str, "RFC822.SIZE");
	gboolean data = literal != NULL || c->literal_skip || size != NULL;
	FetchResp *r;

	c->in_fetch = FALSE;
	if (literal != NULL)
		c->kept -= literal->len;   /* kept again below, or dropped */
	/* RFC 3501 §6.4.8: every FETCH response to a UID command carries UID; data
	 * we asked for without it cannot be told apart from a deleted message */
	if (uid == 0 && data) {
		parse_fail (c, g_strdup ("a FETCH response with data but without its UID"));
	} else if (uid != 0 && data && wanted (c, uid)) {
		/* a server may split a message's items over several responses; two
		 * bodies of one message in one answer contradict each other */
		if ((r = g_hash_table_lookup (c->by_uid, GUINT_TO_POINTER (uid))) == NULL) {
			r = g_new0 (FetchResp, 1);
			r->uid = uid;
			g_ptr_array_add (c->responses, r);
			g_hash_table_insert (c->by_uid, GUINT_TO_POINTER (uid), r);
			c->kept += IMAP_RESPONSE_ENTRY;
		}
		if (size != NULL)
			r->size = g_ascii_strtoull (size, NULL, 10);
		if (literal != NULL && r->literal != NULL)
			parse_fail (c, g_strdup_printf ("two bodies of UID %u in one answer", uid));
		else if (literal != NULL) {
			c->kept += literal->len;
			r->literal = g_steal_pointer (&literal);
		}
		if (c->kept > c->response_cap)
			parse_fail (c, g_strdup_printf ("the answer holds more than %" G_GUINT64_FORMAT " bytes",
			                                c->response_cap));
	}
	/* anything else (not asked for, or a flag change) is dropped now, so
	 * memory holds at most one literal not asked for, and only one whose UID
	 * came after it */
	c->literal_len = 0;
	c->literal_skip = FALSE;
	g_string_truncate (c->fetch_text, 0);
}

/* A continuation line of a FETCH response, or its first line: another literal
 * follows, or the response is complete. */
static void
fetch_text (ImapClient *c, const char *l)
{
	gint64 lit = imap_literal_length (l);

	if (lit == -2)
		parse_fail (c, g_strdup_printf ("a bad literal in a FETCH response: %.40s", strrchr (l, '{')));
	g_string_append_printf (c->fetch_text, "%s%s", c->fetch_text->len ? " " : "", l);
	/* its text, literals left out, is short: one without end is no answer */
	if (c->fetch_text->len > IMAP_MAX_LINE)
		parse_fail (c, g_strdup ("a FETCH response without end"));
	if (lit >= 0)
		fetch_begin_literal (c, (guint64) lit);
	else
		fetch_done (c);
}

static void
resp_code (ImapClient *c, const char *text)
{
	if (g_ascii_strncasecmp (text, "[UIDVALIDITY ", 13) == 0) {
		guint32 uv = (guint32) g_ascii_strtoull (text + 13, NULL, 10);
		/* RFC 3501 §2.3.1.1: the UIDs in hand name other messages now; the one
		 * the pass works with stays, so nothing is taken or moved under it */
		if (c->uidvalidity != 0 && uv != c->uidvalidity)
			parse_fail (c, g_strdup_printf ("UIDVALIDITY changed from %u to %u during the pass",
			                                c->uidvalidity, uv));
		else
			c->uidvalidity = uv;
	}
	else if (g_ascii_strncasecmp (text, "[UIDNEXT ", 9) == 0)
		c->uidnext = (guint32) g_ascii_strtoull (text + 9, NULL, 10);
	else if (g_ascii_strncasecmp (text, "[CAPABILITY ", 12) == 0) {
		const char *end = strchr (text, ']');
		g_autofree char *caps = g_strndup (text + 12, end ? (gsize) (end - text - 12) : strlen (text + 12));
		g_autofree char *spaced = g_strdup_printf (" %s ", caps);
		g_free (c->capabilities);
		c->capabilities = g_ascii_strup (spaced, -1);
	}
}

static void
on_line (ImapClient *c, char *l)
{
	if (c->in_fetch) {
		fetch_text (c, l);
		return;
	}
	if (l[0] == '*' && l[1] == ' ') {
		const char *u = l + 2;
		char *end = NULL;
		guint64 n;

		if (g_ascii_strncasecmp (u, "OK ", 3) == 0 || g_ascii_strncasecmp (u, "NO ", 3) == 0) {
			resp_code (c, u + 3);
		} else if (g_ascii_strncasecmp (u, "BYE", 3) == 0) {
			g_free (c->bye);
			c->bye = g_strdup (u[3] == ' ' ? u + 4 : u + 3);
		} else if (g_ascii_strncasecmp (u, "SEARCH", 6) == 0 && (u[6] == '\0' || u[6] == ' ')) {
			if (c->search == NULL)
				c->search = g_array_new (FALSE, FALSE, sizeof (guint32));
			for (const char *p = u + 6; *p == ' ';) {
				guint64 v = g_ascii_strtoull (p + 1, &end, 10);
				guint32 uid = (guint32) v;
				if (end == p + 1 || v == 0 || v > G_MAXUINT32 || (*end != ' ' && *end != '\0') ||
				    c->kept > c->response_cap) {
					if (c->parse_error == NULL)
						c->parse_error = g_strdup ("a bad SEARCH response");
					break;
				}
				g_array_append_val (c->search, uid);
				c->kept += sizeof uid;
				p = end;
			}
		} else if (g_ascii_strncasecmp (u, "CAPABILITY ", 11) == 0) {
			g_autofree char *caps = g_strdup_printf (" %s ", u + 11);
			g_free (c->capabilities);
			c->capabilities = g_ascii_strup (caps, -1);
		} else if (g_ascii_isdigit (*u)) {
			n = g_ascii_strtoull (u, &end, 10);
			if (g_ascii_strcasecmp (end, " EXISTS") == 0)
				c->exists = (guint32) n;
			else if (g_ascii_strcasecmp (end, " EXPUNGE") == 0 && c->exists > 0)
				c->exists--;
			else if (g_ascii_strncasecmp (end, " FETCH ", 7) == 0) {
				c->in_fetch = TRUE;
				fetch_text (c, end + 7);
			}
		}
		return;
	}
	if (l[0] == '+')
		return;
	g_free (c->last_tagged);
	c->last_tagged = g_strdup (l);
	if (c->failed_tagged == NULL) {
		const char *status = strchr (l, ' ');
		if (status != NULL && (g_ascii_strncasecmp (status, " NO", 3) == 0 ||
		                       g_ascii_strncasecmp (status, " BAD", 4) == 0))
			c->failed_tagged = g_strdup (l);
	}
}

static size_t
on_header (char *data, size_t size, size_t nmemb, void *user)
{
	ImapClient *c = user;
	gsize len = size * nmemb, used = 0;

	while (used < len) {
		const char *nl;
		gsize end;

		if (c->parse_error != NULL) {
			c->overflow = TRUE;
			return 0;  /* aborts the transfer: CURLE_WRITE_ERROR */
		}
		if (c->literal_left > 0) {
			gsize take = (gsize) MIN (c->literal_left, (guint64) (len - used));
			literal_take (c, (const guint8 *) data + used, take);
			used += take;
			continue;
		}
		nl = memchr (data + used, '\n', len - used);
		end = nl ? (gsize) (nl - data) + 1 : len;
		g_string_append_len (c->line, data + used, (gssize) (end - used));
		used = end;
		if (c->line->len > IMAP_MAX_LINE) {
			c->overflow = TRUE;
			return 0;
		}
		if (nl != NULL) {
			gsize n = c->line->len;
			while (n > 0 && (c->line->str[n - 1] == '\n' || c->line->str[n - 1] == '\r'))
				n--;
			g_string_truncate (c->line, n);
			on_line (c, c->line->str);
			g_string_truncate (c->line, 0);
		}
	}
	return len;
}

/* --- the handle ------------------------------------------------------------- */

/* A fresh easy handle with every option of the connection; the OAuth2 token is
 * read here, so each new connection uses the newest one. */
static gboolean
handle_setup (ImapClient *c, GError **error)
{
	const Config *cfg = c->cfg;
	CURL *h = curl_easy_init ();

	if (h == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_SOFTWARE, "imap: curl_easy_init failed");
		return FALSE;
	}
	if (c->curl != NULL)
		curl_easy_cleanup (c->curl);
	c->curl = h;
	c->selected = FALSE;
	/* an answer still due on the old connection never comes */
	g_clear_pointer (&c->ahead_tag, g_free);
	g_clear_pointer (&c->ahead_set, g_free);
	g_clear_pointer (&c->ahead_got, g_hash_table_unref);
	c->sock = CURL_SOCKET_BAD;
	g_byte_array_set_size (c->rbuf, 0);
	c->rpos = 0;
	curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt (h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt (h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt (h, CURLOPT_URL, c->base);
	curl_easy_setopt (h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt (h, CURLOPT_SERVER_RESPONSE_TIMEOUT, (long) c->cfg->imap_timeout);
	/* the greeting and the login as a whole, however slowly they trickle */
	curl_easy_setopt (h, CURLOPT_TIMEOUT, (long) c->cfg->imap_timeout);
	curl_easy_setopt (h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	/* imap:// must upgrade with STARTTLS; imaps:// is TLS from the start. */
	curl_easy_setopt (h, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
	curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, cfg->imap_tls_verify ? 1L : 0L);
	curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, cfg->imap_tls_verify ? 2L : 0L);
	if (cfg->imap_ca_file != NULL)
		curl_easy_setopt (h, CURLOPT_CAINFO, cfg->imap_ca_file);
	curl_easy_setopt (h, CURLOPT_USERNAME, cfg->imap_user);
	if (cfg->imap_oauth2_token_file != NULL) {
		char *token = secret_read (cfg->imap_oauth2_token_file, "OAuth2 token", error);
		if (token == NULL) {
			g_prefix_error (error, "imap: ");
			return FALSE;
		}
		curl_easy_setopt (h, CURLOPT_XOAUTH2_BEARER, token);  /* libcurl copies it */
		secret_free (token);
	} else {
		curl_easy_setopt (h, CURLOPT_PASSWORD, c->password);
	}
	return TRUE;
}

/* The memory bounds of one answer, from [imap] max_message_size. */
static void
limits_set (ImapClient *c)
{
	/* a message as large as allowed, with room for a server counting its
	 * size a little differently (RFC822.SIZE) */
	c->literal_cap = MAX (c->cfg->imap_max_message_size, 1 << 20) + (64 << 10);
	c->response_cap = IMAP_RESPONSE_FACTOR * MAX (c->literal_cap, (guint64) IMAP_RESPONSE_MIN);
}

static gpointer
global_init (gpointer unused)
{
	curl_global_init (CURL_GLOBAL_DEFAULT);
	return NULL;
}

ImapClient *
imap_client_new (const Config *cfg, GError **error)
{
	static GOnce once = G_ONCE_INIT;
	g_autoptr (ImapClient) c = g_new0 (ImapClient, 1);
	g_autoptr (GUri) uri = NULL;
	g_autofree char *path = NULL;

	g_once (&once, global_init, NULL);
	c->cfg = cfg;
	c->line = g_string_new (NULL);
	c->fetch_text = g_string_new (NULL);
	c->responses = g_ptr_array_new_with_free_func ((GDestroyNotify) fetch_resp_free);
	c->by_uid = g_hash_table_new (g_direct_hash, g_direct_equal);
	c->rbuf = g_byte_array_new ();
	c->debug = g_getenv ("MAILREG_IMAP_DEBUG") != NULL;
	c->sock = CURL_SOCKET_BAD;
	limits_set (c);

	if (!cfg->has_imap || cfg->imap_url == NULL ||
	    (uri = g_uri_parse (cfg->imap_url, G_URI_FLAGS_NONE, NULL)) == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG, "imap: no usable [imap] url in %s", cfg->path);
		return NULL;
	}
	c->base = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
	                      g_uri_get_port (uri), "/", NULL, NULL);
	path = g_strdup (g_uri_get_path (uri) + (g_uri_get_path (uri)[0] == '/'));
	path[strcspn (path, ";")] = '\0';
	if (*path && path[strlen (path) - 1] == '/')
		path[strlen (path) - 1] = '\0';
	c->mailbox = *path ? g_uri_unescape_string (path, NULL) : g_strdup ("INBOX");
	if (c->mailbox == NULL || strpbrk (c->mailbox, "\"\\\r\n") != NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG, "config %s: [imap] url: bad mailbox name",
		             cfg->path);
		return NULL;
	}
	c->mailbox_wire = mutf7_encode (c->mailbox);
	if (g_uri_get_port (uri) > 0)
		c->describe = g_strdup_printf ("%s@%s:%d", cfg->imap_user ? cfg->imap_user : "?", g_uri_get_host (uri),
		                               g_uri_get_port (uri));
	else
		c->describe = g_strdup_printf ("%s@%s", cfg->imap_user ? cfg->imap_user : "?", g_uri_get_host (uri));

	if (cfg->imap_user == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG, "config %s: [imap] user: missing", cfg->path);
		return NULL;
	}
	if (cfg->imap_oauth2_token_file == NULL) {
		g_autofree char *secret = secret_path (cfg->imap_password_file, "imap-password");
		if (secret == NULL) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG,
			             "config %s: [imap]: no password_file= or oauth2_token_file=, and no "
			             "$CREDENTIALS_DIRECTORY/imap-password (systemd LoadCredential=)", cfg->path);
			return NULL;
		}
		if ((c->password = secret_read (secret, "IMAP password", error)) == NULL) {
			g_prefix_error (error, "imap: ");
			return NULL;
		}
	}
	if (!cfg->imap_tls_verify)
		g_warning ("imap: %s: TLS certificate verification is OFF ([imap] tls_verify = false); "
		           "anyone on the network path can read the password and the mail", c->describe);
	if (!handle_setup (c, error))
		return NULL;
	return g_steal_pointer (&c);
}

void
imap_client_free (ImapClient *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup (c->curl);   /* sends LOGOUT on the open connection */
	g_free (c->base);
	g_free (c->mailbox);
	g_free (c->mailbox_wire);
	g_free (c->describe);
	secret_free (c->password);
	g_free (c->capabilities);
	g_free (c->last_tagged);
	g_free (c->failed_tagged);
	g_free (c->bye);
	g_string_free (c->line, TRUE);
	g_string_free (c->fetch_text, TRUE);
	if (c->literal != NULL)
		g_byte_array_unref (c->literal);
	g_ptr_array_unref (c->responses);
	g_hash_table_unref (c->by_uid);
	g_byte_array_unref (c->rbuf);
	g_free (c->ahead_tag);
	g_free (c->ahead_set);
	g_free (c->parse_error);
	if (c->search != NULL)
		g_array_unref (c->search);
	if (c->ahead_uids != NULL)
		g_array_unref (c->ahead_uids);
	if (c->ahead_got != NULL)
		g_hash_table_unref (c->ahead_got);
	g_free (c);
}

const char *
imap_client_describe (const ImapClient *c)
{
	return c->describe;
}

const char *
imap_client_mailbox (const ImapClient *c)
{
	return c->mailbox;
}

/* --- connection and commands ---------------------------------------------------- */

/* The text after the tag of the failed (else the last) tagged response. */
static const char *
tagged_text (const ImapClient *c)
{
	const char *t = c->failed_tagged ? c->failed_tagged : c->last_tagged;
	const char *sp = t ? strchr (t, ' ') : NULL;

	return sp ? sp + 1 : "";
}

static gboolean
tagged_has (const ImapClient *c, const char *code)
{
	const char *t = c->failed_tagged ? c->failed_tagged : c->last_tagged;

	return t != NULL && strstr (t, code) != NULL;
}

static void
parser_reset (ImapClient *c)
{
	g_string_truncate (c->line, 0);
	g_string_truncate (c->fetch_text, 0);
	c->in_fetch = FALSE;
	c->literal_left = 0;
	c->literal_len = 0;
	c->literal_skip = FALSE;
	c->kept = 0;
	c->overflow = FALSE;
	if (c->literal != NULL)
		g_clear_pointer (&c->literal, g_byte_array_unref);
	g_hash_table_remove_all (c->by_uid);
	g_ptr_array_set_size (c->responses, 0);
	g_clear_pointer (&c->parse_error, g_free);
	if (c->search != NULL)
		g_clear_pointer (&c->search, g_array_unref);
	g_clear_pointer (&c->last_tagged, g_free);
	g_clear_pointer (&c->failed_tagged, g_free);
	c->errbuf[0] = '\0';
}

/* Set @error for a broken connection; it is not used again. */
static gboolean
lost (ImapClient *c, const char *what, const char *detail, GError **error)
{
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL, "IMAP server %s, user %s: %s: %s%s%s%s",
	             c->base, c->cfg->imap_user, what, detail, c->bye ? " (server said: " : "",
	             c->bye ? c->bye : "", c->bye ? ")" : "");
	c->selected = FALSE;
	return FALSE;
}

/* Set @error for a response that cannot be read (the server broke the
 * protocol); the connection is out of step and not used again. */
static gboolean
broken (ImapClient *c, const char *what, const char *detail, GError **error)
{
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_PROTOCOL, "IMAP server %s, user %s: %s: %s", c->base,
	             c->cfg->imap_user, what, detail);
	c->selected = FALSE;
	return FALSE;
}

/* Classify the failure of libcurl's connect and login. */
static gboolean
fail (ImapClient *c, CURLcode rc, GError **error)
{
	const char *detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror (rc);
	int code = MAILREG_ERROR_TEMPFAIL;
	g_autofree char *msg = NULL;

	switch (rc) {
	case CURLE_LOGIN_DENIED:
		if (tagged_has (c, "[UNAVAILABLE]")) {
			msg = g_strdup_printf ("the server cannot log in now (%s)", tagged_text (c));
		} else {
			code = MAILREG_ERROR_NOPERM;
			msg = g_strdup_printf ("login refused: wrong user name, password or token (%s)",
			                       c->failed_tagged ? tagged_text (c) : detail);
		}
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		code = MAILREG_ERROR_CONFIG;
		msg = g_strdup_printf ("TLS certificate not trusted (%s); name the server's CA in [imap] ca_file", detail);
		break;
	case CURLE_USE_SSL_FAILED:
		code = MAILREG_ERROR_CONFIG;
		msg = g_strdup_printf ("the server does not offer STARTTLS (%s); use an imaps:// URL", detail);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		code = MAILREG_ERROR_CONFIG;
		msg = g_strdup (detail);
		break;
	case CURLE_OUT_OF_MEMORY:
		code = MAILREG_ERROR_SOFTWARE;
		msg = g_strdup (detail);
		break;
	default:
		/* connection refused or dropped, DNS, timeouts, TLS handshake cut */
		msg = c->bye ? g_strdup_printf ("%s (server said: %s)", detail, c->bye) : g_strdup (detail);
		break;
	}
	g_set_error (error, MAILREG_ERROR, code, "IMAP server %s, user %s: log in: %s", c->base, c->cfg->imap_user,
	             msg);
	c->selected = FALSE;
	return FALSE;
}

typedef enum { WAIT_READY, WAIT_TIMEOUT, WAIT_WOKEN } WaitResult;

/* Wait until the socket is readable, @deadline (monotonic µs) passes or
 * @wake_fd (-1: none) becomes readable.  A signal ends the wait early too
 * (WAIT_READY: the caller reads again and finds nothing). */
static WaitResult
wait_readable_until (ImapClient *c, gint64 deadline, int wake_fd)
{
	struct pollfd pfd[2] = { { c->sock, POLLIN, 0 }, { wake_fd, POLLIN, 0 } };
	gint64 left = deadline - g_get_monotonic_time ();
	int rc;

	if (left <= 0)
		return WAIT_TIMEOUT;
	rc = poll (pfd, wake_fd >= 0 ? 2 : 1, (int) MIN ((left + 999) / 1000, G_MAXINT));
	if (rc == 0)
		return WAIT_TIMEOUT;
	if (rc > 0 && wake_fd >= 0 && (pfd[1].revents & POLLIN))
		return WAIT_WOKEN;
	return WAIT_READY;
}

static gboolean
send_all (ImapClient *c, const char *data, gsize len, const char *what, GError **error)
{
	const char *why = curlio_send_all (c->curl, c->sock, data, len, (int) c->cfg->imap_timeout);

	return why == NULL || lost (c, what, why, error);
}

/* Read more from the server into rbuf. */
static gboolean
fill (ImapClient *c, const char *what, GError **error)
{
	gint64 left = c->deadline - g_get_monotonic_time ();
	const char *why;

	if (c->curl == NULL)
		return lost (c, what, "no more data", error);   /* imap_parse_response */
	/* a deadline for the whole response: a server trickling a byte at a time,
	 * or sending untagged lines without end, is not waited for forever */
	if (c->deadline != 0 && left <= 0) {
		g_autofree char *detail = g_strdup_printf ("no complete answer within %u seconds ([imap] timeout)",
		                                           c->cfg->imap_timeout);
		return lost (c, what, detail, error);
	}
	if (c->rpos > 0 && c->rpos == c->rbuf->len) {
		g_byte_array_set_size (c->rbuf, 0);
		c->rpos = 0;
	} else if (c->rpos > (1 << 20)) {
		g_byte_array_remove_range (c->rbuf, 0, c->rpos);
		c->rpos = 0;
	}
	why = curlio_recv (c->curl, c->sock, c->rbuf,
	                   c->deadline != 0 ? (int) MAX ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1)
	                                    : (int) c->cfg->imap_timeout);
	return why == NULL || lost (c, what, why, error);
}

/* Read more from the server into rbuf; *@why says why nothing came: the
 * @deadline passed or @wake_fd woke us (FALSE, no error set). */
static gboolean
fill_until (ImapClient *c, const char *what, gint64 deadline, int wake_fd, WaitResult *why, GError **error)
{
	guint8 buf[16384];

	*why = WAIT_READY;
	if (c->rpos > 0 && c->rpos == c->rbuf->len) {
		g_byte_array_set_size (c->rbuf, 0);
		c->rpos = 0;
	}
	for (;;) {
		size_t n = 0;
		CURLcode rc = curl_easy_recv (c->curl, buf, sizeof buf, &n);
		if (rc == CURLE_AGAIN) {
			if ((*why = wait_readable_until (c, deadline, wake_fd)) != WAIT_READY)
				return FALSE;
			continue;
		}
		if (rc != CURLE_OK)
			return lost (c, what, curl_easy_strerror (rc), error);
		if (n == 0)
			return lost (c, what, "connection closed by the server", error);
		g_byte_array_append (c->rbuf, buf, (guint) n);
		return TRUE;
	}
}

/* The next response line (line end cut; literals are skipped, IDLE asks for
 * none), waiting until @deadline.  1: *@line (transfer full); 0: the deadline
 * passed or @wake_fd woke us (*@why); -1: error set. */
static int
next_line (ImapClient *c, const char *what, gint64 deadline, int wake_fd, WaitResult *why, char **line,
           GError **error)
{
	for (;;) {
		/* an empty rbuf may have data == NULL: no arithmetic on it */
		guint8 *start = c->rbuf->data != NULL ? c->rbuf->data + c->rpos : NULL;
		gsize avail = c->rbuf->len - c->rpos;
		guint8 *nl = NULL;

		/* lines flooding in never leave the buffer empty: the deadline is
		 * looked at for each one, not only when waiting */
		if (g_get_monotonic_time () >= deadline) {
			*why = WAIT_TIMEOUT;
			return 0;
		}
		if (c->literal_left > 0 && avail > 0) {
			gsize skip = (gsize) MIN (c->literal_left, (guint64) avail);
			c->literal_left -= skip;
			c->rpos += (guint) skip;
			continue;
		}
		if (c->literal_left == 0 && avail > 0 && (nl = memchr (start, '\n', avail)) != NULL) {
			c->rpos += (guint) (nl - start) + 1;
			while (nl > start && (nl[-1] == '\r' || nl[-1] == '\n'))
				nl--;
			*line = g_strndup ((const char *) start, (gsize) (nl - start));
			if (c->debug)
				g_printerr ("< %s\n", *line);
			return 1;
		}
		if (avail > IMAP_MAX_LINE) {
			lost (c, what, "response line too long", error);
			return -1;
		}
		if (!fill_until (c, what, deadline, wake_fd, why, error))
			return *why == WAIT_READY ? -1 : 0;
	}
}

/* Send "TAG @request"; *@tag_out (transfer full) is the tag. */
static gboolean
command_send (ImapClient *c, const char *request, const char *what, char **tag_out, GError **error)
{
	g_autofree char *tag = g_strdup_printf ("M%04u", ++c->tag % 10000);
	g_autofree char *line = g_strdup_printf ("%s %s\r\n", tag, request);

	if (c->debug)
		g_printerr ("> %s", line);
	if (!send_all (c, line, strlen (line), what, error))
		return FALSE;
	*tag_out = g_steal_pointer (&tag);
	return TRUE;
}

/* Read the response of the command tagged @tag (see command). */
static gboolean
command_read (ImapClient *c, const char *tag, const char *what, GError **error)
{
	gsize taglen = strlen (tag);

	parser_reset (c);
	c->deadline = g_get_monotonic_time () + (gint64) c->cfg->imap_timeout * G_USEC_PER_SEC;
	for (;;) {
		/* an empty rbuf may have data == NULL: no arithmetic on it */
		guint8 *start = c->rbuf->data != NULL ? c->rbuf->data + c->rpos : NULL;
		gsize avail = c->rbuf->len - c->rpos;
		guint8 *nl;
		char *l;

		if (c->literal_left > 0) {
			gsize take = (gsize) MIN (c->literal_left, (guint64) avail);
			if (take == 0) {
				if (!fill (c, what, error))
					return FALSE;
				continue;
			}
			literal_take (c, start, take);
			c->rpos += (guint) take;
			continue;
		}
		/* an empty rbuf has data == NULL: memchr (NULL, ..., 0) is undefined */
		if (avail == 0 || (nl = memchr (start, '\n', avail)) == NULL) {
			if (avail > IMAP_MAX_LINE)
				return lost (c, what, "response line too long", error);
			if (!fill (c, what, error))
				return FALSE;
			continue;
		}
		c->rpos += (guint) (nl - start) + 1;
		while (nl > start && (nl[-1] == '\r' || nl[-1] == '\n'))
			nl--;
		/* RFC 3501 §9: no NUL outside a literal; a line cut there would hide
		 * what follows it (a literal, the tag) */
		if (memchr (start, '\0', (gsize) (nl - start)) != NULL)
			return broken (c, what, "a NUL byte in a response line", error);
		l = g_strndup ((const char *) start, (gsize) (nl - start));
		if (c->debug)
			g_printerr ("< %s\n", l);
		on_line (c, l);
		if (c->parse_error != NULL) {
			g_free (l);
			return broken (c, what, c->parse_error, error);
		}
		if (strncmp (l, tag, taglen) == 0 && l[taglen] == ' ') {
			const char *status = l + taglen + 1;
			gboolean ok = g_ascii_strncasecmp (status, "OK", 2) == 0;
			gboolean bad = g_ascii_strncasecmp (status, "BAD", 3) == 0;
			if (!ok)
				g_set_error (error, MAILREG_ERROR,
				             bad ? MAILREG_ERROR_PROTOCOL
				                 : tagged_has (c, "[NONEXISTENT]") ? MAILREG_ERROR_CONFIG : MAILREG_ERROR_TEMPFAIL,
				             "IMAP server %s, user %s: %s: %s", c->base, c->cfg->imap_user, what, status);
			g_free (l);
			return ok;
		}
		if (strncmp (l, "* BYE", 5) == 0) {
			g_free (l);
			return lost (c, what, "the server closed the connection", error);
		}
		g_free (l);
	}
}

static gboolean ahead_read (ImapClient *c, GError **error);

/* Send "TAG @request" and read the response to its tagged end, handing every
 * line to the parser and every literal, by its length, to the FETCH response
 * it belongs to.  A tagged NO or BAD is an error too: MAILREG_ERROR_TEMPFAIL
 * (CONFIG for [NONEXISTENT], PROTOCOL for BAD), the connection stays usable. */
static gboolean
command (ImapClient *c, const char *request, const char *what, GError **error)
{
	g_autofree char *tag = NULL;

	/* responses come in order: first the answer to a FETCH sent ahead */
	if (c->ahead_tag != NULL && !ahead_read (c, error))
		return FALSE;
	return command_send (c, request, what, &tag, error) && command_read (c, tag, what, error);
}

/* command, keeping the FETCH responses of @want (sorted UIDs; NULL: of any UID). */
static gboolean
command_fetch (ImapClient *c, const char *request, const char *what, GArray *want, GError **error)
{
	gboolean ok;

	if (c->ahead_tag != NULL && !ahead_read (c, error))
		return FALSE;
	c->want_any = want == NULL;
	c->want = want;
	ok = command (c, request, what, error);
	c->want_any = FALSE;
	c->want = NULL;
	return ok;
}

/* Connect and log in (libcurl), then CAPABILITY and SELECT (ours). */
static gboolean
connect_select (ImapClient *c, GError **error)
{
	g_autofree char *what = g_strdup_printf ("select mailbox %s", c->mailbox);
	g_autofree char *select = g_strdup_printf ("SELECT \"%s\"", c->mailbox_wire);
	CURLcode rc;
	GError *err = NULL;

	if (c->curl == NULL || c->sock != CURL_SOCKET_BAD) {
		if (!handle_setup (c, error))
			return FALSE;
	}
	parser_reset (c);
	g_clear_pointer (&c->bye, g_free);
	/* what the last connection said is no change seen on this one */
	c->uidvalidity = c->uidnext = c->exists = 0;
	if ((rc = curl_easy_perform (c->curl)) != CURLE_OK)
		return fail (c, rc, error);
	if (curl_easy_getinfo (c->curl, CURLINFO_ACTIVESOCKET, &c->sock) != CURLE_OK || c->sock == CURL_SOCKET_BAD)
		return lost (c, "log in", "no connection after the login", error);
	if (!command (c, "CAPABILITY", "capabilities", error))
		return FALSE;
	if (!command (c, select, what, &err)) {
		/* a tagged NO, not a lost connection */
		if (g_error_matches (err, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL) && c->failed_tagged != NULL &&
		    !tagged_has (c, "[UNAVAILABLE]") && !tagged_has (c, "[INUSE]") && !tagged_has (c, "[SERVERBUG]"))
			err->code = MAILREG_ERROR_CONFIG;   /* no such mailbox, or no right to it */
		g_propagate_error (error, err);
		return FALSE;
	}
	if (c->uidvalidity == 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_PROTOCOL,
		             "IMAP server %s, user %s: %s: no UIDVALIDITY in the answer", c->base, c->cfg->imap_user,
		             what);
		return FALSE;
	}
	c->selected = TRUE;
	return TRUE;
}

gboolean
imap_select (ImapClient *c, GError **error)
{
	return connect_select (c, error);
}

guint32
imap_uidvalidity (const ImapClient *c)
{
	return c->uidvalidity;
}

guint32
imap_uidnext (const ImapClient *c)
{
	return c->uidnext;
}

guint32
imap_exists (const ImapClient *c)
{
	return c->exists;
}

gboolean
imap_has_capability (const ImapClient *c, const char *name)
{
	g_autofree char *word = g_strdup_printf (" %s ", name);

	return c->capabilities != NULL && strstr (c->capabilities, word) != NULL;
}

guint64
imap_bytes_fetched (const ImapClient *c)
{
	return c->bytes;
}

/* Connect again after a lost connection; the UIDVALIDITY must be the same, or
 * the UIDs in hand mean other messages. */
static gboolean
reselect (ImapClient *c, GError **error)
{
	guint32 before = c->uidvalidity;

	if (c->selected)
		return TRUE;
	g_info ("imap: %s: connecting again", c->describe);
	if (!connect_select (c, error))
		return FALSE;
	if (c->uidvalidity != before) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL,
		             "IMAP server %s, user %s: UIDVALIDITY of %s changed during the pass", c->base,
		             c->cfg->imap_user, c->mailbox);
		c->selected = FALSE;
		return FALSE;
	}
	return TRUE;
}

GPtrArray *
imap_list (ImapClient *c, guint32 from, gboolean with_message_id, GError **error)
{
	g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) imap_message_info_free);
	g_autofree char *req = g_strdup_printf ("UID FETCH %u:* (UID RFC822.SIZE%s)", MAX (from, 1),
	                                        with_message_id ? " BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]" : "");

	if (!reselect (c, error) || !command_fetch (c, req, "list new messages", NULL, error))
		return NULL;
	for (guint i = 0; i < c->responses->len; i++) {
		FetchResp *r = g_ptr_array_index (c->responses, i);
		ImapMessageInfo *info;

		/* "n:*" includes the highest UID even when it is below n (RFC 3501 §6.4.8);
		 * unsolicited FETCH responses (flag changes) carry no size. */
		if (r->uid < from || r->uid == 0)
			continue;
		info = g_new0 (ImapMessageInfo, 1);
		info->uid = r->uid;
		info->size = r->size;
		if (with_message_id && r->literal != NULL)
			info->header = g_strndup ((const char *) r->literal->data, r->literal->len);
		g_ptr_array_add (out, info);
	}
	return g_steal_pointer (&out);
}

/* CRLF -> LF in place (a Maildir stores LF line ends, as mbsync writes them). */
static void
crlf_to_lf (GByteArray *b)
{
	guint8 *src, *dst, *end, *cr;

	if (b->len == 0)
		return;   /* data may be NULL: no arithmetic on it */
	src = dst = b->data;
	end = b->data + b->len;
	/* line by line with memchr: a loop over every byte was 5 % of intake */
	while ((cr = memchr (src, '\r', (gsize) (end - src))) != NULL) {
		gsize n = (gsize) (cr - src);
		memmove (dst, src, n);
		dst += n;
		if (cr + 1 == end || cr[1] != '\n')
			*dst++ = '\r';   /* a bare CR stays */
		src = cr + 1;
	}
	memmove (dst, src, (gsize) (end - src));
	dst += end - src;
	g_byte_array_set_size (b, (guint) (dst - b->data));
}

GBytes *
imap_fetch (ImapClient *c, guint32 uid, gboolean header_only, GError **error)
{
	g_autofree char *req = g_strdup_printf ("UID FETCH %u (UID %s)", uid,
	                                        header_only ? "BODY.PEEK[HEADER]" : "BODY.PEEK[]");
	g_autofree char *what = g_strdup_printf ("fetch UID %u", uid);
	g_autoptr (GError) local = NULL;
	g_autoptr (GArray) want = g_array_new (FALSE, FALSE, sizeof (guint32));

	g_array_append_val (want, uid);
	if (!reselect (c, error))
		return NULL;
	if (!command_fetch (c, req, what, want, &local)) {
		if (tagged_has (c, "[EXPUNGEISSUED]"))
			return NULL;  /* deleted by someone else meanwhile */
		g_propagate_error (error, g_steal_pointer (&local));
		return NULL;
	}
	for (guint i = 0; i < c->responses->len; i++) {
		FetchResp *r = g_ptr_array_index (c->responses, i);
		if (r->uid == uid && r->literal != NULL) {
			GByteArray *b = g_steal_pointer (&r->literal);
			crlf_to_lf (b);
			return g_byte_array_free_to_bytes (b);
		}
	}
	return NULL;  /* no such message (any more) */
}

/* The messages of the last FETCH response: UID -> GBytes.  (transfer full) */
static GHashTable *
fetched_table (ImapClient *c)
{
	GHashTable *out = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_bytes_unref);

	for (guint i = 0; i < c->responses->len; i++) {
		FetchResp *r = g_ptr_array_index (c->responses, i);
		if (r->uid != 0 && r->literal != NULL) {
			GByteArray *b = g_steal_pointer (&r->literal);
			crlf_to_lf (b);
			g_hash_table_replace (out, GUINT_TO_POINTER (r->uid), g_byte_array_free_to_bytes (b));
		}
	}
	return out;
}

gboolean
imap_parse_response (const guint8 *data, gsize len, const char *tag, GArray *want, GHashTable **fetched,
                     GError **error)
{
	static Config cfg = { .imap_user = (char *) "test", .imap_max_message_size = 1 << 20, .imap_timeout = 1 };
	g_autoptr (ImapClient) c = g_new0 (ImapClient, 1);
	gboolean ok;

	c->cfg = &cfg;
	c->base = g_strdup ("imap://test/");
	c->line = g_string_new (NULL);
	c->fetch_text = g_string_new (NULL);
	c->responses = g_ptr_array_new_with_free_func ((GDestroyNotify) fetch_resp_free);
	c->by_uid = g_hash_table_new (g_direct_hash, g_direct_equal);
	c->rbuf = g_byte_array_new ();
	c->sock = CURL_SOCKET_BAD;
	limits_set (c);
	g_byte_array_append (c->rbuf, data, (guint) len);
	c->want_any = want == NULL;
	c->want = want;
	ok = command_read (c, tag, "test", error);
	c->want = NULL;
	if (fetched != NULL)
		*fetched = ok ? fetched_table (c) : NULL;
	return ok;
}

/* Read the answer to the FETCH sent ahead into c->ahead_got. */
static gboolean
ahead_read (ImapClient *c, GError **error)
{
	g_autofree char *tag = g_steal_pointer (&c->ahead_tag);
	g_autoptr (GArray) want = g_steal_pointer (&c->ahead_uids);
	g_autoptr (GError) local = NULL;
	gboolean ok;

	c->want_any = FALSE;
	c->want = want;
	ok = command_read (c, tag, "fetch messages", &local);
	c->want = NULL;
	/* NO [EXPUNGEISSUED]: some were deleted meanwhile; the others did come */
	if (!ok && (c->parse_error != NULL || !tagged_has (c, "[EXPUNGEISSUED]"))) {
		g_clear_pointer (&c->ahead_set, g_free);
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	c->ahead_got = fetched_table (c);
	return TRUE;
}

gboolean
imap_fetch_ahead (ImapClient *c, GArray *uids, GError **error)
{
	g_autofree char *req = NULL;

	if (uids->len == 0 || c->ahead_set != NULL)
		return TRUE;
	if (!reselect (c, error))
		return FALSE;
	c->ahead_set = uid_set (uids);
	c->ahead_uids = g_array_copy (uids);
	req = g_strdup_printf ("UID FETCH %s (UID BODY.PEEK[])", c->ahead_set);
	if (!command_send (c, req, "fetch messages", &c->ahead_tag, error)) {
		g_clear_pointer (&c->ahead_set, g_free);
		g_clear_pointer (&c->ahead_uids, g_array_unref);
		return FALSE;
	}
	return TRUE;
}

GHashTable *
imap_fetch_batch (ImapClient *c, GArray *uids, GError **error)
{
	g_autoptr (GError) local = NULL;
	g_autofree char *set = NULL;
	g_autofree char *req = NULL;

	if (!reselect (c, error))
		return NULL;
	set = uid_set (uids);
	if (c->ahead_set != NULL && strcmp (c->ahead_set, set) == 0) {
		g_clear_pointer (&c->ahead_set, g_free);
		if (c->ahead_tag != NULL && !ahead_read (c, error))
			return NULL;
		return g_steal_pointer (&c->ahead_got);
	}
	/* something else was asked ahead: its answer is read (command) and dropped */
	req = g_strdup_printf ("UID FETCH %s (UID BODY.PEEK[])", set);
	if (!command_fetch (c, req, "fetch messages", uids, &local) &&
	    (c->parse_error != NULL || !tagged_has (c, "[EXPUNGEISSUED]"))) {
		g_propagate_error (error, g_steal_pointer (&local));
		return NULL;
	}
	g_clear_pointer (&c->ahead_set, g_free);
	g_clear_pointer (&c->ahead_got, g_hash_table_unref);
	return fetched_table (c);
}

gboolean
imap_uid_exists (ImapClient *c, guint32 uid, gboolean *exists, GError **error)
{
	g_autofree char *req = g_strdup_printf ("UID SEARCH UID %u", uid);
	g_autofree char *what = g_strdup_printf ("look for UID %u", uid);

	*exists = TRUE;
	if (!reselect (c, error) || !command (c, req, what, error))
		return FALSE;
	/* RFC 3501 §7.2.5: the answer is one SEARCH response, here of @uid or of
	 * nothing; anything else does not say that the message is gone */
	if (c->search == NULL || c->search->len > 1 ||
	    (c->search->len == 1 && g_array_index (c->search, guint32, 0) != uid))
		return broken (c, what, "no clear SEARCH response", error);
	*exists = c->search->len == 1;
	return TRUE;
}

/* Run a command that names @mailbox_wire; create the mailbox when the server
 * says TRYCREATE, then try once more. */
static gboolean
command_creating (ImapClient *c, const char *req, const char *mailbox_wire, const char *what, GError **error)
{
	g_autoptr (GError) local = NULL;
	g_autofree char *create = NULL;

	if (command (c, req, what, &local))
		return TRUE;
	if (!tagged_has (c, "[TRYCREATE]") || !c->selected) {
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	g_clear_error (&local);
	create = g_strdup_printf ("CREATE \"%s\"", mailbox_wire);
	if (!command (c, create, "create mailbox", &local) && !tagged_has (c, "[ALREADYEXISTS]")) {
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	g_info ("imap: %s: created mailbox %s", c->describe, mailbox_wire);
	return command (c, req, what, error);
}

gboolean
imap_acknowledge (ImapClient *c, GArray *uids, const char *mailbox, GError **error)
{
	g_autofree char *set = NULL;
	g_autofree char *wire = NULL;
	g_autofree char *req = NULL;
	g_autofree char *what = NULL;

	if (uids->len == 0)
		return TRUE;
	if (!reselect (c, error))
		return FALSE;
	g_array_sort (uids, cmp_uid);
	set = uid_set (uids);
	if (mailbox == NULL) {
		req = g_strdup_printf ("UID STORE %s +FLAGS.SILENT (\\Seen)", set);
		return command (c, req, "set \\Seen", error);
	}
	wire = mutf7_encode (mailbox);
	what = g_strdup_printf ("move to %s", mailbox);
	if (imap_has_capability (c, "MOVE")) {
		req = g_strdup_printf ("UID MOVE %s \"%s\"", set, wire);
		return command_creating (c, req, wire, what, error);
	}
	req = g_strdup_printf ("UID COPY %s \"%s\"", set, wire);
	if (!command_creating (c, req, wire, what, error))
		return FALSE;
	g_free (req);
	req = g_strdup_printf ("UID STORE %s +FLAGS.SILENT (\\Deleted)", set);
	if (!command (c, req, "flag \\Deleted after copy", error))
		return FALSE;
	if (!imap_has_capability (c, "UIDPLUS")) {
		/* A plain EXPUNGE would also remove what staff marked deleted. */
		g_info ("imap: %s: no UIDPLUS: copied messages stay flagged \\Deleted in %s", c->describe, c->mailbox);
		return TRUE;
	}
	g_free (req);
	req = g_strdup_printf ("UID EXPUNGE %s", set);
	return command (c, req, "expunge after copy", error);
}

gboolean
imap_connected (const ImapClient *c)
{
	return c->selected;
}

/* One IDLE command until @until, @wake_fd or news; ends it with DONE and reads
 * its tagged end.  *@result stays IMAP_IDLE_TIMEOUT when nothing happened. */
static gboolean
idle_once (ImapClient *c, gint64 until, int wake_fd, ImapIdleResult *result, GError **error)
{
	g_autofree char *tag = g_strdup_printf ("M%04u", ++c->tag % 10000);
	g_autofree char *req = g_strdup_printf ("%s IDLE\r\n", tag);
	gsize taglen = strlen (tag);
	gboolean idling = FALSE, done_sent = FALSE;
	/* the answers to IDLE and to DONE each have the whole timeout, not per line */
	gint64 answer_by = g_get_monotonic_time () + (gint64) c->cfg->imap_timeout * G_USEC_PER_SEC;

	parser_reset (c);
	if (c->debug)
		g_printerr ("> %s", req);
	if (!send_all (c, req, strlen (req), "idle", error))
		return FALSE;
	for (;;) {
		g_autofree char *l = NULL;
		/* the answers to IDLE and DONE are due at once; the news whenever it comes */
		gint64 deadline = idling && !done_sent ? until : answer_by;
		WaitResult why = WAIT_READY;
		guint32 before = c->exists;
		int r = next_line (c, "idle", deadline, idling && !done_sent ? wake_fd : -1, &why, &l, error);

		if (r < 0)
			return FALSE;
		if (r == 0 && (done_sent || !idling))
			return lost (c, "idle", "no complete answer in time ([imap] timeout)", error);
		if (r == 0) {
			if (why == WAIT_WOKEN)
				*result = IMAP_IDLE_WOKEN;
		} else if (l[0] == '+') {
			idling = TRUE;
			if (*result == IMAP_IDLE_TIMEOUT)
				continue;
			/* news came before the continuation: DONE may go now */
		} else if (strncmp (l, tag, taglen) == 0 && l[taglen] == ' ') {
			const char *status = l + taglen + 1;
			on_line (c, l);
			if (g_ascii_strncasecmp (status, "OK", 2) == 0)
				return TRUE;
			g_set_error (error, MAILREG_ERROR,
			             g_ascii_strncasecmp (status, "BAD", 3) == 0 ? MAILREG_ERROR_PROTOCOL : MAILREG_ERROR_TEMPFAIL,
			             "IMAP server %s, user %s: idle: %s", c->base, c->cfg->imap_user, status);
			return FALSE;
		} else if (strncmp (l, "* BYE", 5) == 0) {
			on_line (c, l);
			return lost (c, "idle", "the server closed the connection", error);
		} else {
			/* untagged: "* N EXISTS" above the count is new mail; EXPUNGE
			 * (our own pass moving messages away) lowers the count */
			on_line (c, l);
			if (c->parse_error != NULL)
				return broken (c, "idle", c->parse_error, error);
			if (c->exists <= before)
				continue;
			*result = IMAP_IDLE_NEW;
			if (!idling)
				continue;   /* DONE only after the server's "+" */
		}
		if (done_sent)
			continue;
		if (c->debug)
			g_printerr ("> DONE\n");
		if (!send_all (c, "DONE\r\n", 6, "idle", error))
			return FALSE;
		done_sent = TRUE;
		answer_by = g_get_monotonic_time () + (gint64) c->cfg->imap_timeout * G_USEC_PER_SEC;
	}
}

gboolean
imap_idle (ImapClient *c, guint timeout_seconds, int wake_fd, ImapIdleResult *result, GError **error)
{
	gint64 end = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;

	*result = IMAP_IDLE_TIMEOUT;
	if (!reselect (c, error))
		return FALSE;
	if (!imap_has_capability (c, "IDLE")) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_PROTOCOL, "IMAP server %s, user %s: no IDLE capability",
		             c->base, c->cfg->imap_user);
		return FALSE;
	}
	while (*result == IMAP_IDLE_TIMEOUT) {
		gint64 now = g_get_monotonic_time ();
		if (now >= end)
			break;
		if (!idle_once (c, MIN (end, now + (gint64) IMAP_IDLE_RENEW * G_USEC_PER_SEC), wake_fd, result, error))
			return FALSE;
	}
	return TRUE;
}

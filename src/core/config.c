/* config.c - load and check mailreg.conf.
 *
 * A table lists every group and key the program knows; anything else is an
 * error, so a typo never silently falls back to a default.
 */
#include "core/config.h"

#include <errno.h>
#include <gio/gio.h>
#include <gmime/gmime.h>
#include <string.h>

#include "core/errors.h"
#include "core/fs.h"

/* $(PREFIX)/share/mailreg, from the Makefile: where scripts/install.sh puts
 * the templates, so an installed mailreg finds them without [paths]. */
#ifndef MAILREG_DATADIR
#error "MAILREG_DATADIR must be defined (the Makefile passes -DMAILREG_DATADIR=\"$(PREFIX)/share/mailreg\")"
#endif
#define STATE_DIR "/var/lib/mailreg"

typedef enum {
	KEY_PATH, KEY_STRING, KEY_ADDRESS, KEY_DOMAIN, KEY_SIZE, KEY_UINT, KEY_BOOL,
	KEY_IMAP_URL,   /* imap:// or imaps:// with a host */
	KEY_MAILBOX,    /* an IMAP mailbox name; empty turns the feature off */
	KEY_SMTP_URL,   /* smtp:// or smtps:// with a host */
	KEY_DURATION,   /* seconds, or with a unit: 300, 5m, 4h, 5d */
	KEY_SCHEDULE,   /* durations separated by commas or spaces */
	KEY_CHOICE,     /* one of the words `allowed` lists: "direct or offer" */
	KEY_FRACTION,   /* a number from 0 to 1: 0.9 (stored as a double) */
	KEY_LISTEN,     /* HOST:PORT with a numeric host; empty turns the feature off */
	KEY_URL,        /* an http:// or https:// URL with a host */
	KEY_ADDRESS_LIST, /* mailboxes separated by commas, kept as bare addresses (a GStrv) */
} KeyType;

typedef struct {
	const char *group;
	const char *key;
	KeyType type;
	gsize offset;
	const char *allowed;  /* wording for error messages */
	guint64 min, max;     /* KEY_SIZE and KEY_UINT bounds */
} KeySpec;

#define F(field) G_STRUCT_OFFSET (Config, field)
static const KeySpec config_keys[] = {
	{ "paths", "database", KEY_PATH, F (database), "a file path", 0, 0 },
	{ "paths", "spool", KEY_PATH, F (spool), "a folder path", 0, 0 },
	{ "paths", "outgoing", KEY_PATH, F (outgoing), "a folder path", 0, 0 },
	{ "paths", "templates", KEY_PATH, F (templates), "a folder path", 0, 0 },
	{ "paths", "catalog", KEY_PATH, F (catalog), "a file path", 0, 0 },
	{ "paths", "form", KEY_PATH, F (form), "a file path", 0, 0 },
	{ "paths", "inbox", KEY_PATH, F (inbox), "a folder path", 0, 0 },
	{ "paths", "retention_days", KEY_UINT, F (retention_days), "a number of days from 0 (keep) to 36500", 0, 36500 },
	{ "paths", "inbox_poll_interval", KEY_UINT, F (imap_poll_interval), "a number of seconds from 1 to 86400", 1, 86400 },
	{ "mail", "from", KEY_ADDRESS, F (from), "an address such as 'Rejestracja <rejestracja@example.pl>'", 0, 0 },
	{ "mail", "reply_to", KEY_ADDRESS, F (reply_to), "an e-mail address", 0, 0 },
	{ "mail", "staff", KEY_ADDRESS, F (staff), "an e-mail address", 0, 0 },
	{ "mail", "domain", KEY_DOMAIN, F (domain), "a domain name such as rops.example.pl", 0, 0 },
	{ "mail", "staff_copy", KEY_BOOL, F (staff_copy), "true or false", 0, 0 },
	{ "limits", "max_message_size", KEY_SIZE, F (max_message_size), "a size such as 30M (1K to 2G)", 1 << 10, 2ULL << 30 },
	{ "limits", "max_mime_depth", KEY_UINT, F (max_mime_depth), "a number from 1 to 100", 1, 100 },
	{ "limits", "max_form_text", KEY_SIZE, F (max_form_text), "a size such as 1M (1K to 100M)", 1 << 10, 100 << 20 },
	{ "limits", "max_attachment_size", KEY_SIZE, F (max_attachment_size), "a size such as 25M (1K to 1G)", 1 << 10, 1 << 30 },
	{ "limits", "max_total_size", KEY_SIZE, F (max_total_size), "a size such as 50M (1K to 2G)", 1 << 10, 2ULL << 30 },
	{ "limits", "max_zip_entry_size", KEY_SIZE, F (max_zip_entry_size), "a size such as 20M (1K to 1G)", 1 << 10, 1 << 30 },
	{ "limits", "max_zip_entries", KEY_UINT, F (max_zip_entries), "a number from 1 to 100000", 1, 100000 },
	{ "limits", "max_xml_depth", KEY_UINT, F (max_xml_depth), "a number from 8 to 10000", 8, 10000 },
	{ "limits", "max_pdf_pages", KEY_UINT, F (max_pdf_pages), "a number from 1 to 10000", 1, 10000 },
	{ "limits", "max_ocr_pages", KEY_UINT, F (max_ocr_pages), "a number from 1 to 1000", 1, 1000 },
	{ "limits", "max_ocr_pixels", KEY_SIZE, F (max_ocr_pixels), "a number of pixels such as 40M (1M to 1G)", 1 << 20, 1 << 30 },
	{ "limits", "max_ocr_seconds", KEY_UINT, F (max_ocr_seconds), "a number of seconds from 1 to 3600", 1, 3600 },
	{ "limits", "min_free_space", KEY_SIZE, F (min_free_space), "a size such as 100M (0 to 1024G)", 0, 1ULL << 40 },
	{ "limits", "max_backoff", KEY_DURATION, F (max_backoff), "a duration such as 15m (10s to 1d)", 10, 86400 },
	{ "imap", "url", KEY_IMAP_URL, F (imap_url), "an imaps:// or imap:// URL with a host, such as imaps://mail.example.pl/INBOX", 0, 0 },
	{ "imap", "user", KEY_STRING, F (imap_user), "a user name", 0, 0 },
	{ "imap", "password_file", KEY_PATH, F (imap_password_file), "a file holding the password", 0, 0 },
	{ "imap", "oauth2_token_file", KEY_PATH, F (imap_oauth2_token_file), "a file holding an OAuth2 bearer token", 0, 0 },
	{ "imap", "ca_file", KEY_PATH, F (imap_ca_file), "a PEM file of CA certificates", 0, 0 },
	{ "imap", "tls_verify", KEY_BOOL, F (imap_tls_verify), "true or false", 0, 0 },
	{ "imap", "processed_mailbox", KEY_MAILBOX, F (imap_processed_mailbox), "a mailbox name (empty: do not move)", 0, 0 },
	{ "imap", "review_mailbox", KEY_MAILBOX, F (imap_review_mailbox), "a mailbox name (empty: same as processed_mailbox)", 0, 0 },
	{ "imap", "poll_interval", KEY_UINT, F (imap_poll_interval), "a number of seconds from 5 to 86400", 5, 86400 },
	{ "imap", "timeout", KEY_UINT, F (imap_timeout), "a number of seconds from 1 to 3600", 1, 3600 },
	{ "imap", "max_message_size", KEY_SIZE, F (imap_max_message_size), "a size such as 30M (1K to 2G)", 1 << 10, 2ULL << 30 },
	{ "mail", "replies_per_sender_per_day", KEY_UINT, F (replies_per_sender_per_day), "a number from 0 (no limit) to 10000", 0, 10000 },
	{ "smtp", "url", KEY_SMTP_URL, F (smtp_url), "an smtps:// or smtp:// URL with a host, such as smtps://mail.example.pl", 0, 0 },
	{ "smtp", "user", KEY_STRING, F (smtp_user), "a user name", 0, 0 },
	{ "smtp", "password_file", KEY_PATH, F (smtp_password_file), "a file holding the password", 0, 0 },
	{ "smtp", "oauth2_token_file", KEY_PATH, F (smtp_oauth2_token_file), "a file holding an OAuth2 bearer token", 0, 0 },
	{ "smtp", "ca_file", KEY_PATH, F (smtp_ca_file), "a PEM file of CA certificates", 0, 0 },
	{ "smtp", "tls_verify", KEY_BOOL, F (smtp_tls_verify), "true or false", 0, 0 },
	{ "smtp", "starttls", KEY_BOOL, F (smtp_starttls), "true or false", 0, 0 },
	{ "smtp", "envelope_from", KEY_ADDRESS, F (smtp_envelope_from), "an e-mail address (the bounce address)", 0, 0 },
	{ "smtp", "verp", KEY_BOOL, F (smtp_verp), "true or false", 0, 0 },
	{ "smtp", "retry_schedule", KEY_SCHEDULE, F (smtp_retry_schedule), "durations such as '5m 10m 20m 40m 4000s' (each 1s to 7d)", 1, 7 * 86400 },
	{ "smtp", "max_lifetime", KEY_DURATION, F (smtp_max_lifetime), "a duration such as 5d (1m to 100d)", 60, 100 * 86400 },
	{ "smtp", "delay_warning", KEY_DURATION, F (smtp_delay_warning), "a duration such as 4h (0: never warn; up to 100d)", 0, 100 * 86400 },
	{ "smtp", "timeout", KEY_UINT, F (smtp_timeout), "a number of seconds from 1 to 3600", 1, 3600 },
	{ "programme", "consulting_hours", KEY_UINT, F (consulting_hours), "a number of hours from 1 to 100", 1, 100 },
	{ "programme", "reminders", KEY_SCHEDULE, F (reminders), "durations before each session such as '7d 1d' (each 1h to 100d)", 3600, 100 * 86400 },
	{ "programme", "reminder_grace", KEY_DURATION, F (reminder_grace), "a duration such as 2d (1h to 30d)", 3600, 30 * 86400 },
	{ "programme", "promotion", KEY_CHOICE, F (promotion), "direct or offer", 0, 0 },
	{ "programme", "workshop_placement", KEY_CHOICE, F (workshop_placement), "mixed or first", 0, 0 },
	{ "programme", "offer_hours", KEY_UINT, F (offer_hours), "a number of hours from 1 to 720", 1, 720 },
	{ "ocr", "enabled", KEY_BOOL, F (ocr_enabled), "true or false", 0, 0 },
	{ "ocr", "tessdata", KEY_PATH, F (ocr_tessdata), "a folder holding pol.traineddata", 0, 0 },
	{ "ocr", "language", KEY_STRING, F (ocr_language), "a Tesseract language such as pol", 0, 0 },
	{ "ocr", "auto_register", KEY_BOOL, F (ocr_auto_register), "true or false", 0, 0 },
	{ "ocr", "min_confidence", KEY_FRACTION, F (ocr_min_confidence), "a number from 0 to 1 such as 0.90", 0, 0 },
	{ "programme", "waitlist_note", KEY_DURATION, F (waitlist_note), "a duration such as 3d (0: never; up to 100d)", 0, 100 * 86400 },
	{ "programme", "project_name", KEY_STRING, F (project_name), "the project's name as certificates print it", 0, 0 },
	{ "programme", "funding_line", KEY_STRING, F (funding_line), "the funding line certificates print", 0, 0 },
	{ "programme", "evaluation_delay", KEY_DURATION, F (evaluation_delay), "a duration such as 1d (1h to 30d)", 3600, 30 * 86400 },
	{ "web", "listen", KEY_LISTEN, F (web_listen), "an address and port such as 127.0.0.1:8080 or [::1]:8080 (empty: no console)", 0, 0 },
	{ "web", "tls_cert_file", KEY_PATH, F (web_tls_cert_file), "a PEM certificate file", 0, 0 },
	{ "web", "tls_key_file", KEY_PATH, F (web_tls_key_file), "a PEM private key file", 0, 0 },
	{ "web", "behind_proxy", KEY_BOOL, F (web_behind_proxy), "true or false", 0, 0 },
	{ "web", "base_url", KEY_URL, F (web_base_url), "an http:// or https:// URL such as https://rejestracja.rops.example.pl", 0, 0 },
	{ "web", "session_idle", KEY_DURATION, F (web_session_idle), "a duration such as 30m (1m to 1d)", 60, 86400 },
	{ "web", "staff_addresses", KEY_ADDRESS_LIST, F (web_staff_addresses), "e-mail addresses separated by commas", 0, 0 },
};
#undef F

static void
problem (GString *problems, const Config *cfg, const char *group, const char *key,
         const char *fmt, ...) G_GNUC_PRINTF (5, 6);

static void
problem (GString *problems, const Config *cfg, const char *group, const char *key,
         const char *fmt, ...)
{
	va_list ap;

	g_string_append_printf (problems, "\n  %s: [%s]%s%s: ", cfg->path, group,
	                        key ? " " : "", key ? key : "");
	va_start (ap, fmt);
	g_string_append_vprintf (problems, fmt, ap);
	va_end (ap);
}

/* "30M", "512K", "1048576" -> bytes; FALSE when malformed or beyond 64 bits. */
static gboolean
parse_size (const char *s, guint64 *out)
{
	char *end = NULL;
	guint64 v;
	guint shift = 0;

	errno = 0;
	if (!g_ascii_isdigit (*s))
		return FALSE;
	v = g_ascii_strtoull (s, &end, 10);
	if (errno != 0)
		return FALSE;
	switch (g_ascii_toupper (*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	default: break;
	}
	/* a shift drops the high bits: 2^34 + 1 G would wrap round to 1G */
	if (v > G_MAXUINT64 >> shift)
		return FALSE;
	v <<= shift;
	if (*end == 'B' || *end == 'b')
		end++;
	*out = v;
	return *end == '\0';
}

/* "300", "300s", "5m", "4h", "5d" -> seconds; FALSE when malformed. */
static gboolean
parse_duration (const char *s, guint64 *out)
{
	char *end = NULL;
	guint64 v;

	errno = 0;
	if (!g_ascii_isdigit (*s))
		return FALSE;
	v = g_ascii_strtoull (s, &end, 10);
	if (errno != 0 || v > G_MAXUINT32)
		return FALSE;
	switch (*end) {
	case 's': end++; break;
	case 'm': v *= 60; end++; break;
	case 'h': v *= 3600; end++; break;
	case 'd': v *= 86400; end++; break;
	default: break;
	}
	*out = v;
	return *end == '\0';
}

static gboolean
valid_domain (const char *s)
{
	if (*s == '\0' || strlen (s) > 253 || strchr (s, '.') == NULL)
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
			return FALSE;
	return TRUE;
}

/* The bare addresses of a list of RFC 5322 mailboxes, or NULL when @s holds
 * anything else (a group, a word without a domain, a line break).  (transfer full) */
static char **
mailbox_addresses (const char *s)
{
	InternetAddressList *list = strpbrk (s, "\r\n") ? NULL : internet_address_list_parse (NULL, s);
	g_autoptr (GPtrArray) addrs = g_ptr_array_new_with_free_func (g_free);
	int n = list ? internet_address_list_length (list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address (list, i);
		const char *a = INTERNET_ADDRESS_IS_MAILBOX (ia)
		                        ? internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia)) : NULL;
		const char *at = a ? strchr (a, '@') : NULL;
		if (at == NULL || at == a || !valid_domain (at + 1))
			break;
		g_ptr_array_add (addrs, g_strdup (a));
	}
	if (list != NULL)
		g_object_unref (list);
	if (n == 0 || addrs->len != (guint) n)
		return NULL;
	g_ptr_array_add (addrs, NULL);
	return (char **) g_ptr_array_free (g_steal_pointer (&addrs), FALSE);
}

/* The bare address of an RFC 5322 mailbox, or NULL when @s is not exactly one mailbox. */
static char *
mailbox_address (const char *s)
{
	g_auto (GStrv) addrs = mailbox_addresses (s);

	return addrs != NULL && addrs[1] == NULL ? g_strdup (addrs[0]) : NULL;
}

/* @value is a URL of @scheme or its TLS form (@scheme + "s") with a host, and
 * with a user or password only when @userinfo; one line, with nothing a mail
 * client would end a link at. */
static gboolean
url_ok (const char *value, const char *scheme, gboolean userinfo)
{
	g_autoptr (GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
	g_autofree char *tls = g_strconcat (scheme, "s", NULL);
	const char *host = uri ? g_uri_get_host (uri) : NULL;

	return uri != NULL && strpbrk (value, " \t\r\n<>\"") == NULL && host != NULL && *host != '\0' &&
	       (g_strcmp0 (g_uri_get_scheme (uri), scheme) == 0 || g_strcmp0 (g_uri_get_scheme (uri), tls) == 0) &&
	       (userinfo || (g_uri_get_user (uri) == NULL && g_uri_get_password (uri) == NULL));
}

/* @value is not what @spec allows. */
static void
not_allowed (GString *problems, const Config *cfg, const KeySpec *spec, const char *value)
{
	problem (problems, cfg, spec->group, spec->key, "'%s' is not %s", value, spec->allowed);
}

/* Replace the string at @field with @value (transfer full). */
static void
set_string (gpointer field, char *value)
{
	g_free (*(char **) field);
	*(char **) field = value;
}

static void
check_key (Config *cfg, GKeyFile *kf, const KeySpec *spec, GString *problems)
{
	g_autofree char *raw = g_key_file_get_string (kf, spec->group, spec->key, NULL);
	g_autofree char *value = raw ? g_strstrip (g_strdup (raw)) : NULL;
	gpointer field = G_STRUCT_MEMBER_P (cfg, spec->offset);
	guint64 n;

	if (value == NULL)
		return;
	if (*value == '\0' && (spec->type == KEY_MAILBOX || spec->type == KEY_LISTEN)) {
		g_clear_pointer ((char **) field, g_free);
		return;
	}
	if (*value == '\0') {
		problem (problems, cfg, spec->group, spec->key, "empty value; expected %s", spec->allowed);
		return;
	}
	switch (spec->type) {
	case KEY_PATH:
		set_string (field, g_path_is_absolute (value) ? g_steal_pointer (&value)
		                                              : g_canonicalize_filename (value, cfg->dir));
		break;
	case KEY_STRING:
		set_string (field, g_steal_pointer (&value));
		break;
	case KEY_ADDRESS: {
		g_autofree char *addr = mailbox_address (value);
		if (addr == NULL || strpbrk (value, "\r\n") != NULL) {
			not_allowed (problems, cfg, spec, value);
			return;
		}
		if (spec->offset == G_STRUCT_OFFSET (Config, from)) {
			g_free (cfg->from_addr);
			cfg->from_addr = g_steal_pointer (&addr);
		} else if (spec->offset == G_STRUCT_OFFSET (Config, smtp_envelope_from)) {
			/* the envelope holds a bare address */
			g_free (value);
			value = g_steal_pointer (&addr);
		}
		set_string (field, g_steal_pointer (&value));
		break;
	}
	case KEY_IMAP_URL:
	case KEY_SMTP_URL:
		if (!url_ok (value, spec->type == KEY_IMAP_URL ? "imap" : "smtp", FALSE)) {
			/* the value is not repeated: it may hold a password */
			problem (problems, cfg, spec->group, spec->key, "not %s (no user or password "
			         "in it: use user= and password_file=)", spec->allowed);
			return;
		}
		set_string (field, g_steal_pointer (&value));
		break;
	case KEY_DURATION:
	case KEY_SIZE:
		if (!(spec->type == KEY_SIZE ? parse_size (value, &n) : parse_duration (value, &n)) || n < spec->min ||
		    n > spec->max) {
			not_allowed (problems, cfg, spec, value);
			return;
		}
		*(guint64 *) field = n;
		break;
	case KEY_SCHEDULE: {
		g_auto (GStrv) items = g_strsplit_set (value, ", \t", -1);
		g_autoptr (GArray) steps = g_array_new (FALSE, FALSE, sizeof (guint));
		for (char **i = items; *i; i++) {
			guint s;
			if (**i == '\0')
				continue;
			if (!parse_duration (*i, &n) || n < spec->min || n > spec->max) {
				not_allowed (problems, cfg, spec, value);
				return;
			}
			s = (guint) n;
			g_array_append_val (steps, s);
		}
		if (steps->len == 0) {
			problem (problems, cfg, spec->group, spec->key, "empty value; expected %s", spec->allowed);
			return;
		}
		g_clear_pointer ((GArray **) field, g_array_unref);
		*(GArray **) field = g_steal_pointer (&steps);
		break;
	}
	case KEY_CHOICE: {
		g_auto (GStrv) words = g_strsplit_set (spec->allowed, " ,", -1);
		if (g_str_equal (value, "or") || !g_strv_contains ((const char *const *) words, value)) {
			not_allowed (problems, cfg, spec, value);
			return;
		}
		set_string (field, g_steal_pointer (&value));
		break;
	}
	case KEY_LISTEN:
		if (!config_listen_parse (value, NULL, NULL, NULL)) {
			not_allowed (problems, cfg, spec, value);
			return;
		}
		set_string (field, g_steal_pointer (&value));
		break;
	case KEY_URL:
		if (!url_ok (value, "http", TRUE)) {
			not_allowed (problems, cfg, spec, value);
			return;
		}
		/* links are built by appending "/review/42" */
		while (g_str_has_suffix (value, "/"))
			value[strlen (value) - 1] = '\0';
		set_string (field, g_steal_pointer (&value));
		break;
	case KEY_ADDRESS_LIST: {
		g_auto (GStrv) addrs = mailbox_addresses (value);
		if (addrs == NULL) {
			not_allowed (problems, cfg, spec, value);
			return;
		}
		g_strfreev (*(char ***) field);
		*(char ***) field = g_steal_pointer (&addrs);
		break;
	}
	case KEY_MAILBOX:
		if (strpbrk (value, "\r\n\"\\") != NULL) {
			not_allowed (problems, cfg, spec, value);
			return;
		}
		set_string (field, g_steal_pointer (&value));
		break;
	case KEY_BOOL:
		if (g_ascii_strcasecmp (value, "true") == 0 || strcmp (value, "1") == 0 ||
		    g_ascii_strcasecmp (value, "yes") == 0)
			*(gboolean *) field = TRUE;
		else if (g_ascii_strcasecmp (value, "false") == 0 || strcmp (value, "0") == 0 ||
		         g_ascii_strcasecmp (value, "no") == 0)
			*(gboolean *) field = FALSE;
		else
			not_allowed (problems, cfg, spec, value);
		break;
	case KEY_DOMAIN:
		if (!valid_domain (value)) {
			not_allowed (problems, cfg, spec, value);
			return;
		}
		set_string (field, g_ascii_strdown (value, -1));
		break;
	case KEY_UINT:
		if (!parse_size (value, &n) || n < spec->min || n > spec->max ||
		    !g_ascii_isdigit (value[strlen (value) - 1])) {
			not_allowed (problems, cfg, spec, value);
			return;
		}
		*(guint *) field = (guint) n;
		break;
	case KEY_FRACTION: {
		char *end = NULL;
		double d = g_ascii_strtod (value, &end);
		if (end == value || *end != '\0' || !(d >= 0 && d <= 1)) {
			not_allowed (problems, cfg, spec, value);
			return;
		}
		*(double *) field = d;
		break;
	}
	}
}

static const KeySpec *
find_key (const char *group, const char *key)
{
	for (gsize i = 0; i < G_N_ELEMENTS (config_keys); i++)
		if (strcmp (config_keys[i].group, group) == 0 && strcmp (config_keys[i].key, key) == 0)
			return &config_keys[i];
	return NULL;
}

static gboolean
known_group (const char *group)
{
	for (gsize i = 0; i < G_N_ELEMENTS (config_keys); i++)
		if (strcmp (config_keys[i].group, group) == 0)
			return TRUE;
	return FALSE;
}

gboolean
config_listen_parse (const char *listen, char **host, guint16 *port, gboolean *loopback)
{
	g_autofree char *h = NULL;
	const char *colon;
	guint64 n;
	GInetAddress *addr;

	if (listen == NULL)
		return FALSE;
	if (listen[0] == '[') {
		const char *close = strchr (listen, ']');
		if (close == NULL || close[1] != ':')
			return FALSE;
		h = g_strndup (listen + 1, close - listen - 1);
		colon = close + 1;
	} else {
		if ((colon = strrchr (listen, ':')) == NULL)
			return FALSE;
		h = g_strndup (listen, colon - listen);
	}
	if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &n, NULL) ||
	    (addr = g_inet_address_new_from_string (h)) == NULL)
		return FALSE;
	/* an IPv6 address only in brackets, so the port is never mistaken for part of it */
	if ((listen[0] == '[') != (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6)) {
		g_object_unref (addr);
		return FALSE;
	}
	if (loopback != NULL)
		*loopback = g_inet_address_get_is_loopback (addr);
	g_object_unref (addr);
	if (port != NULL)
		*port = (guint16) n;
	if (host != NULL)
		*host = g_steal_pointer (&h);
	return TRUE;
}

/* [web]: TLS needs both files; without TLS the console answers on a loopback
 * address only (passwords and personal data would cross the network in
 * clear), unless a reverse proxy in front of it terminates TLS. */
static void
check_web (Config *cfg, GString *problems)
{
	gboolean loopback = FALSE;

	if ((cfg->web_tls_cert_file == NULL) != (cfg->web_tls_key_file == NULL))
		problem (problems, cfg, "web", cfg->web_tls_cert_file ? "tls_key_file" : "tls_cert_file",
		         "missing; HTTPS needs both tls_cert_file and tls_key_file");
	if (cfg->web_listen != NULL && config_listen_parse (cfg->web_listen, NULL, NULL, &loopback) && !loopback &&
	    cfg->web_tls_cert_file == NULL && !cfg->web_behind_proxy)
		problem (problems, cfg, "web", "listen",
		         "'%s' is not a loopback address: set tls_cert_file and tls_key_file, or "
		         "behind_proxy = true when a reverse proxy terminates TLS", cfg->web_listen);
}

/* [imap] and [smtp]: whether @group is there; if so, it needs a url and at
 * most one of @password_file and @token_file. */
static gboolean
check_server (Config *cfg, GKeyFile *kf, const char *group, const char *password_file, const char *token_file,
              GString *problems)
{
	if (!g_key_file_has_group (kf, group))
		return FALSE;
	if (!g_key_file_has_key (kf, group, "url", NULL))
		problem (problems, cfg, group, "url", "missing; expected %s", find_key (group, "url")->allowed);
	if (password_file != NULL && token_file != NULL)
		problem (problems, cfg, group, "oauth2_token_file", "give either password_file or oauth2_token_file, not both");
	return TRUE;
}

static void
set_defaults (Config *cfg)
{
	cfg->database = g_build_filename (STATE_DIR, "mailreg.db", NULL);
	cfg->spool = g_build_filename (STATE_DIR, "spool", NULL);
	cfg->templates = g_build_filename (MAILREG_DATADIR, "templates", NULL);
	cfg->catalog = g_build_filename (cfg->dir, "catalog.ini", NULL);
	cfg->max_message_size = 40 << 20;
	cfg->max_mime_depth = 20;
	cfg->max_form_text = 1 << 20;
	cfg->max_attachment_size = 25 << 20;
	cfg->max_total_size = 50 << 20;
	cfg->max_zip_entry_size = 20 << 20;
	cfg->max_zip_entries = 1000;
	cfg->max_xml_depth = 256;
	cfg->max_pdf_pages = 20;
	/* OCR: an A4 page at 300 dpi is 8.7 million pixels, a phone photo 12-48
	 * (JPEG is decoded reduced); 30 seconds is ten times a page's OCR */
	cfg->max_ocr_pages = 4;
	cfg->max_ocr_pixels = 40 << 20;
	cfg->max_ocr_seconds = 30;
	cfg->ocr_enabled = TRUE;
	cfg->ocr_min_confidence = 0.90;
	cfg->max_backoff = 15 * 60;
	cfg->min_free_space = G_MAXUINT64;   /* unset: from max_message_size below */
	cfg->imap_tls_verify = TRUE;
	cfg->imap_processed_mailbox = g_strdup ("Przetworzone");
	cfg->imap_poll_interval = 60;
	cfg->imap_timeout = 120;
	cfg->replies_per_sender_per_day = 5;
	cfg->smtp_tls_verify = TRUE;
	cfg->smtp_starttls = TRUE;
	cfg->smtp_max_lifetime = 5 * 86400;   /* Postfix maximal_queue_lifetime */
	cfg->smtp_delay_warning = 4 * 3600;   /* Postfix delay_warning_time, when set */
	cfg->smtp_timeout = 300;              /* RFC 5321 §4.5.3.2: 5 minutes for most replies */
	/* Postfix: minimal_backoff_time 300s, doubling, maximal_backoff_time 4000s */
	cfg->smtp_retry_schedule = g_array_new (FALSE, FALSE, sizeof (guint));
	for (guint s = 300; ; s *= 2) {
		guint step = MIN (s, 4000);
		g_array_append_val (cfg->smtp_retry_schedule, step);
		if (step == 4000)
			break;
	}
	/* The call for applications: 400 h over four topics; a request is half a
	 * working day unless staff say otherwise.  Reminders a week and a day
	 * before each session. */
	cfg->consulting_hours = 4;
	cfg->reminders = g_array_new (FALSE, FALSE, sizeof (guint));
	g_array_append_vals (cfg->reminders, (guint[]) { 7 * 86400, 86400 }, 2);
	cfg->reminder_grace = 2 * 86400;
	/* A freed place goes straight to the first on the waiting list unless the
	 * programme asks them first (pretix, CiviEvent: 48 hours to answer). */
	cfg->promotion = g_strdup ("direct");
	cfg->offer_hours = 48;
	cfg->workshop_placement = g_strdup ("mixed");
	cfg->waitlist_note = 3 * 86400;
	cfg->project_name = g_strdup ("Partnerstwa lokalne");
	cfg->funding_line = g_strdup ("Projekt współfinansowany przez Unię Europejską w ramach Europejskiego Funduszu Społecznego");
	cfg->evaluation_delay = 86400;
	/* OWASP Session Management: 15-30 minutes idle for low-risk applications */
	cfg->web_listen = g_strdup ("127.0.0.1:8080");
	cfg->web_session_idle = 30 * 60;
}

Config *
config_load (const char *path, GError **error)
{
	g_autoptr (Config) cfg = g_new0 (Config, 1);
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GString) problems = g_string_new (NULL);
	g_auto (GStrv) groups = NULL;

	if (path == NULL)
		path = g_getenv ("MAILREG_CONFIG");
	if (path == NULL || *path == '\0')
		path = CONFIG_DEFAULT_PATH;
	cfg->path = g_canonicalize_filename (path, NULL);
	cfg->dir = g_path_get_dirname (cfg->path);

	if (!fs_load_keyfile (kf, cfg->path, "config", MAILREG_ERROR_CONFIG, error))
		return NULL;
	set_defaults (cfg);

	groups = g_key_file_get_groups (kf, NULL);
	for (char **g = groups; *g; g++) {
		g_auto (GStrv) keys = NULL;
		gboolean seen = FALSE;
		/* A group written twice is listed twice; its keys are merged. */
		for (char **h = groups; h < g; h++)
			seen |= strcmp (*h, *g) == 0;
		if (seen)
			continue;
		if (!known_group (*g)) {
			problem (problems, cfg, *g, NULL,
			         "unknown group; allowed: [paths], [mail], [limits], [imap], [smtp], [programme], [ocr], [web]");
			continue;
		}
		keys = g_key_file_get_keys (kf, *g, NULL, NULL);
		for (char **k = keys; *k; k++) {
			const KeySpec *spec = find_key (*g, *k);
			if (spec == NULL) {
				g_autoptr (GString) allowed = g_string_new (NULL);
				for (gsize i = 0; i < G_N_ELEMENTS (config_keys); i++)
					if (strcmp (config_keys[i].group, *g) == 0)
						g_string_append_printf (allowed, "%s%s", allowed->len ? ", " : "",
						                        config_keys[i].key);
				problem (problems, cfg, *g, *k, "unknown key; allowed: %s", allowed->str);
				continue;
			}
			check_key (cfg, kf, spec, problems);
		}
	}

	if (!g_key_file_has_key (kf, "mail", "from", NULL))
		problem (problems, cfg, "mail", "from", "missing; expected %s", find_key ("mail", "from")->allowed);
	if (cfg->domain == NULL && cfg->from_addr != NULL)
		cfg->domain = g_ascii_strdown (strchr (cfg->from_addr, '@') + 1, -1);
	if (cfg->outgoing == NULL)
		cfg->outgoing = g_build_filename (cfg->spool, "outgoing", NULL);
	if (cfg->form == NULL)
		cfg->form = g_build_filename (cfg->templates, "form.ini", NULL);
	if (cfg->inbox == NULL) {
		g_autofree char *parent = g_path_get_dirname (cfg->spool);
		cfg->inbox = g_build_filename (parent, "inbox", NULL);
	}

	/* Postfix's rule for queue_minfree: room for 1.5 of the largest message. */
	if (cfg->min_free_space == G_MAXUINT64)
		cfg->min_free_space = cfg->max_message_size + cfg->max_message_size / 2;
	cfg->has_imap = check_server (cfg, kf, "imap", cfg->imap_password_file, cfg->imap_oauth2_token_file, problems);
	if (cfg->has_imap && cfg->imap_max_message_size == 0)
		cfg->imap_max_message_size = cfg->max_message_size;
	cfg->has_smtp = check_server (cfg, kf, "smtp", cfg->smtp_password_file, cfg->smtp_oauth2_token_file, problems);
	if (cfg->has_smtp) {
		if ((cfg->smtp_password_file != NULL || cfg->smtp_oauth2_token_file != NULL) &&
		    cfg->smtp_user == NULL)
			problem (problems, cfg, "smtp", "user", "missing; password_file and oauth2_token_file need a user");
	}
	check_web (cfg, problems);
	if (cfg->smtp_envelope_from == NULL && cfg->from_addr != NULL)
		cfg->smtp_envelope_from = g_strdup (cfg->from_addr);
	if (problems->len > 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG, "configuration errors:%s",
		             problems->str);
		return NULL;
	}
	return g_steal_pointer (&cfg);
}

void
config_free (Config *cfg)
{
	if (cfg == NULL)
		return;
	/* what the keys set (config_keys is the one list of them), then what no key sets */
	for (gsize i = 0; i < G_N_ELEMENTS (config_keys); i++) {
		gpointer field = G_STRUCT_MEMBER_P (cfg, config_keys[i].offset);
		/* no default: a new KeyType must say here what it holds */
		switch (config_keys[i].type) {
		case KEY_PATH:
		case KEY_STRING:
		case KEY_ADDRESS:
		case KEY_DOMAIN:
		case KEY_IMAP_URL:
		case KEY_MAILBOX:
		case KEY_SMTP_URL:
		case KEY_CHOICE:
		case KEY_LISTEN:
		case KEY_URL:
			g_clear_pointer ((char **) field, g_free);
			break;
		case KEY_SCHEDULE:
			g_clear_pointer ((GArray **) field, g_array_unref);
			break;
		case KEY_ADDRESS_LIST:
			g_clear_pointer ((char ***) field, g_strfreev);
			break;
		case KEY_SIZE:
		case KEY_UINT:
		case KEY_BOOL:
		case KEY_DURATION:
		case KEY_FRACTION:
			break;
		}
	}
	g_free (cfg->path);
	g_free (cfg->dir);
	g_free (cfg->from_addr);
	g_free (cfg);
}

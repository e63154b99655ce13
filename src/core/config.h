/* config.h - the configuration file (INI, read with GKeyFile).
 *
 * Found as -c FILE, else $MAILREG_CONFIG, else /etc/mailreg/mailreg.conf.
 * Relative paths resolve against the file's folder.  Every key is checked in one
 * pass; all problems are reported together, naming file, group and key.
 */
#ifndef MAILREG_CONFIG_H
#define MAILREG_CONFIG_H

#include <glib.h>

#define CONFIG_DEFAULT_PATH "/etc/mailreg/mailreg.conf"

typedef struct {
	char *path;           /* the file read */
	char *dir;            /* its folder, base of relative paths */

	/* [paths] */
	char *database;       /* SQLite file */
	char *spool;          /* inbound spool: tmp/ new/ cur/ */
	char *outgoing;       /* directory transport: one .eml per sent message */
	char *templates;      /* reply templates and form.ini */
	char *catalog;        /* programme catalog loaded by init */
	char *form;           /* form definition */
	char *inbox;          /* without [imap]: `poll` takes *.eml from here; default <spool>/../inbox */
	guint retention_days; /* raw copies of finished messages older than this are purged
	                         (`purge`, daily in `run`); 0: kept, the default */

	/* [mail] */
	char *from;           /* header From of replies (display name allowed) */
	char *from_addr;      /* its bare address */
	char *reply_to;       /* optional */
	char *staff;          /* staff address for notices (optional) */
	gboolean staff_copy;  /* also send staff a notice of every registration */
	char *domain;         /* right-hand side of Message-IDs */

	/* [limits] */
	guint64 max_message_size;  /* bytes; larger messages go to review unparsed */
	guint max_mime_depth;      /* nesting of multiparts and forwards */
	guint64 max_form_text;     /* bytes of decoded text read from one part */
	guint64 max_attachment_size;  /* decoded bytes read from one attachment */
	guint64 max_total_size;    /* bytes decompressed for one message in all */
	guint64 max_zip_entry_size;   /* inflated size of one ZIP entry */
	guint max_zip_entries;     /* entries in one ZIP archive */
	guint max_xml_depth;       /* element nesting in DOCX/ODT/HTML */
	guint max_pdf_pages;       /* PDF pages whose text is read */
	guint max_ocr_pages;       /* pages of one scan read by OCR; default 4 */
	guint64 max_ocr_pixels;    /* pixels of one scanned page, from its header; default 40M */
	guint max_ocr_seconds;     /* OCR time for one document; default 30 */
	guint64 min_free_space;    /* intake stops below this much free disk; default 1.5 x max_message_size */
	guint64 max_backoff;       /* seconds: the longest wait of `run` before it tries a failed step again; default 15 min */

	/* [imap]: with no such group, messages come in through `ingest` only */
	gboolean has_imap;
	char *imap_url;               /* imaps://host[:port]/MAILBOX or imap:// (STARTTLS required) */
	char *imap_user;
	char *imap_password_file;     /* else $CREDENTIALS_DIRECTORY/imap-password */
	char *imap_oauth2_token_file; /* XOAUTH2 bearer token, read afresh at every connection */
	char *imap_ca_file;
	gboolean imap_tls_verify;     /* default true; false is warned at every start */
	char *imap_processed_mailbox; /* default "Przetworzone"; NULL: do not move, set \Seen */
	char *imap_review_mailbox;    /* NULL: same as processed */
	guint imap_poll_interval;     /* seconds, default 60 */
	guint imap_timeout;           /* seconds for a whole response, default 120 */
	guint64 imap_max_message_size;   /* default [limits] max_message_size */

	/* [smtp]: with no such group, replies go into [paths] outgoing (directory transport) */
	gboolean has_smtp;
	char *smtp_url;               /* smtps://host[:port] or smtp:// (STARTTLS required) */
	char *smtp_user;
	char *smtp_password_file;     /* else $CREDENTIALS_DIRECTORY/smtp-password (with user=) */
	char *smtp_oauth2_token_file; /* XOAUTH2 bearer token, read afresh for every connection */
	char *smtp_ca_file;
	gboolean smtp_tls_verify;     /* default true; false is warned at every start */
	gboolean smtp_starttls;       /* smtp:// only: default true; false sends in clear text (warned) */
	char *smtp_envelope_from;     /* bare address: the bounce address; default [mail] from's */
	gboolean smtp_verp;           /* envelope sender local+<id>@domain, so a bounce names its message */
	GArray *smtp_retry_schedule;  /* guint seconds between attempts; the last one repeats */
	guint64 smtp_max_lifetime;    /* seconds in the queue before a message fails; default 5 days */
	guint64 smtp_delay_warning;   /* seconds undelivered before staff are warned once; default 4 h */
	guint smtp_timeout;           /* seconds for a whole reply, default 300 (RFC 5321 §4.5.3.2) */

	/* [mail] again: RFC 3834 rate limit, 0 for none */
	guint replies_per_sender_per_day;  /* default 5 */

	/* [programme] */
	guint consulting_hours;    /* hours one consulting request holds of its topic's budget; default 4 */
	GArray *reminders;         /* guint seconds before each session a reminder is due; default 7d, 1d */
	guint64 reminder_grace;    /* a reminder later than this is marked missed, not sent; default 2d */
	char *promotion;           /* a freed place: "direct" (given, the default) or "offer" (offered) */
	guint offer_hours;         /* how long an offered place is held for its answer; default 48 */
	guint64 waitlist_note;     /* seconds before an event's first session the waiting list is told
	                            * it still waits, once; 0: never; default 3d */
	char *workshop_placement;  /* "mixed" (the default: institution types spread over the groups) or "first" */
	char *project_name;        /* printed on certificates of attendance */
	char *funding_line;        /* printed on certificates of attendance */
	guint64 evaluation_delay;  /* after an event's last session its participants are asked to rate it; default 1d */

	/* [ocr]: scans and photos of the form */
	gboolean ocr_enabled;        /* read images and PDFs of images by OCR; default true */
	char *ocr_tessdata;          /* Tesseract's language data folder; NULL: the package's */
	char *ocr_language;          /* NULL: "pol" */
	gboolean ocr_auto_register;  /* register a scan read surely enough; default false (review) */
	double ocr_min_confidence;   /* ... every required field at least this sure (0..1); default 0.90 */

	/* [web]: the staff console */
	char *web_listen;          /* "HOST:PORT" ("[::1]:8080"); NULL: no console; default 127.0.0.1:8080 */
	char *web_tls_cert_file;   /* PEM certificate chain: HTTPS (with web_tls_key_file) */
	char *web_tls_key_file;
	gboolean web_behind_proxy; /* a reverse proxy terminates TLS: any address without TLS is allowed */
	char *web_base_url;        /* the console's address for links in mails, or NULL */
	guint64 web_session_idle;  /* seconds a session lives without a request; default 30 min */
	char **web_staff_addresses; /* bare addresses that settle review items by mail besides [mail] staff, or NULL */
} Config;

/* Read and check the file at @path (NULL: $MAILREG_CONFIG, else the default path).
 * (transfer full)  Errors: MAILREG_ERROR_CONFIG listing every problem found, or
 * MAILREG_ERROR_NOINPUT when the file cannot be read. */
Config *config_load (const char *path, GError **error);

void config_free (Config *cfg);

/* Split a [web] listen value "HOST:PORT" or "[V6]:PORT" (numeric addresses
 * only): *@host (transfer full; may be NULL), *@port, and whether the address
 * is a loopback one.  FALSE when malformed (nothing set). */
gboolean config_listen_parse (const char *listen, char **host, guint16 *port, gboolean *loopback);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Config, config_free)

#endif

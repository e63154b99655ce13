/* parse.h - stage 2: a spooled file becomes an InboundMessage (GMime 3).
 *
 * Parsing never fails on bad mail: a message GMime cannot make sense of, or one
 * over the size limit, comes back without ->mime and with ->problem set, which
 * the register stage records as the reason for review.  Only I/O fails.
 */
#ifndef MAILREG_PARSE_H
#define MAILREG_PARSE_H

#include <gmime/gmime.h>

typedef struct {
	GMimeMessage *mime;    /* NULL when too large or not parseable */
	char *message_id;      /* Message-ID without <>, control characters removed; or NULL */
	char *sender;          /* From address (lower-cased), or NULL */
	char *sender_name;     /* From display name (decoded), or NULL */
	char *reply_addr;      /* Reply-To address if valid, else From address, or NULL */
	char *subject;         /* decoded subject, or NULL */
	char *references;      /* References for a reply: the parent's References + Message-ID */
	char *hash;            /* SHA-256 of the raw bytes, hex */
	guint64 size;          /* raw size in bytes */
	char *problem;         /* why ->mime is NULL, or NULL */
	gboolean truncated;    /* GMime found the message cut off (a part or boundary missing) */
	GPtrArray *warnings;   /* char*: what GMime's parser found wrong (at most a few) */
} InboundMessage;

/* Parse the file at @path, reading at most @max_size bytes into GMime (larger
 * messages are hashed but not parsed).  (transfer full)  MAILREG_ERROR_IO when the
 * file cannot be read. */
InboundMessage *parse_file (const char *path, guint64 max_size, GError **error);

/* As parse_file, for the message @data in memory (a copy is parsed); cannot
 * fail.  Safe on any thread.  (transfer full) */
InboundMessage *parse_bytes (GBytes *data, guint64 max_size);

/* The Message-ID in @header (header lines without the blank line after
 * them, as an IMAP server lists them), cleaned as parse_file records it
 * (control characters blanked, cut at 500 bytes), or NULL.  (transfer full) */
char *parse_header_message_id (const char *header);

/* Set up GMime (fallback charsets utf-8, windows-1250).  Call once at start. */
void parse_init (void);

void inbound_message_free (InboundMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InboundMessage, inbound_message_free)

#endif

/* parse.c - GMime parsing of a spooled message, with the parser's warnings kept
 * as reasons staff can read.  The file is read through a seekable stream, so
 * GMime keeps part contents on disk instead of in memory.
 */
#include "parse/parse.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/autoptr.h"
#include "core/errors.h"
#include "core/fs.h"

#define MAX_WARNINGS 5

static const char *fallback_charsets[] = { "utf-8", "windows-1250", NULL };

void
parse_init (void)
{
	g_mime_init ();
}

/* A copy of @s without control characters, cut at @max bytes, or NULL when empty. */
static char *
clean (const char *s, gsize max)
{
	GString *out;

	if (s == NULL)
		return NULL;
	out = g_string_new (NULL);
	for (const char *p = s; *p && out->len < max; p++)
		g_string_append_c (out, ((unsigned char) *p < 0x20 || *p == 0x7f) ? ' ' : *p);
	g_strstrip (out->str);
	if (out->str[0] == '\0') {
		g_string_free (out, TRUE);
		return NULL;
	}
	{
		char *valid = g_utf8_make_valid (out->str, -1);
		g_string_free (out, TRUE);
		return valid;
	}
}

char *
parse_header_message_id (const char *header)
{
	g_autoptr (GMimeStream) stream = NULL;
	g_autoptr (GMimeParser) parser = NULL;
	g_autoptr (GMimeMessage) msg = NULL;
	g_autofree char *block = NULL;

	if (header == NULL)
		return NULL;
	block = g_strdup_printf ("%s\n\n", header);
	stream = g_mime_stream_mem_new_with_buffer (block, strlen (block));
	parser = g_mime_parser_new_with_stream (stream);   /* parser owns a ref to the stream */
	msg = g_mime_parser_construct_message (parser, NULL);
	return msg != NULL ? clean (g_mime_message_get_message_id (msg), 500) : NULL;
}

static void
on_warning (gint64 offset, GMimeParserWarning code, const char *item, gpointer user_data)
{
	static const char *const names[] = {
		[GMIME_WARN_DUPLICATED_HEADER] = "duplicated header",
		[GMIME_WARN_DUPLICATED_PARAMETER] = "duplicated parameter",
		[GMIME_WARN_UNENCODED_8BIT_HEADER] = "unencoded 8-bit header",
		[GMIME_WARN_INVALID_CONTENT_TYPE] = "invalid Content-Type",
		[GMIME_WARN_INVALID_RFC2047_HEADER_VALUE] = "invalid RFC 2047 header value",
		[GMIME_WARN_MALFORMED_MULTIPART] = "malformed multipart",
		[GMIME_WARN_TRUNCATED_MESSAGE] = "truncated message",
		[GMIME_WARN_MALFORMED_MESSAGE] = "malformed message",
		[GMIME_CRIT_INVALID_HEADER_NAME] = "invalid header name",
		[GMIME_CRIT_CONFLICTING_HEADER] = "conflicting header",
		[GMIME_CRIT_CONFLICTING_PARAMETER] = "conflicting parameter",
		[GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY] = "multipart without boundary",
		[GMIME_WARN_INVALID_PARAMETER] = "invalid parameter",
		[GMIME_WARN_INVALID_ADDRESS_LIST] = "invalid address list",
		[GMIME_CRIT_NESTING_OVERFLOW] = "MIME nesting too deep",
		[GMIME_WARN_PART_WITHOUT_CONTENT] = "part without content",
		[GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT] = "part without headers or content",
	};
	InboundMessage *msg = user_data;
	GPtrArray *warnings = msg->warnings;
	const char *name = (guint) code < G_N_ELEMENTS (names) && names[code] ? names[code] : "parser warning";
	g_autofree char *what = clean (item, 60);

	g_autofree char *at = offset >= 0 ? g_strdup_printf (" at byte %" G_GINT64_FORMAT, offset) : g_strdup ("");

	if (code == GMIME_WARN_TRUNCATED_MESSAGE)
		msg->truncated = TRUE;
	if (warnings->len >= MAX_WARNINGS)
		return;
	g_ptr_array_add (warnings, what ? g_strdup_printf ("%s (%s)%s", name, what, at)
	                                : g_strdup_printf ("%s%s", name, at));
}

static char *
hash_file (int fd, guint64 *size, GError **error)
{
	g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
	guchar buf[65536];
	guint64 total = 0;
	ssize_t n;

	while ((n = read (fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fs_set_error (error, errno, "parse: read spool file");
			return NULL;
		}
		g_checksum_update (sum, buf, n);
		total += (guint64) n;
	}
	*size = total;
	return g_strdup (g_checksum_get_string (sum));
}

/* The first mailbox address of @list (lower-cased), with its display name. */
static char *
first_mailbox (InternetAddressList *list, char **name)
{
	for (int i = 0; list && i < internet_address_list_length (list); i++) {
		InternetAddress *ia = internet_address_list_get_address (list, i);
		const char *addr;

		if (!INTERNET_ADDRESS_IS_MAILBOX (ia))
			continue;
		addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia));
		if (addr == NULL || strchr (addr, '@') == NULL || strpbrk (addr, " \t\r\n<>\",") != NULL)
			continue;
		if (name != NULL)
			*name = clean (internet_address_get_name (ia), 200);
		return g_ascii_strdown (addr, -1);
	}
	return NULL;
}

static void
fill_headers (InboundMessage *msg)
{
	GMimeMessage *m = msg->mime;
	const char *refs = g_mime_object_get_header (GMIME_OBJECT (m), "References");

	msg->message_id = clean (g_mime_message_get_message_id (m), 500);
	msg->sender = first_mailbox (g_mime_message_get_from (m), &msg->sender_name);
	msg->reply_addr = first_mailbox (g_mime_message_get_reply_to (m), NULL);
	if (msg->reply_addr == NULL)
		msg->reply_addr = g_strdup (msg->sender);
	msg->subject = clean (g_mime_message_get_subject (m), 500);

	/* RFC 5322 §3.6.4: the parent's References (or In-Reply-To) then its Message-ID. */
	if (msg->message_id != NULL) {
		g_autoptr (GMimeReferences) parsed = refs ? g_mime_references_parse (NULL, refs) : NULL;
		GString *out = g_string_new (NULL);
		for (int i = 0; parsed && i < g_mime_references_length (parsed) && i < 20; i++) {
			g_autofree char *r = clean (g_mime_references_get_message_id (parsed, i), 500);
			if (r != NULL && strpbrk (r, " <>") == NULL)
				g_string_append_printf (out, "<%s> ", r);
		}
		g_string_append_printf (out, "<%s>", msg->message_id);
		msg->references = g_string_free (out, FALSE);
	}
}

static InboundMessage *
message_new (void)
{
	InboundMessage *msg = g_new0 (InboundMessage, 1);

	msg->warnings = g_ptr_array_new_with_free_func (g_free);
	return msg;
}

/* Over @max_size: not given to GMime, the reason kept.  (transfer full) */
static InboundMessage *
too_large (InboundMessage *msg, guint64 max_size)
{
	msg->problem = g_strdup_printf ("message too large: %" G_GUINT64_FORMAT " bytes, limit %" G_GUINT64_FORMAT,
	                                msg->size, max_size);
	return msg;
}

/* GMime's reading of @stream into @msg (hash and size known).  (transfer full) */
static InboundMessage *
construct (InboundMessage *msg, GMimeStream *stream)
{
	g_autoptr (GMimeParserOptions) options = g_mime_parser_options_new ();
	g_autoptr (GMimeParser) parser = g_mime_parser_new_with_stream (stream);

	g_mime_parser_options_set_fallback_charsets (options, fallback_charsets);
	g_mime_parser_options_set_warning_callback (options, on_warning, msg);
	g_mime_parser_set_persist_stream (parser, TRUE);
	msg->mime = g_mime_parser_construct_message (parser, options);
	if (msg->mime == NULL)
		msg->problem = g_strdup ("not a MIME message: GMime could not parse it");
	else
		fill_headers (msg);
	return msg;
}

InboundMessage *
parse_file (const char *path, guint64 max_size, GError **error)
{
	g_autoptr (InboundMessage) msg = message_new ();
	g_autoptr (GMimeStream) stream = NULL;
	int fd = open (path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		g_autofree char *what = g_strdup_printf ("parse: open %s", path);
		fs_set_error (error, errno, what);
		return NULL;
	}
	if ((msg->hash = hash_file (fd, &msg->size, error)) == NULL) {
		close (fd);
		return NULL;
	}
	if (msg->size > max_size) {
		close (fd);
		return too_large (g_steal_pointer (&msg), max_size);
	}
	if (lseek (fd, 0, SEEK_SET) != 0) {
		fs_set_error (error, errno, "parse: seek spool file");
		close (fd);
		return NULL;
	}
	stream = g_mime_stream_fs_new (fd);  /* owns fd */
	return construct (g_steal_pointer (&msg), stream);
}

InboundMessage *
parse_bytes (GBytes *data, guint64 max_size)
{
	InboundMessage *msg = message_new ();
	gsize len;
	const guint8 *p = g_bytes_get_data (data, &len);
	g_autoptr (GMimeStream) stream = NULL;

	msg->hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, p, len);
	msg->size = len;
	if (msg->size > max_size)
		return too_large (msg, max_size);
	stream = g_mime_stream_mem_new_with_buffer ((const char *) p, len);
	return construct (msg, stream);
}

void
inbound_message_free (InboundMessage *msg)
{
	if (msg == NULL)
		return;
	g_clear_object (&msg->mime);
	g_free (msg->message_id);
	g_free (msg->sender);
	g_free (msg->sender_name);
	g_free (msg->reply_addr);
	g_free (msg->subject);
	g_free (msg->references);
	g_free (msg->hash);
	g_free (msg->problem);
	if (msg->warnings)
		g_ptr_array_unref (msg->warnings);
	g_free (msg);
}

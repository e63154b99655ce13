/* compose.c - render a template and build the reply with GMime.
 *
 * Replies are auto-replies in the sense of RFC 3834: Auto-Submitted, threaded by
 * In-Reply-To/References, text/plain UTF-8 in quoted-printable.
 */
#include "compose/compose.h"

#include <gmime/gmime.h>
#include <string.h>

#include "core/autoptr.h"
#include "core/errors.h"
#include "core/ids.h"

typedef struct {
	char *subject;  /* template of the subject */
	char *body;     /* template of the body */
} Template;

struct Composer {
	char *from;
	char *reply_to;
	char *domain;
	/* From and Reply-To parsed once (NULL: none, or not an address): every
	 * reply shares their mailboxes, which GMime never changes and which keep
	 * their IDN form once it is worked out.  Not for two threads at once. */
	InternetAddressList *from_list;
	InternetAddressList *reply_to_list;
	/* The message every reply is made in, without (0) and with (1) In-Reply-To
	 * and References: its headers that never change are set once, in their
	 * order; each reply sets the rest and its MIME part.  Building the message
	 * anew and freeing it was a third of composing. */
	GMimeMessage *proto[2];
	GMimeFormatOptions *format;   /* LF line ends */
	GHashTable *templates;  /* name -> Template* */
};

static void
template_free (Template *t)
{
	g_free (t->subject);
	g_free (t->body);
	g_free (t);
}

static Template *
template_load (const char *dir, const char *name, GError **error)
{
	g_autofree char *file = g_strdup_printf ("%s.txt", name);
	g_autofree char *path = g_build_filename (dir, file, NULL);
	g_autofree char *text = NULL;
	g_autoptr (GError) local = NULL;
	Template *t;
	char *body;

	if (!g_file_get_contents (path, &text, NULL, &local)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_NOINPUT, "template %s: %s", path,
		             local->message);
		return NULL;
	}
	if (!g_utf8_validate (text, -1, NULL) || strncmp (text, "Subject:", 8) != 0 ||
	    (body = strstr (text, "\n\n")) == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "template %s: expected UTF-8 text starting with a 'Subject:' line, "
		             "a blank line, then the body", path);
		return NULL;
	}
	*body = '\0';
	t = g_new0 (Template, 1);
	t->subject = g_strstrip (g_strdup (text + 8));
	t->body = g_strdup (body + 2);
	return t;
}

/* @spec parsed, or NULL when it holds no address; a bad one is reported by
 * each compose, as before it was parsed once. */
static InternetAddressList *
parse_list (const char *spec)
{
	InternetAddressList *list = spec != NULL ? internet_address_list_parse (NULL, spec) : NULL;

	if (list != NULL && internet_address_list_length (list) == 0)
		g_clear_object (&list);
	return list;
}

Composer *
compose_new (const Config *cfg, GError **error)
{
	static const char *const names[] = { COMPOSE_TEMPLATES };
	g_autoptr (Composer) c = g_new0 (Composer, 1);

	c->from = g_strdup (cfg->from);
	c->reply_to = g_strdup (cfg->reply_to);
	c->domain = g_strdup (cfg->domain);
	c->from_list = parse_list (c->from);
	c->reply_to_list = parse_list (c->reply_to);
	c->format = g_mime_format_options_new ();
	g_mime_format_options_set_newline_format (c->format, GMIME_NEWLINE_FORMAT_UNIX);
	c->templates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
	                                      (GDestroyNotify) template_free);
	for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
		Template *t = template_load (cfg->templates, names[i], error);
		if (t == NULL)
			return NULL;
		g_hash_table_insert (c->templates, g_strdup (names[i]), t);
	}
	return g_steal_pointer (&c);
}

void
compose_free (Composer *c)
{
	if (c == NULL)
		return;
	g_free (c->from);
	g_free (c->reply_to);
	g_free (c->domain);
	g_clear_object (&c->from_list);
	g_clear_object (&c->reply_to_list);
	g_clear_object (&c->proto[0]);
	g_clear_object (&c->proto[1]);
	g_clear_pointer (&c->format, g_mime_format_options_free);
	if (c->templates)
		g_hash_table_unref (c->templates);
	g_free (c);
}

char *
compose_render (const char *tmpl, GHashTable *vars, GError **error)
{
	g_autoptr (GString) out = g_string_sized_new (strlen (tmpl) + 256);
	const char *p = tmpl, *open;

	while ((open = strstr (p, "{{")) != NULL) {
		const char *close = strstr (open + 2, "}}");
		g_autofree char *name = NULL;
		const char *value;

		if (close == NULL)
			break;
		g_string_append_len (out, p, open - p);
		name = g_strstrip (g_strndup (open + 2, close - open - 2));
		if (!g_hash_table_contains (vars, name)) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			             "template uses unknown variable {{%s}}", name);
			return NULL;
		}
		value = g_hash_table_lookup (vars, name);
		g_string_append (out, value ? value : "");
		p = close + 2;
	}
	g_string_append (out, p);
	return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A subject is one line: fold every control character into a space. */
static void
one_line (char *s)
{
	for (char *p = s; *p; p++)
		if ((unsigned char) *p < 0x20 || *p == 0x7f)
			*p = ' ';
	g_strstrip (s);
}

/* Add the addresses of @list (parse_list of @spec) to @m's @type header. */
static gboolean
add_mailbox (GMimeMessage *m, GMimeAddressType type, InternetAddressList *list, const char *spec,
             GError **error)
{
	if (list == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "compose: bad address '%s'", spec);
		return FALSE;
	}
	/* the message's list holds its own refs to the shared mailboxes */
	internet_address_list_append (g_mime_message_get_addresses (m, type), list);
	return TRUE;
}

ComposedMail *
compose_mail (Composer *c, const char *name, GHashTable *vars, const char *to_name,
              const char *to_addr, const char *in_reply_to, const char *references, GError **error)
{
	return compose_mail_ics (c, name, vars, to_name, to_addr, in_reply_to, references, NULL, error);
}

/* The text/plain body: @text as UTF-8 in quoted-printable.  (transfer full)
 * The bytes are stored as they are: g_mime_text_part_set_text() weighs every
 * character to choose a charset (a sixth of composing a reply), and would
 * turn text within ISO-8859-1 ("José Müller") into Latin-1 bytes under our
 * utf-8 label. */
static GMimeTextPart *
text_body (const char *text)
{
	GMimeTextPart *body = g_mime_text_part_new_with_subtype ("plain");
	g_autofree char *valid = g_utf8_make_valid (text, -1);
	g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (valid, strlen (valid));
	g_autoptr (GMimeDataWrapper) content = g_mime_data_wrapper_new_with_stream (stream,
	                                                                            GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content (GMIME_PART (body), content);  /* the part holds its own ref */
	g_mime_text_part_set_charset (body, "utf-8");
	g_mime_part_set_content_encoding (GMIME_PART (body), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	return body;
}

/* The METHOD of calendar @ics ("PUBLISH", "CANCEL"; PUBLISH when it names none).
 * (transfer full) */
static char *
calendar_method (const char *ics)
{
	const char *m = strstr (ics, "\nMETHOD:");

	if (m == NULL)
		return g_strdup ("PUBLISH");
	m += strlen ("\nMETHOD:");
	return g_strndup (m, strcspn (m, "\r\n"));
}

/* The calendar as an attachment: text/calendar with the calendar's own METHOD
 * as the method parameter (RFC 6047 §2.4: they must agree), base64 so its CRLF
 * line ends survive any transport. (transfer full) */
static GMimeObject *
calendar_part (const char *ics)
{
	GMimePart *cal = g_mime_part_new_with_type ("text", "calendar");
	GMimeContentType *ct = g_mime_object_get_content_type (GMIME_OBJECT (cal));  /* (transfer none) */
	g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (ics, strlen (ics));
	g_autoptr (GMimeDataWrapper) content = g_mime_data_wrapper_new_with_stream (stream,
	                                                                            GMIME_CONTENT_ENCODING_DEFAULT);
	g_autofree char *method = calendar_method (ics);
	const char *file = g_ascii_strcasecmp (method, "CANCEL") == 0 ? "odwolanie.ics" : "zaproszenie.ics";

	g_mime_content_type_set_parameter (ct, "charset", "utf-8");
	g_mime_content_type_set_parameter (ct, "method", method);
	g_mime_object_set_content_disposition_parameter (GMIME_OBJECT (cal), "filename", file);
	g_mime_object_set_disposition (GMIME_OBJECT (cal), GMIME_DISPOSITION_ATTACHMENT);
	g_mime_content_type_set_parameter (ct, "name", file);
	g_mime_part_set_content (cal, content);  /* the part holds its own ref */
	g_mime_part_set_content_encoding (cal, GMIME_CONTENT_ENCODING_BASE64);
	return GMIME_OBJECT (cal);
}

/* The message of @c's replies, @threaded or not: the headers in the order a
 * new message gets them (From, Reply-To, Message-Id, In-Reply-To, References,
 * Auto-Submitted, ...); the placeholders are set by every reply.
 * (transfer none) */
static GMimeMessage *
prototype (Composer *c, gboolean threaded, GError **error)
{
	g_autoptr (GMimeMessage) m = NULL;

	if (c->proto[threaded] != NULL)
		return c->proto[threaded];
	m = g_mime_message_new (TRUE);
	if (!add_mailbox (m, GMIME_ADDRESS_TYPE_FROM, c->from_list, c->from, error))
		return NULL;
	if (c->reply_to != NULL && !add_mailbox (m, GMIME_ADDRESS_TYPE_REPLY_TO, c->reply_to_list, c->reply_to, error))
		return NULL;
	g_mime_message_set_message_id (m, "placeholder");
	if (threaded) {
		g_mime_object_set_header (GMIME_OBJECT (m), "In-Reply-To", "<placeholder>", NULL);
		g_mime_object_set_header (GMIME_OBJECT (m), "References", "<placeholder>", NULL);
	}
	/* RFC 3834 §5: mark as automatic; Exchange's own suppression header too. */
	g_mime_object_set_header (GMIME_OBJECT (m), "Auto-Submitted", "auto-replied", NULL);
	g_mime_object_set_header (GMIME_OBJECT (m), "X-Auto-Response-Suppress", "All", NULL);
	return c->proto[threaded] = g_steal_pointer (&m);
}

/* @extra's attachment: as its attach_type/attach_subtype (base64) when given;
 * else a whole message, message/rfc822 when GMime reads it, else its bytes as
 * application/octet-stream (base64).  (transfer full) */
static GMimeObject *
attachment_part (const ComposeExtra *extra)
{
	gsize len;
	const char *data = g_bytes_get_data (extra->attach, &len);
	GMimeObject *part = NULL;

	if (extra->attach_type == NULL) {
		g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (data, len);
		g_autoptr (GMimeParser) parser = g_mime_parser_new_with_stream (stream);   /* holds a ref on stream */
		g_autoptr (GMimeMessage) m = g_mime_parser_construct_message (parser, NULL);

		if (m != NULL)
			part = GMIME_OBJECT (g_mime_message_part_new_with_message ("rfc822", m));   /* holds a ref on m */
	}
	if (part == NULL) {
		g_autoptr (GMimeStream) copy = g_mime_stream_mem_new_with_buffer (data, len);
		g_autoptr (GMimeDataWrapper) content = g_mime_data_wrapper_new_with_stream (copy,
		                                                                            GMIME_CONTENT_ENCODING_DEFAULT);
		part = GMIME_OBJECT (g_mime_part_new_with_type (extra->attach_type ? extra->attach_type : "application",
		                                                extra->attach_type ? extra->attach_subtype : "octet-stream"));
		g_mime_part_set_content (GMIME_PART (part), content);   /* the part holds its own ref */
		g_mime_part_set_content_encoding (GMIME_PART (part), GMIME_CONTENT_ENCODING_BASE64);
	}
	g_mime_object_set_disposition (part, GMIME_DISPOSITION_ATTACHMENT);
	g_mime_object_set_content_disposition_parameter (part, "filename",
	                                                 extra->attach_name ? extra->attach_name : "wiadomosc.eml");
	return part;
}

ComposedMail *
compose_mail_ics (Composer *c, const char *name, GHashTable *vars, const char *to_name,
                  const char *to_addr, const char *in_reply_to, const char *references, const char *ics,
                  GError **error)
{
	return compose_mail_extra (c, name, vars, to_name, to_addr, in_reply_to, references, ics, NULL, error);
}

ComposedMail *
compose_mail_extra (Composer *c, const char *name, GHashTable *vars, const char *to_name,
                    const char *to_addr, const char *in_reply_to, const char *references, const char *ics,
                    const ComposeExtra *extra, GError **error)
{
	const Template *t = g_hash_table_lookup (c->templates, name);
	g_autoptr (ComposedMail) out = g_new0 (ComposedMail, 1);
	GMimeMessage *m;
	InternetAddressList *to_list;
	g_autoptr (GMimeTextPart) body = NULL;
	g_autoptr (GDateTime) now = g_date_time_new_now_local ();
	g_autofree char *text = NULL;
	g_autofree char *irt = NULL;
	g_autofree char *raw = NULL;
	g_autofree char *safe_name = NULL;
	InternetAddress *to;
	gsize len;

	g_return_val_if_fail (t != NULL, NULL);
	if ((out->subject = compose_render (t->subject, vars, error)) == NULL ||
	    (text = compose_render (t->body, vars, error)) == NULL) {
		g_prefix_error (error, "template %s: ", name);
		return NULL;
	}
	one_line (out->subject);
	out->message_id = extra && extra->message_id ? g_strdup (extra->message_id) : ids_message_id (c->domain);

	if ((m = prototype (c, in_reply_to != NULL, error)) == NULL)
		return NULL;
	/* The display name may come from a form: GMime encodes it (RFC 2047) and
	 * quotes it, so CR/LF or commas in it cannot add a header or a recipient. */
	safe_name = g_strdup (to_name ? to_name : "");
	one_line (safe_name);
	to = internet_address_mailbox_new (*safe_name ? safe_name : NULL, to_addr);
	to_list = g_mime_message_get_addresses (m, GMIME_ADDRESS_TYPE_TO);
	internet_address_list_clear (to_list);   /* the previous reply's */
	internet_address_list_add (to_list, to);
	g_object_unref (to);  /* the list holds its own ref */
	g_mime_message_set_subject (m, out->subject, "utf-8");
	g_mime_message_set_date (m, now);
	g_mime_message_set_message_id (m, out->message_id);
	if (in_reply_to != NULL) {
		irt = g_strdup_printf ("<%s>", in_reply_to);
		g_mime_object_set_header (GMIME_OBJECT (m), "In-Reply-To", irt, NULL);
		g_mime_object_set_header (GMIME_OBJECT (m), "References", references ? references : irt, NULL);
	}

	body = text_body (text);
	if (ics == NULL && (extra == NULL || extra->attach == NULL)) {
		g_mime_message_set_mime_part (m, GMIME_OBJECT (body));
	} else {
		/* multipart/mixed only when there is an attachment */
		g_autoptr (GMimeMultipart) mixed = g_mime_multipart_new_with_subtype ("mixed");

		g_mime_multipart_add (mixed, GMIME_OBJECT (body));  /* the multipart holds refs */
		if (ics != NULL) {
			g_autoptr (GMimeObject) cal = calendar_part (ics);
			g_mime_multipart_add (mixed, cal);
		}
		if (extra != NULL && extra->attach != NULL) {
			g_autoptr (GMimeObject) att = attachment_part (extra);
			g_mime_multipart_add (mixed, att);
		}
		g_mime_message_set_mime_part (m, GMIME_OBJECT (mixed));
	}

	raw = g_mime_object_to_string (GMIME_OBJECT (m), c->format);
	len = strlen (raw);
	if (len > 0 && raw[len - 1] != '\n') {
		char *terminated = g_strconcat (raw, "\n", NULL);
		g_free (raw);
		raw = terminated;
		len++;
	}
	out->raw = g_bytes_new_take (g_steal_pointer (&raw), len);
	return g_steal_pointer (&out);
}

void
composed_mail_free (ComposedMail *m)
{
	if (m == NULL)
		return;
	g_free (m->message_id);
	g_free (m->subject);
	if (m->raw)
		g_bytes_unref (m->raw);
	g_free (m);
}

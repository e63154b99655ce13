/* extract.c - find the filled form in a parsed message: the walk over the MIME tree.
 *
 * Stage 3 (parse -> extract -> validate).  Every text/plain body and .txt
 * attachment, also inside forwarded messages, is decoded (at most limits->max_text
 * bytes), converted to UTF-8 and parsed by extract_text(); the candidate naming the
 * most form fields wins.  Parts not read (other formats, limits) become staff notes.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/extract.h"

#include <errno.h>
#include <string.h>

/* More notes than this are summarised: a message with 300 attachments must not
 * produce a 300-line note. */
#define MAX_NOTES 20
/* Longest attachment name shown in part names and notes, in characters. */
#define MAX_NAME_CHARS 100

typedef struct {
	const FormDef *def;
	const ExtractLimits *limits;
	GPtrArray *notes;        /* char*, distinct, in document order */
	guint notes_dropped;
	FormData *best;
	gboolean best_is_body;
} Walk;

void
form_data_free (FormData *form)
{
	if (form == NULL)
		return;
	if (form->pairs != NULL)
		g_ptr_array_unref (form->pairs);
	g_free (form->part);
	g_free (form->format);
	g_free (form);
}

static void
add_note (Walk *w, char *note)
{
	for (guint i = 0; i < w->notes->len; i++)
		if (strcmp (g_ptr_array_index (w->notes, i), note) == 0) {
			g_free (note);
			return;
		}
	if (w->notes->len >= MAX_NOTES) {
		w->notes_dropped++;
		g_free (note);
		return;
	}
	g_ptr_array_add (w->notes, note);
}

/* ------------------------------------------------------------------------- */
/* Charset conversion */

/* @data from @from to UTF-8; NULL when @from is unknown or the bytes do not fit it. */
static char *
convert_strict (const char *data, gsize len, const char *from, gsize *out_len)
{
	return g_convert (data, (gssize) len, "UTF-8", from, NULL, out_len, NULL);
}

/* @data from @from to UTF-8, an undecodable byte becoming U+FFFD (windows-1250
 * leaves five bytes undefined; glibc's iconv refuses them). */
static char *
convert_lenient (const char *data, gsize len, const char *from)
{
	GIConv cd = g_iconv_open ("UTF-8", from);
	GString *out;
	char *in = (char *) data;
	gsize inleft = len;
	char buf[4096];

	if (cd == (GIConv) -1)
		return g_utf8_make_valid (data, (gssize) len);
	out = g_string_sized_new (len + len / 2);
	while (inleft > 0) {
		char *o = buf;
		gsize oleft = sizeof buf;
		gsize r = g_iconv (cd, &in, &inleft, &o, &oleft);

		g_string_append_len (out, buf, o - buf);
		if (r == (gsize) -1 && errno != E2BIG) {
			/* EILSEQ, or EINVAL for a sequence cut at the end */
			g_string_append (out, "\xEF\xBF\xBD");
			in++;
			inleft--;
		}
	}
	/* flush a stateful converter */
	{
		char *o = buf;
		gsize oleft = sizeof buf;
		g_iconv (cd, NULL, NULL, &o, &oleft);
		g_string_append_len (out, buf, o - buf);
	}
	g_iconv_close (cd);
	return g_string_free (out, FALSE);
}

static gboolean
is_utf8_name (const char *name)
{
	return g_ascii_strcasecmp (name, "UTF-8") == 0 || g_ascii_strcasecmp (name, "UTF8") == 0;
}

static gboolean
is_wide_name (const char *name)
{
	return g_ascii_strncasecmp (name, "UTF-16", 6) == 0 ||
	       g_ascii_strncasecmp (name, "UTF-32", 6) == 0 ||
	       g_ascii_strncasecmp (name, "UCS-2", 5) == 0 || g_ascii_strncasecmp (name, "UCS-4", 5) == 0;
}

/* The iconv name of the declared @charset, NULL when none or unknown to iconv
 * ("x-foo", "unknown-8bit"): such a declaration tells us nothing. */
static char *
known_charset (const char *charset)
{
	const char *name;
	GIConv cd;

	if (charset == NULL || *charset == '\0')
		return NULL;
	name = g_mime_charset_iconv_name (charset);
	cd = g_iconv_open ("UTF-8", name);
	if (cd == (GIConv) -1)
		return NULL;
	g_iconv_close (cd);
	return g_strdup (name);
}

static gboolean
has_c1_bytes (const char *data, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if ((guchar) data[i] >= 0x80 && (guchar) data[i] <= 0x9F)
			return TRUE;
	return FALSE;
}

static void
nul_to_space (char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
}

/* Wide text (UTF-16/32) converted as a whole, NULs kept until after conversion. */
static char *
convert_wide (const char *data, gsize len, const char *from)
{
	gsize out_len = 0;
	char *out = convert_strict (data, len, from, &out_len);

	if (out != NULL)
		nul_to_space (out, out_len);
	return out;
}

/* @n bytes without NULs, declared as @declared (an iconv name, or NULL). */
static char *
decode_bytes (const char *p, gsize n, const char *declared)
{
	if (declared != NULL && !is_utf8_name (declared)) {
		const char *from = declared;
		char *out;

		/* WHATWG Encoding: latin1 labels mean windows-1252; ISO-8859-2 text with
		 * C1 bytes (never in real text) is windows-1250 under the wrong label */
		if (g_ascii_strcasecmp (from, "ISO-8859-1") == 0)
			from = "WINDOWS-1252";
		else if (g_ascii_strcasecmp (from, "ISO-8859-2") == 0 && has_c1_bytes (p, n))
			from = "WINDOWS-1250";
		if ((out = convert_strict (p, n, from, NULL)) != NULL)
			return out;
	}
	/* declared UTF-8, undeclared, or a declaration the bytes do not fit; what is
	 * not UTF-8 is taken for the Polish legacy charset ("utf-8" on windows-1250
	 * bytes is a classic webmail bug) */
	if (g_utf8_validate_len (p, n, NULL))
		return g_strndup (p, n);
	return convert_lenient (p, n, "WINDOWS-1250");
}

char *
extract_to_utf8 (const char *data, gsize len, const char *charset)
{
	g_autofree char *declared = known_charset (charset);
	g_autofree char *out = NULL;
	char *valid;

	g_return_val_if_fail (data != NULL || len == 0, NULL);
	if (len == 0)
		return g_strdup ("");
	/* A .txt saved by Notepad as "Unicode" is UTF-16 with a BOM, usually sent
	 * as application/octet-stream without a charset: the BOM decides.  Wide
	 * text keeps its NULs until it is converted. */
	if (len >= 2 && (guchar) data[0] == 0xFF && (guchar) data[1] == 0xFE)
		out = convert_wide (data + 2, len - 2, "UTF-16LE");
	else if (len >= 2 && (guchar) data[0] == 0xFE && (guchar) data[1] == 0xFF)
		out = convert_wide (data + 2, len - 2, "UTF-16BE");
	else if (declared != NULL && is_wide_name (declared))
		out = convert_wide (data, len, declared);

	if (out == NULL) {
		g_autofree char *bytes = g_memdup2 (data, len);
		const char *p = bytes;
		gsize n = len;

		if (declared != NULL && is_wide_name (declared))
			g_clear_pointer (&declared, g_free);   /* the bytes are not what it says */
		nul_to_space (bytes, len);
		if (n >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0) {
			/* a UTF-8 BOM outweighs the declaration */
			p += 3;
			n -= 3;
			g_free (declared);
			declared = g_strdup ("UTF-8");
		}
		out = decode_bytes (p, n, declared);
	}

	valid = g_utf8_make_valid (out, -1);
	/* a BOM left inside converted text (UTF-16 declared and with a BOM) */
	if (g_str_has_prefix (valid, "\xEF\xBB\xBF"))
		memmove (valid, valid + 3, strlen (valid + 3) + 1);
	return valid;
}

/* ------------------------------------------------------------------------- */
/* Reading parts */

/* Append @len bytes to @out without passing @max; TRUE when something was cut. */
static gboolean
append_bounded (GByteArray *out, const char *data, gsize len, gsize max)
{
	if (out->len + len > max) {
		g_byte_array_append (out, (const guint8 *) data, (guint) (max - out->len));
		return TRUE;
	}
	g_byte_array_append (out, (const guint8 *) data, (guint) len);
	return FALSE;
}

/* The decoded content of @part, at most @max bytes; *@truncated when there was more.
 * The transfer-encoded stream goes through GMime's decoder a chunk at a time, so a
 * 20 MB body never sits in memory decoded.  (transfer full) */
static GByteArray *
read_bounded (GMimePart *part, gsize max, gboolean *truncated)
{
	GMimeDataWrapper *content = g_mime_part_get_content (part);   /* (transfer none) */
	GByteArray *out = g_byte_array_new ();
	GMimeFilter *decoder = NULL;
	GMimeStream *stream;
	char in[4096];

	*truncated = FALSE;
	max = MIN (max, (gsize) G_MAXINT);   /* GByteArray lengths are guint */
	if (content == NULL || (stream = g_mime_data_wrapper_get_stream (content)) == NULL)
		return out;
	switch (g_mime_data_wrapper_get_encoding (content)) {
	case GMIME_CONTENT_ENCODING_BASE64:
	case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
	case GMIME_CONTENT_ENCODING_UUENCODE:
		decoder = g_mime_filter_basic_new (g_mime_data_wrapper_get_encoding (content), FALSE);
		break;
	default:
		break;   /* 7bit, 8bit, binary: the bytes as they are */
	}
	/* the stream is shared with the message: start from its beginning and leave
	 * it there, as g_mime_data_wrapper_write_to_stream() does */
	if (g_mime_stream_reset (stream) == -1)
		goto out;
	while (!*truncated) {
		ssize_t nread = g_mime_stream_read (stream, in, sizeof in);
		char *chunk = in;
		size_t chunk_len = nread > 0 ? (size_t) nread : 0;
		size_t prespace;

		/* nread < 0 is a read error: keep what we have, like the end */
		if (decoder != NULL && nread > 0)
			g_mime_filter_filter (decoder, in, chunk_len, 0, &chunk, &chunk_len, &prespace);
		else if (decoder != NULL)
			g_mime_filter_complete (decoder, in, 0, 0, &chunk, &chunk_len, &prespace);
		*truncated = append_bounded (out, chunk, chunk_len, max);
		if (nread <= 0)
			break;
	}
	g_mime_stream_reset (stream);

	if (*truncated) {
		/* end at the last whole line so a half line does not become a pair */
		guint i = out->len;
		while (i > 0 && out->data[i - 1] != '\n' && out->data[i - 1] != '\r')
			i--;
		if (i > 0)
			g_byte_array_set_size (out, i);
	}
out:
	g_clear_object (&decoder);
	return out;
}

/* The attachment name for part names and notes: decoded by GMime (RFC 2231/2047),
 * without a client's folder path, control characters or excessive length. */
static char *
display_name (GMimePart *part)
{
	const char *raw = g_mime_part_get_filename (part);
	const char *slash, *backslash;
	g_autofree char *valid = NULL;
	GString *out;
	glong n = 0;

	if (raw == NULL)
		return NULL;
	/* "C:\Users\...\formularz.txt" from old Windows clients */
	slash = strrchr (raw, '/');
	backslash = strrchr (raw, '\\');
	if (backslash != NULL && (slash == NULL || backslash > slash))
		slash = backslash;
	if (slash != NULL && slash[1] != '\0')
		raw = slash + 1;
	valid = g_utf8_make_valid (raw, -1);
	g_strstrip (valid);
	if (*valid == '\0')
		return NULL;
	out = g_string_new (NULL);
	for (const char *p = valid; *p; p = g_utf8_next_char (p), n++) {
		gunichar c = g_utf8_get_char (p);
		if (n == MAX_NAME_CHARS) {
			g_string_append (out, "…");
			break;
		}
		/* a name must not break a log line or forge one */
		if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
			g_string_append_c (out, '_');
		else
			g_string_append_unichar (out, c);
	}
	return g_string_free (out, FALSE);
}

/* ".docx" of @name (lower case), or NULL. */
static char *
name_extension (const char *name)
{
	const char *dot = name != NULL ? strrchr (name, '.') : NULL;

	if (dot == NULL || dot[1] == '\0' || strlen (dot) > 8)
		return NULL;
	return g_utf8_strdown (dot, -1);
}

static const struct {
	const char *mime_type;
	const char *ext;
} known_types[] = {
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx" },
	{ "application/vnd.oasis.opendocument.text", ".odt" },
	{ "application/pdf", ".pdf" },
	{ "application/zip", ".zip" },
	{ "application/x-zip-compressed", ".zip" },
	{ "text/html", ".html" },
	{ "application/msword", ".doc" },
	{ "application/rtf", ".rtf" },
	{ "text/rtf", ".rtf" },
};

/* Formats a later extractor will read (see src/extract/: html, docx, odt, pdf, zip). */
static const char *const planned_exts[] = { ".docx", ".odt", ".pdf", ".zip", ".html", ".htm" };
/* Other document formats applicants send a form in; not planned. */
static const char *const other_doc_exts[] = { ".doc", ".rtf", ".xls", ".xlsx", ".ods", ".pages" };

static gboolean
in_list (const char *ext, const char *const *list, gsize n)
{
	for (gsize i = 0; ext != NULL && i < n; i++)
		if (strcmp (ext, list[i]) == 0)
			return TRUE;
	return FALSE;
}

/* Note why a non-text part is not read. */
static void
note_unread (Walk *w, GMimeObject *obj, const char *name, gboolean is_body)
{
	GMimeContentType *ct = g_mime_object_get_content_type (obj);   /* (transfer none) */
	g_autofree char *declared = g_mime_content_type_get_mime_type (ct);
	g_autofree char *mime_type = g_ascii_strdown (declared, -1);
	g_autofree char *ext = name_extension (name);
	g_autofree char *where = NULL;

	/* signatures of multipart/signed carry no content */
	if (strcmp (mime_type, "application/pgp-signature") == 0 ||
	    strcmp (mime_type, "application/pkcs7-signature") == 0 ||
	    strcmp (mime_type, "application/x-pkcs7-signature") == 0)
		return;
	for (gsize i = 0; ext == NULL && i < G_N_ELEMENTS (known_types); i++)
		if (strcmp (mime_type, known_types[i].mime_type) == 0)
			ext = g_strdup (known_types[i].ext);

	if (is_body && g_strcmp0 (ext, ".html") == 0) {
		add_note (w, g_strdup ("body (text/html): HTML not read yet"));
		return;
	}
	where = name != NULL ? g_strdup_printf ("attachment %s", name)
	                     : g_strdup_printf ("part (%s)", mime_type);
	if (in_list (ext, planned_exts, G_N_ELEMENTS (planned_exts)))
		add_note (w, g_strdup_printf ("%s: format %s not read yet", where, ext));
	else if (in_list (ext, other_doc_exts, G_N_ELEMENTS (other_doc_exts)))
		add_note (w, g_strdup_printf ("%s: format %s not supported", where, ext));
	else if (name != NULL)
		add_note (w, g_strdup_printf ("%s (%s): not a form format", where, mime_type));
	else
		add_note (w, g_strdup_printf ("%s: not a form format", where));
}

static void
read_candidate (Walk *w, GMimePart *part, const char *name, gboolean is_body)
{
	GMimeObject *obj = GMIME_OBJECT (part);
	const char *charset = g_mime_object_get_content_type_parameter (obj, "charset");
	g_autofree char *where = is_body ? g_strdup ("body")
	                                 : g_strdup_printf ("attachment %s", name ? name : "(unnamed)");
	g_autoptr (GByteArray) raw = NULL;
	g_autofree char *text = NULL;
	g_autoptr (FormData) form = NULL;
	gboolean truncated;

	raw = read_bounded (part, w->limits->max_text, &truncated);
	if (truncated)
		add_note (w, g_strdup_printf ("%s: text longer than %" G_GSIZE_FORMAT
		                              " bytes, the rest was not read", where, w->limits->max_text));
	text = extract_to_utf8 ((const char *) raw->data, raw->len, charset);
	g_clear_pointer (&raw, g_byte_array_unref);   /* bound the peak: one copy at a time */
	form = extract_text (text, w->def);
	form->part = g_steal_pointer (&where);

	/* most fields wins; on a tie the body beats an attachment, then document order */
	if (w->best == NULL || form->matched > w->best->matched ||
	    (form->matched == w->best->matched && is_body && !w->best_is_body)) {
		form_data_free (w->best);
		w->best = g_steal_pointer (&form);
		w->best_is_body = is_body;
	}
}

static void
walk_leaf (Walk *w, GMimePart *part, gboolean html_quiet)
{
	GMimeObject *obj = GMIME_OBJECT (part);
	GMimeContentType *ct = g_mime_object_get_content_type (obj);   /* (transfer none) */
	GMimeContentDisposition *disp = g_mime_object_get_content_disposition (obj);
	g_autofree char *name = display_name (part);
	g_autofree char *ext = name_extension (name);
	gboolean text_plain = g_mime_content_type_is_type (ct, "text", "plain");
	/* an inline part with a file name is an attached file too ("formularz.txt") */
	gboolean attached = name != NULL || (disp != NULL && g_mime_content_disposition_is_attachment (disp));

	if (GMIME_IS_MESSAGE_PARTIAL (part)) {
		add_note (w, g_strdup ("part (message/partial): fragments not reassembled"));
		return;
	}
	if (text_plain || g_strcmp0 (ext, ".txt") == 0) {
		read_candidate (w, part, name, !attached);
		return;
	}
	/* the text/html twin of a text/plain alternative (and its inline images)
	 * says nothing new */
	if (html_quiet && !(disp != NULL && g_mime_content_disposition_is_attachment (disp)))
		return;
	note_unread (w, obj, name, !attached);
}

/* @obj sits inside @level containers (multiparts, forwarded messages). */
static void
walk (Walk *w, GMimeObject *obj, guint level, gboolean html_quiet)
{
	if (GMIME_IS_MULTIPART (obj) || GMIME_IS_MESSAGE_PART (obj)) {
		if (level + 1 > w->limits->max_depth) {
			add_note (w, g_strdup_printf ("MIME nesting deeper than %u levels: inner parts not read",
			                              w->limits->max_depth));
			return;
		}
	}

	if (GMIME_IS_MULTIPART_ENCRYPTED (obj)) {
		add_note (w, g_strdup ("part (multipart/encrypted): encrypted, not read"));
	} else if (GMIME_IS_MULTIPART (obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART (obj);
		GMimeContentType *ct = g_mime_object_get_content_type (obj);
		int count = g_mime_multipart_get_count (mp);
		gboolean quiet = html_quiet;

		/* RFC 2046 §5.1.4: the alternatives say the same; with a text/plain one,
		 * the rest (HTML, its images) need no note */
		if (g_mime_content_type_is_type (ct, "multipart", "alternative"))
			for (int i = 0; i < count; i++) {
				GMimeObject *sub = g_mime_multipart_get_part (mp, i);
				if (g_mime_content_type_is_type (g_mime_object_get_content_type (sub), "text", "plain"))
					quiet = TRUE;
			}
		for (int i = 0; i < count; i++)
			walk (w, g_mime_multipart_get_part (mp, i), level + 1, quiet);
	} else if (GMIME_IS_MESSAGE_PART (obj)) {
		/* a forwarded message (message/rfc822): the form may be inside */
		GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (obj));
		GMimeObject *body = inner != NULL ? g_mime_message_get_mime_part (inner) : NULL;
		if (body != NULL)
			walk (w, body, level + 1, FALSE);
	} else if (GMIME_IS_PART (obj)) {
		walk_leaf (w, GMIME_PART (obj), html_quiet);
	}
}

FormData *
extract_form (GMimeMessage *message, const FormDef *def, const ExtractLimits *limits,
              char **notes)
{
	g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
	GMimeObject *top = g_mime_message_get_mime_part (message);   /* (transfer none) */
	Walk w = { def, limits, list, 0, NULL, FALSE };

	g_return_val_if_fail (GMIME_IS_MESSAGE (message) && def != NULL && limits != NULL, NULL);
	if (top != NULL)
		walk (&w, top, 0, FALSE);

	if (notes != NULL) {
		*notes = NULL;
		if (w.notes_dropped > 0)
			g_ptr_array_add (list, g_strdup_printf ("and %u more parts not read", w.notes_dropped));
		if (list->len > 0) {
			g_ptr_array_add (list, NULL);
			*notes = g_strjoinv ("; ", (char **) list->pdata);
		}
	}
	return w.best;
}

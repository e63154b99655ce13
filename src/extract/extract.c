/* extract.c - find the filled form in a parsed message: the walk over the MIME tree.
 *
 * Stage 3 (parse -> extract -> validate).  Every body and attachment, also inside
 * forwarded messages and .zip archives, is decoded within the limits, recognised
 * by its bytes, name or type, turned into text by its format's extractor
 * (formats.h) and parsed by extract_text(); the candidate naming the most form
 * fields wins.  Parts not read (other formats, images when [ocr] is off,
 * limits) become staff notes.
 * Documents whose libraries have no limits of their own (PDF, images read by
 * OCR, and every format not named in reads_in_process) are read by the
 * sandboxed reader program (sandbox/sandbox.h), one document per reader.
 */
#define G_LOG_DOMAIN "extract"
#define _GNU_SOURCE   /* memmem */

#include "extract/extract.h"
#include "extract/formats.h"

#include <libxml/parser.h>
#include <string.h>

#include "core/errors.h"
#ifndef MAILREG_FUZZ
#include "sandbox/sandbox.h"
#endif

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
	gsize total;             /* bytes decoded or decompressed so far */
	gboolean exhausted;      /* limits->max_total reached: read nothing more */
} Walk;

void
extract_init (void)
{
	xmlInitParser ();
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

/* Whether @len bytes at @data hold the ASCII @needle (starting with a
 * letter), in any case. */
static gboolean
holds_ascii (const guint8 *data, gsize len, const char *needle)
{
	gsize n = strlen (needle);
	guint8 first = g_ascii_tolower (needle[0]);
	gsize k = strspn (needle, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

	if (n == 0 || n > len)
		return FALSE;
	if (k < n) {
		/* A byte that is no letter has one case: memchr finds it, and only
		 * there is the needle compared ("zg-": 'z' starts a lot of Polish
		 * words, '-' is rare; a byte loop was a fifth of a form's cost). */
		const guint8 *at = data + k;
		const guint8 *last = data + len - (n - k);   /* the last place it can be */

		while (at <= last && (at = memchr (at, needle[k], (gsize) (last - at) + 1)) != NULL) {
			if (g_ascii_strncasecmp ((const char *) at - k, needle, n) == 0)
				return TRUE;
			at++;
		}
		return FALSE;
	}
	/* | 0x20 lower-cases a letter (and maps a few other bytes onto letters,
	 * which the full comparison sorts out): a call per byte was most of the cost */
	for (gsize i = 0; i + n <= len; i++)
		if ((data[i] | 0x20) == first && g_ascii_strncasecmp ((const char *) data + i, needle, n) == 0)
			return TRUE;
	return FALSE;
}

char *
extract_part_text (GMimePart *part, gsize max, const char *needle)
{
	gboolean truncated;
	g_autoptr (GByteArray) bytes = read_bounded (part, max, &truncated);
	const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");

	if (truncated)
		return NULL;
	/* ASCII is the same bytes in every charset but UTF-16/32 (declared, or a BOM) */
	if (needle != NULL && !holds_ascii (bytes->data, bytes->len, needle)) {
		if (!extract_charset_is_wide (charset) &&
		    !(bytes->len >= 2 && (bytes->data[0] == 0xFF || bytes->data[0] == 0xFE)))
			return NULL;
	}
	return extract_to_utf8 ((const char *) bytes->data, bytes->len, charset);
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

typedef enum {
	KIND_OTHER,        /* not a form format */
	KIND_TEXT,
	KIND_HTML,
	KIND_DOCX,
	KIND_ODT,
	KIND_PDF,
	KIND_ZIP,
	KIND_UNSUPPORTED,  /* a document format we do not read: .xls, .pages, ... */
	KIND_IMAGE,        /* most likely a scan */
	KIND_RTF,
	KIND_DOC,          /* Word 97-2003 */
	KIND_SCAN,         /* a form read by OCR (an image, or a PDF of images) */
} FileKind;

static const char *const kind_names[] = { "other", "text", "html", "docx", "odt", "pdf", "zip",
                                          "unsupported", "image", "rtf", "doc", "scan" };

static const struct {
	const char *key;   /* a MIME type or a file name extension */
	FileKind kind;
} kinds_by_name[] = {
	{ "text/plain", KIND_TEXT }, { ".txt", KIND_TEXT },
	{ "text/html", KIND_HTML }, { ".html", KIND_HTML }, { ".htm", KIND_HTML },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document", KIND_DOCX },
	{ ".docx", KIND_DOCX },
	{ "application/vnd.oasis.opendocument.text", KIND_ODT }, { ".odt", KIND_ODT },
	{ "application/pdf", KIND_PDF }, { "application/x-pdf", KIND_PDF }, { ".pdf", KIND_PDF },
	{ "application/zip", KIND_ZIP }, { "application/x-zip-compressed", KIND_ZIP },
	{ "application/x-zip", KIND_ZIP }, { ".zip", KIND_ZIP },
	{ "application/msword", KIND_DOC }, { ".doc", KIND_DOC },
	{ "application/rtf", KIND_RTF }, { "text/rtf", KIND_RTF }, { ".rtf", KIND_RTF },
	{ "application/x-rtf", KIND_RTF },
	{ ".xls", KIND_UNSUPPORTED }, { ".xlsx", KIND_UNSUPPORTED }, { ".ods", KIND_UNSUPPORTED },
	{ ".pages", KIND_UNSUPPORTED }, { ".wpd", KIND_UNSUPPORTED }, { ".docm", KIND_UNSUPPORTED },
	{ ".jpg", KIND_IMAGE }, { ".jpeg", KIND_IMAGE }, { ".png", KIND_IMAGE }, { ".tif", KIND_IMAGE },
	{ ".tiff", KIND_IMAGE }, { ".gif", KIND_IMAGE }, { ".heic", KIND_IMAGE }, { ".bmp", KIND_IMAGE },
};

static FileKind
kind_by_name (const char *key)
{
	for (gsize i = 0; key != NULL && i < G_N_ELEMENTS (kinds_by_name); i++)
		if (strcmp (key, kinds_by_name[i].key) == 0)
			return kinds_by_name[i].kind;
	if (key != NULL && g_str_has_prefix (key, "image/"))
		return KIND_IMAGE;
	return KIND_OTHER;
}

/* What the bytes say they are: magic numbers beat names, since mail clients send
 * forms as application/octet-stream and people rename files. */
static FileKind
kind_by_content (GBytes *data, const ExtractLimits *limits)
{
	gsize len;
	const guint8 *p = g_bytes_get_data (data, &len);

	if (len >= 5 && memcmp (p, "%PDF-", 5) == 0)
		return KIND_PDF;
	if (len >= 4 && memcmp (p, "PK\x03\x04", 4) == 0) {
		/* An OpenDocument file starts with an uncompressed "mimetype" entry naming
		 * its type; a DOCX has [Content_Types].xml and word/document.xml among
		 * its entries (not merely inside: a .zip may hold a stored DOCX); any
		 * other ZIP is a container to look inside. */
		gsize head = MIN (len, 256);
		g_autoptr (GPtrArray) entries = NULL;
		if (memmem (p, head, "application/vnd.oasis.opendocument.text", 39) != NULL)
			return KIND_ODT;
		if (memmem (p, head, "application/vnd.oasis.opendocument.", 35) != NULL)
			return KIND_UNSUPPORTED;
		if (memmem (p, len, "word/document.xml", 17) != NULL &&
		    (entries = zip_list (data, limits, NULL)) != NULL &&
		    g_ptr_array_find_with_equal_func (entries, "[Content_Types].xml", g_str_equal, NULL) &&
		    g_ptr_array_find_with_equal_func (entries, "word/document.xml", g_str_equal, NULL))
			return KIND_DOCX;
		return KIND_ZIP;
	}
	if (len >= 4 && memcmp (p, "\xD0\xCF\x11\xE0", 4) == 0)
		return KIND_DOC;   /* OLE2: .doc, unless the name says .xls */
	if (len >= 5 && memcmp (p, "{\\rtf", 5) == 0)
		return KIND_RTF;
	if ((len >= 3 && memcmp (p, "\xFF\xD8\xFF", 3) == 0) || (len >= 8 && memcmp (p, "\x89PNG\r\n\x1a\n", 8) == 0) ||
	    (len >= 4 && (memcmp (p, "II*\0", 4) == 0 || memcmp (p, "MM\0*", 4) == 0)) ||
	    (len >= 6 && memcmp (p, "GIF8", 4) == 0))
		return KIND_IMAGE;
	return KIND_OTHER;
}

/* Note why a part or file is not read. */
static void
note_unread (Walk *w, const char *where, const char *what, FileKind kind)
{
	if (kind == KIND_UNSUPPORTED)
		add_note (w, g_strdup_printf ("%s: format %s not supported — ask for DOCX, ODT or PDF", where, what));
	else if (kind == KIND_IMAGE)
		add_note (w, g_strdup_printf ("%s: image (%s), perhaps a scan — ask for a filled DOCX, ODT or PDF form",
		                              where, what));
	else
		add_note (w, g_strdup_printf ("%s (%s): not a form format", where, what));
}

/* Keep @form when it names more fields than the best so far; on a tie the body
 * beats an attachment, then document order. */
static void
offer (Walk *w, FormData *form, gboolean is_body)
{
	if (w->best == NULL || form->matched > w->best->matched ||
	    (form->matched == w->best->matched && is_body && !w->best_is_body)) {
		form_data_free (w->best);
		w->best = form;
		w->best_is_body = is_body;
	} else {
		form_data_free (form);
	}
}

/* Charge @len decompressed bytes to the message; FALSE (with a note, once) when
 * that passes limits->max_total. */
static gboolean
charge (Walk *w, gsize len)
{
	if (w->exhausted)
		return FALSE;
	w->total += len;
	if (w->total > w->limits->max_total) {
		add_note (w, g_strdup_printf ("message: more than %" G_GSIZE_FORMAT
		                              " bytes decompressed, remaining parts not read", w->limits->max_total));
		w->exhausted = TRUE;
		return FALSE;
	}
	return TRUE;
}

static void read_file (Walk *w, GBytes *data, const char *name, FileKind declared, const char *charset,
                       const char *where, guint level, gboolean is_body);

/* The text of one document of @kind, when it is one of the formats read in
 * this process (reads_in_process).  (transfer full) */
static char *
read_in_process (FileKind kind, GBytes *data, const char *charset, const ExtractLimits *limits, GError **error)
{
	char *text = NULL;

	switch (kind) {
	case KIND_TEXT: {
		gsize len;
		const char *p = g_bytes_get_data (data, &len);
		text = extract_to_utf8 (p, MIN (len, limits->max_text), charset);
		break;
	}
	case KIND_HTML:
		text = extract_html (data, charset, limits, error);
		break;
	case KIND_DOCX:
		text = extract_docx (data, limits, error);
		break;
	case KIND_ODT:
		text = extract_odt (data, limits, error);
		break;
	default:
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "format %s is read by the sandboxed reader",
		             kind_names[kind]);
		break;
	}
	return text;
}

#ifndef MAILREG_FUZZ
/* Formats whose readers are read in this process: text and HTML bodies, and
 * DOCX and ODT, whose libraries (libxml2, libzip) run under extract's own
 * limits and read a form in well under the cost of starting a reader
 * (docs/benchmarks.md).  Every other format goes to the sandboxed reader. */
static gboolean
reads_in_process (FileKind kind)
{
	return kind == KIND_TEXT || kind == KIND_HTML || kind == KIND_DOCX || kind == KIND_ODT;
}

/* The limits of the reader process (constants: a reader's needs depend on
 * the libraries, not on the site).  Its address space holds its libraries
 * (about 60 MB mapped), the document, and what poppler (or OCR of one A4 page
 * at 300 dpi, 8.7 Mpixels) builds from it. */
#define READER_MEMORY (256u << 20)
#define READER_CPU_SECONDS 10
#define READER_WALL_SECONDS 30
/* Answer bytes beyond the text: the kind byte, a reason */
#define READER_SLACK 4096
/* Characters of a reason a reader gives */
#define READER_REASON_MAX 200

/* OCR's share on top (ocr.c): the page at 300 dpi in colour, its gray and
 * binary copies and Tesseract's LSTM model mapped (pol.traineddata). */
#define READER_MEMORY_OCR (192u << 20)

/* An image is read by OCR; a PDF may be a scan, known only once it is read.
 * Those readers get OCR's memory and its time for every page it may read
 * (max_ocr_seconds per page, whose own deadline stops Tesseract first); the
 * wall-clock limit twice that, as a busy host gives the reader less of a CPU. */
static void
reader_limits (SandboxLimits *sl, FileKind kind, GBytes *data, const ExtractLimits *limits)
{
	gboolean ocr = limits->ocr && (kind == KIND_IMAGE || kind == KIND_PDF);
	guint ocr_seconds = ocr ? limits->max_ocr_pages * limits->max_ocr_seconds : 0;

	sl->memory = READER_MEMORY + (ocr ? READER_MEMORY_OCR : 0) + (guint64) g_bytes_get_size (data);
	sl->cpu_seconds = READER_CPU_SECONDS;
	sl->cpu_grant = ocr_seconds;
	sl->wall_seconds = READER_WALL_SECONDS + 2 * ocr_seconds;
	sl->max_output = limits->max_text + READER_SLACK;
}

/* The text of one document of @kind, read by the sandboxed reader program
 * (src/reader.c): "T" and the text, or "E" and the reason, on its stdout.
 * (transfer full) */
static char *
read_in_reader (FileKind kind, GBytes *data, const char *charset, const ExtractLimits *limits, GError **error)
{
	g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
	g_autofree char *format = g_ascii_strup (kind_names[kind], -1);
	g_autofree char *why = NULL;
	SandboxResult res = { 0 };
	SandboxLimits sl;
	const char *answer;
	gsize len;

	reader_limits (&sl, kind, data, limits);
	/* src/reader.c's command line */
	g_ptr_array_add (args, g_strdup (kind_names[kind]));
	g_ptr_array_add (args, g_strdup (charset != NULL ? charset : "-"));
	g_ptr_array_add (args, g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (data)));
	g_ptr_array_add (args, g_strdup_printf ("%" G_GUINT64_FORMAT, sl.memory));
	g_ptr_array_add (args, g_strdup_printf ("%u", sl.cpu_seconds));
	g_ptr_array_add (args, g_strdup_printf ("%u", sl.cpu_grant));
	g_ptr_array_add (args, g_strdup_printf ("%" G_GSIZE_FORMAT, limits->max_text));
	g_ptr_array_add (args, g_strdup_printf ("%" G_GSIZE_FORMAT, limits->max_zip_entry));
	g_ptr_array_add (args, g_strdup_printf ("%u", limits->max_zip_entries));
	g_ptr_array_add (args, g_strdup_printf ("%u", limits->max_xml_depth));
	g_ptr_array_add (args, g_strdup_printf ("%u", limits->max_pdf_pages));
	g_ptr_array_add (args, g_strdup_printf ("%u", limits->ocr ? 1 : 0));
	g_ptr_array_add (args, g_strdup_printf ("%u", limits->max_ocr_pages));
	g_ptr_array_add (args, g_strdup_printf ("%" G_GUINT64_FORMAT, limits->max_ocr_pixels));
	g_ptr_array_add (args, g_strdup_printf ("%u", limits->max_ocr_seconds));
	g_ptr_array_add (args, g_strdup (limits->ocr_tessdata != NULL ? limits->ocr_tessdata : "-"));
	g_ptr_array_add (args, g_strdup (limits->ocr_language != NULL ? limits->ocr_language : "-"));
	g_ptr_array_add (args, NULL);
	if (!sandbox_run ((const char *const *) args->pdata, data, &sl, &res, error)) {
		g_prefix_error (error, "%s: ", format);
		return NULL;
	}
	answer = g_bytes_get_data (res.output, &len);
	if (res.end == SANDBOX_EXITED && len > 0 && (answer[0] == 'T' || answer[0] == 'E')) {
		/* as untrusted as the document: a reader taken over may answer anything */
		g_autofree char *rest = g_utf8_make_valid (answer + 1, (gssize) len - 1);
		gboolean ok = answer[0] == 'T';
		sandbox_result_clear (&res);
		if (ok)
			return g_steal_pointer (&rest);
		g_strdelimit (rest, "\r\n\t", ' ');
		if (g_utf8_strlen (rest, -1) > READER_REASON_MAX) {
			char *cut = g_utf8_substring (rest, 0, READER_REASON_MAX);
			g_free (rest);
			rest = cut;
		}
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, rest);
		return NULL;
	}
	why = sandbox_describe (&res, &sl);
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s reader stopped: %s", format, why);
	if (len > 1 && answer[0] == 'F') {
		/* the host's problem (a kernel or unit without seccomp), not the document's */
		g_autofree char *detail = g_utf8_make_valid (answer + 1, (gssize) MIN (len - 1, READER_REASON_MAX));
		g_strdelimit (detail, "\r\n\t", ' ');
		g_warning ("the document reader could not confine itself: %s", detail);
		g_prefix_error (error, "reader sandbox not set up; ");
	}
	sandbox_result_clear (&res);
	return NULL;
}
#endif

/* The text of one document of @kind, read where its format is read. */
static char *
read_document (FileKind kind, GBytes *data, const char *charset, const ExtractLimits *limits, GError **error)
{
#ifdef MAILREG_FUZZ
	/* fuzzing drives every reader in its own process */
	return extract_document_in_process (kind_names[kind], data, charset, limits, error);
#else
	if (!reads_in_process (kind))
		return read_in_reader (kind, data, charset, limits, error);
	return read_in_process (kind, data, charset, limits, error);
#endif
}

static FileKind
kind_by_format (const char *format)
{
	for (guint k = 0; format != NULL && k < G_N_ELEMENTS (kind_names); k++)
		if (strcmp (format, kind_names[k]) == 0)
			return (FileKind) k;
	return KIND_OTHER;
}

char *
extract_document (const char *format, GBytes *data, const char *charset, const ExtractLimits *limits,
                  GError **error)
{
	return read_document (kind_by_format (format), data, charset, limits, error);
}

char *
extract_document_here (const char *format, GBytes *data, const char *charset, const ExtractLimits *limits,
                       GError **error)
{
	return read_in_process (kind_by_format (format), data, charset, limits, error);
}

/* Every entry of a .zip attachment is read as a file of its own. */
static void
read_zip (Walk *w, GBytes *data, const char *where, guint level)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) entries = NULL;

	if (level + 1 > w->limits->max_depth) {
		add_note (w, g_strdup_printf ("%s: ZIP nested deeper than %u levels, not read", where,
		                              w->limits->max_depth));
		return;
	}
	if ((entries = zip_list (data, w->limits, &error)) == NULL) {
		add_note (w, g_strdup_printf ("%s: %s", where, error->message));
		return;
	}
	for (guint i = 0; i < entries->len && !w->exhausted; i++) {
		const char *entry = g_ptr_array_index (entries, i);
		const char *base = strrchr (entry, '/') ? strrchr (entry, '/') + 1 : entry;
		g_autofree char *inner = g_strdup_printf ("%s: %s", where, entry);
		g_autoptr (GBytes) bytes = NULL;
		g_clear_error (&error);

		/* folders, macOS resource forks, hidden files */
		if (*base == '\0' || *base == '.' || g_str_has_prefix (entry, "__MACOSX/"))
			continue;
		if ((bytes = zip_read_entry (data, entry, w->limits, &error)) == NULL) {
			add_note (w, g_strdup_printf ("%s: %s", inner, error->message));
			continue;
		}
		if (!charge (w, g_bytes_get_size (bytes)))
			return;
		read_file (w, bytes, base, KIND_OTHER, NULL, inner, level + 1, FALSE);
	}
}

/* Read one file (a decoded attachment or a ZIP entry) as a form candidate. */
static void
read_file (Walk *w, GBytes *data, const char *name, FileKind declared, const char *charset,
           const char *where, guint level, gboolean is_body)
{
	g_autofree char *ext = name_extension (name);
	FileKind kind = kind_by_content (data, w->limits);
	g_autoptr (GError) error = NULL;
	g_autofree char *text = NULL;
	FormData *form;

	/* Content decides for the formats it can recognise; else the name, else the
	 * declared type.  A damaged DOCX or ODT still starts like any ZIP: its name
	 * says what it was meant to be, and the reason is then about that format. */
	if (kind == KIND_OTHER || kind == KIND_ZIP) {
		FileKind named = kind_by_name (ext);
		if (named == KIND_OTHER)
			named = declared;
		if (kind == KIND_OTHER || named == KIND_DOCX || named == KIND_ODT)
			kind = named;
	}
	if (kind == KIND_DOC && kind_by_name (ext) == KIND_UNSUPPORTED)
		kind = KIND_UNSUPPORTED;   /* an .xls is OLE2 too */
	switch (kind) {
	case KIND_ZIP:
		read_zip (w, data, where, level);
		return;
	case KIND_IMAGE:
		if (!w->limits->ocr) {
			note_unread (w, where, ext ? ext : "image", kind);
			return;
		}
		text = read_document (kind, data, charset, w->limits, &error);
		break;
	case KIND_OTHER:
	case KIND_UNSUPPORTED:
		note_unread (w, where, ext ? ext : "unknown type", kind);
		return;
	default:
		text = read_document (kind, data, charset, w->limits, &error);
		break;
	}
	if (text == NULL) {
		add_note (w, g_strdup_printf ("%s: %s", where, error ? error->message : "unreadable"));
		return;
	}
	/* only OCR writes the mark: a text format never passes control characters on */
	if ((kind == KIND_IMAGE || kind == KIND_PDF) && strstr (text, EXTRACT_OCR_MARK) != NULL) {
		/* read by OCR: the pairs get the confidences of their words */
		g_autoptr (OcrLines) lines = NULL;
		g_autofree char *plain = extract_ocr_split (text, &lines);
		form = extract_text (plain, w->def);
		extract_ocr_confidence (form, lines);
		extract_ocr_labels (form, w->def);
		kind = KIND_SCAN;
	} else {
		form = extract_text (text, w->def);
	}
	form->part = g_strdup (where);
	g_free (form->format);
	form->format = g_strdup (kind_names[kind]);
	offer (w, form, is_body);
}

static void
walk_leaf (Walk *w, GMimePart *part, guint level, gboolean in_alternative)
{
	GMimeObject *obj = GMIME_OBJECT (part);
	GMimeContentType *ct = g_mime_object_get_content_type (obj);   /* (transfer none) */
	GMimeContentDisposition *disp = g_mime_object_get_content_disposition (obj);
	const char *charset = g_mime_object_get_content_type_parameter (obj, "charset");
	g_autofree char *declared = g_mime_content_type_get_mime_type (ct);
	g_autofree char *mime_type = g_ascii_strdown (declared, -1);
	g_autofree char *name = display_name (part);
	g_autofree char *where = NULL;
	g_autoptr (GByteArray) raw = NULL;
	g_autoptr (GBytes) bytes = NULL;
	/* an inline part with a file name is an attached file too ("formularz.txt") */
	gboolean attached = name != NULL || (disp != NULL && g_mime_content_disposition_is_attachment (disp));
	FileKind kind = kind_by_name (mime_type);
	gboolean truncated;
	gsize max;

	if (GMIME_IS_MESSAGE_PARTIAL (part)) {
		add_note (w, g_strdup ("part (message/partial): fragments not reassembled"));
		return;
	}
	/* signatures of multipart/signed carry no content */
	if (strcmp (mime_type, "application/pgp-signature") == 0 ||
	    strcmp (mime_type, "application/pkcs7-signature") == 0 ||
	    strcmp (mime_type, "application/x-pkcs7-signature") == 0)
		return;
	/* the inline images of an HTML alternative are decoration */
	if (in_alternative && !attached && kind != KIND_TEXT && kind != KIND_HTML)
		return;
	if (w->exhausted)
		return;

	where = attached ? g_strdup_printf ("attachment %s", name ? name : "(unnamed)")
	                 : g_strdup ("body");
	max = (kind == KIND_TEXT || kind == KIND_HTML) ? w->limits->max_text : w->limits->max_attachment;
	max = MIN (max, w->limits->max_total - MIN (w->total, w->limits->max_total));
	raw = read_bounded (part, max, &truncated);
	if (truncated && kind != KIND_TEXT && kind != KIND_HTML) {
		add_note (w, g_strdup_printf ("%s: larger than %" G_GSIZE_FORMAT " bytes, not read", where, max));
		charge (w, raw->len);
		return;
	}
	if (truncated)
		add_note (w, g_strdup_printf ("%s: text longer than %" G_GSIZE_FORMAT
		                              " bytes, the rest was not read", where, max));
	if (!charge (w, raw->len))
		return;
	bytes = g_byte_array_free_to_bytes (g_steal_pointer (&raw));
	read_file (w, bytes, name, kind, charset, where, level, !attached);
}

/* @obj sits inside @level containers (multiparts, forwarded messages). */
static void
walk (Walk *w, GMimeObject *obj, guint level, gboolean in_alternative)
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
		/* RFC 2046 §5.1.4: the alternatives say the same; each text one is a
		 * candidate (the plain one wins a tie, being first), the rest is decoration */
		gboolean alternative = g_mime_content_type_is_type (ct, "multipart", "alternative") ||
		                       (in_alternative && g_mime_content_type_is_type (ct, "multipart", "related"));

		for (int i = 0; i < count; i++)
			walk (w, g_mime_multipart_get_part (mp, i), level + 1, alternative);
	} else if (GMIME_IS_MESSAGE_PART (obj)) {
		/* a forwarded message (message/rfc822): the form may be inside */
		GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (obj));
		GMimeObject *body = inner != NULL ? g_mime_message_get_mime_part (inner) : NULL;
		if (body != NULL)
			walk (w, body, level + 1, FALSE);
	} else if (GMIME_IS_PART (obj)) {
		walk_leaf (w, GMIME_PART (obj), level, in_alternative);
	}
}

FormData *
extract_form (GMimeMessage *message, const FormDef *def, const ExtractLimits *limits,
              char **notes)
{
	g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
	GMimeObject *top = g_mime_message_get_mime_part (message);   /* (transfer none) */
	Walk w = { def, limits, list, 0, NULL, FALSE, 0, FALSE };

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

/* office.c - the walk and line builder under the DOCX and ODT extractors of stage 3.
 *
 * One pass of libxml2's streaming xmlReader over a document's XML part, a stack of
 * element kinds the format assigns, and frames of lines: paragraphs, table rows as
 * TAB-joined cells, checkbox marks.  The formats decide what an element means.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/office.h"

#include <limits.h>
#include <string.h>

#include <libxml/parserInternals.h>   /* xmlParserMaxDepth */
#include <libxml/xmlreader.h>

#include "core/errors.h"

#define MARK_TICKED "☒"
#define MARK_EMPTY "☐"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlTextReader, xmlFreeTextReader)

struct OfficeWalk {
	const char *name;        /* the XML part, for messages */
	const ExtractLimits *limits;
	const OfficeWalkFuncs *funcs;
	gpointer data;
	xmlTextReaderPtr reader; /* while reading */
	GString *out;            /* finished lines */
	GPtrArray *frames;       /* OfficeFrame*, innermost last */
	GByteArray *kinds;       /* kind of the open element at each depth */
	int skip_depth;          /* depth of the subtree being skipped, or -1 */
	char *xml_error;         /* first error libxml2 reported */
	gboolean xml_too_deep;   /* libxml2's own depth limit stopped the parse */
};

static OfficeFrame *
frame_new (void)
{
	OfficeFrame *f = g_new0 (OfficeFrame, 1);

	f->line = g_string_new (NULL);
	f->tables = g_array_new (FALSE, FALSE, sizeof (gboolean));
	return f;
}

static void
frame_free (OfficeFrame *f)
{
	g_string_free (f->line, TRUE);
	g_array_unref (f->tables);
	g_free (f);
}

/* See office.h. */
OfficeWalk *
office_walk_new (const char *name, const ExtractLimits *limits, const OfficeWalkFuncs *funcs, gpointer data)
{
	OfficeWalk *w = g_new0 (OfficeWalk, 1);

	w->name = name;
	w->limits = limits;
	w->funcs = funcs;
	w->data = data;
	w->out = g_string_new (NULL);
	w->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) frame_free);
	w->kinds = g_byte_array_new ();
	w->skip_depth = -1;
	g_ptr_array_add (w->frames, frame_new ());
	return w;
}

/* See office.h. */
void
office_walk_free (OfficeWalk *w)
{
	if (w == NULL)
		return;
	if (w->out != NULL)   /* NULL once office_walk_read() handed the text on */
		g_string_free (w->out, TRUE);
	g_ptr_array_unref (w->frames);
	g_byte_array_unref (w->kinds);
	g_free (w->xml_error);
	g_free (w);
}

/* ------------------------------------------------------------------------- */
/* Frames and lines */

/* See office.h. */
OfficeFrame *
office_frame (OfficeWalk *w)
{
	return g_ptr_array_index (w->frames, w->frames->len - 1);
}

/* A text box starts: its lines are built in a frame of their own. */
static void
frame_push (OfficeWalk *w)
{
	g_ptr_array_add (w->frames, frame_new ());
}

/* A text box or nested paragraph ends: its line is finished and, unless it is
 * the body, the frame closed. */
static void
frame_pop (OfficeWalk *w)
{
	office_flush_line (w);
	if (w->frames->len > 1)
		g_ptr_array_set_size (w->frames, w->frames->len - 1);
}

/* See office.h. */
void
office_unlabel (OfficeWalk *w, gconstpointer label)
{
	for (guint i = 0; i < w->frames->len; i++) {
		OfficeFrame *f = g_ptr_array_index (w->frames, i);
		if (f->label == label)
			f->label = NULL;
	}
}

/* See office.h. */
gboolean
office_in_table (const OfficeFrame *f)
{
	return f->tables->len > 0;
}

/* See office.h. */
gboolean
office_in_cell (const OfficeFrame *f)
{
	return office_in_table (f) && g_array_index (f->tables, gboolean, f->tables->len - 1);
}

/* See office.h. */
gboolean
office_is_blank (const GString *s)
{
	for (gsize i = 0; i < s->len; i++)
		if (s->str[i] != ' ' && s->str[i] != '\t')
			return FALSE;
	return TRUE;
}

static void
flush_frame (OfficeWalk *w, OfficeFrame *f)
{
	if (!office_is_blank (f->line)) {
		g_string_append_len (w->out, f->line->str, f->line->len);
		g_string_append_c (w->out, '\n');
	}
	g_string_truncate (f->line, 0);
	f->pending_space = FALSE;
}

/* See office.h. */
void
office_flush_line (OfficeWalk *w)
{
	flush_frame (w, office_frame (w));
}

/* See office.h. */
void
office_line_break (OfficeWalk *w)
{
	OfficeFrame *f = office_frame (w);

	if (office_in_cell (f) || f->label != NULL)
		f->pending_space = TRUE;
	else
		flush_frame (w, f);
}

/* A paragraph starts; one inside a paragraph opens a frame of its own, and then
 * the result is TRUE.  Its text starts at a (collapsed) space. */
static gboolean
paragraph_start (OfficeWalk *w)
{
	OfficeFrame *f = office_frame (w);
	gboolean nested = f->para > 0;

	/* a paragraph inside a paragraph (drawing or shape text outside a text box,
	 * an image's caption) */
	if (nested) {
		frame_push (w);
		f = office_frame (w);
	}
	f->para++;
	f->at_space = TRUE;
	return nested;
}

/* A paragraph ends (office_line_break()). */
static void
paragraph_end (OfficeWalk *w)
{
	OfficeFrame *f = office_frame (w);

	if (f->para > 0)
		f->para--;
	office_line_break (w);
}

static gboolean
is_blank_char (char c)
{
	return c == ' ' || c == '\t';
}

/* See office.h. */
void
office_append_text (OfficeWalk *w, const char *s, gsize len)
{
	OfficeFrame *f = office_frame (w);
	gsize start;

	if (len == 0)
		return;
	if (f->pending_space) {
		if (f->line->len > 0 && !is_blank_char (f->line->str[f->line->len - 1]) && !is_blank_char (s[0]))
			g_string_append_c (f->line, ' ');
		f->pending_space = FALSE;
	}
	start = f->line->len;
	g_string_append_len (f->line, s, len);
	for (gsize i = start; i < f->line->len; i++)
		if (f->line->str[i] == '\r' || f->line->str[i] == '\n')
			f->line->str[i] = ' ';
	f->at_space = FALSE;
}

/* See office.h. */
void
office_append_tab (OfficeWalk *w)
{
	OfficeFrame *f = office_frame (w);

	f->pending_space = FALSE;
	g_string_append_c (f->line, '\t');
	f->at_space = FALSE;
}

/* See office.h. */
void
office_append_mark (OfficeWalk *w, gboolean ticked)
{
	const char *mark = ticked ? MARK_TICKED : MARK_EMPTY;

	office_append_text (w, mark, strlen (mark));
	office_frame (w)->pending_space = TRUE;
}

/* See office.h. */
void
office_append_entry (OfficeWalk *w, GPtrArray *entries, int i)
{
	const char *entry;

	if (i < 0 || (guint) i >= entries->len)
		return;
	entry = g_ptr_array_index (entries, i);
	office_append_text (w, entry, strlen (entry));
}

/* Tables: a table inside a cell puts the outer row so far on a line of its own,
 * each row is a line, cells are joined by TABs (leading empty cells add none). */
static void
table_start (OfficeWalk *w)
{
	OfficeFrame *f = office_frame (w);
	gboolean in_cell = FALSE;

	if (office_in_cell (f))
		flush_frame (w, f);
	g_array_append_val (f->tables, in_cell);
}

static void
table_end (OfficeWalk *w)
{
	OfficeFrame *f = office_frame (w);

	if (office_in_table (f))
		g_array_set_size (f->tables, f->tables->len - 1);
}

static void
row_start (OfficeWalk *w)
{
	OfficeFrame *f = office_frame (w);

	if (office_in_table (f))
		flush_frame (w, f);
}

static void
cell_start (OfficeWalk *w)
{
	OfficeFrame *f = office_frame (w);

	if (!office_in_table (f))
		return;
	g_array_index (f->tables, gboolean, f->tables->len - 1) = TRUE;
	f->pending_space = FALSE;
	/* leading empty cells (indentation columns) add no TAB */
	if (f->line->len > 0)
		g_string_append_c (f->line, '\t');
}

static void
cell_end (OfficeWalk *w)
{
	OfficeFrame *f = office_frame (w);

	if (office_in_table (f))
		g_array_index (f->tables, gboolean, f->tables->len - 1) = FALSE;
	f->pending_space = FALSE;
}

/* The structure kinds (office.h) mean the same in both formats: an element of
 * @kind starts; returns the kind to store. */
static guint
structure_start (OfficeWalk *w, guint kind)
{
	switch (kind) {
	case OFFICE_P:
		return paragraph_start (w) ? OFFICE_P_NESTED : OFFICE_P;
	case OFFICE_TABLE:
		table_start (w);
		break;
	case OFFICE_ROW:
		row_start (w);
		break;
	case OFFICE_CELL:
		cell_start (w);
		break;
	case OFFICE_BOX:
		frame_push (w);
		break;
	default:
		break;
	}
	return kind;
}

/* The element of @kind, as structure_start() stored it, ends. */
static void
structure_end (OfficeWalk *w, guint kind)
{
	switch (kind) {
	case OFFICE_P:
		paragraph_end (w);
		break;
	case OFFICE_P_NESTED:
	case OFFICE_BOX:
		frame_pop (w);
		break;
	case OFFICE_TABLE:
		table_end (w);
		break;
	case OFFICE_ROW:
		office_flush_line (w);
		break;
	case OFFICE_CELL:
		cell_end (w);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------------- */
/* The walk */

/* See office.h. */
guint
office_kind_at (OfficeWalk *w, int depth)
{
	return depth >= 0 && (guint) depth < w->kinds->len ? w->kinds->data[depth] : OFFICE_OTHER;
}

/* See office.h. */
char *
office_attr (OfficeWalk *w, const char *local, const char *ns)
{
	xmlChar *v = xmlTextReaderGetAttributeNs (w->reader, (const xmlChar *) local, (const xmlChar *) ns);
	char *copy;

	if (v == NULL)
		return NULL;
	copy = g_strdup ((const char *) v);
	xmlFree (v);
	return copy;
}

/* One node of the reader.  FALSE with @error set when the walk must stop. */
static gboolean
walk_node (OfficeWalk *w, GError **error)
{
	int type = xmlTextReaderNodeType (w->reader);
	int depth = xmlTextReaderDepth (w->reader);

	switch (type) {
	case XML_READER_TYPE_ELEMENT: {
		const char *local = (const char *) xmlTextReaderConstLocalName (w->reader);
		const char *ns = (const char *) xmlTextReaderConstNamespaceUri (w->reader);
		gboolean empty = xmlTextReaderIsEmptyElement (w->reader) == 1;
		guint kind;

		if ((guint) depth >= w->limits->max_xml_depth) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			             "%s nests elements deeper than %u levels", w->name, w->limits->max_xml_depth);
			return FALSE;
		}
		if (w->skip_depth >= 0)
			return TRUE;
		kind = w->funcs->classify (local, ns);
		if (kind == OFFICE_SKIP) {
			if (!empty)
				w->skip_depth = depth;
			return TRUE;
		}
		kind = w->funcs->start (w->data, kind, depth, local, ns);
		kind = structure_start (w, kind);
		if (empty) {
			structure_end (w, kind);
			w->funcs->end (w->data, kind);
		} else {
			g_byte_array_set_size (w->kinds, (guint) depth + 1);
			w->kinds->data[depth] = (guint8) kind;
		}
		break;
	}
	case XML_READER_TYPE_END_ELEMENT: {
		guint kind = office_kind_at (w, depth);

		if (w->skip_depth >= 0) {
			if (depth == w->skip_depth)
				w->skip_depth = -1;
			return TRUE;
		}
		structure_end (w, kind);
		w->funcs->end (w->data, kind);
		g_byte_array_set_size (w->kinds, (guint) depth);
		break;
	}
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		if (w->skip_depth < 0)
			w->funcs->text (w->data, depth, (const char *) xmlTextReaderConstValue (w->reader));
		break;
	case XML_READER_TYPE_DOCUMENT_TYPE:
		/* neither Word nor LibreOffice writes one; a DTD only brings entity tricks */
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s has a DOCTYPE declaration (refused)",
		             w->name);
		return FALSE;
	default:
		break;
	}

	/* text is seldom longer than the XML it came from, but an ODT control's value
	 * shown many times could be: cap it */
	if (w->out->len + office_frame (w)->line->len > w->limits->max_zip_entry) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "text of %s longer than %" G_GSIZE_FORMAT " bytes", w->name, w->limits->max_zip_entry);
		return FALSE;
	}
	return TRUE;
}

static void
on_xml_error (void *data, xmlErrorPtr err)
{
	OfficeWalk *w = data;

	if (w->xml_error != NULL || err == NULL || err->level < XML_ERR_ERROR)
		return;
	/* without XML_PARSE_HUGE libxml2 stops at xmlParserMaxDepth (256) levels */
	if (err->code == XML_ERR_INTERNAL_ERROR && err->message != NULL && strstr (err->message, "depth") != NULL)
		w->xml_too_deep = TRUE;
	w->xml_error = g_strdup_printf ("line %d: %s", err->line, err->message ? err->message : "?");
	g_strchomp (w->xml_error);
}

/* See office.h. */
char *
office_walk_read (OfficeWalk *w, GBytes *xml, GError **error)
{
	g_autoptr (xmlTextReader) reader = NULL;
	gsize len;
	const char *buf = g_bytes_get_data (xml, &len);
	int ret;

	if (len > INT_MAX) {   /* only with a max_zip_entry over 2 GiB */
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s too large", w->name);
		return NULL;
	}
	/* no XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD, no network, no
	 * XML_PARSE_HUGE: libxml2's own size and depth limits stay on */
	reader = xmlReaderForMemory (buf != NULL ? buf : "", (int) len, w->name, NULL,
	                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (reader == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s not readable as XML", w->name);
		return NULL;
	}
	w->reader = reader;
	xmlTextReaderSetStructuredErrorHandler (reader, on_xml_error, w);

	while ((ret = xmlTextReaderRead (reader)) == 1)
		if (!walk_node (w, error)) {
			w->reader = NULL;
			return NULL;
		}
	w->reader = NULL;
	if (ret < 0 && w->xml_too_deep) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s nests elements deeper than %u levels",
		             w->name, MIN (w->limits->max_xml_depth, xmlParserMaxDepth));
		return NULL;
	}
	if (ret < 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s is not well-formed XML (%s)", w->name,
		             w->xml_error != NULL ? w->xml_error : "parse error");
		return NULL;
	}
	flush_frame (w, g_ptr_array_index (w->frames, 0));
	return g_string_free (g_steal_pointer (&w->out), FALSE);
}

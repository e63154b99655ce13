/* odt.c - the ODT extractor of stage 3: content.xml as form text lines.
 *
 * One pass of libxml2's streaming xmlReader yields the layout of formats.h: a line
 * per paragraph or heading, a table row as TAB-joined cells, form controls as their
 * value (checkboxes ☒/☐).  Tracked deletions, notes and comments are left out.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <limits.h>
#include <string.h>

#include <libxml/parserInternals.h>   /* xmlParserMaxDepth */
#include <libxml/xmlreader.h>

#include "core/errors.h"

#define CONTENT "content.xml"
#define MANIFEST "META-INF/manifest.xml"

#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_TABLE "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define NS_DRAW "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
#define NS_FORM "urn:oasis:names:tc:opendocument:xmlns:form:1.0"
#define NS_XML "http://www.w3.org/XML/1998/namespace"
/* LibreOffice's extensions for what it imports from Word: legacy form fields
 * (field:fieldmark) and content controls (loext:content-control) */
#define NS_FIELD "urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0"
#define NS_LOEXT "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"
#define FIELD_CHECKBOX "vnd.oasis.opendocument.field.FORMCHECKBOX"
#define FIELD_DROPDOWN "vnd.oasis.opendocument.field.FORMDROPDOWN"

#define MARK_TICKED "☒"
#define MARK_EMPTY "☐"

/* text:s text:c="N": more spaces than this are layout, and the cap keeps the
 * text no longer than the XML it comes from. */
#define MAX_SPACES 16

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlTextReader, xmlFreeTextReader)

typedef enum {
	K_OTHER,          /* transparent */
	K_SKIP,           /* subtree ignored */
	K_TEXT,           /* text:span, text:a, fields...: text inside counts */
	K_P, K_P_NESTED,  /* text:p / text:h; one inside a paragraph (own frame) */
	K_TAB, K_LINE_BREAK, K_S,
	K_TABLE, K_ROW, K_CELL,
	K_TEXT_BOX,       /* draw:text-box: paragraphs of their own */
	K_CONTROL,        /* draw:control: where a form control shows */
	K_FORM_CONTROL, K_FORM_OPTION,
	K_FIELDMARK, K_FIELD_PARAM,
	K_CONTENT_CONTROL, K_CC_HIDDEN,  /* loext:content-control; one whose text is not shown */
} Kind;

static const struct {
	const char *ns;
	const char *name;
	Kind kind;
} elements[] = {
	{ NS_TEXT, "p", K_P }, { NS_TEXT, "h", K_P },
	{ NS_TEXT, "tab", K_TAB }, { NS_TEXT, "line-break", K_LINE_BREAK }, { NS_TEXT, "s", K_S },
	/* tracked deletions live here; the body already reads as the final text */
	{ NS_TEXT, "tracked-changes", K_SKIP },
	/* footnotes sit inline in the paragraph; placeholders hold hints, not answers */
	{ NS_TEXT, "note", K_SKIP }, { NS_TEXT, "placeholder", K_SKIP },
	{ NS_OFFICE, "annotation", K_SKIP }, { NS_OFFICE, "scripts", K_SKIP },
	{ NS_OFFICE, "font-face-decls", K_SKIP }, { NS_OFFICE, "automatic-styles", K_SKIP },
	{ NS_TABLE, "table", K_TABLE }, { NS_TABLE, "table-row", K_ROW },
	{ NS_TABLE, "table-cell", K_CELL }, { NS_TABLE, "covered-table-cell", K_CELL },
	{ NS_DRAW, "text-box", K_TEXT_BOX }, { NS_DRAW, "control", K_CONTROL },
	{ NS_FORM, "checkbox", K_FORM_CONTROL }, { NS_FORM, "radio", K_FORM_CONTROL },
	{ NS_FORM, "text", K_FORM_CONTROL }, { NS_FORM, "textarea", K_FORM_CONTROL },
	{ NS_FORM, "formatted-text", K_FORM_CONTROL }, { NS_FORM, "combobox", K_FORM_CONTROL },
	{ NS_FORM, "listbox", K_FORM_CONTROL }, { NS_FORM, "fixed-text", K_FORM_CONTROL },
	{ NS_FORM, "date", K_FORM_CONTROL }, { NS_FORM, "time", K_FORM_CONTROL },
	{ NS_FORM, "number", K_FORM_CONTROL }, { NS_FORM, "option", K_FORM_OPTION },
	{ NS_FIELD, "fieldmark", K_FIELDMARK }, { NS_FIELD, "fieldmark-start", K_FIELDMARK },
	{ NS_FIELD, "param", K_FIELD_PARAM },
	{ NS_LOEXT, "content-control", K_CONTENT_CONTROL },
};

/* A form control from office:forms, shown where a draw:control names it. */
typedef struct {
	gboolean mark;           /* checkbox or radio button */
	gboolean ticked;
	char *text;              /* the label of a mark, else the value; may be NULL */
} Control;

typedef struct {
	gboolean in_cell;
} TableState;

typedef struct {
	GString *line;           /* the paragraph or table row being built */
	gboolean pending_space;  /* a space is owed before more text on this line */
	gboolean at_space;       /* ODF white-space collapsing: last text was a space */
	guint para;              /* text:p / text:h open in this frame */
	GArray *tables;          /* TableState per open table:table, innermost last */
} Frame;

typedef struct {
	xmlTextReaderPtr reader;
	const ExtractLimits *limits;
	GString *out;            /* finished lines */
	GPtrArray *frames;       /* Frame*, innermost last */
	GByteArray *kinds;       /* Kind of the open element at each depth */
	int skip_depth;          /* depth of the subtree being skipped, or -1 */
	GHashTable *controls;    /* xml:id / form:id -> Control* (shared by both ids) */
	GPtrArray *control_list; /* Control*, owns them */
	Control *listbox;        /* form:listbox whose options are being read */
	guint suppress;          /* >0: text not shown (checkbox glyph, placeholder) */
	/* the field:fieldmark being read */
	enum { FIELD_NONE, FIELD_MARK, FIELD_LIST } fm_type;
	gboolean fm_checked;
	int fm_selected;
	GPtrArray *fm_entries;
	char *xml_error;
	gboolean xml_too_deep;   /* libxml2's own depth limit stopped the parse */
} Odt;

static Frame *
frame_new (void)
{
	Frame *f = g_new0 (Frame, 1);

	f->line = g_string_new (NULL);
	f->tables = g_array_new (FALSE, FALSE, sizeof (TableState));
	return f;
}

static void
frame_free (Frame *f)
{
	g_string_free (f->line, TRUE);
	g_array_unref (f->tables);
	g_free (f);
}

static void
control_free (Control *c)
{
	g_free (c->text);
	g_free (c);
}

static Frame *
cur_frame (Odt *o)
{
	return g_ptr_array_index (o->frames, o->frames->len - 1);
}

static gboolean
in_table (Frame *f)
{
	return f->tables->len > 0;
}

static gboolean
in_cell (Frame *f)
{
	return in_table (f) && g_array_index (f->tables, TableState, f->tables->len - 1).in_cell;
}

static gboolean
is_blank (const GString *s)
{
	for (gsize i = 0; i < s->len; i++)
		if (s->str[i] != ' ' && s->str[i] != '\t')
			return FALSE;
	return TRUE;
}

/* End the line of @f; a line with nothing but blanks is dropped. */
static void
flush_line (Odt *o, Frame *f)
{
	if (!is_blank (f->line)) {
		g_string_append_len (o->out, f->line->str, f->line->len);
		g_string_append_c (o->out, '\n');
	}
	g_string_truncate (f->line, 0);
	f->pending_space = FALSE;
}

/* In a table cell, paragraphs and line breaks join with a space. */
static void
line_break (Odt *o, Frame *f)
{
	if (in_cell (f))
		f->pending_space = TRUE;
	else
		flush_line (o, f);
}

static gboolean
is_blank_char (char c)
{
	return c == ' ' || c == '\t';
}

/* Append @len bytes as they are (CR/LF become spaces: a line is a pair). */
static void
append_text (Odt *o, const char *s, gsize len)
{
	Frame *f = cur_frame (o);
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

/* Paragraph text: ODF 1.2 §6.1.2 collapses white space - a run of spaces, tabs
 * and newlines is one space, none at the start of a paragraph; <text:s/>,
 * <text:tab/> are the literal ones. */
static void
append_collapsed (Odt *o, const char *s)
{
	Frame *f = cur_frame (o);
	g_autoptr (GString) buf = g_string_new (NULL);
	gboolean at_space = f->at_space;

	for (const char *p = s; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			if (!at_space)
				g_string_append_c (buf, ' ');
			at_space = TRUE;
		} else {
			g_string_append_c (buf, *p);
			at_space = FALSE;
		}
	}
	append_text (o, buf->str, buf->len);
	f->at_space = at_space;
}

/* ------------------------------------------------------------------------- */
/* Form controls */

static char *
get_attr (Odt *o, const char *local, const char *ns)
{
	xmlChar *v = xmlTextReaderGetAttributeNs (o->reader, (const xmlChar *) local, (const xmlChar *) ns);
	char *copy;

	if (v == NULL)
		return NULL;
	copy = g_strdup ((const char *) v);
	xmlFree (v);
	return copy;
}

static gboolean
attr_is (Odt *o, const char *local, const char *value, gboolean *present)
{
	g_autofree char *v = get_attr (o, local, NS_FORM);

	if (present != NULL)
		*present = v != NULL;
	return v != NULL && strcmp (v, value) == 0;
}

/* The current value of a control: form:current-value is what the user typed,
 * form:value the default the form was made with. */
static char *
current_value (Odt *o)
{
	char *v = get_attr (o, "current-value", NS_FORM);

	return v != NULL ? v : get_attr (o, "value", NS_FORM);
}

static void
form_control_start (Odt *o, const char *local)
{
	Control *c = g_new0 (Control, 1);
	g_autofree char *xml_id = get_attr (o, "id", NS_XML);
	g_autofree char *form_id = get_attr (o, "id", NS_FORM);
	gboolean present;

	g_ptr_array_add (o->control_list, c);
	if (strcmp (local, "checkbox") == 0) {
		c->mark = TRUE;
		c->ticked = attr_is (o, "current-state", "checked", &present);
		if (!present)
			c->ticked = attr_is (o, "state", "checked", NULL);
		c->text = get_attr (o, "label", NS_FORM);
	} else if (strcmp (local, "radio") == 0) {
		c->mark = TRUE;
		c->ticked = attr_is (o, "current-selected", "true", &present);
		if (!present)
			c->ticked = attr_is (o, "selected", "true", NULL);
		c->text = get_attr (o, "label", NS_FORM);
	} else if (strcmp (local, "fixed-text") == 0) {
		c->text = get_attr (o, "label", NS_FORM);
	} else if (strcmp (local, "listbox") == 0) {
		o->listbox = c;   /* the value is its selected options */
	} else {
		c->text = current_value (o);
	}
	/* ODF 1.2 links draw:control to xml:id; ODF 1.0/1.1 to form:id */
	if (xml_id != NULL)
		g_hash_table_insert (o->controls, g_steal_pointer (&xml_id), c);
	if (form_id != NULL)
		g_hash_table_insert (o->controls, g_steal_pointer (&form_id), c);
}

static void
form_option (Odt *o)
{
	Control *c = o->listbox;
	g_autofree char *text = NULL;
	gboolean present;
	gboolean selected;

	if (c == NULL)
		return;
	selected = attr_is (o, "current-selected", "true", &present);
	if (!present)
		selected = attr_is (o, "selected", "true", NULL);
	if (!selected)
		return;
	if ((text = get_attr (o, "label", NS_FORM)) == NULL)
		text = get_attr (o, "value", NS_FORM);
	if (text == NULL)
		return;
	if (c->text == NULL) {
		c->text = g_steal_pointer (&text);
	} else {
		char *joined = g_strconcat (c->text, ", ", text, NULL);
		g_free (c->text);
		c->text = joined;
	}
}

/* A draw:control: the control it names, shown in place. */
static void
control_show (Odt *o)
{
	Frame *f = cur_frame (o);
	g_autofree char *id = get_attr (o, "control", NS_DRAW);
	Control *c = id != NULL ? g_hash_table_lookup (o->controls, id) : NULL;

	if (c == NULL)
		return;
	if (c->mark) {
		const char *mark = c->ticked ? MARK_TICKED : MARK_EMPTY;
		append_text (o, mark, strlen (mark));
		f->pending_space = TRUE;
	}
	if (c->text != NULL)
		append_text (o, c->text, strlen (c->text));
	/* a control anchored to the page, outside any paragraph: a line of its own */
	if (f->para == 0 && !in_cell (f))
		flush_line (o, f);
}

/* ------------------------------------------------------------------------- */
/* LibreOffice's fieldmarks: a Word FORMCHECKBOX / FORMDROPDOWN saved as ODT keeps
 * its state in field:param children; there is no text to show */

static void
fieldmark_start (Odt *o)
{
	g_autofree char *type = get_attr (o, "type", NS_FIELD);

	o->fm_type = type == NULL ? FIELD_NONE
	           : strcmp (type, FIELD_CHECKBOX) == 0 ? FIELD_MARK
	           : strcmp (type, FIELD_DROPDOWN) == 0 ? FIELD_LIST : FIELD_NONE;
	o->fm_checked = FALSE;
	o->fm_selected = 0;
	g_ptr_array_set_size (o->fm_entries, 0);
}

static void
field_param (Odt *o)
{
	g_autofree char *name = get_attr (o, "name", NS_FIELD);
	g_autofree char *value = get_attr (o, "value", NS_FIELD);
	guint64 n;

	if (name == NULL || value == NULL)
		return;
	if (strcmp (name, "Checkbox_Checked") == 0)
		o->fm_checked = strcmp (value, "true") == 0;
	else if (strcmp (name, "Dropdown_ListEntry") == 0)
		g_ptr_array_add (o->fm_entries, g_steal_pointer (&value));
	else if (strcmp (name, "Dropdown_Selected") == 0 &&
	         g_ascii_string_to_unsigned (value, 10, 0, INT_MAX, &n, NULL))
		o->fm_selected = (int) n;
}

static void
fieldmark_end (Odt *o)
{
	if (o->suppress > 0)
		return;
	if (o->fm_type == FIELD_MARK) {
		const char *mark = o->fm_checked ? MARK_TICKED : MARK_EMPTY;
		append_text (o, mark, strlen (mark));
		cur_frame (o)->pending_space = TRUE;
	} else if (o->fm_type == FIELD_LIST && (guint) o->fm_selected < o->fm_entries->len) {
		const char *entry = g_ptr_array_index (o->fm_entries, o->fm_selected);
		append_text (o, entry, strlen (entry));
	}
	o->fm_type = FIELD_NONE;
}

/* loext:content-control: a checkbox shows its state, not its glyph; a control
 * still showing its placeholder shows nothing.  Returns the kind to store. */
static Kind
content_control_start (Odt *o)
{
	g_autofree char *checkbox = get_attr (o, "checkbox", NS_LOEXT);
	g_autofree char *checked = get_attr (o, "checked", NS_LOEXT);
	g_autofree char *placeholder = get_attr (o, "showing-place-holder", NS_LOEXT);

	if (checkbox != NULL && strcmp (checkbox, "true") == 0) {
		if (o->suppress == 0) {
			const char *mark = checked != NULL && strcmp (checked, "true") == 0 ? MARK_TICKED : MARK_EMPTY;
			append_text (o, mark, strlen (mark));
			cur_frame (o)->pending_space = TRUE;
		}
	} else if (placeholder == NULL || strcmp (placeholder, "true") != 0) {
		return K_TEXT;
	}
	o->suppress++;
	return K_CC_HIDDEN;
}

/* ------------------------------------------------------------------------- */
/* The walk */

static Kind
classify (const char *local, const char *ns)
{
	if (ns == NULL)
		return K_OTHER;
	for (gsize i = 0; i < G_N_ELEMENTS (elements); i++)
		if (strcmp (local, elements[i].name) == 0 && strcmp (ns, elements[i].ns) == 0)
			return elements[i].kind;
	return strcmp (ns, NS_TEXT) == 0 ? K_TEXT : K_OTHER;
}

static Kind
kind_at (Odt *o, int depth)
{
	return depth >= 0 && (guint) depth < o->kinds->len ? (Kind) o->kinds->data[depth] : K_OTHER;
}

static Kind
element_start (Odt *o, Kind kind, const char *local)
{
	Frame *f = cur_frame (o);

	switch (kind) {
	case K_P:
		if (f->para > 0) {
			/* a paragraph inside a paragraph (shape text, an image's caption) */
			g_ptr_array_add (o->frames, frame_new ());
			f = cur_frame (o);
			kind = K_P_NESTED;
		}
		f->para++;
		f->at_space = TRUE;
		break;
	case K_TAB:
		if (f->para > 0 && o->suppress == 0) {
			f->pending_space = FALSE;
			g_string_append_c (f->line, '\t');
			f->at_space = FALSE;
		}
		break;
	case K_LINE_BREAK:
		if (f->para > 0) {
			line_break (o, f);
			f->at_space = TRUE;
		}
		break;
	case K_S:
		if (f->para > 0 && o->suppress == 0) {
			g_autofree char *c = get_attr (o, "c", NS_TEXT);
			guint64 n = 1;
			char spaces[MAX_SPACES];
			if (c != NULL && !g_ascii_string_to_unsigned (c, 10, 1, G_MAXUINT64, &n, NULL))
				n = 1;
			n = MIN (n, MAX_SPACES);
			memset (spaces, ' ', n);
			append_text (o, spaces, n);
		}
		break;
	case K_TABLE:
		/* a table inside a cell: the outer row so far becomes a line of its own */
		if (in_cell (f))
			flush_line (o, f);
		g_array_append_val (f->tables, ((TableState) { FALSE }));
		break;
	case K_ROW:
		if (in_table (f))
			flush_line (o, f);
		break;
	case K_CELL:
		if (in_table (f)) {
			g_array_index (f->tables, TableState, f->tables->len - 1).in_cell = TRUE;
			f->pending_space = FALSE;
			/* leading empty cells (indentation columns) add no TAB */
			if (f->line->len > 0)
				g_string_append_c (f->line, '\t');
		}
		break;
	case K_TEXT_BOX:
		g_ptr_array_add (o->frames, frame_new ());
		break;
	case K_CONTROL:
		control_show (o);
		break;
	case K_FORM_CONTROL:
		form_control_start (o, local);
		break;
	case K_FORM_OPTION:
		form_option (o);
		break;
	case K_FIELDMARK:
		fieldmark_start (o);
		break;
	case K_FIELD_PARAM:
		field_param (o);
		break;
	case K_CONTENT_CONTROL:
		kind = content_control_start (o);
		break;
	default:
		break;
	}
	return kind;
}

static void
element_end (Odt *o, Kind kind)
{
	Frame *f = cur_frame (o);

	switch (kind) {
	case K_P:
		if (f->para > 0)
			f->para--;
		line_break (o, f);
		break;
	case K_P_NESTED:
	case K_TEXT_BOX:
		flush_line (o, f);
		if (o->frames->len > 1)
			g_ptr_array_set_size (o->frames, o->frames->len - 1);
		break;
	case K_TABLE:
		if (in_table (f))
			g_array_set_size (f->tables, f->tables->len - 1);
		break;
	case K_ROW:
		flush_line (o, f);
		break;
	case K_CELL:
		if (in_table (f))
			g_array_index (f->tables, TableState, f->tables->len - 1).in_cell = FALSE;
		f->pending_space = FALSE;
		break;
	case K_FORM_CONTROL:
		o->listbox = NULL;
		break;
	case K_FIELDMARK:
		fieldmark_end (o);
		break;
	case K_CC_HIDDEN:
		o->suppress--;
		break;
	default:
		break;
	}
}

static void
text_node (Odt *o, int depth)
{
	Kind parent = kind_at (o, depth - 1);
	const char *text;

	if (cur_frame (o)->para == 0 || o->suppress > 0 ||
	    (parent != K_P && parent != K_P_NESTED && parent != K_TEXT))
		return;
	text = (const char *) xmlTextReaderConstValue (o->reader);
	if (text != NULL)
		append_collapsed (o, text);
}

static gboolean
odt_node (Odt *o, GError **error)
{
	int type = xmlTextReaderNodeType (o->reader);
	int depth = xmlTextReaderDepth (o->reader);

	switch (type) {
	case XML_READER_TYPE_ELEMENT: {
		const char *local = (const char *) xmlTextReaderConstLocalName (o->reader);
		const char *ns = (const char *) xmlTextReaderConstNamespaceUri (o->reader);
		gboolean empty = xmlTextReaderIsEmptyElement (o->reader) == 1;
		Kind kind;

		if ((guint) depth >= o->limits->max_xml_depth) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			             CONTENT " nests elements deeper than %u levels", o->limits->max_xml_depth);
			return FALSE;
		}
		if (o->skip_depth >= 0)
			return TRUE;
		kind = classify (local, ns);
		if (kind == K_SKIP) {
			if (!empty)
				o->skip_depth = depth;
			return TRUE;
		}
		kind = element_start (o, kind, local);
		if (empty) {
			element_end (o, kind);
		} else {
			g_byte_array_set_size (o->kinds, (guint) depth + 1);
			o->kinds->data[depth] = (guint8) kind;
		}
		break;
	}
	case XML_READER_TYPE_END_ELEMENT:
		if (o->skip_depth >= 0) {
			if (depth == o->skip_depth)
				o->skip_depth = -1;
			return TRUE;
		}
		element_end (o, kind_at (o, depth));
		g_byte_array_set_size (o->kinds, (guint) depth);
		break;
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		if (o->skip_depth < 0)
			text_node (o, depth);
		break;
	case XML_READER_TYPE_DOCUMENT_TYPE:
		/* LibreOffice never writes one; a DTD only brings entity tricks */
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		                     CONTENT " has a DOCTYPE declaration (refused)");
		return FALSE;
	default:
		break;
	}

	/* a control's value shown many times could outgrow the XML: cap the text */
	if (o->out->len + cur_frame (o)->line->len > o->limits->max_zip_entry) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "text of " CONTENT " longer than %" G_GSIZE_FORMAT " bytes", o->limits->max_zip_entry);
		return FALSE;
	}
	return TRUE;
}

static void
on_xml_error (void *data, xmlErrorPtr err)
{
	Odt *o = data;

	if (o->xml_error != NULL || err == NULL || err->level < XML_ERR_ERROR)
		return;
	/* without XML_PARSE_HUGE libxml2 stops at xmlParserMaxDepth (256) levels */
	if (err->code == XML_ERR_INTERNAL_ERROR && err->message != NULL && strstr (err->message, "depth") != NULL)
		o->xml_too_deep = TRUE;
	o->xml_error = g_strdup_printf ("line %d: %s", err->line, err->message ? err->message : "?");
	g_strchomp (o->xml_error);
}

/* A password-protected ODT is a normal ZIP whose content.xml is ciphertext; the
 * manifest says so. */
static gboolean
is_encrypted (GBytes *data, GBytes *content, const ExtractLimits *limits)
{
	gsize len;
	const char *buf = g_bytes_get_data (content, &len);
	g_autoptr (GBytes) manifest = NULL;
	const char *m;
	gsize mlen;

	if (len >= 3 && memcmp (buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	while (len > 0 && g_ascii_isspace (*buf)) {
		buf++;
		len--;
	}
	if (len > 0 && *buf == '<')
		return FALSE;
	if ((manifest = zip_read_entry (data, MANIFEST, limits, NULL)) == NULL)
		return FALSE;
	m = g_bytes_get_data (manifest, &mlen);
	return m != NULL && g_strstr_len (m, (gssize) mlen, "encryption-data") != NULL;
}

/* See formats.h.  The document as it now reads (tracked deletions, notes, comments
 * and placeholders left out).  Errors (MAILREG_ERROR_DATA, permanent): those of
 * zip_read_entry(), a password-protected document, malformed XML, a DOCTYPE,
 * nesting over limits->max_xml_depth.  (transfer full) */
char *
extract_odt (GBytes *data, const ExtractLimits *limits, GError **error)
{
	g_autoptr (GBytes) xml = NULL;
	g_autoptr (xmlTextReader) reader = NULL;
	g_autoptr (GString) out = g_string_new (NULL);
	g_autoptr (GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) frame_free);
	g_autoptr (GByteArray) kinds = g_byte_array_new ();
	g_autoptr (GPtrArray) control_list = g_ptr_array_new_with_free_func ((GDestroyNotify) control_free);
	g_autoptr (GHashTable) controls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr (GPtrArray) fm_entries = g_ptr_array_new_with_free_func (g_free);
	g_autofree char *xml_error = NULL;
	Odt o = { 0 };
	gsize len;
	const char *buf;
	int ret;

	g_return_val_if_fail (data != NULL && limits != NULL, NULL);
	if ((xml = zip_read_entry (data, CONTENT, limits, error)) == NULL)
		return NULL;
	if (is_encrypted (data, xml, limits)) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		                     "password-protected ODT document: cannot be read without a password");
		return NULL;
	}
	buf = g_bytes_get_data (xml, &len);
	if (len > INT_MAX) {   /* only with a max_zip_entry over 2 GiB */
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, CONTENT " too large");
		return NULL;
	}
	/* no XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD, no network, no
	 * XML_PARSE_HUGE: libxml2's own size and depth limits stay on */
	reader = xmlReaderForMemory (buf != NULL ? buf : "", (int) len, CONTENT, NULL,
	                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (reader == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, CONTENT " not readable as XML");
		return NULL;
	}

	o.reader = reader;
	o.limits = limits;
	o.out = out;
	o.frames = frames;
	o.kinds = kinds;
	o.controls = controls;
	o.control_list = control_list;
	o.fm_entries = fm_entries;
	o.skip_depth = -1;
	g_ptr_array_add (frames, frame_new ());
	xmlTextReaderSetStructuredErrorHandler (reader, on_xml_error, &o);

	while ((ret = xmlTextReaderRead (reader)) == 1)
		if (!odt_node (&o, error)) {
			g_free (o.xml_error);
			return NULL;
		}
	xml_error = o.xml_error;
	if (ret < 0 && o.xml_too_deep) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, CONTENT " nests elements deeper than %u levels",
		             MIN (limits->max_xml_depth, xmlParserMaxDepth));
		return NULL;
	}
	if (ret < 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, CONTENT " is not well-formed XML (%s)",
		             xml_error != NULL ? xml_error : "parse error");
		return NULL;
	}
	flush_line (&o, g_ptr_array_index (frames, 0));
	return g_string_free (g_steal_pointer (&out), FALSE);
}

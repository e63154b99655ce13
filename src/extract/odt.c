/* odt.c - the ODT extractor of stage 3: content.xml as form text lines.
 *
 * One pass of the streaming walk of office.c yields the layout of formats.h: a line
 * per paragraph or heading, a table row as TAB-joined cells, form controls as their
 * value (checkboxes ☒/☐).  Tracked deletions, notes and comments are left out.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <limits.h>
#include <string.h>

#include "core/errors.h"
#include "extract/office.h"

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

/* text:s text:c="N": more spaces than this are layout, and the cap keeps the
 * text no longer than the XML it comes from. */
#define MAX_SPACES 16

typedef enum {
	K_OTHER = OFFICE_OTHER,  /* transparent */
	K_SKIP = OFFICE_SKIP,    /* subtree ignored */
	K_P = OFFICE_P,          /* text:p / text:h */
	K_P_NESTED = OFFICE_P_NESTED,
	K_TABLE = OFFICE_TABLE, K_ROW = OFFICE_ROW, K_CELL = OFFICE_CELL,
	K_TEXT_BOX = OFFICE_BOX, /* draw:text-box */
	K_TEXT = OFFICE_KINDS,   /* text:span, text:a, fields...: text inside counts */
	K_TAB, K_LINE_BREAK, K_S,
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
	{ NS_FORM, "option", K_FORM_OPTION },
	{ NS_FIELD, "fieldmark", K_FIELDMARK }, { NS_FIELD, "fieldmark-start", K_FIELDMARK },
	{ NS_FIELD, "param", K_FIELD_PARAM },
	{ NS_LOEXT, "content-control", K_CONTENT_CONTROL },
};

/* The form:* elements that are controls with a value to show (K_FORM_CONTROL);
 * form_control_start() tells them apart. */
static const char *const form_controls[] = {
	"checkbox", "radio", "text", "textarea", "formatted-text", "combobox", "listbox", "fixed-text",
	"date", "time", "number", NULL,
};

/* A form control from office:forms, shown where a draw:control names it. */
typedef struct {
	gboolean mark;           /* checkbox or radio button */
	gboolean ticked;
	char *text;              /* the label of a mark, else the value; may be NULL */
} Control;

typedef struct {
	OfficeWalk *w;           /* the reader, the kinds of open elements, the lines */
	GHashTable *controls;    /* xml:id / form:id -> Control* (shared by both ids) */
	GPtrArray *control_list; /* Control*, owns them */
	Control *listbox;        /* form:listbox whose options are being read */
	guint suppress;          /* >0: text not shown (checkbox glyph, placeholder) */
	/* the field:fieldmark being read */
	enum { FIELD_NONE, FIELD_MARK, FIELD_LIST } fm_type;
	gboolean fm_checked;
	int fm_selected;
	GPtrArray *fm_entries;
} Odt;

static void
control_free (Control *c)
{
	g_free (c->text);
	g_free (c);
}

/* Paragraph text: ODF 1.2 §6.1.2 collapses white space - a run of spaces, tabs
 * and newlines is one space, none at the start of a paragraph; <text:s/>,
 * <text:tab/> are the literal ones. */
static void
append_collapsed (Odt *o, const char *s)
{
	OfficeFrame *f = office_frame (o->w);
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
	office_append_text (o->w, buf->str, buf->len);
	f->at_space = at_space;
}

/* ------------------------------------------------------------------------- */
/* Form controls */

static gboolean
attr_is (Odt *o, const char *local, const char *value, gboolean *present)
{
	g_autofree char *v = office_attr (o->w, local, NS_FORM);

	if (present != NULL)
		*present = v != NULL;
	return v != NULL && strcmp (v, value) == 0;
}

/* Whether a control's state @attr is @value: form:current-@attr is what the
 * user set, form:@attr the default the form was made with. */
static gboolean
state_is (Odt *o, const char *attr, const char *value)
{
	g_autofree char *current = g_strconcat ("current-", attr, NULL);
	gboolean present;
	gboolean is = attr_is (o, current, value, &present);

	return present ? is : attr_is (o, attr, value, NULL);
}

/* The current value of a control: form:current-value is what the user typed,
 * form:value the default the form was made with. */
static char *
current_value (Odt *o)
{
	char *v = office_attr (o->w, "current-value", NS_FORM);

	return v != NULL ? v : office_attr (o->w, "value", NS_FORM);
}

static void
form_control_start (Odt *o, const char *local)
{
	Control *c = g_new0 (Control, 1);
	g_autofree char *xml_id = office_attr (o->w, "id", NS_XML);
	g_autofree char *form_id = office_attr (o->w, "id", NS_FORM);

	g_ptr_array_add (o->control_list, c);
	if (strcmp (local, "checkbox") == 0 || strcmp (local, "radio") == 0) {
		c->mark = TRUE;
		c->ticked = local[0] == 'c' ? state_is (o, "state", "checked") : state_is (o, "selected", "true");
		c->text = office_attr (o->w, "label", NS_FORM);
	} else if (strcmp (local, "fixed-text") == 0) {
		c->text = office_attr (o->w, "label", NS_FORM);
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

	if (c == NULL || !state_is (o, "selected", "true"))
		return;
	if ((text = office_attr (o->w, "label", NS_FORM)) == NULL)
		text = office_attr (o->w, "value", NS_FORM);
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
	OfficeFrame *f = office_frame (o->w);
	g_autofree char *id = office_attr (o->w, "control", NS_DRAW);
	Control *c = id != NULL ? g_hash_table_lookup (o->controls, id) : NULL;

	if (c == NULL)
		return;
	if (c->mark)
		office_append_mark (o->w, c->ticked);
	if (c->text != NULL)
		office_append_text (o->w, c->text, strlen (c->text));
	/* a control anchored to the page, outside any paragraph: a line of its own */
	if (f->para == 0 && !office_in_cell (f))
		office_flush_line (o->w);
}

/* ------------------------------------------------------------------------- */
/* LibreOffice's fieldmarks: a Word FORMCHECKBOX / FORMDROPDOWN saved as ODT keeps
 * its state in field:param children; there is no text to show */

static void
fieldmark_start (Odt *o)
{
	g_autofree char *type = office_attr (o->w, "type", NS_FIELD);

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
	g_autofree char *name = office_attr (o->w, "name", NS_FIELD);
	g_autofree char *value = office_attr (o->w, "value", NS_FIELD);
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
	if (o->fm_type == FIELD_MARK)
		office_append_mark (o->w, o->fm_checked);
	else if (o->fm_type == FIELD_LIST)
		office_append_entry (o->w, o->fm_entries, o->fm_selected);
	o->fm_type = FIELD_NONE;
}

/* loext:content-control: a checkbox shows its state, not its glyph; a control
 * still showing its placeholder shows nothing.  Returns the kind to store. */
static Kind
content_control_start (Odt *o)
{
	g_autofree char *checkbox = office_attr (o->w, "checkbox", NS_LOEXT);
	g_autofree char *checked = office_attr (o->w, "checked", NS_LOEXT);
	g_autofree char *placeholder = office_attr (o->w, "showing-place-holder", NS_LOEXT);

	if (checkbox != NULL && strcmp (checkbox, "true") == 0) {
		if (o->suppress == 0)
			office_append_mark (o->w, checked != NULL && strcmp (checked, "true") == 0);
	} else if (placeholder == NULL || strcmp (placeholder, "true") != 0) {
		return K_TEXT;
	}
	o->suppress++;
	return K_CC_HIDDEN;
}

/* ------------------------------------------------------------------------- */
/* The walk */

static guint
classify (const char *local, const char *ns)
{
	if (ns == NULL)
		return K_OTHER;
	if (strcmp (ns, NS_FORM) == 0 && g_strv_contains (form_controls, local))
		return K_FORM_CONTROL;
	for (gsize i = 0; i < G_N_ELEMENTS (elements); i++)
		if (strcmp (local, elements[i].name) == 0 && strcmp (ns, elements[i].ns) == 0)
			return elements[i].kind;
	return strcmp (ns, NS_TEXT) == 0 ? K_TEXT : K_OTHER;
}

/* OfficeWalkFuncs.start: before the walk opens a paragraph or a table; returns
 * the kind the element's end will see. */
static guint
element_start (gpointer data, guint k, int depth, const char *local, const char *ns)
{
	Odt *o = data;
	Kind kind = k;
	OfficeFrame *f = office_frame (o->w);

	switch (kind) {
	case K_TAB:
		if (f->para > 0 && o->suppress == 0)
			office_append_tab (o->w);
		break;
	case K_LINE_BREAK:
		if (f->para > 0) {
			office_line_break (o->w);
			f->at_space = TRUE;
		}
		break;
	case K_S:
		if (f->para > 0 && o->suppress == 0) {
			g_autofree char *c = office_attr (o->w, "c", NS_TEXT);
			guint64 n = 1;
			char spaces[MAX_SPACES];
			if (c != NULL && !g_ascii_string_to_unsigned (c, 10, 1, G_MAXUINT64, &n, NULL))
				n = 1;
			n = MIN (n, MAX_SPACES);
			memset (spaces, ' ', n);
			office_append_text (o->w, spaces, n);
		}
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

/* OfficeWalkFuncs.end: paragraphs, tables and text boxes are closed already. */
static void
element_end (gpointer data, guint kind)
{
	Odt *o = data;

	switch ((Kind) kind) {
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

/* OfficeWalkFuncs.text: text directly in a paragraph or a text element. */
static void
text_node (gpointer data, int depth, const char *text)
{
	Odt *o = data;
	Kind parent = office_kind_at (o->w, depth - 1);

	if (office_frame (o->w)->para == 0 || o->suppress > 0 ||
	    (parent != K_P && parent != K_P_NESTED && parent != K_TEXT))
		return;
	if (text != NULL)
		append_collapsed (o, text);
}

static const OfficeWalkFuncs odt_walk = { classify, element_start, element_end, text_node };

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
 * and placeholders left out).  Errors (MAILREG_ERROR_DATA, permanent): malformed
 * XML, a DOCTYPE, nesting over limits->max_xml_depth.  (transfer full) */
char *
extract_odt_xml (GBytes *xml, const ExtractLimits *limits, GError **error)
{
	g_autoptr (GPtrArray) control_list = g_ptr_array_new_with_free_func ((GDestroyNotify) control_free);
	g_autoptr (GHashTable) controls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr (GPtrArray) fm_entries = g_ptr_array_new_with_free_func (g_free);
	Odt o = { .controls = controls, .control_list = control_list, .fm_entries = fm_entries };
	g_autoptr (OfficeWalk) w = NULL;

	g_return_val_if_fail (xml != NULL && limits != NULL, NULL);
	o.w = w = office_walk_new (CONTENT, limits, &odt_walk, &o);
	return office_walk_read (w, xml, error);
}

/* See formats.h.  Errors (MAILREG_ERROR_DATA, permanent): those of
 * zip_read_entry() and extract_odt_xml(), a password-protected document.
 * (transfer full) */
char *
extract_odt (GBytes *data, const ExtractLimits *limits, GError **error)
{
	g_autoptr (GBytes) xml = NULL;

	g_return_val_if_fail (data != NULL && limits != NULL, NULL);
	if ((xml = zip_read_entry (data, CONTENT, limits, error)) == NULL)
		return NULL;
	if (is_encrypted (data, xml, limits)) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		                     "password-protected ODT document: cannot be read without a password");
		return NULL;
	}
	return extract_odt_xml (xml, limits, error);
}

/* docx.c - the DOCX extractor of stage 3: word/document.xml as form text lines.
 *
 * One pass of libxml2's streaming xmlReader yields the layout of formats.h: a line
 * per paragraph, a table row as TAB-joined cells, checkboxes ☒/☐, a labelled content
 * control "alias<TAB>value".  Headers, footers, notes, comments: other parts, unread.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <limits.h>
#include <string.h>

#include <libxml/parserInternals.h>   /* xmlParserMaxDepth */
#include <libxml/xmlreader.h>

#include "core/errors.h"

#define DOCUMENT "word/document.xml"

#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_W_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"   /* ISO 29500 Strict */
#define NS_W14 "http://schemas.microsoft.com/office/word/2010/wordml"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"

#define MARK_TICKED "☒"
#define MARK_EMPTY "☐"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlTextReader, xmlFreeTextReader)

/* What an open element is to the walk; stored per depth, so an end tag knows. */
typedef enum {
	K_OTHER,          /* transparent: its content counts (w:body, w:ins, w:hyperlink, ...) */
	K_SKIP,           /* subtree ignored */
	K_P, K_P_NESTED,  /* paragraph; one inside a paragraph (own frame) */
	K_R, K_RPR, K_T, K_TAB, K_BR, K_NBHYPHEN, K_SYM, K_VANISH,
	K_TBL, K_TR, K_TC,
	K_SDT, K_SDTPR, K_SDTCONTENT, K_ALIAS, K_TAG, K_PLACEHOLDER, K_DOCPART,
	K_W14_CHECKBOX, K_W14_CHECKED,
	K_TXBX,
	K_FFDATA, K_FF_CHECKBOX, K_FF_DDLIST, K_FF_DEFAULT, K_FF_CHECKED, K_FF_RESULT, K_FF_ENTRY,
} Kind;

static const struct {
	const char *name;
	Kind kind;
} w_elements[] = {
	{ "p", K_P }, { "r", K_R }, { "rPr", K_RPR }, { "t", K_T },
	{ "tab", K_TAB }, { "ptab", K_TAB }, { "br", K_BR }, { "cr", K_BR },
	{ "noBreakHyphen", K_NBHYPHEN }, { "sym", K_SYM }, { "vanish", K_VANISH },
	{ "tbl", K_TBL }, { "tr", K_TR }, { "tc", K_TC },
	{ "sdt", K_SDT }, { "sdtPr", K_SDTPR }, { "sdtContent", K_SDTCONTENT },
	{ "alias", K_ALIAS }, { "tag", K_TAG }, { "showingPlcHdr", K_PLACEHOLDER },
	{ "docPartObj", K_DOCPART }, { "docPartList", K_DOCPART },
	{ "txbxContent", K_TXBX },
	{ "ffData", K_FFDATA }, { "checkBox", K_FF_CHECKBOX }, { "ddList", K_FF_DDLIST },
	{ "default", K_FF_DEFAULT }, { "checked", K_FF_CHECKED }, { "result", K_FF_RESULT },
	{ "listEntry", K_FF_ENTRY },
	/* tracked changes: the final text keeps w:ins and w:moveTo, drops these */
	{ "del", K_SKIP }, { "moveFrom", K_SKIP }, { "delText", K_SKIP }, { "delInstrText", K_SKIP },
	/* field codes (" FORMCHECKBOX ", " MERGEFIELD x ") are not text; results are */
	{ "instrText", K_SKIP },
	/* properties: w:pPr holds tab stops (w:tab), *PrChange the pre-revision ones */
	{ "pPr", K_SKIP }, { "rPrChange", K_SKIP }, { "sectPr", K_SKIP }, { "tblPr", K_SKIP },
	{ "tblPrEx", K_SKIP }, { "tblGrid", K_SKIP }, { "trPr", K_SKIP }, { "tcPr", K_SKIP },
	{ "sdtEndPr", K_SKIP },
};

typedef struct {
	gboolean in_cell;
} TableState;

typedef enum { LABEL_NONE, LABEL_RUN, LABEL_BLOCK } LabelMode;

typedef struct Sdt Sdt;

/* Where text goes: the body, or a text box (whose lines come out before the
 * paragraph anchoring it). */
typedef struct {
	GString *line;           /* the paragraph or table row being built */
	gboolean pending_space;  /* a space is owed before more text on this line */
	guint para;              /* w:p open in this frame */
	GArray *tables;          /* TableState per open w:tbl, innermost last */
	Sdt *label_sdt;          /* control being written as "alias<TAB>value", or NULL */
} Frame;

/* An open content control (w:sdt). */
struct Sdt {
	char *name;              /* w:alias, else w:tag */
	gboolean name_is_alias;
	gboolean checkbox, checked, placeholder, docpart;
	gboolean suppressing;    /* holds one count of Docx.suppress */
	LabelMode label;
	guint paras;             /* paragraphs begun inside a LABEL_BLOCK control */
};

typedef struct {
	xmlTextReaderPtr reader;
	const ExtractLimits *limits;
	GString *out;            /* finished lines */
	GPtrArray *frames;       /* Frame*, innermost last */
	GPtrArray *sdts;         /* Sdt*, innermost last */
	GByteArray *kinds;       /* Kind of the open element at each depth */
	int skip_depth;          /* depth of the subtree being skipped, or -1 */
	guint suppress;          /* >0: text not shown (checkbox glyph, placeholder) */
	gboolean run_hidden;     /* w:vanish in the current run's properties */
	/* the legacy form field (w:ffData) being read */
	gboolean ff_checkbox, ff_ddlist;
	int ff_default, ff_checked, dd_default, dd_result;
	GPtrArray *dd_entries;
	char *xml_error;
	gboolean xml_too_deep;   /* libxml2's own depth limit stopped the parse */         /* first error libxml2 reported */
} Docx;

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
sdt_free (Sdt *s)
{
	g_free (s->name);
	g_free (s);
}

static Frame *
cur_frame (Docx *d)
{
	return g_ptr_array_index (d->frames, d->frames->len - 1);
}

static Sdt *
cur_sdt (Docx *d)
{
	return d->sdts->len > 0 ? g_ptr_array_index (d->sdts, d->sdts->len - 1) : NULL;
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

/* Paragraph ends and line breaks join with a space instead of ending the line:
 * inside a table cell, and inside a labelled control (its value is one line). */
static gboolean
joining (Frame *f)
{
	return in_cell (f) || f->label_sdt != NULL;
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
flush_line (Docx *d, Frame *f)
{
	if (!is_blank (f->line)) {
		g_string_append_len (d->out, f->line->str, f->line->len);
		g_string_append_c (d->out, '\n');
	}
	g_string_truncate (f->line, 0);
	f->pending_space = FALSE;
}

static void
line_break (Docx *d, Frame *f)
{
	if (joining (f))
		f->pending_space = TRUE;
	else
		flush_line (d, f);
}

static gboolean
is_blank_char (char c)
{
	return c == ' ' || c == '\t';
}

/* Append @len bytes of text to the current line; CR/LF inside text are spaces,
 * since a line is what extract_text() pairs up. */
static void
append_text (Docx *d, const char *s, gsize len)
{
	Frame *f = cur_frame (d);
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
}

/* A checkbox mark, with a space before the label that may follow. */
static void
append_mark (Docx *d, gboolean ticked)
{
	const char *mark = ticked ? MARK_TICKED : MARK_EMPTY;

	append_text (d, mark, strlen (mark));
	cur_frame (d)->pending_space = TRUE;
}

static gboolean
text_visible (Docx *d)
{
	return d->suppress == 0 && !d->run_hidden;
}

/* ------------------------------------------------------------------------- */
/* Attributes */

static char *
get_attr (Docx *d, const char *local, const char *ns)
{
	xmlChar *v = xmlTextReaderGetAttributeNs (d->reader, (const xmlChar *) local, (const xmlChar *) ns);
	char *copy;

	if (v == NULL)
		return NULL;
	copy = g_strdup ((const char *) v);
	xmlFree (v);
	return copy;
}

/* An ST_OnOff value: an element present without w:val is on. */
static gboolean
parse_onoff (const char *val)
{
	return val == NULL || !(strcmp (val, "0") == 0 || strcmp (val, "false") == 0 || strcmp (val, "off") == 0);
}

static int
parse_index (const char *val)
{
	guint64 n;

	if (val == NULL || !g_ascii_string_to_unsigned (val, 10, 0, INT_MAX, &n, NULL))
		return -1;
	return (int) n;
}

/* A w:alias / w:tag value as a label on one line. */
static char *
clean_name (char *name)
{
	if (name == NULL)
		return NULL;
	for (char *p = name; *p; p++)
		if (*p == '\t' || *p == '\r' || *p == '\n')
			*p = ' ';
	g_strstrip (name);
	if (*name == '\0') {
		g_free (name);
		return NULL;
	}
	return name;
}

/* ------------------------------------------------------------------------- */
/* w:sym: symbol fonts put their glyphs in the private use area (U+F0xx) */

static const struct {
	const char *font;
	guint code;
	gunichar c;
} sym_map[] = {
	{ "Wingdings", 0x78, 0x2612 },    /* ☒ */
	{ "Wingdings", 0xFD, 0x2612 },    /* ☒ */
	{ "Wingdings", 0xFE, 0x2611 },    /* ☑ */
	{ "Wingdings", 0xFC, 0x2713 },    /* ✓ */
	{ "Wingdings", 0x6F, 0x2610 },    /* ☐ */
	{ "Wingdings", 0xA8, 0x2610 },    /* ☐ */
	{ "Wingdings 2", 0x52, 0x2611 },  /* ☑ */
	{ "Wingdings 2", 0x54, 0x2612 },  /* ☒ */
	{ "Wingdings 2", 0x50, 0x2713 },  /* ✓ */
	{ "Wingdings 2", 0xA3, 0x2610 },  /* ☐ */
};

static gunichar
sym_char (const char *font, const char *hex)
{
	guint64 code;
	gboolean symbol_font = FALSE;

	if (hex == NULL || !g_ascii_string_to_unsigned (hex, 16, 0, 0x10FFFF, &code, NULL))
		return 0;
	for (gsize i = 0; font != NULL && i < G_N_ELEMENTS (sym_map); i++) {
		if (g_ascii_strcasecmp (font, sym_map[i].font) != 0)
			continue;
		symbol_font = TRUE;
		if ((code >= 0xF000 && code <= 0xF0FF ? code - 0xF000 : code) == sym_map[i].code)
			return sym_map[i].c;
	}
	/* any other symbol-font or private-use code has no meaning as text */
	if (symbol_font || (code >= 0xE000 && code <= 0xF8FF) || !g_unichar_validate ((gunichar) code) ||
	    g_unichar_iscntrl ((gunichar) code))
		return 0;
	return (gunichar) code;
}

/* ------------------------------------------------------------------------- */
/* Content controls */

static gboolean
starts_with_casefold (const char *s, const char *prefix)
{
	g_autofree char *a = g_utf8_casefold (s, -1);
	g_autofree char *b = g_utf8_casefold (prefix, -1);

	return g_str_has_prefix (a, b);
}

/* The value of a labelled control is complete: write "alias<TAB>value" - unless
 * the value starts with the label itself ("Imię: Anna" in a control "Imię"). */
static void
label_finish (Docx *d, Frame *f, Sdt *s)
{
	g_autofree char *value = g_strstrip (g_strdup (f->line->str));

	if (!starts_with_casefold (value, s->name)) {
		g_string_truncate (f->line, 0);
		g_string_append_printf (f->line, "%s\t%s", s->name, value);
	}
	flush_line (d, f);
	s->label = LABEL_NONE;
	f->label_sdt = NULL;
}

/* A labelled block control turned out to hold more than one paragraph (or a
 * table): it is a container, not a field; its text goes out as it is. */
static void
label_abandon (Docx *d, Frame *f)
{
	flush_line (d, f);
	f->label_sdt->label = LABEL_NONE;
	f->label_sdt = NULL;
}

static void
sdt_content_start (Docx *d, Sdt *s)
{
	Frame *f = cur_frame (d);
	gboolean was_suppressing;

	if (s == NULL)
		return;
	was_suppressing = s->suppressing;   /* a second w:sdtContent counts once */
	if (s->checkbox) {
		/* the content is the glyph of the checked state in some font: the
		 * w14:checked state is the truth */
		if (text_visible (d))
			append_mark (d, s->checked);
		s->suppressing = TRUE;
	} else if (s->placeholder) {
		/* "Kliknij tutaj, aby wprowadzić tekst." is not the applicant's answer */
		s->suppressing = TRUE;
	}
	if (s->suppressing && !was_suppressing)
		d->suppress++;

	/* a label before the control (paragraph text, a table cell) wins */
	if (s->checkbox || s->name == NULL || s->docpart || in_table (f) || f->label_sdt != NULL)
		return;
	if (f->para > 0) {
		if (!is_blank (f->line))
			return;
		g_string_truncate (f->line, 0);
		s->label = LABEL_RUN;
	} else {
		flush_line (d, f);
		s->label = LABEL_BLOCK;
	}
	f->pending_space = FALSE;
	f->label_sdt = s;
}

static void
sdt_end (Docx *d)
{
	Sdt *s = cur_sdt (d);
	Frame *f = cur_frame (d);

	if (s == NULL)
		return;
	if (s->suppressing)
		d->suppress--;
	if (s->label != LABEL_NONE && f->label_sdt == s)
		label_finish (d, f, s);
	/* no frame may keep pointing at a control that is gone */
	for (guint i = 0; i < d->frames->len; i++) {
		Frame *o = g_ptr_array_index (d->frames, i);
		if (o->label_sdt == s)
			o->label_sdt = NULL;
	}
	g_ptr_array_set_size (d->sdts, d->sdts->len - 1);
}

/* ------------------------------------------------------------------------- */
/* Legacy form fields: FORMCHECKBOX and FORMDROPDOWN have no result text, their
 * state is only in w:ffData */

static void
ffdata_start (Docx *d)
{
	d->ff_checkbox = d->ff_ddlist = FALSE;
	d->ff_default = d->ff_checked = d->dd_default = d->dd_result = -1;
	g_ptr_array_set_size (d->dd_entries, 0);
}

static void
ffdata_end (Docx *d)
{
	if (!text_visible (d))
		return;
	if (d->ff_checkbox) {
		append_mark (d, d->ff_checked >= 0 ? d->ff_checked : d->ff_default > 0);
	} else if (d->ff_ddlist) {
		int i = d->dd_result >= 0 ? d->dd_result : d->dd_default >= 0 ? d->dd_default : 0;
		if ((guint) i < d->dd_entries->len) {
			const char *entry = g_ptr_array_index (d->dd_entries, i);
			append_text (d, entry, strlen (entry));
		}
	}
}

/* ------------------------------------------------------------------------- */
/* The walk */

static Kind
classify (const char *local, const char *ns)
{
	if (ns == NULL)
		return K_OTHER;
	if (strcmp (ns, NS_W) == 0 || strcmp (ns, NS_W_STRICT) == 0) {
		for (gsize i = 0; i < G_N_ELEMENTS (w_elements); i++)
			if (strcmp (local, w_elements[i].name) == 0)
				return w_elements[i].kind;
		return K_OTHER;
	}
	if (strcmp (ns, NS_W14) == 0) {
		if (strcmp (local, "checkbox") == 0)
			return K_W14_CHECKBOX;
		if (strcmp (local, "checked") == 0)
			return K_W14_CHECKED;
		return K_OTHER;
	}
	/* mc:AlternateContent: mc:Choice and mc:Fallback hold the same text box twice */
	if (strcmp (ns, NS_MC) == 0 && strcmp (local, "Fallback") == 0)
		return K_SKIP;
	return K_OTHER;
}

static Kind
kind_at (Docx *d, int depth)
{
	return depth >= 0 && (guint) depth < d->kinds->len ? (Kind) d->kinds->data[depth] : K_OTHER;
}

/* An element starts at @depth; returns the kind its end will see. */
static Kind
element_start (Docx *d, Kind kind, int depth, const char *ns)
{
	Kind parent = kind_at (d, depth - 1);
	Frame *f = cur_frame (d);
	Sdt *s = cur_sdt (d);
	g_autofree char *val = NULL;

	switch (kind) {
	case K_P:
		if (f->para > 0) {
			/* a paragraph inside a paragraph (drawing text outside w:txbxContent) */
			g_ptr_array_add (d->frames, frame_new ());
			cur_frame (d)->para++;
			return K_P_NESTED;
		}
		if (f->label_sdt != NULL && f->label_sdt->label == LABEL_BLOCK && ++f->label_sdt->paras > 1)
			label_abandon (d, f);
		f->para++;
		break;
	case K_R:
		d->run_hidden = FALSE;
		break;
	case K_VANISH:
		if (parent == K_RPR && kind_at (d, depth - 2) == K_R) {
			val = get_attr (d, "val", ns);
			d->run_hidden = parse_onoff (val);
		}
		break;
	case K_TAB:
		if (parent == K_R && text_visible (d)) {
			f->pending_space = FALSE;
			g_string_append_c (f->line, '\t');
		}
		break;
	case K_BR:
		if (parent == K_R)
			line_break (d, f);
		break;
	case K_NBHYPHEN:
		if (parent == K_R && text_visible (d))
			append_text (d, "-", 1);
		break;
	case K_SYM:
		if (parent == K_R && text_visible (d)) {
			g_autofree char *font = get_attr (d, "font", ns);
			gunichar c;
			val = get_attr (d, "char", ns);
			if ((c = sym_char (font, val)) != 0) {
				char buf[8];
				append_text (d, buf, g_unichar_to_utf8 (c, buf));
			}
		}
		break;
	case K_TBL:
		if (f->label_sdt != NULL && f->label_sdt->label == LABEL_BLOCK)
			label_abandon (d, f);
		/* a table inside a cell: the outer row so far becomes a line of its own,
		 * each inner row another */
		if (in_cell (f))
			flush_line (d, f);
		g_array_append_val (f->tables, ((TableState) { FALSE }));
		break;
	case K_TR:
		if (in_table (f))
			flush_line (d, f);
		break;
	case K_TC:
		if (in_table (f)) {
			g_array_index (f->tables, TableState, f->tables->len - 1).in_cell = TRUE;
			f->pending_space = FALSE;
			/* leading empty cells (indentation columns) add no TAB */
			if (f->line->len > 0)
				g_string_append_c (f->line, '\t');
		}
		break;
	case K_SDT: {
		Sdt *n = g_new0 (Sdt, 1);
		g_ptr_array_add (d->sdts, n);
		break;
	}
	case K_ALIAS:
	case K_TAG:
		if (parent == K_SDTPR && s != NULL && !s->name_is_alias) {
			char *name = clean_name (get_attr (d, "val", ns));
			if (name != NULL) {
				g_free (s->name);
				s->name = name;
				s->name_is_alias = kind == K_ALIAS;
			}
		}
		break;
	case K_PLACEHOLDER:
		if (parent == K_SDTPR && s != NULL) {
			val = get_attr (d, "val", ns);
			s->placeholder = parse_onoff (val);
		}
		break;
	case K_DOCPART:
		if (parent == K_SDTPR && s != NULL)
			s->docpart = TRUE;
		break;
	case K_W14_CHECKBOX:
		if (parent == K_SDTPR && s != NULL)
			s->checkbox = TRUE;
		break;
	case K_W14_CHECKED:
		if (parent == K_W14_CHECKBOX && s != NULL) {
			val = get_attr (d, "val", NS_W14);
			s->checked = parse_onoff (val);
		}
		break;
	case K_SDTCONTENT:
		if (parent == K_SDT)
			sdt_content_start (d, s);
		break;
	case K_TXBX:
		g_ptr_array_add (d->frames, frame_new ());
		break;
	case K_FFDATA:
		ffdata_start (d);
		break;
	case K_FF_CHECKBOX:
		if (parent == K_FFDATA)
			d->ff_checkbox = TRUE;
		break;
	case K_FF_DDLIST:
		if (parent == K_FFDATA)
			d->ff_ddlist = TRUE;
		break;
	case K_FF_DEFAULT:
		val = get_attr (d, "val", ns);
		if (parent == K_FF_CHECKBOX)
			d->ff_default = parse_onoff (val);
		else if (parent == K_FF_DDLIST)
			d->dd_default = parse_index (val);
		break;
	case K_FF_CHECKED:
		if (parent == K_FF_CHECKBOX) {
			val = get_attr (d, "val", ns);
			d->ff_checked = parse_onoff (val);
		}
		break;
	case K_FF_RESULT:
		if (parent == K_FF_DDLIST) {
			val = get_attr (d, "val", ns);
			d->dd_result = parse_index (val);
		}
		break;
	case K_FF_ENTRY:
		if (parent == K_FF_DDLIST) {
			char *entry = get_attr (d, "val", ns);
			g_ptr_array_add (d->dd_entries, entry != NULL ? entry : g_strdup (""));
		}
		break;
	default:
		break;
	}
	return kind;
}

static void
element_end (Docx *d, Kind kind)
{
	Frame *f = cur_frame (d);

	switch (kind) {
	case K_P:
		if (f->para > 0)
			f->para--;
		line_break (d, f);
		break;
	case K_P_NESTED:
	case K_TXBX:
		flush_line (d, f);
		if (d->frames->len > 1)
			g_ptr_array_set_size (d->frames, d->frames->len - 1);
		break;
	case K_R:
		d->run_hidden = FALSE;
		break;
	case K_TBL:
		if (in_table (f))
			g_array_set_size (f->tables, f->tables->len - 1);
		break;
	case K_TR:
		flush_line (d, f);
		break;
	case K_TC:
		if (in_table (f))
			g_array_index (f->tables, TableState, f->tables->len - 1).in_cell = FALSE;
		f->pending_space = FALSE;
		break;
	case K_SDT:
		sdt_end (d);
		break;
	case K_FFDATA:
		ffdata_end (d);
		break;
	default:
		break;
	}
}

static void
text_node (Docx *d, int depth)
{
	const char *text;

	if (kind_at (d, depth - 1) != K_T || kind_at (d, depth - 2) != K_R || !text_visible (d))
		return;
	text = (const char *) xmlTextReaderConstValue (d->reader);
	if (text != NULL)
		append_text (d, text, strlen (text));
}

/* One node of the reader.  FALSE with @error set when the walk must stop. */
static gboolean
docx_node (Docx *d, GError **error)
{
	int type = xmlTextReaderNodeType (d->reader);
	int depth = xmlTextReaderDepth (d->reader);

	switch (type) {
	case XML_READER_TYPE_ELEMENT: {
		const char *local = (const char *) xmlTextReaderConstLocalName (d->reader);
		const char *ns = (const char *) xmlTextReaderConstNamespaceUri (d->reader);
		gboolean empty = xmlTextReaderIsEmptyElement (d->reader) == 1;
		Kind kind;

		if ((guint) depth >= d->limits->max_xml_depth) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			             DOCUMENT " nests elements deeper than %u levels", d->limits->max_xml_depth);
			return FALSE;
		}
		if (d->skip_depth >= 0)
			return TRUE;
		kind = classify (local, ns);
		if (kind == K_SKIP) {
			if (!empty)
				d->skip_depth = depth;
			return TRUE;
		}
		kind = element_start (d, kind, depth, ns);
		if (empty) {
			element_end (d, kind);
		} else {
			g_byte_array_set_size (d->kinds, (guint) depth + 1);
			d->kinds->data[depth] = (guint8) kind;
		}
		break;
	}
	case XML_READER_TYPE_END_ELEMENT:
		if (d->skip_depth >= 0) {
			if (depth == d->skip_depth)
				d->skip_depth = -1;
			return TRUE;
		}
		element_end (d, kind_at (d, depth));
		g_byte_array_set_size (d->kinds, (guint) depth);
		break;
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		if (d->skip_depth < 0)
			text_node (d, depth);
		break;
	case XML_READER_TYPE_DOCUMENT_TYPE:
		/* Word never writes one; a DTD only brings entity tricks */
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		                     DOCUMENT " has a DOCTYPE declaration (refused)");
		return FALSE;
	default:
		break;
	}

	/* the text is never longer than the XML it came from, but say so anyway */
	if (d->out->len + cur_frame (d)->line->len > d->limits->max_zip_entry) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "text of " DOCUMENT " longer than %" G_GSIZE_FORMAT " bytes",
		             d->limits->max_zip_entry);
		return FALSE;
	}
	return TRUE;
}

static void
on_xml_error (void *data, xmlErrorPtr err)
{
	Docx *d = data;

	if (d->xml_error != NULL || err == NULL || err->level < XML_ERR_ERROR)
		return;
	/* without XML_PARSE_HUGE libxml2 stops at xmlParserMaxDepth (256) levels */
	if (err->code == XML_ERR_INTERNAL_ERROR && err->message != NULL && strstr (err->message, "depth") != NULL)
		d->xml_too_deep = TRUE;
	d->xml_error = g_strdup_printf ("line %d: %s", err->line, err->message ? err->message : "?");
	g_strchomp (d->xml_error);
}

/* See formats.h.  The final text of tracked changes; hidden text, field codes and
 * placeholders left out.  Errors (MAILREG_ERROR_DATA, permanent): those of
 * zip_read_entry(), malformed XML, a DOCTYPE, nesting over limits->max_xml_depth.
 * (transfer full) */
char *
extract_docx (GBytes *data, const ExtractLimits *limits, GError **error)
{
	g_autoptr (GBytes) xml = NULL;
	g_autoptr (xmlTextReader) reader = NULL;
	g_autoptr (GString) out = g_string_new (NULL);
	g_autoptr (GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) frame_free);
	g_autoptr (GPtrArray) sdts = g_ptr_array_new_with_free_func ((GDestroyNotify) sdt_free);
	g_autoptr (GByteArray) kinds = g_byte_array_new ();
	g_autoptr (GPtrArray) dd_entries = g_ptr_array_new_with_free_func (g_free);
	g_autofree char *xml_error = NULL;
	Docx d = { 0 };
	gsize len;
	const char *buf;
	int ret;

	g_return_val_if_fail (data != NULL && limits != NULL, NULL);
	if ((xml = zip_read_entry (data, DOCUMENT, limits, error)) == NULL)
		return NULL;
	buf = g_bytes_get_data (xml, &len);
	if (len > INT_MAX) {   /* only with a max_zip_entry over 2 GiB */
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, DOCUMENT " too large");
		return NULL;
	}
	/* no XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD, no network, no
	 * XML_PARSE_HUGE: libxml2's own size and depth limits stay on */
	reader = xmlReaderForMemory (buf != NULL ? buf : "", (int) len, DOCUMENT, NULL,
	                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (reader == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, DOCUMENT " not readable as XML");
		return NULL;
	}

	d.reader = reader;
	d.limits = limits;
	d.out = out;
	d.frames = frames;
	d.sdts = sdts;
	d.kinds = kinds;
	d.dd_entries = dd_entries;
	d.skip_depth = -1;
	g_ptr_array_add (frames, frame_new ());
	xmlTextReaderSetStructuredErrorHandler (reader, on_xml_error, &d);

	while ((ret = xmlTextReaderRead (reader)) == 1)
		if (!docx_node (&d, error)) {
			g_free (d.xml_error);
			return NULL;
		}
	xml_error = d.xml_error;
	if (ret < 0 && d.xml_too_deep) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, DOCUMENT " nests elements deeper than %u levels",
		             MIN (limits->max_xml_depth, xmlParserMaxDepth));
		return NULL;
	}
	if (ret < 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, DOCUMENT " is not well-formed XML (%s)",
		             xml_error != NULL ? xml_error : "parse error");
		return NULL;
	}
	flush_line (&d, g_ptr_array_index (frames, 0));
	return g_string_free (g_steal_pointer (&out), FALSE);
}

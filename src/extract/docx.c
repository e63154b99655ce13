/* docx.c - the DOCX extractor of stage 3: word/document.xml as form text lines.
 *
 * One pass of the streaming walk of office.c yields the layout of formats.h: a line
 * per paragraph, a table row as TAB-joined cells, checkboxes ☒/☐, a labelled content
 * control "alias<TAB>value".  Headers, footers, notes, comments: other parts, unread.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <limits.h>
#include <string.h>

#include "extract/office.h"

#define DOCUMENT "word/document.xml"

#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_W_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"   /* ISO 29500 Strict */
#define NS_W14 "http://schemas.microsoft.com/office/word/2010/wordml"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"

/* What an open element is to the walk; stored per depth, so an end tag knows. */
typedef enum {
	K_OTHER = OFFICE_OTHER,  /* transparent: its content counts (w:body, w:ins, w:hyperlink, ...) */
	K_SKIP = OFFICE_SKIP,    /* subtree ignored */
	K_P = OFFICE_P, K_TBL = OFFICE_TABLE, K_TR = OFFICE_ROW, K_TC = OFFICE_CELL,
	K_TXBX = OFFICE_BOX,     /* w:txbxContent */
	K_R = OFFICE_KINDS, K_RPR, K_T, K_TAB, K_BR, K_NBHYPHEN, K_SYM, K_VANISH,
	K_SDT, K_SDTPR, K_SDTCONTENT, K_ALIAS, K_TAG, K_PLACEHOLDER, K_DOCPART,
	K_W14_CHECKBOX, K_W14_CHECKED,
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

typedef enum { LABEL_NONE, LABEL_RUN, LABEL_BLOCK } LabelMode;

/* An open content control (w:sdt); while its value is written as
 * "alias<TAB>value", the label of the frame it is in (OfficeFrame.label). */
typedef struct {
	char *name;              /* w:alias, else w:tag */
	gboolean name_is_alias;
	gboolean checkbox, checked, placeholder, docpart;
	gboolean suppressing;    /* holds one count of Docx.suppress */
	LabelMode label;
	guint paras;             /* paragraphs begun inside a LABEL_BLOCK control */
} Sdt;

typedef struct {
	OfficeWalk *w;           /* the reader, the kinds of open elements, the lines */
	GPtrArray *sdts;         /* Sdt*, innermost last */
	guint suppress;          /* >0: text not shown (checkbox glyph, placeholder) */
	gboolean run_hidden;     /* w:vanish in the current run's properties */
	/* the legacy form field (w:ffData) being read */
	gboolean ff_checkbox, ff_ddlist;
	int ff_default, ff_checked, dd_default, dd_result;
	GPtrArray *dd_entries;
} Docx;

static void
sdt_free (Sdt *s)
{
	g_free (s->name);
	g_free (s);
}

static Sdt *
cur_sdt (Docx *d)
{
	return d->sdts->len > 0 ? g_ptr_array_index (d->sdts, d->sdts->len - 1) : NULL;
}

static gboolean
text_visible (Docx *d)
{
	return d->suppress == 0 && !d->run_hidden;
}

/* ------------------------------------------------------------------------- */
/* Attributes */

/* The current element's w:val (in namespace @ns) as an ST_OnOff: an element
 * present without w:val is on. */
static gboolean
val_onoff (Docx *d, const char *ns)
{
	g_autofree char *val = office_attr (d->w, "val", ns);

	return val == NULL || !(strcmp (val, "0") == 0 || strcmp (val, "false") == 0 || strcmp (val, "off") == 0);
}

/* The current element's w:val as a list index, -1 when absent or not one. */
static int
val_index (Docx *d, const char *ns)
{
	g_autofree char *val = office_attr (d->w, "val", ns);
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
label_finish (Docx *d, OfficeFrame *f, Sdt *s)
{
	g_autofree char *value = g_strstrip (g_strdup (f->line->str));

	if (!starts_with_casefold (value, s->name)) {
		g_string_truncate (f->line, 0);
		g_string_append_printf (f->line, "%s\t%s", s->name, value);
	}
	office_flush_line (d->w);
	s->label = LABEL_NONE;
	f->label = NULL;
}

/* A labelled block control turned out to hold more than one paragraph (or a
 * table): it is a container, not a field; its text goes out as it is. */
static void
label_abandon (Docx *d, OfficeFrame *f)
{
	Sdt *s = f->label;

	office_flush_line (d->w);
	s->label = LABEL_NONE;
	f->label = NULL;
}

/* A child of @s's w:sdtPr: its name, a placeholder shown, a checkbox. */
static void
sdt_property (Docx *d, Sdt *s, Kind kind, const char *ns)
{
	char *name;

	switch (kind) {
	case K_ALIAS:
	case K_TAG:
		/* w:alias wins over w:tag, whichever comes first */
		if (!s->name_is_alias && (name = clean_name (office_attr (d->w, "val", ns))) != NULL) {
			g_free (s->name);
			s->name = name;
			s->name_is_alias = kind == K_ALIAS;
		}
		break;
	case K_PLACEHOLDER:
		s->placeholder = val_onoff (d, ns);
		break;
	case K_DOCPART:
		s->docpart = TRUE;
		break;
	case K_W14_CHECKBOX:
		s->checkbox = TRUE;
		break;
	default:
		break;
	}
}

static void
sdt_content_start (Docx *d, Sdt *s)
{
	OfficeFrame *f = office_frame (d->w);
	gboolean was_suppressing;

	if (s == NULL)
		return;
	was_suppressing = s->suppressing;   /* a second w:sdtContent counts once */
	if (s->checkbox) {
		/* the content is the glyph of the checked state in some font: the
		 * w14:checked state is the truth */
		if (text_visible (d))
			office_append_mark (d->w, s->checked);
		s->suppressing = TRUE;
	} else if (s->placeholder) {
		/* "Kliknij tutaj, aby wprowadzić tekst." is not the applicant's answer */
		s->suppressing = TRUE;
	}
	if (s->suppressing && !was_suppressing)
		d->suppress++;

	/* a label before the control (paragraph text, a table cell) wins */
	if (s->checkbox || s->name == NULL || s->docpart || office_in_table (f) || f->label != NULL)
		return;
	if (f->para > 0) {
		if (!office_is_blank (f->line))
			return;
		g_string_truncate (f->line, 0);
		s->label = LABEL_RUN;
	} else {
		office_flush_line (d->w);
		s->label = LABEL_BLOCK;
	}
	f->pending_space = FALSE;
	f->label = s;
}

static void
sdt_end (Docx *d)
{
	Sdt *s = cur_sdt (d);
	OfficeFrame *f = office_frame (d->w);

	if (s == NULL)
		return;
	if (s->suppressing)
		d->suppress--;
	if (s->label != LABEL_NONE && f->label == s)
		label_finish (d, f, s);
	/* no frame may keep pointing at a control that is gone */
	office_unlabel (d->w, s);
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
		office_append_mark (d->w, d->ff_checked >= 0 ? d->ff_checked : d->ff_default > 0);
	} else if (d->ff_ddlist) {
		office_append_entry (d->w, d->dd_entries,
		                     d->dd_result >= 0 ? d->dd_result : d->dd_default >= 0 ? d->dd_default : 0);
	}
}

/* ------------------------------------------------------------------------- */
/* The walk */

static guint
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

/* OfficeWalkFuncs.start: an element starts at @depth, before the walk opens a
 * paragraph or a table; returns the kind its end will see. */
static guint
element_start (gpointer data, guint k, int depth, const char *local, const char *ns)
{
	Docx *d = data;
	Kind kind = k;
	Kind parent = office_kind_at (d->w, depth - 1);
	OfficeFrame *f = office_frame (d->w);
	Sdt *label = f->label;
	Sdt *s = cur_sdt (d);

	switch (kind) {
	case K_P:
		if (f->para == 0 && label != NULL && label->label == LABEL_BLOCK && ++label->paras > 1)
			label_abandon (d, f);
		break;
	case K_R:
		d->run_hidden = FALSE;
		break;
	case K_VANISH:
		if (parent == K_RPR && office_kind_at (d->w, depth - 2) == K_R)
			d->run_hidden = val_onoff (d, ns);
		break;
	case K_TAB:
		if (parent == K_R && text_visible (d))
			office_append_tab (d->w);
		break;
	case K_BR:
		if (parent == K_R)
			office_line_break (d->w);
		break;
	case K_NBHYPHEN:
		if (parent == K_R && text_visible (d))
			office_append_text (d->w, "-", 1);
		break;
	case K_SYM:
		if (parent == K_R && text_visible (d)) {
			g_autofree char *font = office_attr (d->w, "font", ns);
			g_autofree char *code = office_attr (d->w, "char", ns);
			gunichar c;
			if ((c = sym_char (font, code)) != 0) {
				char buf[8];
				office_append_text (d->w, buf, g_unichar_to_utf8 (c, buf));
			}
		}
		break;
	case K_TBL:
		if (label != NULL && label->label == LABEL_BLOCK)
			label_abandon (d, f);
		break;
	case K_SDT: {
		Sdt *n = g_new0 (Sdt, 1);
		g_ptr_array_add (d->sdts, n);
		break;
	}
	case K_ALIAS:
	case K_TAG:
	case K_PLACEHOLDER:
	case K_DOCPART:
	case K_W14_CHECKBOX:
		if (parent == K_SDTPR && s != NULL)
			sdt_property (d, s, kind, ns);
		break;
	case K_W14_CHECKED:
		if (parent == K_W14_CHECKBOX && s != NULL)
			s->checked = val_onoff (d, NS_W14);
		break;
	case K_SDTCONTENT:
		if (parent == K_SDT)
			sdt_content_start (d, s);
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
		if (parent == K_FF_CHECKBOX)
			d->ff_default = val_onoff (d, ns);
		else if (parent == K_FF_DDLIST)
			d->dd_default = val_index (d, ns);
		break;
	case K_FF_CHECKED:
		if (parent == K_FF_CHECKBOX)
			d->ff_checked = val_onoff (d, ns);
		break;
	case K_FF_RESULT:
		if (parent == K_FF_DDLIST)
			d->dd_result = val_index (d, ns);
		break;
	case K_FF_ENTRY:
		if (parent == K_FF_DDLIST) {
			char *entry = office_attr (d->w, "val", ns);
			g_ptr_array_add (d->dd_entries, entry != NULL ? entry : g_strdup (""));
		}
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
	Docx *d = data;

	switch ((Kind) kind) {
	case K_R:
		d->run_hidden = FALSE;
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

/* OfficeWalkFuncs.text: only w:t in a run is text. */
static void
text_node (gpointer data, int depth, const char *text)
{
	Docx *d = data;

	if (office_kind_at (d->w, depth - 1) != K_T || office_kind_at (d->w, depth - 2) != K_R || !text_visible (d))
		return;
	if (text != NULL)
		office_append_text (d->w, text, strlen (text));
}

static const OfficeWalkFuncs docx_walk = { classify, element_start, element_end, text_node };

/* See formats.h.  The final text of tracked changes; hidden text, field codes and
 * placeholders left out.  Errors (MAILREG_ERROR_DATA, permanent): malformed XML,
 * a DOCTYPE, nesting over limits->max_xml_depth.  (transfer full) */
char *
extract_docx_xml (GBytes *xml, const ExtractLimits *limits, GError **error)
{
	g_autoptr (GPtrArray) sdts = g_ptr_array_new_with_free_func ((GDestroyNotify) sdt_free);
	g_autoptr (GPtrArray) dd_entries = g_ptr_array_new_with_free_func (g_free);
	Docx d = { .sdts = sdts, .dd_entries = dd_entries };
	g_autoptr (OfficeWalk) w = NULL;

	g_return_val_if_fail (xml != NULL && limits != NULL, NULL);
	d.w = w = office_walk_new (DOCUMENT, limits, &docx_walk, &d);
	return office_walk_read (w, xml, error);
}

/* See formats.h.  Errors (MAILREG_ERROR_DATA, permanent): those of
 * zip_read_entry() and extract_docx_xml().  (transfer full) */
char *
extract_docx (GBytes *data, const ExtractLimits *limits, GError **error)
{
	g_autoptr (GBytes) xml = NULL;

	g_return_val_if_fail (data != NULL && limits != NULL, NULL);
	xml = zip_read_entry (data, DOCUMENT, limits, error);
	return xml != NULL ? extract_docx_xml (xml, limits, error) : NULL;
}

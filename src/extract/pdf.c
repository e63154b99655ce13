/* pdf.c - the PDF extractor: the fields of a filled fillable form, else the page text.
 *
 * Part of extract (stage 3), behind extract_form() (see formats.h).  A filled
 * AcroForm yields one line per field ("Name<TAB>value", "☒ Name"); a form printed
 * to PDF yields its page text, laid out again as lines, which text.c parses like a
 * typed form.  poppler has no limits of its own (a 70 KB PDF whose content
 * stream inflates to a million text runs costs poppler_page_get_text() 3.5 GB
 * and three minutes, and a malformed file can crash it): extract_form runs
 * this reader in the sandboxed reader process, never in the daemon.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <poppler.h>
#include <string.h>

#include "core/errors.h"

/* poppler-glib 22.12 declares no cleanup functions for its objects. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PopplerDocument, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PopplerPage, g_object_unref)

typedef enum {
	ENTRY_TEXT,     /* text field: its text */
	ENTRY_CHECK,    /* check box: ticked or not */
	ENTRY_RADIO,    /* radio group: the label of the selected button */
	ENTRY_CHOICE,   /* combo or list box: the selected item(s) */
} EntryKind;

/* One form field; a field with several widgets (a radio group, a field shown on
 * two pages) is one entry. */
typedef struct {
	EntryKind kind;
	char *name;      /* one line of text, never empty */
	char *value;     /* TEXT, CHOICE, RADIO: one line of text, or NULL when empty */
	gboolean on;     /* CHECK: ticked; RADIO: a button is selected */
} Entry;

typedef struct {
	GPtrArray *entries;    /* Entry*, in the order of the first widget of each */
	GHashTable *by_name;   /* fully qualified name -> Entry* (borrowed) */
} Fields;

static void
entry_free (Entry *e)
{
	g_free (e->name);
	g_free (e->value);
	g_free (e);
}

/* @s (may be NULL) as one line: valid UTF-8, control characters (tabs, line
 * breaks of a multi-line field) and white-space runs turned into one space,
 * trimmed.  NULL when nothing is left.  (transfer full) */
static char *
one_line (const char *s)
{
	g_autofree char *valid = NULL;
	GString *out;
	gboolean space = FALSE;

	if (s == NULL)
		return NULL;
	valid = g_utf8_make_valid (s, -1);
	out = g_string_new (NULL);
	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);

		if (g_unichar_isspace (c) || g_unichar_iscntrl (c) || c == 0xFEFF) {
			space = TRUE;
			continue;
		}
		if (space && out->len > 0)
			g_string_append_c (out, ' ');
		space = FALSE;
		g_string_append_unichar (out, c);
	}
	if (out->len == 0) {
		g_string_free (out, TRUE);
		return NULL;
	}
	return g_string_free (out, FALSE);
}

/* The name a field is shown under: its tooltip (TU, the "alternate UI name") when it
 * has one - forms made in Acrobat or Word often name fields "Text1" or "field_imie"
 * and put the printed label in the tooltip - else its own (partial) name, else the
 * fully qualified one.  NULL for a field without any name. */
static char *
field_name (PopplerFormField *field)
{
	g_autofree char *alt = poppler_form_field_get_alternate_ui_name (field);
	g_autofree char *partial = NULL;
	g_autofree char *full = NULL;
	char *name;

	if ((name = one_line (alt)) != NULL)
		return name;
	partial = poppler_form_field_get_partial_name (field);
	if ((name = one_line (partial)) != NULL)
		return name;
	full = poppler_form_field_get_name (field);
	return one_line (full);
}

/* The selected items of a choice field, joined by ", "; for an editable combo box
 * whose text is none of the items, that text.  NULL when nothing is chosen. */
static char *
choice_value (PopplerFormField *field)
{
	g_autoptr (GString) out = g_string_new (NULL);
	int n = poppler_form_field_choice_get_n_items (field);

	for (int i = 0; i < n; i++) {
		g_autofree char *item = NULL;
		g_autofree char *line = NULL;

		if (!poppler_form_field_choice_is_item_selected (field, i))
			continue;
		item = poppler_form_field_choice_get_item (field, i);
		if ((line = one_line (item)) == NULL)
			continue;
		if (out->len > 0)
			g_string_append (out, ", ");
		g_string_append (out, line);
	}
	if (out->len == 0 && poppler_form_field_choice_is_editable (field)) {
		g_autofree char *text = poppler_form_field_choice_get_text (field);
		return one_line (text);
	}
	return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

/* The vertical centre of a text-layout box (top-left origin) lies within the
 * band of a form widget (PDF user space, bottom-left origin). */
static gboolean
in_band (const PopplerRectangle *box, const PopplerRectangle *widget, double page_height)
{
	double centre = (box->y1 + box->y2) / 2;

	return centre >= page_height - widget->y2 && centre <= page_height - widget->y1;
}

/* The page text on the same line as @widget, from its right edge to the next
 * widget on that line (or the page edge): the label printed beside a radio
 * button.  poppler-glib does not expose a button's export value (its on-state
 * name), so the printed label is the best we can report.  NULL when none. */
static char *
label_right_of (PopplerPage *page, const PopplerRectangle *widget, GList *mapping)
{
	g_autofree char *text = NULL;
	g_autofree PopplerRectangle *boxes = NULL;
	g_autoptr (GString) out = g_string_new (NULL);
	double width, height, right;
	guint n = 0, i = 0;

	poppler_page_get_size (page, &width, &height);
	right = width;
	for (GList *l = mapping; l != NULL; l = l->next) {
		const PopplerRectangle *other = &((PopplerFormFieldMapping *) l->data)->area;
		/* another widget overlapping the band, further right */
		if (other->x1 >= widget->x2 - 0.5 && other->y1 < widget->y2 && other->y2 > widget->y1)
			right = MIN (right, other->x1);
	}

	text = poppler_page_get_text (page);
	if (text == NULL || !poppler_page_get_text_layout (page, &boxes, &n))
		return NULL;
	/* one layout box per character of the page text */
	for (const char *p = text; *p != '\0' && i < n; p = g_utf8_next_char (p), i++) {
		const PopplerRectangle *box = &boxes[i];
		if (box->x1 >= widget->x2 - 0.5 && box->x1 < right && in_band (box, widget, height))
			g_string_append_unichar (out, g_utf8_get_char (p));
	}
	return one_line (out->str);
}

static Entry *
find_or_add (Fields *fields, PopplerFormField *field, EntryKind kind)
{
	g_autofree char *full = poppler_form_field_get_name (field);
	g_autofree char *key = NULL;
	Entry *e;

	/* a field without a name cannot have more widgets that we would recognise */
	key = full != NULL ? g_strdup_printf ("n:%s", full)
	                   : g_strdup_printf ("i:%d", poppler_form_field_get_id (field));
	if ((e = g_hash_table_lookup (fields->by_name, key)) != NULL)
		return e->kind == kind ? e : NULL;
	e = g_new0 (Entry, 1);
	e->kind = kind;
	e->name = field_name (field);
	if (e->name == NULL) {
		entry_free (e);
		return NULL;
	}
	g_ptr_array_add (fields->entries, e);
	g_hash_table_insert (fields->by_name, g_steal_pointer (&key), e);
	return e;
}

static void
add_widget (Fields *fields, PopplerPage *page, PopplerFormFieldMapping *m, GList *mapping)
{
	PopplerFormField *field = m->field;   /* (transfer none) */
	Entry *e;

	switch (poppler_form_field_get_field_type (field)) {
	case POPPLER_FORM_FIELD_TEXT:
		if ((e = find_or_add (fields, field, ENTRY_TEXT)) != NULL && e->value == NULL) {
			g_autofree char *text = poppler_form_field_text_get_text (field);
			e->value = one_line (text);
		}
		break;
	case POPPLER_FORM_FIELD_CHOICE:
		if ((e = find_or_add (fields, field, ENTRY_CHOICE)) != NULL && e->value == NULL)
			e->value = choice_value (field);
		break;
	case POPPLER_FORM_FIELD_BUTTON:
		switch (poppler_form_field_button_get_button_type (field)) {
		case POPPLER_FORM_BUTTON_CHECK:
			if ((e = find_or_add (fields, field, ENTRY_CHECK)) != NULL)
				e->on = e->on || poppler_form_field_button_get_state (field);
			break;
		case POPPLER_FORM_BUTTON_RADIO:
			if ((e = find_or_add (fields, field, ENTRY_RADIO)) != NULL && !e->on &&
			    poppler_form_field_button_get_state (field)) {
				e->on = TRUE;
				e->value = label_right_of (page, &m->area, mapping);
			}
			break;
		case POPPLER_FORM_BUTTON_PUSH:
		default:
			break;   /* "Wyślij", "Drukuj": no data */
		}
		break;
	case POPPLER_FORM_FIELD_SIGNATURE:
	case POPPLER_FORM_FIELD_UNKNOWN:
	default:
		break;
	}
}

/* Cut @out after its last whole line within @max bytes. */
static void
cap_lines (GString *out, gsize max)
{
	gsize cut = max;

	if (out->len <= max)
		return;
	while (cut > 0 && out->str[cut - 1] != '\n')
		cut--;
	g_string_truncate (out, cut);
}

static gboolean
entry_filled (const Entry *e)
{
	return e->on || e->value != NULL;
}

/* The fields on the first @max_pages pages as lines, at most @max_text bytes;
 * NULL when there are none or all are empty (a blank form, or one printed after
 * filling: the page text tells more then). */
static char *
read_fields (PopplerDocument *doc, guint max_pages, gsize max_text)
{
	g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
	g_autoptr (GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	Fields fields = { entries, by_name };
	int n_pages = poppler_document_get_n_pages (doc);
	gboolean filled = FALSE;
	GString *out;

	for (int i = 0; i < n_pages && (guint) i < max_pages; i++) {
		g_autoptr (PopplerPage) page = poppler_document_get_page (doc, i);
		GList *mapping;

		if (page == NULL)
			continue;
		/* poppler lists the widgets last first; the document's order is the
		 * form's tab order */
		mapping = g_list_reverse (poppler_page_get_form_field_mapping (page));
		for (GList *l = mapping; l != NULL; l = l->next)
			add_widget (&fields, page, l->data, mapping);
		poppler_page_free_form_field_mapping (mapping);
	}

	for (guint i = 0; i < entries->len && !filled; i++)
		filled = entry_filled (g_ptr_array_index (entries, i));
	if (!filled)
		return NULL;

	out = g_string_new (NULL);
	for (guint i = 0; i < entries->len; i++) {
		const Entry *e = g_ptr_array_index (entries, i);

		if (e->kind == ENTRY_CHECK)
			g_string_append_printf (out, "%s %s\n", e->on ? "☒" : "☐", e->name);
		else
			g_string_append_printf (out, "%s\t%s\n", e->name, e->value ? e->value : "");
	}
	cap_lines (out, max_text);
	return g_string_free (out, FALSE);
}

/* Between two glyphs of a line, a gap of at least this many glyph heights is a
 * column break (a table cell, a tab stop), written as a TAB; of at least
 * SPACE_GAP heights, a space.  A proportional font's space is about 0.3 heights,
 * a Word table's cell padding about 0.8: "Imię | Anna" must not become "Imię Anna". */
#define TAB_GAP 0.8
#define SPACE_GAP 0.1

typedef struct {
	gunichar c;
	gboolean joined;         /* directly after another glyph in poppler's text */
	double x1, y1, x2, y2;   /* top-left origin, turned so that text runs along +x */
} Glyph;

static double
centre (const Glyph *g)
{
	return (g->y1 + g->y2) / 2;
}

/* Sort orders for g_qsort_with_data(), which is stable: glyphs at the same place
 * keep poppler's order, and the output does not depend on the sort's whims. */
static int
cmp_centre (gconstpointer a, gconstpointer b, gpointer unused)
{
	double ca = centre (a), cb = centre (b);
	double xa = ((const Glyph *) a)->x1, xb = ((const Glyph *) b)->x1;

	return ca < cb ? -1 : ca > cb ? 1 : xa < xb ? -1 : xa > xb;
}

static int
cmp_x (gconstpointer a, gconstpointer b, gpointer unused)
{
	double xa = ((const Glyph *) a)->x1, xb = ((const Glyph *) b)->x1;

	return xa < xb ? -1 : xa > xb;
}

/* The quarter turn (0-3, clockwise) most words of the page run in.  The layout
 * boxes are in the unrotated page's space: on a page with /Rotate 90, or with
 * landscape text drawn turned, words run down the page. */
static guint
text_quarter (const GArray *glyphs)
{
	guint votes[4] = { 0 };
	guint best = 0;

	for (guint i = 1; i < glyphs->len; i++) {
		const Glyph *a = &g_array_index (glyphs, Glyph, i - 1);
		const Glyph *b = &g_array_index (glyphs, Glyph, i);
		double dx = (b->x1 + b->x2 - a->x1 - a->x2) / 2;
		double dy = centre (b) - centre (a);

		if (!b->joined)
			continue;
		if (ABS (dx) >= ABS (dy))
			votes[dx >= 0 ? 0 : 2]++;
		else
			votes[dy > 0 ? 1 : 3]++;
	}
	for (guint q = 1; q < 4; q++)
		if (votes[q] > votes[best])
			best = q;
	return best;
}

/* Turn @g by @quarter quarter turns back, so that its text runs along +x. */
static void
turn (Glyph *g, guint quarter)
{
	double ax = g->x1, ay = g->y1, bx = g->x2, by = g->y2;

	switch (quarter) {
	case 1:   /* running down: (x, y) -> (y, -x) */
		g->x1 = MIN (ay, by), g->x2 = MAX (ay, by), g->y1 = MIN (-ax, -bx), g->y2 = MAX (-ax, -bx);
		break;
	case 2:   /* upside down: (x, y) -> (-x, -y) */
		g->x1 = MIN (-ax, -bx), g->x2 = MAX (-ax, -bx), g->y1 = MIN (-ay, -by), g->y2 = MAX (-ay, -by);
		break;
	case 3:   /* running up: (x, y) -> (-y, x) */
		g->x1 = MIN (-ay, -by), g->x2 = MAX (-ay, -by), g->y1 = MIN (ax, bx), g->y2 = MAX (ax, bx);
		break;
	default:
		break;
	}
}

/* Append the text of @page to @out as lines rebuilt from the glyph positions.
 *
 * poppler_page_get_text() orders text by blocks: a printed table comes out as
 * "ImięAnna" (no separator between the cells) or with a value moved after the
 * rest of the page.  Grouping the glyphs by their vertical position and putting
 * a TAB at wide gaps gives the "Label<TAB>value" lines text.c reads, as
 * "pdftotext -layout" would show them. */
static void
append_page_lines (PopplerPage *page, GString *out)
{
	g_autofree char *text = poppler_page_get_text (page);
	g_autofree PopplerRectangle *boxes = NULL;
	g_autoptr (GArray) glyphs = g_array_new (FALSE, FALSE, sizeof (Glyph));
	gboolean joined = FALSE;
	guint n = 0, i = 0, quarter;

	if (text == NULL || !poppler_page_get_text_layout (page, &boxes, &n))
		return;
	/* one layout box per character of the page text; white space is re-derived
	 * from the gaps */
	for (const char *p = text; *p != '\0' && i < n; p = g_utf8_next_char (p), i++) {
		gunichar c = g_utf8_get_char (p);
		Glyph g = { c, joined, boxes[i].x1, boxes[i].y1, boxes[i].x2, boxes[i].y2 };

		joined = !(g_unichar_isspace (c) || g_unichar_iscntrl (c) || c == 0xFEFF);
		if (joined)
			g_array_append_val (glyphs, g);
	}
	quarter = text_quarter (glyphs);
	for (i = 0; i < glyphs->len; i++)
		turn (&g_array_index (glyphs, Glyph, i), quarter);
	g_qsort_with_data (glyphs->data, (gint) glyphs->len, sizeof (Glyph), cmp_centre, NULL);

	for (guint start = 0; start < glyphs->len;) {
		Glyph *line = &g_array_index (glyphs, Glyph, start);
		double bottom = line[0].y2;
		guint len = 1;

		/* a line: the glyphs whose centre lies within the top glyph's box */
		while (start + len < glyphs->len && centre (&line[len]) <= bottom)
			len++;
		g_qsort_with_data (line, (gint) len, sizeof (Glyph), cmp_x, NULL);
		for (guint k = 0; k < len; k++) {
			if (k > 0) {
				double gap = line[k].x1 - line[k - 1].x2;
				double height = ((line[k].y2 - line[k].y1) + (line[k - 1].y2 - line[k - 1].y1)) / 2;

				/* a broken font may give glyphs no height: not every gap is a column */
				height = MAX (height, 1.0);

				if (gap >= TAB_GAP * height)
					g_string_append_c (out, '\t');
				else if (gap >= SPACE_GAP * height)
					g_string_append_c (out, ' ');
			}
			g_string_append_unichar (out, line[k].c);
		}
		g_string_append_c (out, '\n');
		start += len;
	}
}

/* The text of the first @max_pages pages, at most @max_text bytes (cut after a
 * whole line).  (transfer full) */
static char *
read_page_text (PopplerDocument *doc, guint max_pages, gsize max_text)
{
	GString *out = g_string_new (NULL);
	int n_pages = poppler_document_get_n_pages (doc);

	for (int i = 0; i < n_pages && (guint) i < max_pages && out->len < max_text; i++) {
		g_autoptr (PopplerPage) page = poppler_document_get_page (doc, i);

		if (page != NULL)
			append_page_lines (page, out);
	}
	cap_lines (out, max_text);
	return g_string_free (out, FALSE);
}

static gboolean
has_letters (const char *s)
{
	for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
		if (g_unichar_isalpha (g_utf8_get_char (p)))
			return TRUE;
	return FALSE;
}

char *
extract_pdf (GBytes *data, const ExtractLimits *limits, GError **error)
{
	g_autoptr (PopplerDocument) doc = NULL;
	g_autoptr (GError) local = NULL;
	g_autofree char *text = NULL;
	char *fields;

	g_return_val_if_fail (data != NULL && limits != NULL, NULL);
	if (g_bytes_get_size (data) == 0) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "damaged PDF: empty file");
		return NULL;
	}

	/* reads @data in place and holds a reference to it */
	doc = poppler_document_new_from_bytes (data, NULL, &local);
	if (doc == NULL) {
		if (g_error_matches (local, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
			g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			                     "encrypted PDF: cannot be read without a password");
		else
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "damaged PDF: %s",
			             local != NULL ? local->message : "unreadable");
		return NULL;
	}
	if (poppler_document_get_n_pages (doc) <= 0) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "damaged PDF: no pages");
		return NULL;
	}

	if ((fields = read_fields (doc, limits->max_pdf_pages, limits->max_text)) != NULL)
		return fields;

	text = read_page_text (doc, limits->max_pdf_pages, limits->max_text);
	if (!has_letters (text)) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		                     "PDF has no text (a scan?): ask for a filled DOCX, ODT or PDF form");
		return NULL;
	}
	return g_steal_pointer (&text);
}

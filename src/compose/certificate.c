/* certificate.c - a certificate of attendance as a one-page A4 PDF: the
 * template's Pango markup with the participant's data, laid out by pango and
 * drawn by cairo into memory.  The text stays text in the PDF (fonts are
 * embedded as subsets), so pdftotext and screen readers read it back.
 */
#include "compose/certificate.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "compose/compose.h"
#include "core/autoptr.h"
#include "core/errors.h"

/* A4 in points, and the margin of the text. */
#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 60.0

/* @error (GLib's or pango's) as MAILREG_ERROR @code, for the exit status. */
static void
as_mailreg (GError **error, int code)
{
	if (error != NULL && *error != NULL) {
		(*error)->domain = MAILREG_ERROR;
		(*error)->code = code;
	}
}

static cairo_status_t
append (void *closure, const unsigned char *data, unsigned int length)
{
	g_byte_array_append (closure, data, length);
	return CAIRO_STATUS_SUCCESS;
}

/* Key @key of the template rendered with @vars (already escaped) into markup
 * pango accepts.  (transfer full) NULL with MAILREG_ERROR_DATA. */
static char *
markup_of (GKeyFile *kf, const char *path, const char *key, GHashTable *vars, GError **error)
{
	g_autofree char *raw = g_key_file_get_string (kf, "certificate", key, NULL);
	g_autofree char *text = NULL;

	if (raw == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "certificate template %s: no key %s", path, key);
		return NULL;
	}
	if ((text = compose_render (raw, vars, error)) == NULL) {
		g_prefix_error (error, "certificate template %s: %s: ", path, key);
		return NULL;
	}
	if (!pango_parse_markup (text, -1, 0, NULL, NULL, NULL, error)) {
		g_prefix_error (error, "certificate template %s: %s: ", path, key);
		as_mailreg (error, MAILREG_ERROR_DATA);
		return NULL;
	}
	return g_steal_pointer (&text);
}

/* Draw @markup aligned @align in the text width at @y in @font of @size
 * points; returns the height it took. */
static double
draw (cairo_t *cr, const char *font, double size, const char *markup, double y, PangoAlignment align)
{
	g_autoptr (PangoLayout) layout = pango_cairo_create_layout (cr);
	PangoFontDescription *desc = pango_font_description_from_string (font);
	int w, h;

	pango_font_description_set_size (desc, (int) (size * PANGO_SCALE));
	pango_layout_set_font_description (layout, desc);
	pango_font_description_free (desc);
	pango_layout_set_width (layout, (int) ((PAGE_W - 2 * MARGIN) * PANGO_SCALE));
	pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
	pango_layout_set_alignment (layout, align);
	pango_layout_set_markup (layout, markup, -1);
	pango_layout_get_size (layout, &w, &h);
	cairo_move_to (cr, MARGIN, y);
	pango_cairo_show_layout (cr, layout);
	return (double) h / PANGO_SCALE;
}

GBytes *
certificate_pdf (const char *path, GHashTable *vars, GError **error)
{
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GHashTable) escaped = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	g_autofree char *font = NULL;
	g_autofree char *number = NULL, *heading = NULL, *body = NULL, *footer = NULL;
	g_autoptr (GByteArray) pdf = g_byte_array_new ();
	GHashTableIter it;
	gpointer k, v;
	cairo_surface_t *surface;
	cairo_t *cr;
	cairo_status_t status;
	double y;

	if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error)) {
		g_prefix_error (error, "certificate template %s: ", path);
		as_mailreg (error, MAILREG_ERROR_NOINPUT);
		return NULL;
	}
	g_hash_table_iter_init (&it, vars);
	while (g_hash_table_iter_next (&it, &k, &v))
		g_hash_table_insert (escaped, k, g_markup_escape_text (v ? v : "", -1));
	if ((font = g_key_file_get_string (kf, "certificate", "font", NULL)) == NULL)
		font = g_strdup ("DejaVu Sans");
	if ((number = markup_of (kf, path, "number", escaped, error)) == NULL ||
	    (heading = markup_of (kf, path, "heading", escaped, error)) == NULL ||
	    (body = markup_of (kf, path, "body", escaped, error)) == NULL ||
	    (footer = markup_of (kf, path, "footer", escaped, error)) == NULL)
		return NULL;

	surface = cairo_pdf_surface_create_for_stream (append, pdf, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, "Zaświadczenie");
	cr = cairo_create (surface);
	cairo_set_source_rgb (cr, 0, 0, 0);
	draw (cr, font, 9, number, MARGIN, PANGO_ALIGN_RIGHT);
	y = MARGIN + 80;
	y += draw (cr, font, 12, heading, y, PANGO_ALIGN_CENTER) + 40;
	draw (cr, font, 12, body, y, PANGO_ALIGN_CENTER);
	/* the funding line at the foot of the page, where such projects print it */
	draw (cr, font, 9, footer, PAGE_H - MARGIN - 40, PANGO_ALIGN_CENTER);
	cairo_show_page (cr);
	cairo_destroy (cr);
	cairo_surface_finish (surface);
	status = cairo_surface_status (surface);
	cairo_surface_destroy (surface);
	if (status != CAIRO_STATUS_SUCCESS) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_SOFTWARE, "certificate: cairo: %s",
		             cairo_status_to_string (status));
		return NULL;
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&pdf));
}

/* formats.h - the format extractors behind extract_form(): one file per format.
 *
 * Every extractor turns one file (the decoded bytes of a message part) into
 * plain UTF-8 text in the layout extract_text() reads: one "Label: value" or
 * "Label<TAB>value" per line, table rows as "label cell<TAB>value cell", ticked
 * boxes as "☒ Label" and unticked ones as "☐ Label".  So every format feeds the
 * same label matching and validation as a plain-text form.
 *
 * On failure an extractor returns NULL with a MAILREG_ERROR whose message is a
 * short English reason for staff, e.g. "encrypted PDF: cannot be read without a
 * password" (the caller prefixes the part's name).  Codes: MAILREG_ERROR_DATA for
 * unreadable or hostile input (malformed, encrypted, over a limit), never a crash;
 * memory stays bounded by the limits.
 */
#ifndef MAILREG_FORMATS_H
#define MAILREG_FORMATS_H

#include <glib.h>

#include "extract/extract.h"

/* DOCX (Office Open XML): word/document.xml, libzip + libxml2. (transfer full) */
char *extract_docx (GBytes *data, const ExtractLimits *limits, GError **error);

/* ODT (OpenDocument text): content.xml, libzip + libxml2. (transfer full) */
char *extract_odt (GBytes *data, const ExtractLimits *limits, GError **error);

/* The readers behind extract_docx and extract_odt, given the XML part already
 * inflated (word/document.xml, content.xml): for tests and fuzzing past the
 * ZIP layer. (transfer full) */
char *extract_docx_xml (GBytes *xml, const ExtractLimits *limits, GError **error);
char *extract_odt_xml (GBytes *xml, const ExtractLimits *limits, GError **error);

/* PDF: AcroForm fields of a fillable PDF, else the page text, poppler-glib.
 * Pages without text (scans) are rendered and read by OCR (extract_ocr_rgb);
 * encrypted PDFs are errors.  No limits on memory or time: extract_form calls
 * it in the sandboxed reader. (transfer full) */
char *extract_pdf (GBytes *data, const ExtractLimits *limits, GError **error);

/* RTF: the text, tables and legacy form fields of an RTF document, its own
 * small reader; \ansicpgN and \uN decoded.  (transfer full) */
char *extract_rtf (GBytes *data, const ExtractLimits *limits, GError **error);

/* Word 97-2003 .doc: the text of the WordDocument stream through its piece
 * table, tables and legacy form fields; libgsf for the OLE2 container.
 * Encrypted documents are errors.  (transfer full) */
char *extract_doc (GBytes *data, const ExtractLimits *limits, GError **error);

/* HTML (webmail bodies): text with table cells and block elements kept apart,
 * entities decoded, script/style dropped; libxml2's HTML parser.  @charset is the
 * part's declared charset or NULL. (transfer full) */
char *extract_html (GBytes *data, const char *charset, const ExtractLimits *limits, GError **error);

/* Read the ZIP archive in @data with libzip under the limits: (transfer full)
 * the inflated bytes of entry @name, or NULL with MAILREG_ERROR_DATA ("entry too
 * large", "not a ZIP archive", "entry missing").  Shared by DOCX, ODT and .zip. */
GBytes *zip_read_entry (GBytes *data, const char *name, const ExtractLimits *limits, GError **error);

/* Names of the entries of the ZIP archive in @data (at most limits->max_zip_entries,
 * else an error). (transfer full) */
GPtrArray *zip_list (GBytes *data, const ExtractLimits *limits, GError **error);

/* Scans and photos (JPEG, PNG, TIFF): OCR with Tesseract ("pol") on the
 * decoded (leptonica), deskewed, binarised page.  The image's header is checked
 * against limits->max_ocr_pixels before decoding; at most max_ocr_pages pages
 * (TIFF), max_ocr_seconds in all.  The text is annotated: after every line, a
 * line starting with EXTRACT_OCR_MARK gives the confidence (0..1) of each of its
 * space- or TAB-separated pieces; extract_ocr_split() takes them out again.
 * MAILREG_ERROR_TEMPFAIL when the language data is missing.  extract_form
 * calls it in the sandboxed reader, as extract_pdf. (transfer full) */
char *extract_image (GBytes *data, const ExtractLimits *limits, GError **error);

/* One decoded page of an image (leptonica's PIX, owned by the caller) at
 * @dpi (0 when the image says none); FALSE with the reason stops. */
struct Pix;
typedef gboolean (*ExtractImagePageFunc) (struct Pix *page, int dpi, gpointer user, GError **error);

/* extract_image's checks and decoding, without OCR: the header of the image
 * in @data against the smallest form page and limits->max_ocr_pixels before
 * anything is decoded, each further TIFF page's header before it is decoded,
 * at most max_ocr_pages pages; each page decoded is checked again and handed
 * to @page_fn.  FALSE with MAILREG_ERROR_DATA and the reason, or @page_fn's
 * error.  For extract_image and the image fuzz target. */
gboolean extract_image_pages (GBytes *data, const ExtractLimits *limits, ExtractImagePageFunc page_fn,
                              gpointer user, GError **error);

/* extract_image for a page already rendered (a PDF page without text): cairo's
 * xRGB32 @pixels, @stride bytes a row, at @dpi. (transfer full) */
char *extract_ocr_rgb (const guint8 *pixels, int width, int height, int stride, int dpi,
                       const ExtractLimits *limits, GError **error);

/* Starts the annotation lines of OCR text: a control character no reader
 * otherwise leaves in its text. */
#define EXTRACT_OCR_MARK "\x1E"

/* The lines of OCR text that carried confidences. */
typedef struct _OcrLines OcrLines;
void ocr_lines_free (OcrLines *lines);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcrLines, ocr_lines_free)

/* @annotated (extract_image's text) without its annotation lines, for
 * extract_text(); *@lines (transfer full) keeps the confidences.  (transfer full) */
char *extract_ocr_split (const char *annotated, OcrLines **lines);

/* Labels of @form misread by OCR become the field's label (formdef_match_fuzzy),
 * and ->matched is counted again. */
void extract_ocr_labels (FormData *form, const FormDef *def);

/* Set @form->confidence from @lines: per pair, the lowest confidence of the
 * words of its value (of a checkbox, of its box; of an empty value, of its
 * label); 0 for a pair on no annotated line. */
void extract_ocr_confidence (FormData *form, OcrLines *lines);

#endif

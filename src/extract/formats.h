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
 * Encrypted PDFs and PDFs without text (scans) are errors.  No limits on memory
 * or time: extract_form calls it in the sandboxed reader. (transfer full) */
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

#endif

/* extract.h - find the filled form in a parsed message.
 *
 * Stage 3 of the pipeline: parse -> extract -> validate.  Every candidate part
 * (a text or HTML body; a .txt, .html, DOCX, ODT, .doc, RTF or PDF attachment, also inside a
 * ZIP archive or a forwarded message) goes through its format's extractor
 * (formats.h) and then extract_text(), which yields raw label/value pairs; the
 * candidate with the most recognised form fields wins.  Nothing here judges the
 * values: that is validate's.
 */
#ifndef MAILREG_EXTRACT_H
#define MAILREG_EXTRACT_H

#include <gmime/gmime.h>

#include "extract/charset.h"   /* extract_to_utf8(): part of the stage's interface */
#include "validate/formdata.h"   /* what this stage hands on to validate */

typedef struct {
	guint max_depth;         /* nesting of multiparts / forwards / ZIPs walked */
	gsize max_text;          /* decoded bytes read from one text part */
	gsize max_attachment;    /* decoded bytes read from one attachment (DOCX, PDF, ZIP, ...) */
	gsize max_total;         /* bytes decompressed for one message, all parts together */
	gsize max_zip_entry;     /* inflated size of one ZIP entry (document.xml, ...) */
	guint max_zip_entries;   /* entries in one ZIP archive */
	guint max_xml_depth;     /* element nesting in DOCX/ODT/HTML */
	guint max_pdf_pages;     /* pages of a PDF whose text is read */
	gboolean ocr;            /* read images and PDFs of images by OCR */
	guint max_ocr_pages;     /* pages of a scan (TIFF, PDF of images) read by OCR */
	guint64 max_ocr_pixels;  /* pixels of one scanned page, checked before decoding */
	guint max_ocr_seconds;   /* OCR time for one document */
	const char *ocr_tessdata;   /* Tesseract's language data folder, NULL: its default */
	const char *ocr_language;   /* Tesseract language, NULL: "pol" */
} ExtractLimits;

/* Set up libxml2's global state: before documents are read on more than one
 * thread (libxml2 asks for it on the main thread).  Idempotent. */
void extract_init (void);

/* Find the best form candidate in @message, on any thread.  Returns the
 * candidate with the most recognised fields (possibly with matched == 0 when
 * nothing looked like a form), or NULL when the message has no readable
 * candidate at all.  In both cases *@notes (may be NULL) receives a
 * human-readable note for staff about parts that could not be read (limits
 * hit, unsupported formats, a reader stopped), or NULL.  (transfer full) */
FormData *extract_form (GMimeMessage *message, const FormDef *def, const ExtractLimits *limits,
                        char **notes);

/* The text of one document in @format ("pdf", "docx", ... as FormData.format
 * names them; @charset of a text or HTML part, or NULL) read as extract_form
 * reads it: PDF and the other formats without limits of their own in the
 * sandboxed reader program (a reader killed, by its filter or its limits, is
 * a MAILREG_ERROR_DATA naming why: "PDF reader stopped: memory limit (256 MB)"),
 * the rest in this process.  Any thread.  (transfer full) */
char *extract_document (const char *format, GBytes *data, const char *charset, const ExtractLimits *limits,
                        GError **error);

/* The same read in this process, for the formats extract_form reads here
 * (text, HTML, DOCX, ODT); any other format is a MAILREG_ERROR_DATA.
 * (transfer full) */
char *extract_document_here (const char *format, GBytes *data, const char *charset, const ExtractLimits *limits,
                             GError **error);

/* Every format read in this process: for the reader program itself
 * (src/reader.c) and for fuzzing (sandboxed.c).  Only what calls it links the
 * readers of PDF, images, RTF and .doc, so the daemon maps none of poppler,
 * Tesseract, leptonica or libgsf.  (transfer full) */
char *extract_document_in_process (const char *format, GBytes *data, const char *charset,
                                   const ExtractLimits *limits, GError **error);

/* Parse UTF-8 @text as a text form: "Label: value" lines (also tab-separated),
 * "[x] Label" checkbox lines, quoted reply lines ("> Imię: ...").  (transfer full) */
FormData *extract_text (const char *text, const FormDef *def);

/* The text of @part: its transfer encoding decoded, then its charset as
 * extract_to_utf8() does; NULL when it holds more than @max bytes, or when
 * @needle (ASCII, any case; may be NULL) is not in it - found without decoding
 * the charset, a part that cannot hold it costs no conversion.  (transfer full) */
char *extract_part_text (GMimePart *part, gsize max, const char *needle);

#endif

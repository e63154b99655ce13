/* sandboxed.c - the formats read only inside the sandboxed reader program
 * (src/reader.c): PDF, scans by OCR, RTF and Word 97-2003 .doc, whose readers
 * have no limits of their own.  The rest goes to extract_document_here().
 *
 * Apart from extract.c so that linking from the library archive leaves
 * poppler, Tesseract, leptonica and libgsf out of the daemon.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <string.h>

/* See extract.h. */
char *
extract_document_in_process (const char *format, GBytes *data, const char *charset,
                             const ExtractLimits *limits, GError **error)
{
	if (strcmp (format, "pdf") == 0)
		return extract_pdf (data, limits, error);
	if (strcmp (format, "image") == 0)
		return extract_image (data, limits, error);
	if (strcmp (format, "rtf") == 0)
		return extract_rtf (data, limits, error);
	if (strcmp (format, "doc") == 0)
		return extract_doc (data, limits, error);
	return extract_document_here (format, data, charset, limits, error);
}

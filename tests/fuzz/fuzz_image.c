/* fuzz_image.c - bytes -> the scan reader's decoding and limit checks
 * (extract_image_pages): leptonica's header readers and decoders (JPEG, PNG,
 * TIFF with its pages, BMP, PNM, GIF...) and the pixel and page limits before
 * OCR.  Tesseract itself is left out (a second a page).  Every page decoded
 * must be within the limits the headers were checked against.  Seeds: small
 * form pages in every format, made by run.sh from the printed sample. */
#include <allheaders.h>

#include "extract/formats.h"
#include "fuzz.h"

/* the production limits but 1 million pixels (a 300 dpi A4 page has 8.7):
 * a fuzzed header that passes is decoded quickly */
static ExtractLimits limits;

static gboolean
page (struct Pix *pix, int dpi, gpointer user, GError **error)
{
	guint *pages = user;

	if ((guint64) pixGetWidth (pix) * (guint64) pixGetHeight (pix) > limits.max_ocr_pixels ||
	    ++*pages > limits.max_ocr_pages)
		abort ();   /* a page past the checks: what OCR would be given */
	return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	GBytes *bytes = g_bytes_new_static (data, size);
	GError *error = NULL;
	guint pages = 0;

	if (limits.max_ocr_pixels == 0) {
		limits = fuzz_limits;
		limits.max_ocr_pixels = 1 << 20;
		limits.max_ocr_pages = 4;
	}
	if (!extract_image_pages (bytes, &limits, page, &pages, &error) && error == NULL)
		abort ();   /* a refusal always gives its reason */
	g_clear_error (&error);
	g_bytes_unref (bytes);
	return 0;
}

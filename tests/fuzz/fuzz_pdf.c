/* fuzz_pdf.c - a PDF -> extract_pdf, the reader extract_form runs in the
 * sandboxed reader process.  Fuzzed here in this process: libFuzzer would see
 * neither the coverage nor the crashes of another process. */
#include "extract/formats.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	GBytes *bytes;

	fuzz_setup ();
	bytes = g_bytes_new_static (data, size);
	g_free (extract_pdf (bytes, &fuzz_limits, NULL));
	g_bytes_unref (bytes);
	return 0;
}

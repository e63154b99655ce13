/* fuzz_pdf.c - a PDF -> the reader extract_pdf runs in its child process.
 * Fuzzed in-process (extract_pdf_in_process, -DMAILREG_FUZZ builds only):
 * libFuzzer sees neither the coverage nor the crashes of a forked child. */
#include "extract/formats.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	GBytes *bytes;

	fuzz_setup ();
	bytes = g_bytes_new_static (data, size);
	g_free (extract_pdf_in_process (bytes, &fuzz_limits, NULL));
	g_bytes_unref (bytes);
	return 0;
}

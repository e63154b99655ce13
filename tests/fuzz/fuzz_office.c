/* fuzz_office.c - a ZIP archive -> extract_docx, extract_odt (both readers on
 * every input: an ODT corpus file mutates into a DOCX one and back). */
#include "extract/formats.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	GBytes *bytes;
	char *text;

	fuzz_setup ();
	bytes = g_bytes_new_static (data, size);
	text = extract_docx (bytes, &fuzz_limits, NULL);
	g_free (text);
	text = extract_odt (bytes, &fuzz_limits, NULL);
	g_free (text);
	g_bytes_unref (bytes);
	return 0;
}

/* fuzz_doc.c - bytes -> the Word 97 reader: libgsf's OLE2 container, then our
 * FIB, piece table, character properties and FFDATA reading.  Seeds:
 * tests/data/word/*.doc. */
#include "extract/formats.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	GBytes *bytes = g_bytes_new (data, size);
	char *text;

	fuzz_setup ();
	text = extract_doc (bytes, &fuzz_limits, NULL);
	g_free (text);
	g_bytes_unref (bytes);
	return 0;
}

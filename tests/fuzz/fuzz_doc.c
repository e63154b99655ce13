/* fuzz_doc.c - bytes -> the Word 97 reader: libgsf's OLE2 container, then our
 * FIB, piece table, character properties and FFDATA reading.  Seeds:
 * the .doc files of tests/data/word. */
#include "extract/formats.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	GBytes *bytes = g_bytes_new (data, size);
	char *text;

	fuzz_setup ();
	/* libgsf warns (and fails a g_return_if_fail guard) on damaged containers:
	 * its own input checks, not bugs, so not fatal here despite run.sh's
	 * G_DEBUG=fatal-criticals; memory errors are ASan's to find */
	g_log_set_always_fatal (G_LOG_FATAL_MASK);
	text = extract_doc (bytes, &fuzz_limits, NULL);
	g_free (text);
	g_bytes_unref (bytes);
	return 0;
}

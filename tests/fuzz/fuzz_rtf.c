/* fuzz_rtf.c - bytes -> the RTF reader.  Seeds: the .rtf files of tests/data/word.  Every
 * input is given the "{\rtf" start the reader insists on, so mutations reach
 * the control-word walk instead of its first check. */
#include <string.h>

#include "extract/formats.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	guint8 *buf = g_malloc (size + 5);
	GBytes *bytes;
	char *text;

	fuzz_setup ();
	memcpy (buf, "{\\rtf", 5);
	if (size > 0)
		memcpy (buf + 5, data, size);
	bytes = g_bytes_new_take (buf, size + 5);
	text = extract_rtf (bytes, &fuzz_limits, NULL);
	g_free (text);
	g_bytes_unref (bytes);
	return 0;
}

/* fuzz_office_xml.c - XML -> the DOCX and ODT readers behind the ZIP layer.
 *
 * Mutations of a whole .docx/.odt mostly die at the ZIP CRC check before any
 * XML is read (fuzz_office.c).  Here the input is the XML part itself: it is
 * stored, uncompressed and with a right CRC, as word/document.xml and as
 * content.xml of an archive made in memory, so every input reaches
 * extract_docx's and extract_odt's XML walk.  Seeds: the parts of the
 * fixtures (tests/fuzz/run.sh unpacks them). */
#include <zip.h>

#include "extract/formats.h"
#include "fuzz.h"

/* A ZIP archive (stored entries) holding @size bytes of @data under each of
 * @names, or NULL. (transfer full) */
static GBytes *
zip_of (const uint8_t *data, size_t size, const char *const *names)
{
	zip_error_t zerr;
	zip_source_t *mem;
	zip_t *z;
	GBytes *out = NULL;
	zip_stat_t st;

	zip_error_init (&zerr);
	if ((mem = zip_source_buffer_create (NULL, 0, 0, &zerr)) == NULL)
		return NULL;
	zip_source_keep (mem);   /* zip_close would free it: we read it after */
	if ((z = zip_open_from_source (mem, ZIP_TRUNCATE, &zerr)) == NULL) {
		zip_source_free (mem);
		zip_source_free (mem);
		return NULL;
	}
	for (; *names; names++) {
		zip_source_t *entry = zip_source_buffer (z, data, size, 0);
		zip_int64_t i;
		if (entry == NULL || (i = zip_file_add (z, *names, entry, ZIP_FL_OVERWRITE)) < 0) {
			zip_source_free (entry);
			zip_discard (z);
			zip_source_free (mem);
			return NULL;
		}
		zip_set_file_compression (z, (zip_uint64_t) i, ZIP_CM_STORE, 0);
	}
	if (zip_close (z) < 0) {
		zip_discard (z);
		zip_source_free (mem);
		return NULL;
	}
	if (zip_source_stat (mem, &st) == 0 && zip_source_open (mem) == 0) {
		void *buf = g_malloc (st.size ? st.size : 1);
		if (zip_source_read (mem, buf, st.size) == (zip_int64_t) st.size)
			out = g_bytes_new_take (buf, st.size);
		else
			g_free (buf);
		zip_source_close (mem);
	}
	zip_source_free (mem);
	return out;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	static const char *const names[] = { "word/document.xml", "content.xml", NULL };
	GBytes *bytes;
	char *text;

	fuzz_setup ();
	if ((bytes = zip_of (data, size, names)) == NULL)
		abort ();   /* the harness, not the reader: it must always make an archive */
	text = extract_docx (bytes, &fuzz_limits, NULL);
	g_free (text);
	text = extract_odt (bytes, &fuzz_limits, NULL);
	g_free (text);
	g_bytes_unref (bytes);
	return 0;
}

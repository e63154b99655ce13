/* fuzz.h - shared set-up for the libFuzzer targets in tests/fuzz/ (make fuzz).
 *
 * Each target is one fuzz_*.c with LLVMFuzzerTestOneInput; this header gives
 * them GMime, the form definition (templates/form.ini) and the production
 * extraction limits, made once per process.
 */
#ifndef MAILREG_FUZZ_H
#define MAILREG_FUZZ_H

#include <gmime/gmime.h>
#include <stdint.h>
#include <stdlib.h>

#include "extract/extract.h"
#include "validate/formdef.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* the defaults of etc/mailreg.conf [limits], as in tests/unit/test_extract.c */
static const ExtractLimits fuzz_limits = {
	.max_depth = 20, .max_text = 1024 * 1024, .max_attachment = 25 << 20, .max_total = 50 << 20,
	.max_zip_entry = 20 << 20, .max_zip_entries = 1000, .max_xml_depth = 256, .max_pdf_pages = 20,
};

/* GMime initialised and templates/form.ini loaded, on the first call. (transfer none) */
static inline const FormDef *
fuzz_setup (void)
{
	static FormDef *def;

	if (def == NULL) {
		GError *error = NULL;
		g_mime_init ();
		def = formdef_load (FUZZ_FORMDEF, &error);
		if (def == NULL) {
			g_printerr ("fuzz: %s\n", error->message);
			abort ();
		}
	}
	return def;
}

/* @data parsed as a message the way parse.c does (fallback charsets), or NULL. */
static inline GMimeMessage *
fuzz_message (const uint8_t *data, size_t size)
{
	const char *fallback[] = { "utf-8", "windows-1250", NULL };
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer ((const char *) data, size);
	GMimeParser *parser = g_mime_parser_new_with_stream (stream);   /* holds a ref */
	GMimeParserOptions *options = g_mime_parser_options_new ();
	GMimeMessage *msg;

	g_mime_parser_options_set_fallback_charsets (options, fallback);
	msg = g_mime_parser_construct_message (parser, options);
	g_mime_parser_options_free (options);
	g_object_unref (parser);
	g_object_unref (stream);
	return msg;
}

#endif

/* fuzz_mime.c - a whole message -> extract_form (text, HTML, forwarded, ZIP,
 * nested multiparts: whatever the MIME structure leads to). */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	const FormDef *def = fuzz_setup ();
	GMimeMessage *msg = fuzz_message (data, size);
	FormData *form;
	char *notes = NULL;

	if (msg == NULL)
		return 0;
	form = extract_form (msg, def, &fuzz_limits, &notes);
	if (form != NULL)
		form_data_free (form);
	g_free (notes);
	g_object_unref (msg);
	return 0;
}

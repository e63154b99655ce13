/* fuzz_label.c - text -> extract_text -> formdef_match on every label and
 * formdef_normalize on every value (the label matching of extract and validate). */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	const FormDef *def = fuzz_setup ();
	char *text = extract_to_utf8 ((const char *) data, size, NULL);
	FormData *form = extract_text (text, def);

	for (guint i = 0; form != NULL && i < form->pairs->len; i++) {
		const FormPair *p = g_ptr_array_index (form->pairs, i);
		(void) formdef_match (def, p->label);
		g_free (formdef_normalize (p->value));
	}
	if (form != NULL)
		form_data_free (form);
	g_free (text);
	return 0;
}

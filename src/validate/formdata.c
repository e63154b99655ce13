/* formdata.c - a filled form as raw label/value pairs, counted against the form
 * definition: the hand-off from extract (stage 3) to validate (stage 4).
 */
#include "validate/formdata.h"

static void
form_pair_free (FormPair *pair)
{
	g_free (pair->label);
	g_free (pair->value);
	g_free (pair);
}

/* See formdata.h. */
FormData *
form_data_new (const char *part, const char *format)
{
	FormData *form = g_new0 (FormData, 1);

	form->pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) form_pair_free);
	form->part = g_strdup (part);
	form->format = g_strdup (format);
	return form;
}

/* See formdata.h. */
void
form_data_add (FormData *form, const FormDef *def, const char *label, const char *value)
{
	const FieldDef *f = formdef_match (def, label);
	FormPair *pair = g_new (FormPair, 1);

	/* a field named again does not count twice */
	for (guint i = 0; f != NULL && i < form->pairs->len; i++)
		if (formdef_match (def, ((FormPair *) g_ptr_array_index (form->pairs, i))->label) == f)
			f = NULL;
	pair->label = g_strdup (label);
	pair->value = g_strdup (value);
	g_ptr_array_add (form->pairs, pair);
	if (f != NULL)
		form->matched++;
}

/* See formdata.h. */
double
form_data_confidence (const FormData *form, guint i)
{
	if (form->confidence == NULL || i >= form->confidence->len)
		return 1.0;
	return g_array_index (form->confidence, double, i);
}

/* See formdata.h. */
void
form_data_free (FormData *form)
{
	if (form == NULL)
		return;
	if (form->pairs != NULL)
		g_ptr_array_unref (form->pairs);
	if (form->confidence != NULL)
		g_array_unref (form->confidence);
	g_free (form->part);
	g_free (form->format);
	g_free (form);
}

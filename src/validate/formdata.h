/* formdata.h - a filled form as raw label/value pairs: what extract hands to validate.
 *
 * Extract (stage 3) builds it from a message part, staff build it by hand
 * (review register); validate (stage 4) reads it.  It lives beside the form
 * definition it is counted against, so the stages depend one way only:
 * extract -> validate.
 */
#ifndef MAILREG_FORMDATA_H
#define MAILREG_FORMDATA_H

#include <glib.h>

#include "validate/formdef.h"

typedef struct {
	char *label;   /* as written, trimmed (UTF-8) */
	char *value;   /* as written, trimmed; for a checkbox line "[x] Label", the mark "[x]" */
} FormPair;

typedef struct {
	GPtrArray *pairs;   /* FormPair*, in document order */
	char *part;         /* where it came from: "body", "attachment formularz.txt" */
	char *format;       /* "text", "html", "docx", "odt", "pdf", or "typed" by staff */
	guint matched;      /* distinct form fields recognised among the pairs */
	GArray *confidence; /* double 0..1 per pair (parallel to pairs) when read by OCR, else NULL */
} FormData;

/* An empty form from @part (may be NULL; "typed by staff") in @format.
 * (transfer full) */
FormData *form_data_new (const char *part, const char *format);

/* Append the pair @label / @value (copied); ->matched counts the distinct
 * fields of @def named. */
void form_data_add (FormData *form, const FormDef *def, const char *label, const char *value);

/* How sure OCR was of the value of pair @i: 0..1, or 1 when @form was not read by OCR. */
double form_data_confidence (const FormData *form, guint i);

void form_data_free (FormData *form);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FormData, form_data_free)

#endif

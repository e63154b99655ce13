/* ocr-text.c - OCR's annotations taken out of its text again: the confidence
 * of every recognised word, carried from the sandboxed reader to the fields
 * they filled, and labels OCR misread matched again.
 *
 * Part of extract (stage 3), apart from ocr.c so that the daemon, which only
 * reads the reader's answer, links neither Tesseract nor leptonica.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <string.h>

#include "validate/formdef.h"

struct _OcrLines {
	GPtrArray *lines;   /* char*: the text lines that carried an annotation */
	GPtrArray *confs;   /* GArray of double per line, one per space-separated piece */
	GArray *used;       /* gboolean per line */
};

void
ocr_lines_free (OcrLines *lines)
{
	if (lines == NULL)
		return;
	g_ptr_array_unref (lines->lines);
	g_ptr_array_unref (lines->confs);
	g_array_unref (lines->used);
	g_free (lines);
}

/* See formats.h. */
char *
extract_ocr_split (const char *annotated, OcrLines **lines)
{
	g_auto (GStrv) all = g_strsplit (annotated, "\n", -1);
	GString *text = g_string_new (NULL);
	OcrLines *ol = g_new0 (OcrLines, 1);
	const char *prev = NULL;

	ol->lines = g_ptr_array_new_with_free_func (g_free);
	ol->confs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
	ol->used = g_array_new (FALSE, TRUE, sizeof (gboolean));
	for (char **l = all; *l != NULL; l++) {
		if (g_str_has_prefix (*l, EXTRACT_OCR_MARK)) {
			g_auto (GStrv) nums = g_strsplit (*l + strlen (EXTRACT_OCR_MARK), " ", -1);
			GArray *c = g_array_new (FALSE, FALSE, sizeof (double));
			gboolean no = FALSE;

			for (char **n = nums; *n != NULL; n++) {
				double v = g_ascii_strtod (*n, NULL);
				g_array_append_val (c, v);
			}
			if (prev == NULL) {
				g_array_unref (c);
				continue;
			}
			g_ptr_array_add (ol->lines, g_strdup (prev));
			g_ptr_array_add (ol->confs, c);
			g_array_append_val (ol->used, no);
			prev = NULL;
			continue;
		}
		if (**l == '\0' && l[1] == NULL)
			break;
		g_string_append (text, *l);
		g_string_append_c (text, '\n');
		prev = *l;
	}
	*lines = ol;
	return g_string_free (text, FALSE);
}

/* The lowest confidence of the pieces of @line (confidences @c) that overlap
 * bytes [@from, @to). */
static double
span_confidence (const char *line, GArray *c, gsize from, gsize to)
{
	double low = 1.0;
	gsize start = 0;
	guint piece = 0;
	gboolean any = FALSE;

	for (gsize i = 0;; i++) {
		if (line[i] == ' ' || line[i] == '\t' || line[i] == '\0') {
			if (i > start && piece < c->len) {
				if (start < to && i > from) {
					low = MIN (low, g_array_index (c, double, piece));
					any = TRUE;
				}
				piece++;
			}
			start = i + 1;
			if (line[i] == '\0')
				break;
		}
	}
	return any ? low : -1;
}

/* See formats.h. */
void
extract_ocr_confidence (FormData *form, OcrLines *lines)
{
	if (form->confidence == NULL)
		form->confidence = g_array_new (FALSE, FALSE, sizeof (double));
	g_array_set_size (form->confidence, 0);
	for (guint i = 0; i < form->pairs->len; i++) {
		const FormPair *pair = g_ptr_array_index (form->pairs, i);
		double conf = 0;

		for (guint k = 0; k < lines->lines->len; k++) {
			const char *line = g_ptr_array_index (lines->lines, k);
			GArray *c = g_ptr_array_index (lines->confs, k);
			const char *label_at = strstr (line, pair->label);
			const char *value_at;
			double label_conf, value_conf;

			if (g_array_index (lines->used, gboolean, k) || label_at == NULL)
				continue;
			label_conf = span_confidence (line, c, (gsize) (label_at - line),
			                              (gsize) (label_at - line) + strlen (pair->label));
			/* a checkbox's value is its mark: the box in front of the label */
			if (g_str_has_prefix (line, "☒") || g_str_has_prefix (line, "☐"))
				value_at = line;
			else
				value_at = *pair->value != '\0' ? strstr (label_at + strlen (pair->label), pair->value) : NULL;
			value_conf = value_at != NULL
			             ? span_confidence (line, c, (gsize) (value_at - line),
			                                (gsize) (value_at - line) + MAX (strlen (pair->value), 1))
			             : -1;
			/* an empty value: as sure as the label it belongs to */
			conf = value_conf >= 0 ? value_conf : MAX (label_conf, 0);
			g_array_index (lines->used, gboolean, k) = TRUE;
			break;
		}
		g_array_append_val (form->confidence, conf);
	}
}

/* See formats.h. */
void
extract_ocr_labels (FormData *form, const FormDef *def)
{
	g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);

	for (guint i = 0; i < form->pairs->len; i++) {
		FormPair *pair = g_ptr_array_index (form->pairs, i);
		const FieldDef *f = formdef_match (def, pair->label);

		if (f == NULL && (f = formdef_match_fuzzy (def, pair->label)) != NULL) {
			g_free (pair->label);
			pair->label = g_strdup (f->label);
		}
		if (f != NULL)
			g_hash_table_add (seen, (gpointer) f);
	}
	form->matched = g_hash_table_size (seen);
}

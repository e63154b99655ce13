/* formdef.c - load the form definition (templates/form.ini) and match labels.
 *
 * Labels are matched on a normalized form, so "IMIĘ :", "imie" and "Imię"
 * are the same field; the index maps each normalized label and alias to its field.
 */
#include "validate/formdef.h"

#include <string.h>

#include "core/errors.h"
#include "core/fs.h"

static const struct {
	const char *name;
	FieldType type;
} field_types[] = {
	{ "text", FIELD_TEXT },         { "email", FIELD_EMAIL },   { "choice", FIELD_CHOICE },
	{ "checkbox", FIELD_CHECKBOX }, { "powiat", FIELD_POWIAT }, { "subregion", FIELD_SUBREGION },
	{ "topic", FIELD_TOPIC },
};

char *
formdef_normalize (const char *s)
{
	g_autofree char *ascii = g_str_to_ascii (s, "C");
	g_autofree char *lower = g_ascii_strdown (ascii, -1);
	GString *out = g_string_sized_new (strlen (lower));
	gboolean space = FALSE;

	for (const char *p = lower; *p; p++) {
		if (g_ascii_isspace (*p) || *p == '_') {
			space = out->len > 0;
			continue;
		}
		if (space)
			g_string_append_c (out, ' ');
		space = FALSE;
		g_string_append_c (out, *p);
	}
	while (out->len > 0 && (out->str[out->len - 1] == ':' || out->str[out->len - 1] == ' '))
		g_string_truncate (out, out->len - 1);
	return g_string_free (out, FALSE);
}

static void
field_def_free (FieldDef *f)
{
	g_free (f->key);
	g_free (f->label);
	g_strfreev (f->aliases);
	g_strfreev (f->allowed);
	g_free (f);
}

/* "a; b ;c" -> {"a","b","c"}, empty items dropped. */
static char **
split_list (const char *s)
{
	g_auto (GStrv) parts = g_strsplit (s ? s : "", ";", -1);
	GPtrArray *out = g_ptr_array_new ();

	for (char **p = parts; *p; p++) {
		g_strstrip (*p);
		if (**p != '\0')
			g_ptr_array_add (out, g_strdup (*p));
	}
	g_ptr_array_add (out, NULL);
	return (char **) g_ptr_array_free (out, FALSE);
}

static gboolean prefix_label_ok (const char *label);

static gboolean
index_label (FormDef *def, FieldDef *f, const char *label, const char *path, GError **error)
{
	char *norm = formdef_normalize (label);
	FieldDef *other = g_hash_table_lookup (def->index, norm);

	if (other != NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "%s: [%s]: label '%s' is already used by [%s]", path, f->key, label, other->key);
		g_free (norm);
		return FALSE;
	}
	g_hash_table_insert (def->index, norm, f);
	if (prefix_label_ok (norm))
		g_ptr_array_add (def->long_labels, norm);
	return TRUE;
}

static FieldDef *
load_field (GKeyFile *kf, const char *group, const char *path, GError **error)
{
	FieldDef *f = g_new0 (FieldDef, 1);
	g_autofree char *type = g_key_file_get_string (kf, group, "type", NULL);
	g_autofree char *aliases = g_key_file_get_string (kf, group, "aliases", NULL);
	g_autofree char *allowed = g_key_file_get_string (kf, group, "allowed", NULL);
	g_autoptr (GError) local = NULL;
	gboolean typed = FALSE;

	f->key = g_strdup (group);
	f->label = g_key_file_get_string (kf, group, "label", NULL);
	f->aliases = split_list (aliases);
	f->required = g_key_file_get_boolean (kf, group, "required", &local);
	if (local != NULL && local->code != G_KEY_FILE_ERROR_KEY_NOT_FOUND) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "%s: [%s] required: expected true or false", path, group);
		goto fail;
	}
	if (f->label == NULL || *g_strstrip (f->label) == '\0') {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s: [%s] label: missing", path, group);
		goto fail;
	}
	for (gsize i = 0; type && i < G_N_ELEMENTS (field_types); i++)
		if (strcmp (g_strstrip (type), field_types[i].name) == 0) {
			f->type = field_types[i].type;
			typed = TRUE;
		}
	if (!typed) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "%s: [%s] type: '%s' is not one of text, email, choice, checkbox, powiat, "
		             "subregion, topic", path, group, type ? type : "");
		goto fail;
	}
	if (f->type == FIELD_CHOICE) {
		f->allowed = split_list (allowed);
		if (f->allowed[0] == NULL) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			             "%s: [%s] allowed: a choice field needs allowed values", path, group);
			goto fail;
		}
	}
	return f;

fail:
	field_def_free (f);
	return NULL;
}

FormDef *
formdef_load (const char *path, GError **error)
{
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (FormDef) def = g_new0 (FormDef, 1);
	g_auto (GStrv) groups = NULL;

	def->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) field_def_free);
	def->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	def->long_labels = g_ptr_array_new ();
	def->min_fields = 3;

	if (!fs_load_keyfile (kf, path, "form definition", MAILREG_ERROR_DATA, error))
		return NULL;
	groups = g_key_file_get_groups (kf, NULL);
	for (char **g = groups; *g; g++) {
		FieldDef *f;

		if (strcmp (*g, "form") == 0) {
			gint n = g_key_file_get_integer (kf, *g, "min_fields", NULL);
			if (n > 0)
				def->min_fields = (guint) n;
			continue;
		}
		if ((f = load_field (kf, *g, path, error)) == NULL)
			return NULL;
		g_ptr_array_add (def->fields, f);
		if (!index_label (def, f, f->label, path, error))
			return NULL;
		for (char **a = f->aliases; *a; a++)
			if (!index_label (def, f, *a, path, error))
				return NULL;
	}
	if (def->fields->len == 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s: defines no fields", path);
		return NULL;
	}
	return g_steal_pointer (&def);
}

void
formdef_free (FormDef *def)
{
	if (def == NULL)
		return;
	g_ptr_array_unref (def->fields);
	g_hash_table_unref (def->index);
	g_ptr_array_unref (def->long_labels);
	g_free (def);
}

/* Past a leading item number: "1. ", "1) ", "II.3 ", "2.1.", "a) ", "b. ",
 * "1.Imie" (normalized, lower case).  A bare word is no number: a segment is
 * digits, a Roman numeral of i/v/x or a single letter, and the number holds a
 * digit or ends in '.' or ')' - so "i nazwisko" keeps its "i". */
static const char *
skip_numbering (const char *s)
{
	const char *p = s;
	const char *after = s;   /* just past the last '.' or ')' */

	for (;;) {
		gboolean digits = g_ascii_isdigit (*p);

		if (digits)
			while (g_ascii_isdigit (*p))
				p++;
		else if (*p != '\0' && strchr ("ivx", *p) != NULL)
			while (*p != '\0' && strchr ("ivx", *p) != NULL)
				p++;
		else if (g_ascii_isalpha (*p) && !g_ascii_isalpha (p[1]))
			p++;
		else
			return after;
		if (*p == '.' || *p == ')') {
			after = ++p;
			if (*p == ' ')
				return p + 1;
			continue;
		}
		if (*p == ' ' && (digits || after > s))
			return p + 1;
		return after;
	}
}

/* Labels this long (normalized) also match the start of a longer text: a
 * consent box is printed with the whole legal clause after the words of its
 * label.  Short labels never do: "Imię i nazwisko opiekuna" is not "Imię". */
#define PREFIX_MIN_CHARS 30
#define PREFIX_MIN_WORDS 5
/* ... but not the start of a whole paragraph. */
#define PREFIX_MAX_CHARS 600

static gboolean
prefix_label_ok (const char *label)
{
	guint words = 1;

	if (strlen (label) < PREFIX_MIN_CHARS)
		return FALSE;
	for (const char *p = label; *p; p++)
		words += *p == ' ';
	return words >= PREFIX_MIN_WORDS;
}

/* The field whose long label @norm starts with, at a word boundary. */
static const FieldDef *
match_prefix (const FormDef *def, const char *norm)
{
	const char *best = NULL;
	gsize best_len = 0;

	if (strlen (norm) > PREFIX_MAX_CHARS)
		return NULL;
	for (guint i = 0; i < def->long_labels->len; i++) {
		const char *label = g_ptr_array_index (def->long_labels, i);
		gsize n = strlen (label);

		if (n > best_len && strncmp (norm, label, n) == 0 && strchr (" ,.;:(-", norm[n]) != NULL) {
			best = label;
			best_len = n;
		}
	}
	return best != NULL ? g_hash_table_lookup (def->index, best) : NULL;
}

/* @norm without a hint in brackets: "nazwisko (drukowanymi literami)",
 * "temat doradztwa (1-4", cut short where a printed label wrapped. */
static const FieldDef *
match_exact (const FormDef *def, char *norm)
{
	const FieldDef *f = g_hash_table_lookup (def->index, norm);
	char *open;

	if (f == NULL && (open = strpbrk (norm, "([")) != NULL && open > norm) {
		*open = '\0';
		g_strchomp (norm);
		while (*norm != '\0' && strchr (",:-", norm[strlen (norm) - 1]) != NULL) {
			norm[strlen (norm) - 1] = '\0';
			g_strchomp (norm);
		}
		f = g_hash_table_lookup (def->index, norm);
	}
	return f;
}

/* A fillable PDF's field named by the form's key ("first_name", "consent"). */
static const FieldDef *
match_key (const FormDef *def, const char *label)
{
	g_autofree char *key = g_strstrip (g_strdup (label));
	gsize n = strlen (key);

	if (n > 0 && key[n - 1] == ':')
		key[n - 1] = '\0';
	for (guint i = 0; i < def->fields->len; i++) {
		const FieldDef *f = g_ptr_array_index (def->fields, i);
		if (g_ascii_strcasecmp (f->key, key) == 0)
			return f;
	}
	return NULL;
}

static const FieldDef *
match_label (const FormDef *def, const char *label, gboolean prefix)
{
	const FieldDef *by_key = strchr (label, ' ') == NULL ? match_key (def, label) : NULL;
	g_autofree char *norm = by_key == NULL ? formdef_normalize (label) : NULL;
	const char *bare;
	g_autofree char *cut = NULL;
	const FieldDef *f;

	if (by_key != NULL)
		return by_key;
	bare = skip_numbering (norm);
	if ((f = g_hash_table_lookup (def->index, norm)) != NULL || *bare == '\0')
		return f;
	if (prefix && (f = match_prefix (def, bare)) != NULL)
		return f;
	if (bare == norm && strpbrk (norm, "([") == NULL)
		return NULL;   /* nothing to cut: the lookup above was the whole answer */
	cut = g_strdup (bare);
	return match_exact (def, cut);
}

const FieldDef *
formdef_match (const FormDef *def, const char *label)
{
	return match_label (def, label, TRUE);
}

const FieldDef *
formdef_match_whole (const FormDef *def, const char *label)
{
	return match_label (def, label, FALSE);
}

const FieldDef *
formdef_field (const FormDef *def, const char *key)
{
	for (guint i = 0; i < def->fields->len; i++) {
		const FieldDef *f = g_ptr_array_index (def->fields, i);
		if (strcmp (f->key, key) == 0)
			return f;
	}
	return NULL;
}

/* formdef.h - the form definition: fields, Polish labels, aliases and rules.
 *
 * Loaded from a data file (templates/form.ini), never written in C, so staff
 * can add an alias without a rebuild.  Label matching lives here because both
 * extract (to count how much of a candidate is a form) and validate use it.
 */
#ifndef MAILREG_FORMDEF_H
#define MAILREG_FORMDEF_H

#include <glib.h>

typedef enum {
	FIELD_TEXT,       /* free text */
	FIELD_EMAIL,      /* an e-mail address */
	FIELD_CHOICE,     /* one of allowed[] (case-insensitive) */
	FIELD_CHECKBOX,   /* ticked / not ticked */
	FIELD_POWIAT,     /* one of the 36 units of the voivodeship */
	FIELD_SUBREGION,  /* one of the four subregions */
	FIELD_TOPIC,      /* consulting topic: 1-4 or its name */
} FieldType;

typedef struct {
	char *key;        /* "first_name" */
	char *label;      /* "Imię" - as printed on the form, used in messages */
	char **aliases;   /* other labels accepted (NULL-terminated, may be empty) */
	gboolean required;
	FieldType type;
	char **allowed;   /* FIELD_CHOICE only (NULL-terminated), else NULL */
} FieldDef;

typedef struct {
	GPtrArray *fields;   /* FieldDef*, in form order */
	GHashTable *index;   /* normalized label -> FieldDef* (borrowed) */
	GPtrArray *long_labels;   /* normalized labels long enough to match the start of
	                           * a longer text (keys of index, borrowed) */
	guint min_fields;    /* fewer recognised fields than this: no form found */
} FormDef;

/* Load @path.  (transfer full)  MAILREG_ERROR_DATA naming the file, group and key on
 * a malformed definition; MAILREG_ERROR_NOINPUT when unreadable. */
FormDef *formdef_load (const char *path, GError **error);
void formdef_free (FormDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FormDef, formdef_free)

/* The field whose label or alias matches @label, or NULL.  Matching ignores case,
 * Polish diacritics, surrounding spaces/tabs, inner runs of whitespace, a trailing
 * colon, an item number before it ("1.", "II.3", "a)"), and a hint in brackets
 * after it ("Temat doradztwa (1-4):", "Nazwisko (drukowanymi literami)").  A
 * label of at least five words and 30 characters also matches the start of a
 * longer text, at a word's end: the consent box printed with the whole legal
 * clause. (transfer none) */
const FieldDef *formdef_match (const FormDef *def, const char *label);

/* formdef_match without the start of a longer text: the whole of @label is
 * the label. (transfer none) */
const FieldDef *formdef_match_whole (const FormDef *def, const char *label);

/* The field whose key is @key, or NULL.  (transfer none) */
const FieldDef *formdef_field (const FormDef *def, const char *key);

/* @s lower-cased, Polish (and other Latin) diacritics removed, whitespace runs
 * collapsed to one space, trimmed, trailing ':' dropped.  (transfer full) */
char *formdef_normalize (const char *s);

#endif

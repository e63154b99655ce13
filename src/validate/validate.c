/* validate.c - turn extracted label/value pairs into a checked Application.
 *
 * Stage 4 of the pipeline (extract -> validate -> register), pure and without I/O.
 * Every value is cleaned before anything looks at it; problems are Polish
 * sentences for the rejection reply, collected in form order.
 */
#include "validate/validate.h"

#include <string.h>

#include "validate/powiat.h"
#include "validate/reasons.h"

/* Bytes kept of one value: far above any honest answer, small enough for a reply. */
#define VALUE_MAX 500

/* RFC 5321 §4.5.3.1: local part 64, domain label 63; a usable path is 254. */
#define EMAIL_MAX 254
#define LOCAL_MAX 64
#define LABEL_MAX 63

static const char *const support_keys[] = { "info_meeting", "workshops", "consulting", "training", NULL };

static const char *const topic_names[] = {
	"Ekonomia społeczna",
	"Budowanie partnerstw lokalnych",
	"Praca ze środowiskiem lokalnym",
	"Przygotowanie i realizacja projektów systemowych",
};

/* Where each text or choice field is kept in an Application. */
static const struct {
	const char *key;
	gsize offset;
} text_slots[] = {
	{ "first_name", G_STRUCT_OFFSET (Application, first_name) },
	{ "last_name", G_STRUCT_OFFSET (Application, last_name) },
	{ "phone", G_STRUCT_OFFSET (Application, phone) },
	{ "institution", G_STRUCT_OFFSET (Application, institution) },
	{ "institution_type", G_STRUCT_OFFSET (Application, institution_type) },
	{ "position", G_STRUCT_OFFSET (Application, position) },
	{ "needs", G_STRUCT_OFFSET (Application, needs) },
	{ "topics", G_STRUCT_OFFSET (Application, topics) },
}, check_slots[] = {
	{ "info_meeting", G_STRUCT_OFFSET (Application, info_meeting) },
	{ "workshops", G_STRUCT_OFFSET (Application, workshops) },
	{ "consulting", G_STRUCT_OFFSET (Application, consulting) },
	{ "training", G_STRUCT_OFFSET (Application, training) },
	{ "consent", G_STRUCT_OFFSET (Application, consent) },
};

typedef struct {
	const FormDef *def;
	GHashTable *values;   /* field key (borrowed from def) -> cleaned value */
	Application *app;
} Check;

static void add (GPtrArray *list, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
add (GPtrArray *list, const char *fmt, ...)
{
	va_list ap;

	va_start (ap, fmt);
	g_ptr_array_add (list, g_strdup_vprintf (fmt, ap));
	va_end (ap);
}

/* A problem of @app: its Polish sentence and, beside it, its stable @code
 * (reasons.h). */
G_GNUC_PRINTF (3, 4) static void
problem (Application *app, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start (ap, fmt);
	g_ptr_array_add (app->problems, g_strdup_vprintf (fmt, ap));
	va_end (ap);
	g_ptr_array_add (app->problem_codes, (gpointer) code);
}

static gboolean
is_blank (const char *s)
{
	return s == NULL || *s == '\0';
}

/* Line and paragraph separators end a line as surely as LF, so they are
 * treated as control characters: no value may carry a line break onward. */
static gboolean
is_control (gunichar c)
{
	GUnicodeType t = g_unichar_type (c);

	return t == G_UNICODE_CONTROL || t == G_UNICODE_LINE_SEPARATOR
	       || t == G_UNICODE_PARAGRAPH_SEPARATOR;
}

/* @s with surrounding Unicode white space (also no-break spaces) removed.  (transfer full) */
static char *
utf8_strip (const char *s)
{
	const char *start = s, *end = s + strlen (s);

	while (*start && g_unichar_isspace (g_utf8_get_char (start)))
		start = g_utf8_next_char (start);
	while (end > start) {
		const char *prev = g_utf8_prev_char (end);
		if (!g_unichar_isspace (g_utf8_get_char (prev)))
			break;
		end = prev;
	}
	return g_strndup (start, end - start);
}

/* @raw as valid UTF-8, each run of control characters one space, trimmed and
 * cut to VALUE_MAX bytes at a character boundary.  (transfer full) */
static char *
clean_value (const char *raw)
{
	g_autofree char *valid = g_utf8_make_valid (raw ? raw : "", -1);
	g_autoptr (GString) out = g_string_sized_new (strlen (valid));
	gboolean in_control = FALSE;
	g_autofree char *trimmed = NULL;
	gsize end;

	for (const char *p = valid; *p; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);

		if (is_control (c)) {
			if (!in_control)
				g_string_append_c (out, ' ');
			in_control = TRUE;
			continue;
		}
		in_control = FALSE;
		g_string_append_unichar (out, c);
	}
	trimmed = utf8_strip (out->str);
	end = strlen (trimmed);
	if (end <= VALUE_MAX)
		return g_steal_pointer (&trimmed);
	/* Back up over continuation bytes so the cut never splits a character. */
	end = VALUE_MAX;
	while (end > 0 && ((guchar) trimmed[end] & 0xC0) == 0x80)
		end--;
	trimmed[end] = '\0';
	return utf8_strip (trimmed);
}

int
validate_checkbox (const char *value)
{
	static const char *const ticked[] = { "x", "☒", "☑", "✓", "✔", "■", "tak", NULL };
	static const char *const unticked[] = { "", "☐", "□", "nie", NULL };
	g_autofree char *valid = NULL;
	g_autofree char *mark = NULL;
	g_autofree char *folded = NULL;
	gsize len;

	if (value == NULL)
		return 0;
	valid = g_utf8_make_valid (value, -1);
	mark = utf8_strip (valid);
	len = strlen (mark);
	/* One pair of brackets around the mark: "[x]", "[ x ]", "(x)", "[✓]", "[]" */
	if (len >= 2 && ((mark[0] == '[' && mark[len - 1] == ']') || (mark[0] == '(' && mark[len - 1] == ')'))) {
		char *inner;

		mark[len - 1] = '\0';
		inner = utf8_strip (mark + 1);
		g_free (mark);
		mark = inner;
	}
	folded = g_utf8_strdown (mark, -1);
	if (g_strv_contains (ticked, folded))
		return 1;
	if (g_strv_contains (unticked, folded))
		return 0;
	return -1;
}

static gboolean
email_local_ok (const char *s, gsize len)
{
	if (len == 0 || len > LOCAL_MAX || s[0] == '.' || s[len - 1] == '.')
		return FALSE;
	for (gsize i = 0; i < len; i = g_utf8_next_char (s + i) - s) {
		guchar c = (guchar) s[i];

		/* RFC 6531: UTF-8 is allowed in the local part, but not its spaces and controls. */
		if (c >= 0x80) {
			gunichar u = g_utf8_get_char (s + i);
			if (!g_unichar_isgraph (u) || is_control (u))
				return FALSE;
			continue;
		}
		if (g_ascii_isalnum (c) || strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL)
			continue;
		if (c == '.' && s[i + 1] != '.')
			continue;
		return FALSE;
	}
	return TRUE;
}

static gboolean
email_domain_ok (const char *s)
{
	g_auto (GStrv) labels = g_strsplit (s, ".", -1);
	guint n = g_strv_length (labels);

	if (n < 2)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		const char *l = labels[i];
		gsize len = strlen (l);

		if (len == 0 || len > LABEL_MAX || l[0] == '-' || l[len - 1] == '-')
			return FALSE;
		for (const char *p = l; *p; p++)
			if (!g_ascii_isalnum (*p) && *p != '-')
				return FALSE;
	}
	/* A top-level domain starts with a letter: this rejects bare IPv4 addresses. */
	return g_ascii_isalpha (labels[n - 1][0]) && strlen (labels[n - 1]) >= 2;
}

gboolean
validate_email (const char *addr)
{
	const char *at;
	gsize len;

	if (addr == NULL)
		return FALSE;
	len = strlen (addr);
	if (len == 0 || len > EMAIL_MAX || !g_utf8_validate (addr, len, NULL))
		return FALSE;
	if ((at = strchr (addr, '@')) == NULL || strchr (at + 1, '@') != NULL)
		return FALSE;
	return email_local_ok (addr, at - addr) && email_domain_ok (at + 1);
}

/* The label a message should name for @key: the form's own, else @fallback. */
static const char *
label_of (const FormDef *def, const char *key, const char *fallback)
{
	const FieldDef *f = formdef_field (def, key);

	return f != NULL ? f->label : fallback;
}

static void
store_text (Application *app, const char *key, const char *value)
{
	for (gsize i = 0; i < G_N_ELEMENTS (text_slots); i++)
		if (strcmp (key, text_slots[i].key) == 0) {
			char **slot = G_STRUCT_MEMBER_P (app, text_slots[i].offset);
			g_free (*slot);
			*slot = g_strdup (value);
		}
}

static void
store_check (Application *app, const char *key, gboolean ticked)
{
	for (gsize i = 0; i < G_N_ELEMENTS (check_slots); i++)
		if (strcmp (key, check_slots[i].key) == 0)
			G_STRUCT_MEMBER (gboolean, app, check_slots[i].offset) = ticked;
}

static const char *
value_of (const Check *c, const char *key)
{
	return g_hash_table_lookup (c->values, key);
}

static int
checkbox_of (const Check *c, const char *key)
{
	return validate_checkbox (value_of (c, key));
}

/* The topic whose name @norm (normalized) starts, or that starts @norm: 1..4, 0 when
 * none, -1 when the text fits more than one. */
static int
topic_by_name (const char *norm)
{
	int found = 0;

	if (strlen (norm) < 3)
		return 0;
	for (gsize i = 0; i < G_N_ELEMENTS (topic_names); i++) {
		g_autofree char *name = formdef_normalize (topic_names[i]);

		if (g_str_has_prefix (name, norm) || g_str_has_prefix (norm, name)) {
			if (found != 0)
				return -1;
			found = (int) i + 1;
		}
	}
	return found;
}

/* A consulting topic as written: "2", "2.", "temat 2", "nr 2)", "2 - Budowanie ...",
 * "Budowanie partnerstw" -> 1..4; 0 when unreadable.  A number followed by another
 * topic's name is unreadable rather than guessed. */
static int
parse_topic (const char *value)
{
	g_autofree char *norm = formdef_normalize (value);
	const char *p = norm;
	int n, named;

	if (g_str_has_prefix (p, "temat"))
		p += strlen ("temat");
	while (*p == ' ' || *p == '#')
		p++;
	if (g_str_has_prefix (p, "nr"))
		p += strlen ("nr");
	while (*p == ' ' || *p == '.')
		p++;
	if (!g_ascii_isdigit (*p))
		return MAX (topic_by_name (norm), 0);
	n = *p++ - '0';
	if (g_ascii_isdigit (*p) || n < 1 || n > (int) G_N_ELEMENTS (topic_names))
		return 0;
	while (*p != '\0' && strchr (" .)-:", *p) != NULL)
		p++;
	if (*p == '\0')
		return n;
	/* "1 i 2", "1 lub 3": more than one topic is not a choice. */
	if (!g_ascii_isalpha (*p) || strpbrk (p, "0123456789") != NULL)
		return 0;
	named = topic_by_name (p);
	return named == 0 || named == n ? n : 0;
}

static void
check_required (Check *c, const FieldDef *f, const char *value)
{
	if (f->required && is_blank (value))
		problem (c->app, REASON_MISSING_FIELD, "Pole „%s” jest wymagane — nie zostało wypełnione.", f->label);
}

static void
check_email (Check *c, const FieldDef *f, const char *value, const char *sender)
{
	Application *app = c->app;
	g_autofree char *from = clean_value (sender);

	if (!is_blank (value) && validate_email (value)) {
		app->email = g_utf8_strdown (value, -1);
		return;
	}
	/* The reply goes to the sender anyway; keep that address for staff even when
	 * the form's own is rejected. */
	if (validate_email (from))
		app->email = g_utf8_strdown (from, -1);
	if (!is_blank (value))
		problem (app, REASON_INVALID_EMAIL, "Pole „%s”: „%s” nie jest poprawnym adresem e-mail.", f->label, value);
	else if (f->required)
		check_required (c, f, value);
	else if (app->email == NULL)
		problem (app, REASON_NO_REPLY_ADDRESS,
		     "Pole „%s” nie zostało wypełnione, a adres nadawcy wiadomości nie jest poprawnym "
		     "adresem e-mail — podaj adres, na który mamy odpowiedzieć.", f->label);
}

static void
check_choice (Check *c, const FieldDef *f, const char *value)
{
	g_autofree char *norm = NULL;
	g_autofree char *list = NULL;

	if (is_blank (value)) {
		check_required (c, f, value);
		return;
	}
	norm = formdef_normalize (value);
	for (char **a = f->allowed; a && *a; a++) {
		g_autofree char *allowed = formdef_normalize (*a);
		if (strcmp (norm, allowed) == 0) {
			store_text (c->app, f->key, *a);
			return;
		}
	}
	list = g_strjoinv (", ", f->allowed);
	problem (c->app, REASON_INVALID_CHOICE, "Pole „%s”: „%s” nie jest jedną z dozwolonych wartości (%s).",
	     f->label, value, list);
}

/* Set the unit and its subregion from the first powiat field, before any field is
 * reported on: the subregion is judged against it wherever it stands in the form. */
static void
lookup_powiat (Check *c)
{
	for (guint i = 0; i < c->def->fields->len; i++) {
		const FieldDef *f = g_ptr_array_index (c->def->fields, i);
		const char *canonical = NULL;

		if (f->type != FIELD_POWIAT)
			continue;
		c->app->subregion = powiat_subregion (value_of (c, f->key), &canonical);
		c->app->powiat = g_strdup (canonical);
		return;
	}
}

static void
check_powiat (Check *c, const FieldDef *f, const char *value)
{
	if (is_blank (value))
		check_required (c, f, value);
	else if (powiat_subregion (value, NULL) == NULL)
		problem (c->app, REASON_UNKNOWN_POWIAT,
		     "Pole „%s”: nie rozpoznano „%s”. Podaj jeden z 36 powiatów lub miast na prawach "
		     "powiatu województwa śląskiego.", f->label, value);
}

static void
check_subregion (Check *c, const FieldDef *f, const char *value)
{
	Application *app = c->app;
	const char *given;

	if (is_blank (value)) {
		check_required (c, f, value);
		return;
	}
	given = powiat_subregion_name (value);
	if (given == NULL && app->subregion != NULL)
		add (app->notes, "Pole „%s”: nie rozpoznano „%s”; przyjęto subregion „%s” wynikający "
		     "z powiatu „%s”.", f->label, value, app->subregion, app->powiat);
	else if (given == NULL)
		add (app->notes, "Pole „%s”: nie rozpoznano „%s”.", f->label, value);
	else if (app->subregion != NULL && strcmp (given, app->subregion) != 0)
		add (app->notes, "Pole „%s”: podano „%s”, ale powiat „%s” należy do subregionu „%s” — "
		     "przyjęto subregion „%s”.", f->label, value, app->powiat, app->subregion,
		     app->subregion);
}

static void
check_checkbox (Check *c, const FieldDef *f, const char *value)
{
	int state = validate_checkbox (value);

	store_check (c->app, f->key, state == 1);
	if (value == NULL && f->required) {
		/* not found is not "not ticked": the reader may have missed it */
		add (c->app->unread, "required box \"%s\" not found in the form", f->label);
		if (strcmp (f->key, "consent") == 0)
			problem (c->app, REASON_BOX_NOT_FOUND, "Wymagana jest zgoda na przetwarzanie danych osobowych "
			         "(„%s”) — nie znaleziono jej w formularzu.", f->label);
		else
			problem (c->app, REASON_BOX_NOT_FOUND, "Pole „%s” musi zostać zaznaczone — nie znaleziono go "
			         "w formularzu.", f->label);
		return;
	}
	if (state < 0) {
		problem (c->app, REASON_UNREADABLE_CHECKBOX, "Pole „%s”: nieczytelne zaznaczenie „%s”. Wpisz [x], aby zaznaczyć, "
		     "lub [ ], aby nie zaznaczać.", f->label, value);
		return;
	}
	if (!f->required || state == 1)
		return;
	if (strcmp (f->key, "consent") == 0)
		problem (c->app, REASON_NO_CONSENT, "Wymagana jest zgoda na przetwarzanie danych osobowych („%s”).",
		     f->label);
	else
		problem (c->app, REASON_REQUIRED_CHECKBOX, "Pole „%s” musi zostać zaznaczone.", f->label);
}

/* At least one form of support.  Skipped when one of the boxes was unreadable:
 * that problem already says what to fix. */
static void
check_support (Check *c)
{
	g_autoptr (GString) list = g_string_new (NULL);
	guint n = 0, total = 0, found = 0;

	for (const char *const *k = support_keys; *k; k++) {
		if (checkbox_of (c, *k) != 0)
			return;
		if (formdef_field (c->def, *k) != NULL)
			total++;
	}
	for (const char *const *k = support_keys; *k; k++) {
		const FieldDef *f = formdef_field (c->def, *k);
		if (f == NULL)
			continue;
		n++;
		found += value_of (c, *k) != NULL;
		g_string_append_printf (list, "%s„%s”", n == 1 ? "" : n == total ? " lub " : ", ", f->label);
	}
	problem (c->app, REASON_NO_SUPPORT_CHOSEN, "Zaznacz co najmniej jedną formę wsparcia: %s.", list->str);
	/* none of the boxes found at all: perhaps none could be read */
	if (found == 0)
		add (c->app->unread, "no support box (%s) found in the form", list->str);
}

static void
check_topic (Check *c, const FieldDef *f, const char *value)
{
	Application *app = c->app;
	int consulting = checkbox_of (c, "consulting");
	int topic = is_blank (value) ? 0 : parse_topic (value);
	const char *consulting_label = label_of (c->def, "consulting", "Doradztwo");

	app->consulting_topic = topic;
	if (consulting == 1 && is_blank (value))
		problem (app, REASON_MISSING_TOPIC, "Zaznaczono „%s” — w polu „%s” podaj numer tematu (1–4) lub jego nazwę.",
		     consulting_label, f->label);
	else if (consulting == 1 && topic == 0)
		problem (app, REASON_UNKNOWN_TOPIC, "Pole „%s”: nie rozpoznano tematu „%s”. Podaj numer od 1 do 4 lub nazwę "
		     "tematu.", f->label, value);
	else if (consulting == 0 && topic != 0)
		add (app->notes, "Podano temat doradztwa %d („%s”), ale nie zaznaczono pola „%s” — "
		     "doradztwa nie uwzględniono.", topic, topic_names[topic - 1], consulting_label);
	else if (consulting == 0 && !is_blank (value))
		add (app->notes, "Pole „%s”: nie rozpoznano tematu „%s”; pole „%s” nie jest zaznaczone, "
		     "więc temat pominięto.", f->label, value, consulting_label);
	else
		check_required (c, f, value);
}

/* Index in def->fields of the last support checkbox, or -1: the "at least one"
 * problem follows the whole group, so it comes after any unreadable box in it. */
static int
last_support_index (const FormDef *def)
{
	int last = -1;

	for (guint i = 0; i < def->fields->len; i++) {
		const FieldDef *f = g_ptr_array_index (def->fields, i);
		if (f->type == FIELD_CHECKBOX && g_strv_contains (support_keys, f->key))
			last = (int) i;
	}
	return last;
}

Application *
validate_form (const FormDef *def, const FormData *form, const char *sender)
{
	g_autoptr (Application) app = NULL;
	g_autoptr (GHashTable) values = NULL;
	Check c;
	int last_support;

	g_return_val_if_fail (def != NULL, NULL);
	app = g_new0 (Application, 1);
	values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	c = (Check) { def, values, app };
	last_support = last_support_index (def);

	app->problems = g_ptr_array_new_with_free_func (g_free);
	app->problem_codes = g_ptr_array_new ();
	app->notes = g_ptr_array_new_with_free_func (g_free);
	app->unread = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; form != NULL && form->pairs != NULL && i < form->pairs->len; i++) {
		const FormPair *pair = g_ptr_array_index (form->pairs, i);
		const FieldDef *f = pair->label ? formdef_match (def, pair->label) : NULL;
		const char *old;

		if (f == NULL)
			continue;
		old = g_hash_table_lookup (values, f->key);
		if (is_blank (old))
			g_hash_table_insert (values, f->key, clean_value (pair->value));
	}

	lookup_powiat (&c);

	for (guint i = 0; i < def->fields->len; i++) {
		const FieldDef *f = g_ptr_array_index (def->fields, i);
		const char *value = value_of (&c, f->key);

		switch (f->type) {
		case FIELD_TEXT:
			check_required (&c, f, value);
			if (!is_blank (value))
				store_text (app, f->key, value);
			break;
		case FIELD_EMAIL:
			check_email (&c, f, value, sender);
			break;
		case FIELD_CHOICE:
			check_choice (&c, f, value);
			break;
		case FIELD_POWIAT:
			check_powiat (&c, f, value);
			break;
		case FIELD_SUBREGION:
			check_subregion (&c, f, value);
			break;
		case FIELD_CHECKBOX:
			check_checkbox (&c, f, value);
			break;
		case FIELD_TOPIC:
			check_topic (&c, f, value);
			break;
		}
		if ((int) i == last_support)
			check_support (&c);
	}
	return g_steal_pointer (&app);
}

void
application_free (Application *app)
{
	if (app == NULL)
		return;
	g_free (app->first_name);
	g_free (app->last_name);
	g_free (app->email);
	g_free (app->phone);
	g_free (app->institution);
	g_free (app->institution_type);
	g_free (app->position);
	g_free (app->powiat);
	g_free (app->needs);
	g_free (app->topics);
	if (app->problems != NULL)
		g_ptr_array_unref (app->problems);
	if (app->problem_codes != NULL)
		g_ptr_array_unref (app->problem_codes);
	if (app->notes != NULL)
		g_ptr_array_unref (app->notes);
	if (app->unread != NULL)
		g_ptr_array_unref (app->unread);
	g_free (app);
}

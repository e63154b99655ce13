/* test_office.c - unit tests of the DOCX/ODT extractors and the bounded ZIP reader.
 *
 * Every tests/data/office/NAME.docx or NAME.odt goes through extract_docx() or
 * extract_odt() and is compared with NAME.expected (format: tests/data/office/make.py,
 * which writes both): the exact text, or "error: REASON" for hostile and broken files.
 * Then the whole chain - document, text, extract_text(), form.ini - on a few of them.
 * Run from the repository root (it reads templates/form.ini).
 */
#include <string.h>

#include <libxml/parser.h>

#include "core/errors.h"
#include "extract/formats.h"

#define FIXTURE_DIR "tests/data/office"
#define MIB (1024 * 1024)

static FormDef *def;

static const ExtractLimits default_limits = {
	.max_depth = 20,
	.max_text = 1 * MIB,
	.max_attachment = 25 * MIB,
	.max_total = 50 * MIB,
	.max_zip_entry = 20 * MIB,
	.max_zip_entries = 1000,
	.max_xml_depth = 256,
	.max_pdf_pages = 20,
};

static GBytes *
load (const char *name)
{
	g_autofree char *path = g_build_filename (FIXTURE_DIR, name, NULL);
	g_autoptr (GError) error = NULL;
	char *data = NULL;
	gsize len = 0;

	g_file_get_contents (path, &data, &len, &error);
	g_assert_no_error (error);
	if (data == NULL)
		return g_bytes_new (NULL, 0);
	return g_bytes_new_take (data, len);
}

static char *
extract_file (const char *file, GBytes *data, const ExtractLimits *limits, GError **error)
{
	if (g_str_has_suffix (file, ".odt"))
		return extract_odt (data, limits, error);
	return extract_docx (data, limits, error);
}

/* "limits: xml_depth=N zip_entry=BYTES zip_entries=N" */
static void
parse_limits (const char *line, ExtractLimits *limits)
{
	g_auto (GStrv) words = g_strsplit (line, " ", -1);

	for (char **w = words; *w != NULL; w++) {
		guint64 n;
		const char *eq = strchr (*w, '=');

		if (eq == NULL)
			continue;
		g_assert_true (g_ascii_string_to_unsigned (eq + 1, 10, 0, G_MAXUINT32, &n, NULL));
		if (g_str_has_prefix (*w, "xml_depth="))
			limits->max_xml_depth = (guint) n;
		else if (g_str_has_prefix (*w, "zip_entry="))
			limits->max_zip_entry = (gsize) n;
		else if (g_str_has_prefix (*w, "zip_entries="))
			limits->max_zip_entries = (guint) n;
		else
			g_assert_not_reached ();
	}
}

static void
test_fixture (gconstpointer data)
{
	const char *file = data;
	g_autofree char *base = g_strndup (file, strrchr (file, '.') - file);
	g_autofree char *exp_path = g_strdup_printf ("%s/%s.expected", FIXTURE_DIR, base);
	g_autofree char *expected = NULL;
	g_autofree char *actual = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) bytes = NULL;
	ExtractLimits limits = default_limits;
	const char *body;

	g_file_get_contents (exp_path, &expected, NULL, &error);
	g_assert_no_error (error);
	if (expected == NULL)
		return;
	body = expected;
	if (g_str_has_prefix (body, "limits: ")) {
		const char *nl = strchr (body, '\n');
		g_autofree char *line = g_strndup (body + 8, nl - body - 8);
		parse_limits (line, &limits);
		body = nl + 1;
	}

	bytes = load (file);
	actual = extract_file (file, bytes, &limits, &error);
	if (g_str_has_prefix (body, "error: ")) {
		g_autofree char *reason = g_strndup (body + 7, strcspn (body + 7, "\n"));
		g_assert_null (actual);
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
		if (error != NULL && strstr (error->message, reason) == NULL)
			g_test_fail_printf ("error \"%s\" does not mention \"%s\"", error->message, reason);
		return;
	}
	g_assert_no_error (error);
	g_assert_cmpstr (actual, ==, body);
	if (actual != NULL)
		g_assert_true (g_utf8_validate (actual, -1, NULL));
}

/* ------------------------------------------------------------------------- */
/* The whole chain: document -> text -> pairs -> form fields */

/* The value of the first pair naming field @key, or NULL. */
static const char *
pair_value (const FormData *form, const char *key)
{
	for (guint i = 0; i < form->pairs->len; i++) {
		const FormPair *p = g_ptr_array_index (form->pairs, i);
		const FieldDef *f = formdef_match (def, p->label);
		if (f != NULL && strcmp (f->key, key) == 0)
			return p->value;
	}
	return NULL;
}

static FormData *
chain (const char *file)
{
	g_autoptr (GBytes) bytes = load (file);
	g_autoptr (GError) error = NULL;
	g_autofree char *text = extract_file (file, bytes, &default_limits, &error);

	g_assert_no_error (error);
	g_assert_nonnull (text);
	return extract_text (text != NULL ? text : "", def);
}

/* The table form, saved by LibreOffice as ODT and as DOCX, and as made. */
static void
test_chain_table_form (gconstpointer data)
{
	g_autoptr (FormData) form = chain (data);

	/* every field of form.ini is on the form */
	g_assert_cmpuint (form->matched, ==, def->fields->len);
	g_assert_cmpstr (pair_value (form, "first_name"), ==, "Anna");
	g_assert_cmpstr (pair_value (form, "last_name"), ==, "Nowak");
	g_assert_cmpstr (pair_value (form, "institution"), ==, "Miejski Ośrodek Pomocy Społecznej w Gliwicach");
	g_assert_cmpstr (pair_value (form, "powiat"), ==, "Gliwice");
	g_assert_cmpstr (pair_value (form, "info_meeting"), ==, "☒");
	g_assert_cmpstr (pair_value (form, "workshops"), ==, "☐");
	g_assert_cmpstr (pair_value (form, "consulting_topic"), ==, "2");
	g_assert_cmpstr (pair_value (form, "needs"), ==, "");
	g_assert_cmpstr (pair_value (form, "topics"), ==, "ekonomia społeczna, partnerstwa lokalne");
	g_assert_cmpstr (pair_value (form, "consent"), ==, "☒");
}

static void
test_chain_checkboxes (void)
{
	g_autoptr (FormData) legacy = chain ("formcheckbox.docx");
	g_autoptr (FormData) lo = chain ("lo-formcheckbox.odt");
	g_autoptr (FormData) sdt = chain ("sdt-checkbox.docx");
	g_autoptr (FormData) odt = chain ("odt-forms.odt");

	g_assert_cmpstr (pair_value (legacy, "info_meeting"), ==, "☒");
	g_assert_cmpstr (pair_value (legacy, "workshops"), ==, "☐");
	g_assert_cmpstr (pair_value (legacy, "training"), ==, "☐");
	g_assert_cmpstr (pair_value (legacy, "first_name"), ==, "Anna");
	g_assert_cmpstr (pair_value (legacy, "institution_type"), ==, "PCPR");
	g_assert_cmpstr (pair_value (legacy, "consent"), ==, "☒");
	g_assert_cmpstr (pair_value (lo, "info_meeting"), ==, "☒");
	g_assert_cmpstr (pair_value (lo, "consent"), ==, "☒");
	g_assert_cmpstr (pair_value (sdt, "consulting"), ==, "☒");
	g_assert_cmpstr (pair_value (sdt, "training"), ==, "☐");
	g_assert_cmpstr (pair_value (odt, "consulting"), ==, "☒");
	g_assert_cmpstr (pair_value (odt, "last_name"), ==, "Nowak");
	g_assert_cmpstr (pair_value (odt, "consent"), ==, "☐");
}

static void
test_chain_content_controls (void)
{
	g_autoptr (FormData) form = chain ("sdt-alias.docx");

	g_assert_cmpstr (pair_value (form, "first_name"), ==, "Anna");
	g_assert_cmpstr (pair_value (form, "last_name"), ==, "Nowak");
	g_assert_cmpstr (pair_value (form, "phone"), ==, "32 111 22 33");
	g_assert_cmpstr (pair_value (form, "position"), ==, "");
	g_assert_cmpstr (pair_value (form, "email"), ==, "anna.nowak@mops.gliwice.example");
	g_assert_cmpstr (pair_value (form, "subregion"), ==, "centralny");
}

static void
test_chain_tracked (void)
{
	g_autoptr (FormData) docx = chain ("tracked-changes.docx");
	g_autoptr (FormData) odt = chain ("odt-tracked.odt");

	g_assert_cmpstr (pair_value (docx, "last_name"), ==, "Nowak");
	g_assert_cmpstr (pair_value (docx, "position"), ==, NULL);
	g_assert_cmpstr (pair_value (odt, "last_name"), ==, "Nowak");
	g_assert_cmpstr (pair_value (odt, "position"), ==, NULL);
}

/* ------------------------------------------------------------------------- */
/* ZIP reader */

static void
test_zip_list (void)
{
	g_autoptr (GBytes) docx = load ("table-form.docx");
	g_autoptr (GBytes) many = load ("too-many-entries.docx");
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) names = zip_list (docx, &default_limits, &error);
	g_autoptr (GPtrArray) none = NULL;
	ExtractLimits few = default_limits;
	gboolean found = FALSE;

	g_assert_no_error (error);
	g_assert_nonnull (names);
	for (guint i = 0; names != NULL && i < names->len; i++)
		found |= strcmp (g_ptr_array_index (names, i), "word/document.xml") == 0;
	g_assert_true (found);

	/* the limit is checked before libzip reads the central directory */
	none = zip_list (many, &default_limits, &error);
	g_assert_null (none);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	g_clear_error (&error);

	few.max_zip_entries = names != NULL ? names->len - 1 : 0;
	none = zip_list (docx, &few, &error);
	g_assert_null (none);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	if (error != NULL)
		g_assert_nonnull (strstr (error->message, "more than the limit of"));
	g_clear_error (&error);

	few.max_zip_entries = names != NULL ? names->len : 0;
	none = zip_list (docx, &few, &error);
	g_assert_no_error (error);
	g_assert_nonnull (none);
}

static void
test_zip_read_entry (void)
{
	g_autoptr (GBytes) docx = load ("table-form.docx");
	g_autoptr (GBytes) types = NULL;
	g_autoptr (GBytes) none = NULL;
	g_autoptr (GError) error = NULL;
	ExtractLimits small = default_limits;
	gsize len = 0;
	const char *data;

	types = zip_read_entry (docx, "[Content_Types].xml", &default_limits, &error);
	g_assert_no_error (error);
	g_assert_nonnull (types);
	if (types != NULL) {
		data = g_bytes_get_data (types, &len);
		g_assert_cmpuint (len, >, 5);
		g_assert_cmpmem (data, 5, "<?xml", 5);
	}

	none = zip_read_entry (docx, "word/nothing.xml", &default_limits, &error);
	g_assert_null (none);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	if (error != NULL)
		g_assert_cmpstr (error->message, ==, "ZIP entry word/nothing.xml missing");
	g_clear_error (&error);

	small.max_zip_entry = 100;
	none = zip_read_entry (docx, "word/document.xml", &small, &error);
	g_assert_null (none);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	if (error != NULL)
		g_assert_cmpstr (error->message, ==, "entry word/document.xml inflates beyond 100 bytes");
}

static void
test_zip_not_zip (void)
{
	g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
	g_autoptr (GBytes) eocd_only = g_bytes_new_static ("PK\5\6\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22);
	g_autoptr (GBytes) none = NULL;
	g_autoptr (GPtrArray) list = NULL;
	g_autoptr (GError) error = NULL;

	none = zip_read_entry (empty, "content.xml", &default_limits, &error);
	g_assert_null (none);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	if (error != NULL)
		g_assert_cmpstr (error->message, ==, "not a ZIP archive");
	g_clear_error (&error);

	/* an empty archive is a ZIP without the entry */
	list = zip_list (eocd_only, &default_limits, &error);
	g_assert_no_error (error);
	g_assert_nonnull (list);
	if (list != NULL)
		g_assert_cmpuint (list->len, ==, 0);
	none = zip_read_entry (eocd_only, "content.xml", &default_limits, &error);
	g_assert_null (none);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
}

/* The ZIP bombs under the limits integrators use: refused, naming the limit,
 * before (honest sizes) or as soon as (lying sizes) 20 MiB are inflated. */
static void
test_zip_bomb (void)
{
	static const ExtractLimits limits = {
		.max_zip_entry = 20 * MIB, .max_zip_entries = 1000, .max_xml_depth = 256,
	};
	const char *const files[] = { "bomb.docx", "bomb-lying.docx" };

	for (gsize i = 0; i < G_N_ELEMENTS (files); i++) {
		g_autoptr (GBytes) bytes = load (files[i]);
		g_autoptr (GError) error = NULL;
		g_autoptr (GBytes) entry = zip_read_entry (bytes, "word/document.xml", &limits, &error);
		g_autofree char *text = NULL;

		g_assert_null (entry);
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
		g_clear_error (&error);
		text = extract_docx (bytes, &limits, &error);
		g_assert_null (text);
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
		if (error != NULL)
			g_assert_cmpstr (error->message, ==, "entry word/document.xml inflates beyond 20971520 bytes");
	}
}

/* The wrong extractor for the package: a reason, not garbage. */
static void
test_wrong_format (void)
{
	g_autoptr (GBytes) docx = load ("table-form.docx");
	g_autoptr (GBytes) odt = load ("odt-table.odt");
	g_autoptr (GError) error = NULL;
	g_autofree char *a = extract_odt (docx, &default_limits, &error);
	g_autofree char *b = NULL;

	g_assert_null (a);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	if (error != NULL)
		g_assert_cmpstr (error->message, ==, "ZIP entry content.xml missing");
	g_clear_error (&error);
	b = extract_docx (odt, &default_limits, &error);
	g_assert_null (b);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
	return strcmp (*(const char *const *) a, *(const char *const *) b);
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GDir) dir = NULL;
	const char *entry;
	int rc;

	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();

	def = formdef_load ("templates/form.ini", &error);
	g_assert_no_error (error);
	if (def == NULL)
		return 1;

	dir = g_dir_open (FIXTURE_DIR, 0, &error);
	g_assert_no_error (error);
	while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
		if (g_str_has_suffix (entry, ".docx") || g_str_has_suffix (entry, ".odt"))
			g_ptr_array_add (files, g_strdup (entry));
	g_ptr_array_sort (files, compare_names);
	for (guint i = 0; i < files->len; i++) {
		const char *file = g_ptr_array_index (files, i);
		g_autofree char *path = g_strdup_printf ("/office/%s", file);
		g_test_add_data_func (path, file, test_fixture);
	}

	g_test_add_data_func ("/office/chain/lo-table-form.odt", "lo-table-form.odt", test_chain_table_form);
	g_test_add_data_func ("/office/chain/lo-odt-table.docx", "lo-odt-table.docx", test_chain_table_form);
	g_test_add_data_func ("/office/chain/table-form.docx", "table-form.docx", test_chain_table_form);
	g_test_add_data_func ("/office/chain/odt-table.odt", "odt-table.odt", test_chain_table_form);
	g_test_add_func ("/office/chain/checkboxes", test_chain_checkboxes);
	g_test_add_func ("/office/chain/content-controls", test_chain_content_controls);
	g_test_add_func ("/office/chain/tracked", test_chain_tracked);
	g_test_add_func ("/office/zip/list", test_zip_list);
	g_test_add_func ("/office/zip/read-entry", test_zip_read_entry);
	g_test_add_func ("/office/zip/not-zip", test_zip_not_zip);
	g_test_add_func ("/office/zip/bomb", test_zip_bomb);
	g_test_add_func ("/office/wrong-format", test_wrong_format);

	rc = g_test_run ();
	formdef_free (def);
	xmlCleanupParser ();
	return rc;
}

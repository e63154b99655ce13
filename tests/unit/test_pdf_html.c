/* test_pdf_html.c - unit tests of the PDF and HTML extractors (stage 3, extract).
 *
 * Every tests/data/pdf/NAME.pdf and tests/data/html/NAME.html goes through
 * extract_document ("pdf") - the sandboxed reader - or extract_html() and is compared with NAME.expected (format: the
 * make.py beside the fixtures).  Chain tests then read the results with
 * extract_text() and templates/form.ini, as extract_form() does.  Run from the
 * repository root.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "core/errors.h"
#include "extract/extract.h"
#include "extract/formats.h"

/* AddressSanitizer, as src/extract/pdf.c detects it */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define PDF_DIR "tests/data/pdf"
#define HTML_DIR "tests/data/html"

static FormDef *def;

static const ExtractLimits test_limits = {
	.max_depth = 20,
	.max_text = 1024 * 1024,
	.max_attachment = 25 * 1024 * 1024,
	.max_total = 50 * 1024 * 1024,
	.max_zip_entry = 20 * 1024 * 1024,
	.max_zip_entries = 1000,
	.max_xml_depth = 256,
	.max_pdf_pages = 20,
};

static GBytes *
read_bytes (const char *path)
{
	g_autoptr (GError) error = NULL;
	char *data = NULL;
	gsize len = 0;

	g_file_get_contents (path, &data, &len, &error);
	g_assert_no_error (error);
	return data != NULL ? g_bytes_new_take (data, len) : NULL;
}

static char *
read_text (const char *path)
{
	g_autoptr (GError) error = NULL;
	char *text = NULL;   /* returned: no g_autofree */

	g_file_get_contents (path, &text, NULL, &error);
	g_assert_no_error (error);
	return text;
}

/* Run the extractor of @dir on @name.@ext with @limits.  (transfer full) */
static char *
run (const char *dir, const char *name, const char *charset, const ExtractLimits *limits,
     GError **error)
{
	gboolean pdf = strcmp (dir, PDF_DIR) == 0;
	g_autofree char *path = g_strdup_printf ("%s/%s.%s", dir, name, pdf ? "pdf" : "html");
	g_autoptr (GBytes) data = read_bytes (path);

	if (data == NULL)
		return NULL;
	return pdf ? extract_document ("pdf", data, NULL, limits, error) : extract_html (data, charset, limits, error);
}

static void
check_fixture (const char *dir, const char *name)
{
	g_autofree char *exp_path = g_strdup_printf ("%s/%s.expected", dir, name);
	g_autofree char *expected = read_text (exp_path);
	g_autofree char *charset = NULL;
	g_autofree char *actual = NULL;
	g_autoptr (GError) error = NULL;
	const char *body = expected;

	if (expected == NULL)
		return;
#ifdef UNDER_ASAN
	/* What stops this PDF in production is the reader's memory cap, which
	 * sandbox.c leaves off under ASan (its shadow memory would trip it); without
	 * it only the CPU limit remains, and whether that is reached depends on
	 * the machine's load. */
	if (strcmp (name, "text-bomb") == 0) {
		g_test_skip ("the reader's memory cap is off under AddressSanitizer");
		return;
	}
#endif
	if (g_str_has_prefix (body, "charset: ")) {
		gsize n = strcspn (body, "\n");
		charset = g_strndup (body + 9, n - 9);
		body += body[n] != '\0' ? n + 1 : n;
	}

	actual = run (dir, name, charset, &test_limits, &error);
	if (g_str_has_prefix (body, "error: ")) {
		g_autofree char *reason = g_strchomp (g_strdup (body + 7));
		g_assert_null (actual);
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
		if (error != NULL && strstr (error->message, reason) == NULL)
			g_test_fail_printf ("error \"%s\" does not contain \"%s\"", error->message, reason);
		return;
	}
	g_assert_no_error (error);
	g_assert_cmpstr (actual, ==, body);
	if (actual != NULL)
		g_assert_true (g_utf8_validate (actual, -1, NULL));
}

static void
test_pdf_fixture (gconstpointer name)
{
	check_fixture (PDF_DIR, name);
}

static void
test_html_fixture (gconstpointer name)
{
	check_fixture (HTML_DIR, name);
}

static int
cmp_names (gconstpointer a, gconstpointer b)
{
	return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The fixture names in @dir, sorted: NAME of every NAME.@ext.  (transfer full) */
static GPtrArray *
list_fixtures (const char *dir, const char *ext)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
	GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
	const char *entry;

	g_assert_no_error (error);
	/* a fixture is a file with its .expected; field-names.pdf has none (10 s
	 * of CPU in the reader child: 0011-pdf-log-cap.t runs it once) */
	while (d != NULL && (entry = g_dir_read_name (d)) != NULL) {
		g_autofree char *name = g_str_has_suffix (entry, ext) ? g_strndup (entry, strlen (entry) - strlen (ext)) : NULL;
		g_autofree char *expected = name ? g_strdup_printf ("%s/%s.expected", dir, name) : NULL;
		if (expected != NULL && g_file_test (expected, G_FILE_TEST_EXISTS))
			g_ptr_array_add (names, g_steal_pointer (&name));
	}
	g_ptr_array_sort (names, cmp_names);
	return names;
}

/* ------------------------------------------------------------------------- */
/* Through the text parser, as extract_form() uses the extractors */

/* The value of the first pair naming field @key, or NULL. */
static const char *
value_of (const FormData *form, const char *key)
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
chain (const char *dir, const char *name)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *text = run (dir, name, NULL, &test_limits, &error);

	g_assert_no_error (error);
	g_assert_nonnull (text);
	return extract_text (text != NULL ? text : "", def);
}

/* The filled form the fixtures share (make.py: fillable, printed-table; html
 * outlook). */
static void
check_anna (const FormData *form)
{
	g_assert_cmpstr (value_of (form, "first_name"), ==, "Anna");
	g_assert_cmpstr (value_of (form, "last_name"), ==, "Nowak");
	g_assert_cmpstr (value_of (form, "email"), ==, "anna.nowak@ops.zory.pl");
	g_assert_cmpstr (value_of (form, "phone"), ==, "32 434 12 34");
	g_assert_cmpstr (value_of (form, "institution"), ==, "Ośrodek Pomocy Społecznej w Żorach");
	g_assert_cmpstr (value_of (form, "institution_type"), ==, "OPS");
	g_assert_cmpstr (value_of (form, "powiat"), ==, "Żory");
	g_assert_cmpstr (value_of (form, "info_meeting"), ==, "☒");
	g_assert_cmpstr (value_of (form, "workshops"), ==, "☐");
	g_assert_cmpstr (value_of (form, "consulting"), ==, "☒");
	g_assert_cmpstr (value_of (form, "consent"), ==, "☒");
}

static void
test_pdf_chain_fillable (void)
{
	g_autoptr (FormData) form = chain (PDF_DIR, "fillable");

	check_anna (form);
	g_assert_cmpstr (value_of (form, "consulting_topic"), ==, "2");
	g_assert_cmpstr (value_of (form, "needs"), ==, "");
	g_assert_cmpstr (value_of (form, "topics"), ==, "Ekonomia społeczna w gminie Partnerstwa lokalne");
	g_assert_cmpstr (value_of (form, "training"), ==, "☐");
	/* every field of the form is there */
	g_assert_cmpuint (form->matched, ==, def->fields->len);
	g_assert_cmpuint (form->pairs->len, ==, def->fields->len);
}

static void
test_pdf_chain_tooltips (void)
{
	g_autoptr (FormData) form = chain (PDF_DIR, "fillable-tooltips");

	/* the tooltips name the fields; "field_instytucja" has none and stays unknown */
	g_assert_cmpstr (value_of (form, "first_name"), ==, "Jan");
	g_assert_cmpstr (value_of (form, "last_name"), ==, "Kowalski");
	g_assert_cmpstr (value_of (form, "institution_type"), ==, "PCPR");
	g_assert_cmpstr (value_of (form, "consent"), ==, "☒");
	g_assert_null (value_of (form, "institution"));
	g_assert_cmpuint (form->matched, ==, 6);
}

static void
test_pdf_chain_printed_table (void)
{
	g_autoptr (FormData) form = chain (PDF_DIR, "printed-table");

	check_anna (form);
	g_assert_cmpstr (value_of (form, "consulting_topic"), ==, "2");
	/* the empty "Szczególne potrzeby" cell leaves nothing on paper to pair with */
	g_assert_null (value_of (form, "needs"));
	g_assert_cmpuint (form->matched, ==, def->fields->len - 1);
}

static void
test_pdf_chain_printed (void)
{
	g_autoptr (FormData) form = chain (PDF_DIR, "printed");

	g_assert_cmpstr (value_of (form, "first_name"), ==, "Anna");
	g_assert_cmpstr (value_of (form, "powiat"), ==, "Żory");
	g_assert_cmpstr (value_of (form, "consulting"), ==, "[X]");
	g_assert_cmpstr (value_of (form, "consent"), ==, "[X]");
	/* the topic's label is wrapped over two lines of the page, the value after
	 * the second: joined */
	g_assert_cmpstr (value_of (form, "consulting_topic"), ==, "2");
	g_assert_cmpuint (form->matched, ==, def->fields->len);
}

static void
test_html_chain_outlook (void)
{
	g_autoptr (FormData) form = chain (HTML_DIR, "outlook");

	check_anna (form);
	g_assert_cmpstr (value_of (form, "consulting_topic"), ==, "2");
	g_assert_cmpstr (value_of (form, "needs"), ==, "");
	g_assert_cmpstr (value_of (form, "topics"), ==, "ekonomia społeczna partnerstwa lokalne");
	g_assert_cmpuint (form->matched, ==, def->fields->len);
}

static void
test_html_chain_gmail (void)
{
	g_autoptr (FormData) form = chain (HTML_DIR, "gmail");

	g_assert_cmpstr (value_of (form, "first_name"), ==, "Anna");
	g_assert_cmpstr (value_of (form, "phone"), ==, "32 434 12 34");
	g_assert_cmpstr (value_of (form, "consent"), ==, "[X]");
	g_assert_cmpstr (value_of (form, "workshops"), ==, "[ ]");
}

/* ------------------------------------------------------------------------- */
/* Limits and odd input */

static void
test_pdf_empty (void)
{
	g_autoptr (GBytes) data = g_bytes_new_static ("", 0);
	g_autoptr (GError) error = NULL;
	g_autofree char *text = extract_pdf (data, &test_limits, &error);

	g_assert_null (text);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	if (error != NULL)
		g_assert_nonnull (strstr (error->message, "damaged PDF"));
}

#ifdef MAILREG_FAULTS
static void
test_pdf_reader_killed (void)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *text = NULL;

	/* the reading process dies (SIGKILL, as from the OOM killer): an error for
	 * this attachment, and the caller goes on */
	g_setenv ("MAILREG_FAULT", "reader", TRUE);
	text = run (PDF_DIR, "printed", NULL, &test_limits, &error);
	g_unsetenv ("MAILREG_FAULT");
	g_assert_null (text);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	if (error != NULL)
		g_assert_cmpstr (error->message, ==, "PDF reader stopped: killed");

	g_clear_error (&error);
	text = run (PDF_DIR, "printed", NULL, &test_limits, &error);
	g_assert_no_error (error);
	g_assert_nonnull (text);
}
#endif

static void
test_pdf_limit_pages (void)
{
	ExtractLimits limits = test_limits;
	g_autoptr (GError) error = NULL;
	g_autofree char *text = NULL;

	limits.max_pdf_pages = 3;
	text = run (PDF_DIR, "many-pages", NULL, &limits, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (text, ==, "Strona 1 z 25\nStrona 2 z 25\nStrona 3 z 25\n");

	/* the fields of a fillable form are looked for on those pages only */
	limits.max_pdf_pages = 0;
	g_clear_pointer (&text, g_free);
	text = run (PDF_DIR, "fillable", NULL, &limits, &error);
	g_assert_null (text);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
}

static void
test_pdf_limit_text (void)
{
	ExtractLimits limits = test_limits;
	g_autoptr (GError) error = NULL;
	g_autofree char *full = run (PDF_DIR, "printed", NULL, &test_limits, &error);
	g_autofree char *cut = NULL;
	g_autofree char *fields = NULL;

	g_assert_no_error (error);
	limits.max_text = 100;
	cut = run (PDF_DIR, "printed", NULL, &limits, &error);
	g_assert_no_error (error);
	/* whole lines only, within the limit */
	g_assert_nonnull (cut);
	g_assert_cmpuint (strlen (cut), <=, 100);
	g_assert_cmpuint (strlen (cut), >, 0);
	g_assert_true (g_str_has_suffix (cut, "\n"));
	g_assert_true (g_str_has_prefix (full, cut));

	fields = run (PDF_DIR, "fillable", NULL, &limits, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (fields, ==, "Imię\tAnna\nNazwisko\tNowak\nAdres e-mail\tanna.nowak@ops.zory.pl\n"
	                             "Telefon\t32 434 12 34\n");
}

static char *
html (const char *source, const char *charset, const ExtractLimits *limits)
{
	g_autoptr (GBytes) data = g_bytes_new (source, strlen (source));
	g_autoptr (GError) error = NULL;
	char *text = extract_html (data, charset, limits, &error);

	g_assert_no_error (error);
	g_assert_nonnull (text);
	return text;
}

static void
check_html (const char *source, const char *charset, const char *expected)
{
	g_autofree char *text = html (source, charset, &test_limits);

	g_assert_cmpstr (text, ==, expected);
}

static void
test_html_empty (void)
{
	check_html ("", NULL, "");
	check_html ("   \r\n\t ", NULL, "");
	check_html ("<html><head><title>Formularz</title></head><body></body></html>", NULL, "");
	check_html ("<p>&nbsp;</p><div><br><br></div>", NULL, "");
}

static void
test_html_limit_depth (void)
{
	ExtractLimits limits = test_limits;
	g_autofree char *text = NULL;

	/* html is level 1, body 2: with 3 levels the text in <div> stays, not deeper */
	limits.max_xml_depth = 3;
	text = html ("<html><body>Imię: Jan<div>Nazwisko: Nowak<p>Telefon: 1</p></div>"
	             "<table><tr><td>Powiat</td><td>Żory</td></tr></table>Stanowisko: x</body></html>",
	             NULL, &limits);
	g_assert_cmpstr (text, ==, "Imię: Jan\nNazwisko: Nowak\nStanowisko: x\n");
}

static void
test_html_hostile_depth (void)
{
	/* 90 000 levels in under 1 MiB: libxml2 (XML_PARSE_HUGE) and our walk both cope */
	GString *s = g_string_new ("<html><body><p>Nazwisko: Nowak</p>");
	g_autofree char *source = NULL;
	g_autofree char *text = NULL;

	for (int i = 0; i < 90000; i++)
		g_string_append (s, "<div>");
	g_string_append (s, "za głęboko");
	for (int i = 0; i < 90000; i++)
		g_string_append (s, "</div>");
	g_string_append (s, "<p>Imię: Anna</p></body></html>");
	g_assert_cmpuint (s->len, <, test_limits.max_text);
	source = g_string_free (s, FALSE);
	text = html (source, NULL, &test_limits);
	g_assert_cmpstr (text, ==, "Nazwisko: Nowak\nImię: Anna\n");
}

static void
test_html_limit_text (void)
{
	ExtractLimits limits = test_limits;
	g_autofree char *text = NULL;

	/* byte 36 is inside the "ę" of "Kęska": the cut goes back to the tag before it,
	 * so the rest stays UTF-8 and is not taken for windows-1250 */
	limits.max_text = 36;
	text = html ("<p>Imię: Żaneta</p><p>Nazwisko: Kęska</p><p>Telefon: 600</p>", NULL, &limits);
	g_assert_cmpstr (text, ==, "Imię: Żaneta\n");
	g_clear_pointer (&text, g_free);
	limits.max_text = 44;
	text = html ("<p>Imię: Żaneta</p><p>Nazwisko: Kęska</p><p>Telefon: 600</p>", NULL, &limits);
	g_assert_cmpstr (text, ==, "Imię: Żaneta\nNazwisko: Kęska\n");
}

static void
test_html_charsets (void)
{
	/* an unknown declared charset tells nothing: UTF-8 bytes stay UTF-8 */
	check_html ("<p>Imię: Łucja</p>", "x-unknown", "Imię: Łucja\n");
	/* "utf-8" on windows-1250 bytes, a classic webmail bug */
	check_html ("<p>Imi\xea: \xa3ucja</p>", "utf-8", "Imię: Łucja\n");
	/* no declaration at all, no <meta>: UTF-8 if valid, else windows-1250 */
	check_html ("<p>Imi\xea: \xa3ucja</p>", NULL, "Imię: Łucja\n");
	/* a <meta> claiming UTF-16 in ASCII-compatible bytes means UTF-8 (WHATWG) */
	check_html ("<meta charset=utf-16><p>Imię: Łucja</p>", NULL, "Imię: Łucja\n");
}

static void
test_html_rows (void)
{
	/* a row of empty cells is no line; a spacer column is dropped */
	check_html ("<table><tr><td> </td><td></td></tr><tr><td></td><td>Imię</td><td>Jan</td></tr></table>",
	            NULL, "Imię\tJan\n");
	/* th cells, and a value in two paragraphs on one line */
	check_html ("<table><tr><th>Stanowisko</th><td><p>kierownik</p><p>działu</p></td></tr></table>",
	            NULL, "Stanowisko\tkierownik działu\n");
	/* a single cell with paragraphs is layout: lines kept */
	check_html ("<table><tr><td><p>Imię: Jan</p><p>Nazwisko: Nowak</p></td></tr></table>",
	            NULL, "Imię: Jan\nNazwisko: Nowak\n");
	/* text around a table does not join its rows */
	check_html ("Przed<table><tr><td>a</td><td>b</td></tr></table>Po", NULL, "Przed\na\tb\nPo\n");
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) pdfs = NULL;
	g_autoptr (GPtrArray) htmls = NULL;
	int rc;

	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_mime_init ();   /* extract_to_utf8() asks GMime for charset names */

	def = formdef_load ("templates/form.ini", &error);
	g_assert_no_error (error);
	if (def == NULL)
		return 1;

	pdfs = list_fixtures (PDF_DIR, ".pdf");
	htmls = list_fixtures (HTML_DIR, ".html");
	g_assert_cmpuint (pdfs->len, >, 0);
	g_assert_cmpuint (htmls->len, >, 0);
	for (guint i = 0; i < pdfs->len; i++) {
		const char *name = g_ptr_array_index (pdfs, i);
		g_autofree char *path = g_strdup_printf ("/pdf/%s", name);
		g_test_add_data_func (path, name, test_pdf_fixture);
	}
	for (guint i = 0; i < htmls->len; i++) {
		const char *name = g_ptr_array_index (htmls, i);
		g_autofree char *path = g_strdup_printf ("/html/%s", name);
		g_test_add_data_func (path, name, test_html_fixture);
	}

	g_test_add_func ("/pdf/chain/fillable", test_pdf_chain_fillable);
	g_test_add_func ("/pdf/chain/fillable-tooltips", test_pdf_chain_tooltips);
	g_test_add_func ("/pdf/chain/printed-table", test_pdf_chain_printed_table);
	g_test_add_func ("/pdf/chain/printed", test_pdf_chain_printed);
	g_test_add_func ("/pdf/odd/empty", test_pdf_empty);
#ifdef MAILREG_FAULTS
	g_test_add_func ("/pdf/odd/reader-killed", test_pdf_reader_killed);
#endif
	g_test_add_func ("/pdf/limits/pages", test_pdf_limit_pages);
	g_test_add_func ("/pdf/limits/text", test_pdf_limit_text);
	g_test_add_func ("/html/chain/outlook", test_html_chain_outlook);
	g_test_add_func ("/html/chain/gmail", test_html_chain_gmail);
	g_test_add_func ("/html/odd/empty", test_html_empty);
	g_test_add_func ("/html/odd/charsets", test_html_charsets);
	g_test_add_func ("/html/odd/rows", test_html_rows);
	g_test_add_func ("/html/limits/depth", test_html_limit_depth);
	g_test_add_func ("/html/limits/hostile-depth", test_html_hostile_depth);
	g_test_add_func ("/html/limits/text", test_html_limit_text);

	rc = g_test_run ();
	formdef_free (def);
	g_mime_shutdown ();
	return rc;
}

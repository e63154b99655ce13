/* test_word.c - unit tests of the RTF and Word 97 (.doc) extractors.
 *
 * The documents are those of tests/data/word (LibreOffice's .doc and RTF, and
 * RTF as Word 2003 writes it, see make-office-fixtures.sh) and small RTF
 * written here; damaged, truncated and encrypted inputs are made from them in
 * memory.  Each reader must give the text layout of formats.h or a
 * MAILREG_ERROR_DATA reason, never crash.
 */
#include <locale.h>
#include <string.h>

#include "core/errors.h"
#include "extract/formats.h"

#define FIXTURE_DIR "tests/data/word"
#define MIB (1024 * 1024)

static FormDef *def;

static const ExtractLimits limits = {
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
	return data != NULL ? g_bytes_new_take (data, len) : g_bytes_new (NULL, 0);
}

static char *
rtf (const char *text, GError **error)
{
	g_autoptr (GBytes) data = g_bytes_new (text, strlen (text));
	return extract_rtf (data, &limits, error);
}

static void
check_rtf (const char *in, const char *want)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *got = rtf (in, &error);

	g_assert_no_error (error);
	g_assert_cmpstr (got, ==, want);
}

static void
check_rtf_error (const char *in, const char *want)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *got = rtf (in, &error);

	g_assert_null (got);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	if (error != NULL)
		g_assert_cmpstr (error->message, ==, want);
}

/* The value of the pair naming field @key in @form, or NULL. */
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

static void
test_rtf_text (void)
{
	/* code page bytes, Unicode with its fallback skipped, symbols */
	check_rtf ("{\\rtf1\\ansi\\ansicpg1250 Imi\\'ea: \\'af\\'f3\\'b3w\\par}", "Imię: Żółw\n");
	check_rtf ("{\\rtf1\\ansi\\uc1 Imi\\u281\\'3f: Anna\\par}", "Imię: Anna\n");
	check_rtf ("{\\rtf1\\ansi\\uc2 \\u322 ??x\\uc0 \\u380 y}", "łxży");
	check_rtf ("{\\rtf1\\ansi \\u-3913 ?}", "\xef\x82\xb7");   /* U+F0B7, a negative \uN */
	check_rtf ("{\\rtf1 a\\~b\\_c\\{\\}\\\\ \\emdash\\ldblquote x\\rdblquote}", "a\xc2\xa0" "b‑c{}\\ —“x”");
	/* a font's charset beats the document's code page */
	check_rtf ("{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}{\\f1\\fcharset238 Arial CE;}}"
	           "\\f0 \\'b3 {\\f1 \\'b3}}", "³ ł");
	/* \line, \par, blank lines collapsed, blanks at a line's end dropped */
	check_rtf ("{\\rtf1 Imi\\'ea:  \\par\\par\\par Jan\\line Kowalski}", "Imi\xc3\xaa:\nJan\nKowalski");
}

static void
test_rtf_skipped (void)
{
	/* tables of fonts, colours and styles, document info, pictures, headers,
	 * unknown \* destinations, field codes: none of it is text */
	check_rtf ("{\\rtf1{\\fonttbl{\\f0 Times;}}{\\colortbl;\\red0;}{\\stylesheet{\\s1 Heading;}}"
	           "{\\info{\\author Jan}}{\\*\\generator Word;}{\\header Nagłówek\\par}"
	           "{\\pict\\pngblip 89504e47}{\\*\\shppict{\\pict 00}}{\\*\\unknownthing tekst}"
	           "{\\field{\\*\\fldinst HYPERLINK \"http://x\"}{\\fldrslt strona}} koniec}",
	           "strona koniec");
	/* binary data of a picture is skipped as bytes, braces in it too */
	check_rtf ("{\\rtf1 a{\\pict\\bin4 {}{}}b}", "ab");
	check_rtf ("{\\rtf1 a\\bin999999 xyz}", "a");
}

static void
test_rtf_table (void)
{
	check_rtf ("{\\rtf1\\trowd\\cellx100\\cellx200\\pard\\intbl Imi\\'ea:\\cell Jan\\par Maria\\cell\\row"
	           "\\trowd\\pard\\intbl Telefon\\cell\\cell\\row\\pard Koniec\\par}",
	           "Imi\xc3\xaa:\tJan Maria\nTelefon\t\nKoniec\n");
}

/* A legacy checkbox as Word writes it: \ffres (25: never set), \ffdefres. */
static char *
rtf_box (int res, int defres)
{
	return g_strdup_printf ("{\\field{\\*\\fldinst {FORMCHECKBOX }{\\*\\formfield{\\fftype1\\ffres%d"
	                        "\\ffdefres%d{\\*\\ffname Wybor}}}}{\\fldrslt }} Doradztwo\\par ", res, defres);
}

static void
test_rtf_formfields (void)
{
	g_autofree char *ticked = rtf_box (1, 0);
	g_autofree char *unticked = rtf_box (0, 1);
	g_autofree char *def_on = rtf_box (25, 1);
	g_autofree char *def_off = rtf_box (25, 0);
	g_autofree char *doc = g_strconcat ("{\\rtf1 ", ticked, unticked, def_on, def_off,
	                                    "Imi\\'ea: {\\field{\\*\\fldinst { FORMTEXT }{\\*\\formfield"
	                                    "{\\fftype0{\\*\\ffname T1}}}}{\\fldrslt {Anna}}}\\par}", NULL);

	check_rtf (doc, "☒  Doradztwo\n☐  Doradztwo\n☒  Doradztwo\n☐  Doradztwo\nImi\xc3\xaa: Anna\n");
	/* a \formfield outside a field's code is no checkbox */
	check_rtf ("{\\rtf1 {\\*\\formfield{\\fftype1\\ffres1}}x}", "x");
}

static void
test_rtf_word2003 (void)
{
	g_autoptr (GBytes) data = load ("word-fields.rtf");
	g_autoptr (GError) error = NULL;
	g_autofree char *text = extract_rtf (data, &limits, &error);
	g_autoptr (FormData) form = NULL;

	g_assert_no_error (error);
	g_assert_nonnull (text);
	if (text == NULL)
		return;
	g_assert_null (strstr (text, "Nagłówek"));
	form = extract_text (text, def);
	g_assert_cmpstr (value_of (form, "last_name"), ==, "Wiśniewska-Żak");
	g_assert_cmpstr (value_of (form, "powiat"), ==, "Żory");
	g_assert_cmpstr (value_of (form, "workshops"), ==, "☒");
	g_assert_cmpstr (value_of (form, "info_meeting"), ==, "☐");
	g_assert_cmpstr (value_of (form, "consent"), ==, "☒");
}

static void
test_rtf_bad (void)
{
	g_autoptr (GString) deep = g_string_new ("{\\rtf1 ");
	g_autoptr (GBytes) data = load ("lo-table.rtf");
	gsize len;
	const char *full = g_bytes_get_data (data, &len);
	ExtractLimits small = limits;

	check_rtf_error ("PK\x03\x04", "not an RTF document");
	check_rtf_error ("", "not an RTF document");
	check_rtf_error ("{\\rtf1{\\fonttbl{\\f0 Arial;}}\\par}", "RTF document holds no text");
	for (int i = 0; i < 300; i++)
		g_string_append_c (deep, '{');
	check_rtf_error (deep->str, "RTF nests groups deeper than 256 levels");
	/* stray braces, a backslash at the end, a word longer than the spec's 32 */
	check_rtf ("{\\rtf1 a}}}b{", "ab");
	check_rtf ("{\\rtf1 a\\", "a");
	check_rtf ("{\\rtf1 \\aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa123456789012345678 x}", "x");
	/* truncated anywhere: text so far or a reason, never a crash */
	for (gsize cut = 6; cut < len; cut += 97) {
		g_autoptr (GBytes) part = g_bytes_new (full, cut);
		g_autoptr (GError) error = NULL;
		g_autofree char *text = extract_rtf (part, &limits, &error);
		g_assert_true ((text != NULL) != (error != NULL));
	}
	/* the output is bounded */
	small.max_text = 100;
	{
		g_autoptr (GError) error = NULL;
		g_autofree char *text = extract_rtf (data, &small, &error);
		g_assert_null (text);
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
		if (error != NULL)
			g_assert_cmpstr (error->message, ==, "RTF text longer than 100 bytes");
	}
}

/* ------------------------------------------------------------------------- */

static char *
doc (GBytes *data, GError **error)
{
	return extract_doc (data, &limits, error);
}

static void
test_doc_fields (void)
{
	g_autoptr (GBytes) data = load ("lo-fields.doc");
	g_autoptr (GError) error = NULL;
	g_autofree char *text = doc (data, &error);
	g_autoptr (FormData) form = NULL;

	g_assert_no_error (error);
	g_assert_nonnull (text);
	if (text == NULL)
		return;
	/* FORMTEXT results after numbered, hinted labels; FORMCHECKBOX from FFDATA */
	g_assert_nonnull (strstr (text, "1. Imię: Anna\n2. Nazwisko (drukowanymi literami): Wiśniewska-Żak\n"));
	g_assert_nonnull (strstr (text, "☐  Spotkanie informacyjne\n☒  Warsztaty i wizyta studyjna\n"
	                                "☒  Doradztwo\n☐  Szkolenie uzupełniające\n☒  Wyrażam zgodę"));
	g_assert_null (strstr (text, "FORMTEXT"));
	form = extract_text (text, def);
	g_assert_cmpuint (form->matched, ==, 14);
	g_assert_cmpstr (value_of (form, "last_name"), ==, "Wiśniewska-Żak");
	g_assert_cmpstr (value_of (form, "consent"), ==, "☒");
}

static void
test_doc_unticked (void)
{
	g_autoptr (GBytes) data = load ("lo-consent-unticked.doc");
	g_autofree char *text = doc (data, NULL);
	g_autoptr (FormData) form = text ? extract_text (text, def) : NULL;

	g_assert_nonnull (form);
	if (form != NULL)
		g_assert_cmpstr (value_of (form, "consent"), ==, "☐");
}

static void
test_doc_table (void)
{
	g_autoptr (GBytes) data = load ("lo-table.doc");
	g_autofree char *text = doc (data, NULL);

	g_assert_nonnull (text);
	if (text == NULL)
		return;
	/* cells joined by TAB, a row per line, an empty last cell keeps its TAB */
	g_assert_nonnull (strstr (text, "\nImię:\tAnna\nNazwisko:\tWiśniewska-Żak\n"));
	g_assert_nonnull (strstr (text, "\nSpotkanie informacyjne\t\nWarsztaty i wizyta studyjna\tX\n"
	                                "Doradztwo\tTAK\n"));
	g_assert_nonnull (strstr (text, "z późn. zm.).\tX\nPodpis: Anna Wiśniewska-Żak"));
}

static guint
le16_at (const guint8 *p)
{
	return p[0] | p[1] << 8;
}

/* Offset of the WordDocument stream's FIB in the OLE2 file: the (mini)
 * sector starting with its magic number and a Word 97 or later version. */
static gsize
fib_offset (const guint8 *p, gsize len)
{
	for (gsize at = 512; at + 0x200 <= len; at += 64)
		if (p[at] == 0xEC && p[at + 1] == 0xA5 && le16_at (p + at + 2) >= 0xC1)
			return at;
	return 0;
}

static void
check_doc_error (GBytes *data, const char *want)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *text = doc (data, &error);

	g_assert_null (text);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	if (error != NULL)
		g_assert_cmpstr (error->message, ==, want);
}

static void
test_doc_bad (void)
{
	g_autoptr (GBytes) data = load ("lo-fields.doc");
	gsize len;
	const guint8 *orig = g_bytes_get_data (data, &len);
	g_autofree guint8 *copy = g_memdup2 (orig, len);
	gsize fib = fib_offset (orig, len);
	ExtractLimits small = limits;

	g_assert_cmpuint (fib, >, 0);
	/* fEncrypted, then fObfuscated (XOR) */
	copy[fib + 0x0B] |= 0x01;
	{
		g_autoptr (GBytes) enc = g_bytes_new (copy, len);
		check_doc_error (enc, "encrypted Word document: cannot be read without a password");
	}
	memcpy (copy, orig, len);
	copy[fib + 0x0B] |= 0x80;
	{
		g_autoptr (GBytes) enc = g_bytes_new (copy, len);
		check_doc_error (enc, "encrypted Word document: cannot be read without a password");
	}
	/* Word 95 */
	memcpy (copy, orig, len);
	copy[fib + 2] = 0x65;
	copy[fib + 3] = 0x00;
	{
		g_autoptr (GBytes) old = g_bytes_new (copy, len);
		check_doc_error (old, "Word document older than Word 97 (version 101), not read");
	}
	/* the piece table pointing past its stream: fcClx in the FIB */
	memcpy (copy, orig, len);
	copy[fib + 0x1A2 + 3] = 0x7F;
	{
		g_autoptr (GBytes) bad = g_bytes_new (copy, len);
		check_doc_error (bad, "Word document: piece table missing or outside the table stream "
		                      "(damaged or truncated file)");
	}
	/* not OLE2 at all, or cut short */
	{
		g_autoptr (GBytes) junk = g_bytes_new_static ("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not really", 19);
		g_autoptr (GBytes) half = g_bytes_new (orig, len / 2);
		check_doc_error (junk, "not a Word document (damaged OLE2 container)");
		check_doc_error (half, "not a Word document (damaged OLE2 container)");
	}
	/* bounded output */
	small.max_text = 64;
	{
		g_autoptr (GError) error = NULL;
		g_autofree char *text = extract_doc (data, &small, &error);
		g_assert_null (text);
		if (error != NULL)
			g_assert_cmpstr (error->message, ==, "Word document text longer than 64 bytes");
	}
	/* damaged bytes anywhere: text or a reason, never a crash */
	for (guint i = 0; i < 400; i++) {
		g_autoptr (GBytes) bad = NULL;
		g_autoptr (GError) error = NULL;
		g_autofree char *text = NULL;
		guint32 seed = i * 2654435761u;

		memcpy (copy, orig, len);
		for (int k = 0; k < 8; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[512 + (seed >> 8) % (len - 512)] ^= (guint8) (seed >> 24 | 1);
		}
		bad = g_bytes_new (copy, len);
		text = doc (bad, &error);
		g_assert_true ((text != NULL) != (error != NULL));
	}
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	int rc;

	setlocale (LC_ALL, "C.UTF-8");
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	/* libgsf warns (and fails a g_return_if_fail guard) on every damaged
	 * container; g_test makes that fatal, but it is libgsf checking its input,
	 * and the reader's answer is what is tested here */
	g_log_set_always_fatal (G_LOG_FATAL_MASK);
	def = formdef_load ("templates/form.ini", &error);
	if (def == NULL) {
		g_printerr ("test_word: %s (run from the repository root)\n", error->message);
		return 1;
	}
	g_test_add_func ("/word/rtf/text", test_rtf_text);
	g_test_add_func ("/word/rtf/skipped", test_rtf_skipped);
	g_test_add_func ("/word/rtf/table", test_rtf_table);
	g_test_add_func ("/word/rtf/formfields", test_rtf_formfields);
	g_test_add_func ("/word/rtf/word2003", test_rtf_word2003);
	g_test_add_func ("/word/rtf/bad", test_rtf_bad);
	g_test_add_func ("/word/doc/fields", test_doc_fields);
	g_test_add_func ("/word/doc/unticked", test_doc_unticked);
	g_test_add_func ("/word/doc/table", test_doc_table);
	g_test_add_func ("/word/doc/bad", test_doc_bad);
	rc = g_test_run ();
	formdef_free (def);
	return rc;
}

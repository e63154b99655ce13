/* test_extract.c - unit tests of stage 3, extract: MIME walk, text forms, charsets.
 *
 * Every tests/data/extract/NAME.eml is parsed with GMime and its extract_form()
 * result compared with NAME.expected (format: tests/data/make-fixtures.py, which
 * writes both).  Direct tests of extract_text() and extract_to_utf8() follow.
 * Run from the repository root (it reads templates/form.ini).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <glib/gstdio.h>

#include "core/autoptr.h"
#include "extract/extract.h"

#define FIXTURE_DIR "tests/data/extract"

static FormDef *def;

static const ExtractLimits default_limits = {
	.max_depth = 20, .max_text = 1024 * 1024, .max_attachment = 25 << 20, .max_total = 50 << 20,
	.max_zip_entry = 20 << 20, .max_zip_entries = 1000, .max_xml_depth = 256, .max_pdf_pages = 20,
};

static GMimeMessage *
parse_file (const char *path)
{
	g_autoptr (GMimeStream) stream = g_mime_stream_fs_open (path, O_RDONLY, 0, NULL);
	g_autoptr (GMimeParser) parser = NULL;
	g_autoptr (GMimeParserOptions) options = g_mime_parser_options_new ();
	const char *fallback[] = { "utf-8", "windows-1250", NULL };

	g_assert_nonnull (stream);
	if (stream == NULL)
		return NULL;
	parser = g_mime_parser_new_with_stream (stream);   /* the parser holds a ref */
	g_mime_parser_options_set_fallback_charsets (options, fallback);
	return g_mime_parser_construct_message (parser, options);
}

/* @form as the .expected body: "label<TAB>value" lines. */
static void
render_pairs (GString *out, const FormData *form)
{
	for (guint i = 0; i < form->pairs->len; i++) {
		const FormPair *p = g_ptr_array_index (form->pairs, i);
		g_string_append_printf (out, "%s\t%s\n", p->label, p->value);
	}
}

static char *
render (const FormData *form, const char *notes)
{
	GString *out = g_string_new (NULL);

	if (notes != NULL)
		g_string_append_printf (out, "notes: %s\n", notes);
	g_string_append_printf (out, "part: %s\nmatched: %u\n", form ? form->part : "(none)",
	                        form ? form->matched : 0);
	if (form != NULL)
		render_pairs (out, form);
	return g_string_free (out, FALSE);
}

static void
test_fixture (gconstpointer data)
{
	const char *name = data;
	g_autofree char *eml = g_strdup_printf ("%s/%s.eml", FIXTURE_DIR, name);
	g_autofree char *exp_path = g_strdup_printf ("%s/%s.expected", FIXTURE_DIR, name);
	g_autofree char *expected = NULL;
	g_autofree char *actual = NULL;
	g_autofree char *notes = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GMimeMessage) message = NULL;
	g_autoptr (FormData) form = NULL;
	ExtractLimits limits = default_limits;
	g_autofree char *format = NULL;
	const char *body;

	g_file_get_contents (exp_path, &expected, NULL, &error);
	g_assert_no_error (error);
	if (expected == NULL)
		return;
	body = expected;
	if (g_str_has_prefix (body, "limits: ")) {
		guint depth;
		guint64 text;
		g_assert_cmpint (sscanf (body, "limits: depth=%u text=%" G_GUINT64_FORMAT, &depth, &text), ==, 2);
		limits.max_depth = depth;
		limits.max_text = (gsize) text;
		body = strchr (body, '\n') + 1;
	}

	if (g_str_has_prefix (body, "format: ")) {
		format = g_strndup (body + 8, strcspn (body + 8, "\n"));
		body = strchr (body, '\n') + 1;
	}

	message = parse_file (eml);
	g_assert_nonnull (message);
	if (message == NULL)
		return;
	form = extract_form (message, def, &limits, &notes);
	actual = render (form, notes);
	g_assert_cmpstr (actual, ==, body);
	if (form != NULL)
		g_assert_cmpstr (form->format, ==, format ? format : "text");
}

/* ------------------------------------------------------------------------- */
/* extract_text */

static char *
text_pairs (const char *text, guint *matched)
{
	g_autoptr (FormData) form = extract_text (text, def);
	GString *out = g_string_new (NULL);

	render_pairs (out, form);
	if (matched != NULL)
		*matched = form->matched;
	return g_string_free (out, FALSE);
}

static void
check_text (const char *text, const char *pairs, guint matched)
{
	guint got = 0;
	g_autofree char *actual = text_pairs (text, &got);

	g_assert_cmpstr (actual, ==, pairs);
	g_assert_cmpuint (got, ==, matched);
}

static void
test_text_line_ends (void)
{
	check_text ("Imię: Jan\r\nNazwisko: Nowak\nTelefon: 600\rStanowisko: kierownik",
	            "Imię\tJan\nNazwisko\tNowak\nTelefon\t600\nStanowisko\tkierownik\n", 4);
	check_text ("", "", 0);
	check_text ("\r\n\r\r\n\n", "", 0);
}

static void
test_text_colon (void)
{
	/* the first colon splits; values keep theirs; empty values stay */
	check_text ("Proponowana tematyka: spotkanie o 10:30, http://rops.pl\nTelefon:\n  Imię  :  Jan  \n",
	            "Proponowana tematyka\tspotkanie o 10:30, http://rops.pl\nTelefon\t\nImię\tJan\n", 3);
	/* a TAB before the first colon splits there: a table row whose value has a time */
	check_text ("Proponowana tematyka\tspotkanie o 10:30\nImię:\tJan\n",
	            "Proponowana tematyka\tspotkanie o 10:30\nImię\tJan\n", 2);
	/* no label, or a sentence too long to be one */
	check_text (": nic\n", "", 0);
	{
		g_autofree char *prose = g_strnfill (121, 'a');
		g_autofree char *line = g_strconcat (prose, ": b", NULL);
		g_autofree char *ok = g_strnfill (120, 'a');
		g_autofree char *line_ok = g_strconcat (ok, ": b", NULL);
		g_autofree char *pair_ok = g_strconcat (ok, "\tb\n", NULL);
		check_text (line, "", 0);
		check_text (line_ok, pair_ok, 0);
	}
	/* a hint in parentheses, with commas and dashes, before the colon */
	check_text ("Temat doradztwa (1 – Ekonomia społeczna, 2 – Budowanie partnerstw lokalnych): 2\n"
	            "Subregion (centralny, północny, południowy, zachodni): zachodni\n",
	            "Temat doradztwa (1 – Ekonomia społeczna, 2 – Budowanie partnerstw lokalnych)\t2\n"
	            "Subregion (centralny, północny, południowy, zachodni)\tzachodni\n", 2);
	/* NBSP around labels and values (pasted from a web page) */
	check_text ("\xC2\xA0Imię\xC2\xA0: Jan\xC2\xA0\n", "Imię\tJan\n", 1);
}

static void
test_text_quoted (void)
{
	check_text ("> Imię: Jan\n> > Nazwisko: Nowak\n>>Telefon: 1\n  >  > >Stanowisko: x\n>\n",
	            "Imię\tJan\nNazwisko\tNowak\nTelefon\t1\nStanowisko\tx\n", 4);
	/* "-- " ends nothing: the signature is parsed too */
	check_text ("Imię: Jan\n-- \nTel.: 32 111 22 33\n", "Imię\tJan\nTel.\t32 111 22 33\n", 2);
}

static void
test_text_tab (void)
{
	check_text ("Imię\tJan\nNazwisko\t\t\tNowak\nTelefon\t\nA\tb\tc\n",
	            "Imię\tJan\nNazwisko\tNowak\nTelefon\t\nA\tb\tc\n", 3);
	/* a colon comes first */
	check_text ("Imię:\tJan\tMaria\n", "Imię\tJan\tMaria\n", 1);
	check_text ("\tJan\n", "", 0);
}

static void
test_text_checkbox_marks (void)
{
	check_text ("[x] Doradztwo\n[X] Doradztwo\n[ ] Doradztwo\n[] Doradztwo\n[✓] Doradztwo\n"
	            "(x) Doradztwo\nX Doradztwo\nx Doradztwo\n☒ Doradztwo\n☑ Doradztwo\n✓ Doradztwo\n"
	            "✔ Doradztwo\n■ Doradztwo\n☐ Doradztwo\n□ Doradztwo\n[ x ] Doradztwo\n[x]Doradztwo\n",
	            "Doradztwo\t[x]\nDoradztwo\t[X]\nDoradztwo\t[ ]\nDoradztwo\t[]\nDoradztwo\t[✓]\n"
	            "Doradztwo\t(x)\nDoradztwo\tX\nDoradztwo\tx\nDoradztwo\t☒\nDoradztwo\t☑\nDoradztwo\t✓\n"
	            "Doradztwo\t✔\nDoradztwo\t■\nDoradztwo\t☐\nDoradztwo\t□\nDoradztwo\t[ x ]\n"
	            "Doradztwo\t[x]\n", 1);
}

static void
test_text_checkbox_pairs (void)
{
	/* "Label: [x]" and "Label: TAK" are ordinary pairs */
	check_text ("Doradztwo: [x]\nSzkolenie uzupełniające: TAK\n",
	            "Doradztwo\t[x]\nSzkolenie uzupełniające\tTAK\n", 2);
	/* "[x] Label: text": the mark when Label is a checkbox, else the text */
	check_text ("[x] Doradztwo: temat 2\n[x] Temat doradztwa: 3\n[x] Imię: Jan\n",
	            "Doradztwo\t[x]\nTemat doradztwa\t3\nImię\tJan\n", 3);
	/* unknown checkbox labels are kept as pairs */
	check_text ("[x] Konferencja regionalna\n☐ Inne\n",
	            "Konferencja regionalna\t[x]\nInne\t☐\n", 0);
	/* a bare X or x begins a sentence unless a checkbox label follows */
	check_text ("X Ogólnopolski Kongres: Kraków\nx y\nX\n[x]\n",
	            "X Ogólnopolski Kongres\tKraków\n", 0);
	/* a mark after the label */
	check_text ("Doradztwo [x]\nSpotkanie informacyjne ( )\nKonferencja [x]\n",
	            "Doradztwo\t[x]\nSpotkanie informacyjne\t( )\n", 2);
	/* "(1)" and "[1]" are not marks */
	check_text ("(1) Ekonomia społeczna\n[1] Doradztwo\n", "", 0);
}

static void
test_text_checkbox_prefix (void)
{
	/* the consent box followed by the legal formula */
	check_text ("[x] Wyrażam zgodę na przetwarzanie moich danych osobowych przez ROPS w Katowicach "
	            "zgodnie z ustawą z dnia 29 sierpnia 1997 r. o ochronie danych osobowych\n"
	            "☒ Wyrażam zgodę na przetwarzanie moich danych osobowych.\n"
	            "X Doradztwo indywidualne\n"
	            "[x] Zgoda na przetwarzanie danych osobowych: tak, w celach rekrutacji\n",
	            "Wyrażam zgodę na przetwarzanie moich danych osobowych\t[x]\n"
	            "Wyrażam zgodę na przetwarzanie moich danych osobowych\t☒\n"
	            "Doradztwo\tX\n"
	            "Zgoda na przetwarzanie danych osobowych\t[x]\n", 2);
	/* only checkbox fields: "Imię" is a prefix but not a box */
	check_text ("[x] Imię Jan\n", "Imię Jan\t[x]\n", 0);
}

static void
test_text_printed_labels (void)
{
	/* numbered, hinted, the consent clause as a label cell */
	check_text ("1. Imię: Anna\nII.3 Nazwisko (drukowanymi literami): Nowak\n"
	            "Nazwa instytucji (pełna):\tOPS Żory\n"
	            "Wyrażam zgodę na przetwarzanie moich danych osobowych zawartych w formularzu "
	            "(zgodnie z ustawą z dnia 29 sierpnia 1997 r.)\tX\n",
	            "1. Imię\tAnna\nII.3 Nazwisko (drukowanymi literami)\tNowak\n"
	            "Nazwa instytucji (pełna)\tOPS Żory\n"
	            "Wyrażam zgodę na przetwarzanie moich danych osobowych zawartych w formularzu "
	            "(zgodnie z ustawą z dnia 29 sierpnia 1997 r.)\tX\n", 4);
	/* a label cell whose hint holds colons */
	check_text ("Temat doradztwa (1: ekonomia, 2: partnerstwa)\t2\n",
	            "Temat doradztwa (1: ekonomia, 2: partnerstwa)\t2\n", 1);
}

static void
test_text_wrapped_labels (void)
{
	/* a printed PDF's table: the label cell wrapped, its value on the first line */
	check_text ("Wyrażam zgodę na przetwarzanie moich\tX\ndanych osobowych zawartych w\n"
	            "formularzu zgłoszeniowym\n",
	            "Wyrażam zgodę na przetwarzanie moich danych osobowych zawartych w\tX\n", 1);
	/* a label wrapped before its colon */
	check_text ("Powiat / miasto na\nprawach powiatu: Żory\n",
	            "Powiat / miasto na prawach powiatu\tŻory\n", 1);
	/* a box whose label wrapped */
	check_text ("☒ Wyrażam zgodę na przetwarzanie\nmoich danych osobowych\n",
	            "Wyrażam zgodę na przetwarzanie moich danych osobowych\t☒\n", 1);
	/* ... and prose stays prose: no field named when joined, or the first
	 * line is a pair of its own */
	check_text ("Szczególne potrzeby: dieta\nbezglutenowa, proszę o\nImię: Jan\n",
	            "Szczególne potrzeby\tdieta\nImię\tJan\n", 2);
	check_text ("Dzień dobry, przesyłam\nzgłoszenie: w załączniku\n",
	            "zgłoszenie\tw załączniku\n", 0);
	check_text ("Bardzo proszę o kontakt\ntelefoniczny: po 15\n",
	            "telefoniczny\tpo 15\n", 0);
	check_text ("Wyrażam zgodę na przetwarzanie\tX\nwizerunku\n",
	            "Wyrażam zgodę na przetwarzanie\tX\n", 0);
}

static void
test_text_distinct (void)
{
	/* aliases name the same field; matched counts fields, not pairs */
	check_text ("E-mail: a@b.pl\nAdres e-mail: a@b.pl\nEMAIL: a@b.pl\nImie: Jan\nIMIĘ: Jan\n",
	            "E-mail\ta@b.pl\nAdres e-mail\ta@b.pl\nEMAIL\ta@b.pl\nImie\tJan\nIMIĘ\tJan\n", 2);
}

static void
test_text_template (void)
{
	/* the blank form: its intro lines (one says "dwukropku", one has "[ ]" inside)
	 * make no pairs; every field is recognised */
	g_autofree char *text = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (FormData) form = NULL;

	g_file_get_contents ("templates/forms/formularz.txt", &text, NULL, &error);
	g_assert_no_error (error);
	if (text == NULL)
		return;
	form = extract_text (text, def);
	g_assert_cmpuint (form->matched, ==, def->fields->len);
	g_assert_cmpuint (form->pairs->len, ==, def->fields->len);
	g_assert_cmpstr (((FormPair *) g_ptr_array_index (form->pairs, 0))->label, ==, "Imię");
}

/* ------------------------------------------------------------------------- */
/* extract_to_utf8 */

static void
check_utf8 (const char *data, gssize len, const char *charset, const char *expected)
{
	g_autofree char *out = extract_to_utf8 (data, len < 0 ? strlen (data) : (gsize) len, charset);

	g_assert_cmpstr (out, ==, expected);
	g_assert_true (g_utf8_validate (out, -1, NULL));
}

static void
test_utf8_declared (void)
{
	/* "Świętochłowice, źródło, Ąą" in each charset */
	check_utf8 ("\x8Cwi\xEAtoch\xB3owice, \x9Fr\xF3\x64\xB3o, \xA5\xB9", -1, "windows-1250",
	            "Świętochłowice, źródło, Ąą");
	check_utf8 ("\xA6wi\xEAtoch\xB3owice, \xBCr\xF3\x64\xB3o, \xA1\xB1", -1, "ISO-8859-2",
	            "Świętochłowice, źródło, Ąą");
	check_utf8 ("\xA6wi\xEAtoch\xB3owice", -1, "latin2", "Świętochłowice");
	check_utf8 ("\x8Cwi\xEAtoch\xB3owice", -1, "cp1250", "Świętochłowice");
	check_utf8 ("Świętochłowice", -1, "UTF-8", "Świętochłowice");
	check_utf8 ("Świętochłowice", -1, "utf8", "Świętochłowice");
	check_utf8 ("abc", -1, "us-ascii", "abc");
	/* latin1 is windows-1252 (WHATWG): 0x80 is the euro sign */
	check_utf8 ("\x80 5", -1, "iso-8859-1", "€ 5");
	check_utf8 ("\x1b$B$3$s$K$A$O\x1b(B", -1, "iso-2022-jp", "こんにちは");
}

static void
test_utf8_fallback (void)
{
	/* declared UTF-8, written in windows-1250 */
	check_utf8 ("\x8Cwi\xEAto", -1, "utf-8", "Święto");
	/* no charset: UTF-8 when valid, else windows-1250 */
	check_utf8 ("Święto", -1, NULL, "Święto");
	check_utf8 ("\x8Cwi\xEAto", -1, NULL, "Święto");
	check_utf8 ("\x8Cwi\xEAto", -1, "", "Święto");
	/* an unknown name is no declaration */
	check_utf8 ("\x8Cwi\xEAto", -1, "x-foo", "Święto");
	check_utf8 ("Święto", -1, "x-foo", "Święto");
	/* declared ASCII with 8-bit bytes: the declaration does not fit */
	check_utf8 ("\x8Cwi\xEAto", -1, "us-ascii", "Święto");
	check_utf8 ("Święto", -1, "us-ascii", "Święto");
	/* ISO-8859-2 label on windows-1250 text (C1 bytes) */
	check_utf8 ("\x8Cwi\xEAto \xB9", -1, "iso-8859-2", "Święto ą");
	/* the five bytes windows-1250 leaves undefined */
	check_utf8 ("a\x81" "b\x83" "c\x88" "d\x90" "e\x98" "f", -1, NULL, "a�b�c�d�e�f");
}

/* The needle of extract_part_text() is found anywhere, in any case, and only whole. */
static void
test_part_needle (void)
{
	static const struct {
		const char *text;
		gboolean found;
	} cases[] = {
		{ "ZG-ABCD-EFGH", TRUE }, { "rezygnuj\xC4\x99 zg-abcd-efgh", TRUE }, { "koniec: Zg-", TRUE },
		{ "zg", FALSE }, { "z g-", FALSE }, { "-zg- z-g- zg", TRUE }, { "zzzzzzzg-", TRUE },
		{ "zgzgzg -- g- z-", FALSE }, { "", FALSE }, { "-", FALSE }, { "\xC5\xBCg-", FALSE },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GMimeTextPart) part = g_mime_text_part_new_with_subtype ("plain");
		g_autofree char *text = NULL;
		g_autofree char *all = NULL;

		g_mime_text_part_set_text (part, cases[i].text);
		text = extract_part_text (GMIME_PART (part), 1 << 20, "zg-");
		if ((text != NULL) != cases[i].found)
			g_test_message ("case %" G_GSIZE_FORMAT ": \"%s\"", i, cases[i].text);
		g_assert_cmpint (text != NULL, ==, cases[i].found);
		/* without a needle every part is read */
		all = extract_part_text (GMIME_PART (part), 1 << 20, NULL);
		g_assert_nonnull (all);
	}
}

static void
test_utf8_bom_nul (void)
{
	check_utf8 ("\xEF\xBB\xBFImię", -1, NULL, "Imię");
	check_utf8 ("\xEF\xBB\xBFImię", -1, "windows-1250", "Imię");
	check_utf8 ("Imi\xC4\x99\0Jan\0", 10, NULL, "Imię Jan ");
	check_utf8 ("\0\0", 2, "windows-1250", "  ");
	check_utf8 ("\x8C\0", 2, NULL, "Ś ");
	/* UTF-16 with a BOM, whatever the declaration; NULs after decoding */
	check_utf8 ("\xFF\xFEI\0m\0i\0\x19\x01\0\0", 12, NULL, "Imię ");
	check_utf8 ("\xFE\xFF\0I\0m\0i\x01\x19", 10, "windows-1250", "Imię");
	check_utf8 ("I\0m\0", 4, "utf-16le", "Im");
	/* a cut UTF-16 text falls back to the byte charsets */
	check_utf8 ("\xFF\xFEI", 3, NULL, "˙ţI");
	check_utf8 ("", 0, NULL, "");
	check_utf8 ("", 0, "utf-8", "");
}

static void
test_utf8_invalid (void)
{
	/* neither UTF-8 nor a declaration: windows-1250 reads every byte */
	check_utf8 ("ok \xF0\x9F", -1, NULL, "ok đź");
	/* a declared charset the bytes do not fit (8-bit bytes in a 7-bit
	 * charset, odd-length UTF-16) is ignored */
	check_utf8 ("ab\xFF", -1, "iso-2022-jp", "ab˙");
	check_utf8 ("I\0m", 3, "utf-16le", "I m");
}

/* ------------------------------------------------------------------------- */
/* extract_form on built messages */

static GMimeMessage *
parse_bytes (const char *data, gssize len)
{
	g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (data, len < 0 ? strlen (data) : (gsize) len);
	g_autoptr (GMimeParser) parser = g_mime_parser_new_with_stream (stream);

	return g_mime_parser_construct_message (parser, NULL);
}

static void
test_form_limits_zero (void)
{
	/* depth 0: a single text part is still read, a multipart is not entered */
	static const char single[] = "Content-Type: text/plain\n\nImię: Jan\n";
	static const char multi[] = "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	                            "Content-Type: text/plain\n\nImię: Jan\n--b--\n";
	ExtractLimits limits = default_limits;

	limits.max_depth = 0;
	limits.max_text = 1024;
	g_autoptr (GMimeMessage) m1 = parse_bytes (single, -1);
	g_autoptr (GMimeMessage) m2 = parse_bytes (multi, -1);
	g_autoptr (FormData) f1 = extract_form (m1, def, &limits, NULL);
	g_autofree char *notes = NULL;
	g_autoptr (FormData) f2 = extract_form (m2, def, &limits, &notes);

	g_assert_nonnull (f1);
	if (f1 != NULL)
		g_assert_cmpuint (f1->matched, ==, 1);
	g_assert_null (f2);
	g_assert_cmpstr (notes, ==, "MIME nesting deeper than 0 levels: inner parts not read");
}

static void
test_form_empty (void)
{
	/* an empty body is a readable candidate with nothing in it; no body part
	 * at all is no candidate */
	static const char empty[] = "Content-Type: text/plain; charset=utf-8\n\n";
	static const char bare[] = "Subject: x\n";
	g_autoptr (GMimeMessage) m1 = parse_bytes (empty, -1);
	g_autoptr (GMimeMessage) m2 = parse_bytes (bare, -1);
	g_autoptr (FormData) f1 = extract_form (m1, def, &default_limits, NULL);
	g_autofree char *notes = NULL;
	g_autoptr (FormData) f2 = extract_form (m2, def, &default_limits, &notes);

	g_assert_nonnull (f1);
	if (f1 != NULL) {
		g_assert_cmpstr (f1->part, ==, "body");
		g_assert_cmpuint (f1->pairs->len, ==, 0);
	}
	g_assert_null (notes);
	if (f2 != NULL)
		g_assert_cmpuint (f2->pairs->len, ==, 0);
}

static void
test_form_uuencode (void)
{
	/* x-uuencode: GMime's decoder skips the "begin" line */
	static const char msg[] = "Content-Type: text/plain; charset=utf-8\n"
	                          "Content-Transfer-Encoding: x-uuencode\n\n"
	                          "begin 644 formularz.txt\n"
	                          ";26UIQ)DZ($IA;@I.87IW:7-K;SH@3F]W86L*\n"
	                          "`\nend\n";
	g_autoptr (GMimeMessage) m = parse_bytes (msg, -1);
	g_autoptr (FormData) f = extract_form (m, def, &default_limits, NULL);
	g_autoptr (GString) pairs = g_string_new (NULL);

	g_assert_nonnull (f);
	if (f == NULL)
		return;
	render_pairs (pairs, f);
	g_assert_cmpstr (pairs->str, ==, "Imię\tJan\nNazwisko\tNowak\n");
}

static void
test_form_tie (void)
{
	/* equal fields: the body beats an earlier attachment; then document order */
	static const char msg[] =
		"Content-Type: multipart/mixed; boundary=b\n\n"
		"--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\nImię: A\n"
		"--b\nContent-Type: text/plain\n\nImię: B\n"
		"--b\nContent-Type: text/plain\n\nImię: C\n"
		"--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=\"x\x01y.txt\"\n\n"
		"Imię: D\nNazwisko: D\n"
		"--b--\n";
	g_autoptr (GMimeMessage) m = parse_bytes (msg, -1);
	g_autoptr (FormData) f = extract_form (m, def, &default_limits, NULL);

	g_assert_nonnull (f);
	if (f == NULL)
		return;
	/* the last one has more fields; its name loses the control character */
	g_assert_cmpstr (f->part, ==, "attachment x_y.txt");
	g_assert_cmpuint (f->matched, ==, 2);
}

static void
test_form_tie_body (void)
{
	static const char msg[] =
		"Content-Type: multipart/mixed; boundary=b\n\n"
		"--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\nImię: A\n"
		"--b\nContent-Type: text/plain\n\nImię: B\n"
		"--b\nContent-Type: text/plain\n\nImię: C\n"
		"--b--\n";
	g_autoptr (GMimeMessage) m = parse_bytes (msg, -1);
	g_autoptr (FormData) f = extract_form (m, def, &default_limits, NULL);

	g_assert_nonnull (f);
	if (f == NULL)
		return;
	g_assert_cmpstr (f->part, ==, "body");
	g_assert_cmpstr (((FormPair *) g_ptr_array_index (f->pairs, 0))->value, ==, "B");
}

static void
test_form_many_notes (void)
{
	/* 30 distinct unreadable attachments: 20 notes and a summary */
	GString *msg = g_string_new ("Content-Type: multipart/mixed; boundary=b\n\n"
	                             "--b\nContent-Type: text/plain\n\nDzień dobry\n");
	g_autoptr (GMimeMessage) m = NULL;
	g_autoptr (FormData) f = NULL;
	g_autofree char *notes = NULL;
	g_autofree char *raw = NULL;

	for (int i = 0; i < 30; i++)
		g_string_append_printf (msg, "--b\nContent-Type: image/png\n"
		                        "Content-Disposition: attachment; filename=\"s%02d.png\"\n\nx\n", i);
	g_string_append (msg, "--b--\n");
	raw = g_string_free (msg, FALSE);
	m = parse_bytes (raw, -1);
	f = extract_form (m, def, &default_limits, &notes);
	g_assert_nonnull (f);
	g_assert_nonnull (notes);
	if (notes == NULL)
		return;
	g_assert_true (g_str_has_prefix (notes, "attachment s00.png: image (.png), perhaps a scan — "
	                                        "ask for a filled DOCX, ODT or PDF form; "));
	g_assert_true (g_str_has_suffix (notes, "attachment s19.png: image (.png), perhaps a scan — "
	                                        "ask for a filled DOCX, ODT or PDF form; "
	                                        "and 10 more parts not read"));
}

static void
test_form_huge_body (void)
{
	/* an 8 MB base64 body read from a file: only max_text bytes are decoded,
	 * the form at its top is found */
	g_autofree char *dir = g_dir_make_tmp ("mailreg-extract-XXXXXX", NULL);
	g_autofree char *path = g_build_filename (dir, "huge.eml", NULL);
	g_autofree char *filler = g_strnfill (6 * 1024 * 1024, 'z');
	g_autofree char *b64 = NULL;
	g_autofree char *text = NULL;
	g_autoptr (GString) msg = g_string_new ("Content-Type: text/plain; charset=utf-8\n"
	                                        "Content-Transfer-Encoding: base64\n\n");
	g_autoptr (GMimeMessage) m = NULL;
	g_autoptr (FormData) f = NULL;
	g_autofree char *notes = NULL;
	g_autoptr (GError) error = NULL;
	ExtractLimits limits = default_limits;

	limits.max_text = 64 * 1024;
	g_assert_nonnull (dir);
	text = g_strconcat ("Imię: Jan\nNazwisko: Nowak\n", filler, "\nTelefon: 1\n", NULL);
	b64 = g_base64_encode ((const guchar *) text, strlen (text));
	for (gsize i = 0, n = strlen (b64); i < n; i += 76) {
		g_string_append_len (msg, b64 + i, MIN (76, n - i));
		g_string_append_c (msg, '\n');
	}
	g_file_set_contents (path, msg->str, msg->len, &error);
	g_assert_no_error (error);
	m = parse_file (path);
	f = extract_form (m, def, &limits, &notes);
	g_assert_nonnull (f);
	if (f != NULL) {
		g_assert_cmpuint (f->matched, ==, 2);
		g_assert_cmpuint (f->pairs->len, ==, 2);
	}
	g_assert_cmpstr (notes, ==, "body: text longer than 65536 bytes, the rest was not read");
	g_unlink (path);
	g_rmdir (dir);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
	return strcmp (*(char *const *) a, *(char *const *) b);
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GDir) dir = NULL;
	g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	const char *entry;
	int rc;

	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_mime_init ();

	def = formdef_load ("templates/form.ini", &error);
	g_assert_no_error (error);
	if (def == NULL)
		return 1;

	dir = g_dir_open (FIXTURE_DIR, 0, &error);
	g_assert_no_error (error);
	while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
		if (g_str_has_suffix (entry, ".eml"))
			g_ptr_array_add (names, g_strndup (entry, strlen (entry) - 4));
	g_ptr_array_sort (names, compare_names);
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index (names, i);
		g_autofree char *path = g_strdup_printf ("/extract/%s", name);
		g_test_add_data_func (path, name, test_fixture);
	}

	g_test_add_func ("/extract/text/line-ends", test_text_line_ends);
	g_test_add_func ("/extract/text/colon", test_text_colon);
	g_test_add_func ("/extract/text/quoted", test_text_quoted);
	g_test_add_func ("/extract/text/tab", test_text_tab);
	g_test_add_func ("/extract/text/checkbox-marks", test_text_checkbox_marks);
	g_test_add_func ("/extract/text/checkbox-pairs", test_text_checkbox_pairs);
	g_test_add_func ("/extract/text/checkbox-prefix", test_text_checkbox_prefix);
	g_test_add_func ("/extract/text/printed-labels", test_text_printed_labels);
	g_test_add_func ("/extract/text/wrapped-labels", test_text_wrapped_labels);
	g_test_add_func ("/extract/text/distinct", test_text_distinct);
	g_test_add_func ("/extract/text/template", test_text_template);
	g_test_add_func ("/extract/utf8/declared", test_utf8_declared);
	g_test_add_func ("/extract/utf8/fallback", test_utf8_fallback);
	g_test_add_func ("/extract/utf8/bom-nul", test_utf8_bom_nul);
	g_test_add_func ("/extract/utf8/invalid", test_utf8_invalid);
	g_test_add_func ("/extract/part/needle", test_part_needle);
	g_test_add_func ("/extract/form/limits-zero", test_form_limits_zero);
	g_test_add_func ("/extract/form/empty", test_form_empty);
	g_test_add_func ("/extract/form/uuencode", test_form_uuencode);
	g_test_add_func ("/extract/form/tie", test_form_tie);
	g_test_add_func ("/extract/form/tie-body", test_form_tie_body);
	g_test_add_func ("/extract/form/many-notes", test_form_many_notes);
	g_test_add_func ("/extract/form/huge-body", test_form_huge_body);

	rc = g_test_run ();
	formdef_free (def);
	g_mime_shutdown ();
	return rc;
}

/* test_validate.c - unit tests for stage 4: powiat lookup, checkboxes, e-mail
 * syntax and the form rules, against the real templates/form.ini.
 *
 * Run from the repository root (make check does); forms are built by hand as
 * FormPair arrays so the tests do not depend on extract.
 */
#include <locale.h>
#include <string.h>

#include "validate/powiat.h"
#include "validate/reasons.h"
#include "validate/validate.h"

/* Name the table row a failing check came from; quiet when it passes. */
#define CASE(failed, ...) \
	G_STMT_START { \
		if (failed) \
			g_test_message (__VA_ARGS__); \
	} G_STMT_END

static FormDef *formdef;

/* A complete, valid application in form order, as label/value pairs. */
static const char *const base_form[] = {
	"Imię", "Anna",
	"Nazwisko", "Nowak",
	"Adres e-mail", "anna.nowak@ops.example.pl",
	"Telefon", "32 123 45 67",
	"Nazwa instytucji", "Ośrodek Pomocy Społecznej w Gliwicach",
	"Typ instytucji", "OPS",
	"Stanowisko", "pracownik socjalny",
	"Powiat", "Gliwice",
	"Subregion", "centralny",
	"Spotkanie informacyjne", "[x]",
	"Warsztaty i wizyta studyjna", "[ ]",
	"Doradztwo", "[ ]",
	"Temat doradztwa", "",
	"Szkolenie uzupełniające", "[ ]",
	"Szczególne potrzeby", "brak",
	"Proponowana tematyka", "ekonomia społeczna",
	"Wyrażam zgodę na przetwarzanie moich danych osobowych", "[x]",
	NULL,
};

static void
pair_free (FormPair *pair)
{
	g_free (pair->label);
	g_free (pair->value);
	g_free (pair);
}

static void
add_pair (FormData *form, const char *label, const char *value)
{
	FormPair *pair = g_new0 (FormPair, 1);

	pair->label = g_strdup (label);
	pair->value = g_strdup (value);
	g_ptr_array_add (form->pairs, pair);
}

/* Validate the base form with @extra pairs put first (the first non-empty value
 * wins, so they override) and every base pair whose label is in @omit left out. */
static Application *
run (const char *const *extra, const char *const *omit, const char *sender)
{
	FormData form = { 0 };
	Application *app;

	form.pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_free);
	for (const char *const *p = extra; p && *p; p += 2)
		add_pair (&form, p[0], p[1]);
	for (const char *const *p = base_form; *p; p += 2)
		if (omit == NULL || !g_strv_contains (omit, p[0]))
			add_pair (&form, p[0], p[1]);
	app = validate_form (formdef, &form, sender);
	g_ptr_array_unref (form.pairs);
	return app;
}

#define PAIRS(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* The one problem of @app (fails when there are none or several). */
static const char *
only_problem (const Application *app)
{
	g_assert_cmpuint (app->problems->len, ==, 1);
	return app->problems->len == 1 ? g_ptr_array_index (app->problems, 0) : "";
}

static const char *
only_note (const Application *app)
{
	g_assert_cmpuint (app->notes->len, ==, 1);
	return app->notes->len == 1 ? g_ptr_array_index (app->notes, 0) : "";
}

/* ---- powiat ---- */

static const struct {
	const char *name;
	const char *subregion;
} all_units[] = {
	{ "Częstochowa", "północny" }, { "powiat częstochowski", "północny" },
	{ "powiat kłobucki", "północny" }, { "powiat lubliniecki", "północny" },
	{ "powiat myszkowski", "północny" },
	{ "Bielsko-Biała", "południowy" }, { "powiat bielski", "południowy" },
	{ "powiat cieszyński", "południowy" }, { "powiat żywiecki", "południowy" },
	{ "Rybnik", "zachodni" }, { "Jastrzębie-Zdrój", "zachodni" }, { "Żory", "zachodni" },
	{ "powiat raciborski", "zachodni" }, { "powiat rybnicki", "zachodni" },
	{ "powiat wodzisławski", "zachodni" },
	{ "Bytom", "centralny" }, { "Chorzów", "centralny" }, { "Dąbrowa Górnicza", "centralny" },
	{ "Gliwice", "centralny" }, { "Jaworzno", "centralny" }, { "Katowice", "centralny" },
	{ "Mysłowice", "centralny" }, { "Piekary Śląskie", "centralny" },
	{ "Ruda Śląska", "centralny" }, { "Siemianowice Śląskie", "centralny" },
	{ "Sosnowiec", "centralny" }, { "Świętochłowice", "centralny" }, { "Tychy", "centralny" },
	{ "Zabrze", "centralny" }, { "powiat będziński", "centralny" },
	{ "powiat bieruńsko-lędziński", "centralny" }, { "powiat gliwicki", "centralny" },
	{ "powiat mikołowski", "centralny" }, { "powiat pszczyński", "centralny" },
	{ "powiat tarnogórski", "centralny" }, { "powiat zawierciański", "centralny" },
};

static void
check_unit (const char *input, const char *want_name, const char *want_sub)
{
	const char *canonical = "unset";
	const char *sub = powiat_subregion (input, &canonical);

	CASE (g_strcmp0 (sub, want_sub) != 0 || g_strcmp0 (canonical, want_name) != 0,
	      "input '%s'", input ? input : "(null)");
	g_assert_cmpstr (sub, ==, want_sub);
	g_assert_cmpstr (canonical, ==, want_name);
}

static void
test_powiat_all (void)
{
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

	g_assert_cmpuint (G_N_ELEMENTS (all_units), ==, 36);
	for (gsize i = 0; i < G_N_ELEMENTS (all_units); i++) {
		g_autofree char *upper = g_utf8_strup (all_units[i].name, -1);
		const char *canonical = NULL;

		check_unit (all_units[i].name, all_units[i].name, all_units[i].subregion);
		check_unit (upper, all_units[i].name, all_units[i].subregion);
		powiat_subregion (all_units[i].name, &canonical);
		g_assert_nonnull (canonical);
		if (canonical != NULL)
			g_hash_table_add (seen, (gpointer) canonical);
	}
	g_assert_cmpuint (g_hash_table_size (seen), ==, 36);
}

static void
test_powiat_katowice (void)
{
	static const char *const inputs[] = {
		"Katowice", "katowice", "KATOWICE", "  Katowice  ", "m. Katowice", "M.Katowice",
		"m. st. Katowice", "m.st. Katowice", "miasto Katowice", "Miasto Katowice",
		"powiat Katowice", "pow. Katowice", "powiat grodzki Katowice",
		"miasto na prawach powiatu Katowice", "Katowice miasto na prawach powiatu",
		"Katowice - miasto na prawach powiatu", "Katowice (miasto na prawach powiatu)",
		"Katowice.", NULL,
	};

	for (const char *const *p = inputs; *p; p++)
		check_unit (*p, "Katowice", "centralny");
}

static void
test_powiat_variants (void)
{
	static const struct {
		const char *input, *name, *sub;
	} cases[] = {
		{ "Bielsko-Biała", "Bielsko-Biała", "południowy" },
		{ "Bielsko Biała", "Bielsko-Biała", "południowy" },
		{ "bielsko-biala", "Bielsko-Biała", "południowy" },
		{ "Bielsko - Biała", "Bielsko-Biała", "południowy" },
		{ "Bielsko–Biała", "Bielsko-Biała", "południowy" },
		{ "m. Bielsko-Biała", "Bielsko-Biała", "południowy" },
		{ "bielski", "powiat bielski", "południowy" },
		{ "powiat bielski", "powiat bielski", "południowy" },
		{ "Powiat Bielski", "powiat bielski", "południowy" },
		{ "pow. bielski", "powiat bielski", "południowy" },
		{ "pow.bielski", "powiat bielski", "południowy" },
		{ "Jastrzębie Zdrój", "Jastrzębie-Zdrój", "zachodni" },
		{ "jastrzebie-zdroj", "Jastrzębie-Zdrój", "zachodni" },
		{ "bierunsko ledzinski", "powiat bieruńsko-lędziński", "centralny" },
		{ "Powiat bieruńsko-lędziński", "powiat bieruńsko-lędziński", "centralny" },
		{ "Częstochowa", "Częstochowa", "północny" },
		{ "czestochowa", "Częstochowa", "północny" },
		{ "częstochowski", "powiat częstochowski", "północny" },
		{ "Gliwice", "Gliwice", "centralny" },
		{ "gliwicki", "powiat gliwicki", "centralny" },
		{ "Rybnik", "Rybnik", "zachodni" },
		{ "rybnicki", "powiat rybnicki", "zachodni" },
		{ "dabrowa gornicza", "Dąbrowa Górnicza", "centralny" },
		{ "Dąbrowa-Górnicza", "Dąbrowa Górnicza", "centralny" },
		{ "ZORY", "Żory", "zachodni" },
		{ "swietochlowice", "Świętochłowice", "centralny" },
		{ "Siemianowice Sląskie", "Siemianowice Śląskie", "centralny" },
		{ "zywiecki", "powiat żywiecki", "południowy" },
		{ "Powiat: tarnogórski", "powiat tarnogórski", "centralny" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
		check_unit (cases[i].input, cases[i].name, cases[i].sub);
}

static void
test_powiat_unknown (void)
{
	static const char *const inputs[] = {
		"Warszawa", "", "   ", "powiat", "m.", "miasto", "miasto na prawach powiatu",
		"bielsk", "Bielsko", "powiat krakowski", "Katowice Gliwice", "Katowice / gliwicki",
		"katowicki", "Kraków", "Gliwice1", NULL,
	};
	const char *canonical = "unset";

	for (const char *const *p = inputs; *p; p++)
		check_unit (*p, NULL, NULL);
	g_assert_null (powiat_subregion (NULL, &canonical));
	g_assert_null (canonical);
	g_assert_cmpstr (powiat_subregion ("Tychy", NULL), ==, "centralny");
}

static void
test_powiat_subregion_name (void)
{
	static const struct {
		const char *input, *want;
	} cases[] = {
		{ "centralny", "centralny" }, { "Centralny", "centralny" },
		{ "subregion centralny", "centralny" }, { "Subregion Centralny", "centralny" },
		{ "centralny subregion", "centralny" }, { "  CENTRALNY:", "centralny" },
		{ "polnocny", "północny" }, { "Północny", "północny" },
		{ "subregion północny", "północny" },
		{ "południowy", "południowy" }, { "POLUDNIOWY", "południowy" },
		{ "zachodni", "zachodni" }, { "Subregion zachodni", "zachodni" },
		{ "wschodni", NULL }, { "", NULL }, { "subregion", NULL },
		{ "centralny zachodni", NULL }, { "centralna", NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		const char *got = powiat_subregion_name (cases[i].input);

		CASE (g_strcmp0 (got, cases[i].want) != 0, "input '%s'", cases[i].input);
		g_assert_cmpstr (got, ==, cases[i].want);
	}
	g_assert_null (powiat_subregion_name (NULL));
}

/* ---- checkboxes and e-mail ---- */

static void
test_checkbox_matrix (void)
{
	static const struct {
		const char *value;
		int want;
	} cases[] = {
		{ "[x]", 1 }, { "[X]", 1 }, { "X", 1 }, { "x", 1 }, { "☒", 1 }, { "☑", 1 },
		{ "✓", 1 }, { "✔", 1 }, { "■", 1 }, { "TAK", 1 }, { "tak", 1 }, { "Tak", 1 },
		{ "[✓]", 1 }, { "(x)", 1 }, { "[ x ]", 1 }, { "[ X]", 1 }, { " [x] ", 1 },
		{ "[☒]", 1 },
		{ "[ ]", 0 }, { "[]", 0 }, { "☐", 0 }, { "□", 0 }, { "NIE", 0 }, { "nie", 0 },
		{ "Nie", 0 }, { "", 0 }, { "   ", 0 }, { "( )", 0 }, { "[  ]", 0 },
		{ "?", -1 }, { "maybe", -1 }, { "[xx]", -1 }, { "xx", -1 }, { "[x", -1 },
		{ "takk", -1 }, { "[x] [ ]", -1 }, { "1", -1 }, { "v", -1 }, { "[[x]]", -1 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		int got = validate_checkbox (cases[i].value);

		CASE (got != cases[i].want, "value '%s'", cases[i].value);
		g_assert_cmpint (got, ==, cases[i].want);
	}
	g_assert_cmpint (validate_checkbox (NULL), ==, 0);
}

static void
test_email_table (void)
{
	g_autofree char *long_local = g_strnfill (65, 'a');
	g_autofree char *local64 = g_strnfill (64, 'a');
	g_autofree char *label63 = g_strnfill (63, 'b');
	g_autofree char *ok64 = g_strdup_printf ("%s@example.pl", local64);
	g_autofree char *bad65 = g_strdup_printf ("%s@example.pl", long_local);
	/* 64 + 1 + 63*3 + 3 dots + "pl" = 259 bytes: over 254 with every part in range. */
	g_autofree char *too_long = g_strdup_printf ("%s@%s.%s.%s.pl", local64, label63, label63, label63);
	g_autofree char *fits = g_strdup_printf ("%s@%s.%s.pl", local64, label63, label63);
	static const struct {
		const char *addr;
		gboolean ok;
	} cases[] = {
		{ "jan@example.pl", TRUE }, { "Jan.Kowalski@Example.PL", TRUE },
		{ "jan+rejestracja@ops.gliwice.pl", TRUE }, { "o'brien@example.com", TRUE },
		{ "j_k-1@sub.example-domain.pl", TRUE }, { "żaneta@example.pl", TRUE },
		{ "a@b.co", TRUE }, { "x@xn--80ak6aa92e.com", TRUE },
		{ "", FALSE }, { "jan", FALSE }, { "jan@", FALSE }, { "@example.pl", FALSE },
		{ "jan@@x", FALSE }, { "jan@x@example.pl", FALSE }, { "jan@localhost", FALSE },
		{ "jan@example", FALSE }, { "jan kowalski@example.pl", FALSE },
		{ " jan@example.pl", FALSE }, { "jan@example.pl\r\nBcc: x@y.pl", FALSE },
		{ "jan\t@example.pl", FALSE }, { "\"jan\"@example.pl", FALSE },
		{ "jan,anna@example.pl", FALSE }, { "<jan@example.pl>", FALSE },
		{ "Jan <jan@example.pl>", FALSE }, { "jan@example..pl", FALSE },
		{ "jan@.example.pl", FALSE }, { "jan@example.pl.", FALSE }, { ".jan@example.pl", FALSE },
		{ "jan.@example.pl", FALSE }, { "ja..n@example.pl", FALSE },
		{ "jan@-example.pl", FALSE }, { "jan@example-.pl", FALSE }, { "jan@1.2.3.4", FALSE },
		{ "jan@example.p", FALSE }, { "jan@exa mple.pl", FALSE }, { "jan@łódź.pl", FALSE },
		{ "jan@example_x.pl", FALSE }, { "ja\xc2\xa0n@example.pl", FALSE },
		{ "ja\xc2\x85n@example.pl", FALSE }, { "jan\xff@example.pl", FALSE },
		{ "jan(x)@example.pl", FALSE }, { "jan;x@example.pl", FALSE },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		gboolean got = validate_email (cases[i].addr);

		CASE (got != cases[i].ok, "address row %" G_GSIZE_FORMAT, i);
		g_assert_cmpint (got, ==, cases[i].ok);
	}
	g_assert_false (validate_email (NULL));
	g_assert_true (validate_email (ok64));
	g_assert_false (validate_email (bad65));
	g_assert_cmpuint (strlen (fits), <=, 254);
	g_assert_true (validate_email (fits));
	g_assert_cmpuint (strlen (too_long), >, 254);
	g_assert_false (validate_email (too_long));
}

/* ---- the form ---- */

static void
test_form_valid (void)
{
	g_autoptr (Application) app = run (NULL, NULL, "Someone.Else@Example.PL");

	g_assert_cmpuint (app->problems->len, ==, 0);
	g_assert_cmpuint (app->notes->len, ==, 0);
	g_assert_cmpstr (app->first_name, ==, "Anna");
	g_assert_cmpstr (app->last_name, ==, "Nowak");
	g_assert_cmpstr (app->email, ==, "anna.nowak@ops.example.pl");
	g_assert_cmpstr (app->phone, ==, "32 123 45 67");
	g_assert_cmpstr (app->institution, ==, "Ośrodek Pomocy Społecznej w Gliwicach");
	g_assert_cmpstr (app->institution_type, ==, "OPS");
	g_assert_cmpstr (app->position, ==, "pracownik socjalny");
	g_assert_cmpstr (app->powiat, ==, "Gliwice");
	g_assert_cmpstr (app->subregion, ==, "centralny");
	g_assert_cmpstr (app->needs, ==, "brak");
	g_assert_cmpstr (app->topics, ==, "ekonomia społeczna");
	g_assert_true (app->info_meeting);
	g_assert_false (app->workshops);
	g_assert_false (app->consulting);
	g_assert_false (app->training);
	g_assert_cmpint (app->consulting_topic, ==, 0);
	g_assert_true (app->consent);
}

static void
test_form_empty (void)
{
	FormData form = { 0 };
	g_autoptr (Application) app = NULL;

	form.pairs = g_ptr_array_new ();
	app = validate_form (formdef, &form, NULL);
	g_ptr_array_unref (form.pairs);
	/* first name, last name, e-mail, institution, powiat, support, consent */
	g_assert_cmpuint (app->problems->len, ==, 7);
	g_assert_null (app->first_name);
	g_assert_null (app->email);
	g_assert_null (app->powiat);
	g_assert_null (app->subregion);
	g_assert_false (app->consent);
	/* each problem has its stable code beside it, and every code its Polish text */
	g_assert_cmpuint (app->problem_codes->len, ==, app->problems->len);
	g_assert_cmpstr (g_ptr_array_index (app->problem_codes, 0), ==, REASON_MISSING_FIELD);
	g_assert_cmpstr (g_ptr_array_index (app->problem_codes, 5), ==, REASON_NO_SUPPORT_CHOSEN);
	/* an empty form has no consent box at all: not found, never "not ticked" */
	g_assert_cmpstr (g_ptr_array_index (app->problem_codes, 6), ==, REASON_BOX_NOT_FOUND);
	for (guint i = 0; i < app->problem_codes->len; i++)
		g_assert_true (reason_known (g_ptr_array_index (app->problem_codes, i)));
}

/* The one table: codes are stable lower-case words, each with a Polish text;
 * an unknown code gets a generic text, never NULL. */
static void
test_reasons (void)
{
	static const char *const codes[] = {
		REASON_TOO_LARGE, REASON_NOT_MIME, REASON_NO_FORM, REASON_UNREADABLE_ATTACHMENT, REASON_TRUNCATED,
		REASON_OFFER_UNCLEAR, REASON_NO_EVENT, REASON_CANNOT_PROCESS, REASON_MISSING_FIELD,
		REASON_INVALID_EMAIL, REASON_NO_REPLY_ADDRESS, REASON_INVALID_CHOICE, REASON_UNKNOWN_POWIAT,
		REASON_UNREADABLE_CHECKBOX, REASON_NO_CONSENT, REASON_REQUIRED_CHECKBOX, REASON_NO_SUPPORT_CHOSEN,
		REASON_MISSING_TOPIC, REASON_UNKNOWN_TOPIC, REASON_STAFF_REJECTED, REASON_OFFER_TOO_LATE,
		REASON_STAFF_COMMAND, REASON_STAFF_NO_TOKEN, REASON_STAFF_WRONG_TOKEN, REASON_STAFF_NOT_STAFF,
		REASON_STAFF_SETTLED, REASON_STAFF_UNKNOWN_COMMAND, REASON_STAFF_FAILED,
	};
	g_autoptr (GHashTable) texts = g_hash_table_new (g_str_hash, g_str_equal);

	for (gsize i = 0; i < G_N_ELEMENTS (codes); i++) {
		const char *pl = reason_text_pl (codes[i]);
		g_assert_true (reason_known (codes[i]));
		for (const char *c = codes[i]; *c; c++)
			g_assert_true (g_ascii_islower (*c) || *c == '_');
		g_assert_true (g_utf8_validate (pl, -1, NULL));
		g_assert_cmpuint (strlen (pl), >, 10);
		/* no two codes share a text: staff could not tell them apart */
		g_assert_false (g_hash_table_contains (texts, pl));
		g_hash_table_add (texts, (gpointer) pl);
	}
	g_assert_false (reason_known ("no such code"));
	g_assert_nonnull (reason_text_pl ("no such code"));
	g_assert_nonnull (reason_text_pl (NULL));
	g_assert_cmpstr (reason_text_pl (REASON_NO_FORM), ==,
	                 "W wiadomości nie znaleziono wypełnionego formularza zgłoszeniowego.");
}

static void
test_form_aliases_unknown (void)
{
	g_autoptr (Application) app = run (PAIRS ("IMIĘ :", "Piotr", "Pesel", "12345678901",
	                                          "Nr telefonu", "600 100 200", "Instytucja", "MOPS Tychy",
	                                          "Powiat / miasto na prawach powiatu", "Tychy",
	                                          "Rodzaj instytucji", "ngo"),
	                                   NULL, NULL);

	g_assert_cmpuint (app->problems->len, ==, 0);
	g_assert_cmpstr (app->first_name, ==, "Piotr");
	g_assert_cmpstr (app->phone, ==, "600 100 200");
	g_assert_cmpstr (app->institution, ==, "MOPS Tychy");
	g_assert_cmpstr (app->powiat, ==, "Tychy");
	g_assert_cmpstr (app->institution_type, ==, "NGO");
}

static void
test_form_duplicate (void)
{
	g_autoptr (Application) first = run (PAIRS ("Imię", "", "Imię", "  ", "Imię", "Jan", "Imię", "Piotr"),
	                                     NULL, NULL);
	g_autoptr (Application) blank_later = run (PAIRS ("Imię", "Jan"), NULL, NULL);

	g_assert_cmpstr (first->first_name, ==, "Jan");
	g_assert_cmpuint (first->problems->len, ==, 0);
	/* The base form's "Anna" comes after: the first non-empty value stays. */
	g_assert_cmpstr (blank_later->first_name, ==, "Jan");
}

static void
test_form_required (void)
{
	g_autoptr (Application) no_first = run (NULL, PAIRS ("Imię"), NULL);
	g_autoptr (Application) blank_last = run (PAIRS ("Nazwisko", " \t "), PAIRS ("Nazwisko"), NULL);
	g_autoptr (Application) no_inst = run (NULL, PAIRS ("Nazwa instytucji"), NULL);

	g_assert_cmpstr (only_problem (no_first), ==, "Pole „Imię” jest wymagane — nie zostało wypełnione.");
	g_assert_null (no_first->first_name);
	g_assert_cmpstr (only_problem (blank_last), ==,
	                 "Pole „Nazwisko” jest wymagane — nie zostało wypełnione.");
	g_assert_null (blank_last->last_name);
	g_assert_cmpstr (only_problem (no_inst), ==,
	                 "Pole „Nazwa instytucji” jest wymagane — nie zostało wypełnione.");
}

static void
test_text_control_chars (void)
{
	g_autoptr (Application) app = run (PAIRS ("Imię", "Jan\r\nBcc: ofiara@example.pl",
	                                          "Nazwisko", "Kowal\tski\x01\x7f",
	                                          "Stanowisko", "\r\n kierownik \n",
	                                          "Szczególne potrzeby", "a\xe2\x80\xa8" "b\xc2\x85" "c"),
	                                   NULL, NULL);

	g_assert_cmpuint (app->problems->len, ==, 0);
	g_assert_cmpstr (app->first_name, ==, "Jan Bcc: ofiara@example.pl");
	g_assert_cmpstr (app->last_name, ==, "Kowal ski");
	g_assert_cmpstr (app->position, ==, "kierownik");
	g_assert_cmpstr (app->needs, ==, "a b c");
}

static void
test_text_literal (void)
{
	const char *sql = "Robert'); DROP TABLE applicants;-- \"x\" <b>%s%n</b>";
	g_autoptr (Application) app = run (PAIRS ("Nazwisko", sql), NULL, NULL);

	g_assert_cmpuint (app->problems->len, ==, 0);
	g_assert_cmpstr (app->last_name, ==, sql);
}

static void
test_text_invalid_utf8 (void)
{
	g_autoptr (Application) app = run (PAIRS ("Nazwisko", "Nowak\xff\xfe"), NULL, NULL);

	g_assert_true (g_utf8_validate (app->last_name, -1, NULL));
	g_assert_cmpstr (app->last_name, ==, "Nowak\xef\xbf\xbd\xef\xbf\xbd");
}

static void
test_text_cap (void)
{
	g_autofree char *ascii = g_strnfill (600, 'a');
	g_autoptr (GString) polish = g_string_new ("a");
	g_autoptr (Application) app = NULL;
	g_autoptr (Application) exact = NULL;
	g_autofree char *five_hundred = g_strnfill (500, 'b');

	for (int i = 0; i < 300; i++)
		g_string_append (polish, "ą");
	app = run (PAIRS ("Imię", ascii, "Nazwisko", polish->str), NULL, NULL);
	g_assert_cmpuint (strlen (app->first_name), ==, 500);
	/* "a" + 249 two-byte characters = 499 bytes: the 250th would cross 500. */
	g_assert_cmpuint (strlen (app->last_name), ==, 499);
	g_assert_cmpuint (g_utf8_strlen (app->last_name, -1), ==, 250);
	g_assert_true (g_utf8_validate (app->last_name, -1, NULL));
	g_assert_true (g_str_has_prefix (polish->str, app->last_name));

	exact = run (PAIRS ("Imię", five_hundred), NULL, NULL);
	g_assert_cmpstr (exact->first_name, ==, five_hundred);
}

static void
test_email_rules (void)
{
	g_autoptr (Application) upper = run (PAIRS ("E-mail", "Anna.Nowak@OPS.Example.PL"), NULL, NULL);
	g_autoptr (Application) sender = run (NULL, PAIRS ("Adres e-mail"), " Anna@Example.PL ");
	g_autoptr (Application) nothing = run (NULL, PAIRS ("Adres e-mail"), NULL);
	g_autoptr (Application) bad_sender = run (NULL, PAIRS ("Adres e-mail"), "not an address");
	g_autoptr (Application) bad = run (PAIRS ("Adres e-mail", "jan@@x"), NULL, "anna@example.pl");

	g_assert_cmpuint (upper->problems->len, ==, 0);
	g_assert_cmpstr (upper->email, ==, "anna.nowak@ops.example.pl");

	g_assert_cmpuint (sender->problems->len, ==, 0);
	g_assert_cmpstr (sender->email, ==, "anna@example.pl");

	g_assert_null (nothing->email);
	g_assert_cmpstr (only_problem (nothing), ==,
	                 "Pole „Adres e-mail” nie zostało wypełnione, a adres nadawcy wiadomości nie jest "
	                 "poprawnym adresem e-mail — podaj adres, na który mamy odpowiedzieć.");
	g_assert_null (bad_sender->email);
	g_assert_cmpuint (bad_sender->problems->len, ==, 1);

	g_assert_cmpstr (only_problem (bad), ==,
	                 "Pole „Adres e-mail”: „jan@@x” nie jest poprawnym adresem e-mail.");
	/* The sender's address is kept for staff; the problem still rejects the form. */
	g_assert_cmpstr (bad->email, ==, "anna@example.pl");
}

static void
test_choice (void)
{
	g_autoptr (Application) lower = run (PAIRS ("Typ instytucji", "ops"), NULL, NULL);
	g_autoptr (Application) other = run (PAIRS ("Typ instytucji", "  Inne "), NULL, NULL);
	g_autoptr (Application) absent = run (NULL, PAIRS ("Typ instytucji"), NULL);
	g_autoptr (Application) bad = run (PAIRS ("Typ instytucji", "szkoła"), NULL, NULL);

	g_assert_cmpuint (lower->problems->len, ==, 0);
	g_assert_cmpstr (lower->institution_type, ==, "OPS");
	g_assert_cmpstr (other->institution_type, ==, "inne");
	g_assert_cmpuint (absent->problems->len, ==, 0);
	g_assert_null (absent->institution_type);
	g_assert_null (bad->institution_type);
	g_assert_cmpstr (only_problem (bad), ==,
	                 "Pole „Typ instytucji”: „szkoła” nie jest jedną z dozwolonych wartości "
	                 "(OPS, PCPR, ROPS, CIS, KIS, ZAZ, WTZ, NGO, JST, inne).");
}

static void
test_form_powiat (void)
{
	g_autoptr (Application) bielski = run (PAIRS ("Powiat", "pow. bielski", "Subregion", "Południowy"),
	                                       NULL, NULL);
	g_autoptr (Application) unknown = run (PAIRS ("Powiat", "Warszawa"), NULL, NULL);
	g_autoptr (Application) missing = run (NULL, PAIRS ("Powiat"), NULL);

	g_assert_cmpuint (bielski->problems->len, ==, 0);
	g_assert_cmpuint (bielski->notes->len, ==, 0);
	g_assert_cmpstr (bielski->powiat, ==, "powiat bielski");
	g_assert_cmpstr (bielski->subregion, ==, "południowy");

	g_assert_cmpstr (only_problem (unknown), ==,
	                 "Pole „Powiat”: nie rozpoznano „Warszawa”. Podaj jeden z 36 powiatów lub miast "
	                 "na prawach powiatu województwa śląskiego.");
	g_assert_null (unknown->powiat);
	g_assert_null (unknown->subregion);

	g_assert_cmpstr (only_problem (missing), ==, "Pole „Powiat” jest wymagane — nie zostało wypełnione.");
}

static void
test_form_subregion (void)
{
	g_autoptr (Application) conflict = run (PAIRS ("Subregion", "zachodni"), NULL, NULL);
	g_autoptr (Application) unknown = run (PAIRS ("Subregion", "śląski"), NULL, NULL);
	g_autoptr (Application) absent = run (NULL, PAIRS ("Subregion"), NULL);
	g_autoptr (Application) agree = run (PAIRS ("Subregion", "Subregion Centralny"), NULL, NULL);
	g_autoptr (Application) no_powiat = run (PAIRS ("Powiat", "Kraków", "Subregion", "xyz"), NULL, NULL);

	g_assert_cmpuint (conflict->problems->len, ==, 0);
	g_assert_cmpstr (conflict->subregion, ==, "centralny");
	g_assert_cmpstr (only_note (conflict), ==,
	                 "Pole „Subregion”: podano „zachodni”, ale powiat „Gliwice” należy do subregionu "
	                 "„centralny” — przyjęto subregion „centralny”.");

	g_assert_cmpuint (unknown->problems->len, ==, 0);
	g_assert_cmpstr (unknown->subregion, ==, "centralny");
	g_assert_cmpstr (only_note (unknown), ==,
	                 "Pole „Subregion”: nie rozpoznano „śląski”; przyjęto subregion „centralny” "
	                 "wynikający z powiatu „Gliwice”.");

	g_assert_cmpuint (absent->problems->len, ==, 0);
	g_assert_cmpuint (absent->notes->len, ==, 0);
	g_assert_cmpstr (absent->subregion, ==, "centralny");

	g_assert_cmpuint (agree->notes->len, ==, 0);
	g_assert_cmpstr (agree->subregion, ==, "centralny");

	g_assert_cmpuint (no_powiat->problems->len, ==, 1);
	g_assert_cmpstr (only_note (no_powiat), ==, "Pole „Subregion”: nie rozpoznano „xyz”.");
	g_assert_null (no_powiat->subregion);
}

static void
test_form_support (void)
{
	g_autoptr (Application) none = run (PAIRS ("Spotkanie informacyjne", "[ ]"), NULL, NULL);
	g_autoptr (Application) absent = run (NULL, PAIRS ("Spotkanie informacyjne"), NULL);
	g_autoptr (Application) unreadable = run (PAIRS ("Spotkanie informacyjne", "?"), NULL, NULL);
	g_autoptr (Application) training = run (PAIRS ("Spotkanie informacyjne", "NIE",
	                                               "Szkolenia uzupełniające", "☒"), NULL, NULL);
	g_autoptr (Application) workshops = run (PAIRS ("Spotkanie informacyjne", "",
	                                                "Warsztaty", "TAK"),
	                                         PAIRS ("Spotkanie informacyjne"), NULL);
	const char *want = "Zaznacz co najmniej jedną formę wsparcia: „Spotkanie informacyjne”, "
	                   "„Warsztaty i wizyta studyjna”, „Doradztwo” lub „Szkolenie uzupełniające”.";

	g_assert_cmpstr (only_problem (none), ==, want);
	g_assert_false (none->info_meeting);
	g_assert_cmpstr (only_problem (absent), ==, want);
	/* An unreadable box already says what to fix; no second problem. */
	g_assert_cmpstr (only_problem (unreadable), ==,
	                 "Pole „Spotkanie informacyjne”: nieczytelne zaznaczenie „?”. Wpisz [x], aby "
	                 "zaznaczyć, lub [ ], aby nie zaznaczać.");
	g_assert_false (unreadable->info_meeting);
	g_assert_cmpuint (training->problems->len, ==, 0);
	g_assert_true (training->training);
	g_assert_false (training->info_meeting);
	g_assert_cmpuint (workshops->problems->len, ==, 0);
	g_assert_true (workshops->workshops);
}

static void
check_topic (const char *value, int want)
{
	g_autoptr (Application) app = run (PAIRS ("Doradztwo", "[x]", "Temat doradztwa (1-4):", value),
	                                   NULL, NULL);

	CASE (app->consulting_topic != want, "topic '%s'", value);
	g_assert_true (app->consulting);
	g_assert_cmpint (app->consulting_topic, ==, want);
	if (want != 0) {
		g_assert_cmpuint (app->problems->len, ==, 0);
	} else {
		g_autofree char *msg = g_strdup_printf ("Pole „Temat doradztwa”: nie rozpoznano tematu „%s”. "
		                                        "Podaj numer od 1 do 4 lub nazwę tematu.", value);
		g_assert_cmpstr (only_problem (app), ==, msg);
	}
}

static void
test_topic_number (void)
{
	check_topic ("1", 1);
	check_topic ("1.", 1);
	check_topic ("2)", 2);
	check_topic ("temat 2", 2);
	check_topic ("Temat nr 3", 3);
	check_topic ("nr 4", 4);
	check_topic ("#4", 4);
	check_topic ("4 - Przygotowanie i realizacja projektów systemowych", 4);
	check_topic ("1. Ekonomia społeczna", 1);
	check_topic ("0", 0);
	check_topic ("5", 0);
	check_topic ("12", 0);
	check_topic ("1-4", 0);
	check_topic ("1, 2", 0);
	check_topic ("1 i 2", 0);
	check_topic ("1. Budowanie partnerstw lokalnych", 0);
	check_topic ("IV", 0);
	check_topic ("coś innego", 0);
}

static void
test_topic_name (void)
{
	check_topic ("Ekonomia społeczna", 1);
	check_topic ("ekonomia spoleczna", 1);
	check_topic ("EKONOMIA", 1);
	check_topic ("Budowanie partnerstw lokalnych", 2);
	check_topic ("budowanie partnerstw", 2);
	check_topic ("Praca ze środowiskiem lokalnym", 3);
	check_topic ("praca ze srodowiskiem", 3);
	check_topic ("Przygotowanie i realizacja projektów systemowych", 4);
	check_topic ("przygotowanie", 4);
	check_topic ("Ekonomia społeczna (temat 1)", 1);
	/* Too short to name a topic, or fits two ("pr": praca, przygotowanie). */
	check_topic ("p", 0);
	check_topic ("pr", 0);
	check_topic ("ek", 0);
	check_topic ("eko", 1);
}

static void
test_topic_rules (void)
{
	g_autoptr (Application) missing = run (PAIRS ("Doradztwo", "[x]"), NULL, NULL);
	g_autoptr (Application) unticked = run (PAIRS ("Temat doradztwa", "2"), NULL, NULL);
	g_autoptr (Application) unticked_bad = run (PAIRS ("Temat doradztwa", "nie wiem"), NULL, NULL);

	g_assert_cmpstr (only_problem (missing), ==,
	                 "Zaznaczono „Doradztwo” — w polu „Temat doradztwa” podaj numer tematu (1–4) "
	                 "lub jego nazwę.");
	g_assert_cmpint (missing->consulting_topic, ==, 0);

	g_assert_cmpuint (unticked->problems->len, ==, 0);
	g_assert_false (unticked->consulting);
	g_assert_cmpint (unticked->consulting_topic, ==, 2);
	g_assert_cmpstr (only_note (unticked), ==,
	                 "Podano temat doradztwa 2 („Budowanie partnerstw lokalnych”), ale nie zaznaczono "
	                 "pola „Doradztwo” — doradztwa nie uwzględniono.");

	g_assert_cmpuint (unticked_bad->problems->len, ==, 0);
	g_assert_cmpint (unticked_bad->consulting_topic, ==, 0);
	g_assert_cmpstr (only_note (unticked_bad), ==,
	                 "Pole „Temat doradztwa”: nie rozpoznano tematu „nie wiem”; pole „Doradztwo” nie "
	                 "jest zaznaczone, więc temat pominięto.");
}

static void
test_consent (void)
{
	const char *consent = "Wyrażam zgodę na przetwarzanie moich danych osobowych";
	const char *want = "Wymagana jest zgoda na przetwarzanie danych osobowych („Wyrażam zgodę na "
	                   "przetwarzanie moich danych osobowych”).";
	g_autoptr (Application) missing = run (NULL, PAIRS (consent), NULL);
	g_autoptr (Application) empty = run (PAIRS (consent, "[ ]"), NULL, NULL);
	g_autoptr (Application) no = run (PAIRS ("Zgoda na przetwarzanie danych osobowych", "nie"), NULL, NULL);
	g_autoptr (Application) odd = run (PAIRS (consent, "[y]"), NULL, NULL);
	g_autoptr (Application) yes = run (PAIRS ("Zgoda na przetwarzanie danych osobowych", "✔"),
	                                   PAIRS (consent), NULL);

	/* not found is said as such, never as "not ticked" */
	g_assert_cmpstr (only_problem (missing), ==,
	                 "Wymagana jest zgoda na przetwarzanie danych osobowych („Wyrażam zgodę na przetwarzanie "
	                 "moich danych osobowych”) — nie znaleziono jej w formularzu.");
	g_assert_false (missing->consent);
	/* a box not found is not a box left empty: staff must look */
	g_assert_cmpuint (missing->unread->len, ==, 1);
	g_assert_cmpstr (g_ptr_array_index (missing->unread, 0), ==,
	                 "required box \"Wyrażam zgodę na przetwarzanie moich danych osobowych\" not found in the form");
	g_assert_cmpuint (empty->unread->len, ==, 0);
	g_assert_cmpuint (no->unread->len, ==, 0);
	g_assert_cmpuint (yes->unread->len, ==, 0);
	g_assert_cmpstr (only_problem (empty), ==, want);
	g_assert_cmpstr (only_problem (no), ==, want);
	g_assert_cmpstr (only_problem (odd), ==,
	                 "Pole „Wyrażam zgodę na przetwarzanie moich danych osobowych”: nieczytelne "
	                 "zaznaczenie „[y]”. Wpisz [x], aby zaznaczyć, lub [ ], aby nie zaznaczać.");
	g_assert_cmpuint (yes->problems->len, ==, 0);
	g_assert_true (yes->consent);
}

static void
test_problem_order (void)
{
	/* Given out of form order; problems must still follow the form. */
	g_autoptr (Application) app = run (PAIRS ("Wyrażam zgodę na przetwarzanie moich danych osobowych", "nie",
	                                          "Powiat", "Warszawa", "Adres e-mail", "jan@@x",
	                                          "Doradztwo", "[x]"),
	                                   PAIRS ("Imię"), NULL);
	static const char *const want[] = {
		"Pole „Imię” jest wymagane — nie zostało wypełnione.",
		"Pole „Adres e-mail”: „jan@@x” nie jest poprawnym adresem e-mail.",
		"Pole „Powiat”: nie rozpoznano „Warszawa”. Podaj jeden z 36 powiatów lub miast na prawach "
		"powiatu województwa śląskiego.",
		"Zaznaczono „Doradztwo” — w polu „Temat doradztwa” podaj numer tematu (1–4) lub jego nazwę.",
		"Wymagana jest zgoda na przetwarzanie danych osobowych („Wyrażam zgodę na przetwarzanie "
		"moich danych osobowych”).",
	};

	/* The "at least one" problem follows the whole group of support boxes. */
	g_autoptr (Application) support = run (PAIRS ("Spotkanie informacyjne", "[ ]", "Powiat", "Kraków",
	                                              "Doradztwo", "???"),
	                                       PAIRS ("Wyrażam zgodę na przetwarzanie moich danych osobowych"),
	                                       NULL);
	g_autoptr (Application) none = run (PAIRS ("Spotkanie informacyjne", "[ ]", "Powiat", "Kraków"),
	                                    PAIRS ("Wyrażam zgodę na przetwarzanie moich danych osobowych"),
	                                    NULL);

	g_assert_cmpuint (app->problems->len, ==, G_N_ELEMENTS (want));
	for (guint i = 0; i < MIN (app->problems->len, G_N_ELEMENTS (want)); i++)
		g_assert_cmpstr (g_ptr_array_index (app->problems, i), ==, want[i]);

	g_assert_cmpuint (support->problems->len, ==, 3);
	if (support->problems->len == 3) {
		g_assert_true (g_str_has_prefix (g_ptr_array_index (support->problems, 0), "Pole „Powiat”"));
		g_assert_true (g_str_has_prefix (g_ptr_array_index (support->problems, 1), "Pole „Doradztwo”: nieczytelne"));
		g_assert_true (g_str_has_prefix (g_ptr_array_index (support->problems, 2), "Wymagana jest zgoda"));
	}
	g_assert_cmpuint (none->problems->len, ==, 3);
	if (none->problems->len == 3) {
		g_assert_true (g_str_has_prefix (g_ptr_array_index (none->problems, 0), "Pole „Powiat”"));
		g_assert_true (g_str_has_prefix (g_ptr_array_index (none->problems, 1), "Zaznacz co najmniej"));
		g_assert_true (g_str_has_prefix (g_ptr_array_index (none->problems, 2), "Wymagana jest zgoda"));
	}
}

static void
test_free_null (void)
{
	g_autoptr (Application) app = run (NULL, NULL, NULL);

	application_free (NULL);
	g_assert_nonnull (app->problems);
	g_assert_nonnull (app->notes);
}

static void
test_formdef_match (void)
{
	static const struct {
		const char *label;
		const char *key;
	} cases[] = {
		{ "Imię", "first_name" },
		{ "  IMIE :", "first_name" },
		{ "Nazwa\tinstytucji", "institution" },
		{ "Typ instytucji (OPS, PCPR, ROPS, CIS, KIS, ZAZ, WTZ, NGO, JST, inne)", "institution_type" },
		/* a hint cut by line wrapping in a printed PDF */
		{ "Typ instytucji (OPS, PCPR, ROPS, CIS,", "institution_type" },
		{ "Temat doradztwa (1 – Ekonomia", "consulting_topic" },
		{ "Powiat / miasto na prawach powiatu", "powiat" },
		{ "Szkolenia uzupełniające", "training" },
		{ "(Imię)", NULL },
		{ "Imię i nazwisko", NULL },
		{ "", NULL },
		/* numbering as printed forms number their items */
		{ "1. Imię", "first_name" },
		{ "1) Imię:", "first_name" },
		{ "II.3 Nazwisko", "last_name" },
		{ "II.3. Nazwisko", "last_name" },
		{ "2.1.Nazwa instytucji", "institution" },
		{ "a) Telefon", "phone" },
		{ "b. Stanowisko", "position" },
		{ "12 Powiat", "powiat" },
		/* hints after the label */
		{ "Nazwisko (drukowanymi literami)", "last_name" },
		{ "Nazwa instytucji (pełna):", "institution" },
		{ "Imię [drukowanymi literami]", "first_name" },
		/* the start of a longer sentence: only labels of five words or more */
		{ "Wyrażam zgodę na przetwarzanie moich danych osobowych zawartych w formularzu zgłoszeniowym "
		  "dla potrzeb niezbędnych do realizacji projektu (zgodnie z ustawą z dnia 29 sierpnia 1997 r. "
		  "o ochronie danych osobowych, Dz. U. z 2002 r. Nr 101, poz. 926 z późn. zm.).", "consent" },
		{ "3. Wyrażam zgodę na przetwarzanie moich danych osobowych przez ROPS", "consent" },
		{ "Zgoda na przetwarzanie danych osobowych, zgodnie z ustawą", "consent" },
		/* ... and never the other way round: answers stay answers */
		{ "Imię ojca", NULL },
		{ "Nazwisko panieńskie matki", NULL },
		{ "Telefonicznie po godzinie 15", NULL },
		{ "Doradztwo w zakresie ekonomii społecznej", NULL },
		{ "Warsztaty i wizyta studyjna w Krakowie", NULL },
		{ "Wyrażam zgodę", NULL },
		{ "Wyrażam zgodę na przetwarzanie", NULL },
		{ "Wyrażam zgodę na przetwarzanie moich danychosobowych", NULL },
		{ "Powiatowe Centrum Pomocy Rodzinie", NULL },
		{ "i nazwisko", NULL },
		{ "ix Imię", NULL },
		{ "Ala ma kota. Imię", NULL },
		{ "2014", NULL },
		{ "1.", NULL },
		/* a fillable PDF's fields named by the form's keys */
		{ "first_name", "first_name" },
		{ "last_name:", "last_name" },
		{ "institution_type", "institution_type" },
		{ "consent", "consent" },
		{ "phone", "phone" },
		{ "first_name_2", NULL },
		{ "name", NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		const FieldDef *f = formdef_match (formdef, cases[i].label);
		g_assert_cmpstr (f ? f->key : NULL, ==, cases[i].key);
	}
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	int rc;

	/* Polish text in failure messages prints as UTF-8, not as '?'. */
	setlocale (LC_ALL, "C.UTF-8");
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();

	/* Tests run from the repository root; the form definition is the shipped one. */
	formdef = formdef_load ("templates/form.ini", &error);
	if (formdef == NULL) {
		g_printerr ("test_validate: %s (run from the repository root)\n", error->message);
		return 1;
	}

	g_test_add_func ("/validate/formdef/match", test_formdef_match);
	g_test_add_func ("/validate/powiat/all", test_powiat_all);
	g_test_add_func ("/validate/powiat/katowice", test_powiat_katowice);
	g_test_add_func ("/validate/powiat/variants", test_powiat_variants);
	g_test_add_func ("/validate/powiat/unknown", test_powiat_unknown);
	g_test_add_func ("/validate/powiat/subregion-name", test_powiat_subregion_name);
	g_test_add_func ("/validate/checkbox/matrix", test_checkbox_matrix);
	g_test_add_func ("/validate/email/table", test_email_table);
	g_test_add_func ("/validate/email/rules", test_email_rules);
	g_test_add_func ("/validate/form/valid", test_form_valid);
	g_test_add_func ("/validate/form/empty", test_form_empty);
	g_test_add_func ("/validate/reasons", test_reasons);
	g_test_add_func ("/validate/form/aliases-unknown", test_form_aliases_unknown);
	g_test_add_func ("/validate/form/duplicate", test_form_duplicate);
	g_test_add_func ("/validate/form/required", test_form_required);
	g_test_add_func ("/validate/form/choice", test_choice);
	g_test_add_func ("/validate/form/powiat", test_form_powiat);
	g_test_add_func ("/validate/form/subregion", test_form_subregion);
	g_test_add_func ("/validate/form/support", test_form_support);
	g_test_add_func ("/validate/form/consent", test_consent);
	g_test_add_func ("/validate/form/problem-order", test_problem_order);
	g_test_add_func ("/validate/form/free-null", test_free_null);
	g_test_add_func ("/validate/text/control-chars", test_text_control_chars);
	g_test_add_func ("/validate/text/literal", test_text_literal);
	g_test_add_func ("/validate/text/invalid-utf8", test_text_invalid_utf8);
	g_test_add_func ("/validate/text/cap", test_text_cap);
	g_test_add_func ("/validate/topic/number", test_topic_number);
	g_test_add_func ("/validate/topic/name", test_topic_name);
	g_test_add_func ("/validate/topic/rules", test_topic_rules);

	rc = g_test_run ();
	formdef_free (formdef);
	return rc;
}

/* test_config.c - reading mailreg.conf: sizes, durations and numbers at their
 * bounds and just past them, values too large for 64 bits, every problem in
 * one report, the defaults an installed mailreg starts from. */
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>

#include "core/config.h"
#include "core/errors.h"

static char *tmpdir;

/* config_load of a file holding "[mail] from" and @extra.  (transfer full) */
static Config *
load (const char *extra, GError **error)
{
	g_autofree char *path = g_build_filename (tmpdir, "mailreg.conf", NULL);
	g_autofree char *text = g_strdup_printf ("[mail]\nfrom = Rejestracja <rejestracja@rops.example.pl>\n%s\n",
	                                         extra);

	g_assert_true (g_file_set_contents (path, text, -1, NULL));
	return config_load (path, error);
}

/* One key of one group set to @value: accepted or not, as @want says. */
static Config *
expect (const char *group, const char *key, const char *value, gboolean want)
{
	g_autofree char *extra = g_strdup_printf ("[%s]\n%s = %s\n", group, key, value);
	g_autoptr (GError) error = NULL;
	Config *cfg = load (extra, &error);

	if (want && cfg == NULL)
		g_test_message ("[%s] %s = %s refused: %s", group, key, value, error->message);
	if (!want && cfg != NULL)
		g_test_message ("[%s] %s = %s accepted", group, key, value);
	if (want)
		g_assert_no_error (error);
	else
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG);
	if (!want && error != NULL) {
		/* the report names file, group and key */
		g_autofree char *where = g_strdup_printf ("mailreg.conf: [%s] %s: ", group, key);
		g_assert_nonnull (strstr (error->message, where));
	}
	return cfg;
}

/* expect, for a value whose Config is not looked at */
static void
check_value (const char *group, const char *key, const char *value, gboolean want)
{
	config_free (expect (group, key, value, want));
}

static guint64
size_of (const char *value)
{
	g_autoptr (Config) cfg = expect ("limits", "max_message_size", value, TRUE);

	return cfg ? cfg->max_message_size : 0;
}

static void
test_size (void)
{
	g_assert_cmpuint (size_of ("1K"), ==, 1024);
	g_assert_cmpuint (size_of ("1024"), ==, 1024);
	g_assert_cmpuint (size_of ("30M"), ==, 30 << 20);
	g_assert_cmpuint (size_of ("512k"), ==, 512 << 10);
	g_assert_cmpuint (size_of ("25MB"), ==, 25 << 20);
	g_assert_cmpuint (size_of ("2G"), ==, 2ULL << 30);
	g_assert_cmpuint (size_of ("2147483648"), ==, 2ULL << 30);
	g_assert_cmpuint (size_of (" 3M "), ==, 3 << 20);

	/* one byte out of [1K, 2G], and what is no size at all */
	static const char *const bad[] = { "1023", "2147483649", "3G", "0", "", "M", "1.5M", "1 M", "-1",
	                                   "+1M", "0x400", "1T", "1MM", "30M!", NULL };
	for (const char *const *v = bad; *v; v++)
		check_value ("limits", "max_message_size", *v, FALSE);

	/* min_free_space may be 0, and up to 1024G */
	{
		g_autoptr (Config) zero = expect ("limits", "min_free_space", "0", TRUE);
		g_autoptr (Config) top = expect ("limits", "min_free_space", "1024G", TRUE);
		g_assert_cmpuint (zero ? zero->min_free_space : 1, ==, 0);
		g_assert_cmpuint (top ? top->min_free_space : 0, ==, 1ULL << 40);
	}
	check_value ("limits", "min_free_space", "1025G", FALSE);

	/* max_backoff: 10 s to a day, 15 minutes unless set */
	{
		g_autoptr (Config) low = expect ("limits", "max_backoff", "10s", TRUE);
		g_autoptr (Config) top = expect ("limits", "max_backoff", "1d", TRUE);
		g_autoptr (Config) other = expect ("limits", "max_ocr_seconds", "30", TRUE);
		g_assert_cmpuint (low ? low->max_backoff : 0, ==, 10);
		g_assert_cmpuint (top ? top->max_backoff : 0, ==, 86400);
		g_assert_cmpuint (other ? other->max_backoff : 0, ==, 900);
	}
	for (const char *const *v = (const char *const[]) { "9s", "0", "2d", "soon", NULL }; *v; v++)
		check_value ("limits", "max_backoff", *v, FALSE);
}

/* A number that fits 64 bits, times a unit, that does not: 2^34 + 1 gigabytes
 * is 2^64 + 2^30 bytes, which a shift wraps round to 1G - inside the bounds. */
static void
test_size_overflow (void)
{
	static const char *const huge[] = { "17179869185G", "17179869184G", "18014398509481985K",
	                                    "17592186044417M", "18446744073709551615K",
	                                    "18446744073709551616", "99999999999999999999G", NULL };

	for (const char *const *v = huge; *v; v++) {
		check_value ("limits", "max_message_size", *v, FALSE);
		check_value ("limits", "min_free_space", *v, FALSE);
	}
}

static void
test_duration (void)
{
	struct { const char *key, *value; gboolean ok; guint64 want; } cases[] = {
		{ "max_lifetime", "1m", TRUE, 60 },
		{ "max_lifetime", "60", TRUE, 60 },
		{ "max_lifetime", "59s", FALSE, 0 },
		{ "max_lifetime", "100d", TRUE, 100 * 86400 },
		{ "max_lifetime", "8640001", FALSE, 0 },
		{ "max_lifetime", "101d", FALSE, 0 },
		{ "max_lifetime", "5D", FALSE, 0 },
		{ "max_lifetime", "4294967296d", FALSE, 0 },
		{ "max_lifetime", "18446744073709551616", FALSE, 0 },
		{ "delay_warning", "0", TRUE, 0 },
		{ "delay_warning", "4h", TRUE, 4 * 3600 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree char *extra = g_strdup_printf ("[smtp]\nurl = smtp://mail.example.pl\n%s = %s\n",
		                                          cases[i].key, cases[i].value);
		g_autoptr (GError) error = NULL;
		g_autoptr (Config) cfg = load (extra, &error);

		if ((cfg != NULL) != cases[i].ok)
			g_test_message ("[smtp] %s = %s: %s", cases[i].key, cases[i].value,
			                cfg ? "accepted" : error->message);
		g_assert_true ((cfg != NULL) == cases[i].ok);
		if (cfg != NULL)
			g_assert_cmpuint (strcmp (cases[i].key, "max_lifetime") == 0 ? cfg->smtp_max_lifetime
			                  : cfg->smtp_delay_warning, ==, cases[i].want);
	}
}

static void
test_schedule (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (Config) cfg = load ("[smtp]\nurl = smtp://mail.example.pl\nretry_schedule = 1s, 5m 7d\n",
	                               &error);

	g_assert_no_error (error);
	g_assert_nonnull (cfg);
	if (cfg != NULL) {
		g_assert_cmpuint (cfg->smtp_retry_schedule->len, ==, 3);
		g_assert_cmpuint (g_array_index (cfg->smtp_retry_schedule, guint, 0), ==, 1);
		g_assert_cmpuint (g_array_index (cfg->smtp_retry_schedule, guint, 1), ==, 300);
		g_assert_cmpuint (g_array_index (cfg->smtp_retry_schedule, guint, 2), ==, 7 * 86400);
	}
	for (const char *const *v = (const char *const[]) { "0", "7d 8d", ", ,", "5m x", NULL }; *v; v++) {
		g_autofree char *extra = g_strdup_printf ("[smtp]\nurl = smtp://mail.example.pl\nretry_schedule = %s\n", *v);
		g_autoptr (GError) err = NULL;
		g_autoptr (Config) c = load (extra, &err);
		g_assert_null (c);
		g_assert_error (err, MAILREG_ERROR, MAILREG_ERROR_CONFIG);
	}
}

static void
test_uint (void)
{
	struct { const char *group, *key, *value; gboolean ok; } cases[] = {
		{ "programme", "consulting_hours", "1", TRUE },
		{ "programme", "consulting_hours", "100", TRUE },
		{ "programme", "consulting_hours", "0", FALSE },
		{ "programme", "consulting_hours", "101", FALSE },
		{ "programme", "consulting_hours", "4K", FALSE },
		{ "programme", "consulting_hours", "4KB", FALSE },
		{ "programme", "consulting_hours", "4294967300", FALSE },
		{ "paths", "retention_days", "0", TRUE },
		{ "paths", "retention_days", "36500", TRUE },
		{ "paths", "retention_days", "36501", FALSE },
		{ "limits", "max_xml_depth", "7", FALSE },
		{ "limits", "max_xml_depth", "8", TRUE },
		{ "limits", "max_zip_entries", "100000", TRUE },
		{ "limits", "max_zip_entries", "100001", FALSE },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
		check_value (cases[i].group, cases[i].key, cases[i].value, cases[i].ok);
	{
		g_autoptr (Config) cfg = expect ("programme", "consulting_hours", "8", TRUE);
		g_assert_cmpuint (cfg ? cfg->consulting_hours : 0, ==, 8);
	}
	/* [smtp] timeout: seconds for a whole reply, RFC 5321's 5 minutes by default */
	for (const char *const *v = (const char *const[]) { "", "1", "3600", "0", "3601", "5m", NULL }; *v; v++) {
		g_autofree char *extra = g_strdup_printf ("[smtp]\nurl = smtp://mail.example.pl\n%s%s\n",
		                                          **v ? "timeout = " : "", *v);
		g_autoptr (GError) error = NULL;
		g_autoptr (Config) cfg = load (extra, &error);
		guint want = **v == '\0' ? 300 : (guint) g_ascii_strtoull (*v, NULL, 10);

		if (want >= 1 && want <= 3600 && strchr (*v, 'm') == NULL) {
			g_assert_no_error (error);
			g_assert_cmpuint (cfg ? cfg->smtp_timeout : 0, ==, want);
		} else {
			g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG);
		}
	}
}

/* Every problem of the file in one report, each naming file, group and key. */
static void
test_all_problems (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (Config) cfg = load ("[limits]\nmax_message_size = 3G\nmax_pdf_pages = 0\nbogus = 1\n"
	                               "[nope]\nx = 1\n[programme]\npromotion = or\n", &error);

	g_assert_null (cfg);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_CONFIG);
	if (error == NULL)
		return;
	for (const char *const *w = (const char *const[]) { "[limits] max_message_size: '3G'",
	                                                     "[limits] max_pdf_pages: '0'",
	                                                     "[limits] bogus: unknown key", "[nope]: unknown group",
	                                                     "[programme] promotion: 'or'", NULL }; *w; w++)
		if (strstr (error->message, *w) == NULL) {
			g_test_message ("no '%s' in: %s", *w, error->message);
			g_test_fail ();
		}
}

/* Without [paths], an installed mailreg reads its templates from the data
 * directory of its PREFIX and keeps its state in /var/lib/mailreg. */
static void
test_defaults (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (Config) cfg = load ("", &error);

	g_assert_no_error (error);
	if (cfg == NULL)
		return;
	g_assert_true (g_str_has_suffix (cfg->templates, "/share/mailreg/templates"));
	g_assert_true (g_path_is_absolute (cfg->templates));
	g_assert_cmpstr (cfg->database, ==, "/var/lib/mailreg/mailreg.db");
	g_assert_cmpuint (cfg->min_free_space, ==, cfg->max_message_size + cfg->max_message_size / 2);
	g_assert_cmpstr (cfg->domain, ==, "rops.example.pl");
	g_assert_cmpstr (cfg->from_addr, ==, "rejestracja@rops.example.pl");
}

/* Relative paths resolve against the file's folder, never the working one. */
static void
test_relative (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (Config) cfg = load ("[paths]\ndatabase = ../var/m.db\nspool = spool\n", &error);
	g_autofree char *parent = g_path_get_dirname (tmpdir);
	g_autofree char *db = g_build_filename (parent, "var", "m.db", NULL);
	g_autofree char *spool = g_build_filename (tmpdir, "spool", NULL);
	g_autofree char *outgoing = g_build_filename (spool, "outgoing", NULL);

	g_assert_no_error (error);
	if (cfg == NULL)
		return;
	g_assert_cmpstr (cfg->database, ==, db);
	g_assert_cmpstr (cfg->spool, ==, spool);
	g_assert_cmpstr (cfg->outgoing, ==, outgoing);
}

/* A caller that does not want the error passes NULL. */
static void
test_null_error (void)
{
	g_autofree char *missing = g_build_filename (tmpdir, "no-such.conf", NULL);

	g_assert_null (config_load (missing, NULL));
	g_assert_null (load ("[limits]\nmax_message_size = 3G\n", NULL));
	{
		g_autoptr (GError) error = NULL;
		g_assert_null (config_load (missing, &error));
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_NOINPUT);
	}
}

/* [ocr] and the OCR limits: defaults, a fraction from 0 to 1, bounds. */
static void
test_ocr (void)
{
	g_autoptr (Config) defaults = load ("", NULL);
	g_autoptr (Config) set = expect ("ocr", "min_confidence", "0.75", TRUE);

	g_assert_nonnull (defaults);
	if (defaults != NULL) {
		g_assert_true (defaults->ocr_enabled);
		g_assert_false (defaults->ocr_auto_register);
		g_assert_cmpfloat (defaults->ocr_min_confidence, ==, 0.90);
		g_assert_cmpuint (defaults->max_ocr_pages, ==, 4);
		g_assert_cmpuint (defaults->max_ocr_pixels, ==, 40 << 20);
		g_assert_cmpuint (defaults->max_ocr_seconds, ==, 30);
	}
	if (set != NULL)
		g_assert_cmpfloat (set->ocr_min_confidence, ==, 0.75);
	for (const char *const *bad = (const char *const[]) { "1.5", "-0.1", "90", "x", "0.9x", NULL }; *bad; bad++)
		check_value ("ocr", "min_confidence", *bad, FALSE);
	check_value ("ocr", "auto_register", "true", TRUE);
	check_value ("ocr", "bogus", "1", FALSE);
	check_value ("limits", "max_ocr_pixels", "100M", TRUE);
	check_value ("limits", "max_ocr_pixels", "10", FALSE);
	check_value ("limits", "max_ocr_pages", "0", FALSE);
}

/* [web] staff_addresses: mailboxes separated by commas, kept as bare
 * addresses; anything that is not a mailbox refuses the whole value. */
static void
test_staff_addresses (void)
{
	g_autoptr (Config) defaults = load ("", NULL);
	g_autoptr (Config) set = expect ("web", "staff_addresses",
	                                 "Anna Kowalska <anna@rops.example.pl>, jan@rops.example.pl", TRUE);
	g_autoptr (Config) one = expect ("web", "staff_addresses", "jan@rops.example.pl", TRUE);

	g_assert_nonnull (defaults);
	if (defaults != NULL)
		g_assert_null (defaults->web_staff_addresses);
	g_assert_nonnull (set);
	if (set != NULL) {
		g_assert_cmpuint (g_strv_length (set->web_staff_addresses), ==, 2);
		g_assert_cmpstr (set->web_staff_addresses[0], ==, "anna@rops.example.pl");
		g_assert_cmpstr (set->web_staff_addresses[1], ==, "jan@rops.example.pl");
	}
	if (one != NULL)
		g_assert_cmpuint (g_strv_length (one->web_staff_addresses), ==, 1);
	for (const char *const *bad = (const char *const[]) { "anna", "anna@rops.example.pl, jan",
	                                                     "Kadry: anna@rops.example.pl;", "x@localhost", NULL };
	     *bad; bad++)
		check_value ("web", "staff_addresses", *bad, FALSE);
	/* [mail] staff stays one address */
	check_value ("mail", "staff", "anna@rops.example.pl, jan@rops.example.pl", FALSE);
}

int
main (int argc, char **argv)
{
	int rc;

	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_mime_init ();  /* [mail] addresses are parsed with GMime */
	tmpdir = g_dir_make_tmp ("mailreg-config-XXXXXX", NULL);
	g_assert_nonnull (tmpdir);
	g_test_add_func ("/config/size", test_size);
	g_test_add_func ("/config/size-overflow", test_size_overflow);
	g_test_add_func ("/config/duration", test_duration);
	g_test_add_func ("/config/schedule", test_schedule);
	g_test_add_func ("/config/uint", test_uint);
	g_test_add_func ("/config/all-problems", test_all_problems);
	g_test_add_func ("/config/defaults", test_defaults);
	g_test_add_func ("/config/relative-paths", test_relative);
	g_test_add_func ("/config/null-error", test_null_error);
	g_test_add_func ("/config/ocr", test_ocr);
	g_test_add_func ("/config/staff-addresses", test_staff_addresses);
	rc = g_test_run ();
	{
		g_autofree char *conf = g_build_filename (tmpdir, "mailreg.conf", NULL);
		g_unlink (conf);
		g_rmdir (tmpdir);
		g_free (tmpdir);
	}
	return rc;
}

/* test_compose.c - templates -> MIME replies, parsed back with GMime. */
#include <gmime/gmime.h>
#include <glib/gstdio.h>
#include <string.h>

#include "compose/compose.h"
#include "core/autoptr.h"
#include "core/errors.h"

static Config *
test_config (void)
{
	Config *cfg = g_new0 (Config, 1);

	cfg->from = g_strdup ("Rejestracja ROPS <rejestracja@rops.example.pl>");
	cfg->reply_to = g_strdup ("szkolenia@rops.example.pl");
	cfg->domain = g_strdup ("rops.example.pl");
	cfg->templates = g_strdup ("templates");
	return cfg;
}

static GHashTable *
confirmation_vars (const char *first_name)
{
	GHashTable *vars = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	const char *names[] = { "first_name", "last_name", "email", "institution", "powiat",
	                        "subregion", "registrations", "notes" };

	for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
		g_hash_table_insert (vars, (gpointer) names[i], g_strdup ("x"));
	g_hash_table_insert (vars, "first_name", g_strdup (first_name));
	g_hash_table_insert (vars, "last_name", g_strdup ("Gęślą"));
	return vars;
}

static GMimeMessage *
parse_back (GBytes *raw)
{
	gsize len;
	const char *data = g_bytes_get_data (raw, &len);
	g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (data, len);
	g_autoptr (GMimeParser) parser = g_mime_parser_new_with_stream (stream);

	return g_mime_parser_construct_message (parser, NULL);
}

static void
test_render (void)
{
	g_autoptr (GHashTable) vars = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GError) error = NULL;
	g_autofree char *out = NULL;
	g_autofree char *bad = NULL;

	g_hash_table_insert (vars, "name", "Zażółć");
	out = compose_render ("Dzień dobry {{name}}, {{ name }}!", vars, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (out, ==, "Dzień dobry Zażółć, Zażółć!");
	bad = compose_render ("{{nope}}", vars, &error);
	g_assert_null (bad);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
	g_assert_nonnull (strstr (error->message, "{{nope}}"));
}

static void
test_confirmation_headers (void)
{
	g_autoptr (Config) cfg = test_config ();
	g_autoptr (GError) error = NULL;
	g_autoptr (Composer) c = compose_new (cfg, &error);
	g_autoptr (GHashTable) vars = confirmation_vars ("Anna");
	g_autoptr (ComposedMail) mail = NULL;
	g_autoptr (GMimeMessage) m = NULL;
	const char *raw;
	GMimeObject *body;
	GMimeContentType *ct;

	g_assert_no_error (error);
	mail = compose_mail (c, "confirmation", vars, "Anna Gęślą", "anna@ops.example.pl",
	                     "orig@example.pl", "<parent@example.pl> <orig@example.pl>", &error);
	g_assert_no_error (error);
	raw = g_bytes_get_data (mail->raw, NULL);
	/* Every header line is 7-bit: Polish text only as RFC 2047 encoded words. */
	for (const char *p = raw; *p && !(p[0] == '\n' && p[1] == '\n'); p++)
		g_assert_cmpint ((unsigned char) *p, <, 0x80);
	g_assert_true (g_str_has_suffix (mail->message_id, "@rops.example.pl"));
	g_assert_cmpstr (mail->subject, ==, "Potwierdzenie zgłoszenia – program szkoleniowy ROPS Katowice");

	m = parse_back (mail->raw);
	g_assert_nonnull (m);
	g_assert_cmpstr (g_mime_message_get_subject (m), ==, mail->subject);
	g_assert_cmpstr (g_mime_message_get_message_id (m), ==, mail->message_id);
	g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "In-Reply-To"), ==, "<orig@example.pl>");
	g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "References"), ==,
	                 "<parent@example.pl> <orig@example.pl>");
	g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Auto-Submitted"), ==, "auto-replied");
	g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "X-Auto-Response-Suppress"), ==, "All");
	g_assert_nonnull (g_mime_message_get_date (m));
	g_assert_cmpint (internet_address_list_length (g_mime_message_get_to (m)), ==, 1);
	g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (g_mime_message_get_to (m), 0)),
	                 ==, "Anna Gęślą");
	{
		g_autofree char *reply_to = internet_address_list_to_string (g_mime_message_get_reply_to (m),
		                                                             NULL, FALSE);
		g_assert_cmpstr (reply_to, ==, "szkolenia@rops.example.pl");
	}
	body = g_mime_message_get_mime_part (m);
	ct = g_mime_object_get_content_type (body);
	g_assert_true (g_mime_content_type_is_type (ct, "text", "plain"));
	g_assert_cmpstr (g_mime_content_type_get_parameter (ct, "charset"), ==, "utf-8");
	g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (body)), ==,
	                 GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	{
		g_autofree char *text = g_mime_text_part_get_text (GMIME_TEXT_PART (body));
		g_assert_nonnull (strstr (text, "Uczestnik: Anna Gęślą"));
	}
}

/* A name from a form or a From header must not start a header of its own. */
static void
test_header_injection (void)
{
	g_autoptr (Config) cfg = test_config ();
	g_autoptr (GError) error = NULL;
	g_autoptr (Composer) c = compose_new (cfg, &error);
	g_autoptr (GHashTable) vars = confirmation_vars ("Jan\r\nBcc: victim@example.com");
	g_autoptr (ComposedMail) mail = NULL;
	g_autoptr (GMimeMessage) m = NULL;
	g_autofree char *headers = NULL;
	const char *raw;

	mail = compose_mail (c, "confirmation", vars, "Jan\r\nBcc: victim@example.com, x@y.pl",
	                     "jan@example.pl", NULL, NULL, &error);
	g_assert_no_error (error);
	raw = g_bytes_get_data (mail->raw, NULL);
	headers = g_strndup (raw, strstr (raw, "\n\n") - raw);
	g_assert_null (strstr (headers, "\nBcc:"));
	g_assert_null (strstr (headers, "\r"));
	g_assert_null (strstr (headers, "\nIn-Reply-To:"));
	m = parse_back (mail->raw);
	g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "Bcc"));
	g_assert_cmpint (internet_address_list_length (g_mime_message_get_to (m)), ==, 1);
	g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (g_mime_message_get_to (m), 0)),
	                 ==, "Jan  Bcc: victim@example.com, x@y.pl");
	g_assert_cmpstr (internet_address_mailbox_get_addr (
	                     INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (g_mime_message_get_to (m), 0))),
	                 ==, "jan@example.pl");
}

/* Quoted-printable decoded by hand (RFC 2045 §6.7), not by GMime, which
 * compose uses to encode: soft line breaks joined, =XX made bytes.  NULL for
 * a malformed escape. */
static char *
qp_decode (const char *enc)
{
	GString *out = g_string_new (NULL);

	for (const char *p = enc; *p; p++) {
		if (*p != '=') {
			g_string_append_c (out, *p);
		} else if (p[1] == '\n') {
			p++;
		} else if (g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]) &&
		           !g_ascii_islower (p[1]) && !g_ascii_islower (p[2])) {
			g_string_append_c (out, (char) (g_ascii_xdigit_value (p[1]) << 4 | g_ascii_xdigit_value (p[2])));
			p += 2;
		} else {
			g_string_free (out, TRUE);
			return NULL;
		}
	}
	return g_string_free (out, FALSE);
}

/* The body of @mail (text/plain) is @text's UTF-8 bytes, labelled utf-8, in
 * quoted-printable that follows RFC 2045: lines of at most 76 characters,
 * printable ASCII only, no white space before a line end; compose ends the
 * message with a line end. */
static void
check_body (const ComposedMail *mail, const char *text)
{
	g_autofree char *raw = g_strndup (g_bytes_get_data (mail->raw, NULL), g_bytes_get_size (mail->raw));
	g_autofree char *head = NULL;
	g_autofree char *got = NULL;
	g_autofree char *want = g_str_has_suffix (text, "\n") || *text == '\0' ? g_strdup (text)
	                                                                        : g_strconcat (text, "\n", NULL);
	g_auto (GStrv) lines = NULL;
	const char *body = strstr (raw, "\n\n");

	g_assert_nonnull (body);
	if (body == NULL)
		return;
	body += 1;   /* the last header's line end */
	head = g_ascii_strdown (raw, body - raw);
	body += 1;
	g_assert_nonnull (strstr (head, "\ncontent-type: text/plain; charset=utf-8\n"));
	g_assert_nonnull (strstr (head, "\ncontent-transfer-encoding: quoted-printable\n"));
	lines = g_strsplit (body, "\n", -1);
	for (char **l = lines; *l; l++) {
		gsize len = strlen (*l);
		g_assert_cmpuint (len, <=, 76);
		for (gsize i = 0; i < len; i++)
			g_assert_true ((*l)[i] == '\t' || ((*l)[i] >= 0x20 && (*l)[i] < 0x7f));
		if (len > 0)
			g_assert_true ((*l)[len - 1] != ' ' && (*l)[len - 1] != '\t');
	}
	got = qp_decode (body);
	g_assert_nonnull (got);
	/* an empty text may still get the closing line end */
	if (got != NULL && *text == '\0' && strcmp (got, "\n") == 0)
		return;
	g_assert_cmpstr (got, ==, want);
}

/* The body goes out as UTF-8 in quoted-printable: Polish text, ASCII, and
 * text within ISO-8859-1 too (g_mime_text_part_set_text() would have made
 * that Latin-1 bytes under the utf-8 label). */
static void
test_body_bytes (void)
{
	static const char *const texts[] = {
		"Dzień dobry,\nzgłoszenie przyjęte – Gęślą jaźń.\n",
		"Plain ASCII text, with = signs and a long line " "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		"Jos\xC3\xA9 M\xC3\xBCller, caf\xC3\xA9 \xC3\xB3\n",
		"no line end at the end",
		"",
	};
	g_autoptr (Config) cfg = test_config ();
	g_autoptr (GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp ("mailreg-compose-XXXXXX", &error);
	g_autoptr (GDir) src = g_dir_open ("templates", 0, &error);
	g_autoptr (Composer) c = NULL;
	const char *name;

	g_assert_no_error (error);
	/* the templates, with "digest" made of one variable */
	while ((name = g_dir_read_name (src)) != NULL) {
		g_autofree char *from = g_build_filename ("templates", name, NULL);
		g_autofree char *to = g_build_filename (dir, name, NULL);
		g_autofree char *data = NULL;
		gsize len;
		if (!g_str_has_suffix (name, ".txt"))
			continue;
		g_assert_true (g_file_get_contents (from, &data, &len, NULL));
		if (strcmp (name, "digest.txt") == 0)
			g_assert_true (g_file_set_contents (to, "Subject: test\n\n{{body}}", -1, NULL));
		else
			g_assert_true (g_file_set_contents (to, data, len, NULL));
	}
	g_free (cfg->templates);
	cfg->templates = g_strdup (dir);
	c = compose_new (cfg, &error);
	g_assert_no_error (error);
	for (gsize i = 0; c != NULL && i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GHashTable) vars = g_hash_table_new (g_str_hash, g_str_equal);
		g_autoptr (ComposedMail) mail = NULL;

		g_hash_table_insert (vars, "body", (gpointer) texts[i]);
		mail = compose_mail (c, "digest", vars, NULL, "staff@example.pl", NULL, NULL, &error);
		g_assert_no_error (error);
		if (mail != NULL)
			check_body (mail, texts[i]);
		if (mail != NULL && i == 2) {
			/* é and ü as their UTF-8 bytes, as the label says, not Latin-1's =E9 */
			g_autofree char *raw = g_strndup (g_bytes_get_data (mail->raw, NULL), g_bytes_get_size (mail->raw));
			g_assert_nonnull (strstr (raw, "Jos=C3=A9 M=C3=BCller"));
			g_assert_null (strstr (raw, "=E9"));
		}
	}
	/* the folder and its copies */
	{
		g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
		while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
			g_autofree char *path = g_build_filename (dir, name, NULL);
			g_unlink (path);
		}
		g_rmdir (dir);
	}
}

/* @raw without what differs between two composes: Date, Message-Id, boundaries. */
static char *
normalized (GBytes *raw)
{
	g_autofree char *text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
	g_autoptr (GRegex) re = g_regex_new ("^Date: .*$|^Message-Id: .*$|=-[A-Za-z0-9+/=_-]{10,}",
	                                     G_REGEX_MULTILINE, 0, NULL);

	return g_regex_replace_literal (re, text, -1, 0, "X", 0, NULL);
}

/* One Composer makes every reply in the same message objects: a reply comes
 * out as from a Composer of its own, whatever came before it. */
static void
test_reuse (void)
{
	static const struct {
		const char *to_name;
		const char *in_reply_to;
		gboolean ics;
	} cases[] = {
		{ "Anna Gęślą", "a@example.pl", TRUE }, { NULL, NULL, FALSE }, { "Jan", "b@example.pl", FALSE },
		{ "Ewa, \"Nowak\"", NULL, TRUE }, { "Anna Gęślą", "c@example.pl", TRUE }, { NULL, NULL, TRUE },
	};
	static const char ics[] = "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n";
	g_autoptr (Config) cfg = test_config ();
	g_autoptr (GError) error = NULL;
	g_autoptr (Composer) shared = compose_new (cfg, &error);

	g_assert_no_error (error);
	for (gsize i = 0; shared != NULL && i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (Composer) fresh = compose_new (cfg, &error);
		g_autoptr (GHashTable) vars = confirmation_vars (cases[i].to_name ? cases[i].to_name : "x");
		g_autoptr (ComposedMail) a = NULL;
		g_autoptr (ComposedMail) b = NULL;
		g_autofree char *got = NULL;
		g_autofree char *want = NULL;

		a = compose_mail_ics (shared, "confirmation", vars, cases[i].to_name, "anna@ops.example.pl",
		                      cases[i].in_reply_to, NULL, cases[i].ics ? ics : NULL, &error);
		g_assert_no_error (error);
		b = compose_mail_ics (fresh, "confirmation", vars, cases[i].to_name, "anna@ops.example.pl",
		                      cases[i].in_reply_to, NULL, cases[i].ics ? ics : NULL, &error);
		g_assert_no_error (error);
		got = normalized (a->raw);
		want = normalized (b->raw);
		g_assert_cmpstr (got, ==, want);
	}
}

static void
test_missing_template (void)
{
	g_autoptr (Config) cfg = test_config ();
	g_autoptr (GError) error = NULL;
	g_autoptr (Composer) c = NULL;

	g_free (cfg->templates);
	cfg->templates = g_strdup ("/nonexistent");
	c = compose_new (cfg, &error);
	g_assert_null (c);
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_NOINPUT);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_mime_init ();
	g_test_add_func ("/compose/render", test_render);
	g_test_add_func ("/compose/confirmation-headers", test_confirmation_headers);
	g_test_add_func ("/compose/header-injection", test_header_injection);
	g_test_add_func ("/compose/missing-template", test_missing_template);
	g_test_add_func ("/compose/body-bytes", test_body_bytes);
	g_test_add_func ("/compose/reuse", test_reuse);
	return g_test_run ();
}

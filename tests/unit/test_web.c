/* test_web.c - unit tests for the console's HTML: the one escaping function,
 * the template language (escaped by default, sections, inverted sections,
 * malformed templates refused), every page template of templates/web/
 * rendering with hostile values escaped, the [web] listen parser and the
 * attendance list's CSV cells.
 *
 * Run from the repository root (make check does).
 */
#include <string.h>

#include "web/web_private.h"

static char *
render (const char *tpl, JsonObject *data)
{
	g_autoptr (GError) error = NULL;
	char *out = web_render_string (tpl, data, NULL, &error);

	g_assert_no_error (error);
	return out;
}

static void
test_escape (void)
{
	g_autoptr (GString) out = g_string_new (NULL);

	web_escape (out, "<script>alert('x')</script> & \"q\"");
	g_assert_cmpstr (out->str, ==, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
}

static void
test_values (void)
{
	g_autoptr (JsonObject) d = json_object_new ();
	g_autofree char *a = NULL, *b = NULL, *c = NULL;

	json_object_set_string_member (d, "name", "<b>\"Ala\" & 'Ola'</b>");
	json_object_set_int_member (d, "n", 42);
	a = render ("<p title=\"{{name}}\">{{ name }} {{n}}{{missing}}{{! a comment }}</p>", d);
	g_assert_cmpstr (a, ==,
	                 "<p title=\"&lt;b&gt;&quot;Ala&quot; &amp; &#39;Ola&#39;&lt;/b&gt;\">"
	                 "&lt;b&gt;&quot;Ala&quot; &amp; &#39;Ola&#39;&lt;/b&gt; 42</p>");
	/* no way around the escaping: triple braces are an escaped name too */
	b = render ("{{{name}}}", d);
	g_assert_null (strstr (b, "<b>"));
	/* the layout's content is the one raw insertion */
	{
		g_autoptr (GError) error = NULL;
		c = web_render_string ("<main>{{>content}}</main>", d, "<p>page</p>", &error);
		g_assert_cmpstr (c, ==, "<main><p>page</p></main>");
	}
}

static void
test_sections (void)
{
	g_autoptr (JsonObject) d = json_object_new ();
	JsonArray *items = json_array_new ();
	g_autofree char *a = NULL, *b = NULL;

	for (int i = 1; i <= 3; i++) {
		JsonObject *o = json_object_new ();
		json_object_set_int_member (o, "i", i);
		json_array_add_object_element (items, o);
	}
	json_object_set_array_member (d, "items", items);
	json_object_set_array_member (d, "none", json_array_new ());
	json_object_set_string_member (d, "outer", "X");
	json_object_set_boolean_member (d, "yes", TRUE);
	a = render ("{{#items}}[{{i}}{{outer}}]{{/items}}{{^none}}empty{{/none}}{{#none}}never{{/none}}"
	            "{{#yes}}!{{/yes}}{{^yes}}no{{/yes}}", d);
	g_assert_cmpstr (a, ==, "[1X][2X][3X]empty!");
	/* nested sections of the same name close at their own depth */
	b = render ("{{#yes}}a{{#yes}}b{{/yes}}c{{/yes}}", d);
	g_assert_cmpstr (b, ==, "abc");
}

static void
test_malformed (void)
{
	g_autoptr (JsonObject) d = json_object_new ();
	const char *bad[] = { "{{name", "{{#a}}open", "close{{/a}}" };

	for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree char *out = web_render_string (bad[i], d, NULL, &error);
		g_assert_null (out);
		g_assert_nonnull (error);
	}
}

/* Every page template renders; a hostile value given to every name a
 * template uses never comes out as markup. */
static void
test_templates (void)
{
	const char *pages[] = { "layout", "login", "message", "dashboard", "review-list", "review-item", "audit", "event", "outbox",
		                "applicants", "applicant", "applicant-forget", "events", "event-sheet" };
	const char *hostile = "<script>alert(1)</script>\"'";

	for (gsize i = 0; i < G_N_ELEMENTS (pages); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (JsonObject) d = json_object_new ();
		g_autofree char *path = g_strdup_printf ("templates/web/%s.html", pages[i]);
		g_autofree char *tpl = NULL, *out = NULL;
		g_autoptr (GRegex) names = g_regex_new ("\\{\\{[#^/]?\\s*([a-z_]+)\\s*\\}\\}", 0, 0, NULL);
		g_autoptr (GMatchInfo) m = NULL;

		g_assert_true (g_file_get_contents (path, &tpl, NULL, NULL));
		for (g_regex_match (names, tpl, 0, &m); g_match_info_matches (m); g_match_info_next (m, NULL)) {
			g_autofree char *name = g_match_info_fetch (m, 1);
			json_object_set_string_member (d, name, hostile);
		}
		out = web_render ("templates/web", pages[i], d, "", &error);
		g_assert_no_error (error);
		g_assert_null (strstr (out, "<script"));
		g_assert_nonnull (strstr (out, "&lt;script&gt;"));
	}
}

/* The attendance list's cells: quoted, quotes doubled, ';' kept inside a
 * cell, anything a spreadsheet would run as a formula behind an apostrophe,
 * rows ended by CRLF, the file started by the UTF-8 byte-order mark. */
static void
test_csv (void)
{
	g_autoptr (GString) out = g_string_new (NULL);
	const char *row[] = { "Żółć", "a;b", "powiedz \"tak\"", "=HYPERLINK(\"http://x.example\";\"x\")", "+48 32 111 22 33",
		              "-2+3", "@SUM(A1)", NULL, "", "\tx", "wiersz\r\ndrugi", "a=b" };

	web_csv_start (out);
	web_csv_row (out, row, G_N_ELEMENTS (row));
	web_csv_row (out, row, 1);
	g_assert_cmpstr (out->str, ==,
	                 "\xEF\xBB\xBF\"Żółć\";\"a;b\";\"powiedz \"\"tak\"\"\";"
	                 "\"'=HYPERLINK(\"\"http://x.example\"\";\"\"x\"\")\";\"'+48 32 111 22 33\";\"'-2+3\";"
	                 "\"'@SUM(A1)\";\"\";\"\";\"'\tx\";\"wiersz\r\ndrugi\";\"a=b\"\r\n"
	                 "\"Żółć\"\r\n");
}

static void
test_listen (void)
{
	g_autofree char *host = NULL, *host6 = NULL;
	guint16 port = 0;
	gboolean loopback = FALSE;

	g_assert_true (config_listen_parse ("127.0.0.1:8080", &host, &port, &loopback));
	g_assert_cmpstr (host, ==, "127.0.0.1");
	g_assert_cmpuint (port, ==, 8080);
	g_assert_true (loopback);
	g_assert_true (config_listen_parse ("[::1]:443", &host6, &port, &loopback));
	g_assert_cmpstr (host6, ==, "::1");
	g_assert_true (loopback);
	g_assert_true (config_listen_parse ("192.0.2.7:80", NULL, NULL, &loopback));
	g_assert_false (loopback);
	for (const char *const *bad = (const char *const[]) { "localhost:80", "127.0.0.1", "127.0.0.1:0",
		                                              "127.0.0.1:65536", "::1:80", "[127.0.0.1]:80",
		                                              "[::1]80", "", NULL };
	     *bad; bad++)
		g_assert_false (config_listen_parse (*bad, NULL, NULL, NULL));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_test_add_func ("/web/escape", test_escape);
	g_test_add_func ("/web/values", test_values);
	g_test_add_func ("/web/sections", test_sections);
	g_test_add_func ("/web/malformed", test_malformed);
	g_test_add_func ("/web/templates", test_templates);
	g_test_add_func ("/web/listen", test_listen);
	g_test_add_func ("/web/csv", test_csv);
	return g_test_run ();
}

/* test_imap.c - the IMAP response parser of fetch/imap.c: lines, literals,
 * FETCH items, and what it refuses (a server out of step never looks like a
 * deleted message). */
#include <string.h>

#include "core/errors.h"
#include "fetch/imap-parse.h"

static void
test_literal_length (void)
{
	g_assert_cmpint (imap_literal_length ("* 1 FETCH (UID 1 BODY[] {123}"), ==, 123);
	g_assert_cmpint (imap_literal_length ("* 1 FETCH (UID 1 BODY[] {0}"), ==, 0);
	g_assert_cmpint (imap_literal_length ("* 1 FETCH (UID 1 BODY[] {42+}"), ==, 42);
	g_assert_cmpint (imap_literal_length ("{4294967295}"), ==, 4294967295LL);
	/* no literal at the end */
	g_assert_cmpint (imap_literal_length ("* 1 FETCH (UID 1 FLAGS (\\Seen))"), ==, -1);
	g_assert_cmpint (imap_literal_length (""), ==, -1);
	g_assert_cmpint (imap_literal_length ("}"), ==, -1);
	g_assert_cmpint (imap_literal_length ("M0001 OK done"), ==, -1);
	/* braces that are no literal */
	g_assert_cmpint (imap_literal_length ("BODY[] {abc}"), ==, -2);
	g_assert_cmpint (imap_literal_length ("BODY[] {-5}"), ==, -2);
	g_assert_cmpint (imap_literal_length ("BODY[] {12x}"), ==, -2);
	g_assert_cmpint (imap_literal_length ("BODY[] { 7}"), ==, -2);
	g_assert_cmpint (imap_literal_length ("BODY[] {+}"), ==, -2);
	g_assert_cmpint (imap_literal_length ("BODY[] {}"), ==, -2);
	g_assert_cmpint (imap_literal_length ("BODY[] {1+2}"), ==, -2);
	g_assert_cmpint (imap_literal_length ("BODY[] {99999999999}"), ==, -2);
}

static void
test_fetch_item (void)
{
	g_assert_cmpuint (imap_fetch_item ("(UID 17 RFC822.SIZE 2048)", "UID"), ==, 17);
	g_assert_cmpuint (imap_fetch_item ("(UID 17 RFC822.SIZE 2048)", "RFC822.SIZE"), ==, 2048);
	g_assert_cmpuint (imap_fetch_item ("(uid 5 BODY[] {3}", "UID"), ==, 5);
	g_assert_cmpuint (imap_fetch_item ("(BODY[] {3}", "UID"), ==, 0);
	/* an item name inside another word is not the item */
	g_assert_cmpuint (imap_fetch_item ("(XUID 9 FLAGS ())", "UID"), ==, 0);
	g_assert_cmpuint (imap_fetch_item ("(UID x)", "UID"), ==, 0);
}

/* Parse @text as the response to M0001 for @want (NULL: any UID). */
static gboolean
parse (const char *text, gsize len, const guint32 *want, guint n_want, GHashTable **fetched, GError **error)
{
	g_autoptr (GArray) w = NULL;

	if (want != NULL) {
		w = g_array_new (FALSE, FALSE, sizeof (guint32));
		g_array_append_vals (w, want, n_want);
	}
	return imap_parse_response ((const guint8 *) text, len, "M0001", w, fetched, error);
}

static void
test_response_literals (void)
{
	static const char r[] = "* 1 FETCH (UID 7 BODY[] {17}\r\nM0001 OK inside\r\n)\r\n"
	                        "* 2 FETCH (UID 8 BODY[] {0}\r\n)\r\n"
	                        "* 3 FETCH (FLAGS (\\Seen))\r\n"
	                        "M0001 OK FETCH done\r\n";
	static const guint32 want[] = { 7, 8 };
	g_autoptr (GHashTable) got = NULL;
	g_autoptr (GError) error = NULL;
	GBytes *b;

	g_assert_true (parse (r, sizeof r - 1, want, 2, &got, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (g_hash_table_size (got), ==, 2);
	/* a literal may hold a line that looks like the tag; CRLF became LF */
	b = g_hash_table_lookup (got, GUINT_TO_POINTER (7));
	g_assert_nonnull (b);
	g_assert_cmpmem (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "M0001 OK inside\n", 16);
	b = g_hash_table_lookup (got, GUINT_TO_POINTER (8));
	g_assert_nonnull (b);
	g_assert_cmpuint (g_bytes_get_size (b), ==, 0);
}

static void
test_response_unasked (void)
{
	static const char r[] = "* 1 FETCH (UID 900 BODY[] {3}\r\nabc)\r\n"
	                        "* 2 FETCH (UID 8 BODY[] {3}\r\nxyz)\r\n"
	                        "M0001 OK FETCH done\r\n";
	static const guint32 want[] = { 8 };
	g_autoptr (GHashTable) got = NULL;
	g_autoptr (GError) error = NULL;

	g_assert_true (parse (r, sizeof r - 1, want, 1, &got, &error));
	g_assert_cmpuint (g_hash_table_size (got), ==, 1);
	g_assert_true (g_hash_table_contains (got, GUINT_TO_POINTER (8)));
}

static void
expect_protocol_error (const char *r, gsize len, const char *why)
{
	static const guint32 want[] = { 1 };
	g_autoptr (GHashTable) got = NULL;
	g_autoptr (GError) error = NULL;

	g_assert_false (parse (r, len == (gsize) -1 ? strlen (r) : len, want, 1, &got, &error));
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_PROTOCOL);
	g_assert_nonnull (strstr (error->message, why));
	g_assert_null (got);
}

static void
test_response_refused (void)
{
	static const char nul[] = "* 1 FETCH (UID 1 BODY[] \0{3}\r\nabc)\r\nM0001 OK done\r\n";

	expect_protocol_error ("* 1 FETCH (BODY[] {3}\r\nabc)\r\nM0001 OK done\r\n", (gsize) -1, "without its UID");
	expect_protocol_error (nul, sizeof nul - 1, "NUL byte");
	expect_protocol_error ("* 1 FETCH (UID 1 BODY[] {abc}\r\nabc)\r\nM0001 OK done\r\n", (gsize) -1, "bad literal");
	expect_protocol_error ("* 1 FETCH (UID 1 BODY[] {-5}\r\nabc)\r\nM0001 OK done\r\n", (gsize) -1, "bad literal");
	expect_protocol_error ("* 1 FETCH (UID 1 BODY[] {+}\r\nabc)\r\nM0001 OK done\r\n", (gsize) -1, "bad literal");
	expect_protocol_error ("* 1 FETCH (UID 1 BODY[] { 7}\r\nabc)\r\nM0001 OK done\r\n", (gsize) -1, "bad literal");
	expect_protocol_error ("* 1 FETCH (UID 1 RFC822.SIZE 5 BODY[] {12x}\r\nabc)\r\nM0001 OK done\r\n", (gsize) -1,
	                       "bad literal");
	expect_protocol_error ("* SEARCH 1 x\r\nM0001 OK done\r\n", (gsize) -1, "bad SEARCH");
}

static void
test_response_split (void)
{
	/* RFC 3501 §7.4.2: one message's items may come in several responses */
	static const char r[] = "* 1 FETCH (UID 7 RFC822.SIZE 3)\r\n"
	                        "* 1 FETCH (UID 7 BODY[] {3}\r\nabc)\r\n"
	                        "* 1 FETCH (UID 7 FLAGS (\\Seen))\r\n"
	                        "M0001 OK FETCH done\r\n";
	g_autoptr (GHashTable) got = NULL;
	g_autoptr (GError) error = NULL;
	GBytes *b;

	g_assert_true (parse (r, sizeof r - 1, NULL, 0, &got, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (g_hash_table_size (got), ==, 1);
	b = g_hash_table_lookup (got, GUINT_TO_POINTER (7));
	g_assert_nonnull (b);
	g_assert_cmpmem (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "abc", 3);
}

/* Many large literals of UIDs not asked for, with the UID before the literal
 * (read past) or after it (kept until the response ends): the answer is
 * read, only the asked one kept, however much the others hold together. */
static void
test_response_unasked_many (void)
{
	static const guint32 want[] = { 8 };
	g_autoptr (GString) r = g_string_new (NULL);
	g_autofree char *filler = g_strnfill (1 << 20, 'X');
	g_autoptr (GHashTable) got = NULL;
	g_autoptr (GError) error = NULL;

	for (guint k = 0; k < 60; k++)
		if (k % 2)
			g_string_append_printf (r, "* 1 FETCH (UID %u BODY[] {%u}\r\n%s)\r\n", 2000 + k, 1 << 20, filler);
		else
			g_string_append_printf (r, "* 1 FETCH (BODY[] {%u}\r\n%s UID %u)\r\n", 1 << 20, filler, 2000 + k);
	g_string_append (r, "* 2 FETCH (UID 8 BODY[] {3}\r\nxyz)\r\nM0001 OK FETCH done\r\n");
	g_assert_true (parse (r->str, r->len, want, 1, &got, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (g_hash_table_size (got), ==, 1);
	g_assert_true (g_hash_table_contains (got, GUINT_TO_POINTER (8)));
}

static void
test_response_bounded (void)
{
	g_autoptr (GString) many = g_string_new (NULL);
	g_autofree char *filler = g_strnfill (1 << 20, 'X');

	/* a literal above the limit is refused before a byte of it is read */
	expect_protocol_error ("* 1 FETCH (UID 1 BODY[] {4294967295}\r\nabc", (gsize) -1, "above the limit");
	/* two bodies of one message: which one is it? */
	expect_protocol_error ("* 1 FETCH (UID 1 BODY[] {3}\r\nabc)\r\n* 1 FETCH (UID 1 BODY[] {3}\r\nxyz)\r\n"
	                       "M0001 OK done\r\n", (gsize) -1, "two bodies of UID 1");
	/* asked-for messages together above the answer's limit (2 x 16 MB here) */
	for (guint k = 1; k <= 40; k++)
		g_string_append_printf (many, "* %u FETCH (UID %u BODY[] {%u}\r\n%s)\r\n", k, k, 1 << 20, filler);
	g_string_append (many, "M0001 OK done\r\n");
	{
		g_autoptr (GHashTable) got = NULL;
		g_autoptr (GError) error = NULL;
		g_assert_false (parse (many->str, many->len, NULL, 0, &got, &error));
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_PROTOCOL);
		g_assert_nonnull (error != NULL ? strstr (error->message, "the answer holds more than") : NULL);
	}
	/* a FETCH response whose text never ends */
	g_string_truncate (many, 0);
	g_string_append (many, "* 1 FETCH (UID 1 X {0}\r\n");
	while (many->len < (3u << 20))
		g_string_append_printf (many, "%s {0}\r\n", "X Y Z Z Y X Y Z Z Y X Y Z Z Y X Y Z Z Y X Y Z Z Y X");
	g_string_append (many, ")\r\nM0001 OK done\r\n");
	expect_protocol_error (many->str, many->len, "FETCH response without end");
}

static void
test_response_uidvalidity (void)
{
	/* a mailbox renumbered during the pass: the UIDs in hand mean other mail */
	expect_protocol_error ("* OK [UIDVALIDITY 5] ok\r\n* 1 FETCH (UID 1 BODY[] {3}\r\nabc)\r\n"
	                       "* OK [UIDVALIDITY 6] ok\r\nM0001 OK done\r\n", (gsize) -1,
	                       "UIDVALIDITY changed from 5 to 6");
}

static void
test_response_truncated (void)
{
	static const char r[] = "* 1 FETCH (UID 1 BODY[] {100}\r\nshort";
	g_autoptr (GError) error = NULL;

	/* the data ends inside the literal: a lost connection, never an empty answer */
	g_assert_false (parse (r, sizeof r - 1, NULL, 0, NULL, &error));
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL);
}

static void
test_response_no (void)
{
	static const char r[] = "M0001 NO [EXPUNGEISSUED] some are gone\r\n";
	g_autoptr (GError) error = NULL;

	g_assert_false (parse (r, sizeof r - 1, NULL, 0, NULL, &error));
	g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL);
}

static void
test_response_too_large (void)
{
	/* a literal larger than the data (and than the cap): an error, never a message */
	static const char r[] = "* 1 FETCH (UID 1 BODY[] {9999999999}\r\nabc";
	g_autoptr (GError) error = NULL;

	g_assert_false (parse (r, sizeof r - 1, NULL, 0, NULL, &error));
	g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_test_add_func ("/imap/literal_length", test_literal_length);
	g_test_add_func ("/imap/fetch_item", test_fetch_item);
	g_test_add_func ("/imap/response/literals", test_response_literals);
	g_test_add_func ("/imap/response/unasked", test_response_unasked);
	g_test_add_func ("/imap/response/refused", test_response_refused);
	g_test_add_func ("/imap/response/truncated", test_response_truncated);
	g_test_add_func ("/imap/response/split", test_response_split);
	g_test_add_func ("/imap/response/unasked_many", test_response_unasked_many);
	g_test_add_func ("/imap/response/bounded", test_response_bounded);
	g_test_add_func ("/imap/response/uidvalidity", test_response_uidvalidity);
	g_test_add_func ("/imap/response/no", test_response_no);
	g_test_add_func ("/imap/response/too_large", test_response_too_large);
	return g_test_run ();
}

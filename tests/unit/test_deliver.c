/* test_deliver.c - the SMTP transport's data as it goes after DATA
 * (deliver_smtp_data): CRLF line ends, dot-stuffing, the closing "." line. */
#include <string.h>

#include "deliver/deliver.h"

static char *
wire (const char *raw, gsize len, gsize *out_len)
{
	g_autoptr (GBytes) in = g_bytes_new (raw, len);
	g_autoptr (GBytes) out = deliver_smtp_data (in);
	gsize n;
	const char *p = g_bytes_get_data (out, &n);

	*out_len = n;
	return g_strndup (p, n);
}

static void
expect (const char *raw, const char *want)
{
	gsize n;
	g_autofree char *got = wire (raw, strlen (raw), &n);

	g_assert_cmpuint (n, ==, strlen (want));
	g_assert_cmpstr (got, ==, want);
}

static void
test_line_ends (void)
{
	expect ("a\nb\n", "a\r\nb\r\n.\r\n");
	expect ("a\r\nb\r\n", "a\r\nb\r\n.\r\n");
	expect ("a\r\nb\nc\r\n", "a\r\nb\r\nc\r\n.\r\n");
	expect ("\n\n", "\r\n\r\n.\r\n");
	expect ("\r\n", "\r\n.\r\n");
	/* the last line is ended before the closing dot (RFC 5321 §4.1.1.4) */
	expect ("a\nb", "a\r\nb\r\n.\r\n");
	expect ("x", "x\r\n.\r\n");
	expect ("", ".\r\n");
}

/* RFC 5321 §4.5.2: a line starting with "." gets one more; nowhere else. */
static void
test_dot_stuffing (void)
{
	expect (".\n", "..\r\n.\r\n");
	expect (".", "..\r\n.\r\n");
	expect ("..x\n", "...x\r\n.\r\n");
	expect ("a\n.\nb\n", "a\r\n..\r\nb\r\n.\r\n");
	expect ("a\r\n.b\r\n", "a\r\n..b\r\n.\r\n");
	expect ("a.b\n. c\n", "a.b\r\n.. c\r\n.\r\n");
	expect ("\n.\n", "\r\n..\r\n.\r\n");
	expect ("end\n.\r\n", "end\r\n..\r\n.\r\n");
}

/* The reference: split at LF, drop a CR before it, stuff, join with CRLF. */
static GString *
reference (const char *raw, gsize len)
{
	GString *out = g_string_new (NULL);
	gsize start = 0;

	while (start < len) {
		const char *nl = memchr (raw + start, '\n', len - start);
		gsize stop = nl ? (gsize) (nl - raw) : len;
		gsize end = stop;

		if (nl != NULL && end > start && raw[end - 1] == '\r')
			end--;
		if (raw[start] == '.')
			g_string_append_c (out, '.');
		g_string_append_len (out, raw + start, end - start);
		g_string_append (out, "\r\n");
		start = nl ? stop + 1 : len;
	}
	g_string_append (out, ".\r\n");
	return out;
}

/* Random messages of dots, letters and both kinds of line end against the
 * reference; the size must be exact (the data is built in one allocation). */
static void
test_random (void)
{
	static const char *const piece[] = { ".", "a", "\n", "\r\n", "..", "x.", "\n.", "\r\n." };
	GRand *rand = g_rand_new_with_seed (20140306);

	for (int round = 0; round < 2000; round++) {
		g_autoptr (GString) raw = g_string_new (NULL);
		int pieces = g_rand_int_range (rand, 0, 40);
		g_autoptr (GString) want = NULL;
		g_autofree char *got = NULL;
		gsize n;

		for (int k = 0; k < pieces; k++)
			g_string_append (raw, piece[g_rand_int_range (rand, 0, G_N_ELEMENTS (piece))]);
		want = reference (raw->str, raw->len);
		got = wire (raw->str, raw->len, &n);
		if (n != want->len || memcmp (got, want->str, n) != 0) {
			g_autofree char *shown = g_strescape (raw->str, NULL);
			g_test_message ("wrong data for \"%s\"", shown);
			g_test_fail ();
			break;
		}
		/* no bare LF reaches the server */
		for (gsize i = 0; i < n; i++)
			g_assert_true (got[i] != '\n' || (i > 0 && got[i - 1] == '\r'));
	}
	g_rand_free (rand);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_test_add_func ("/deliver/smtp-data/line-ends", test_line_ends);
	g_test_add_func ("/deliver/smtp-data/dot-stuffing", test_dot_stuffing);
	g_test_add_func ("/deliver/smtp-data/random", test_random);
	return g_test_run ();
}

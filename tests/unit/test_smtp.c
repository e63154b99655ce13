/* test_smtp.c - the SMTP reply parser of deliver/smtp.c: reply lines,
 * multi-line replies, EHLO keywords, and what it refuses (a server that
 * never ends its reply, or mixes codes, is a protocol error). */
#include <string.h>

#include "deliver/smtp-parse.h"

/* Take the whole of @text as one reply: the result of smtp_reply_take, with
 * *@used the bytes taken. */
static int
take (SmtpReply *r, const char *text, gsize *used, const char **why)
{
	*why = NULL;
	return smtp_reply_take (r, (const guint8 *) text, strlen (text), used, why);
}

static void
test_line_code (void)
{
	gboolean last = FALSE;

	g_assert_cmpint (smtp_reply_line_code ("250 OK", 6, &last), ==, 250);
	g_assert_true (last);
	g_assert_cmpint (smtp_reply_line_code ("250-mx.example.pl", 17, &last), ==, 250);
	g_assert_false (last);
	g_assert_cmpint (smtp_reply_line_code ("354", 3, &last), ==, 354);
	g_assert_true (last);
	g_assert_cmpint (smtp_reply_line_code ("599 x", 5, &last), ==, 599);
	/* no reply codes */
	g_assert_cmpint (smtp_reply_line_code ("25", 2, &last), ==, -1);
	g_assert_cmpint (smtp_reply_line_code ("", 0, &last), ==, -1);
	g_assert_cmpint (smtp_reply_line_code ("150 x", 5, &last), ==, -1);
	g_assert_cmpint (smtp_reply_line_code ("650 x", 5, &last), ==, -1);
	g_assert_cmpint (smtp_reply_line_code ("099 x", 5, &last), ==, -1);
	g_assert_cmpint (smtp_reply_line_code ("2a0 x", 5, &last), ==, -1);
	g_assert_cmpint (smtp_reply_line_code ("250x", 4, &last), ==, -1);
	g_assert_cmpint (smtp_reply_line_code ("2500 x", 6, &last), ==, -1);
	g_assert_cmpint (smtp_reply_line_code ("hello", 5, &last), ==, -1);
}

static void
test_capability (void)
{
	g_assert_cmpuint (smtp_ehlo_capability ("PIPELINING", 10), ==, SMTP_CAP_PIPELINING);
	g_assert_cmpuint (smtp_ehlo_capability ("pipelining", 10), ==, SMTP_CAP_PIPELINING);
	g_assert_cmpuint (smtp_ehlo_capability ("SIZE 10240000", 13), ==, SMTP_CAP_SIZE);
	g_assert_cmpuint (smtp_ehlo_capability ("SIZE", 4), ==, SMTP_CAP_SIZE);
	g_assert_cmpuint (smtp_ehlo_capability ("SMTPUTF8", 8), ==, SMTP_CAP_SMTPUTF8);
	g_assert_cmpuint (smtp_ehlo_capability ("AUTH PLAIN LOGIN XOAUTH2", 24), ==, SMTP_CAP_AUTH);
	/* a keyword inside a longer one, or the old AUTH=, is none of ours */
	g_assert_cmpuint (smtp_ehlo_capability ("PIPELININGX", 11), ==, 0);
	g_assert_cmpuint (smtp_ehlo_capability ("SIZEX 10", 8), ==, 0);
	g_assert_cmpuint (smtp_ehlo_capability ("AUTH=PLAIN", 10), ==, 0);
	g_assert_cmpuint (smtp_ehlo_capability ("X-PIPELINING", 12), ==, 0);
	g_assert_cmpuint (smtp_ehlo_capability ("", 0), ==, 0);
	/* only the first n bytes count */
	g_assert_cmpuint (smtp_ehlo_capability ("SIZE", 3), ==, 0);
}

static void
test_ehlo (void)
{
	static const char ehlo[] = "250-mx.example.pl greets you\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	                           "250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
	                           "250 2.1.0 Ok\r\n";
	SmtpReply r;
	gsize used;
	const char *why;

	smtp_reply_init (&r);
	g_assert_cmpint (take (&r, ehlo, &used, &why), ==, 1);
	/* the reply ends at its last line; the next one stays in the buffer */
	g_assert_cmpuint (used, ==, strlen (ehlo) - strlen ("250 2.1.0 Ok\r\n"));
	g_assert_cmpint (r.code, ==, 250);
	g_assert_cmpuint (r.lines, ==, 6);
	g_assert_cmpuint (r.caps, ==, SMTP_CAP_PIPELINING | SMTP_CAP_SIZE | SMTP_CAP_AUTH | SMTP_CAP_SMTPUTF8);
	g_assert_false (r.open);
	g_assert_cmpstr (r.text->str, ==, "250-mx.example.pl greets you 250-PIPELINING 250-SIZE 10240000 "
	                                  "250-AUTH PLAIN LOGIN 250-8BITMIME 250 SMTPUTF8");
	/* the first line's text is the host, never a keyword */
	g_assert_cmpint (take (&r, "250-PIPELINING\r\n250 HELP\r\n", &used, &why), ==, 1);
	g_assert_cmpuint (r.caps, ==, 0);
	smtp_reply_clear (&r);
}

static void
test_partial (void)
{
	SmtpReply r;
	gsize used;
	const char *why;

	smtp_reply_init (&r);
	/* nothing, half a line, a line and a half: more is needed */
	g_assert_cmpint (take (&r, "", &used, &why), ==, 0);
	g_assert_cmpuint (used, ==, 0);
	g_assert_cmpint (take (&r, "250-fir", &used, &why), ==, 0);
	g_assert_cmpuint (used, ==, 0);
	g_assert_cmpint (take (&r, "250-first\r\n250 la", &used, &why), ==, 0);
	g_assert_cmpuint (used, ==, 11);
	g_assert_true (r.open);
	g_assert_cmpint (take (&r, "250 last\r\n", &used, &why), ==, 1);
	g_assert_cmpstr (r.text->str, ==, "250-first 250 last");
	/* LF alone ends a line too; a bare code is a whole reply */
	g_assert_cmpint (take (&r, "354\n", &used, &why), ==, 1);
	g_assert_cmpint (r.code, ==, 354);
	g_assert_cmpstr (r.text->str, ==, "354");
	smtp_reply_clear (&r);
}

static void
test_refused (void)
{
	static const struct { const char *text; const char *why; } bad[] = {
		{ "250-first\r\n251 other\r\n", "different codes" },
		{ "250-first\r\n550 no\r\n", "different codes" },
		{ "hello there\r\n", "not an SMTP reply line" },
		{ "250-first\r\ngarbage\r\n", "not an SMTP reply line" },
		{ "999 what\r\n", "not an SMTP reply line" },
		{ "25\r\n", "not an SMTP reply line" },
		{ "\r\n", "not an SMTP reply line" },
		{ "250 o\0k\r\n", "NUL" },
	};

	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		SmtpReply r;
		gsize used, len = strlen (bad[i].text);
		const char *why = NULL;

		if (i == G_N_ELEMENTS (bad) - 1)
			len = 9;   /* the NUL inside */
		smtp_reply_init (&r);
		g_assert_cmpint (smtp_reply_take (&r, (const guint8 *) bad[i].text, len, &used, &why), ==, -1);
		g_assert_nonnull (why);
		g_assert_nonnull (strstr (why, bad[i].why));
		smtp_reply_clear (&r);
	}
}

/* "250-" without end is cut at the line cap, whether it comes at once or in pieces */
static void
test_endless (void)
{
	g_autoptr (GString) many = g_string_new (NULL);
	SmtpReply r;
	gsize used;
	const char *why = NULL;

	for (guint i = 0; i < SMTP_REPLY_LINES_MAX; i++)
		g_string_append (many, "250-still here\r\n");
	smtp_reply_init (&r);
	/* the cap itself is allowed: its last line may end the reply */
	g_assert_cmpint (take (&r, many->str, &used, &why), ==, 0);
	g_assert_cmpuint (used, ==, many->len);
	g_assert_cmpuint (r.lines, ==, SMTP_REPLY_LINES_MAX);
	g_assert_cmpint (take (&r, "250-one more\r\n", &used, &why), ==, -1);
	g_assert_nonnull (strstr (why, "more than 100 lines"));
	g_assert_cmpuint (r.text->len, <=, SMTP_REPLY_TEXT_MAX);
	smtp_reply_clear (&r);

	/* 99 continuation lines and an end: fine */
	smtp_reply_init (&r);
	g_string_truncate (many, many->len - strlen ("250-still here\r\n"));
	g_string_append (many, "250 done\r\n");
	g_assert_cmpint (take (&r, many->str, &used, &why), ==, 1);
	g_assert_cmpuint (r.lines, ==, SMTP_REPLY_LINES_MAX);
	smtp_reply_clear (&r);
}

static void
test_long_line (void)
{
	g_autoptr (GString) line = g_string_new ("250 ");
	SmtpReply r;
	gsize used;
	const char *why = NULL;

	smtp_reply_init (&r);
	while (line->len < SMTP_LINE_MAX)
		g_string_append_c (line, 'x');
	/* a line of the longest length, without its end yet: more is needed */
	g_assert_cmpint (take (&r, line->str, &used, &why), ==, 0);
	g_string_append (line, "\r\n");
	g_assert_cmpint (take (&r, line->str, &used, &why), ==, 1);
	g_assert_cmpuint (r.text->len, ==, SMTP_REPLY_TEXT_MAX);
	/* one byte more, with or without its end: refused */
	g_string_truncate (line, line->len - 2);
	g_string_append (line, "xx");
	g_assert_cmpint (take (&r, line->str, &used, &why), ==, -1);
	g_assert_nonnull (strstr (why, "longer than"));
	g_string_append (line, "\r\n");
	g_assert_cmpint (take (&r, line->str, &used, &why), ==, -1);
	g_assert_nonnull (strstr (why, "longer than"));
	smtp_reply_clear (&r);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/smtp/line_code", test_line_code);
	g_test_add_func ("/smtp/capability", test_capability);
	g_test_add_func ("/smtp/ehlo", test_ehlo);
	g_test_add_func ("/smtp/partial", test_partial);
	g_test_add_func ("/smtp/refused", test_refused);
	g_test_add_func ("/smtp/endless", test_endless);
	g_test_add_func ("/smtp/long_line", test_long_line);
	return g_test_run ();
}

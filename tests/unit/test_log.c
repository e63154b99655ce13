/* test_log.c - log_safe: values from mail stay inside one log line. */
#include <string.h>

#include "core/log.h"

static void
test_safe_controls (void)
{
	g_autofree char *a = log_safe ("a\rb\nc\td\x7f" "e", 100);
	g_autofree char *b = log_safe ("x\xc2\x85y\xe2\x80\xa8z\xe2\x80\xa9w", 100);  /* NEL, LS, PS */
	g_autofree char *c = log_safe ("\xff\xfe<id@x>", 100);

	g_assert_cmpstr (a, ==, "a?b?c?d?e");
	g_assert_cmpstr (b, ==, "x?y?z?w");
	g_assert_true (g_utf8_validate (c, -1, NULL));
	g_assert_nonnull (strstr (c, "<id@x>"));
	g_assert_null (log_safe (NULL, 10));
}

static void
test_safe_bound (void)
{
	g_autofree char *ascii = log_safe ("abcdefghij", 4);
	g_autofree char *polish = log_safe ("ąęść", 5);   /* 2 bytes each: never half a letter */
	g_autofree char *fits = log_safe ("abcd", 4);

	g_assert_cmpstr (ascii, ==, "abcd...");
	g_assert_cmpstr (polish, ==, "ąę...");
	g_assert_cmpstr (fits, ==, "abcd");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_test_add_func ("/log/safe-controls", test_safe_controls);
	g_test_add_func ("/log/safe-bound", test_safe_bound);
	return g_test_run ();
}

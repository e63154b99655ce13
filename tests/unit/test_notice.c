/* test_notice.c - the review notice's token (made once, checked per item,
 * constant across loads) and the reading of a staff member's reply. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "register/notice.h"

static void
test_key (void)
{
	g_autofree char *dir = g_dir_make_tmp ("mailreg-notice-XXXXXX", NULL);
	g_autofree char *path = g_build_filename (dir, NOTICE_KEY_FILE, NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) first = notice_key_load (dir, &error);
	g_autoptr (GBytes) again = NULL;
	g_autoptr (GDir) d = NULL;
	struct stat st;
	guint files = 0;

	g_assert_no_error (error);
	g_assert_cmpuint (g_bytes_get_size (first), ==, NOTICE_KEY_SIZE);
	g_assert_cmpint (g_stat (path, &st), ==, 0);
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);
	/* made once: the second load reads the same key, no temporary file is left */
	again = notice_key_load (dir, &error);
	g_assert_true (g_bytes_equal (first, again));
	d = g_dir_open (dir, 0, NULL);
	while (g_dir_read_name (d) != NULL)
		files++;
	g_assert_cmpuint (files, ==, 1);
	/* a damaged key is an error, not silently replaced */
	g_assert_true (g_file_set_contents (path, "short", -1, NULL));
	g_clear_pointer (&again, g_bytes_unref);
	again = notice_key_load (dir, &error);
	g_assert_null (again);
	g_assert_error (error, g_quark_from_static_string ("mailreg-error-quark"), 65);
	g_unlink (path);
	g_rmdir (dir);
}

/* Items 42 and 43 exist (salts "s42", "s43"); 44 does not. */
static char *
salt (gint64 id, gpointer user)
{
	return id == 42 || id == 43 ? g_strdup_printf ("s%" G_GINT64_FORMAT, id) : NULL;
}

static void
test_token (void)
{
	static const guint8 k1[NOTICE_KEY_SIZE] = { 1, 2, 3 };
	static const guint8 k2[NOTICE_KEY_SIZE] = { 9, 9, 9 };
	g_autoptr (GBytes) key = g_bytes_new_static (k1, sizeof k1);
	g_autoptr (GBytes) other = g_bytes_new_static (k2, sizeof k2);
	g_autofree char *mid42 = notice_message_id (key, 42, "s42", "rops.example.pl");
	g_autofree char *mid43 = notice_message_id (key, 43, "s43", "rops.example.pl");
	g_autofree char *foreign = notice_message_id (other, 42, "s42", "rops.example.pl");
	g_autofree char *refs = NULL;
	g_autofree char *swapped = NULL;
	g_autofree char *upper = NULL;
	gint64 id;

	g_assert_true (g_str_has_prefix (mid42, "review-42-"));
	g_assert_true (g_str_has_suffix (mid42, "@rops.example.pl"));
	g_assert_cmpuint (strlen (mid42), ==, strlen ("review-42-") + 64 + strlen ("@rops.example.pl"));
	/* the same key and id give the same Message-ID; another key another one */
	{
		g_autofree char *same = notice_message_id (key, 42, "s42", "rops.example.pl");
		g_assert_cmpstr (same, ==, mid42);
		g_assert_cmpstr (foreign, !=, mid42);
	}

	/* In-Reply-To alone, or somewhere in References */
	refs = g_strdup_printf ("<a@b.pl> <%s>", mid42);
	g_assert_cmpint (notice_find_ref (key, refs, "rops.example.pl", salt, NULL, &id), ==, NOTICE_REF_VALID);
	g_assert_cmpint (id, ==, 42);
	g_assert_cmpint (notice_find_ref (key, refs, "ROPS.example.pl", salt, NULL, &id), ==, NOTICE_REF_VALID);
	/* no notice: none */
	g_assert_cmpint (notice_find_ref (key, "<a@b.pl> <c@d.pl>", "rops.example.pl", salt, NULL, &id), ==, NOTICE_REF_NONE);
	g_assert_cmpint (id, ==, 0);
	g_assert_cmpint (notice_find_ref (key, NULL, "rops.example.pl", salt, NULL, &id), ==, NOTICE_REF_NONE);
	/* another domain's look-alike is not ours */
	g_clear_pointer (&refs, g_free);
	refs = g_strdup_printf ("<%.*s@evil.example>", (int) (strchr (mid42, '@') - mid42), mid42);
	g_assert_cmpint (notice_find_ref (key, refs, "rops.example.pl", salt, NULL, &id), ==, NOTICE_REF_NONE);
	/* item 43's token put on item 42: invalid, naming 42 */
	swapped = g_strdup_printf ("<review-42-%s>", mid43 + strlen ("review-43-"));
	g_assert_cmpint (notice_find_ref (key, swapped, "rops.example.pl", salt, NULL, &id), ==, NOTICE_REF_INVALID);
	g_assert_cmpint (id, ==, 42);
	/* a token of another key */
	g_clear_pointer (&refs, g_free);
	refs = g_strdup_printf ("<%s>", foreign);
	g_assert_cmpint (notice_find_ref (key, refs, "rops.example.pl", salt, NULL, &id), ==, NOTICE_REF_INVALID);
	/* an invalid one before a valid one: the valid one counts */
	g_clear_pointer (&refs, g_free);
	refs = g_strdup_printf ("%s <%s>", swapped, mid43);
	g_assert_cmpint (notice_find_ref (key, refs, "rops.example.pl", salt, NULL, &id), ==, NOTICE_REF_VALID);
	g_assert_cmpint (id, ==, 43);
	/* the same row id with another salt (used again after an erasure): another token */
	{
		g_autofree char *reused = notice_message_id (key, 42, "another spool id", "rops.example.pl");
		g_autofree char *ref = g_strdup_printf ("<%s>", reused);
		g_assert_cmpstr (reused, !=, mid42);
		g_assert_cmpint (notice_find_ref (key, ref, "rops.example.pl", salt, NULL, &id), ==, NOTICE_REF_INVALID);
	}
	/* an item that is no more: invalid */
	{
		g_autofree char *gone = notice_message_id (key, 44, "s44", "rops.example.pl");
		g_autofree char *ref = g_strdup_printf ("<%s>", gone);
		g_assert_cmpint (notice_find_ref (key, ref, "rops.example.pl", salt, NULL, &id), ==, NOTICE_REF_INVALID);
		g_assert_cmpint (id, ==, 44);
	}
	/* a client writing the hex in capitals */
	upper = g_strdup_printf ("<%s>", mid42);
	for (char *c = upper + strlen ("<review-42-"); *c != '@'; c++)
		*c = g_ascii_toupper (*c);
	g_assert_cmpint (notice_find_ref (key, upper, "rops.example.pl", salt, NULL, &id), ==, NOTICE_REF_VALID);
}

static void
test_parse (void)
{
	static const struct {
		const char *body;
		NoticeCommandKind kind;
		const char *text;
		guint lines;
	} cases[] = {
		{ "ZATWIERDŹ\n", NOTICE_CMD_APPROVE, "", 0 },
		{ "\n\n  zatwierdz\n\n> Wiadomość wymaga sprawdzenia\n> ODRZUĆ\n", NOTICE_CMD_APPROVE, "", 0 },
		{ "Zatwierdź:\nPowiat: myszkowski\nImię: Halina\n\n-- \nAnna\n", NOTICE_CMD_APPROVE,
		  "Powiat: myszkowski\nImię: Halina", 2 },
		{ "ODRZUĆ\n- Brak podpisu.\n2. Brak powiatu.\n\nW dniu 1.03.2014 mailreg pisze:\n> Powód: ...\n",
		  NOTICE_CMD_REJECT, "- Brak podpisu.\n2. Brak powiatu.", 2 },
		{ "odrzuc: Brak formularza.\n", NOTICE_CMD_REJECT, "Brak formularza.", 1 },
		{ "Odpowiedź\r\nSzkolenia zaczną się w marcu.\r\nPozdrawiam\r\n-----Original Message-----\r\nFrom: x\r\n",
		  NOTICE_CMD_ANSWER, "Szkolenia zaczną się w marcu.\nPozdrawiam", 2 },
		{ "ODPOWIEDZ Dziękujemy.\nOd: mailreg <rejestracja@rops.example.pl>\nTemat: ...\n", NOTICE_CMD_ANSWER,
		  "Dziękujemy.", 1 },
		/* no command: a question, a word later in the line, a quoted command only */
		{ "Czy mam zatwierdzić?\n", NOTICE_CMD_NONE, "", 0 },
		{ "Proszę ZATWIERDŹ\n", NOTICE_CMD_NONE, "", 0 },
		{ "> ZATWIERDŹ\n", NOTICE_CMD_NONE, "", 0 },
		{ "ZATWIERDZONO\n", NOTICE_CMD_NONE, "", 0 },
		{ "", NOTICE_CMD_NONE, "", 0 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (NoticeCommand) cmd = notice_parse_reply (cases[i].body);
		g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].body);
		g_assert_cmpint (cmd->kind, ==, cases[i].kind);
		g_assert_cmpstr (cmd->text, ==, cases[i].text);
		g_assert_cmpuint (cmd->lines->len, ==, cases[i].lines);
	}
	{
		g_autoptr (NoticeCommand) cmd = notice_parse_reply ("ODRZUĆ\n1) Brak podpisu.\n* Brak powiatu.\n");
		g_assert_cmpstr (g_ptr_array_index (cmd->lines, 0), ==, "Brak podpisu.");
		g_assert_cmpstr (g_ptr_array_index (cmd->lines, 1), ==, "Brak powiatu.");
	}
	{
		g_autoptr (NoticeCommand) cmd = notice_parse_reply (NULL);
		g_assert_cmpint (cmd->kind, ==, NOTICE_CMD_NONE);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_test_add_func ("/notice/key", test_key);
	g_test_add_func ("/notice/token", test_token);
	g_test_add_func ("/notice/parse", test_parse);
	return g_test_run ();
}

/* notice.c - the review notice's token and the reading of a staff member's
 * reply to it (notice.h).
 */
#define _GNU_SOURCE   /* strcasestr */
#include "register/notice.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/fs.h"

/* --- the key --------------------------------------------------------------- */

static GBytes *
read_key (const char *path, GError **error)
{
	g_autoptr (GError) local = NULL;
	char *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents (path, &data, &len, &local)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_IO, "review notice key %s: %s", path, local->message);
		return NULL;
	}
	if (len != NOTICE_KEY_SIZE) {
		explicit_bzero (data, len);
		g_free (data);
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "review notice key %s: %" G_GSIZE_FORMAT " bytes, expected %d (remove it to make a new one; "
		             "replies to notices sent before are then refused)", path, len, NOTICE_KEY_SIZE);
		return NULL;
	}
	return g_bytes_new_take (data, len);
}

/* Write a new key under a temporary name and link it to @path: link() fails
 * when another process made the key first, and then its key is the one. */
static gboolean
make_key (const char *dir, const char *path, GError **error)
{
	g_autofree char *tmp = g_strdup_printf ("%s/.%s.%d.tmp", dir, NOTICE_KEY_FILE, (int) getpid ());
	guint8 key[NOTICE_KEY_SIZE];
	gboolean ok = FALSE;
	int fd;

	if (getrandom (key, sizeof key, 0) != (ssize_t) sizeof key) {
		fs_set_error (error, errno, "getrandom for the review notice key");
		return FALSE;
	}
	unlink (tmp);   /* a crash's leftover of this pid */
	if ((fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CANTCREAT, "review notice key %s: %s", tmp,
		             g_strerror (errno));
		goto fail;
	}
	if (!fs_write_all (fd, key, sizeof key, tmp, error))
		goto fail;
	if (fsync (fd) != 0) {
		fs_set_error (error, errno, tmp);
		goto fail;
	}
	if (link (tmp, path) != 0 && errno != EEXIST) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_CANTCREAT, "review notice key %s: %s", path,
		             g_strerror (errno));
		goto fail;
	}
	ok = fs_fsync_dir (dir, error);
fail:
	explicit_bzero (key, sizeof key);
	if (fd >= 0)
		close (fd);
	unlink (tmp);
	return ok;
}

GBytes *
notice_key_load (const char *dir, GError **error)
{
	g_autofree char *path = g_build_filename (dir, NOTICE_KEY_FILE, NULL);

	if (!g_file_test (path, G_FILE_TEST_EXISTS) && !make_key (dir, path, error))
		return NULL;
	return read_key (path, error);
}

/* --- the token ------------------------------------------------------------- */

static char *
token (GBytes *key, gint64 id, const char *salt)
{
	g_autofree char *data = g_strdup_printf ("review:%" G_GINT64_FORMAT ":%s", id, salt);
	gsize len;
	const guchar *k = g_bytes_get_data (key, &len);

	return g_compute_hmac_for_string (G_CHECKSUM_SHA256, k, len, data, -1);
}

char *
notice_message_id (GBytes *key, gint64 id, const char *salt, const char *domain)
{
	g_autofree char *t = token (key, id, salt);

	return g_strdup_printf ("review-%" G_GINT64_FORMAT "-%s@%s", id, t, domain);
}

static gboolean
equal_constant_time (const char *a, const char *b, gsize n)
{
	guchar diff = 0;

	for (gsize i = 0; i < n; i++)
		diff |= (guchar) a[i] ^ (guchar) b[i];
	return diff == 0;
}

NoticeRef
notice_find_ref (GBytes *key, const char *ids, const char *domain, NoticeSaltFunc salt, gpointer user, gint64 *id)
{
	static GRegex *re;
	g_autoptr (GMatchInfo) mi = NULL;
	NoticeRef found = NOTICE_REF_NONE;

	*id = 0;
	if (ids == NULL || domain == NULL)
		return NOTICE_REF_NONE;
	if (g_once_init_enter (&re))
		g_once_init_leave (&re, g_regex_new ("<\\s*review-([0-9]{1,18})-([0-9a-fA-F]{64})@([^<>\\s]+)\\s*>", 0, 0,
		                                     NULL));
	g_regex_match (re, ids, 0, &mi);
	for (; g_match_info_matches (mi); g_match_info_next (mi, NULL)) {
		g_autofree char *num = g_match_info_fetch (mi, 1);
		g_autofree char *given = g_match_info_fetch (mi, 2);
		g_autofree char *dom = g_match_info_fetch (mi, 3);
		gint64 n = g_ascii_strtoll (num, NULL, 10);
		g_autofree char *want = NULL;
		g_autofree char *s = NULL;
		char *low;

		if (g_ascii_strcasecmp (dom, domain) != 0 || n <= 0)
			continue;
		s = salt (n, user);
		want = s != NULL ? token (key, n, s) : NULL;
		low = g_ascii_strdown (given, -1);
		if (want != NULL && equal_constant_time (low, want, 64)) {
			g_free (low);
			*id = n;
			return NOTICE_REF_VALID;
		}
		g_free (low);
		if (found == NOTICE_REF_NONE) {
			found = NOTICE_REF_INVALID;
			*id = n;
		}
	}
	return found;
}

/* --- the reply ------------------------------------------------------------- */

void
notice_command_free (NoticeCommand *cmd)
{
	if (cmd == NULL)
		return;
	g_free (cmd->text);
	g_ptr_array_unref (cmd->lines);
	g_free (cmd);
}

/* @word (upper case) without Polish letters: "ZATWIERDŹ" -> "ZATWIERDZ".  (transfer full) */
static char *
plain_upper (const char *word)
{
	static const char *const from[] = { "Ą", "Ć", "Ę", "Ł", "Ń", "Ó", "Ś", "Ź", "Ż" };
	static const char *const to[] = { "A", "C", "E", "L", "N", "O", "S", "Z", "Z" };
	g_autofree char *up = g_utf8_strup (word, -1);
	GString *out = g_string_new (NULL);

	for (const char *c = up; *c; c = g_utf8_next_char (c)) {
		gsize n = g_utf8_next_char (c) - c;
		gsize i;
		for (i = 0; i < G_N_ELEMENTS (from); i++)
			if (strlen (from[i]) == n && memcmp (from[i], c, n) == 0)
				break;
		if (i < G_N_ELEMENTS (from))
			g_string_append (out, to[i]);
		else
			g_string_append_len (out, c, n);
	}
	return g_string_free (out, FALSE);
}

static NoticeCommandKind
command_of (const char *word)
{
	g_autofree char *w = plain_upper (word);

	if (strcmp (w, "ZATWIERDZ") == 0)
		return NOTICE_CMD_APPROVE;
	if (strcmp (w, "ODRZUC") == 0)
		return NOTICE_CMD_REJECT;
	if (strcmp (w, "ODPOWIEDZ") == 0)
		return NOTICE_CMD_ANSWER;
	return NOTICE_CMD_NONE;
}

static gboolean
is_quoted (const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	return *line == '>';
}

/* Where the quoted notice starts: a quoted line, the attribution line before
 * one ("W dniu ... pisze:", "On ... wrote:"), a top-posting client's header
 * block, or the signature separator. */
static gboolean
quote_starts (char **l)
{
	char **next = l + 1;
	gsize len = strlen (*l);

	if (is_quoted (*l) || strcmp (*l, "-- ") == 0 || strcmp (*l, "--") == 0)
		return TRUE;
	if (g_str_has_prefix (*l, "---") &&
	    (strcasestr (*l, "original") != NULL || strcasestr (*l, "oryginaln") != NULL))
		return TRUE;
	if ((g_ascii_strncasecmp (*l, "from:", 5) == 0 || g_ascii_strncasecmp (*l, "od:", 3) == 0) &&
	    strchr (*l, '@') != NULL)
		return TRUE;
	while (*next != NULL && **next == '\0')
		next++;
	return len > 0 && (*l)[len - 1] == ':' && *next != NULL && is_quoted (*next);
}

/* @line without a list marker ("- ", "* ", "• ", "1. ", "1) ").  (transfer none, into @line) */
static char *
unmarked (char *line)
{
	char *l = g_strstrip (line);

	if (g_str_has_prefix (l, "- ") || g_str_has_prefix (l, "* "))
		return g_strchug (l + 2);
	if (g_str_has_prefix (l, "•"))
		return g_strchug (l + strlen ("•"));
	if (g_ascii_isdigit (*l)) {
		char *e = l;
		while (g_ascii_isdigit (*e))
			e++;
		if ((*e == '.' || *e == ')') && (e[1] == ' ' || e[1] == '\0'))
			return g_strchug (e + 1);
	}
	return l;
}

NoticeCommand *
notice_parse_reply (const char *body)
{
	NoticeCommand *cmd = g_new0 (NoticeCommand, 1);
	g_autofree char *norm = g_strdup (body ? body : "");
	g_auto (GStrv) lines = NULL;
	g_autoptr (GString) text = g_string_new (NULL);
	char **l;

	cmd->lines = g_ptr_array_new_with_free_func (g_free);
	cmd->text = g_strdup ("");
	if (!g_utf8_validate (norm, -1, NULL))
		return cmd;
	lines = g_strsplit (norm, "\n", -1);
	for (l = lines; *l != NULL; l++)
		g_strchomp (*l);   /* CR of CRLF, trailing blanks */
	for (l = lines; *l != NULL && **l == '\0'; l++)
		;
	if (*l == NULL || quote_starts (l))
		return cmd;
	{
		/* the first word, without the punctuation people put after it */
		char *first = g_strchug (*l);
		gsize n = strcspn (first, " \t:.,;!");
		g_autofree char *word = g_strndup (first, n);

		if ((cmd->kind = command_of (word)) == NOTICE_CMD_NONE)
			return cmd;
		first += n;
		while (*first != '\0' && strchr (" \t:.,;!-", *first) != NULL)
			first++;
		g_string_append_printf (text, "%s\n", first);
	}
	for (l++; *l != NULL && !quote_starts (l); l++)
		g_string_append_printf (text, "%s\n", *l);
	g_free (cmd->text);
	cmd->text = g_strstrip (g_strdup (text->str));
	{
		g_auto (GStrv) own = g_strsplit (cmd->text, "\n", -1);
		for (char **o = own; *o != NULL; o++) {
			char *line = unmarked (*o);
			if (*line != '\0')
				g_ptr_array_add (cmd->lines, g_strdup (line));
		}
	}
	return cmd;
}

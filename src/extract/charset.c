/* charset.c - the bytes of a text part or file as valid UTF-8, whatever they claim.
 *
 * Part of extract (stage 3): text bodies and .txt attachments (extract.c) and
 * HTML (html.c) are decoded here before they are read.  The declared charset
 * when the bytes fit it, else UTF-8, else windows-1250 (what Polish mail that
 * lies about its charset is written in); a BOM outweighs any declaration.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/charset.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <string.h>

/* @data from @from to UTF-8; NULL when @from is unknown or the bytes do not fit it. */
static char *
convert_strict (const char *data, gsize len, const char *from, gsize *out_len)
{
	return g_convert (data, (gssize) len, "UTF-8", from, NULL, out_len, NULL);
}

/* @data from @from to UTF-8, an undecodable byte becoming U+FFFD (windows-1250
 * leaves five bytes undefined; glibc's iconv refuses them). */
static char *
convert_lenient (const char *data, gsize len, const char *from)
{
	GIConv cd = g_iconv_open ("UTF-8", from);
	GString *out;
	char *in = (char *) data;
	gsize inleft = len;
	char buf[4096];

	if (cd == (GIConv) -1)
		return g_utf8_make_valid (data, (gssize) len);
	out = g_string_sized_new (len + len / 2);
	while (inleft > 0) {
		char *o = buf;
		gsize oleft = sizeof buf;
		gsize r = g_iconv (cd, &in, &inleft, &o, &oleft);

		g_string_append_len (out, buf, o - buf);
		if (r == (gsize) -1 && errno != E2BIG) {
			/* EILSEQ, or EINVAL for a sequence cut at the end */
			g_string_append (out, "\xEF\xBF\xBD");
			in++;
			inleft--;
		}
	}
	/* flush a stateful converter */
	{
		char *o = buf;
		gsize oleft = sizeof buf;
		g_iconv (cd, NULL, NULL, &o, &oleft);
		g_string_append_len (out, buf, o - buf);
	}
	g_iconv_close (cd);
	return g_string_free (out, FALSE);
}

static gboolean
is_utf8_name (const char *name)
{
	return g_ascii_strcasecmp (name, "UTF-8") == 0 || g_ascii_strcasecmp (name, "UTF8") == 0;
}

static gboolean
is_wide_name (const char *name)
{
	return g_ascii_strncasecmp (name, "UTF-16", 6) == 0 ||
	       g_ascii_strncasecmp (name, "UTF-32", 6) == 0 ||
	       g_ascii_strncasecmp (name, "UCS-2", 5) == 0 || g_ascii_strncasecmp (name, "UCS-4", 5) == 0;
}

/* The iconv name of the declared @charset, NULL when none or unknown to iconv
 * ("x-foo", "unknown-8bit"): such a declaration tells us nothing. */
static char *
known_charset (const char *charset)
{
	const char *name;
	GIConv cd;

	if (charset == NULL || *charset == '\0')
		return NULL;
	name = g_mime_charset_iconv_name (charset);
	cd = g_iconv_open ("UTF-8", name);
	if (cd == (GIConv) -1)
		return NULL;
	g_iconv_close (cd);
	return g_strdup (name);
}

/* See charset.h. */
gboolean
extract_charset_is_wide (const char *charset)
{
	g_autofree char *declared = known_charset (charset);

	return declared != NULL && is_wide_name (declared);
}

static gboolean
has_c1_bytes (const char *data, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if ((guchar) data[i] >= 0x80 && (guchar) data[i] <= 0x9F)
			return TRUE;
	return FALSE;
}

static void
nul_to_space (char *s, gsize len)
{
	/* NULs are rare: memchr skips to them, a byte loop cost 4 instructions a byte */
	for (char *end = s + len; s < end && (s = memchr (s, '\0', (gsize) (end - s))) != NULL; s++)
		*s = ' ';
}

/* Wide text (UTF-16/32) converted as a whole, NULs kept until after conversion. */
static char *
convert_wide (const char *data, gsize len, const char *from)
{
	gsize out_len = 0;
	char *out = convert_strict (data, len, from, &out_len);

	if (out != NULL)
		nul_to_space (out, out_len);
	return out;
}

/* @n bytes without NULs, declared as @declared (an iconv name, or NULL);
 * *@checked when the result was validated as UTF-8 here. */
static char *
decode_bytes (const char *p, gsize n, const char *declared, gboolean *checked)
{
	if (declared != NULL && !is_utf8_name (declared)) {
		const char *from = declared;
		char *out;

		/* WHATWG Encoding: latin1 labels mean windows-1252; ISO-8859-2 text with
		 * C1 bytes (never in real text) is windows-1250 under the wrong label */
		if (g_ascii_strcasecmp (from, "ISO-8859-1") == 0)
			from = "WINDOWS-1252";
		else if (g_ascii_strcasecmp (from, "ISO-8859-2") == 0 && has_c1_bytes (p, n))
			from = "WINDOWS-1250";
		if ((out = convert_strict (p, n, from, NULL)) != NULL)
			return out;
	}
	/* declared UTF-8, undeclared, or a declaration the bytes do not fit; what is
	 * not UTF-8 is taken for the Polish legacy charset ("utf-8" on windows-1250
	 * bytes is a classic webmail bug) */
	if ((*checked = g_utf8_validate_len (p, n, NULL)))
		return g_strndup (p, n);
	return convert_lenient (p, n, "WINDOWS-1250");
}

/* See charset.h. */
char *
extract_to_utf8 (const char *data, gsize len, const char *charset)
{
	g_autofree char *declared = known_charset (charset);
	g_autofree char *out = NULL;
	gboolean checked = FALSE;
	char *valid;

	g_return_val_if_fail (data != NULL || len == 0, NULL);
	if (len == 0)
		return g_strdup ("");
	/* A .txt saved by Notepad as "Unicode" is UTF-16 with a BOM, usually sent
	 * as application/octet-stream without a charset: the BOM decides.  Wide
	 * text keeps its NULs until it is converted. */
	if (len >= 2 && (guchar) data[0] == 0xFF && (guchar) data[1] == 0xFE)
		out = convert_wide (data + 2, len - 2, "UTF-16LE");
	else if (len >= 2 && (guchar) data[0] == 0xFE && (guchar) data[1] == 0xFF)
		out = convert_wide (data + 2, len - 2, "UTF-16BE");
	else if (declared != NULL && is_wide_name (declared))
		out = convert_wide (data, len, declared);

	if (out == NULL) {
		g_autofree char *bytes = NULL;
		const char *p = data;
		gsize n = len;

		if (declared != NULL && is_wide_name (declared))
			g_clear_pointer (&declared, g_free);   /* the bytes are not what it says */
		/* a copy only to blank NULs, which text seldom holds */
		if (memchr (data, '\0', len) != NULL) {
			bytes = g_memdup2 (data, len);
			nul_to_space (bytes, len);
			p = bytes;
		}
		if (n >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0) {
			/* a UTF-8 BOM outweighs the declaration */
			p += 3;
			n -= 3;
			g_free (declared);
			declared = g_strdup ("UTF-8");
		}
		out = decode_bytes (p, n, declared, &checked);
	}

	/* decode_bytes' own UTF-8 is validated already: a second pass over a 25 KB
	 * body costs more than the rest of the decoding */
	valid = checked ? g_steal_pointer (&out) : g_utf8_make_valid (out, -1);
	/* a BOM left inside converted text (UTF-16 declared and with a BOM) */
	if (g_str_has_prefix (valid, "\xEF\xBB\xBF"))
		memmove (valid, valid + 3, strlen (valid + 3) + 1);
	return valid;
}


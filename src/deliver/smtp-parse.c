/* smtp-parse.c - SMTP replies read from bytes (see smtp-parse.h). */
#include "deliver/smtp-parse.h"

#include <string.h>

void
smtp_reply_init (SmtpReply *r)
{
	memset (r, 0, sizeof *r);
	r->text = g_string_new (NULL);
}

void
smtp_reply_clear (SmtpReply *r)
{
	if (r->text != NULL)
		g_string_free (r->text, TRUE);
	memset (r, 0, sizeof *r);
}

int
smtp_reply_line_code (const char *line, gsize n, gboolean *last)
{
	/* 2yz..5yz: 1yz is not used by SMTP (RFC 5321 §4.2.1), others are not codes */
	if (n < 3 || line[0] < '2' || line[0] > '5' || !g_ascii_isdigit (line[1]) || !g_ascii_isdigit (line[2]) ||
	    (n > 3 && line[3] != ' ' && line[3] != '-'))
		return -1;
	*last = n == 3 || line[3] == ' ';
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

guint
smtp_ehlo_capability (const char *kw, gsize n)
{
	static const struct { const char *name; guint cap; } known[] = {
		{ "PIPELINING", SMTP_CAP_PIPELINING }, { "SIZE", SMTP_CAP_SIZE },
		{ "SMTPUTF8", SMTP_CAP_SMTPUTF8 }, { "AUTH", SMTP_CAP_AUTH },
	};
	gsize len = 0;

	/* the keyword ends at a space (its parameters follow) or "=" (old AUTH=LOGIN) */
	while (len < n && kw[len] != ' ' && kw[len] != '=')
		len++;
	for (guint i = 0; i < G_N_ELEMENTS (known); i++)
		if (len == strlen (known[i].name) && g_ascii_strncasecmp (kw, known[i].name, len) == 0 &&
		    (len == n || kw[len] == ' '))
			return known[i].cap;
	return 0;
}

int
smtp_reply_feed (SmtpReply *r, const char *line, gsize n, const char **why)
{
	gboolean last = FALSE;
	int code;

	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	if (memchr (line, '\0', n) != NULL) {
		*why = "a NUL byte in a reply line";
		return -1;
	}
	if ((code = smtp_reply_line_code (line, n, &last)) < 0) {
		*why = "not an SMTP reply line";
		return -1;
	}
	if (!r->open) {
		r->code = code;
		r->lines = 0;
		r->caps = 0;
		g_string_truncate (r->text, 0);
	} else if (code != r->code) {
		/* RFC 5321 §4.2.1: every line of a reply carries the same code */
		*why = "reply lines with different codes";
		return -1;
	} else {
		/* EHLO: every line after the first names an extension */
		if (n > 4)
			r->caps |= smtp_ehlo_capability (line + 4, n - 4);
		if (r->text->len < SMTP_REPLY_TEXT_MAX)
			g_string_append_c (r->text, ' ');
	}
	if (++r->lines > SMTP_REPLY_LINES_MAX) {
		*why = "a reply of more than " G_STRINGIFY (SMTP_REPLY_LINES_MAX) " lines";
		return -1;
	}
	if (r->text->len < SMTP_REPLY_TEXT_MAX)
		g_string_append_len (r->text, line, MIN (n, SMTP_REPLY_TEXT_MAX - r->text->len));
	r->open = !last;
	return last ? 1 : 0;
}

int
smtp_reply_take (SmtpReply *r, const guint8 *data, gsize len, gsize *used, const char **why)
{
	gsize pos = 0;

	*used = 0;
	for (;;) {
		/* an empty buffer's data may be NULL: no memchr on it */
		const guint8 *nl = pos < len ? memchr (data + pos, '\n', len - pos) : NULL;
		gsize n;
		int rc;

		if (nl == NULL) {
			if (len - pos > SMTP_LINE_MAX) {
				*why = "a reply line longer than " G_STRINGIFY (SMTP_LINE_MAX) " bytes";
				return -1;
			}
			return 0;
		}
		n = (gsize) (nl - (data + pos)) + 1;
		if (n > SMTP_LINE_MAX + 2) {
			*why = "a reply line longer than " G_STRINGIFY (SMTP_LINE_MAX) " bytes";
			return -1;
		}
		rc = smtp_reply_feed (r, (const char *) data + pos, n, why);
		pos += n;
		*used = pos;
		if (rc != 0)
			return rc;
	}
}

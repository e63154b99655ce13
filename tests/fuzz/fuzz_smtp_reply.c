/* fuzz_smtp_reply.c - bytes from a server -> the SMTP reply parser of
 * deliver/smtp.c (reply lines, multi-line replies, EHLO keywords), as the
 * client reads one reply after another from its buffer until the bytes run
 * out or a reply is refused. */
#include "fuzz.h"

#include "deliver/smtp-parse.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	SmtpReply r;
	gsize pos = 0;

	smtp_reply_init (&r);
	for (;;) {
		gsize used = 0;
		const char *why = NULL;
		int rc = smtp_reply_take (&r, data + pos, size - pos, &used, &why);

		g_assert (used <= size - pos);
		pos += used;
		if (rc < 0) {
			g_assert (why != NULL);
			break;
		}
		if (rc == 0)
			break;
		/* a complete reply: a code, its lines within the cap, its text bounded */
		g_assert (r.code >= 200 && r.code <= 599);
		g_assert (r.lines >= 1 && r.lines <= SMTP_REPLY_LINES_MAX);
		g_assert (r.text->len <= SMTP_REPLY_TEXT_MAX);
		g_assert (!r.open);
	}
	smtp_reply_clear (&r);
	return 0;
}

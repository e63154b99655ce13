/* smtp-parse.h - the SMTP reply parser of smtp.c (RFC 5321 §4.2): reply
 * lines, multi-line replies, EHLO keywords.  Pure (no libcurl, no I/O), for
 * the unit tests and the fuzzer; not an API for other stages. */
#ifndef MAILREG_SMTP_PARSE_H
#define MAILREG_SMTP_PARSE_H

#include <glib.h>

/* Reply text kept (lines joined by a space): enough for the outbox and staff. */
#define SMTP_REPLY_TEXT_MAX 512
/* The longest reply line taken (RFC 5321 §4.5.3.1.5: 512 with its CRLF). */
#define SMTP_LINE_MAX 8192
/* Lines in one reply: an EHLO answer has a dozen; more is a server that
 * never ends its reply. */
#define SMTP_REPLY_LINES_MAX 100

/* EHLO keywords the client uses. */
enum { SMTP_CAP_PIPELINING = 1 << 0, SMTP_CAP_SIZE = 1 << 1, SMTP_CAP_SMTPUTF8 = 1 << 2, SMTP_CAP_AUTH = 1 << 3 };

/* A reply being read, then the last complete one. */
typedef struct {
	int code;        /* of its first line, 200..599 */
	guint lines;     /* read so far */
	guint caps;      /* SMTP_CAP_* named by the lines after the first (EHLO's extensions) */
	gboolean open;   /* a line of it read, not its last */
	GString *text;   /* its lines joined, at most SMTP_REPLY_TEXT_MAX bytes */
} SmtpReply;

void smtp_reply_init (SmtpReply *r);
void smtp_reply_clear (SmtpReply *r);

/* The code of reply line @line (@n bytes, line end cut): 200..599, or -1 when
 * it is no reply line ("250", "250 text", "250-text"; RFC 5321 §4.2.1).
 * *@last: it ends its reply. */
int smtp_reply_line_code (const char *line, gsize n, gboolean *last);

/* The SMTP_CAP_* an EHLO line's text @kw (@n bytes, after "250-") names, 0 for others. */
guint smtp_ehlo_capability (const char *kw, gsize n);

/* Take one line (@n bytes, line end included or not) into @r.  1: the reply
 * is complete; 0: more lines follow; -1: protocol error, *@why (static) says
 * which: not a reply line, a NUL byte, a code other than the first line's,
 * more than SMTP_REPLY_LINES_MAX lines. */
int smtp_reply_feed (SmtpReply *r, const char *line, gsize n, const char **why);

/* Take the complete lines at the start of @data (@len bytes) into @r until
 * its reply is complete; *@used is what was taken.  1: complete; 0: more is
 * needed (the rest is an incomplete line); -1: protocol error (*@why), also
 * for a line longer than SMTP_LINE_MAX. */
int smtp_reply_take (SmtpReply *r, const guint8 *data, gsize len, gsize *used, const char **why);

#endif

/* imap-parse.h - the pure parts of the IMAP response parser in imap.c,
 * exposed for the unit tests and the fuzzer; not an API for other stages. */
#ifndef MAILREG_IMAP_PARSE_H
#define MAILREG_IMAP_PARSE_H

#include <glib.h>

/* The length of the literal "{N}" or "{N+}" ending response line @l (NUL
 * terminated, line end cut); -1 when @l ends in no literal, -2 when it ends in
 * braces that are no valid literal ("{abc}", "{-5}", "{ 7}", "{+}", more than
 * 10 digits): the rest of the response cannot be read. */
gint64 imap_literal_length (const char *l);

/* The number after the item @name ("UID", "RFC822.SIZE") in the text of a
 * FETCH response @t (literals left out), or 0 when it is not there. */
guint64 imap_fetch_item (const char *t, const char *name);

/* Read @data (@len bytes) as the whole response to the command tagged @tag,
 * as the client reads it from the server: lines, literals by their length,
 * FETCH responses kept for the UIDs in @want (sorted guint32; NULL: any).
 * TRUE on the tagged OK, with *@fetched (may be NULL; transfer full) the
 * table UID -> GBytes of the message literals (CRLF -> LF).  Errors as
 * imap_fetch_batch: PROTOCOL for an unreadable response, TEMPFAIL when the
 * data ends first or the answer is NO. */
gboolean imap_parse_response (const guint8 *data, gsize len, const char *tag, GArray *want, GHashTable **fetched,
                              GError **error);

#endif

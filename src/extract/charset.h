/* charset.h - decoding for extract (stage 3): the bytes of a text part or file,
 * in whatever charset they declare or really are, as valid UTF-8.  Called by the
 * MIME walk (extract.c) and the HTML extractor (html.c); calls nothing of theirs.
 */
#ifndef MAILREG_CHARSET_H
#define MAILREG_CHARSET_H

#include <glib.h>

/* Decode @len bytes declared as @charset (may be NULL) to valid UTF-8: the declared
 * charset when known and the bytes fit it, else UTF-8 when valid, else windows-1250.
 * NUL bytes become spaces.  (transfer full) */
char *extract_to_utf8 (const char *data, gsize len, const char *charset);

/* Whether @charset (may be NULL) is a known name of UTF-16/32 or UCS-2/4, whose
 * ASCII is not one byte a character. */
gboolean extract_charset_is_wide (const char *charset);

#endif

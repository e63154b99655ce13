/* fuzz_imap.c - bytes from a server -> the IMAP response parser of
 * fetch/imap.c (lines, literals, FETCH items, SEARCH), as the client reads the
 * answer to one UID FETCH.  The first input byte picks the UIDs asked for:
 * any (0), none, or 1..N. */
#include "fuzz.h"

#include "fetch/imap-parse.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	GArray *want = NULL;
	GHashTable *fetched = NULL;
	GError *error = NULL;

	if (size < 1)
		return 0;
	if (data[0] != 0) {
		want = g_array_new (FALSE, FALSE, sizeof (guint32));
		for (guint32 uid = 1; uid < (guint32) (data[0] & 0x0f); uid++)
			g_array_append_val (want, uid);
	}
	if (imap_parse_response (data + 1, size - 1, "M0001", want, &fetched, &error))
		g_hash_table_unref (fetched);
	else
		g_clear_error (&error);
	if (want != NULL)
		g_array_unref (want);
	return 0;
}

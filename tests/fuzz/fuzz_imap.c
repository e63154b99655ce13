/* fuzz_imap.c - bytes from a server -> the IMAP response parser of
 * fetch/imap.c (lines, literals, FETCH items split over responses, SEARCH,
 * UIDVALIDITY), as the client reads the answer to one UID FETCH.  The first
 * input byte picks the UIDs asked for: any (0), none, or 1..N.  Besides
 * crashes, it aborts when an answer it accepted hands back a message of a
 * UID not asked for, or one larger than a literal may be. */
#include "fuzz.h"

#include <stdlib.h>

#include "fetch/imap-parse.h"

/* The largest literal imap_parse_response keeps (its max_message_size of
 * 1 MB, with the slack imap.c allows). */
#define FUZZ_LITERAL_MAX ((1 << 20) + (64 << 10))

static int
cmp_uid (gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

	return x < y ? -1 : x > y;
}

static void
check (GHashTable *fetched, GArray *want)
{
	GHashTableIter it;
	gpointer key, value;
	guint idx;

	g_hash_table_iter_init (&it, fetched);
	while (g_hash_table_iter_next (&it, &key, &value)) {
		guint32 uid = GPOINTER_TO_UINT (key);
		if (uid == 0 || (want != NULL && !g_array_binary_search (want, &uid, cmp_uid, &idx)) ||
		    g_bytes_get_size (value) > FUZZ_LITERAL_MAX)
			abort ();
	}
}

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
	if (imap_parse_response (data + 1, size - 1, "M0001", want, &fetched, &error)) {
		check (fetched, want);
		g_hash_table_unref (fetched);
	} else {
		g_clear_error (&error);
	}
	if (want != NULL)
		g_array_unref (want);
	return 0;
}

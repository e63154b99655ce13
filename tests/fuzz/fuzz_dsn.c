/* fuzz_dsn.c - a message -> dsn_parse (RFC 3464 bounces), and its addresses
 * -> dsn_verp_id. */
#include "fuzz.h"
#include "parse/dsn.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	GMimeMessage *msg;
	DsnReport *r;

	fuzz_setup ();
	if ((msg = fuzz_message (data, size)) == NULL)
		return 0;
	if ((r = dsn_parse (msg)) != NULL) {
		if (r->recipient != NULL)
			g_free (dsn_verp_id (r->recipient, "bounces"));
		dsn_report_free (r);
	}
	g_object_unref (msg);
	return 0;
}

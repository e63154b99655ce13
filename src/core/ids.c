/* ids.c - uuid-based identifiers. */
#include "core/ids.h"

#include <uuid/uuid.h>

char *
ids_uuid (void)
{
	uuid_t u;
	char buf[37];

	uuid_generate_random (u);
	uuid_unparse_lower (u, buf);
	return g_strdup (buf);
}

char *
ids_message_id (const char *domain)
{
	g_autofree char *u = ids_uuid ();

	return g_strdup_printf ("%s@%s", u, domain);
}

char *
ids_registration_code (void)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uuid_t u;
	guint64 bits = 0;
	char code[13];

	uuid_generate_random (u);
	for (int i = 0; i < 5; i++)
		bits = (bits << 8) | u[i];
	code[0] = 'Z';
	code[1] = 'G';
	code[2] = '-';
	for (int i = 0; i < 8; i++) {
		char c = alphabet[(bits >> (35 - 5 * i)) & 31];
		code[i < 4 ? 3 + i : 4 + i] = c;
	}
	code[7] = '-';
	code[12] = '\0';
	return g_strdup (code);
}

/* digest.c - SHA-256 content hashes (see digest.h). */
#include "core/digest.h"

#include <openssl/evp.h>

struct Digest {
	EVP_MD_CTX *ctx;
};

Digest *
digest_new (void)
{
	Digest *d = g_new0 (Digest, 1);

	/* allocation failure of either is out of memory: abort like g_malloc */
	if ((d->ctx = EVP_MD_CTX_new ()) == NULL || EVP_DigestInit_ex (d->ctx, EVP_sha256 (), NULL) != 1)
		g_error ("digest: libcrypto cannot start a SHA-256");
	return d;
}

void
digest_update (Digest *d, const void *data, gsize len)
{
	if (EVP_DigestUpdate (d->ctx, data, len) != 1)
		g_error ("digest: SHA-256 update failed");
}

char *
digest_finish (Digest *d)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *hex;

	if (EVP_DigestFinal_ex (d->ctx, md, &n) != 1)
		g_error ("digest: SHA-256 final failed");
	hex = g_malloc (2 * n + 1);
	for (unsigned int i = 0; i < n; i++) {
		hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	hex[2 * n] = '\0';
	digest_free (d);
	return hex;
}

void
digest_free (Digest *d)
{
	if (d != NULL) {
		EVP_MD_CTX_free (d->ctx);
		g_free (d);
	}
}

char *
digest_hex (const void *data, gsize len)
{
	Digest *d = digest_new ();

	digest_update (d, data, len);
	return digest_finish (d);
}

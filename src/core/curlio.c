/* curlio.c - bytes over a connection libcurl opened (see curlio.h). */
#include "core/curlio.h"

#include <errno.h>
#include <poll.h>

gboolean
curlio_wait (curl_socket_t sock, gboolean for_send, int timeout)
{
	struct pollfd pfd = { sock, for_send ? POLLOUT : POLLIN, 0 };
	gint64 deadline = g_get_monotonic_time () + (gint64) timeout * G_USEC_PER_SEC;

	for (;;) {
		gint64 left = deadline - g_get_monotonic_time ();
		int rc;

		if (left <= 0)
			return FALSE;
		rc = poll (&pfd, 1, (int) MIN ((left + 999) / 1000, G_MAXINT));
		if (rc >= 0 || errno != EINTR)
			return rc > 0;
	}
}

const char *
curlio_send_all (CURL *curl, curl_socket_t sock, const char *data, gsize len, int timeout)
{
	while (len > 0) {
		size_t n = 0;
		CURLcode rc = curl_easy_send (curl, data, len, &n);

		if (rc == CURLE_AGAIN) {
			if (!curlio_wait (sock, TRUE, timeout))
				return "timed out sending";
			continue;
		}
		if (rc != CURLE_OK)
			return curl_easy_strerror (rc);
		data += n;
		len -= n;
	}
	return NULL;
}

const char *
curlio_recv (CURL *curl, curl_socket_t sock, GByteArray *into, int timeout)
{
	guint8 buf[65536];

	for (;;) {
		size_t n = 0;
		CURLcode rc = curl_easy_recv (curl, buf, sizeof buf, &n);

		if (rc == CURLE_AGAIN) {
			if (!curlio_wait (sock, FALSE, timeout))
				return "no answer in time";
			continue;
		}
		if (rc != CURLE_OK)
			return curl_easy_strerror (rc);
		if (n == 0)
			return "connection closed by the server";
		g_byte_array_append (into, buf, (guint) n);
		return NULL;
	}
}

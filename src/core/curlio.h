/* curlio.h - bytes over a connection libcurl opened with CURLOPT_CONNECT_ONLY.
 *
 * libcurl connects, does TLS and logs in; the IMAP client (fetch/imap.c) and
 * the SMTP transport (deliver/smtp.c) then speak their commands through
 * curl_easy_send/curl_easy_recv, which never block: these wait for the socket.
 */
#ifndef MAILREG_CURLIO_H
#define MAILREG_CURLIO_H

#include <curl/curl.h>
#include <glib.h>

/* Wait until @sock can be read (or written, @for_send), at most @timeout
 * seconds (signals do not end the wait early).  FALSE on timeout. */
gboolean curlio_wait (curl_socket_t sock, gboolean for_send, int timeout);

/* Send all @len bytes of @data, waiting at most @timeout seconds each time
 * the socket is full.  NULL when done, else why not (a static string). */
const char *curlio_send_all (CURL *curl, curl_socket_t sock, const char *data, gsize len, int timeout);

/* Append the next bytes that arrive (at least one) to @into, waiting at most
 * @timeout seconds for them.  NULL when done, else why not (a static string:
 * "no answer in time", "connection closed by the server", libcurl's error). */
const char *curlio_recv (CURL *curl, curl_socket_t sock, GByteArray *into, int timeout);

#endif

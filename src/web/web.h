/* web.h - the staff console: a web face over the same store and the same
 * domain functions as the commands in src/cli/.
 *
 * libmicrohttpd serves it on a thread of its own (its internal polling
 * thread) with its own database connection, so `mailreg run` takes and
 * delivers mail without ever waiting for a page; `mailreg web` serves it
 * alone.  Configured by [web] (config.h).
 */
#ifndef MAILREG_WEB_H
#define MAILREG_WEB_H

#include "core/config.h"

typedef struct WebServer WebServer;

/* Start serving [web] listen of the configuration at @config_path (read
 * again here: the console keeps its own until it stops).  (transfer full)
 * Errors: the configuration's, the database's, MAILREG_ERROR_OS when the
 * address cannot be bound, MAILREG_ERROR_CONFIG when [web] listen is empty or
 * TLS files cannot be read. */
WebServer *web_start (const char *config_path, GError **error);

/* Stop serving (waits for requests in progress) and free; NULL is fine. */
void web_stop (WebServer *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WebServer, web_stop)

/* An argon2id hash of @password for the staff table (crypto_pwhash_str,
 * libsodium's interactive limits).  (transfer full)  MAILREG_ERROR_OS when
 * out of memory. */
char *web_password_hash (const char *password, GError **error);

#endif

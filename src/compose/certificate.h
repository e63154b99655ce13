/* certificate.h - a certificate of attendance as a one-page PDF (cairo +
 * pango), from the template templates/certificate.ini. */
#ifndef MAILREG_CERTIFICATE_H
#define MAILREG_CERTIFICATE_H

#include <glib.h>

/* The PDF of template @path (certificate.ini) with @vars (name -> UTF-8 text,
 * escaped for Pango markup here).  (transfer full)  NULL with
 * MAILREG_ERROR_NOINPUT (no template), MAILREG_ERROR_DATA (a malformed
 * template or markup, an unknown variable) or MAILREG_ERROR_SOFTWARE (cairo). */
GBytes *certificate_pdf (const char *path, GHashTable *vars, GError **error);

#endif

/* compose.h - stage 6: templates -> a reply as a complete MIME message.
 *
 * Templates are plain UTF-8 text files in the templates folder: header lines
 * (only "Subject:"), a blank line, the body, with {{variables}}.  The message is
 * built with GMime, so every header that carries text from mail or a form is
 * RFC 2047 encoded and no value can start a header of its own.
 */
#ifndef MAILREG_COMPOSE_H
#define MAILREG_COMPOSE_H

#include <glib.h>

#include "core/config.h"

typedef struct Composer Composer;

typedef struct {
	char *message_id;   /* without <> */
	char *subject;      /* decoded */
	GBytes *raw;        /* the message, LF line ends */
} ComposedMail;

/* The templates every reply kind needs; checked by compose_new. */
#define COMPOSE_TEMPLATES "confirmation", "rejection", "review", "staff-review", "staff-registration", \
	"staff-failed", "staff-delayed", "staff-bounce", "digest", \
	"waitlist", "promotion", "cancellation", "reminder", "update", "appointment", \
	"offer", "offer-accepted", "offer-expired", "offer-refused", "waitlist-note", "answer", \
	"staff-settled", "staff-refused", "certificate", "evaluation", "evaluation-again"

/* Load and check every template of @cfg's templates folder.  (transfer full)
 * MAILREG_ERROR_NOINPUT (missing), MAILREG_ERROR_DATA (malformed, naming the file).
 * A Composer makes its replies in GMime messages it keeps: one thread at a time. */
Composer *compose_new (const Config *cfg, GError **error);
void compose_free (Composer *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Composer, compose_free)

/* Render template @name with @vars (name -> UTF-8 text) into a message to
 * @to_name <@to_addr>.  @in_reply_to / @references (may be NULL) thread it under the
 * applicant's message.  (transfer full)  MAILREG_ERROR_DATA when the template uses a
 * variable not in @vars. */
ComposedMail *compose_mail (Composer *c, const char *name, GHashTable *vars, const char *to_name,
                            const char *to_addr, const char *in_reply_to, const char *references,
                            GError **error);

/* As compose_mail, with the iCalendar text @ics (NULL: none) attached as
 * text/calendar; method=its METHOD (PUBLISH or CANCEL): the message is then
 * multipart/mixed. */
ComposedMail *compose_mail_ics (Composer *c, const char *name, GHashTable *vars, const char *to_name,
                                const char *to_addr, const char *in_reply_to, const char *references,
                                const char *ics, GError **error);

/* What a few mails need beyond the template (every field may be NULL). */
typedef struct {
	const char *message_id;   /* the Message-ID (without <>) to give it; NULL: a new random one */
	GBytes *attach;           /* a file to attach, after the calendar */
	const char *attach_name;  /* its file name; default "wiadomosc.eml" */
	/* The attachment's content type ("application", "pdf"), sent base64; NULL
	 * attach_type: a whole message, message/rfc822 (application/octet-stream
	 * when GMime cannot read it). */
	const char *attach_type;
	const char *attach_subtype;
} ComposeExtra;

/* As compose_mail_ics, with @extra (may be NULL). */
ComposedMail *compose_mail_extra (Composer *c, const char *name, GHashTable *vars, const char *to_name,
                                  const char *to_addr, const char *in_reply_to, const char *references,
                                  const char *ics, const ComposeExtra *extra, GError **error);

/* Substitute {{var}} in @tmpl.  (transfer full)  NULL with MAILREG_ERROR_DATA naming
 * the first unknown variable. */
char *compose_render (const char *tmpl, GHashTable *vars, GError **error);

void composed_mail_free (ComposedMail *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ComposedMail, composed_mail_free)

#endif

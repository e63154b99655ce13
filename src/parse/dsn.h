/* dsn.h - delivery status notifications (RFC 3464) read with GMime.
 *
 * A bounce is a multipart/report; report-type=delivery-status: a human part, a
 * message/delivery-status part (per-message fields, a blank line, per-recipient
 * fields) and the returned message or its headers (message/rfc822 or
 * text/rfc822-headers).  The register stage matches it to the outbox row by the
 * returned Message-ID, or by the VERP envelope recipient bounces+<id>@domain.
 */
#ifndef MAILREG_DSN_H
#define MAILREG_DSN_H

#include <gmime/gmime.h>

typedef struct {
	char *original_message_id;  /* Message-ID of the returned message, without <>; or NULL */
	char *recipient;            /* Final-Recipient (else Original-Recipient) address, or NULL */
	char *action;               /* failed | delayed | delivered | relayed | expanded (lower case) */
	char *status;               /* "5.1.1", or NULL */
	char *diagnostic;           /* Diagnostic-Code, unfolded ("smtp; 550 5.1.1 ..."), or NULL */
	char *reporting_mta;        /* Reporting-MTA, or NULL */
} DsnReport;

/* The delivery report in @msg, or NULL when @msg is not a multipart/report with
 * report-type=delivery-status and a message/delivery-status part.  Of several
 * recipients the first whose action is "failed" is reported, else the first.
 * (transfer full) */
DsnReport *dsn_parse (GMimeMessage *msg);

/* The <id> of a VERP address "@local+<id>@domain" whose local part before the
 * '+' is @bounce_local, or NULL.  (transfer full) */
char *dsn_verp_id (const char *address, const char *bounce_local);

void dsn_report_free (DsnReport *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DsnReport, dsn_report_free)

#endif

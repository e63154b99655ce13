/* reasons.h - why a message went to review, was rejected, or why a staff
 * member's reply to a notice was refused: each reason has a stable code (in
 * logs, in --json output, in messages.reason_code) and one Polish text, what
 * staff read (the review notice, the digest, the console).  The English
 * details stay in the logs and in messages.reason.
 *
 * Codes are lower-case ASCII words joined by '_' and never change meaning;
 * add new ones, do not rename.  The table in reasons.c is the only map.
 */
#ifndef MAILREG_REASONS_H
#define MAILREG_REASONS_H

#include <glib.h>

/* review: mailreg cannot decide */
#define REASON_TOO_LARGE             "too_large"              /* over [limits] max_message_size */
#define REASON_NOT_MIME              "not_mime"               /* no MIME structure GMime can read */
#define REASON_NO_FORM               "no_form"                /* too few form fields recognised */
#define REASON_UNREADABLE_ATTACHMENT "unreadable_attachment"  /* ... and an attachment could not be read */
#define REASON_TRUNCATED             "truncated"              /* cut off: the form may be incomplete */
#define REASON_OFFER_UNCLEAR         "offer_unclear"          /* "TAK" without a code or an offer */
#define REASON_NO_EVENT              "no_event"               /* the catalog has no event the form asks for */
#define REASON_CANNOT_PROCESS        "cannot_process"         /* any other failure to act on a good message */

/* rejection: a problem of the form (validate_form, one per problem) */
#define REASON_MISSING_FIELD         "missing_field"
#define REASON_INVALID_EMAIL         "invalid_email"
#define REASON_NO_REPLY_ADDRESS      "no_reply_address"
#define REASON_INVALID_CHOICE        "invalid_choice"
#define REASON_UNKNOWN_POWIAT        "unknown_powiat"
#define REASON_UNREADABLE_CHECKBOX   "unreadable_checkbox"
#define REASON_NO_CONSENT            "no_consent"
#define REASON_REQUIRED_CHECKBOX     "required_checkbox"
#define REASON_NO_SUPPORT_CHOSEN     "no_support_chosen"
#define REASON_BOX_NOT_FOUND         "box_not_found"          /* a required box whose label the form lacks */
#define REASON_MISSING_TOPIC         "missing_topic"
#define REASON_UNKNOWN_TOPIC         "unknown_topic"
#define REASON_STAFF_REJECTED        "staff_rejected"         /* rejected by a staff member (review_reject) */
#define REASON_OFFER_TOO_LATE        "offer_too_late"         /* "TAK" to an offered place after its deadline */

/* a staff member's reply to a review notice (ignored outcome) */
#define REASON_STAFF_COMMAND         "staff_command"          /* carried out */
#define REASON_STAFF_NO_TOKEN        "staff_no_token"         /* a command without a valid notice token */
#define REASON_STAFF_WRONG_TOKEN     "staff_wrong_token"      /* a token not made for that item */
#define REASON_STAFF_NOT_STAFF       "staff_not_staff"        /* a valid token from a sender not in [mail] staff */
#define REASON_STAFF_SETTLED         "staff_settled"          /* the item was already settled */
#define REASON_STAFF_UNKNOWN_COMMAND "staff_unknown_command"  /* no ZATWIERDŹ / ODRZUĆ / ODPOWIEDŹ */
#define REASON_STAFF_FAILED          "staff_failed"           /* the command could not be carried out */

/* The Polish text of @code: one sentence for staff.  An unknown code (or
 * NULL) gets a generic text naming no detail.  (static) */
const char *reason_text_pl (const char *code);

/* TRUE when @code is in the table. */
gboolean reason_known (const char *code);

#endif

/* review.h - the one way a review item is settled, whoever settles it: the
 * CLI (`mailreg review`, actor "cli"), the web console ("web:LOGIN") or a
 * staff member's reply to the notice ("mail:ADDRESS").
 *
 * A review item is an inbound message recorded with outcome review and not
 * yet dealt with (messages.reviewed_at NULL).  Each action runs in ONE SQLite
 * transaction of its own (BEGIN IMMEDIATE): the message's new state, the
 * replies it queues and one audit row (db_audit_add: @actor, the action, the
 * record "message:ID") commit together or not at all.  The item is checked
 * again under the write lock, so of two hands settling the same item at once
 * exactly one succeeds.
 *
 * Refusals: every function returns FALSE with MAILREG_ERROR_DATA and changes
 * NOTHING when @id is no message, not a review item, or already settled (by
 * any path); the message says which, in English ("message 42 was already
 * settled (...)", "message 42 is not in review (it is registered) ...").
 * Callers wanting to word it themselves (the console, the mail path) ask
 * review_item_state first or after.  Other errors are the database's or the
 * composer's (then too nothing changed).
 */
#ifndef MAILREG_REVIEW_H
#define MAILREG_REVIEW_H

#include "register/register.h"

typedef enum {
	REVIEW_ITEM_ERROR = -1,   /* the database failed; error set */
	REVIEW_ITEM_MISSING,      /* no message with that id */
	REVIEW_ITEM_OPEN,         /* in review, waiting for a person */
	REVIEW_ITEM_SETTLED,      /* was a review item, already settled */
	REVIEW_ITEM_NOT_REVIEW,   /* a message that never went to review */
} ReviewItemState;

/* Where message row @id stands. */
ReviewItemState review_item_state (Db *db, gint64 id, GError **error);

/* Register review item @id from the fields staff give (@form: label/value
 * pairs as the extractor yields them; form->part says where they came from,
 * e.g. "typed by staff (review register)").  The fields go through
 * validate_form with the message's reply address as the sender; with
 * problems, *@problems (transfer full, Polish sentences) is set, TRUE is
 * returned and nothing changes.  Else the same effects as a mailed form
 * (register_form_effects: applicant, places or waiting lists, the
 * confirmation with calendar entries threaded to the message, the staff
 * copy); the message becomes registered, reviewed now; audit action
 * "review.register".  @res (cleared first; register_result_clear) has the
 * summary.  MAILREG_ERROR_DATA also when the catalog has no event for what
 * the form asks. */
gboolean review_register (Pipeline *p, gint64 id, FormData *form, const char *actor, RegisterResult *res,
                          GPtrArray **problems, GError **error);

/* Reject review item @id: the sender gets the rejection reply (template
 * rejection) listing @problems (char*, Polish sentences, at least one: else
 * MAILREG_ERROR_USAGE), threaded to the message; the message becomes
 * rejected, reviewed now, the problems added to its reason; audit action
 * "review.reject". */
gboolean review_reject (Pipeline *p, gint64 id, GPtrArray *problems, const char *actor, GError **error);

/* Answer review item @id with @text (UTF-8, not blank: else
 * MAILREG_ERROR_USAGE): template answer to the sender, a reply in the thread
 * (In-Reply-To the message, References its References + Message-ID), not
 * counted against [mail] replies_per_sender_per_day; the item is settled
 * (state stays review, reviewed now); audit action "review.answer".
 * MAILREG_ERROR_DATA when the message has no address to answer. */
gboolean review_answer (Pipeline *p, gint64 id, const char *text, const char *actor, GError **error);

/* Mark review item @id dealt with, no mail; audit action "review.done". */
gboolean review_done (Pipeline *p, gint64 id, const char *actor, GError **error);

/* --- fields staff type (CLI, mail; the console has its inputs) ------------ */

/* The label of the field staff call @name: its key ("first_name") or any of
 * its labels ("Imię"); NULL when no field has that name.  (transfer none) */
const char *review_field_label (const FormDef *def, const char *name);

/* Add to @form the fields of @text: lines "FIELD: value" or "FIELD=value"
 * (FIELD a key or a label) become pairs; the other lines (checkbox lines
 * "[x] Doradztwo", a pasted form) go through the text form extractor, as in a
 * mail body.  The first value of a field counts. */
void review_form_add_text (FormData *form, const FormDef *def, const char *text);

/* --- settled by mail ---------------------------------------------------------- */

/* Inside the open transaction of inbound message @msg (register.c, before
 * the message is read as an application): when it is a reply to a review
 * notice (In-Reply-To/References carry a notice's Message-ID, notice.h) or
 * comes from [mail] staff starting with ZATWIERDŹ / ODRZUĆ / ODPOWIEDŹ, it is
 * handled here and *@handled set.  The command is carried out (as
 * review_register with the original's form and the corrected "Pole: wartość"
 * lines first, review_reject with the listed problems, review_answer with the
 * text; actor "mail:ADDRESS") only when the sender is [mail] staff AND the
 * token is valid for the item; else, or when the item is already settled or
 * the command fails, nothing of the item changes.  Either way @rec is
 * recorded as ignored with reason code staff_command or the refusal's
 * (reasons.h), the reason is logged, and staff ([mail] staff) get a short
 * Polish confirmation or refusal, threaded to @msg.  FALSE only for the
 * database's or the composer's errors. */
gboolean review_by_mail (Pipeline *p, const InboundMessage *msg, InboundRecord *rec, gboolean *handled,
                         GError **error);

#endif

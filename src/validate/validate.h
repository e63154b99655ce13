/* validate.h - check an extracted form against the form definition.
 *
 * Stage 4 of the pipeline, pure functions without I/O: raw label/value pairs in,
 * a typed Application and a list of problems (Polish sentences naming each field
 * by its label, ready for the rejection reply) out.
 */
#ifndef MAILREG_VALIDATE_H
#define MAILREG_VALIDATE_H

#include "validate/formdata.h"
#include "validate/formdef.h"

typedef struct {
	/* Text fields, trimmed, control characters replaced by spaces; NULL when absent. */
	char *first_name;
	char *last_name;
	char *email;            /* from the form, else the sender's address; lower-cased */
	char *phone;
	char *institution;
	char *institution_type; /* canonical spelling from the allowed list */
	char *position;
	char *powiat;           /* canonical unit name, e.g. "Katowice", "powiat bielski" */
	const char *subregion;  /* static: derived from powiat (powiat wins on conflict) */
	char *needs;
	char *topics;

	/* Support asked for (the four checkboxes). */
	gboolean info_meeting;
	gboolean workshops;
	gboolean consulting;
	gboolean training;
	int consulting_topic;   /* 1..4, 0 when none */
	gboolean consent;

	GPtrArray *problems;    /* char*, Polish; empty when the form is valid */
	GPtrArray *problem_codes;  /* const char* (static), the stable code of each problem (reasons.h) */
	GPtrArray *notes;       /* char*, Polish; remarks that do not invalidate (e.g. subregion corrected) */
	GPtrArray *unread;      /* char*, English, for staff: required boxes whose label is nowhere in
	                         * the form, or no support box at all; each is also one of the
	                         * problems, worded "not found", never "not ticked".  When they are
	                         * all the problems, a mailed form goes to review: the reader may
	                         * have missed boxes the applicant ticked */
} Application;

/* Validate @form.  @sender is the message's From address (may be NULL), used when the
 * form gives no e-mail.  Never fails: problems are collected in ->problems. (transfer full) */
Application *validate_form (const FormDef *def, const FormData *form, const char *sender);

/* TRUE for a syntactically acceptable address (local@domain.tld, no spaces or
 * control characters, at most 254 bytes). */
gboolean validate_email (const char *addr);

/* Interpret a checkbox value: 1 ticked ("[x]", "X", "☒", "TAK", ...), 0 not ticked
 * ("[ ]", "☐", "NIE", empty), -1 unreadable. */
int validate_checkbox (const char *value);

void application_free (Application *app);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Application, application_free)

#endif

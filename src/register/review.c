/* review.c - settling a review item: register, reject, answer, done.  Each
 * action reads the item (and its message) first, then, under the write lock,
 * checks it again and records the new state, the replies and the audit row in
 * one transaction.
 */
#include "register/review.h"

#include <string.h>

#include "core/errors.h"
#include "core/fault.h"
#include "validate/validate.h"

static ReviewItemState
row_state (GHashTable *r)
{
	if (r == NULL)
		return REVIEW_ITEM_MISSING;
	if (g_hash_table_lookup (r, "reviewed_at") != NULL)
		return REVIEW_ITEM_SETTLED;
	if (g_strcmp0 (g_hash_table_lookup (r, "state"), "review") != 0)
		return REVIEW_ITEM_NOT_REVIEW;
	return REVIEW_ITEM_OPEN;
}

ReviewItemState
review_item_state (Db *db, gint64 id, GError **error)
{
	g_autoptr (GError) local = NULL;
	g_autoptr (GHashTable) r = db_message_get (db, id, &local);

	if (r == NULL && local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		return REVIEW_ITEM_ERROR;
	}
	return row_state (r);
}

/* Why row @r (message @id) cannot be settled, or NULL when it can. */
static char *
refusal (GHashTable *r, gint64 id)
{
	const char *state = r ? g_hash_table_lookup (r, "state") : NULL;
	const char *at = r ? g_hash_table_lookup (r, "reviewed_at") : NULL;

	switch (row_state (r)) {
	case REVIEW_ITEM_MISSING:
		return g_strdup_printf ("message %" G_GINT64_FORMAT " does not exist", id);
	case REVIEW_ITEM_SETTLED:
		if (g_strcmp0 (state, "review") != 0)
			return g_strdup_printf ("message %" G_GINT64_FORMAT " is not in review (it is %s): "
			                        "already settled at %s", id, state, at);
		return g_strdup_printf ("message %" G_GINT64_FORMAT " was already settled (review done at %s)", id, at);
	case REVIEW_ITEM_NOT_REVIEW:
		return g_strdup_printf ("message %" G_GINT64_FORMAT " is not in review (it is %s): not a review item",
		                        id, state);
	default:
		return NULL;
	}
}

/* Row @id when it is an open review item, else NULL with the refusal (or the
 * database's error) in @error, prefixed "review @verb: ". */
static GHashTable *
open_item (Pipeline *p, gint64 id, const char *verb, GError **error)
{
	g_autoptr (GError) local = NULL;
	g_autoptr (GHashTable) r = db_message_get (p->db, id, &local);
	g_autofree char *why = NULL;

	if (r == NULL && local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		g_prefix_error (error, "review %s: ", verb);
		return NULL;
	}
	if ((why = refusal (r, id)) != NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "review %s: %s", verb, why);
		return NULL;
	}
	return g_steal_pointer (&r);
}

/* Open the action's transaction and check the item again under the write
 * lock (another hand may have settled it since it was read).  Until
 * item_commit or item_rollback, the mail queued is a staff decision. */
static gboolean
item_begin (Pipeline *p, gint64 id, const char *verb, GError **error)
{
	g_autoptr (GHashTable) r = NULL;

	if (!db_begin (p->db, error))
		return FALSE;
	if ((r = open_item (p, id, verb, error)) == NULL) {
		db_rollback (p->db);
		return FALSE;
	}
	p->by_staff = TRUE;
	return TRUE;
}

/* End the action begun by item_begin: when its effects were recorded (@ok),
 * the audit row "review.@verb" and the COMMIT; else (or when those fail) the
 * rollback, @error prefixed with the action and the item. */
static gboolean
item_end (Pipeline *p, gint64 id, const char *verb, gboolean ok, const char *actor, const char *detail,
          GError **error)
{
	g_autofree char *record = g_strdup_printf ("message:%" G_GINT64_FORMAT, id);
	g_autofree char *action = g_strdup_printf ("review.%s", verb);

	p->by_staff = FALSE;
	if (!ok || !db_audit_add (p->db, actor, action, record, detail, error)) {
		db_rollback (p->db);
		g_prefix_error (error, "review %s: message %" G_GINT64_FORMAT ": ", verb, id);
		return FALSE;
	}
	FAULT_POINT ("review-before-commit");
	if (!db_commit (p->db, error))
		return FALSE;
	g_message ("review: message %" G_GINT64_FORMAT ": %s by %s%s%s%s", id, action, actor, detail ? " (" : "",
	           detail ? detail : "", detail ? ")" : "");
	return TRUE;
}

/* Settle open review @id without a change of state (reviewed now). */
static gboolean
mark_done (Pipeline *p, gint64 id, GError **error)
{
	int n = db_review_done (p->db, id, error);

	if (n == 0)
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "not an open review");
	return n == 1;
}

/* The message of open review item @id, read and parsed before the write lock
 * is taken (item_begin checks the item again).  (transfer full) */
static InboundMessage *
item_read (Pipeline *p, gint64 id, const char *verb, GError **error)
{
	g_autoptr (GHashTable) r = open_item (p, id, verb, error);

	return r != NULL ? register_review_message (p, r, error) : NULL;
}

gboolean
review_register (Pipeline *p, gint64 id, FormData *form, const char *actor, RegisterResult *res,
                 GPtrArray **problems, GError **error)
{
	g_autoptr (InboundMessage) msg = NULL;
	g_autoptr (Application) app = NULL;
	gboolean ok;

	memset (res, 0, sizeof *res);
	*problems = NULL;
	if ((msg = item_read (p, id, "register", error)) == NULL)
		return FALSE;
	app = validate_form (p->form, form, msg->reply_addr ? msg->reply_addr : msg->sender);
	if (app->problems->len > 0) {
		/* Nothing is recorded: staff correct the fields and try again. */
		*problems = g_ptr_array_ref (app->problems);
		return TRUE;
	}
	if (!item_begin (p, id, "register", error))
		return FALSE;
	res->message_id = g_strdup (msg->message_id);
	ok = db_review_register (p->db, id, form->part, error) &&
	     register_form_effects (p, id, msg, form, app, "typed by staff: ", res, error);
	if (!item_end (p, id, "register", ok, actor, form->part, error)) {
		register_result_clear (res);
		return FALSE;
	}
	res->outcome = OUTCOME_REGISTERED;
	return TRUE;
}

gboolean
review_reject (Pipeline *p, gint64 id, GPtrArray *problems, const char *actor, GError **error)
{
	g_autoptr (InboundMessage) msg = NULL;
	g_autoptr (GString) note = g_string_new ("rejected by staff: ");
	g_autofree char *detail = NULL;
	gboolean ok;

	if (problems == NULL || problems->len == 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "review reject: no problem given");
		return FALSE;
	}
	if ((msg = item_read (p, id, "reject", error)) == NULL)
		return FALSE;
	for (guint i = 0; i < problems->len; i++)
		g_string_append_printf (note, "%s%s", i ? " | " : "", (char *) g_ptr_array_index (problems, i));
	detail = g_strdup_printf ("%u problem%s", problems->len, problems->len == 1 ? "" : "s");
	if (!item_begin (p, id, "reject", error))
		return FALSE;
	ok = db_review_reject (p->db, id, note->str, error) &&
	     register_queue_rejection (p, id, msg, NULL, msg->sender, problems, error);
	return item_end (p, id, "reject", ok, actor, detail, error);
}

gboolean
review_answer (Pipeline *p, gint64 id, const char *text, const char *actor, GError **error)
{
	g_autoptr (InboundMessage) msg = NULL;
	g_autoptr (GHashTable) vars = reply_vars_new ();
	g_autofree char *body = g_strstrip (g_strdup (text ? text : ""));
	g_autofree char *detail = NULL;
	const char *to;
	gboolean ok;

	if (*body == '\0' || !g_utf8_validate (body, -1, NULL)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "review answer: no text (UTF-8) given");
		return FALSE;
	}
	if ((msg = item_read (p, id, "answer", error)) == NULL)
		return FALSE;
	to = msg->reply_addr ? msg->reply_addr : msg->sender;
	if (to == NULL || !validate_email (to)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "review answer: message %" G_GINT64_FORMAT " has no address to answer", id);
		return FALSE;
	}
	reply_var_set (vars, "subject", msg->subject ? msg->subject : "(bez tematu)");
	reply_var_set (vars, "text", body);
	detail = g_strdup_printf ("%ld characters", g_utf8_strlen (body, -1));
	if (!item_begin (p, id, "answer", error))
		return FALSE;
	ok = mark_done (p, id, error) &&
	     reply_queue (p, id, msg, "answer", "answer", vars, msg->sender_name, to, NULL, error);
	return item_end (p, id, "answer", ok, actor, detail, error);
}

gboolean
review_done (Pipeline *p, gint64 id, const char *actor, GError **error)
{
	if (!item_begin (p, id, "done", error))
		return FALSE;
	return item_end (p, id, "done", mark_done (p, id, error), actor, NULL, error);
}

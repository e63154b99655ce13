/* review.c - settling a review item: register, reject, answer, done.  Each
 * action reads the item (and its message) first, then, under the write lock,
 * checks it again and records the new state, the replies and the audit row in
 * one transaction.
 */
#include "register/review.h"

#include <string.h>

#include "core/autoptr.h"
#include "core/errors.h"
#include "core/fault.h"
#include "extract/extract.h"
#include "register/notice.h"
#include "validate/reasons.h"
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
 * lock (another hand may have settled it since it was read): in a
 * transaction of its own (@own), else in a savepoint of the caller's.  Until
 * item_end, the mail queued is a staff decision. */
static gboolean
item_begin (Pipeline *p, gint64 id, const char *verb, gboolean own, GError **error)
{
	g_autoptr (GHashTable) r = NULL;

	if (!(own ? db_begin (p->db, error) : db_savepoint (p->db, error)))
		return FALSE;
	if ((r = open_item (p, id, verb, error)) == NULL) {
		own ? db_rollback (p->db) : db_savepoint_rollback (p->db);
		return FALSE;
	}
	p->by_staff = TRUE;
	return TRUE;
}

/* End the action begun by item_begin: when its effects were recorded (@ok),
 * the audit row "review.@verb" and the COMMIT; else (or when those fail) the
 * rollback, @error prefixed with the action and the item. */
static gboolean
item_end (Pipeline *p, gint64 id, const char *verb, gboolean own, gboolean ok, const char *actor,
          const char *detail, GError **error)
{
	g_autofree char *record = g_strdup_printf ("message:%" G_GINT64_FORMAT, id);
	g_autofree char *action = g_strdup_printf ("review.%s", verb);

	p->by_staff = FALSE;
	if (!ok || !db_audit_add (p->db, actor, action, record, detail, error)) {
		own ? db_rollback (p->db) : db_savepoint_rollback (p->db);
		g_prefix_error (error, "review %s: message %" G_GINT64_FORMAT ": ", verb, id);
		return FALSE;
	}
	FAULT_POINT ("review-before-commit");
	if (!(own ? db_commit (p->db, error) : db_savepoint_release (p->db, error)))
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

static gboolean
settle_register (Pipeline *p, gint64 id, FormData *form, const char *actor, gboolean own, RegisterResult *res,
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
	if (!item_begin (p, id, "register", own, error))
		return FALSE;
	res->message_id = g_strdup (msg->message_id);
	ok = db_review_register (p->db, id, form->part, error) &&
	     register_form_effects (p, id, msg, form, app, "typed by staff: ", res, error);
	if (!item_end (p, id, "register", own, ok, actor, form->part, error)) {
		register_result_clear (res);
		return FALSE;
	}
	res->outcome = OUTCOME_REGISTERED;
	return TRUE;
}

static gboolean
settle_reject (Pipeline *p, gint64 id, GPtrArray *problems, const char *actor, gboolean own, GError **error)
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
	if (!item_begin (p, id, "reject", own, error))
		return FALSE;
	ok = db_review_reject (p->db, id, note->str, REASON_STAFF_REJECTED, error) &&
	     register_queue_rejection (p, id, msg, NULL, msg->sender, problems, error);
	return item_end (p, id, "reject", own, ok, actor, detail, error);
}

static gboolean
settle_answer (Pipeline *p, gint64 id, const char *text, const char *actor, gboolean own, GError **error)
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
	if (!item_begin (p, id, "answer", own, error))
		return FALSE;
	ok = mark_done (p, id, error) &&
	     reply_queue (p, id, msg, "answer", "answer", vars, msg->sender_name, to, NULL, error);
	return item_end (p, id, "answer", own, ok, actor, detail, error);
}

gboolean
review_done (Pipeline *p, gint64 id, const char *actor, GError **error)
{
	if (!item_begin (p, id, "done", TRUE, error))
		return FALSE;
	return item_end (p, id, "done", TRUE, mark_done (p, id, error), actor, NULL, error);
}

gboolean
review_register (Pipeline *p, gint64 id, FormData *form, const char *actor, RegisterResult *res,
                 GPtrArray **problems, GError **error)
{
	return settle_register (p, id, form, actor, TRUE, res, problems, error);
}

gboolean
review_reject (Pipeline *p, gint64 id, GPtrArray *problems, const char *actor, GError **error)
{
	return settle_reject (p, id, problems, actor, TRUE, error);
}

gboolean
review_answer (Pipeline *p, gint64 id, const char *text, const char *actor, GError **error)
{
	return settle_answer (p, id, text, actor, TRUE, error);
}

/* --- form fields staff type -------------------------------------------------- */

const char *
review_field_label (const FormDef *def, const char *name)
{
	const FieldDef *f = formdef_field (def, name);

	if (f == NULL)
		f = formdef_match (def, name);
	return f ? f->label : NULL;
}

void
review_form_add_text (FormData *form, const FormDef *def, const char *text)
{
	g_auto (GStrv) lines = g_strsplit_set (text, "\r\n", -1);
	g_autoptr (GString) rest = g_string_new (NULL);
	g_autoptr (FormData) extracted = NULL;

	for (char **l = lines; *l != NULL; l++) {
		gsize cut = strcspn (*l, ":=");
		g_autofree char *name = g_strstrip (g_strndup (*l, cut));
		const char *label = (*l)[cut] != '\0' && *name != '\0' ? review_field_label (def, name) : NULL;

		if (label != NULL) {
			g_autofree char *value = g_strstrip (g_strdup (*l + cut + 1));
			form_data_add (form, def, label, value);
		} else if (**l != '#') {
			g_string_append_printf (rest, "%s\n", *l);
		}
	}
	extracted = extract_text (rest->str, def);
	for (guint i = 0; i < extracted->pairs->len; i++) {
		const FormPair *pair = g_ptr_array_index (extracted->pairs, i);
		form_data_add (form, def, pair->label, pair->value);
	}
}

/* --- settled by mail ------------------------------------------------------------ */

/* Whether @addr may settle review items by mail: the staff address ([mail]
 * staff) or one of [web] staff_addresses. */
static gboolean
is_staff (const Pipeline *p, const char *addr)
{
	g_autoptr (InternetAddressList) list = NULL;

	if (addr == NULL)
		return FALSE;
	for (char **a = p->cfg->web_staff_addresses; a != NULL && *a != NULL; a++)
		if (g_ascii_strcasecmp (*a, addr) == 0)
			return TRUE;
	if (p->cfg->staff == NULL || (list = internet_address_list_parse (NULL, p->cfg->staff)) == NULL)
		return FALSE;
	for (int i = 0; i < internet_address_list_length (list); i++) {
		InternetAddress *ia = internet_address_list_get_address (list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX (ia) &&
		    g_ascii_strcasecmp (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia)), addr) == 0)
			return TRUE;
	}
	return FALSE;
}

typedef struct {
	gsize max;
	char *text;   /* the first text/plain part that is no attachment */
} FirstText;

static void
first_text (GMimeObject *parent, GMimeObject *part, gpointer data)
{
	FirstText *ft = data;

	if (ft->text != NULL || !GMIME_IS_TEXT_PART (part) || g_mime_part_is_attachment (GMIME_PART (part)) ||
	    !g_mime_content_type_is_type (g_mime_object_get_content_type (part), "text", "plain"))
		return;
	ft->text = extract_part_text (GMIME_PART (part), ft->max, NULL);
}

/* The text of In-Reply-To and References of @msg.  (transfer full) */
static char *
reply_ids (const InboundMessage *msg)
{
	const char *irt = g_mime_object_get_header (GMIME_OBJECT (msg->mime), "In-Reply-To");
	const char *refs = g_mime_object_get_header (GMIME_OBJECT (msg->mime), "References");

	return g_strdup_printf ("%s %s", irt ? irt : "", refs ? refs : "");
}

/* The fields of a ZATWIERDŹ: the corrected lines first (the first value of a
 * field counts), then what the original message's form said.  (transfer full) */
static FormData *
approve_form (Pipeline *p, gint64 id, const NoticeCommand *cmd, GError **error)
{
	g_autoptr (FormData) form = form_data_new ("typed by staff (reply by mail)", "typed");
	g_autoptr (GHashTable) r = NULL;
	g_autoptr (InboundMessage) orig = NULL;
	g_autoptr (FormData) read = NULL;

	review_form_add_text (form, p->form, cmd->text);
	/* the item is open (checked under the same lock): its row is there */
	if ((r = db_message_get (p->db, id, error)) == NULL || (orig = register_review_message (p, r, error)) == NULL)
		return NULL;
	if ((read = register_read_form (p, orig)) != NULL)
		for (guint i = 0; i < read->pairs->len; i++) {
			const FormPair *pair = g_ptr_array_index (read->pairs, i);
			form_data_add (form, p->form, pair->label, pair->value);
		}
	return g_steal_pointer (&form);
}

/* Carry out @cmd on open item @id: TRUE with *@failed NULL when done, TRUE
 * with *@failed (Polish, for staff) when it could not be (nothing changed),
 * FALSE on the database's errors. */
static gboolean
carry_out (Pipeline *p, gint64 id, const NoticeCommand *cmd, const char *actor, char **failed, GError **error)
{
	g_autoptr (GError) local = NULL;
	gboolean ok = FALSE;

	*failed = NULL;
	switch (cmd->kind) {
	case NOTICE_CMD_APPROVE: {
		g_autoptr (FormData) form = approve_form (p, id, cmd, &local);
		g_autoptr (GPtrArray) problems = NULL;
		RegisterResult res;

		if (form == NULL)
			break;
		ok = settle_register (p, id, form, actor, FALSE, &res, &problems, &local);
		if (ok && problems != NULL) {
			g_autoptr (GString) list = g_string_new ("Pola formularza mają błędy, zgłoszenia nie zarejestrowano:\n");
			for (guint i = 0; i < problems->len; i++)
				g_string_append_printf (list, "%u. %s\n", i + 1, (char *) g_ptr_array_index (problems, i));
			g_string_append (list, "Odpowiedz ponownie: ZATWIERDŹ z poprawionymi wierszami „Pole: wartość”.");
			*failed = g_string_free (g_steal_pointer (&list), FALSE);
			return TRUE;
		}
		if (ok)
			register_result_clear (&res);
		break;
	}
	case NOTICE_CMD_REJECT:
		if (cmd->lines->len == 0) {
			*failed = g_strdup ("Po słowie ODRZUĆ nie wypisano problemów, które ma otrzymać nadawca.");
			return TRUE;
		}
		ok = settle_reject (p, id, cmd->lines, actor, FALSE, &local);
		break;
	case NOTICE_CMD_ANSWER:
		if (*cmd->text == '\0') {
			*failed = g_strdup ("Po słowie ODPOWIEDŹ nie napisano tekstu odpowiedzi.");
			return TRUE;
		}
		ok = settle_answer (p, id, cmd->text, actor, FALSE, &local);
		break;
	default:
		g_assert_not_reached ();
	}
	if (ok)
		return TRUE;
	if (local->domain == MAILREG_ERROR && (local->code == MAILREG_ERROR_DATA || local->code == MAILREG_ERROR_USAGE ||
	                                       local->code == MAILREG_ERROR_NOINPUT)) {
		/* a good command mailreg cannot carry out (no event in the catalog, ...) */
		g_message ("review: by mail: message %" G_GINT64_FORMAT ": %s", id, local->message);
		*failed = g_strdup_printf ("Nie udało się wykonać polecenia (szczegóły w dzienniku programu: %s).",
		                           local->message);
		return TRUE;
	}
	g_propagate_error (error, g_steal_pointer (&local));
	return FALSE;
}

static const char *
command_text_pl (NoticeCommandKind kind)
{
	switch (kind) {
	case NOTICE_CMD_APPROVE: return "zgłoszenie zatwierdzone i zarejestrowane";
	case NOTICE_CMD_REJECT: return "zgłoszenie odrzucone, nadawca otrzymał listę problemów";
	case NOTICE_CMD_ANSWER: return "odpowiedź wysłana do nadawcy";
	default: return "brak polecenia";
	}
}

static const char *
command_verb (NoticeCommandKind kind)
{
	switch (kind) {
	case NOTICE_CMD_APPROVE: return "register";
	case NOTICE_CMD_REJECT: return "reject";
	case NOTICE_CMD_ANSWER: return "answer";
	default: return "none";
	}
}

/* The notice's salt of item @id: its spool id (NoticeSaltFunc). */
static char *
item_salt (gint64 id, gpointer user)
{
	Pipeline *p = user;
	g_autoptr (GHashTable) r = db_message_get (p->db, id, NULL);

	return r != NULL ? g_strdup (g_hash_table_lookup (r, "spool_id")) : NULL;
}

gboolean
review_by_mail (Pipeline *p, const InboundMessage *msg, InboundRecord *rec, gboolean *handled, GError **error)
{
	FirstText ft = { p->cfg->max_form_text, NULL };
	g_autofree char *ids = NULL;
	g_autofree char *actor = NULL;
	g_autofree char *failed = NULL;
	g_autofree char *item = NULL;
	g_autoptr (NoticeCommand) cmd = NULL;
	g_autoptr (GHashTable) vars = reply_vars_new ();
	NoticeRef ref = NOTICE_REF_NONE;
	gboolean staff, done;
	const char *code;
	gint64 id = 0, row;

	*handled = FALSE;
	if (msg->mime == NULL)
		return TRUE;
	ids = reply_ids (msg);
	staff = is_staff (p, msg->sender);
	if (strstr (ids, "review-") != NULL) {
		GBytes *key = pipeline_notice_key (p, error);
		if (key == NULL)
			return FALSE;
		ref = notice_find_ref (key, ids, p->cfg->domain, item_salt, p, &id);
	}
	if (ref == NOTICE_REF_NONE && !staff)
		return TRUE;
	g_mime_message_foreach (msg->mime, first_text, &ft);
	cmd = notice_parse_reply (ft.text);
	g_free (ft.text);
	if (ref == NOTICE_REF_NONE && cmd->kind == NOTICE_CMD_NONE)
		return TRUE;   /* staff writing as anyone else: the normal pipeline */
	*handled = TRUE;
	actor = g_strdup_printf ("mail:%s", msg->sender ? msg->sender : "(no sender)");
	item = id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, id) : g_strdup ("?");

	if (ref == NOTICE_REF_NONE)
		code = REASON_STAFF_NO_TOKEN;
	else if (ref == NOTICE_REF_INVALID)
		code = REASON_STAFF_WRONG_TOKEN;
	else if (!staff)
		code = REASON_STAFF_NOT_STAFF;
	else if (cmd->kind == NOTICE_CMD_NONE)
		code = REASON_STAFF_UNKNOWN_COMMAND;
	else {
		/* under the message's write lock: the state cannot change before the action */
		ReviewItemState state = review_item_state (p->db, id, error);
		if (state == REVIEW_ITEM_ERROR)
			return FALSE;
		if (state != REVIEW_ITEM_OPEN)
			code = REASON_STAFF_SETTLED;
		else if (!carry_out (p, id, cmd, actor, &failed, error))
			return FALSE;
		else
			code = failed ? REASON_STAFF_FAILED : REASON_STAFF_COMMAND;
	}

	done = g_strcmp0 (code, REASON_STAFF_COMMAND) == 0;
	rec->outcome = OUTCOME_IGNORED;
	g_free (rec->reason);
	rec->reason = g_strdup_printf ("staff reply to the review notice of message %s: %s%s%s", item,
	                               done ? "review." : "refused, ", done ? command_verb (cmd->kind) : code,
	                               done ? " done" : "");
	g_free (rec->reason_code);
	rec->reason_code = g_strdup (code);
	if ((row = db_message_insert (p->db, rec, error)) == 0)
		return FALSE;
	g_message ("review: by mail from %s: %s", msg->sender ? msg->sender : "(no sender)", rec->reason);

	reply_var_set (vars, "item", item);
	reply_var_set (vars, "sender", msg->sender ? msg->sender : "(brak adresu nadawcy)");
	reply_var_set (vars, "subject", msg->subject ? msg->subject : "(bez tematu)");
	if (done) {
		reply_var_set (vars, "done", command_text_pl (cmd->kind));
		return reply_queue (p, row, msg, "staff", "staff-settled", vars, NULL, p->cfg->staff, NULL, error);
	}
	reply_var_set (vars, "reason", reason_text_pl (code));
	reply_var_set (vars, "details", failed ? failed : "");
	return reply_queue (p, row, msg, "staff", "staff-refused", vars, NULL, p->cfg->staff, NULL, error);
}

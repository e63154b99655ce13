/* web_review.c - the review pages: the messages mailreg could not decide,
 * shown safely (headers, the text body, HTML reduced to text, attachments
 * only as downloads), and the four actions that settle one, each through
 * register/review.h (actor "web:LOGIN"), the path the CLI and mail take.
 *
 * /review                      list of open items
 * /review/ID                   one item, with the form to settle it
 * /review/ID/attachment/N      the Nth attachment, as a download
 * POST /review/ID              action = register | reject | answer | done
 */
#define G_LOG_DOMAIN "web"
#include "web/web_private.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "core/autoptr.h"
#include "extract/extract.h"
#include "extract/formats.h"
#include "parse/parse.h"
#include "register/review.h"

#define BODY_MAX (256 * 1024)   /* bytes of a message's text shown */
#define REVIEW_LIST_MAX 200     /* open items listed on /review */

/* --- the original message ------------------------------------------------------ */

typedef struct {
	char *text;          /* the text body (or HTML reduced to text), or NULL */
	char *html_text;
	GPtrArray *files;    /* GMimePart* (a ref each): the attachments, in message order */
	const Config *cfg;
} Walk;

static void
walk_part (GMimeObject *parent, GMimeObject *part, gpointer user_data)
{
	Walk *w = user_data;
	GMimeContentType *ct;

	if (!GMIME_IS_PART (part))
		return;
	ct = g_mime_object_get_content_type (part);
	if (g_mime_part_is_attachment (GMIME_PART (part)) || g_mime_part_get_filename (GMIME_PART (part)) != NULL ||
	    !g_mime_content_type_is_type (ct, "text", "*")) {
		g_ptr_array_add (w->files, g_object_ref (part));
		return;
	}
	if (w->text == NULL && g_mime_content_type_is_type (ct, "text", "plain")) {
		w->text = extract_part_text (GMIME_PART (part), BODY_MAX, NULL);
	} else if (w->html_text == NULL && g_mime_content_type_is_type (ct, "text", "html")) {
		g_autofree char *html = extract_part_text (GMIME_PART (part), BODY_MAX, NULL);
		g_autoptr (GBytes) bytes = html ? g_bytes_new (html, strlen (html)) : NULL;
		const Config *c = w->cfg;
		ExtractLimits limits = { .max_depth = c->max_mime_depth, .max_text = c->max_form_text,
			                 .max_attachment = c->max_attachment_size, .max_total = c->max_total_size,
			                 .max_zip_entry = c->max_zip_entry_size, .max_zip_entries = c->max_zip_entries,
			                 .max_xml_depth = c->max_xml_depth, .max_pdf_pages = c->max_pdf_pages };
		/* reduced to text: nothing of the mail's HTML reaches the page */
		if (bytes != NULL)
			w->html_text = extract_html (bytes, "utf-8", &limits, NULL);
	} else {
		g_ptr_array_add (w->files, g_object_ref (part));
	}
}

static void
walk_clear (Walk *w)
{
	g_free (w->text);
	g_free (w->html_text);
	g_clear_pointer (&w->files, g_ptr_array_unref);
}

/* A file name safe everywhere: the last path element of @name, letters,
 * digits, dot, dash and underscore only, no leading dot.  (transfer full) */
static char *
safe_filename (const char *name, guint n)
{
	const char *base = name ? MAX (strrchr (name, '/'), strrchr (name, '\\')) : NULL;
	g_autoptr (GString) out = g_string_new (NULL);

	for (const char *c = base ? base + 1 : name; c != NULL && *c && out->len < 100; c++)
		g_string_append_c (out, g_ascii_isalnum (*c) || strchr ("._-", *c) ? *c : '_');
	while (out->len > 0 && out->str[0] == '.')
		g_string_erase (out, 0, 1);
	if (out->len == 0)
		g_string_printf (out, "zalacznik-%u", n);
	return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The row of message @id when it is or was a review item (still in review,
 * or settled by staff: registered, rejected or answered), with "from" its
 * sender; NULL when it never was one. */
static GHashTable *
review_row (WebCtx *ctx, gint64 id, GError **error)
{
	GHashTable *row = db_message_get (ctx->p->db, id, error);

	if (row == NULL)
		return NULL;
	if (g_strcmp0 (g_hash_table_lookup (row, "state"), "review") != 0 &&
	    g_hash_table_lookup (row, "reviewed_at") == NULL) {
		g_hash_table_unref (row);
		return NULL;
	}
	g_hash_table_insert (row, g_strdup ("from"), g_strdup (g_hash_table_lookup (row, "sender")));
	return row;
}

/* Where the raw copy of spool file @spool_id is: cur/ once processed, new/
 * in the moment before.  (transfer full) */
static char *
raw_path (WebCtx *ctx, const char *spool_id)
{
	char *path = g_build_filename (ctx->p->spool->cur, spool_id, NULL);

	if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
		g_free (path);
		path = spool_path (ctx->p->spool, spool_id);
	}
	return path;
}

/* The raw message of review row @row, parsed; NULL when its copy is gone. */
static InboundMessage *
original (WebCtx *ctx, GHashTable *row)
{
	const char *spool_id = g_hash_table_lookup (row, "spool_id");
	g_autofree char *path = spool_id ? raw_path (ctx, spool_id) : NULL;
	InboundMessage *msg;

	if (path == NULL || (msg = parse_file (path, ctx->cfg->max_message_size, NULL)) == NULL)
		return NULL;
	if (msg->mime == NULL) {
		inbound_message_free (msg);
		return NULL;
	}
	return msg;
}

static void
set_str (JsonObject *o, const char *name, const char *value)
{
	if (value != NULL)
		json_object_set_string_member (o, name, value);
}

/* --- pages --------------------------------------------------------------------- */

static WebReply *
review_list (WebCtx *ctx, WebRequest *req)
{
	g_autoptr (GError) error = NULL;
	/* the oldest first, as staff work through them: a backlog of thousands
	 * in one page took 17 ms of CPU to build and helped nobody */
	g_autoptr (GPtrArray) rows = db_review_list (ctx->p->db, FALSE, REVIEW_LIST_MAX, &error);
	int count = rows ? db_review_open_count (ctx->p->db, &error) : -1;
	g_autoptr (JsonObject) data = json_object_new ();
	g_autoptr (JsonArray) items = json_array_new ();

	if (rows == NULL || count < 0) {
		g_warning ("%s", error->message);
		return web_page (ctx, req, 500, "message", "Błąd", data);
	}
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		JsonObject *o = json_object_new ();
		for (const char *const *c = (const char *const[]) { "id", "received_at", "from", "subject", "reason", NULL };
		     *c; c++)
			set_str (o, *c, g_hash_table_lookup (r, *c));
		json_array_add_object_element (items, o);
	}
	json_object_set_array_member (data, "items", json_array_ref (items));
	json_object_set_int_member (data, "count", count);
	json_object_set_int_member (data, "shown", rows->len);
	json_object_set_boolean_member (data, "more", (guint) count > rows->len);
	return web_page (ctx, req, 200, "review-list", "Do przejrzenia", data);
}

/* The page of item @id; @problems (may be NULL) listed above the form, whose
 * values come from @typed (the fields just sent) or else from what mailreg
 * recognised in the message. */
static WebReply *
review_item (WebCtx *ctx, WebRequest *req, gint64 id, guint status, GPtrArray *problems, GHashTable *typed)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GHashTable) row = review_row (ctx, id, &error);
	g_autoptr (JsonObject) data = json_object_new ();
	g_autoptr (InboundMessage) msg = NULL;
	g_autoptr (RegisterPrepared) pre = NULL;
	g_autoptr (JsonArray) headers = json_array_new ();
	g_autoptr (JsonArray) files = json_array_new ();
	g_autoptr (JsonArray) fields = json_array_new ();
	g_autoptr (JsonArray) probs = json_array_new ();
	Walk w = { .files = g_ptr_array_new_with_free_func (g_object_unref), .cfg = ctx->cfg };

	if (row == NULL) {
		walk_clear (&w);
		if (error != NULL)
			g_warning ("%s", error->message);
		json_object_set_string_member (data, "message", "Nie ma takiej wiadomości do przejrzenia.");
		return web_page (ctx, req, 404, "message", "Nie ma takiej wiadomości", data);
	}
	json_object_set_int_member (data, "id", id);
	for (const char *const *c = (const char *const[]) { "received_at", "from", "subject", "reason", "reviewed_at", NULL };
	     *c; c++)
		set_str (data, *c, g_hash_table_lookup (row, *c));
	json_object_set_boolean_member (data, "open", g_hash_table_lookup (row, "reviewed_at") == NULL);
	if ((msg = original (ctx, row)) != NULL) {
		g_autoptr (GBytes) raw = NULL;
		g_autofree char *path = raw_path (ctx, g_hash_table_lookup (row, "spool_id"));
		g_autofree char *bytes = NULL;
		gsize len;
		for (const char *const *h = (const char *const[]) { "From", "Reply-To", "To", "Cc", "Date", "Subject",
		                                                    "Message-ID", NULL };
		     *h; h++) {
			const char *v = g_mime_object_get_header (GMIME_OBJECT (msg->mime), *h);
			JsonObject *o;
			if (v == NULL)
				continue;
			o = json_object_new ();
			json_object_set_string_member (o, "name", *h);
			json_object_set_string_member (o, "value", v);
			json_array_add_object_element (headers, o);
		}
		g_mime_message_foreach (msg->mime, walk_part, &w);
		set_str (data, "body", w.text ? w.text : w.html_text);
		json_object_set_boolean_member (data, "from_html", w.text == NULL && w.html_text != NULL);
		for (guint i = 0; i < w.files->len; i++) {
			GMimePart *part = g_ptr_array_index (w.files, i);
			g_autofree char *name = safe_filename (g_mime_part_get_filename (part), i + 1);
			g_autofree char *type = g_mime_content_type_get_mime_type (
				g_mime_object_get_content_type (GMIME_OBJECT (part)));   /* (transfer full) */
			JsonObject *o = json_object_new ();
			json_object_set_int_member (o, "n", i + 1);
			json_object_set_string_member (o, "name", name);
			set_str (o, "type", type);
			json_array_add_object_element (files, o);
		}
		/* what mailreg recognised, to start the form from */
		if (typed == NULL && g_file_get_contents (path, &bytes, &len, NULL)) {
			raw = g_bytes_new_take (g_steal_pointer (&bytes), len);
			pre = register_prepare (ctx->p, raw);
		}
	} else {
		json_object_set_boolean_member (data, "purged", TRUE);
	}
	for (guint i = 0; i < ctx->p->form->fields->len; i++) {
		const FieldDef *f = g_ptr_array_index (ctx->p->form->fields, i);
		JsonObject *o = json_object_new ();
		const char *value = typed ? g_hash_table_lookup (typed, f->key) : NULL;
		for (guint j = 0; typed == NULL && pre != NULL && pre->form != NULL && j < pre->form->pairs->len; j++) {
			const FormPair *pair = g_ptr_array_index (pre->form->pairs, j);
			if (formdef_match (ctx->p->form, pair->label) == f) {
				value = pair->value;
				break;
			}
		}
		json_object_set_string_member (o, "key", f->key);
		json_object_set_string_member (o, "label", f->label);
		set_str (o, "value", value);
		json_array_add_object_element (fields, o);
	}
	for (guint i = 0; problems != NULL && i < problems->len; i++)
		json_array_add_string_element (probs, g_ptr_array_index (problems, i));
	json_object_set_array_member (data, "headers", json_array_ref (headers));
	json_object_set_array_member (data, "files", json_array_ref (files));
	json_object_set_array_member (data, "fields", json_array_ref (fields));
	json_object_set_array_member (data, "problems", json_array_ref (probs));
	/* a list section repeats per item: the blocks around the lists ask these */
	json_object_set_boolean_member (data, "has_headers", json_array_get_length (headers) > 0);
	json_object_set_boolean_member (data, "has_files", json_array_get_length (files) > 0);
	json_object_set_boolean_member (data, "has_problems", json_array_get_length (probs) > 0);
	walk_clear (&w);
	return web_page (ctx, req, status, "review-item", "Wiadomość do przejrzenia", data);
}

static WebReply *
attachment (WebCtx *ctx, WebRequest *req, gint64 id, guint n)
{
	g_autoptr (GHashTable) row = review_row (ctx, id, NULL);
	g_autoptr (InboundMessage) msg = row ? original (ctx, row) : NULL;
	g_autoptr (GMimeStream) mem = NULL;
	g_autofree char *name = NULL, *disposition = NULL;
	Walk w = { .files = g_ptr_array_new_with_free_func (g_object_unref), .cfg = ctx->cfg };
	GMimeDataWrapper *content;
	GByteArray *bytes;
	WebReply *r;

	if (msg != NULL)
		g_mime_message_foreach (msg->mime, walk_part, &w);
	if (n == 0 || n > w.files->len ||
	    (content = g_mime_part_get_content (GMIME_PART (g_ptr_array_index (w.files, n - 1)))) == NULL) {
		walk_clear (&w);
		return NULL;
	}
	mem = g_mime_stream_mem_new ();
	g_mime_data_wrapper_write_to_stream (content, mem);
	bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
	name = safe_filename (g_mime_part_get_filename (GMIME_PART (g_ptr_array_index (w.files, n - 1))), n);
	walk_clear (&w);
	r = web_reply_new (200);
	/* never shown inline: a download of opaque bytes, under a name of ours */
	r->content_type = "application/octet-stream";
	g_string_append_len (r->body, (const char *) bytes->data, bytes->len);
	disposition = g_strdup_printf ("attachment; filename=\"%s\"", name);
	web_reply_header (r, "Content-Disposition", disposition);
	web_reply_header (r, "Cache-Control", "no-store");
	return r;
}

/* --- actions --------------------------------------------------------------------- */

static WebReply *
settled_already (WebCtx *ctx, WebRequest *req, gint64 id)
{
	g_autoptr (JsonObject) data = json_object_new ();
	g_autofree char *text = g_strdup_printf ("Wiadomość nr %" G_GINT64_FORMAT " została już rozpatrzona "
	                                         "(w konsoli, poleceniem lub pocztą). Nic nie zmieniono.", id);

	json_object_set_string_member (data, "message", text);
	return web_page (ctx, req, 409, "message", "Już rozpatrzona", data);
}

static WebReply *
review_action (WebCtx *ctx, WebRequest *req, gint64 id)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) problems = NULL;
	g_autofree char *actor = g_strconcat ("web:", req->session->login, NULL);
	g_autofree char *location = g_strdup_printf ("/review/%" G_GINT64_FORMAT, id);
	const char *action = g_hash_table_lookup (req->form, "action");
	gboolean ok;

	if (review_item_state (ctx->p->db, id, &error) != REVIEW_ITEM_OPEN)
		return error ? (g_warning ("%s", error->message), review_item (ctx, req, id, 500, NULL, NULL))
		             : settled_already (ctx, req, id);
	if (g_strcmp0 (action, "register") == 0) {
		g_autoptr (FormData) form = form_data_new ("typed by staff (web console)", "typed");
		RegisterResult res;
		for (guint i = 0; i < ctx->p->form->fields->len; i++) {
			const FieldDef *f = g_ptr_array_index (ctx->p->form->fields, i);
			g_autofree char *v = g_strstrip (g_strdup (g_hash_table_lookup (req->form, f->key) ?: ""));
			if (*v != '\0')
				form_data_add (form, ctx->p->form, f->label, v);
		}
		ok = review_register (ctx->p, id, form, actor, &res, &problems, &error);
		if (ok && problems != NULL)
			return review_item (ctx, req, id, 422, problems, req->form);
		if (ok)
			register_result_clear (&res);
	} else if (g_strcmp0 (action, "reject") == 0) {
		g_auto (GStrv) lines = g_strsplit_set (g_hash_table_lookup (req->form, "problems") ?: "", "\r\n", -1);
		problems = g_ptr_array_new_with_free_func (g_free);
		for (char **l = lines; *l; l++)
			if (*g_strstrip (*l) != '\0')
				g_ptr_array_add (problems, g_strdup (*l));
		if (problems->len == 0) {
			g_ptr_array_add (problems, g_strdup ("Odrzucenie wymaga co najmniej jednego problemu (po jednym w wierszu)."));
			return review_item (ctx, req, id, 422, problems, req->form);
		}
		ok = review_reject (ctx->p, id, problems, actor, &error);
	} else if (g_strcmp0 (action, "answer") == 0) {
		const char *text = g_hash_table_lookup (req->form, "text");
		g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));
		if (*trimmed == '\0') {
			problems = g_ptr_array_new_with_free_func (g_free);
			g_ptr_array_add (problems, g_strdup ("Odpowiedź nie może być pusta."));
			return review_item (ctx, req, id, 422, problems, req->form);
		}
		ok = review_answer (ctx->p, id, text, actor, &error);
	} else if (g_strcmp0 (action, "done") == 0) {
		ok = review_done (ctx->p, id, actor, &error);
	} else {
		return NULL;
	}
	if (!ok) {
		ReviewItemState state = review_item_state (ctx->p->db, id, NULL);
		if (state == REVIEW_ITEM_SETTLED)
			return settled_already (ctx, req, id);
		g_warning ("review %" G_GINT64_FORMAT ": %s", id, error->message);
		problems = g_ptr_array_new_with_free_func (g_free);
		g_ptr_array_add (problems, g_strdup ("Nie udało się wykonać tej czynności; szczegóły są w dzienniku. Nic nie zmieniono."));
		return review_item (ctx, req, id, 500, problems, req->form);
	}
	g_message ("review %" G_GINT64_FORMAT ": %s by a staff member", id, action);
	return web_redirect (location);
}

WebReply *
web_review_handle (WebCtx *ctx, WebRequest *req)
{
	gboolean post = strcmp (req->method, "POST") == 0;
	gint64 id = 0;
	guint n = 0;
	char tail;

	if (strcmp (req->path, "/review") == 0)
		return post ? NULL : review_list (ctx, req);
	if (sscanf (req->path, "/review/%" G_GINT64_MODIFIER "d%c", &id, &tail) == 1 && id > 0)
		return post ? review_action (ctx, req, id) : review_item (ctx, req, id, 200, NULL, NULL);
	if (!post && sscanf (req->path, "/review/%" G_GINT64_MODIFIER "d/attachment/%u%c", &id, &n, &tail) == 2)
		return attachment (ctx, req, id, n);
	return NULL;
}

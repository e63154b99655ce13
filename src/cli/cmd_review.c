/* cmd_review.c - `mailreg review [--all] [--json]` lists the messages waiting
 * for a person (outcome review); the rest settle them through review.h, the
 * one path the console and replies by mail take too (actor "cli"):
 * `review done ID...` marks them dealt with; `review register ID
 * FIELD=VALUE... [--file FILE | -]` registers one from the form fields staff
 * type; `review reject ID PROBLEM...` rejects it listing the problems;
 * `review answer ID TEXT | -` answers the sender. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/errors.h"
#include "register/register.h"
#include "register/review.h"
#include "store/db.h"
#include "validate/reasons.h"

#define REVIEW_USAGE "usage: review [--all] [--json] | review done ID... | " \
	"review register ID FIELD=VALUE... [--file FILE | -] | review reject ID PROBLEM... | " \
	"review answer ID TEXT | -"

static gboolean
parse_id (const char *s, const char *what, gint64 *id, GError **error)
{
	char *end = NULL;

	*id = g_ascii_strtoll (s, &end, 10);
	if (end == s || *end != '\0' || *id <= 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "review %s: '%s' is not an id", what, s);
		return FALSE;
	}
	return TRUE;
}

static gboolean
cli_review_done (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;

	if (argc < 3) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: review done ID...");
		return FALSE;
	}
	if ((p = pipeline_open (cfg, error)) == NULL)
		return FALSE;
	for (int i = 2; i < argc; i++) {
		gint64 id;

		if (!parse_id (argv[i], "done", &id, error) || !review_done (p, id, "cli", error))
			return FALSE;
		printf ("message %s: done\n", argv[i]);
	}
	return TRUE;
}

static gboolean
unknown_field (const FormDef *def, const char *name, GError **error)
{
	g_autoptr (GString) keys = g_string_new (NULL);

	for (guint i = 0; i < def->fields->len; i++)
		g_string_append_printf (keys, "%s%s", i ? ", " : "", ((FieldDef *) g_ptr_array_index (def->fields, i))->key);
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
	             "review register: no form field is called '%s'; fields: %s (or their labels)", name, keys->str);
	return FALSE;
}

static char *
read_input (const char *path, GError **error)
{
	g_autoptr (GIOChannel) in = NULL;
	g_autoptr (GError) err = NULL;
	char *text = NULL;
	gsize len = 0;

	if (strcmp (path, "-") != 0) {
		if (!g_file_get_contents (path, &text, &len, &err)) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_NOINPUT, "review register: %s", err->message);
			return NULL;
		}
	} else {
		in = g_io_channel_unix_new (STDIN_FILENO);
		g_io_channel_set_encoding (in, NULL, NULL);
		if (g_io_channel_read_to_end (in, &text, &len, &err) != G_IO_STATUS_NORMAL) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_IO, "review register: standard input: %s",
			             err ? err->message : "read failed");
			return NULL;
		}
	}
	if (!g_utf8_validate (text, (gssize) len, NULL) || memchr (text, '\0', len) != NULL) {
		g_free (text);
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "review register: %s is not UTF-8 text",
		             strcmp (path, "-") == 0 ? "standard input" : path);
		return NULL;
	}
	return text;
}

static gboolean
cli_review_register (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	g_autoptr (FormData) form = NULL;
	g_autoptr (GPtrArray) problems = NULL;
	RegisterResult res;
	gint64 id;

	if (argc < 4) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
		             "usage: review register ID FIELD=VALUE... [--file FILE | -]");
		return FALSE;
	}
	if (!parse_id (argv[2], "register", &id, error) || (p = pipeline_open (cfg, error)) == NULL)
		return FALSE;
	form = form_data_new ("typed by staff (review register)", "typed");
	/* In the order given: the first value of a field counts, as in a form. */
	for (int i = 3; i < argc; i++) {
		const char *eq = strchr (argv[i], '=');

		if (strcmp (argv[i], "-") == 0 || (strcmp (argv[i], "--file") == 0 && i + 1 < argc)) {
			g_autofree char *text = read_input (strcmp (argv[i], "-") == 0 ? "-" : argv[++i], error);
			if (text == NULL)
				return FALSE;
			review_form_add_text (form, p->form, text);
		} else if (eq != NULL && eq != argv[i]) {
			g_autofree char *name = g_strstrip (g_strndup (argv[i], eq - argv[i]));
			const char *label = review_field_label (p->form, name);
			if (label == NULL)
				return unknown_field (p->form, name, error);
			form_data_add (form, p->form, label, eq + 1);
		} else {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
			             "review register: '%s' is not FIELD=VALUE, --file FILE or -", argv[i]);
			return FALSE;
		}
	}
	if (form->matched == 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "review register: no form field given");
		return FALSE;
	}
	if (!review_register (p, id, form, "cli", &res, &problems, error))
		return FALSE;
	if (problems != NULL) {
		g_autoptr (GString) text = g_string_new (NULL);
		for (guint i = 0; i < problems->len; i++)
			g_string_append_printf (text, "\n  %u. %s", i + 1, (char *) g_ptr_array_index (problems, i));
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "review register: message %" G_GINT64_FORMAT " not registered, nothing changed; "
		             "the fields have problems:%s", id, text->str);
		return FALSE;
	}
	printf ("message %" G_GINT64_FORMAT ": registered: %s\n", id, res.reason);
	register_result_clear (&res);
	return TRUE;
}

/* The review rows as JSON; a scan's row also has "fields": {"first_name":
 * {"value": "Anna", "confidence": 0.97}, ...}, what OCR read and how surely. */
static gboolean
review_print_json (Db *db, GPtrArray *rows, const char *const *columns, GError **error)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();

	json_builder_begin_array (b);
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *row = g_ptr_array_index (rows, i);
		g_autoptr (GPtrArray) fields = db_message_fields (db, g_ascii_strtoll (g_hash_table_lookup (row, "id"), NULL, 10),
		                                                  error);
		if (fields == NULL)
			return FALSE;
		json_builder_begin_object (b);
		for (const char *const *c = columns; *c; c++)
			cli_json_add (b, *c, g_hash_table_lookup (row, *c), strcmp (*c, "id") == 0);
		if (fields->len > 0) {
			json_builder_set_member_name (b, "fields");
			json_builder_begin_object (b);
			for (guint k = 0; k < fields->len; k++) {
				const MessageField *f = g_ptr_array_index (fields, k);
				json_builder_set_member_name (b, f->key);
				json_builder_begin_object (b);
				cli_json_add (b, "value", f->value, FALSE);
				json_builder_set_member_name (b, "confidence");
				json_builder_add_double_value (b, f->confidence / 100.0);
				json_builder_end_object (b);
			}
			json_builder_end_object (b);
		}
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	cli_json_print (b);
	return TRUE;
}

static gboolean
cli_review_reject (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
	gint64 id;

	if (argc < 4) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: review reject ID PROBLEM...");
		return FALSE;
	}
	if (!parse_id (argv[2], "reject", &id, error))
		return FALSE;
	for (int i = 3; i < argc; i++) {
		g_autofree char *one = g_strstrip (g_strdup (argv[i]));
		if (!g_utf8_validate (one, -1, NULL)) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "review reject: a problem is not UTF-8");
			return FALSE;
		}
		if (*one != '\0')
			g_ptr_array_add (problems, g_steal_pointer (&one));
	}
	if ((p = pipeline_open (cfg, error)) == NULL || !review_reject (p, id, problems, "cli", error))
		return FALSE;
	printf ("message %" G_GINT64_FORMAT ": rejected (%u problem%s)\n", id, problems->len,
	        problems->len == 1 ? "" : "s");
	return TRUE;
}

static gboolean
cli_review_answer (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Pipeline) p = NULL;
	g_autofree char *text = NULL;
	gint64 id;

	if (argc != 4) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "usage: review answer ID TEXT | -");
		return FALSE;
	}
	if (!parse_id (argv[2], "answer", &id, error))
		return FALSE;
	text = strcmp (argv[3], "-") == 0 ? read_input ("-", error) : g_strdup (argv[3]);
	if (text == NULL)
		return FALSE;
	if ((p = pipeline_open (cfg, error)) == NULL || !review_answer (p, id, text, "cli", error))
		return FALSE;
	printf ("message %" G_GINT64_FORMAT ": answered\n", id);
	return TRUE;
}

gboolean
cmd_review (const Config *cfg, int argc, char **argv, GError **error)
{
	static const char *const columns[] = { "id", "received_at", "from", "subject", "reason", "reason_code",
	                                       "reason_pl", "spool_id", "reviewed_at", "purged_at", NULL };
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	gboolean all = FALSE, json = FALSE;

	if (argc >= 2 && strcmp (argv[1], "register") == 0)
		return cli_review_register (cfg, argc, argv, error);
	if (argc >= 2 && strcmp (argv[1], "reject") == 0)
		return cli_review_reject (cfg, argc, argv, error);
	if (argc >= 2 && strcmp (argv[1], "answer") == 0)
		return cli_review_answer (cfg, argc, argv, error);
	if (argc >= 2 && strcmp (argv[1], "done") == 0)
		return cli_review_done (cfg, argc, argv, error);
	if ((db = db_open (cfg->database, error)) == NULL)
		return FALSE;
	for (int i = 1; i < argc; i++) {
		if (strcmp (argv[i], "--all") == 0)
			all = TRUE;
		else if (strcmp (argv[i], "--json") == 0)
			json = TRUE;
		else {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, REVIEW_USAGE);
			return FALSE;
		}
	}
	if ((rows = db_review_list (db, all, 0, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		g_hash_table_insert (r, g_strdup ("reason_pl"),
		                     g_strdup (reason_text_pl (g_hash_table_lookup (r, "reason_code"))));
	}
	if (json)
		return review_print_json (db, rows, columns, error);
	for (guint i = 0; i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		printf ("%5s  %s  %s  %s%s%s\n       %s: %s\n", (char *) g_hash_table_lookup (r, "id"),
		        (char *) g_hash_table_lookup (r, "received_at"),
		        g_hash_table_lookup (r, "from") ? (char *) g_hash_table_lookup (r, "from") : "(no sender)",
		        g_hash_table_lookup (r, "subject") ? (char *) g_hash_table_lookup (r, "subject") : "(no subject)",
		        g_hash_table_lookup (r, "reviewed_at") ? "  [done]" : "",
		        g_hash_table_lookup (r, "purged_at") ? "  [raw copy purged]" : "",
		        g_hash_table_lookup (r, "reason_code") ? (char *) g_hash_table_lookup (r, "reason_code") : "-",
		        g_hash_table_lookup (r, "reason") ? (char *) g_hash_table_lookup (r, "reason") : "");
	}
	return TRUE;
}

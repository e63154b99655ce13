/* web_html.c - the console's HTML: one escaping function and a small template
 * language (a subset of Mustache) whose every value is escaped.
 *
 * Templates live in <templates>/web/NAME.html.  Tags: {{name}} (escaped
 * value), {{#name}}...{{/name}} (a list repeated per item, an object or a
 * true value shown once), {{^name}}...{{/name}} (shown when the value is
 * missing, false, empty), {{! comment}}.  Values come from a JsonObject; a
 * name is looked up in the innermost item first, then outwards.  There is no
 * way to insert a value unescaped: only the layout's {{>content}} takes the
 * page rendered before it.
 */
#include "web/web_private.h"

#include <string.h>

#include "core/errors.h"
#include "core/fs.h"

void
web_escape (GString *out, const char *s)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '&': g_string_append (out, "&amp;"); break;
		case '<': g_string_append (out, "&lt;"); break;
		case '>': g_string_append (out, "&gt;"); break;
		case '"': g_string_append (out, "&quot;"); break;
		case '\'': g_string_append (out, "&#39;"); break;
		default: g_string_append_c (out, *s);
		}
	}
}

/* The value of @name in the innermost object of @stack that has it, or NULL;
 * "." is the innermost item itself. */
static JsonNode *
lookup (GPtrArray *stack, const char *name)
{
	if (strcmp (name, ".") == 0)
		return stack->len ? g_ptr_array_index (stack, stack->len - 1) : NULL;
	for (guint i = stack->len; i-- > 0;) {
		JsonNode *n = g_ptr_array_index (stack, i);
		if (JSON_NODE_HOLDS_OBJECT (n) && json_object_has_member (json_node_get_object (n), name))
			return json_object_get_member (json_node_get_object (n), name);
	}
	return NULL;
}

static gboolean
truthy (JsonNode *n)
{
	if (n == NULL || JSON_NODE_HOLDS_NULL (n))
		return FALSE;
	if (JSON_NODE_HOLDS_ARRAY (n))
		return json_array_get_length (json_node_get_array (n)) > 0;
	if (JSON_NODE_HOLDS_OBJECT (n))
		return TRUE;
	switch (json_node_get_value_type (n)) {
	case G_TYPE_BOOLEAN: return json_node_get_boolean (n);
	case G_TYPE_STRING: return json_node_get_string (n) && *json_node_get_string (n);
	case G_TYPE_INT64: return json_node_get_int (n) != 0;
	default: return TRUE;
	}
}

/* Where the {{/name}} closing the section that starts at @from is (at the
 * same depth), or NULL. */
static const char *
section_end (const char *from, const char *end, const char *name, const char **after)
{
	int depth = 0;

	for (const char *t = from; (t = g_strstr_len (t, end - t, "{{")) != NULL; t += 2) {
		const char *close = g_strstr_len (t, end - t, "}}");
		g_autofree char *tag = NULL;
		if (close == NULL)
			return NULL;
		tag = g_strstrip (g_strndup (t + 2, close - t - 2));
		if ((tag[0] == '#' || tag[0] == '^') && strcmp (g_strstrip (tag + 1), name) == 0)
			depth++;
		else if (tag[0] == '/' && strcmp (g_strstrip (tag + 1), name) == 0 && depth-- == 0) {
			*after = close + 2;
			return t;
		}
	}
	return NULL;
}

static gboolean
render (GString *out, const char *t, const char *end, GPtrArray *stack, const char *content, GError **error)
{
	while (t < end) {
		const char *open = g_strstr_len (t, end - t, "{{"), *close;
		g_autofree char *tag = NULL;
		char *name;

		if (open == NULL) {
			g_string_append_len (out, t, end - t);
			break;
		}
		g_string_append_len (out, t, open - t);
		if ((close = g_strstr_len (open, end - open, "}}")) == NULL) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "web template: '{{' without '}}'");
			return FALSE;
		}
		tag = g_strstrip (g_strndup (open + 2, close - open - 2));
		name = g_strstrip (tag + (strchr ("#^/!>", tag[0]) && tag[0] ? 1 : 0));
		t = close + 2;
		if (tag[0] == '!')
			continue;
		if (tag[0] == '>') {
			if (strcmp (name, "content") == 0 && content != NULL)
				g_string_append (out, content);
			continue;
		}
		if (tag[0] == '/') {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "web template: {{/%s}} without its start", name);
			return FALSE;
		}
		if (tag[0] == '#' || tag[0] == '^') {
			const char *after, *inner_end = section_end (t, end, name, &after);
			JsonNode *v = lookup (stack, name);
			if (inner_end == NULL) {
				g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "web template: {{%s}} not closed", tag);
				return FALSE;
			}
			if (tag[0] == '^') {
				if (!truthy (v) && !render (out, t, inner_end, stack, content, error))
					return FALSE;
			} else if (truthy (v) && JSON_NODE_HOLDS_ARRAY (v)) {
				JsonArray *a = json_node_get_array (v);
				for (guint i = 0; i < json_array_get_length (a); i++) {
					gboolean ok;
					g_ptr_array_add (stack, json_array_get_element (a, i));
					ok = render (out, t, inner_end, stack, content, error);
					g_ptr_array_remove_index (stack, stack->len - 1);
					if (!ok)
						return FALSE;
				}
			} else if (truthy (v)) {
				gboolean push = JSON_NODE_HOLDS_OBJECT (v), ok;
				if (push)
					g_ptr_array_add (stack, v);
				ok = render (out, t, inner_end, stack, content, error);
				if (push)
					g_ptr_array_remove_index (stack, stack->len - 1);
				if (!ok)
					return FALSE;
			}
			t = after;
			continue;
		}
		{
			JsonNode *v = lookup (stack, name);
			if (v != NULL && JSON_NODE_HOLDS_VALUE (v)) {
				if (json_node_get_value_type (v) == G_TYPE_STRING)
					web_escape (out, json_node_get_string (v));
				else if (json_node_get_value_type (v) == G_TYPE_INT64)
					g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (v));
				else if (json_node_get_value_type (v) == G_TYPE_BOOLEAN)
					g_string_append (out, json_node_get_boolean (v) ? "tak" : "nie");
			}
		}
	}
	return TRUE;
}

char *
web_render_string (const char *tpl, JsonObject *data, const char *content, GError **error)
{
	g_autoptr (GString) out = g_string_new (NULL);
	g_autoptr (GPtrArray) stack = g_ptr_array_new ();
	g_autoptr (JsonNode) root = json_node_init_object (json_node_alloc (), data);

	g_ptr_array_add (stack, root);
	if (!render (out, tpl, tpl + strlen (tpl), stack, content, error))
		return NULL;
	return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
web_render (const char *dir, const char *name, JsonObject *data, const char *content, GError **error)
{
	g_autofree char *path = g_strconcat (dir, "/", name, ".html", NULL);
	g_autofree char *tpl = NULL;
	char *html;

	if (!g_file_get_contents (path, &tpl, NULL, error))
		return NULL;
	if ((html = web_render_string (tpl, data, content, error)) == NULL)
		g_prefix_error (error, "%s: ", path);
	return html;
}

/* dsn.c - RFC 3464 delivery reports (see dsn.h). */
#include "parse/dsn.h"

#include <string.h>

#include "core/autoptr.h"

void
dsn_report_free (DsnReport *r)
{
	if (r == NULL)
		return;
	g_free (r->original_message_id);
	g_free (r->recipient);
	g_free (r->action);
	g_free (r->status);
	g_free (r->diagnostic);
	g_free (r->reporting_mta);
	g_free (r);
}

/* The decoded content of leaf @part as text.  (transfer full) */
static char *
part_text (GMimeObject *part)
{
	GMimeDataWrapper *content;
	g_autoptr (GMimeStream) mem = NULL;
	GByteArray *bytes;

	if (!GMIME_IS_PART (part) || (content = g_mime_part_get_content (GMIME_PART (part))) == NULL)
		return NULL;
	mem = g_mime_stream_mem_new ();
	g_mime_data_wrapper_write_to_stream (content, mem);  /* decodes base64/QP */
	bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));  /* owned by the stream */
	return g_strndup ((const char *) bytes->data, bytes->len);
}

/* RFC 3464 §2.1: groups of header-style fields separated by blank lines, each a
 * hash table lower-case name -> unfolded value. */
static GPtrArray *
field_groups (const char *text)
{
	GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
	g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
	GHashTable *cur = NULL;
	g_autofree char *name = NULL;
	GString *value = NULL;

	for (char **l = lines;; l++) {
		char *line = *l ? g_strchomp (*l) : NULL;  /* drops the CR too */
		gboolean cont = line && (*line == ' ' || *line == '\t');

		if (name != NULL && !cont) {
			g_hash_table_replace (cur, g_steal_pointer (&name), g_strstrip (g_string_free (value, FALSE)));
			value = NULL;
		}
		if (line == NULL)
			break;
		if (*line == '\0') {
			cur = NULL;
			continue;
		}
		if (cont) {
			if (value != NULL)
				g_string_append_printf (value, " %s", g_strstrip (line));
			continue;
		}
		char *colon = strchr (line, ':');
		if (colon == NULL)
			continue;
		if (cur == NULL) {
			cur = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
			g_ptr_array_add (groups, cur);
		}
		name = g_ascii_strdown (line, colon - line);
		value = g_string_new (colon + 1);
	}
	return groups;
}

/* Accepted on purpose: a report (seen from a Postfix behind a filter) whose
 * recipient fields follow a misplaced "Content-Transfer-Encoding: base64" line
 * and a blank line, base64-encoded, inside the part.  Returns @text with such
 * a block decoded.  (transfer full; takes @text) */
static char *
unwrap_base64 (char *text)
{
	char *cte = text ? strstr (text, "\nContent-Transfer-Encoding: base64") : NULL;
	char *blank = cte ? strstr (cte, "\n\n") : NULL;
	g_autofree guchar *decoded = NULL;
	gsize len;
	char *out;

	if (blank == NULL)
		return text;
	decoded = g_base64_decode (blank + 2, &len);
	if (decoded == NULL || len == 0 || !g_utf8_validate ((const char *) decoded, len, NULL)) {
		return text;
	}
	*blank = '\0';
	out = g_strdup_printf ("%s\n\n%.*s", text, (int) len, (const char *) decoded);
	g_free (text);
	return out;
}

/* "rfc822; a@b" -> "a@b" */
static char *
typed_value (const char *v)
{
	const char *semi = v ? strchr (v, ';') : NULL;
	char *out;

	if (v == NULL)
		return NULL;
	out = g_strstrip (g_strdup (semi ? semi + 1 : v));
	if (*out == '<' && out[strlen (out) - 1] == '>') {
		memmove (out, out + 1, strlen (out) - 2);
		out[strlen (out) - 2] = '\0';
	}
	return out;
}

static char *
message_id_of_headers (const char *text)
{
	g_autofree char *whole = g_strconcat (text, "\n\n", NULL);
	g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (whole, strlen (whole));
	g_autoptr (GMimeParser) parser = g_mime_parser_new_with_stream (stream);
	g_autoptr (GMimeMessage) m = g_mime_parser_construct_message (parser, NULL);
	const char *mid = m ? g_mime_message_get_message_id (m) : NULL;

	return mid ? g_strdup (mid) : NULL;
}

DsnReport *
dsn_parse (GMimeMessage *msg)
{
	GMimeObject *top = g_mime_message_get_mime_part (msg);
	GMimeContentType *ct;
	const char *type;
	GMimeMultipart *mp;
	g_autoptr (DsnReport) r = NULL;
	gboolean found = FALSE;

	if (top == NULL || !GMIME_IS_MULTIPART (top))
		return NULL;
	ct = g_mime_object_get_content_type (top);
	type = g_mime_content_type_get_parameter (ct, "report-type");
	if (!g_mime_content_type_is_type (ct, "multipart", "report") || type == NULL ||
	    g_ascii_strcasecmp (type, "delivery-status") != 0)
		return NULL;
	r = g_new0 (DsnReport, 1);
	mp = GMIME_MULTIPART (top);
	for (int i = 0; i < g_mime_multipart_get_count (mp); i++) {
		GMimeObject *part = g_mime_multipart_get_part (mp, i);  /* (transfer none) */
		GMimeContentType *pct = g_mime_object_get_content_type (part);

		if (g_mime_content_type_is_type (pct, "message", "delivery-status") && !found) {
			g_autofree char *text = unwrap_base64 (part_text (part));
			g_autoptr (GPtrArray) groups = text ? field_groups (text) : NULL;
			GHashTable *rcpt = NULL;

			if (groups == NULL || groups->len == 0)
				continue;
			found = TRUE;
			r->reporting_mta = typed_value (g_hash_table_lookup (g_ptr_array_index (groups, 0), "reporting-mta"));
			for (guint g = 1; g < groups->len; g++) {
				GHashTable *h = g_ptr_array_index (groups, g);
				const char *action = g_hash_table_lookup (h, "action");
				if (rcpt == NULL)
					rcpt = h;
				if (action && g_ascii_strncasecmp (action, "failed", 6) == 0) {
					rcpt = h;
					break;
				}
			}
			/* a report some MTAs write as one group: per-message and recipient fields together */
			if (rcpt == NULL)
				rcpt = g_ptr_array_index (groups, 0);
			r->recipient = typed_value (g_hash_table_lookup (rcpt, "final-recipient"));
			if (r->recipient == NULL)
				r->recipient = typed_value (g_hash_table_lookup (rcpt, "original-recipient"));
			if (g_hash_table_lookup (rcpt, "action"))
				r->action = g_ascii_strdown (g_hash_table_lookup (rcpt, "action"), -1);
			r->status = g_strdup (g_hash_table_lookup (rcpt, "status"));
			if (r->status != NULL)
				r->status[strcspn (r->status, " \t(")] = '\0';
			r->diagnostic = g_strdup (g_hash_table_lookup (rcpt, "diagnostic-code"));
		} else if (GMIME_IS_MESSAGE_PART (part) && r->original_message_id == NULL) {
			GMimeMessage *orig = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part));
			const char *mid = orig ? g_mime_message_get_message_id (orig) : NULL;
			r->original_message_id = g_strdup (mid);
		} else if (g_mime_content_type_is_type (pct, "text", "rfc822-headers") &&
		           r->original_message_id == NULL) {
			g_autofree char *text = part_text (part);
			if (text != NULL)
				r->original_message_id = message_id_of_headers (text);
		}
	}
	return found ? g_steal_pointer (&r) : NULL;
}

char *
dsn_verp_id (const char *address, const char *bounce_local)
{
	gsize n = strlen (bounce_local);
	const char *at;

	if (address == NULL || g_ascii_strncasecmp (address, bounce_local, n) != 0 || address[n] != '+' ||
	    (at = strchr (address + n + 1, '@')) == NULL || at == address + n + 1)
		return NULL;
	return g_strndup (address + n + 1, at - (address + n + 1));
}

/* html.c - the HTML extractor: webmail bodies and .html attachments as text lines.
 *
 * Part of extract (stage 3), behind extract_form() (see formats.h).  libxml2's
 * forgiving HTML parser builds the tree; the walk writes block elements as lines,
 * a table row as one line with its cells joined by TABs and a ticked check box as
 * "☒", so a form pasted into Gmail or Outlook reads like a typed one for text.c.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "core/errors.h"
#include "extract/charset.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

/* WHATWG HTML §13.2.3.2 prescans 1024 bytes for a <meta> charset; Outlook puts
 * a long <html> tag with a dozen namespaces first, so look a little further. */
#define META_SCAN_BYTES 4096

/* Lines being written: the whole text, or one table cell. */
typedef struct {
	GString *out;
	gboolean space;       /* white space seen since the last text of the line */
	gboolean has_table;   /* a table was written here (a layout cell, not a value) */
} Sink;

typedef struct {
	guint max_depth;
} Walk;

static void walk_children (const Walk *w, xmlNode *node, guint depth, Sink *sink);
static void walk_element (const Walk *w, xmlNode *node, guint depth, Sink *sink);

static gboolean
at_line_start (const Sink *sink)
{
	return sink->out->len == 0 || sink->out->str[sink->out->len - 1] == '\n';
}

/* End the current line, if anything is on it. */
static void
sink_break (Sink *sink)
{
	if (!at_line_start (sink))
		g_string_append_c (sink->out, '\n');
	sink->space = FALSE;
}

/* Append text, white-space runs (NBSP included: "Adres&nbsp;e-mail" is a label)
 * collapsed to one space, none at the start of a line. */
static void
sink_text (Sink *sink, const char *text)
{
	for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);

		if (c == 0x200B || c == 0xFEFF || c == 0xAD)
			continue;   /* zero-width space, BOM, soft hyphen: invisible */
		if (g_unichar_isspace (c) || g_unichar_iscntrl (c)) {
			sink->space = TRUE;
			continue;
		}
		if (sink->space && !at_line_start (sink))
			g_string_append_c (sink->out, ' ');
		sink->space = FALSE;
		g_string_append_unichar (sink->out, c);
	}
}

/* A word of its own: separated from the text around it. */
static void
sink_word (Sink *sink, const char *word)
{
	sink->space = TRUE;
	sink_text (sink, word);
	sink->space = TRUE;
}

static gboolean
is_named (const xmlNode *node, const char *name)
{
	return node->type == XML_ELEMENT_NODE && node->name != NULL &&
	       g_ascii_strcasecmp ((const char *) node->name, name) == 0;
}

static gboolean
in_list (const xmlNode *node, const char *const *names)
{
	for (const char *const *n = names; *n != NULL; n++)
		if (is_named (node, *n))
			return TRUE;
	return FALSE;
}

/* Content that is never shown as text. */
static const char *const dropped[] = {
	"head", "title", "script", "style", "noscript", "template", "xml", "object", "embed",
	"applet", "iframe", "frame", "svg", "math", "canvas", "audio", "video", "map", NULL,
};

/* Elements that begin and end a line. */
static const char *const blocks[] = {
	"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
	"dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
	"h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li",
	"listing", "main", "menu", "nav", "ol", "p", "plaintext", "pre", "section", "summary",
	"table", "tbody", "td", "tfoot", "th", "thead", "ul", "xmp", NULL,
};

static gboolean
has_attr (xmlNode *node, const char *name)
{
	return xmlHasProp (node, (const xmlChar *) name) != NULL;
}

/* The value of attribute @name, or NULL.  (transfer full) */
static char *
get_attr (xmlNode *node, const char *name)
{
	xmlChar *v = xmlGetProp (node, (const xmlChar *) name);
	char *copy = v != NULL ? g_strdup ((const char *) v) : NULL;

	xmlFree (v);
	return copy;
}

/* The text inside @node, for <option> and <pre>.  (transfer full) */
static char *
node_text (xmlNode *node)
{
	xmlChar *v = xmlNodeGetContent (node);
	char *copy = g_strdup (v != NULL ? (const char *) v : "");

	xmlFree (v);
	return copy;
}

/* <input>: a check box or radio button as its mark, a text box as its value. */
static void
write_input (xmlNode *node, Sink *sink)
{
	g_autofree char *type = get_attr (node, "type");
	g_autofree char *value = NULL;

	if (type == NULL || *type == '\0' || g_ascii_strcasecmp (type, "text") == 0 ||
	    g_ascii_strcasecmp (type, "email") == 0 || g_ascii_strcasecmp (type, "tel") == 0 ||
	    g_ascii_strcasecmp (type, "number") == 0 || g_ascii_strcasecmp (type, "date") == 0 ||
	    g_ascii_strcasecmp (type, "url") == 0 || g_ascii_strcasecmp (type, "search") == 0) {
		if ((value = get_attr (node, "value")) != NULL)
			sink_word (sink, value);
	} else if (g_ascii_strcasecmp (type, "checkbox") == 0 || g_ascii_strcasecmp (type, "radio") == 0) {
		sink_word (sink, has_attr (node, "checked") ? "☒" : "☐");
	}
	/* hidden, password, submit, button, file, image: nothing an applicant wrote */
}

static void
collect_options (xmlNode *node, GString *chosen)
{
	for (xmlNode *c = node->children; c != NULL; c = c->next) {
		if (is_named (c, "optgroup")) {
			collect_options (c, chosen);
		} else if (is_named (c, "option") && has_attr (c, "selected")) {
			g_autofree char *text = node_text (c);
			if (chosen->len > 0)
				g_string_append (chosen, ", ");
			g_string_append (chosen, text);
		}
	}
}

/* <select>: the chosen options only, not the whole list.  None chosen means no
 * answer, even though a browser would show the first option. */
static void
write_select (xmlNode *node, Sink *sink)
{
	g_autoptr (GString) chosen = g_string_new (NULL);

	collect_options (node, chosen);
	if (chosen->len > 0)
		sink_word (sink, chosen->str);
}

static void
string_free (gpointer s)
{
	g_string_free (s, TRUE);
}

/* The lines of a finished cell. */
static guint
count_lines (const GString *s)
{
	guint n = 0;

	for (gsize i = 0; i < s->len; i++)
		if (s->str[i] == '\n' && (i == 0 || s->str[i - 1] != '\n'))
			n++;
	return n;
}

static void
replace_newlines (GString *s)
{
	for (gsize i = 0; i < s->len; i++)
		if (s->str[i] == '\n')
			s->str[i] = ' ';
}

/* <tr>: the cells as one "cell<TAB>cell" line, as text.c expects of a table
 * pasted into a message ("Imię | Anna" -> "Imię<TAB>Anna").  Not for layout: a
 * row holding a nested table, or a single cell with the whole message in it,
 * keeps its lines as they are. */
static void
write_row (const Walk *w, xmlNode *tr, guint depth, Sink *sink)
{
	g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (string_free);
	gboolean layout = FALSE;
	guint multi_line = 0, filled = 0, first, last;

	for (xmlNode *c = tr->children; c != NULL; c = c->next) {
		Sink cell = { g_string_new (NULL), FALSE, FALSE };

		if (is_named (c, "td") || is_named (c, "th"))
			walk_children (w, c, depth + 1, &cell);
		else if (c->type == XML_ELEMENT_NODE && !in_list (c, dropped))
			walk_element (w, c, depth + 1, &cell);   /* stray content: a cell of its own */
		else if (c->type == XML_TEXT_NODE && c->content != NULL && !xmlIsBlankNode (c))
			sink_text (&cell, (const char *) c->content);
		else {
			g_string_free (cell.out, TRUE);
			continue;
		}
		sink_break (&cell);
		layout = layout || cell.has_table;
		multi_line += count_lines (cell.out) > 1;
		filled += cell.out->len > 0;
		g_ptr_array_add (cells, cell.out);
	}
	if (filled == 0)
		return;

	sink_break (sink);
	if (layout || (multi_line > 0 && filled == 1)) {
		for (guint i = 0; i < cells->len; i++)
			g_string_append (sink->out, ((GString *) g_ptr_array_index (cells, i))->str);
		return;
	}
	/* drop spacer cells before the label; keep one empty cell after it ("Telefon<TAB>"
	 * is a field left empty) */
	for (first = 0; ((GString *) g_ptr_array_index (cells, first))->len == 0; first++)
		;
	for (last = cells->len - 1; last > first + 1 && ((GString *) g_ptr_array_index (cells, last))->len == 0; last--)
		;
	for (guint i = first; i <= last; i++) {
		GString *cell = g_ptr_array_index (cells, i);

		/* the trailing newline and the line breaks inside a value cell */
		if (cell->len > 0)
			g_string_truncate (cell, cell->len - 1);
		replace_newlines (cell);
		if (i > first)
			g_string_append_c (sink->out, '\t');
		g_string_append (sink->out, cell->str);
	}
	g_string_append_c (sink->out, '\n');
}

static void
walk_element (const Walk *w, xmlNode *node, guint depth, Sink *sink)
{
	/* deeper than any real message: skipped, not a stack overflow */
	if (depth > w->max_depth || in_list (node, dropped))
		return;
	if (is_named (node, "br") || is_named (node, "hr")) {
		sink_break (sink);
	} else if (is_named (node, "input")) {
		write_input (node, sink);
	} else if (is_named (node, "select")) {
		write_select (node, sink);
	} else if (is_named (node, "tr")) {
		write_row (w, node, depth, sink);
	} else if (is_named (node, "pre") || is_named (node, "xmp") || is_named (node, "plaintext") ||
	           is_named (node, "listing")) {
		/* preformatted: its line breaks are lines, its spaces and TABs stay */
		g_autofree char *text = node_text (node);
		g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

		sink_break (sink);
		for (char **l = lines; *l != NULL; l++) {
			g_strchomp (*l);
			g_string_append (sink->out, *l);
			sink_break (sink);
		}
	} else if (in_list (node, blocks)) {
		sink_break (sink);
		if (is_named (node, "table"))
			sink->has_table = TRUE;
		walk_children (w, node, depth, sink);
		sink_break (sink);
	} else {
		/* inline (b, span, a, font, label, o:p, textarea...) */
		walk_children (w, node, depth, sink);
	}
}

static void
walk_children (const Walk *w, xmlNode *node, guint depth, Sink *sink)
{
	for (xmlNode *c = node->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			walk_element (w, c, depth + 1, sink);
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (c->content != NULL)
				sink_text (sink, (const char *) c->content);
			break;
		default:
			break;   /* comments (Outlook's <!--[if mso]>), processing instructions */
		}
	}
}

/* The charset a <meta> in the first bytes of @data declares, or NULL.  Both
 * <meta charset="windows-1250"> and <meta http-equiv="Content-Type"
 * content="text/html; charset=iso-8859-2">.  (transfer full) */
static char *
meta_charset (const char *data, gsize len)
{
	g_autofree char *head = g_ascii_strdown (data, (gssize) MIN (len, META_SCAN_BYTES));
	const char *p = head;
	gsize head_len = strlen (head);   /* up to a NUL in the data */

	while ((p = strstr (p, "<meta")) != NULL) {
		const char *end = memchr (p, '>', head_len - (gsize) (p - head));
		const char *cs = strstr (p, "charset");
		gsize n;

		if (end == NULL)
			break;
		p = end;
		if (cs == NULL || cs > end)
			continue;
		cs += strlen ("charset");
		while (*cs == ' ')
			cs++;
		if (*cs != '=')
			continue;
		cs++;
		while (*cs == ' ' || *cs == '"' || *cs == '\'')
			cs++;
		n = strspn (cs, "abcdefghijklmnopqrstuvwxyz0123456789-_.:");
		if (n == 0)
			continue;
		/* WHATWG: a UTF-16 label in a <meta> of ASCII-compatible bytes means UTF-8 */
		if (g_str_has_prefix (cs, "utf-16") || g_str_has_prefix (cs, "utf-32"))
			return g_strdup ("utf-8");
		return g_strndup (cs, n);
	}
	return NULL;
}

char *
extract_html (GBytes *data, const char *charset, const ExtractLimits *limits, GError **error)
{
	g_autoptr (xmlDoc) doc = NULL;
	g_autofree char *sniffed = NULL;
	g_autofree char *utf8 = NULL;
	g_autoptr (GString) out = NULL;
	const char *bytes;
	gsize len;
	Walk w;
	Sink sink;

	g_return_val_if_fail (data != NULL && limits != NULL, NULL);
	bytes = g_bytes_get_data (data, &len);
	if (len > limits->max_text) {
		/* a body is already cut to max_text by the caller; an .html from a ZIP is
		 * cut here, before a tag so a multi-byte character stays whole */
		gsize cut = limits->max_text;
		while (cut > 0 && bytes[cut - 1] != '<')
			cut--;
		len = cut > 1 ? cut - 1 : limits->max_text;
	}
	if (len == 0)
		return g_strdup ("");

	/* The part's declared charset (RFC 2046) wins over the <meta>, as in HTML's
	 * encoding sniffing; extract_to_utf8() falls back to UTF-8 and windows-1250 when
	 * the bytes do not fit the declaration. */
	if (charset == NULL || *charset == '\0')
		charset = sniffed = meta_charset (bytes, len);
	utf8 = extract_to_utf8 (bytes, len, charset);

	/* IGNORE_ENC: the text is UTF-8 now, whatever its <meta> says */
	doc = htmlReadMemory (utf8, (int) MIN (strlen (utf8), (gsize) G_MAXINT), NULL, "UTF-8",
	                      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                      HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT | XML_PARSE_HUGE);
	if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
		return g_strdup ("");   /* nothing but white space or comments */

	out = g_string_new (NULL);
	w = (Walk) { limits->max_xml_depth };
	sink = (Sink) { out, FALSE, FALSE };
	walk_element (&w, xmlDocGetRootElement (doc), 1, &sink);
	sink_break (&sink);
	return g_string_free (g_steal_pointer (&out), FALSE);
}

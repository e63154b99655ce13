/* text.c - the plain-text form extractor: raw label/value pairs from lines.
 *
 * Part of extract (stage 3).  Every candidate ends up here as UTF-8 text: a
 * text body or .txt attachment as it is, the other formats as their extractor
 * laid them out (formats.h).  It splits lines into pairs and counts the form
 * fields they name; what the values mean is validate's business.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/extract.h"

#include <string.h>

/* A longer text before the colon is prose, not a label (unless it names a field). */
#define LABEL_MAX_CHARS 120

static gboolean
is_space (gunichar c)
{
	/* g_unichar_isspace() covers NBSP; a BOM left inside the text counts too */
	return g_unichar_isspace (c) || c == 0xFEFF;
}

/* A copy of @s[0..@len) without surrounding (Unicode) white space. */
static char *
trim_dup (const char *s, gsize len)
{
	const char *start = s;
	const char *end = s + len;

	while (start < end && is_space (g_utf8_get_char (start)))
		start = g_utf8_next_char (start);
	while (end > start) {
		const char *prev = g_utf8_find_prev_char (start, end);
		if (prev == NULL || !is_space (g_utf8_get_char (prev)))
			break;
		end = prev;
	}
	return g_strndup (start, end - start);
}

static const char *const mark_glyphs[] = {
	"☒", "☑", "☐", "□", "■", "✓", "✔", "✗", "✘",
};

/* Characters accepted between brackets: "[x]", "[ X ]", "[✓]", "(x)"; an empty
 * pair of brackets is an unticked box. */
static gboolean
is_bracket_mark_char (gunichar c)
{
	return c == 'x' || c == 'X' || c == 'v' || c == 'V' || c == '*' || c == '+' ||
	       c == 0x2713 || c == 0x2714 || c == 0x2717 || c == 0x2718 || c == 0x2612 ||
	       c == 0x2611 || c == 0x25A0;
}

/* Length of the bracketed mark at @s ("[x]", "[ X ]", "[ ]", "[]", "(x)"), or 0. */
static gsize
bracket_mark_len (const char *s)
{
	const char *p = s;
	char close;

	if (*p == '[')
		close = ']';
	else if (*p == '(')
		close = ')';
	else
		return 0;
	p++;
	while (*p == ' ')
		p++;
	if (*p != close) {
		if (!is_bracket_mark_char (g_utf8_get_char (p)))
			return 0;
		p = g_utf8_next_char (p);
		while (*p == ' ')
			p++;
	}
	if (*p != close)
		return 0;
	return (gsize) (p + 1 - s);
}

/* The checkbox mark at the start of @line: its length in bytes, 0 when none.
 * *@letter is set for the bare "X " / "x " marks, which need confirmation: they
 * are also how an ordinary sentence can begin. */
static gsize
leading_mark_len (const char *line, gboolean *letter)
{
	gsize n;

	*letter = FALSE;
	if ((n = bracket_mark_len (line)) > 0)
		return n;
	/* every glyph is beyond ASCII: most lines are not compared nine times */
	for (gsize i = 0; (guchar) line[0] >= 0x80 && i < G_N_ELEMENTS (mark_glyphs); i++)
		if (g_str_has_prefix (line, mark_glyphs[i]))
			return strlen (mark_glyphs[i]);
	if ((line[0] == 'x' || line[0] == 'X') && (line[1] == ' ' || line[1] == '\t')) {
		*letter = TRUE;
		return 1;
	}
	return 0;
}

typedef struct {
	const FormDef *def;
	FormData *form;
	GHashTable *seen;      /* FieldDef* recognised so far (a set) */
	guint max_words;       /* words in the longest checkbox label, plus slack (0: not
	                        * counted yet; most forms name their boxes exactly) */
	gboolean named;        /* the last pair added names a form field */
} Parser;

static const FieldDef *
match_checkbox (const Parser *ps, const char *label, gboolean whole)
{
	const FieldDef *f = whole ? formdef_match_whole (ps->def, label) : formdef_match (ps->def, label);
	return f != NULL && f->type == FIELD_CHECKBOX ? f : NULL;
}

static void
add_pair (Parser *ps, char *label, char *value)
{
	FormPair *pair = g_new (FormPair, 1);
	const FieldDef *f = formdef_match (ps->def, label);

	pair->label = label;
	pair->value = value;
	g_ptr_array_add (ps->form->pairs, pair);
	ps->named = f != NULL;
	if (f != NULL)
		g_hash_table_add (ps->seen, (gpointer) f);
}

static gboolean
label_ok (const Parser *ps, const char *label)
{
	if (*label == '\0')
		return FALSE;
	/* the form's own "Temat doradztwa (1 – ..., 4 – ...)" is longer than that */
	return g_utf8_strlen (label, -1) <= LABEL_MAX_CHARS || formdef_match (ps->def, label) != NULL;
}

/* The part of @rest (the text after a checkbox mark) that names a checkbox field,
 * or NULL: all of it, the text before a colon ("[x] Doradztwo: temat 2"), or the
 * longest run of leading words - the consent box is often followed by the whole
 * legal formula ("... osobowych przez ROPS w Katowicach zgodnie z ustawą ..."). */
static guint longest_checkbox_label (const FormDef *def);

static char *
checkbox_label (Parser *ps, const char *rest)
{
	const char *colon = strchr (rest, ':');
	g_autoptr (GArray) ends = g_array_new (FALSE, FALSE, sizeof (gsize));
	const char *p = rest;

	if (match_checkbox (ps, rest, TRUE))
		return g_strdup (rest);
	if (colon != NULL) {
		g_autofree char *label = trim_dup (rest, colon - rest);
		if (*label != '\0' && match_checkbox (ps, label, TRUE))
			return g_steal_pointer (&label);
	}

	/* word ends, up to the longest label we could match */
	if (ps->max_words == 0)
		/* slack for a word glued to punctuation or a short hint after the label */
		ps->max_words = longest_checkbox_label (ps->def) + 2;
	while (*p != '\0' && ends->len < ps->max_words) {
		gsize end;
		while (*p != '\0' && !is_space (g_utf8_get_char (p)))
			p = g_utf8_next_char (p);
		end = (gsize) (p - rest);
		g_array_append_val (ends, end);
		while (*p != '\0' && is_space (g_utf8_get_char (p)))
			p = g_utf8_next_char (p);
	}
	for (guint n = ends->len; n > 0; n--) {
		gsize end = g_array_index (ends, gsize, n - 1);
		g_autofree char *label = NULL;

		/* "... danych osobowych." / "Doradztwo," */
		while (end > 0 && strchr (".,;:!", rest[end - 1]) != NULL)
			end--;
		label = trim_dup (rest, end);
		if (*label != '\0' && match_checkbox (ps, label, TRUE))
			return g_steal_pointer (&label);
	}
	/* a label that is only the start of a longer clause, cut by the word limit */
	if (match_checkbox (ps, rest, FALSE))
		return g_strdup (rest);
	return NULL;
}

/* A line starting with a checkbox mark.  TRUE when it was consumed. */
static gboolean
parse_checkbox_line (Parser *ps, const char *line)
{
	gboolean letter;
	gsize n = leading_mark_len (line, &letter);
	g_autofree char *rest = NULL;
	g_autofree char *label = NULL;
	const char *colon;

	if (n == 0)
		return FALSE;
	rest = trim_dup (line + n, strlen (line + n));
	if (*rest == '\0')
		return !letter;   /* a lone "[x]": nothing to pair it with */

	if ((label = checkbox_label (ps, rest)) != NULL) {
		add_pair (ps, g_steal_pointer (&label), g_strndup (line, n));
		return TRUE;
	}
	/* "X Ogólnopolski Kongres: termin" is a sentence, not a ticked box */
	if (letter)
		return FALSE;

	/* "[x] Temat doradztwa: 2" - a stray mark before an ordinary pair */
	colon = strchr (rest, ':');
	if (colon != NULL) {
		g_autofree char *before = trim_dup (rest, colon - rest);
		if (label_ok (ps, before)) {
			add_pair (ps, g_steal_pointer (&before), trim_dup (colon + 1, strlen (colon + 1)));
			return TRUE;
		}
	}
	add_pair (ps, g_steal_pointer (&rest), g_strndup (line, n));
	return TRUE;
}

/* "Doradztwo [x]": a mark after a checkbox label.  TRUE when consumed. */
static gboolean
parse_trailing_mark (Parser *ps, const char *line)
{
	const char *open = strrchr (line, '[');
	const char *paren = strrchr (line, '(');
	g_autofree char *label = NULL;

	if (paren != NULL && (open == NULL || paren > open))
		open = paren;
	if (open == NULL || open == line || bracket_mark_len (open) != strlen (open))
		return FALSE;
	label = trim_dup (line, open - line);
	if (*label == '\0' || !match_checkbox (ps, label, FALSE))
		return FALSE;
	add_pair (ps, g_steal_pointer (&label), g_strdup (open));
	return TRUE;
}

static void
parse_line (Parser *ps, const char *start, gsize len)
{
	const char *end = start + len;
	g_autofree char *line = NULL;
	const char *sep, *tab;

	/* quoted reply: "> Imię: Jan", "> > Imię: Jan", ">>Imię: Jan" */
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (start < end && *start == '>') {
		start++;
		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
	}
	line = trim_dup (start, end - start);
	if (*line == '\0')
		return;
	len = (gsize) (end - start);

	if (parse_checkbox_line (ps, line))
		return;

	/* "Label: value" - the first colon, since values hold colons (times, URLs);
	 * unless a TAB comes first: a table row "Label<TAB>10:30" splits there.
	 * (@line is @start without its leading blanks, so offsets compare.) */
	tab = memchr (start, '\t', len);
	/* a table row whose first cell is a whole label: colons inside the cell
	 * ("Temat (1: ..., 2: ...)", "Imię:") are the label's own */
	if (tab != NULL) {
		g_autofree char *cell = trim_dup (start, tab - start);
		if (*cell != '\0' && strchr (cell, ':') != NULL && formdef_match (ps->def, cell) != NULL) {
			gsize n = strlen (cell);
			while (n > 0 && (cell[n - 1] == ':' || cell[n - 1] == ' '))
				cell[--n] = '\0';
			add_pair (ps, g_steal_pointer (&cell), trim_dup (tab, end - tab));
			return;
		}
	}
	sep = strchr (line, ':');
	if (sep != NULL && (tab == NULL || sep - line < tab - start)) {
		g_autofree char *label = trim_dup (line, sep - line);
		if (label_ok (ps, label)) {
			add_pair (ps, g_steal_pointer (&label), trim_dup (sep + 1, strlen (sep + 1)));
			return;
		}
	}
	if (parse_trailing_mark (ps, line))
		return;
	/* "Label<TAB>value", as pasted from a spreadsheet or a table; looked for
	 * before trimming, so "Telefon<TAB>" is a field left empty */
	if ((sep = memchr (start, '\t', len)) != NULL) {
		g_autofree char *label = trim_dup (start, sep - start);
		if (label_ok (ps, label))
			add_pair (ps, g_steal_pointer (&label), trim_dup (sep, end - sep));
	}
}

/* Lines a wrapped label may continue on. */
#define WRAP_LINES 3

typedef struct {
	const char *start;
	gsize len;
} Line;

/* @line trimmed, without a quote prefix. (transfer full) */
static char *
line_text (const Line *line)
{
	const char *p = line->start, *end = line->start + line->len;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '>'))
		p++;
	return trim_dup (p, (gsize) (end - p));
}

/* A label wrapped over lines, as a printed PDF or a narrow table cell sets it:
 * @lines[0] did not name a field ("Wyrażam zgodę na przetwarzanie moich<TAB>X",
 * "☒ Wyrażam zgodę na przetwarzanie moich", "Powiat / miasto na"), and joined
 * with the next lines (no TAB, no mark) its label does ("... danych osobowych",
 * "prawach powiatu: Żory").  Only a label that names a field is taken, so prose
 * stays prose.  Returns the lines consumed after the first (0: none). */
static guint
parse_wrapped (Parser *ps, const Line *lines, guint n)
{
	g_autofree char *head = line_text (&lines[0]);
	const char *tab = strchr (head, '\t');
	g_autofree char *value = NULL;
	g_autofree char *mark = NULL;
	g_autoptr (GString) label = NULL;
	gboolean letter;
	gsize m;

	if (*head == '\0' || strchr (head, ':') != NULL)
		return 0;
	if (tab != NULL) {
		g_autofree char *first = trim_dup (head, (gsize) (tab - head));
		value = trim_dup (tab, strlen (tab));
		label = g_string_new (first);
	} else if ((m = leading_mark_len (head, &letter)) > 0 && !letter) {
		g_autofree char *first = trim_dup (head + m, strlen (head + m));
		mark = g_strndup (head, m);
		label = g_string_new (first);
	} else {
		label = g_string_new (head);
	}
	if (label->len == 0 || g_utf8_strlen (label->str, -1) > LABEL_MAX_CHARS)
		return 0;
	for (guint k = 1; k < n && k <= WRAP_LINES; k++) {
		g_autofree char *next = line_text (&lines[k]);
		const char *colon = strchr (next, ':');
		gboolean letter2;

		if (*next == '\0' || strchr (next, '\t') != NULL || leading_mark_len (next, &letter2) > 0)
			return 0;
		if (colon != NULL && value == NULL && mark == NULL) {
			/* "Powiat / miasto na" + "prawach powiatu: Żory" */
			g_autofree char *rest = trim_dup (next, (gsize) (colon - next));
			g_autofree char *joined = g_strconcat (label->str, " ", rest, NULL);
			if (formdef_match (ps->def, joined) == NULL)
				return 0;
			add_pair (ps, g_steal_pointer (&joined), trim_dup (colon + 1, strlen (colon + 1)));
			return k;
		}
		g_string_append_printf (label, " %s", next);
		if (value == NULL && mark == NULL)
			continue;   /* without a value or mark the label is not done */
		if (formdef_match (ps->def, label->str) != NULL) {
			add_pair (ps, g_string_free (g_steal_pointer (&label), FALSE),
			          value != NULL ? g_steal_pointer (&value) : g_steal_pointer (&mark));
			return k;
		}
	}
	return 0;
}

static guint
count_words (const char *s)
{
	g_autofree char *norm = formdef_normalize (s);
	guint n = *norm != '\0';

	for (const char *p = norm; *p; p++)
		n += *p == ' ';
	return n;
}

static guint
longest_checkbox_label (const FormDef *def)
{
	guint max = 0;

	for (guint i = 0; i < def->fields->len; i++) {
		const FieldDef *f = g_ptr_array_index (def->fields, i);
		if (f->type != FIELD_CHECKBOX)
			continue;
		max = MAX (max, count_words (f->label));
		for (char **a = f->aliases; a != NULL && *a != NULL; a++)
			max = MAX (max, count_words (*a));
	}
	return max;
}

FormData *
extract_text (const char *text, const FormDef *def)
{
	g_autoptr (GHashTable) seen = NULL;
	g_autoptr (GArray) lines = NULL;
	FormData *form;
	Parser ps;
	const char *p = text;

	g_return_val_if_fail (text != NULL && def != NULL, NULL);
	seen = g_hash_table_new (g_direct_hash, g_direct_equal);
	lines = g_array_new (FALSE, FALSE, sizeof (Line));
	form = form_data_new (NULL, "text");
	ps = (Parser) { def, form, seen, 0, FALSE };
	while (*p != '\0') {
		/* lines end in "\r\n", "\n" or a lone "\r" (old Mac clients) */
		Line line = { p, strcspn (p, "\r\n") };

		g_array_append_val (lines, line);
		p += line.len;
		if (p[0] == '\r' && p[1] == '\n')
			p += 2;
		else if (*p != '\0')
			p++;
	}
	for (guint i = 0; i < lines->len; i++) {
		const Line *line = &g_array_index (lines, Line, i);
		guint before = form->pairs->len;

		parse_line (&ps, line->start, line->len);
		if (form->pairs->len > before && ps.named)
			continue;
		/* no field named: perhaps the start of a wrapped label, which then
		 * replaces the pair the line made alone (not a field's) */
		if (i + 1 < lines->len) {
			guint used = parse_wrapped (&ps, line, lines->len - i);
			if (used > 0 && form->pairs->len > before + 1)
				g_ptr_array_remove_index (form->pairs, before);
			i += used;
		}
	}
	form->matched = g_hash_table_size (seen);
	return form;
}

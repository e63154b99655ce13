/* rtf.c - the RTF extractor of stage 3: a small reader of Rich Text Format.
 *
 * One pass over the control words (RTF 1.9.1 spec), keeping only what makes
 * the form text of formats.h: paragraphs and line breaks as lines, table
 * cells joined by TAB and rows as lines, legacy form fields (a text field's
 * result, a checkbox as ☒/☐ before its label).  Bytes "\'hh" go through the
 * document's code page (\ansicpgN, or a font's \fcharsetN), "\uN" is Unicode
 * with its \ucN fallback characters skipped.  Destinations that are not body
 * text (font and colour tables, styles, pictures, headers, field codes) are
 * skipped.  Group nesting and the text produced are bounded by the limits.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <stdlib.h>
#include <string.h>

#include "core/errors.h"

#define MARK_TICKED "☒ "
#define MARK_EMPTY "☐ "
/* \ffres of a checkbox whose state was never set: \ffdefres holds it */
#define FFRES_UNDEFINED 25
/* Longest control word and parameter the spec allows (32 letters, 10 digits). */
#define WORD_MAX 32
#define PARAM_MAX 10
/* Fonts remembered for their charset. */
#define MAX_FONTS 1024

typedef enum {
	DEST_TEXT,       /* body text: goes to the output */
	DEST_SKIP,       /* not text: ignored, groups inside too */
	DEST_FONTTBL,    /* read for the charset of each font */
	DEST_FLDINST,    /* a field's code: ignored but for a \formfield in it */
	DEST_FORMFIELD,  /* a form field's data: type and checkbox state */
} Dest;

typedef struct {
	Dest dest;
	guint uc;          /* fallback characters after \uN */
	guint cp;          /* code page of \'hh */
	gboolean intbl;    /* paragraph in a table: \par is a break inside a cell */
} State;

typedef struct {
	const ExtractLimits *limits;
	const guint8 *p, *end;
	GArray *stack;      /* State, innermost last */
	GString *out;
	guint doc_cp;       /* \ansicpgN */
	int font;           /* the font being defined in the font table */
	GHashTable *font_cp;   /* font number -> code page (GINT_TO_POINTER) */
	GHashTable *tables;    /* code page -> gunichar[128] for bytes 0x80..0xFF */
	guint skip;         /* fallback characters still to skip after \uN */
	int fftype;         /* form field: 0 text, 1 checkbox, 2 list; -1 none */
	int ffres, ffdefres;
	gboolean over;      /* the output passed the limit */
} Reader;

static State *
top (Reader *r)
{
	return &g_array_index (r->stack, State, r->stack->len - 1);
}

/* Bytes 0x80..0xFF of code page @cp as Unicode, 0 where it has none. */
static const gunichar *
cp_table (Reader *r, guint cp)
{
	gunichar *table = g_hash_table_lookup (r->tables, GUINT_TO_POINTER (cp));
	g_autofree char *name = NULL;
	GIConv conv;

	if (table != NULL)
		return table;
	table = g_new0 (gunichar, 128);
	g_hash_table_insert (r->tables, GUINT_TO_POINTER (cp), table);
	name = cp == 10000 ? g_strdup ("MACINTOSH") : g_strdup_printf ("CP%u", cp);
	if ((conv = g_iconv_open ("UTF-8", name)) == (GIConv) -1 &&
	    (conv = g_iconv_open ("UTF-8", "CP1252")) == (GIConv) -1)
		return table;
	for (guint b = 0x80; b <= 0xFF; b++) {
		char in[1] = { (char) b }, outbuf[8] = { 0 };
		char *ip = in, *op = outbuf;
		gsize il = 1, ol = sizeof outbuf - 1;

		g_iconv (conv, NULL, NULL, NULL, NULL);
		if (g_iconv (conv, &ip, &il, &op, &ol) != (gsize) -1)
			table[b - 0x80] = g_utf8_get_char_validated (outbuf, -1);
		if (table[b - 0x80] == (gunichar) -1 || table[b - 0x80] == (gunichar) -2)
			table[b - 0x80] = 0;
	}
	g_iconv_close (conv);
	return table;
}

/* The code page of Windows charset @charset (\fcharsetN), 0 for "the document's". */
static guint
charset_cp (int charset)
{
	static const struct { int charset; guint cp; } map[] = {
		{ 77, 10000 }, { 161, 1253 }, { 162, 1254 }, { 163, 1258 }, { 177, 1255 },
		{ 178, 1256 }, { 186, 1257 }, { 204, 1251 }, { 222, 874 }, { 238, 1250 },
	};
	for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
		if (map[i].charset == charset)
			return map[i].cp;
	return 0;
}

static void
emit_text (Reader *r, const char *s, gsize len)
{
	if (r->over)
		return;
	if (r->out->len + len > r->limits->max_text) {
		r->over = TRUE;
		return;
	}
	g_string_append_len (r->out, s, (gssize) len);
}

static void
emit_char (Reader *r, gunichar c)
{
	char buf[6];

	if (top (r)->dest != DEST_TEXT || c == 0)
		return;
	/* control characters would break the line layout; a TAB is a separator */
	if (c < 0x20 && c != '\t' && c != '\n')
		c = ' ';
	emit_text (r, buf, (gsize) g_unichar_to_utf8 (c, buf));
}

/* A line, cell or in-cell break (@c: '\n', '\t', ' '): no run of blank lines,
 * no blank at the end of a line or cell. */
static void
emit_break (Reader *r, char c)
{
	if (top (r)->dest != DEST_TEXT)
		return;
	while (r->out->len > 0 && r->out->str[r->out->len - 1] == ' ')
		g_string_truncate (r->out, r->out->len - 1);
	if (c == '\n' && (r->out->len == 0 || r->out->str[r->out->len - 1] == '\n'))
		return;
	if (c == ' ' && (r->out->len == 0 || r->out->str[r->out->len - 1] == '\t'))
		return;
	emit_text (r, &c, 1);
}

/* A character from the document, unless it is a \uN fallback. */
static void
emit_plain (Reader *r, gunichar c)
{
	if (r->skip > 0) {
		r->skip--;
		return;
	}
	emit_char (r, c);
}

static void
emit_byte (Reader *r, guint8 b)
{
	State *s = top (r);

	if (r->skip > 0) {
		r->skip--;
		return;
	}
	if (b < 0x80)
		emit_char (r, b);
	else
		emit_char (r, cp_table (r, s->cp ? s->cp : r->doc_cp)[b - 0x80]);
}

/* The end of a \formfield group: a checkbox is its mark, put where the field
 * stands (before the label that follows it). */
static void
end_formfield (Reader *r)
{
	int state = r->ffres == FFRES_UNDEFINED || r->ffres < 0 ? r->ffdefres : r->ffres;

	if (r->fftype == 1 && !r->over) {
		const char *mark = state == 1 ? MARK_TICKED : MARK_EMPTY;
		if (r->out->len + strlen (mark) > r->limits->max_text)
			r->over = TRUE;
		else
			g_string_append (r->out, mark);
	}
	r->fftype = -1;
}

static const struct {
	const char *word;
	Dest dest;
} destinations[] = {
	{ "fonttbl", DEST_FONTTBL }, { "fldinst", DEST_FLDINST }, { "formfield", DEST_FORMFIELD },
	{ "colortbl", DEST_SKIP }, { "stylesheet", DEST_SKIP }, { "info", DEST_SKIP },
	{ "pict", DEST_SKIP }, { "object", DEST_SKIP }, { "header", DEST_SKIP }, { "headerl", DEST_SKIP },
	{ "headerr", DEST_SKIP }, { "headerf", DEST_SKIP }, { "footer", DEST_SKIP },
	{ "footerl", DEST_SKIP }, { "footerr", DEST_SKIP }, { "footerf", DEST_SKIP },
	{ "footnote", DEST_SKIP }, { "annotation", DEST_SKIP }, { "xe", DEST_SKIP }, { "tc", DEST_SKIP },
	{ "listtable", DEST_SKIP }, { "listoverridetable", DEST_SKIP }, { "revtbl", DEST_SKIP },
	{ "rsidtbl", DEST_SKIP }, { "filetbl", DEST_SKIP }, { "themedata", DEST_SKIP },
	{ "colorschememapping", DEST_SKIP }, { "latentstyles", DEST_SKIP }, { "datastore", DEST_SKIP },
	{ "shppict", DEST_SKIP }, { "nonshppict", DEST_SKIP }, { "shpinst", DEST_SKIP },
	{ "author", DEST_SKIP }, { "operator", DEST_SKIP }, { "title", DEST_SKIP }, { "subject", DEST_SKIP },
	{ "keywords", DEST_SKIP }, { "comment", DEST_SKIP }, { "doccomm", DEST_SKIP },
	{ "bkmkstart", DEST_SKIP }, { "bkmkend", DEST_SKIP }, { "generator", DEST_SKIP },
	{ "pgdsctbl", DEST_SKIP }, { "pn", DEST_SKIP }, { "pntext", DEST_SKIP }, { "listtext", DEST_SKIP },
	{ "ffname", DEST_SKIP }, { "ffdeftext", DEST_SKIP }, { "ffformat", DEST_SKIP },
	{ "ffhelptext", DEST_SKIP }, { "ffstattext", DEST_SKIP }, { "ffentrymcr", DEST_SKIP },
	{ "ffexitmcr", DEST_SKIP }, { "ffl", DEST_SKIP }, { "template", DEST_SKIP },
	{ "userprops", DEST_SKIP }, { "xmlnstbl", DEST_SKIP }, { "mmathPr", DEST_SKIP },
};

static const struct {
	const char *word;
	gunichar c;
} symbols[] = {
	{ "emdash", 0x2014 }, { "endash", 0x2013 }, { "bullet", 0x2022 }, { "lquote", 0x2018 },
	{ "rquote", 0x2019 }, { "ldblquote", 0x201C }, { "rdblquote", 0x201D }, { "emspace", ' ' },
	{ "enspace", ' ' }, { "qmspace", ' ' },
};

/* Control word @word with parameter @param (@has_param); @ignorable after "\*". */
static void
control_word (Reader *r, const char *word, gboolean has_param, long param, gboolean ignorable)
{
	State *s = top (r);

	for (gsize i = 0; i < G_N_ELEMENTS (destinations); i++)
		if (strcmp (word, destinations[i].word) == 0) {
			Dest d = destinations[i].dest;
			/* a form field's data counts only inside a field's code */
			if (d == DEST_FORMFIELD) {
				if (s->dest != DEST_FLDINST)
					d = DEST_SKIP;
				else
					r->fftype = 0, r->ffres = -1, r->ffdefres = 0;
			}
			if (s->dest == DEST_TEXT || s->dest == DEST_FLDINST || d == DEST_SKIP)
				s->dest = d;
			return;
		}
	if (ignorable) {
		s->dest = DEST_SKIP;   /* "\*\unknown": skip the group */
		return;
	}
	if (s->dest == DEST_FORMFIELD) {
		if (strcmp (word, "fftype") == 0)
			r->fftype = (int) param;
		else if (strcmp (word, "ffres") == 0)
			r->ffres = (int) param;
		else if (strcmp (word, "ffdefres") == 0)
			r->ffdefres = (int) param;
		return;
	}
	if (s->dest == DEST_FONTTBL) {
		if (strcmp (word, "f") == 0)
			r->font = (int) param;
		else if (strcmp (word, "fcharset") == 0 && charset_cp ((int) param) != 0 &&
		         g_hash_table_size (r->font_cp) < MAX_FONTS)
			g_hash_table_insert (r->font_cp, GINT_TO_POINTER (r->font),
			                     GUINT_TO_POINTER (charset_cp ((int) param)));
		return;
	}
	if (strcmp (word, "u") == 0 && has_param) {
		gunichar c = (gunichar) (param < 0 ? param + 65536 : param);
		if (r->skip == 0)
			emit_char (r, g_unichar_validate (c) ? c : 0xFFFD);
		r->skip = s->uc;
		return;
	}
	/* a control word counts as one fallback character */
	if (r->skip > 0) {
		r->skip--;
		return;
	}
	if (strcmp (word, "uc") == 0 && has_param && param >= 0 && param <= 8)
		s->uc = (guint) param;
	else if (strcmp (word, "ansicpg") == 0 && has_param && param > 0 && param < 100000)
		r->doc_cp = (guint) param;
	else if (strcmp (word, "mac") == 0)
		r->doc_cp = 10000;
	else if (strcmp (word, "pc") == 0)
		r->doc_cp = 437;
	else if (strcmp (word, "pca") == 0)
		r->doc_cp = 850;
	else if (strcmp (word, "f") == 0 && has_param)
		s->cp = GPOINTER_TO_UINT (g_hash_table_lookup (r->font_cp, GINT_TO_POINTER ((int) param)));
	else if (strcmp (word, "par") == 0 || strcmp (word, "sect") == 0 || strcmp (word, "page") == 0 ||
	         strcmp (word, "line") == 0)
		/* a cell of several lines stays one cell of its row */
		emit_break (r, s->intbl ? ' ' : '\n');
	else if (strcmp (word, "pard") == 0)
		s->intbl = FALSE;
	else if (strcmp (word, "intbl") == 0)
		s->intbl = TRUE;
	else if (strcmp (word, "cell") == 0 || strcmp (word, "nestcell") == 0)
		emit_break (r, '\t');
	else if (strcmp (word, "row") == 0 || strcmp (word, "nestrow") == 0) {
		/* the last cell's TAB: "Imię<TAB>Jan" (an empty last cell keeps one) */
		if (s->dest == DEST_TEXT && r->out->len > 0 && r->out->str[r->out->len - 1] == '\t')
			g_string_truncate (r->out, r->out->len - 1);
		emit_break (r, '\n');
	}
	else if (strcmp (word, "tab") == 0)
		emit_char (r, '\t');
	else
		for (gsize i = 0; i < G_N_ELEMENTS (symbols); i++)
			if (strcmp (word, symbols[i].word) == 0)
				emit_char (r, symbols[i].c);
}

static gboolean
open_group (Reader *r, GError **error)
{
	State s = *top (r);

	if (r->stack->len > r->limits->max_xml_depth) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "RTF nests groups deeper than %u levels",
		             r->limits->max_xml_depth);
		return FALSE;
	}
	/* a skipped group stays skipped; a field's code skips all but a form field */
	g_array_append_val (r->stack, s);
	return TRUE;
}

static void
close_group (Reader *r)
{
	Dest was = top (r)->dest;

	if (r->stack->len <= 1)
		return;   /* a stray '}' */
	g_array_set_size (r->stack, r->stack->len - 1);
	if (was == DEST_FORMFIELD && top (r)->dest != DEST_FORMFIELD)
		end_formfield (r);
	r->skip = 0;
}

/* "\word-12 ", "\'e9", "\{": one control item after the backslash. */
static void
control (Reader *r, gboolean *ignorable_next)
{
	char word[WORD_MAX + 1];
	char num[PARAM_MAX + 2];
	gsize n = 0, k = 0;
	gboolean ignorable = *ignorable_next;

	*ignorable_next = FALSE;
	if (r->p >= r->end)
		return;
	if (!g_ascii_isalpha (*r->p)) {
		guint8 c = *r->p++;
		switch (c) {
		case '\'':
			if (r->end - r->p >= 2 && g_ascii_isxdigit (r->p[0]) && g_ascii_isxdigit (r->p[1])) {
				guint8 b = (guint8) (g_ascii_xdigit_value (r->p[0]) * 16 + g_ascii_xdigit_value (r->p[1]));
				r->p += 2;
				emit_byte (r, b);
			}
			break;
		case '*':
			*ignorable_next = TRUE;
			break;
		case '~':
			emit_plain (r, 0xA0);
			break;
		case '_':
			emit_plain (r, 0x2011);
			break;
		case '\\': case '{': case '}':
			emit_plain (r, c);
			break;
		case '\n': case '\r':   /* "\<newline>" is \par */
			control_word (r, "par", FALSE, 0, FALSE);
			break;
		default:
			break;   /* \- optional hyphen, \| \: formula and index marks */
		}
		return;
	}
	while (r->p < r->end && g_ascii_isalpha (*r->p)) {
		if (n < WORD_MAX)
			word[n++] = (char) *r->p;
		r->p++;
	}
	word[n] = '\0';
	if (r->p < r->end && (*r->p == '-' || g_ascii_isdigit (*r->p))) {
		num[k++] = (char) *r->p++;
		while (r->p < r->end && g_ascii_isdigit (*r->p)) {
			if (k <= PARAM_MAX)
				num[k++] = (char) *r->p;
			r->p++;
		}
	}
	num[k] = '\0';
	if (r->p < r->end && *r->p == ' ')
		r->p++;
	if (strcmp (word, "bin") == 0) {
		/* binary data of a picture or object: skipped, as bytes */
		long len = k > 0 ? strtol (num, NULL, 10) : 0;
		r->p += CLAMP (len, 0, r->end - r->p);
		return;
	}
	control_word (r, word, k > 0 && strcmp (num, "-") != 0, k > 0 ? strtol (num, NULL, 10) : 0, ignorable);
}

char *
extract_rtf (GBytes *data, const ExtractLimits *limits, GError **error)
{
	gsize len;
	const guint8 *bytes = g_bytes_get_data (data, &len);
	g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (State));
	g_autoptr (GHashTable) font_cp = g_hash_table_new (g_direct_hash, g_direct_equal);
	g_autoptr (GHashTable) tables = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
	g_autoptr (GString) out = g_string_new (NULL);
	State base = { DEST_TEXT, 1, 0, FALSE };
	Reader r = { limits, bytes, bytes + len, stack, out, 1252, 0, font_cp, tables, 0, -1, -1, 0, FALSE };
	gboolean ignorable = FALSE;
	gboolean blank = TRUE;

	if (len < 5 || memcmp (bytes, "{\\rtf", 5) != 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "not an RTF document");
		return NULL;
	}
	g_array_append_val (stack, base);
	while (r.p < r.end) {
		guint8 c = *r.p++;

		if (c == '{') {
			if (!open_group (&r, error))
				return NULL;
		} else if (c == '}') {
			close_group (&r);
		} else if (c == '\\') {
			control (&r, &ignorable);
			continue;   /* keeps a "\*" for the word after it */
		} else if (c == '\r' || c == '\n') {
			/* line ends in RTF source are not text */
		} else if (c >= 0x80) {
			emit_byte (&r, c);   /* 8-bit text not escaped: some writers do that */
		} else {
			emit_plain (&r, c == '\t' ? '\t' : c);
		}
		ignorable = FALSE;
		if (r.over) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "RTF text longer than %" G_GSIZE_FORMAT
			             " bytes", limits->max_text);
			return NULL;
		}
	}
	if (r.over) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "RTF text longer than %" G_GSIZE_FORMAT
		             " bytes", limits->max_text);
		return NULL;
	}
	for (gsize i = 0; i < out->len && blank; i++)
		blank = g_ascii_isspace (out->str[i]);
	if (blank) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "RTF document holds no text");
		return NULL;
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

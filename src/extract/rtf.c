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

typedef enum {
	W_DEST,       /* a destination: arg is its Dest */
	W_FFTYPE, W_FFRES, W_FFDEFRES,   /* form field data */
	W_F, W_FCHARSET,                 /* font number; font charset (in the font table) */
	W_U, W_UC, W_ANSICPG,
	W_CP,         /* \mac, \pc, \pca: arg is the code page */
	W_BREAK,      /* \par, \sect, \page, \line */
	W_PARD, W_INTBL, W_CELL, W_ROW,
	W_CHAR,       /* a character: arg */
} WordKind;

typedef struct {
	const char *word;
	WordKind kind;
	guint32 arg;
} Word;

/* The control words that matter; every other one is ignored.  Looked up in a
 * hash table: a document holds thousands of them. */
static const Word words[] = {
	{ "fonttbl", W_DEST, DEST_FONTTBL }, { "fldinst", W_DEST, DEST_FLDINST },
	{ "formfield", W_DEST, DEST_FORMFIELD },
	{ "colortbl", W_DEST, DEST_SKIP }, { "stylesheet", W_DEST, DEST_SKIP }, { "info", W_DEST, DEST_SKIP },
	{ "pict", W_DEST, DEST_SKIP }, { "object", W_DEST, DEST_SKIP }, { "header", W_DEST, DEST_SKIP },
	{ "headerl", W_DEST, DEST_SKIP }, { "headerr", W_DEST, DEST_SKIP }, { "headerf", W_DEST, DEST_SKIP },
	{ "footer", W_DEST, DEST_SKIP }, { "footerl", W_DEST, DEST_SKIP }, { "footerr", W_DEST, DEST_SKIP },
	{ "footerf", W_DEST, DEST_SKIP }, { "footnote", W_DEST, DEST_SKIP }, { "annotation", W_DEST, DEST_SKIP },
	{ "xe", W_DEST, DEST_SKIP }, { "tc", W_DEST, DEST_SKIP }, { "listtable", W_DEST, DEST_SKIP },
	{ "listoverridetable", W_DEST, DEST_SKIP }, { "revtbl", W_DEST, DEST_SKIP },
	{ "rsidtbl", W_DEST, DEST_SKIP }, { "filetbl", W_DEST, DEST_SKIP }, { "themedata", W_DEST, DEST_SKIP },
	{ "colorschememapping", W_DEST, DEST_SKIP }, { "latentstyles", W_DEST, DEST_SKIP },
	{ "datastore", W_DEST, DEST_SKIP }, { "shppict", W_DEST, DEST_SKIP }, { "nonshppict", W_DEST, DEST_SKIP },
	{ "shpinst", W_DEST, DEST_SKIP }, { "author", W_DEST, DEST_SKIP }, { "operator", W_DEST, DEST_SKIP },
	{ "title", W_DEST, DEST_SKIP }, { "subject", W_DEST, DEST_SKIP }, { "keywords", W_DEST, DEST_SKIP },
	{ "comment", W_DEST, DEST_SKIP }, { "doccomm", W_DEST, DEST_SKIP }, { "bkmkstart", W_DEST, DEST_SKIP },
	{ "bkmkend", W_DEST, DEST_SKIP }, { "generator", W_DEST, DEST_SKIP }, { "pgdsctbl", W_DEST, DEST_SKIP },
	{ "pn", W_DEST, DEST_SKIP }, { "pntext", W_DEST, DEST_SKIP }, { "listtext", W_DEST, DEST_SKIP },
	{ "ffname", W_DEST, DEST_SKIP }, { "ffdeftext", W_DEST, DEST_SKIP }, { "ffformat", W_DEST, DEST_SKIP },
	{ "ffhelptext", W_DEST, DEST_SKIP }, { "ffstattext", W_DEST, DEST_SKIP },
	{ "ffentrymcr", W_DEST, DEST_SKIP }, { "ffexitmcr", W_DEST, DEST_SKIP }, { "ffl", W_DEST, DEST_SKIP },
	{ "template", W_DEST, DEST_SKIP }, { "userprops", W_DEST, DEST_SKIP }, { "xmlnstbl", W_DEST, DEST_SKIP },
	{ "mmathPr", W_DEST, DEST_SKIP },
	{ "fftype", W_FFTYPE, 0 }, { "ffres", W_FFRES, 0 }, { "ffdefres", W_FFDEFRES, 0 },
	{ "f", W_F, 0 }, { "fcharset", W_FCHARSET, 0 },
	{ "u", W_U, 0 }, { "uc", W_UC, 0 }, { "ansicpg", W_ANSICPG, 0 },
	{ "mac", W_CP, 10000 }, { "pc", W_CP, 437 }, { "pca", W_CP, 850 },
	{ "par", W_BREAK, 0 }, { "sect", W_BREAK, 0 }, { "page", W_BREAK, 0 }, { "line", W_BREAK, 0 },
	{ "pard", W_PARD, 0 }, { "intbl", W_INTBL, 0 },
	{ "cell", W_CELL, 0 }, { "nestcell", W_CELL, 0 }, { "row", W_ROW, 0 }, { "nestrow", W_ROW, 0 },
	{ "tab", W_CHAR, '\t' }, { "emdash", W_CHAR, 0x2014 }, { "endash", W_CHAR, 0x2013 },
	{ "bullet", W_CHAR, 0x2022 }, { "lquote", W_CHAR, 0x2018 }, { "rquote", W_CHAR, 0x2019 },
	{ "ldblquote", W_CHAR, 0x201C }, { "rdblquote", W_CHAR, 0x201D }, { "emspace", W_CHAR, ' ' },
	{ "enspace", W_CHAR, ' ' }, { "qmspace", W_CHAR, ' ' },
};

static gpointer
index_words (gpointer unused)
{
	GHashTable *index = g_hash_table_new (g_str_hash, g_str_equal);

	for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
		g_hash_table_insert (index, (gpointer) words[i].word, (gpointer) &words[i]);
	return index;
}

static const Word *
lookup_word (const char *word)
{
	static GOnce once = G_ONCE_INIT;

	return g_hash_table_lookup (g_once (&once, index_words, NULL), word);
}

/* A destination starts: the group's text goes there (or nowhere). */
static void
start_destination (Reader *r, State *s, Dest d)
{
	/* a form field's data counts only inside a field's code */
	if (d == DEST_FORMFIELD) {
		if (s->dest != DEST_FLDINST)
			d = DEST_SKIP;
		else
			r->fftype = 0, r->ffres = -1, r->ffdefres = 0;
	}
	if (s->dest == DEST_TEXT || s->dest == DEST_FLDINST || d == DEST_SKIP)
		s->dest = d;
}

/* Control word @word with parameter @param (@has_param); @ignorable after "\*". */
static void
control_word (Reader *r, const char *word, gboolean has_param, long param, gboolean ignorable)
{
	State *s = top (r);
	const Word *w = lookup_word (word);

	if (w != NULL && w->kind == W_DEST) {
		start_destination (r, s, (Dest) w->arg);
		return;
	}
	if (ignorable) {
		s->dest = DEST_SKIP;   /* "\*\unknown": skip the group */
		return;
	}
	if (w == NULL)
		return;
	if (s->dest == DEST_FORMFIELD) {
		if (w->kind == W_FFTYPE)
			r->fftype = (int) param;
		else if (w->kind == W_FFRES)
			r->ffres = (int) param;
		else if (w->kind == W_FFDEFRES)
			r->ffdefres = (int) param;
		return;
	}
	if (s->dest == DEST_FONTTBL) {
		if (w->kind == W_F)
			r->font = (int) param;
		else if (w->kind == W_FCHARSET && charset_cp ((int) param) != 0 &&
		         g_hash_table_size (r->font_cp) < MAX_FONTS)
			g_hash_table_insert (r->font_cp, GINT_TO_POINTER (r->font),
			                     GUINT_TO_POINTER (charset_cp ((int) param)));
		return;
	}
	if (w->kind == W_U && has_param) {
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
	switch (w->kind) {
	case W_UC:
		if (has_param && param >= 0 && param <= 8)
			s->uc = (guint) param;
		break;
	case W_ANSICPG:
		if (has_param && param > 0 && param < 100000)
			r->doc_cp = (guint) param;
		break;
	case W_CP:
		r->doc_cp = w->arg;
		break;
	case W_F:
		if (has_param)
			s->cp = GPOINTER_TO_UINT (g_hash_table_lookup (r->font_cp, GINT_TO_POINTER ((int) param)));
		break;
	case W_BREAK:
		/* a cell of several lines stays one cell of its row */
		emit_break (r, s->intbl ? ' ' : '\n');
		break;
	case W_PARD:
		s->intbl = FALSE;
		break;
	case W_INTBL:
		s->intbl = TRUE;
		break;
	case W_CELL:
		emit_break (r, '\t');
		break;
	case W_ROW:
		/* the last cell's TAB: "Imię<TAB>Jan" (an empty last cell keeps one) */
		if (s->dest == DEST_TEXT && r->out->len > 0 && r->out->str[r->out->len - 1] == '\t')
			g_string_truncate (r->out, r->out->len - 1);
		emit_break (r, '\n');
		break;
	case W_CHAR:
		emit_char (r, w->arg);
		break;
	default:
		break;   /* form field and font table words outside their destination */
	}
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

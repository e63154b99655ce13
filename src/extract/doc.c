/* doc.c - the Word 97-2003 extractor of stage 3: the .doc binary format.
 *
 * libgsf opens the OLE2 container; the rest is a small reader of [MS-DOC]:
 * the FIB at the start of the WordDocument stream names the table stream
 * (0Table/1Table) and the CLX in it, whose piece table maps the characters
 * of the main text to their bytes - 8-bit pieces (cp1252, or cp1250 when the
 * document's language is Polish, as Polish Word writes them) or UTF-16 ones,
 * in any order (fast-saved documents).  Cell marks (0x07) become TABs and a
 * row's end mark a line end; of a field (0x13 code 0x14 result 0x15) the
 * result stays, and a legacy checkbox (FORMCHECKBOX) is ☒/☐ from its FFDATA
 * in the Data stream, found through the field's character properties.
 * Everything is bounded by the streams' sizes and limits->max_text.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <string.h>

#include <gsf/gsf-infile-impl.h>
#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-utils.h>

#include "core/errors.h"

/* libgsf 1.14 declares no autoptr cleanups; only this file uses it */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GsfInput, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GsfInfile, g_object_unref)

#define MARK_TICKED "☒ "
#define MARK_EMPTY "☐ "

#define FIB_IDENT 0xA5EC
#define FIB_MIN_NFIB 0x0069          /* above Word 95 (0x0068): Word 97 writes 0x00C1 */
#define FIB_F_ENCRYPTED 0x0100
#define FIB_F_WHICH_TBL 0x0200
#define FIB_F_OBFUSCATED 0x8000
#define LID_POLISH 0x0415
#define FC_COMPRESSED 0x40000000u
#define FKP_SIZE 512
#define SPRM_PIC_LOCATION 0x6A03      /* sprmCPicLocation: FFDATA offset in the Data stream */
#define FFDATA_UNDEFINED 25           /* iRes of a checkbox never set: wDef holds its state */
/* Open fields remembered (nested fields deeper than this are flattened). */
#define MAX_FIELD_DEPTH 32

typedef struct {
	const guint8 *data;
	gsize len;
} Stream;

typedef struct {
	Stream word, table, fdata;
	const ExtractLimits *limits;
	guint16 lid;
	guint32 fc_chpx, lcb_chpx;   /* PlcBteChpx in the table stream */
	GString *out;
	gboolean over;
	guint8 last;                 /* the previous character's code, for row ends */
	/* fields: per open field, whether its code part is still running */
	gboolean in_code[MAX_FIELD_DEPTH];
	guint depth;
	guint skipped;               /* fields nested beyond MAX_FIELD_DEPTH */
} Doc;

static guint16
le16 (const guint8 *p)
{
	return (guint16) (p[0] | p[1] << 8);
}

static guint32
le32 (const guint8 *p)
{
	return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

/* @len bytes at @off lie inside @s. */
static gboolean
within (const Stream *s, guint64 off, guint64 len)
{
	return off <= s->len && len <= s->len - off;
}

/* The stream @name of @ole, or NULL: absent, or (*@damaged) not readable.
 * gsf_infile_child_by_name() would log a warning for a damaged one, which
 * our reason already tells; the class's own lookup reports it instead. */
static GsfInput *
child (GsfInfile *ole, const char *name, gboolean *damaged)
{
	int n = gsf_infile_num_children (ole);

	*damaged = FALSE;
	for (int i = 0; i < n; i++)
		if (g_strcmp0 (gsf_infile_name_by_index (ole, i), name) == 0) {
			g_autoptr (GError) error = NULL;
			GsfInput *in = GSF_INFILE_CLASS (G_OBJECT_GET_CLASS (ole))->child_by_index (ole, i, &error);
			*damaged = in == NULL;
			return in;
		}
	return NULL;
}

/* The whole stream @name of @ole, or an empty one when absent. */
static GBytes *
read_stream (GsfInfile *ole, const char *name, gsize max, GError **error)
{
	gboolean damaged;
	g_autoptr (GsfInput) in = child (ole, name, &damaged);
	gsf_off_t size;
	guint8 *buf;

	if (damaged) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: stream %s cannot be read "
		             "(damaged file)", name);
		return NULL;
	}
	if (in == NULL)
		return g_bytes_new (NULL, 0);
	size = gsf_input_size (in);
	if (size < 0 || (guint64) size > max) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: stream %s larger than the "
		             "document", name);
		return NULL;
	}
	buf = g_malloc ((gsize) size + 1);
	if (size > 0 && gsf_input_read (in, (size_t) size, buf) == NULL) {
		g_free (buf);
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: stream %s cannot be read "
		             "(damaged file)", name);
		return NULL;
	}
	return g_bytes_new_take (buf, (gsize) size);
}

static void
emit (Doc *d, const char *s, gsize len)
{
	if (d->over || d->out->len + len > d->limits->max_text) {
		d->over = TRUE;
		return;
	}
	g_string_append_len (d->out, s, (gssize) len);
}

static void
emit_break (Doc *d, char c)
{
	while (d->out->len > 0 && d->out->str[d->out->len - 1] == ' ')
		g_string_truncate (d->out, d->out->len - 1);
	if (c == '\n' && (d->out->len == 0 || d->out->str[d->out->len - 1] == '\n'))
		return;
	emit (d, &c, 1);
}

/* Skip a sprm's operand at @p (@end): its size from the sprm's spra bits. */
static gsize
sprm_operand_len (guint16 sprm, const guint8 *p, const guint8 *end)
{
	switch (sprm >> 13) {
	case 0: case 1: return 1;
	case 2: case 4: case 5: return 2;
	case 3: return 4;
	case 7: return 3;
	default:
		/* variable: a size byte (sprmTDefTable and sprmPChgTabs are wider; they
		 * do not occur in character properties) */
		return p < end ? 1u + *p : 1;
	}
}

/* The Data stream offset (sprmCPicLocation) of the character at byte @fc of
 * the WordDocument stream, or -1: where a form field's FFDATA is. */
static gint64
pic_location (const Doc *d, guint32 fc)
{
	guint n;

	if (d->lcb_chpx < 4 || !within (&d->table, d->fc_chpx, d->lcb_chpx))
		return -1;
	n = (d->lcb_chpx - 4) / 8;
	for (guint i = 0; i < n; i++) {
		const guint8 *plc = d->table.data + d->fc_chpx;
		guint32 pn = le32 (plc + 4 * (n + 1) + 4 * i) & 0x3FFFFF;
		const guint8 *fkp;
		guint crun;

		if (fc < le32 (plc + 4 * i) || fc >= le32 (plc + 4 * (i + 1)))
			continue;
		if (!within (&d->word, (guint64) pn * FKP_SIZE, FKP_SIZE))
			return -1;
		fkp = d->word.data + (gsize) pn * FKP_SIZE;
		crun = fkp[FKP_SIZE - 1];
		if (crun == 0 || 4 * (crun + 1) + crun > FKP_SIZE - 1)
			return -1;
		for (guint k = 0; k < crun; k++) {
			guint off = 2u * fkp[4 * (crun + 1) + k];
			const guint8 *p, *end;

			if (fc < le32 (fkp + 4 * k) || fc >= le32 (fkp + 4 * (k + 1)))
				continue;
			if (off == 0 || off >= FKP_SIZE - 1)
				return -1;   /* no properties */
			p = fkp + off + 1;
			end = MIN (p + fkp[off], fkp + FKP_SIZE);
			while (p + 2 <= end) {
				guint16 sprm = le16 (p);
				gsize olen;

				p += 2;
				olen = sprm_operand_len (sprm, p, end);
				if (sprm == SPRM_PIC_LOCATION && p + 4 <= end)
					return le32 (p);
				p += olen;
			}
			return -1;
		}
		return -1;
	}
	return -1;
}

/* The state of the legacy checkbox whose data character is at byte @fc:
 * 1 ticked, 0 not, -1 not a checkbox or not readable. */
static int
checkbox_state (const Doc *d, guint32 fc)
{
	gint64 loc = pic_location (d, fc);
	const guint8 *ff;
	guint16 bits, cch;
	guint64 at;
	int res;

	/* NilPICFAndBinData: lcb, cbHeader (0x44), then the FFData */
	if (loc < 0 || !within (&d->fdata, (guint64) loc, 6))
		return -1;
	at = (guint64) loc + le16 (d->fdata.data + loc + 4);
	if (!within (&d->fdata, at, 12))
		return -1;
	ff = d->fdata.data + at;
	if (le32 (ff) != 0xFFFFFFFFu)
		return -1;
	bits = le16 (ff + 4);
	if ((bits & 0x3) != 1)
		return -1;
	res = (bits >> 2) & 0x1F;
	if (res != FFDATA_UNDEFINED)
		return res == 1;
	/* cch, hps, then xstzName (a count, UTF-16 and a NUL), then wDef */
	cch = le16 (ff + 10);
	at += 12 + 2u * cch + 2;
	if (!within (&d->fdata, at, 2))
		return -1;
	return le16 (d->fdata.data + at) == 1;
}

/* One character @c of the main text, stored at byte @fc. */
static void
put_char (Doc *d, gunichar c, guint32 fc)
{
	char buf[6];
	gboolean in_code = d->depth > 0 && d->in_code[d->depth - 1];
	guint8 prev = d->last;

	d->last = c < 0x20 ? (guint8) c : 0xFF;
	switch (c) {
	case 0x13:   /* field begin */
		if (d->depth == MAX_FIELD_DEPTH) {
			d->skipped++;
			return;
		}
		d->in_code[d->depth++] = TRUE;
		return;
	case 0x14:   /* field separator: the result follows */
		if (d->skipped == 0 && d->depth > 0)
			d->in_code[d->depth - 1] = FALSE;
		return;
	case 0x15:   /* field end */
		if (d->skipped > 0)
			d->skipped--;
		else if (d->depth > 0)
			d->depth--;
		return;
	default:
		break;
	}
	if (in_code) {
		/* a form field's data hangs on a 0x01 in its code (sprmCFData) */
		int state = c == 0x01 && d->skipped == 0 ? checkbox_state (d, fc) : -1;
		if (state >= 0)
			emit (d, state ? MARK_TICKED : MARK_EMPTY, strlen (state ? MARK_TICKED : MARK_EMPTY));
		return;
	}
	switch (c) {
	case 0x07:
		/* a cell mark right after one ends the row (its own mark, 0x07 too);
		 * the last cell's TAB goes, an empty last cell keeps one */
		if (prev == 0x07) {
			const char *line = strrchr (d->out->str, '\n');
			line = line ? line + 1 : d->out->str;
			if (d->out->len > 0 && d->out->str[d->out->len - 1] == '\t' &&
			    strchr (line, '\t') != d->out->str + d->out->len - 1)
				g_string_truncate (d->out, d->out->len - 1);
			emit_break (d, '\n');
		} else {
			emit_break (d, '\t');
		}
		return;
	case 0x0D: case 0x0B: case 0x0C: case 0x0E:
		emit_break (d, '\n');
		return;
	case 0x09:
		emit (d, "\t", 1);
		return;
	case 0x1E:
		c = '-';
		break;
	case 0xA0:
		c = ' ';
		break;
	default:
		if (c < 0x20 || c == 0x1F || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF)
			return;   /* pictures, objects, note marks, optional hyphens */
		break;
	}
	emit (d, buf, (gsize) g_unichar_to_utf8 (c, buf));
}

/* The 8-bit code page of compressed pieces. */
static GIConv
piece_conv (const Doc *d)
{
	return g_iconv_open ("UTF-8", d->lid == LID_POLISH ? "CP1250" : "CP1252");
}

static gunichar
byte_char (GIConv conv, guint8 b)
{
	char in[1] = { (char) b }, out[8] = { 0 };
	char *ip = in, *op = out;
	gsize il = 1, ol = sizeof out - 1;
	gunichar c;

	if (b < 0x80)
		return b;
	g_iconv (conv, NULL, NULL, NULL, NULL);
	if (g_iconv (conv, &ip, &il, &op, &ol) == (gsize) -1)
		return 0xFFFD;
	c = g_utf8_get_char_validated (out, -1);
	return c == (gunichar) -1 || c == (gunichar) -2 ? 0xFFFD : c;
}

/* The main text through the piece table in the CLX at @clx (@lcb bytes). */
static gboolean
read_pieces (Doc *d, guint32 clx, guint32 lcb, guint32 ccp_text, GError **error)
{
	const guint8 *p = d->table.data + clx;
	const guint8 *end = p + lcb;
	gunichar table[128];
	GIConv conv;
	guint n;
	guint32 last_end = 0;
	guint64 total = 0;

	/* Prc records (formatting of pieces) come first; then the Pcdt */
	while (p < end && *p == 0x01) {
		gint16 cb = end - p >= 3 ? (gint16) le16 (p + 1) : -1;
		if (cb < 0 || cb > end - p - 3)
			break;   /* damaged: no Pcdt follows, said below */
		p += 3 + cb;
	}
	if (p >= end || *p != 0x02 || end - p < 5 || le32 (p + 1) > (guint32) (end - p - 5) ||
	    le32 (p + 1) < 16) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: piece table damaged");
		return FALSE;
	}
	lcb = le32 (p + 1);
	p += 5;
	n = (lcb - 4) / 12;
	if ((conv = piece_conv (d)) == (GIConv) -1) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: no code page converter");
		return FALSE;
	}
	for (guint b = 0; b < 128; b++)
		table[b] = byte_char (conv, (guint8) (b + 0x80));
	g_iconv_close (conv);

	for (guint i = 0; i < n && !d->over; i++) {
		guint32 cp = le32 (p + 4 * i), cp_end = le32 (p + 4 * (i + 1));
		guint64 chars;
		const guint8 *pcd = p + 4 * (n + 1) + 8 * i;
		guint32 fc = le32 (pcd + 2);
		gboolean compressed = (fc & FC_COMPRESSED) != 0;

		if (cp >= ccp_text)
			break;   /* footnotes, headers, comments follow the main text */
		cp_end = MIN (cp_end, ccp_text);
		/* pieces follow each other, so no byte of text is read twice: the
		 * work is bounded by the stream, also when nothing is written out */
		if (cp_end < cp || cp < last_end || (total += cp_end - cp) > d->word.len) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: piece table damaged");
			return FALSE;
		}
		last_end = cp_end;
		chars = cp_end - cp;
		fc &= ~FC_COMPRESSED;
		if (compressed)
			fc /= 2;
		if (!within (&d->word, fc, chars * (compressed ? 1 : 2))) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: text outside the "
			             "WordDocument stream (damaged or truncated file)");
			return FALSE;
		}
		for (guint32 k = 0; k < chars && !d->over; k++) {
			if (compressed) {
				guint8 b = d->word.data[fc + k];
				put_char (d, b < 0x80 ? b : table[b - 0x80], fc + k);
			} else {
				put_char (d, le16 (d->word.data + fc + 2 * k), fc + 2 * k);
			}
		}
	}
	return TRUE;
}

static gboolean
read_document (Doc *d, GError **error)
{
	const guint8 *fib = d->word.data;
	guint16 flags, csw, cslw, cb_fclcb;
	gsize at;
	guint32 ccp_text, fc_clx, lcb_clx;

	if (d->word.len < 0x200 || le16 (fib) != FIB_IDENT) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "not a Word document (no Word 97 header)");
		return FALSE;
	}
	flags = le16 (fib + 0x0A);
	if (flags & (FIB_F_ENCRYPTED | FIB_F_OBFUSCATED)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "encrypted Word document: cannot be read "
		             "without a password");
		return FALSE;
	}
	if (le16 (fib + 2) < FIB_MIN_NFIB) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document older than Word 97 "
		             "(version %u), not read", le16 (fib + 2));
		return FALSE;
	}
	d->lid = le16 (fib + 6);
	/* FibBase, then the counted arrays fibRgW, fibRgLw, fibRgFcLcb */
	csw = le16 (fib + 32);
	at = 34 + 2u * csw;
	if (!within (&d->word, at, 2)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: header damaged");
		return FALSE;
	}
	cslw = le16 (fib + at);
	at += 2;
	if (cslw < 4 || !within (&d->word, at, 4u * cslw + 2)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: header damaged");
		return FALSE;
	}
	ccp_text = le32 (fib + at + 12);
	at += 4u * cslw;
	cb_fclcb = le16 (fib + at);
	at += 2;
	if (cb_fclcb < 34 || !within (&d->word, at, 8u * cb_fclcb)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: header damaged");
		return FALSE;
	}
	d->fc_chpx = le32 (fib + at + 8 * 12);
	d->lcb_chpx = le32 (fib + at + 8 * 12 + 4);
	fc_clx = le32 (fib + at + 8 * 33);
	lcb_clx = le32 (fib + at + 8 * 33 + 4);
	if (lcb_clx == 0 || !within (&d->table, fc_clx, lcb_clx)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document: piece table missing or "
		             "outside the table stream (damaged or truncated file)");
		return FALSE;
	}
	return read_pieces (d, fc_clx, lcb_clx, ccp_text, error);
}

static void
drop_log (const char *domain, GLogLevelFlags level, const char *message, gpointer unused)
{
}

static gpointer
init_gsf (gpointer unused)
{
	gsf_init ();
	/* libgsf complains (warnings, criticals) about every damaged container;
	 * the reason we give for the document says it once, in the right place */
	g_log_set_handler ("libgsf:msole", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION, drop_log,
	                   NULL);
	g_log_set_handler ("libgsf", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION, drop_log, NULL);
	return NULL;
}

char *
extract_doc (GBytes *data, const ExtractLimits *limits, GError **error)
{
	static GOnce once = G_ONCE_INIT;
	gsize len;
	const guint8 *bytes = g_bytes_get_data (data, &len);
	g_autoptr (GsfInput) mem = NULL;
	g_autoptr (GsfInfile) ole = NULL;
	g_autoptr (GBytes) word = NULL, table = NULL, fdata = NULL;
	g_autoptr (GError) gsf_error = NULL;
	g_autoptr (GString) out = g_string_new (NULL);
	gboolean which;
	Doc d = { 0 };

	g_once (&once, init_gsf, NULL);
	mem = gsf_input_memory_new (bytes, (gsf_off_t) len, FALSE);
	if ((ole = gsf_infile_msole_new (mem, &gsf_error)) == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "not a Word document (damaged OLE2 "
		             "container)");
		return NULL;
	}
	if ((word = read_stream (ole, "WordDocument", len, error)) == NULL)
		return NULL;
	if (g_bytes_get_size (word) == 0) {
		gboolean damaged;
		g_autoptr (GsfInput) pkg = child (ole, "EncryptedPackage", &damaged);
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, pkg != NULL || damaged
		             ? "encrypted Office document: cannot be read without a password"
		             : "not a Word document (no WordDocument stream)");
		return NULL;
	}
	d.word.data = g_bytes_get_data (word, &d.word.len);
	which = d.word.len >= 12 && (le16 (d.word.data + 0x0A) & FIB_F_WHICH_TBL) != 0;
	if ((table = read_stream (ole, which ? "1Table" : "0Table", len, error)) == NULL ||
	    (fdata = read_stream (ole, "Data", len, error)) == NULL)
		return NULL;
	d.table.data = g_bytes_get_data (table, &d.table.len);
	d.fdata.data = g_bytes_get_data (fdata, &d.fdata.len);
	d.limits = limits;
	d.out = out;
	d.last = 0xFF;
	if (!read_document (&d, error))
		return NULL;
	if (d.over) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "Word document text longer than %"
		             G_GSIZE_FORMAT " bytes", limits->max_text);
		return NULL;
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

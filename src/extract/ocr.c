/* ocr.c - the scan reader: the text of a scanned or photographed form by OCR.
 *
 * Part of extract (stage 3), behind extract_form() (see formats.h).  An image
 * (JPEG, PNG, TIFF) or a PDF page without text is decoded with leptonica,
 * brought to about 300 dpi, deskewed, binarised, cleared of table rules, and
 * read by Tesseract 5 ("pol").  The words are laid out again as lines from their
 * positions ("Label<TAB>value", as a printed table reads), a box in front of a
 * line becomes "☒"/"☐" by the ink inside it, and every line carries the
 * confidences of its words on an annotation line that extract_ocr_split()
 * removes again before the text is parsed.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <allheaders.h>
#include <dlfcn.h>
#include <string.h>
#include <tesseract/capi.h>
#include <time.h>

#include "core/errors.h"
#ifndef MAILREG_FUZZ
#include "sandbox/sandbox.h"
#endif

/* A page is brought to this resolution: Tesseract's LSTM reads 10-12 pt type
 * best with capitals about 30 pixels high. */
#define TARGET_DPI 300
/* A4 and Letter are about 8.3-8.5 inches wide: an image without a usable
 * resolution is taken for a whole page of that width. */
#define PAGE_WIDTH_INCHES 8.4
/* Interior ink of a box (share of its inner half): an empty box has none, a
 * "☒" or an "X" written in it about a fifth. */
/* A form page scanned at 75 dpi is 600 pixels wide; smaller is a logo. */
#define MIN_PAGE_PIXELS 600
#define TICK_INK_EMPTY 0.03
#define TICK_INK_TICKED 0.08

/* leptonica's destructors take the address of the pointer */
static void
pix_destroy (PIX *pix)
{
	pixDestroy (&pix);
}

static void
boxa_destroy (BOXA *boxa)
{
	boxaDestroy (&boxa);
}

static void
box_destroy (BOX *box)
{
	boxDestroy (&box);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PIX, pix_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BOXA, boxa_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BOX, box_destroy)

typedef struct {
	gint64 at;         /* thread CPU time, µs */
	guint seconds;     /* the limit, for the reason */
} Deadline;

typedef struct {
	char *text;
	float conf;           /* 0..100, Tesseract's */
	int x1, y1, x2, y2;   /* bounding box, pixels */
} Word;

static void
word_clear (gpointer p)
{
	g_free (((Word *) p)->text);
}

static double
word_centre (const Word *w)
{
	return (w->y1 + w->y2) / 2.0;
}

static int
cmp_word_centre (gconstpointer a, gconstpointer b)
{
	double ca = word_centre (a), cb = word_centre (b);
	return ca < cb ? -1 : ca > cb;
}

static int
cmp_word_x (gconstpointer a, gconstpointer b)
{
	return ((const Word *) a)->x1 - ((const Word *) b)->x1;
}

/* ------------------------------------------------------------------------- */
/* Preparing the page */

/* @pix (any depth) as 8-bit gray at about TARGET_DPI, deskewed.  @dpi is the
 * image's resolution when known (0: guessed from its width).  (transfer full) */
static PIX *
prepare_gray (PIX *pix, int dpi)
{
	g_autoptr (PIX) gray = NULL;
	g_autoptr (PIX) scaled = NULL;
	PIX *deskewed;
	double scale;
	int width;

	gray = pixConvertTo8 (pix, FALSE);
	if (gray == NULL)
		return NULL;
	width = pixGetWidth (gray);
	if (dpi < 72 || dpi > 1200 || ABS (width / (double) dpi - PAGE_WIDTH_INCHES) > 3)
		dpi = (int) (width / PAGE_WIDTH_INCHES);
	scale = (double) TARGET_DPI / MAX (dpi, 1);
	/* within 10 % is near enough; never more than twice (noise grows too) */
	if (scale > 1.1 || scale < 0.9) {
		scale = MIN (scale, 2.0);
		scaled = pixScaleGrayLI (gray, (float) scale, (float) scale);
		if (scaled == NULL)
			return NULL;
	} else {
		scaled = g_steal_pointer (&gray);
	}
	/* reduction 2 for the search: fast, and a form's long lines give the angle */
	deskewed = pixFindSkewAndDeskew (scaled, 2, NULL, NULL);
	if (deskewed == NULL)
		return g_steal_pointer (&scaled);
	pixSetResolution (deskewed, TARGET_DPI, TARGET_DPI);
	return deskewed;
}

/* @gray binarised after flattening uneven light (photos, shadows), with the
 * long horizontal and vertical rules of tables removed: Tesseract reads a rule
 * touching the text as letters, and a cell border as a column.  (transfer full) */
static PIX *
binarise (PIX *gray)
{
	g_autoptr (PIX) flat = pixBackgroundNormSimple (gray, NULL, NULL);
	g_autoptr (PIX) bin = NULL;
	g_autoptr (PIX) hlines = NULL;
	g_autoptr (PIX) vlines = NULL;
	g_autofree char *hseq = NULL;
	g_autofree char *vseq = NULL;

	bin = pixThresholdToBinary (flat != NULL ? flat : gray, 150);
	if (bin == NULL)
		return NULL;
	/* a rule is longer than a tenth of the page; a letter never is (what is
	 * left of a ragged, photographed rule is dropped as words: rule_debris) */
	hseq = g_strdup_printf ("o%d.1", MAX (pixGetWidth (bin) / 10, 20));
	vseq = g_strdup_printf ("o1.%d", MAX (pixGetHeight (bin) / 30, 20));
	hlines = pixMorphSequence (bin, hseq, 0);
	vlines = pixMorphSequence (bin, vseq, 0);
	if (hlines != NULL)
		pixSubtract (bin, bin, hlines);
	if (vlines != NULL)
		pixSubtract (bin, bin, vlines);
	pixSetResolution (bin, TARGET_DPI, TARGET_DPI);
	return g_steal_pointer (&bin);
}

/* ------------------------------------------------------------------------- */
/* Reading the words */

/* Tesseract's LSTM runs OpenMP threads that spin while they wait: on a busy
 * host one page cost twice the CPU time in three times the wall-clock time.
 * The pipeline runs one reader per document; it gets one thread.  libgomp
 * reads OMP_THREAD_LIMIT only as it loads, so ask it through its API, found
 * at run time (a Tesseract built without OpenMP has none). */
static void
one_thread (void)
{
	void (*set_threads) (int) = (void (*) (int)) dlsym (RTLD_DEFAULT, "omp_set_num_threads");

	if (set_threads != NULL)
		set_threads (1);
}

static TessBaseAPI *
tess_open (const ExtractLimits *limits, GError **error)
{
	const char *lang = limits->ocr_language != NULL ? limits->ocr_language : "pol";
	TessBaseAPI *api;

	/* before Tesseract's first parallel region, which starts libgomp's thread
	 * pool: a pool of more threads would also hang a process forked later */
	one_thread ();
#ifndef MAILREG_FUZZ
	/* the reader's CPU limit is a PDF's text pass until a page needs OCR */
	sandbox_grant_cpu ();
#endif
	api = TessBaseAPICreate ();
	/* Tesseract's few messages ("Detected 200 diacritics") go to stderr, the
	 * reader's log: a debug_file would be a file opened for writing, which
	 * the reader's seccomp filter answers with SIGSYS */
	if (TessBaseAPIInit3 (api, limits->ocr_tessdata, lang) != 0) {
		TessBaseAPIDelete (api);
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL,
		             "scan: OCR language data '%s' not found%s%s", lang,
		             limits->ocr_tessdata != NULL ? " in " : "",
		             limits->ocr_tessdata != NULL ? limits->ocr_tessdata : "");
		return NULL;
	}
	/* a form is one column of lines; the table's cells are put together again
	 * from the word positions */
	TessBaseAPISetPageSegMode (api, PSM_SPARSE_TEXT);
	return api;
}

/* The CPU time of the calling thread, µs.  The OCR time limit counts CPU
 * time, not the clock: a busy host must not turn a good scan into a review. */
static gint64
thread_cpu_us (void)
{
	struct timespec ts;

	if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static bool
over_time (void *deadline, int words)
{
	return thread_cpu_us () > *(const gint64 *) deadline;
}

/* A word that is only what is left of a table rule: "|", "—", "_|". */
static gboolean
rule_debris (const char *text)
{
	for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);
		if (c != '|' && c != '_' && c != '-' && c != '=' && c != '~' && c != 0x2014 && c != 0x2013 && c != '[' &&
		    c != ']')
			return FALSE;
	}
	return TRUE;
}

/* The words Tesseract reads in @bin, with their confidences and boxes; NULL
 * with the reason when over the time limit (@deadline, thread_cpu_us()). */
static GArray *
read_words (TessBaseAPI *api, PIX *bin, const Deadline *deadline, GError **error)
{
	GArray *words = g_array_new (FALSE, FALSE, sizeof (Word));
	ETEXT_DESC *monitor = TessMonitorCreate ();
	TessResultIterator *it;
	gint64 at = deadline->at;

	g_array_set_clear_func (words, word_clear);
	TessBaseAPISetImage2 (api, bin);
	TessBaseAPISetSourceResolution (api, TARGET_DPI);
	TessMonitorSetCancelFunc (monitor, over_time);
	TessMonitorSetCancelThis (monitor, &at);
	if (thread_cpu_us () > at || TessBaseAPIRecognize (api, monitor) != 0 || thread_cpu_us () > at) {
		TessMonitorDelete (monitor);
		g_array_unref (words);
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "scan: OCR took more than %u seconds", deadline->seconds);
		return NULL;
	}
	TessMonitorDelete (monitor);
	if ((it = TessBaseAPIGetIterator (api)) == NULL)
		return words;
	do {
		const TessPageIterator *pit = TessResultIteratorGetPageIterator (it);
		char *text = TessResultIteratorGetUTF8Text (it, RIL_WORD);
		Word w = { NULL, TessResultIteratorConfidence (it, RIL_WORD), 0, 0, 0, 0 };

		if (text != NULL && *g_strstrip (text) != '\0' && !rule_debris (text) &&
		    TessPageIteratorBoundingBox (pit, RIL_WORD, &w.x1, &w.y1, &w.x2, &w.y2)) {
			w.text = g_utf8_make_valid (text, -1);
			g_array_append_val (words, w);
		}
		TessDeleteText (text);
	} while (TessResultIteratorNext (it, RIL_WORD));
	TessResultIteratorDelete (it);
	return words;
}

/* ------------------------------------------------------------------------- */
/* Laying the words out as lines */

/* A word that may be a box read as letters ("O", "El", "ZI", "®"): short, and
 * not wider than a box beside text of height @h. */
static gboolean
may_be_box (const Word *w, int h)
{
	return g_utf8_strlen (w->text, -1) <= 2 && w->x2 - w->x1 <= h * 3 / 2;
}

/* Whether a square box lies left of @first (the first word of a line, of
 * line height @h) in @bin: *@ticked by the ink inside it; *@conf how clearly. */
static gboolean
find_box (PIX *bin, const Word *first, int h, gboolean *ticked, double *conf)
{
	int x0 = MAX (first->x1 - 3 * h, 0), y0 = MAX (first->y1 - h / 2, 0);
	int w = first->x1 - x0, hh = MIN (first->y2 + h / 2, (int) pixGetHeight (bin)) - y0;
	g_autoptr (BOX) area = NULL;
	g_autoptr (PIX) clip = NULL;
	g_autoptr (BOXA) parts = NULL;
	int best = -1, bx = 0, by = 0, bw = 0, bh = 0;

	if (w < h / 2 || hh <= 0)
		return FALSE;
	area = boxCreate (x0, y0, w, hh);
	if ((clip = pixClipRectangle (bin, area, NULL)) == NULL ||
	    (parts = pixConnComp (clip, NULL, 8)) == NULL)
		return FALSE;
	for (int i = 0; i < boxaGetCount (parts); i++) {
		int x, y, cw, ch;
		boxaGetBoxGeometry (parts, i, &x, &y, &cw, &ch);
		/* a box is about as wide as high, and about as high as the letters */
		if (ch < h * 6 / 10 || ch > h * 2 || cw < ch * 7 / 10 || cw > ch * 14 / 10)
			continue;
		if (best < 0 || cw * ch > bw * bh)
			best = i, bx = x, by = y, bw = cw, bh = ch;
	}
	if (best < 0)
		return FALSE;
	{
		/* the inner half, clear of the frame */
		g_autoptr (BOX) inner = boxCreate (x0 + bx + bw / 4, y0 + by + bh / 4, MAX (bw / 2, 1), MAX (bh / 2, 1));
		l_int32 ink = 0;
		double share;

		pixCountPixelsInRect (bin, inner, &ink, NULL);
		share = ink / (double) (MAX (bw / 2, 1) * MAX (bh / 2, 1));
		*ticked = share >= TICK_INK_TICKED;
		*conf = share <= TICK_INK_EMPTY || share >= 2 * TICK_INK_TICKED ? 0.99
		      : share >= TICK_INK_TICKED ? 0.9 : 0.6;
	}
	return TRUE;
}

/* One line as laid out, before it is written. */
typedef struct {
	GString *text;
	GString *confs;     /* one confidence per space- or TAB-separated piece */
	int first_x;        /* left edge of its first word */
	int value_x;        /* left edge of the word after its last TAB, -1 without */
	int top, bottom;
} Line;

/* Write @l: its text, then the annotation with its confidences; empty it. */
static void
flush_line (GString *out, Line *l)
{
	if (l->text->len > 0) {
		g_string_append_len (out, l->text->str, (gssize) l->text->len);
		g_string_append_printf (out, "\n" EXTRACT_OCR_MARK "%s\n", l->confs->str);
	}
	g_string_truncate (l->text, 0);
	g_string_truncate (l->confs, 0);
}

/* A value too long for its table cell wraps onto the next line, which then
 * starts in the value column and has no column break of its own: it is joined
 * to @prev's value ("... Społecznej w" + "Rybniku").  A wrapped label starts
 * in the label column and stays a line of its own. */
static gboolean
continues (const Line *prev, const Line *cur, int h)
{
	return prev->text->len > 0 && prev->value_x >= 0 && cur->value_x < 0 &&
	       cur->first_x >= prev->value_x - h && cur->top - prev->bottom < h;
}

/* @words (sorted by vertical centre) as lines on @out: words whose centre lies
 * within the first one's box are a line; a gap wider than the line's height is
 * a column break (TAB), as pdf.c lays out printed text. */
static void
lay_out (GArray *words, PIX *bin, GString *out)
{
	Line prev = { g_string_new (NULL), g_string_new (NULL), 0, -1, 0, 0 };
	Line cur = { g_string_new (NULL), g_string_new (NULL), 0, -1, 0, 0 };
	GString *line = cur.text, *confs = cur.confs;

	for (guint start = 0; start < words->len;) {
		Word *row = &g_array_index (words, Word, start);
		guint len = 1, first = 0;
		int h;
		gboolean ticked;
		double box_conf;

		while (start + len < words->len && word_centre (&row[len]) <= row[0].y2)
			len++;
		qsort (row, len, sizeof (Word), cmp_word_x);
		h = row[0].y2 - row[0].y1;
		for (guint k = 0; k < len; k++)
			h = MAX (h, MIN (row[k].y2 - row[k].y1, h * 2));
		cur.value_x = -1;
		cur.top = row[0].y1;
		cur.bottom = row[0].y2;
		for (guint k = 1; k < len; k++)
			cur.top = MIN (cur.top, row[k].y1), cur.bottom = MAX (cur.bottom, row[k].y2);

		/* what was read of a box in front of the first word ("O", "X", "®")
		 * is replaced by what the box holds */
		while (first + 1 < len && first < 2 && may_be_box (&row[first], h))
			first++;
		if (find_box (bin, &row[first], h, &ticked, &box_conf)) {
			g_string_append (line, ticked ? "☒ " : "☐ ");
			g_string_append_printf (confs, "%.2f ", box_conf);
		} else {
			first = 0;
		}
		cur.first_x = row[first].x1;
		for (guint k = first; k < len; k++) {
			if (k > first) {
				int gap = row[k].x1 - row[k - 1].x2;
				g_string_append_c (line, gap > h * 3 / 2 ? '\t' : ' ');
				if (gap > h * 3 / 2)
					cur.value_x = row[k].x1;
			}
			/* a word is one piece: no white space inside it */
			for (char *p = row[k].text; *p != '\0'; p++)
				if (g_ascii_isspace (*p))
					*p = '_';
			g_string_append (line, row[k].text);
			g_string_append_printf (confs, "%.2f ", MAX (row[k].conf, 0.0f) / 100.0);
		}
		if (confs->len > 0)
			g_string_truncate (confs, confs->len - 1);
		if (continues (&prev, &cur, h)) {
			g_string_append_printf (prev.text, " %s", cur.text->str);
			g_string_append_printf (prev.confs, " %s", cur.confs->str);
			prev.bottom = cur.bottom;
			g_string_truncate (line, 0);
			g_string_truncate (confs, 0);
		} else {
			Line swap = prev;
			flush_line (out, &prev);
			prev = cur;
			cur = swap;
			line = cur.text, confs = cur.confs;
		}
		start += len;
	}
	flush_line (out, &prev);
	g_string_free (prev.text, TRUE);
	g_string_free (prev.confs, TRUE);
	g_string_free (cur.text, TRUE);
	g_string_free (cur.confs, TRUE);
}

/* ------------------------------------------------------------------------- */
/* Pages */

/* Check a page of @width x @height before it is decoded or rendered. */
static gboolean
pixels_ok (guint64 width, guint64 height, const ExtractLimits *limits, GError **error)
{
	if (width == 0 || height == 0 || width * height > limits->max_ocr_pixels) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "scan: image of %" G_GUINT64_FORMAT " x %" G_GUINT64_FORMAT
		             " pixels is over the limit of %" G_GUINT64_FORMAT " pixels",
		             width, height, limits->max_ocr_pixels);
		return FALSE;
	}
	return TRUE;
}

/* OCR one page (@pix, any depth; @dpi 0 when unknown) onto @out. */
static gboolean
read_page (TessBaseAPI *api, PIX *pix, int dpi, const Deadline *deadline, GString *out, GError **error)
{
	g_autoptr (PIX) gray = prepare_gray (pix, dpi);
	g_autoptr (PIX) bin = gray != NULL ? binarise (gray) : NULL;
	g_autoptr (GArray) words = NULL;

	if (bin == NULL) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "scan: image could not be prepared");
		return FALSE;
	}
	g_clear_pointer (&gray, pix_destroy);
	if ((words = read_words (api, bin, deadline, error)) == NULL)
		return FALSE;
	if (words->len == 0) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "scan: OCR found no text");
		return FALSE;
	}
	g_array_sort (words, cmp_word_centre);
	lay_out (words, bin, out);
	return TRUE;
}

static Deadline
deadline_of (const ExtractLimits *limits)
{
	guint s = MAX (limits->max_ocr_seconds, 1);
	return (Deadline) { thread_cpu_us () + (gint64) s * G_USEC_PER_SEC, s };
}

static void
quiet_leptonica (void)
{
	static gsize done;

	if (g_once_init_enter (&done)) {
		setMsgSeverity (L_SEVERITY_NONE);
		g_once_init_leave (&done, 1);
	}
}

/* JPEG is decoded at a reduction (1, 2, 4, 8) that keeps a page near
 * TARGET_DPI: a phone's 12 megapixels need a quarter of the memory. */
static int
jpeg_reduction (int width)
{
	int r = 1;

	while (r < 8 && width / (r * 2) >= (int) (PAGE_WIDTH_INCHES * TARGET_DPI * 0.9))
		r *= 2;
	return r;
}

static gboolean
is_tiff (l_int32 format)
{
	return format == IFF_TIFF || format == IFF_TIFF_G4 || format == IFF_TIFF_G3 || format == IFF_TIFF_LZW ||
	       format == IFF_TIFF_ZIP || format == IFF_TIFF_PACKBITS || format == IFF_TIFF_RLE ||
	       format == IFF_TIFF_JPEG;
}

/* A page of @format whose header says @width x @height: big enough for a form
 * page, and within the pixel limit as it will be decoded. */
static gboolean
page_size_ok (l_int32 format, int width, int height, const ExtractLimits *limits, GError **error)
{
	if (width < MIN_PAGE_PIXELS || height < MIN_PAGE_PIXELS) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "scan: image of %d x %d pixels is too small for a form page", width, height);
		return FALSE;
	}
	if (format == IFF_JFIF_JPEG) {
		/* only the reduced image is decoded: its pixels count */
		int r = jpeg_reduction (width);
		return pixels_ok ((guint64) (width / r), (guint64) (height / r), limits, error);
	}
	return pixels_ok ((guint64) width, (guint64) height, limits, error);
}

/* Every page of a TIFF (a fax or a document scanner sends them all in one),
 * each page's header checked before it is decoded: a first page of a form
 * may be followed by a bomb. */
static gboolean
tiff_pages (const guint8 *p, gsize len, const ExtractLimits *limits, ExtractImagePageFunc page_fn, gpointer user,
            GError **error)
{
	size_t offset = 0;
	guint pages = 0;

	do {
		g_autoptr (PIX) pix = NULL;
		l_int32 width = 0, height = 0, bps = 0, spp = 0, res = 0, cmap = 0, format = 0;

		if (pages == limits->max_ocr_pages) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "scan: more than %u pages",
			             limits->max_ocr_pages);
			return FALSE;
		}
		if (pages > 0) {
			/* a page whose header cannot be read ends the scan, as one that
			 * cannot be decoded */
			if (readHeaderMemTiff (p, len, (l_int32) pages, &width, &height, &bps, &spp, &res, &cmap,
			                       &format) != 0)
				break;
			if (!pixels_ok ((guint64) width, (guint64) height, limits, error))
				return FALSE;
		}
		if ((pix = pixReadMemFromMultipageTiff (p, len, &offset)) == NULL) {
			if (pages > 0)
				break;
			g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "scan: damaged TIFF image");
			return FALSE;
		}
		/* the decoder's size, not the header's */
		if (!pixels_ok (pixGetWidth (pix), pixGetHeight (pix), limits, error) ||
		    !page_fn (pix, pixGetXRes (pix), user, error))
			return FALSE;
		pages++;
	} while (offset != 0);
	return TRUE;
}

/* See formats.h. */
gboolean
extract_image_pages (GBytes *data, const ExtractLimits *limits, ExtractImagePageFunc page_fn, gpointer user,
                     GError **error)
{
	gsize len;
	const guint8 *p = g_bytes_get_data (data, &len);
	l_int32 format = 0, width = 0, height = 0, bps = 0, spp = 0, cmap = 0, warnings = 0;
	g_autoptr (PIX) pix = NULL;

	g_return_val_if_fail (data != NULL && limits != NULL && page_fn != NULL, FALSE);
	quiet_leptonica ();
	/* the header first: a pixel bomb is refused before any decoding */
	if (len == 0 || pixReadHeaderMem (p, len, &format, &width, &height, &bps, &spp, &cmap) != 0) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "scan: damaged or unknown image");
		return FALSE;
	}
	/* HEIC and WebP leptonica may not read */
	if (format == IFF_UNKNOWN) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "scan: image format not supported");
		return FALSE;
	}
	/* a logo in a signature is no form page */
	if (!page_size_ok (format, width, height, limits, error))
		return FALSE;
	if (is_tiff (format))
		return tiff_pages (p, len, limits, page_fn, user, error);
	pix = format == IFF_JFIF_JPEG ? pixReadMemJpeg (p, len, 0, jpeg_reduction (width), &warnings, 0)
	                              : pixReadMem (p, len);
	if (pix == NULL) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "scan: damaged image");
		return FALSE;
	}
	return pixels_ok (pixGetWidth (pix), pixGetHeight (pix), limits, error) &&
	       page_fn (pix, pixGetXRes (pix), user, error);
}

/* OCR of the pages of one image: Tesseract opened (and the reader's CPU time
 * for OCR granted) once the first page is decoded. */
typedef struct {
	const ExtractLimits *limits;
	TessBaseAPI *api;
	Deadline deadline;
	GString *out;
} ImageOcr;

static gboolean
ocr_page (PIX *pix, int dpi, gpointer user, GError **error)
{
	ImageOcr *o = user;

	if (o->api == NULL && (o->api = tess_open (o->limits, error)) == NULL)
		return FALSE;
	return read_page (o->api, pix, dpi, &o->deadline, o->out, error);
}

/* See formats.h. */
char *
extract_image (GBytes *data, const ExtractLimits *limits, GError **error)
{
	g_autoptr (GString) out = g_string_new (NULL);
	/* decoding counts towards OCR's time */
	ImageOcr o = { limits, NULL, deadline_of (limits), out };
	gboolean ok = extract_image_pages (data, limits, ocr_page, &o, error);

	if (o.api != NULL) {
		TessBaseAPIEnd (o.api);
		TessBaseAPIDelete (o.api);
	}
	if (!ok)
		return NULL;
	return g_string_free (g_steal_pointer (&out), FALSE);
}

/* See formats.h. */
char *
extract_ocr_rgb (const guint8 *pixels, int width, int height, int stride, int dpi, const ExtractLimits *limits,
                 GError **error)
{
	g_autoptr (PIX) pix = NULL;
	g_autoptr (GString) out = g_string_new (NULL);
	TessBaseAPI *api;
	gboolean ok;

	quiet_leptonica ();
	if (!pixels_ok ((guint64) width, (guint64) height, limits, error))
		return NULL;
	if ((pix = pixCreate (width, height, 8)) == NULL) {
		g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "scan: page could not be prepared");
		return NULL;
	}
	for (int y = 0; y < height; y++) {
		const guint32 *src = (const guint32 *) (pixels + (gsize) y * (gsize) stride);
		l_uint32 *dst = pixGetData (pix) + (gsize) y * (gsize) pixGetWpl (pix);
		for (int x = 0; x < width; x++) {
			guint32 c = src[x];
			/* ITU-R BT.601 luma of cairo's native-endian xRGB */
			guint v = (299 * ((c >> 16) & 0xFF) + 587 * ((c >> 8) & 0xFF) + 114 * (c & 0xFF)) / 1000;
			SET_DATA_BYTE (dst, x, v);
		}
	}
	pixSetResolution (pix, dpi, dpi);
	if ((api = tess_open (limits, error)) == NULL)
		return NULL;
	{
		Deadline deadline = deadline_of (limits);
		ok = read_page (api, pix, dpi, &deadline, out, error);
	}
	TessBaseAPIEnd (api);
	TessBaseAPIDelete (api);
	return ok ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

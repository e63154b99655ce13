/* zip.c - bounded reading of ZIP archives held in memory (libzip), for extract.
 *
 * DOCX and ODT are ZIP packages, and a .zip attachment may hold a form.  The archive
 * is assumed hostile: its entry count is checked before libzip reads the central
 * directory, and an entry is inflated a chunk at a time up to limits->max_zip_entry.
 */
#define G_LOG_DOMAIN "extract"

#include "extract/formats.h"

#include <string.h>

#include <zip.h>

#include "core/errors.h"

/* Inflate this much per zip_fread(): the overshoot past the limit is one chunk. */
#define CHUNK_SIZE (64 * 1024)

/* End of central directory record (APPNOTE.TXT 4.3.16): fixed part and the
 * furthest it can sit from the end (a comment of up to 65535 bytes follows it). */
#define EOCD_SIZE 22
#define EOCD_SEARCH (EOCD_SIZE + 0xFFFF)
#define ZIP64_LOCATOR_SIZE 20
#define ZIP64_EOCD_SIZE 56

static const guchar sig_local[4] = { 'P', 'K', 3, 4 };
static const guchar sig_eocd[4] = { 'P', 'K', 5, 6 };
static const guchar sig_zip64_locator[4] = { 'P', 'K', 6, 7 };
static const guchar sig_zip64_eocd[4] = { 'P', 'K', 6, 6 };
/* OLE2 compound file: what Office writes for a password-protected DOCX, and
 * what a .doc renamed to .docx is */
static const guchar sig_ole2[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

G_DEFINE_AUTOPTR_CLEANUP_FUNC (zip_t, zip_discard)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (zip_file_t, zip_fclose)

static guint16
get_le16 (const guchar *p)
{
	return (guint16) (p[0] | p[1] << 8);
}

static guint64
get_le64 (const guchar *p)
{
	guint64 v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Look for end-of-central-directory records in the last 64 KiB of @buf, as
 * libzip does.  Returns FALSE when there is none (libzip would not open it);
 * else *@entries is the largest entry count any candidate record declares
 * (zip64 included), so libzip never allocates a central directory we refuse. */
static gboolean
scan_eocd (const guchar *buf, gsize len, guint64 *entries)
{
	gboolean found = FALSE;
	gsize lowest;

	*entries = 0;
	if (len < EOCD_SIZE)
		return FALSE;
	lowest = len > EOCD_SEARCH ? len - EOCD_SEARCH : 0;
	for (gsize p = len - EOCD_SIZE + 1; p-- > lowest;) {
		guint64 n;

		if (memcmp (buf + p, sig_eocd, 4) != 0)
			continue;
		found = TRUE;
		n = get_le16 (buf + p + 10);
		if (p >= ZIP64_LOCATOR_SIZE &&
		    memcmp (buf + p - ZIP64_LOCATOR_SIZE, sig_zip64_locator, 4) == 0) {
			guint64 off = get_le64 (buf + p - ZIP64_LOCATOR_SIZE + 8);
			if (off < len && len - off >= ZIP64_EOCD_SIZE &&
			    memcmp (buf + off, sig_zip64_eocd, 4) == 0)
				n = MAX (n, get_le64 (buf + off + 32));
		}
		*entries = MAX (*entries, n);
	}
	return found;
}

/* Open @data read-only with libzip, after the checks libzip cannot make for us. */
static zip_t *
archive_open (GBytes *data, const ExtractLimits *limits, GError **error)
{
	gsize len;
	const guchar *buf = g_bytes_get_data (data, &len);
	guint64 declared;
	zip_error_t zerr;
	zip_source_t *src;
	zip_t *za;
	zip_int64_t n;

	if (!scan_eocd (buf, len, &declared)) {
		if (len >= sizeof sig_ole2 && memcmp (buf, sig_ole2, sizeof sig_ole2) == 0)
			g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			                     "not a ZIP archive but an OLE2 compound file "
			                     "(a password-protected Office document or an old .doc)");
		else if (len >= 4 && memcmp (buf, sig_local, 4) == 0)
			g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			                     "truncated ZIP archive: its central directory is missing");
		else
			g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "not a ZIP archive");
		return NULL;
	}
	if (declared > limits->max_zip_entries) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "ZIP archive declares %" G_GUINT64_FORMAT " entries, more than the limit of %u",
		             declared, limits->max_zip_entries);
		return NULL;
	}

	zip_error_init (&zerr);
	/* the source borrows @buf: @data outlives the archive, closed before we return */
	src = zip_source_buffer_create (buf, len, 0, &zerr);
	if (src == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "ZIP archive not readable: %s",
		             zip_error_strerror (&zerr));
		zip_error_fini (&zerr);
		return NULL;
	}
	/* no ZIP_CHECKCONS: it refuses archives Office and LibreOffice read, and the
	 * CRC of every entry is checked as it is inflated anyway */
	za = zip_open_from_source (src, ZIP_RDONLY, &zerr);
	if (za == NULL) {
		zip_source_free (src);
		if (zip_error_code_zip (&zerr) == ZIP_ER_NOZIP)
			g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			                     "not a ZIP archive (or a damaged one)");
		else
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
			             "damaged ZIP archive: %s", zip_error_strerror (&zerr));
		zip_error_fini (&zerr);
		return NULL;
	}
	zip_error_fini (&zerr);

	/* libzip's own count is the one that matters */
	n = zip_get_num_entries (za, 0);
	if (n < 0 || (guint64) n > limits->max_zip_entries) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "ZIP archive has %" G_GINT64_FORMAT " entries, more than the limit of %u",
		             (gint64) n, limits->max_zip_entries);
		zip_discard (za);
		return NULL;
	}
	return za;
}

static void
set_over_limit (GError **error, const char *name, const ExtractLimits *limits)
{
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
	             "entry %s inflates beyond %" G_GSIZE_FORMAT " bytes", name, limits->max_zip_entry);
}

/* The error of a failed zip_fopen / zip_fread of entry @name. */
static void
set_entry_error (GError **error, const char *name, zip_error_t *zerr)
{
	switch (zip_error_code_zip (zerr)) {
	case ZIP_ER_NOPASSWD:
	case ZIP_ER_WRONGPASSWD:
	case ZIP_ER_ENCRNOTSUPP:
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "encrypted ZIP entry %s: cannot be read without a password", name);
		break;
	case ZIP_ER_COMPNOTSUPP:
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "ZIP entry %s uses an unsupported compression method", name);
		break;
	case ZIP_ER_CRC:
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "ZIP entry %s is damaged (CRC mismatch)", name);
		break;
	case ZIP_ER_EOF:
	case ZIP_ER_READ:
	case ZIP_ER_SEEK:
	case ZIP_ER_INCONS:
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "ZIP entry %s is truncated or damaged: %s", name, zip_error_strerror (zerr));
		break;
	default:
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "ZIP entry %s not readable: %s", name, zip_error_strerror (zerr));
		break;
	}
}

/* See formats.h.  Errors (MAILREG_ERROR_DATA, permanent): "not a ZIP archive",
 * "truncated ZIP archive", too many entries, "ZIP entry NAME missing", "encrypted
 * ZIP entry NAME", "entry NAME inflates beyond N bytes", a damaged entry.
 * @data is borrowed; the result is a copy.  (transfer full) */
GBytes *
zip_read_entry (GBytes *data, const char *name, const ExtractLimits *limits, GError **error)
{
	g_autoptr (zip_t) za = NULL;
	g_autoptr (zip_file_t) zf = NULL;
	g_autoptr (GByteArray) out = NULL;
	g_autofree guchar *chunk = NULL;
	zip_int64_t index;
	zip_stat_t st;

	g_return_val_if_fail (data != NULL && name != NULL && limits != NULL, NULL);
	if ((za = archive_open (data, limits, error)) == NULL)
		return NULL;

	index = zip_name_locate (za, name, 0);
	if (index < 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "ZIP entry %s missing", name);
		return NULL;
	}
	zip_stat_init (&st);
	if (zip_stat_index (za, (zip_uint64_t) index, 0, &st) != 0) {
		set_entry_error (error, name, zip_get_error (za));
		return NULL;
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "encrypted ZIP entry %s: cannot be read without a password", name);
		return NULL;
	}
	/* a declared size over the limit is refused at once; one under it proves
	 * nothing (ZIP bombs lie), so the reading below counts for itself */
	if ((st.valid & ZIP_STAT_SIZE) && st.size > limits->max_zip_entry) {
		set_over_limit (error, name, limits);
		return NULL;
	}

	zf = zip_fopen_index (za, (zip_uint64_t) index, 0);
	if (zf == NULL) {
		set_entry_error (error, name, zip_get_error (za));
		return NULL;
	}
	out = g_byte_array_sized_new ((st.valid & ZIP_STAT_SIZE) ? (guint) st.size : CHUNK_SIZE);
	chunk = g_malloc (CHUNK_SIZE);
	for (;;) {
		zip_int64_t got = zip_fread (zf, chunk, CHUNK_SIZE);

		if (got < 0) {
			set_entry_error (error, name, zip_file_get_error (zf));
			return NULL;
		}
		if (got == 0)
			break;
		if ((guint64) got > limits->max_zip_entry - out->len) {
			set_over_limit (error, name, limits);
			return NULL;
		}
		g_byte_array_append (out, chunk, (guint) got);
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* See formats.h: the entry names (UTF-8, g_free'd with the array), same archive
 * errors as zip_read_entry().  (transfer full) */
GPtrArray *
zip_list (GBytes *data, const ExtractLimits *limits, GError **error)
{
	g_autoptr (zip_t) za = NULL;
	g_autoptr (GPtrArray) names = NULL;
	zip_int64_t n;

	g_return_val_if_fail (data != NULL && limits != NULL, NULL);
	if ((za = archive_open (data, limits, error)) == NULL)
		return NULL;
	n = zip_get_num_entries (za, 0);
	names = g_ptr_array_new_full ((guint) n, g_free);
	for (zip_int64_t i = 0; i < n; i++) {
		/* names in CP437 are converted to UTF-8 by libzip (ZIP_FL_ENC_GUESS) */
		const char *name = zip_get_name (za, (zip_uint64_t) i, 0);
		if (name != NULL)
			g_ptr_array_add (names, g_strdup (name));
	}
	return g_steal_pointer (&names);
}

/* reader.c - mailreg-reader: one untrusted document read in a sandbox.
 *
 * Started once by the daemon (src/sandbox) with posix_spawn as a server
 * (`mailreg-reader --server`) that forks one reader per document; each reader
 * confines itself (sandbox_enter) before it reads a byte, reads
 * the document from stdin, turns it into text with its format's reader
 * (extract_document_in_process) and answers on stdout: "T" and the text, or
 * "E" and the reason it cannot be read; "F" and a reason when the sandbox
 * could not be set up (then nothing was read).  Its log lines go to stderr,
 * the daemon's.  A separate small program rather than a mode of mailreg: it
 * maps only the libraries reading needs (not libcurl, SQLite, libical...),
 * which makes it quicker to start and leaves less code inside the sandbox.
 *
 *   mailreg-reader FORMAT CHARSET SIZE MEMORY CPU MAX_TEXT ZIP_ENTRY ZIP_ENTRIES XML_DEPTH PDF_PAGES
 * reads one document the same way without a server (by hand, for debugging).
 */
#define G_LOG_DOMAIN "reader"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/log.h"
#include "extract/extract.h"
#include "sandbox/sandbox.h"

/* poppler reports every syntax error of a damaged file, again each time the
 * object is fetched: a fuzzed PDF made 830,000 log lines in its 10 seconds.
 * The reader passes on the first few. */
#define LIBRARY_LOG_MAX 10

static void
library_log_capped (const char *domain, GLogLevelFlags level, const char *message, gpointer user)
{
	static guint seen;

	if (++seen <= LIBRARY_LOG_MAX)
		g_log_default_handler (domain, level, message, user);
	else if (seen == LIBRARY_LOG_MAX + 1)
		g_log_default_handler (domain, level, "more messages about this PDF suppressed", user);
}

static gboolean
write_all (int fd, const char *buf, gsize len)
{
	while (len > 0) {
		ssize_t n = write (fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		buf += n;
		len -= (gsize) n;
	}
	return TRUE;
}

/* Answer @kind and @text, then end without atexit handlers (LeakSanitizer's
 * would stop the world with ptrace, which the filter does not allow). */
static G_GNUC_NORETURN void
answer (char kind, const char *text, int status)
{
	gboolean ok = write_all (STDOUT_FILENO, &kind, 1) && write_all (STDOUT_FILENO, text, strlen (text));

	_exit (ok ? status : 1);
}

/* Exactly @size bytes from stdin (fewer: the sender stopped).  (transfer full) */
static GBytes *
read_input (gsize size)
{
	guint8 *buf = g_malloc (MAX (size, 1));
	gsize got = 0;

	while (got < size) {
		ssize_t n = read (STDIN_FILENO, buf + got, size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (gsize) n;
	}
	return g_bytes_new_take (buf, got);
}

#ifdef MAILREG_FAULTS
/* Test builds: what a reader taken over by a hostile document would try,
 * after the sandbox is up.  Each must kill the reader (SIGSYS); if one works,
 * the reader goes on and the tests see the document read. */
static void
hostile (void)
{
	if (FAULT_ARMED ("reader-write"))
		open ("/tmp/mailreg-reader-hostile", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (FAULT_ARMED ("reader-socket"))
		socket (AF_INET, SOCK_STREAM, 0);
	if (FAULT_ARMED ("reader-exec"))
		execl ("/bin/sh", "sh", "-c", "touch /tmp/mailreg-reader-hostile", (char *) NULL);
}
#endif

static guint64
number (const char *s)
{
	return g_ascii_strtoull (s, NULL, 10);
}

/* One document: the reader's work, in a process of its own. */
static int
reader_main (int argc, char **argv)
{
	SandboxLimits sl = { 0 };
	ExtractLimits limits = { 0 };
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) data = NULL;
	const char *format, *charset;
	char *text;
	gsize size;

	if (argc != 11) {
		fprintf (stderr, "usage: %s FORMAT CHARSET SIZE MEMORY CPU MAX_TEXT ZIP_ENTRY ZIP_ENTRIES "
		         "XML_DEPTH PDF_PAGES\n(started by mailreg, one document on stdin)\n", argv[0]);
		return 64;
	}
	format = argv[1];
	charset = strcmp (argv[2], "-") == 0 ? NULL : argv[2];
	size = number (argv[3]);
	sl.memory = number (argv[4]);
	sl.cpu_seconds = (guint) number (argv[5]);
	limits.max_text = number (argv[6]);
	limits.max_zip_entry = number (argv[7]);
	limits.max_zip_entries = (guint) number (argv[8]);
	limits.max_xml_depth = (guint) number (argv[9]);
	limits.max_pdf_pages = (guint) number (argv[10]);
	limits.max_depth = 1;
	limits.max_attachment = limits.max_total = size;

	FAULT_POINT ("reader");
	if (!sandbox_enter (&sl, &error))
		answer ('F', error->message, 1);
#ifdef MAILREG_FAULTS
	hostile ();
#endif
	data = read_input (size);
	if ((text = extract_document_in_process (format, data, charset, &limits, &error)) == NULL)
		answer ('E', error != NULL ? error->message : "unreadable", 0);
	answer ('T', text, 0);
}

int
main (int argc, char **argv)
{
	log_init (FALSE);
	g_mime_init ();   /* its charset tables: extract_to_utf8 */
	g_log_set_handler ("Poppler", G_LOG_LEVEL_MASK, library_log_capped, NULL);
	extract_init ();
	if (argc == 2 && strcmp (argv[1], "--server") == 0)
		return sandbox_serve (argv[0], reader_main);
	return reader_main (argc, argv);
}

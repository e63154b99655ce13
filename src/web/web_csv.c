/* web_csv.c - spreadsheet files the console hands out (the attendance list):
 * one row at a time, every cell quoted (RFC 4180), and a cell a spreadsheet
 * would run as a formula made plain text (OWASP "CSV injection").
 *
 * The separator is ';': Excel takes it from the Windows list separator, which
 * under Polish regional settings is ';' (the decimal separator being ','), so
 * a file separated by ',' opens there as one column; LibreOffice's import
 * dialog offers ';' as well.  UTF-8 with a byte-order mark (web_csv_start):
 * without one Excel reads the file as Windows-1250 and mangles Polish
 * letters.  No "sep=;" line: with it Excel ignores the byte-order mark.
 */
#include "web/web_private.h"

#include <string.h>

void
web_csv_start (GString *out)
{
	g_string_append (out, "\xEF\xBB\xBF");
}

void
web_csv_row (GString *out, const char *const *cells, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		const char *c = cells[i] ? cells[i] : "";

		if (i > 0)
			g_string_append_c (out, ';');
		g_string_append_c (out, '"');
		/* = + - @ start a formula (and tab, CR a cell of one): an apostrophe
		 * in front makes it text.  A phone "+48 32 ..." gets one too: Excel
		 * would otherwise read it as a formula and show #NULL!. */
		if (*c != '\0' && strchr ("=+-@\t\r", *c) != NULL)
			g_string_append_c (out, '\'');
		for (; *c; c++) {
			if (*c == '"')
				g_string_append_c (out, '"');
			g_string_append_c (out, *c);
		}
		g_string_append_c (out, '"');
	}
	g_string_append (out, "\r\n");
}

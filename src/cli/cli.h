/* cli.h - the commands of the mailreg binary, one file each, and the shared
 * output helpers (JSON via json-glib, CSV, plain text).
 *
 * A command returns TRUE or FALSE with a GError; main.c maps the error to the
 * exit status.  Commands print results on stdout, diagnostics go to the log.
 */
#ifndef MAILREG_CLI_H
#define MAILREG_CLI_H

#include <json-glib/json-glib.h>

#include "core/config.h"
#include "store/db.h"

typedef gboolean (*CommandFunc) (const Config *cfg, int argc, char **argv, GError **error);

gboolean cmd_init (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_ingest (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_poll (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_send (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_run (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_messages (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_applicants (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_outbox (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_events (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_catalog (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_cancel (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_remind (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_consult (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_forget (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_certificates (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_evaluation (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_attendance (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_stats (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_review (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_digest (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_status (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_purge (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_needs (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_web (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_staff (const Config *cfg, int argc, char **argv, GError **error);
gboolean cmd_audit (const Config *cfg, int argc, char **argv, GError **error);

typedef enum { OUTPUT_TEXT, OUTPUT_JSON, OUTPUT_CSV } OutputFormat;

/* Parse the only options listing commands take (--json, --csv when @csv_ok).
 * MAILREG_ERROR_USAGE on anything else. */
gboolean cli_output_format (int argc, char **argv, gboolean csv_ok, OutputFormat *format,
                            GError **error);

/* The start of a command that reads the database: its options
 * (cli_output_format), then the database.  (transfer full) NULL on an error,
 * the option's or the open's. */
Db *cli_open (const Config *cfg, int argc, char **argv, gboolean csv_ok, OutputFormat *format, GError **error);

/* Add @value (string or NULL) to @b under @key; when @integer, as a JSON number. */
void cli_json_add (JsonBuilder *b, const char *key, const char *value, gboolean integer);

/* Add the number @value to @b under @key. */
void cli_json_add_int (JsonBuilder *b, const char *key, gint64 value);

/* The same for a number where 0 means none (a topic, a rating): null then. */
void cli_json_add_pos (JsonBuilder *b, const char *key, gint64 value);

/* Print the builder's root as pretty JSON with a final newline. */
void cli_json_print (JsonBuilder *b);

/* Print one CSV row (RFC 4180: quotes doubled, CRLF), guarding against formula
 * injection in spreadsheets. */
void cli_csv_row (const char *const *cells, gsize n);

/* Start a CSV table with its header row @cells: after a UTF-8 byte-order
 * mark, so LibreOffice and Excel read the Polish letters as UTF-8. */
void cli_csv_header (const char *const *cells, gsize n);

/* Print @rows (GHashTable column -> string) as JSON objects with @columns. Columns
 * named in @integers (NULL-terminated, may be NULL) become numbers. */
void cli_print_rows_json (GPtrArray *rows, const char *const *columns, const char *const *integers);

/* A listing command whose rows come from one query: parse --json, open the
 * database, read the rows with @list, then print them with
 * cli_print_rows_json (@columns, @integers) or, as text, one @print_text call
 * per row.  Errors are the option's, the open's or @list's. */
gboolean cli_list_rows (const Config *cfg, int argc, char **argv, GPtrArray *(*list) (Db *db, GError **error),
                        const char *const *columns, const char *const *integers,
                        void (*print_text) (GHashTable *row), GError **error);

#endif

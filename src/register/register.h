/* register.h - stage 5: decide the one outcome of a spooled message and record
 * it, with the applicant, the registrations and the replies it causes, in one
 * SQLite transaction.
 *
 * Order of effects for one message (a crash anywhere is recovered by running
 * again): spooled in new/ -> parse/extract/validate (no effects) -> BEGIN ->
 * record message, applicant, registrations, queued replies -> COMMIT -> move
 * the spool file to cur/.  A file still in new/ whose spool id is already
 * recorded only needs the last step.
 */
#ifndef MAILREG_REGISTER_H
#define MAILREG_REGISTER_H

#include "compose/compose.h"
#include "core/config.h"
#include "parse/parse.h"
#include "spool/spool.h"
#include "store/db.h"
#include "validate/formdef.h"

typedef struct {
	const Config *cfg;     /* borrowed */
	Db *db;
	Spool *spool;
	FormDef *form;
	Composer *composer;
	GPtrArray *batch;      /* spool ids registered in the open group commit, or NULL */
} Pipeline;

/* Open the database, spool, form definition and templates of @cfg.  (transfer full) */
Pipeline *pipeline_open (const Config *cfg, GError **error);
void pipeline_free (Pipeline *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pipeline, pipeline_free)

typedef struct {
	Outcome outcome;
	char *reason;      /* one line for the log and `messages` */
	gboolean already;  /* recorded by an earlier run (crash recovery) */
} RegisterResult;

void register_result_clear (RegisterResult *res);

/* Process the spooled message @spool_id to its recorded outcome.  Bad mail is an
 * outcome, never an error; FALSE only for database or file-system failures (the
 * message then stays in new/ and is processed again by the next run). */
gboolean register_message (Pipeline *p, const char *spool_id, RegisterResult *res, GError **error);

/* As register_message, but the outcome is review with @reason, decided before
 * the message was read (a message too large to fetch: only its header was
 * spooled).  The sender and staff are told as for any review. */
gboolean register_message_review (Pipeline *p, const char *spool_id, const char *reason, RegisterResult *res,
                                  GError **error);

/* Group commit (issue 2, item 4: several whole messages per transaction).
 * Between register_batch_begin and register_batch_commit, register_message and
 * register_message_review record each message inside its own SAVEPOINT of one
 * open transaction: a message that fails, or falls back to review, undoes only
 * its own effects.  Nothing is durable and no spool file leaves new/ until
 * register_batch_commit, which fsyncs new/ (spool_sync), commits, and only then
 * moves the files to cur/.  A crash before the COMMIT leaves every message of
 * the batch in new/, processed again by the next run.  Errors of begin and
 * commit as db_begin/db_commit; a failed commit has rolled the batch back. */
gboolean register_batch_begin (Pipeline *p, GError **error);
gboolean register_batch_commit (Pipeline *p, GError **error);
/* Undo every message of the open batch (their files stay in new/). */
void register_batch_rollback (Pipeline *p);

/* Why @msg must not be answered automatically (RFC 3834: auto-replies, bounces,
 * lists, our own mail), or NULL.  (static string or transfer full via @reason) */
gboolean register_is_automatic (const Pipeline *p, const InboundMessage *msg, char **reason);

/* --- catalog (catalog.c) ------------------------------------------------ */

/* Read the programme catalog at @path.  (transfer full) array of Event*.
 * MAILREG_ERROR_DATA naming file, event and key on a malformed entry. */
GPtrArray *catalog_load (const char *path, GError **error);

/* Load @path and add or update its events by code, in one transaction. */
gboolean catalog_import (Db *db, const char *path, guint *count, GError **error);

/* Polish text of a session's date range: "czwartek, 6 marca 2014, 10:00–14:00",
 * or "termin zostanie podany" when not fixed.  (transfer full) */
char *catalog_format_when (const char *start, const char *end);

#endif

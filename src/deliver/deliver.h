/* deliver.h - stage 8: queued replies leave the outbox through a transport.
 *
 * One interface for every transport; this build has the directory transport
 * (the embedded default: each message becomes an .eml file in a folder).  A
 * message is marked sent only after the transport has it durably, so a crash in
 * between sends it again - with the same Message-ID and file name, so the
 * directory transport overwrites its own copy instead of duplicating it.
 */
#ifndef MAILREG_DELIVER_H
#define MAILREG_DELIVER_H

#include "store/db.h"

typedef struct Transport Transport;

struct Transport {
	const char *name;
	/* Hand @row to the transport.  FALSE with an error whose code says whether to
	 * retry (MAILREG_ERROR_TEMPFAIL) or not. */
	gboolean (*send) (Transport *t, const OutboxRow *row, GError **error);
	void (*free) (Transport *t);
};

/* The directory transport writing into @dir (created with mode 0700). (transfer full) */
Transport *deliver_dir_new (const char *dir, GError **error);

void transport_free (Transport *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Transport, transport_free)

/* Deliver every queued message once.  Counts go to *@sent and *@deferred.  FALSE only
 * when the database fails; a message the transport refuses stays queued. */
gboolean deliver_queued (Db *db, Transport *t, guint *sent, guint *deferred, GError **error);

#endif

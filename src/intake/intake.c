/* intake.c - one intake pass: IMAP mailbox or local inbox folder -> spool ->
 * register -> acknowledge (see intake.h).
 *
 * Order of effects for an IMAP message (isync's "order is important"):
 * journal its UID with a reserved spool id (commit) -> UID FETCH BODY.PEEK[] ->
 * spool under that id (fsync) -> register (commit) -> UID MOVE (or \Seen) ->
 * mark the journal row acknowledged (commit).  After a crash the journal says
 * where each message stopped: not spooled (fetch again), spooled (register),
 * recorded (acknowledge only).
 */
#include "intake/intake.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/ahead.h"
#include "core/autoptr.h"
#include "core/errors.h"
#include "core/fault.h"
#include "core/fs.h"
#include "core/ids.h"
#include "core/stop.h"
#include "fetch/imap.h"

/* Acknowledge in batches: one UID MOVE per this many messages (and at the end
 * of a pass).  Dovecot's cost is mostly per command: 10,000 messages took 1.5 s
 * of MOVEs by 100, 0.7 s by 500, while a batch of 500 waits half a second. */
#define ACK_BATCH 500
/* Fetch in batches of at most this many messages and bytes (one round trip each). */
#define FETCH_BATCH 64
#define FETCH_BATCH_BYTES (4 << 20)
/* Threads writing spool files: each mostly waits for its fsync, and the disk
 * takes several at once. */
#define SPOOL_WRITERS 4
/* Messages up to this size are parsed in memory, ahead (larger: from the file). */
#define READ_AHEAD_MAX (1 << 20)

typedef struct {
	Pipeline *p;
	IntakeReportFunc report;
	gpointer user_data;
	IntakeStats *stats;
	ImapClient *imap;
	Ahead *writer;         /* writes a fetched batch to the spool (NULL: take does) */
	Ahead *reader;         /* parses and extracts it meanwhile (NULL: register does) */
	GArray *acks;          /* Ack */
	GHashTable *fetched;   /* UID -> GBytes of the current fetch batch */
	GHashTable *asked;     /* UIDs asked for in it (a missing answer: deleted) */
	GArray *held_acks;     /* Ack: recorded in the open group commit */
	GPtrArray *held;       /* Held: reports of the open group commit */
} Pass;

typedef struct {
	gint64 row;
	guint32 uid;
	Outcome outcome;
} Ack;

typedef struct {
	char *source;
	char *message_id;
	Outcome outcome;
	char *reason;
	gboolean recovered;
} Held;

static void
held_free (Held *h)
{
	g_free (h->source);
	g_free (h->message_id);
	g_free (h->reason);
	g_free (h);
}

static void
report_now (Pass *pass, const char *source, const char *message_id, Outcome outcome, const char *reason,
            gboolean recovered)
{
	IntakeEvent ev = { source, message_id, outcome, reason, recovered };

	if (!recovered)
		pass->stats->counts[outcome]++;
	if (pass->report != NULL)
		pass->report (&ev, pass->user_data);
}

/* Report a message; inside a group commit only once the batch is committed. */
static void
emit (Pass *pass, const char *source, const char *message_id, Outcome outcome, const char *reason,
      gboolean recovered)
{
	Held *h;

	if (pass->p->batch == NULL) {
		report_now (pass, source, message_id, outcome, reason, recovered);
		return;
	}
	h = g_new0 (Held, 1);
	h->source = g_strdup (source);
	h->message_id = g_strdup (message_id);
	h->outcome = outcome;
	h->reason = g_strdup (reason);
	h->recovered = recovered;
	g_ptr_array_add (pass->held, h);
}

/* Register spool file @id (@pre: as read ahead, or NULL) and report it. */
static gboolean
process (Pass *pass, const char *id, const char *source, const char *forced_review, RegisterPrepared *pre,
         Outcome *outcome, GError **error)
{
	RegisterResult res;
	gboolean ok = forced_review ? register_message_review (pass->p, id, forced_review, &res, error)
	              : pre != NULL ? register_message_prepared (pass->p, id, pre, &res, error)
	                            : register_message (pass->p, id, &res, error);

	if (!ok) {
		g_prefix_error (error, "%s: ", source);
		return FALSE;
	}
	emit (pass, source, res.message_id, res.outcome, res.reason, res.already);
	if (outcome != NULL)
		*outcome = res.outcome;
	register_result_clear (&res);
	return TRUE;
}

static void
spool_recovered (const char *source, const RegisterResult *res, gpointer user)
{
	emit (user, source, res->message_id, res->outcome, res->reason, res->already);
}

/* Room on the disk for more mail ([limits] min_free_space)?  Checked before
 * new mail is journalled or fetched, so a full disk leaves it on the server. */
static gboolean
room_for_mail (Pass *pass, GError **error)
{
	const Config *cfg = pass->p->cfg;

	return spool_check_space (pass->p->spool->dir, cfg->database, cfg->min_free_space, NULL, error);
}

/* One pass at a time per spool: a second `poll` (or `run`) would fetch the same UIDs. */
static int
lock_pass (const Pipeline *p, GError **error)
{
	g_autofree char *path = g_build_filename (p->spool->dir, "fetch.lock", NULL);

	return fs_lock (path, "fetch: another poll is running", error);
}

/* --- IMAP ----------------------------------------------------------------- */

static char *
too_large_reason (const Config *cfg, guint64 size)
{
	return g_strdup_printf ("message too large: %" G_GUINT64_FORMAT " bytes, limit %" G_GUINT64_FORMAT
	                        " ([imap] max_message_size); only its header was fetched, the message is on "
	                        "the IMAP server", size, cfg->imap_max_message_size);
}

static const char *
ack_target (const Config *cfg, Outcome outcome)
{
	if (outcome == OUTCOME_REVIEW && cfg->imap_review_mailbox != NULL)
		return cfg->imap_review_mailbox;
	return cfg->imap_processed_mailbox;
}

/* Tell the server about every recorded message in pass->acks, one command per
 * target mailbox, then mark the journal rows in one transaction. */
static gboolean
flush_acks (Pass *pass, GError **error)
{
	const Config *cfg = pass->p->cfg;
	g_autoptr (GPtrArray) targets = g_ptr_array_new ();

	if (pass->acks->len == 0)
		return TRUE;
	for (guint i = 0; i < pass->acks->len; i++) {
		const char *t = ack_target (cfg, g_array_index (pass->acks, Ack, i).outcome);
		gboolean seen = FALSE;
		for (guint k = 0; k < targets->len; k++)
			seen |= g_strcmp0 (g_ptr_array_index (targets, k), t) == 0;
		if (!seen)
			g_ptr_array_add (targets, (gpointer) t);
	}
	FAULT_POINT ("imap-before-ack");
	for (guint k = 0; k < targets->len; k++) {
		const char *t = g_ptr_array_index (targets, k);
		g_autoptr (GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
		g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));

		for (guint i = 0; i < pass->acks->len; i++) {
			const Ack *a = &g_array_index (pass->acks, Ack, i);
			if (g_strcmp0 (ack_target (cfg, a->outcome), t) == 0) {
				g_array_append_val (uids, a->uid);
				g_array_append_val (rows, a->row);
			}
		}
		if (!imap_acknowledge (pass->imap, uids, t, error))
			return FALSE;
		FAULT_POINT ("imap-after-ack");
		if (!db_begin (pass->p->db, error))
			return FALSE;
		if (!db_imap_set_states (pass->p->db, (const gint64 *) rows->data, rows->len, "acked", t ? t : "\\Seen",
		                         error)) {
			db_rollback (pass->p->db);
			return FALSE;
		}
		if (!db_commit (pass->p->db, error))
			return FALSE;
		pass->stats->acknowledged += uids->len;
	}
	g_array_set_size (pass->acks, 0);
	return TRUE;
}

/* A message is acknowledged only after the commit that records it: inside a
 * group commit its acknowledgement waits for batch_end. */
static gboolean
queue_ack (Pass *pass, const ImapJournalRow *row, Outcome outcome, GError **error)
{
	Ack a = { row->id, row->uid, outcome };

	if (pass->p->batch != NULL) {
		g_array_append_val (pass->held_acks, a);
		return TRUE;
	}
	g_array_append_val (pass->acks, a);
	return pass->acks->len < ACK_BATCH || flush_acks (pass, error);
}

/* Commit the open group commit (if any); then report its messages and queue
 * their acknowledgements, sent once ACK_BATCH are waiting (or now, @flush).
 * A failed commit rolled the batch back: its messages wait in spool/new/ and
 * in the journal for the next pass, unreported and unacknowledged. */
static gboolean
batch_end (Pass *pass, gboolean flush, GError **error)
{
	if (pass->p->batch != NULL) {
		gboolean ok = register_batch_commit (pass->p, error);
		if (ok) {
			for (guint i = 0; i < pass->held->len; i++) {
				const Held *h = g_ptr_array_index (pass->held, i);
				report_now (pass, h->source, h->message_id, h->outcome, h->reason, h->recovered);
			}
			g_array_append_vals (pass->acks, pass->held_acks->data, pass->held_acks->len);
		}
		g_ptr_array_set_size (pass->held, 0);
		g_array_set_size (pass->held_acks, 0);
		if (!ok)
			return FALSE;
	}
	return (!flush && pass->acks->len < ACK_BATCH) || flush_acks (pass, error);
}

/* Journal rows whose message was spooled but not recorded (a crash between the
 * two): register them now; no network needed. */
static gboolean
recover_journal (Pass *pass, const char *mailbox, GError **error)
{
	g_autoptr (GPtrArray) rows = db_imap_pending (pass->p->db, mailbox, error);

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		const ImapJournalRow *row = g_ptr_array_index (rows, i);
		g_autofree char *path = NULL;
		g_autofree char *source = NULL;
		g_autofree char *forced = NULL;

		if (row->recorded)
			continue;
		path = spool_path (pass->p->spool, row->spool_id);
		if (!g_file_test (path, G_FILE_TEST_EXISTS))
			continue;
		source = g_strdup_printf ("imap UID %u", row->uid);
		if (row->size > pass->p->cfg->imap_max_message_size)
			forced = too_large_reason (pass->p->cfg, row->size);
		if (!process (pass, row->spool_id, source, forced, NULL, NULL, error))
			return FALSE;
	}
	return TRUE;
}

/* Journal every message above the last UID journalled, in one transaction.
 * After a UIDVALIDITY change (@rematch) a message whose Message-ID was recorded
 * before is journalled with that record's spool id: it is only acknowledged. */
static gboolean
journal_new (Pass *pass, guint32 uidvalidity, guint32 last_uid, gboolean rematch, GError **error)
{
	ImapClient *c = pass->imap;
	Db *db = pass->p->db;
	const char *mailbox = imap_client_mailbox (c);
	g_autoptr (GPtrArray) list = NULL;
	guint32 top = last_uid;

	/* UIDNEXT says whether anything arrived: an idle mailbox costs no FETCH. */
	if (imap_exists (c) == 0 || (imap_uidnext (c) != 0 && imap_uidnext (c) <= last_uid + 1))
		return db_imap_mailbox_set (db, mailbox, uidvalidity, last_uid, imap_client_describe (c), error);
	if ((list = imap_list (c, last_uid + 1, rematch, error)) == NULL)
		return FALSE;
	if (!db_begin (db, error))
		return FALSE;
	for (guint i = 0; i < list->len; i++) {
		const ImapMessageInfo *info = g_ptr_array_index (list, i);
		g_autofree char *spool_id = NULL;
		g_autofree char *mid = NULL;
		gboolean check = FALSE;

		/* RFC 3501 §2.3.1.1: no message has a UID from UIDNEXT on; one named
		 * there (or come since the SELECT) waits for the next pass, so the
		 * last UID never passes a message not yet assigned */
		if (imap_uidnext (c) != 0 && info->uid >= imap_uidnext (c)) {
			g_info ("imap: %s: UID %u is not below UIDNEXT %u: left for the next pass", imap_client_describe (c),
			        info->uid, imap_uidnext (c));
			continue;
		}
		if (rematch && (mid = parse_header_message_id (info->header)) != NULL) {
			g_autoptr (GError) local = NULL;
			spool_id = db_message_find (db, mid, NULL, &local);
			if (local != NULL) {
				db_rollback (db);
				g_propagate_error (error, g_steal_pointer (&local));
				return FALSE;
			}
		} else if (rematch) {
			check = TRUE;   /* no Message-ID: compare the content hash after the fetch */
		}
		if (spool_id == NULL)
			spool_id = ids_uuid ();
		if (!db_imap_journal_add (db, mailbox, uidvalidity, info->uid, info->size, spool_id, check, error)) {
			db_rollback (db);
			return FALSE;
		}
		top = MAX (top, info->uid);
	}
	if (!db_imap_mailbox_set (db, mailbox, uidvalidity, top, imap_client_describe (c), error)) {
		db_rollback (db);
		return FALSE;
	}
	return db_commit (db, error);
}

/* The writer's job: the message @data spooled under @want_id (new/ is synced
 * by the group commit). */
static gpointer
spool_job (const char *want_id, GBytes *data, gpointer user, GError **error)
{
	gsize len;
	const void *p = g_bytes_get_data (data, &len);

	return spool_add_data_deferred (user, want_id, p, len, error);
}

/* The reader's job: what registering the message needs no database for. */
static gpointer
read_job (const char *want_id, GBytes *data, gpointer user, GError **error)
{
	return register_prepare (user, data);
}

/* Fetch, spool and register one journalled message; queue its acknowledgement. */
static gboolean
take (Pass *pass, ImapJournalRow *row, GError **error)
{
	const Config *cfg = pass->p->cfg;
	g_autofree char *source = g_strdup_printf ("imap UID %u", row->uid);
	g_autofree char *forced = NULL;
	g_autofree char *id = NULL;
	g_autoptr (GBytes) body = NULL;
	g_autoptr (GError) local = NULL;
	gboolean big = row->size > cfg->imap_max_message_size;
	g_autoptr (RegisterPrepared) pre = NULL;
	gboolean pushed;
	Outcome outcome;

	/* Over the limit: only the header is read, and staff get the message in
	 * review.  A batched one (never big) was fetched with its batch. */
	if (g_hash_table_contains (pass->asked, GUINT_TO_POINTER (row->uid)))
		g_hash_table_steal_extended (pass->fetched, GUINT_TO_POINTER (row->uid), NULL, (gpointer *) &body);
	else
		body = imap_fetch (pass->imap, row->uid, big, &local);
	if (body == NULL && local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		g_prefix_error (error, "%s: ", source);
		return FALSE;
	}
	if (body == NULL) {
		gboolean exists;
		/* Gone only when the server says so plainly; a message it still has
		 * but did not give stays pending for the next pass. */
		if (!imap_uid_exists (pass->imap, row->uid, &exists, error)) {
			g_prefix_error (error, "%s: ", source);
			return FALSE;
		}
		if (exists) {
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_PROTOCOL,
			             "%s: IMAP server %s: the message exists, but the answer to its FETCH did not hold it",
			             source, imap_client_describe (pass->imap));
			return FALSE;
		}
		g_info ("imap: %s: UID %u was deleted before it could be read", imap_client_describe (pass->imap),
		        row->uid);
		pass->stats->gone++;
		return db_imap_set_state (pass->p->db, row->id, "gone", NULL, error);
	}
	FAULT_POINT ("imap-after-fetch");
	if (row->rematch && !big) {
		g_autofree char *hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, g_bytes_get_data (body, NULL),
		                                                     g_bytes_get_size (body));
		g_autofree char *known = db_message_find (pass->p->db, NULL, hash, &local);
		if (local != NULL) {
			g_propagate_error (error, g_steal_pointer (&local));
			return FALSE;
		}
		if (known != NULL) {
			if (!db_imap_set_spool (pass->p->db, row->id, known, error) ||
			    !db_message_recorded (pass->p->db, known, &outcome, error))
				return FALSE;
			pass->stats->already++;
			return queue_ack (pass, row, outcome, error);
		}
	}
	/* new/ is fsynced once per group commit, before its COMMIT; the writer
	 * threads have the file of a message fetched in a batch */
	if (pass->writer != NULL &&
	    (id = ahead_wait (pass->writer, row->spool_id, &pushed, &local)) == NULL && local != NULL) {
		g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", source);
		return FALSE;
	}
	/* the reader has read it meanwhile (its file is written: nothing is read
	 * of a message that could not be spooled) */
	if (id != NULL && pass->reader != NULL &&
	    (pre = ahead_wait (pass->reader, row->spool_id, &pushed, &local)) == NULL && local != NULL) {
		/* nothing lost: register_message reads the spooled file itself */
		g_warning ("%s: reading ahead failed, read from the spool file instead: %s", source, local->message);
		g_clear_error (&local);
	}
	if (id == NULL && (id = spool_add_data_deferred (pass->p->spool, row->spool_id, g_bytes_get_data (body, NULL),
	                                                 g_bytes_get_size (body), error)) == NULL) {
		g_prefix_error (error, "%s: ", source);
		return FALSE;
	}
	if (big)
		forced = too_large_reason (cfg, row->size);
	if (!process (pass, id, source, forced, pre, &outcome, error))
		return FALSE;
	return queue_ack (pass, row, outcome, error);
}

/* Whether journal row @row is taken with a batch (prefetch): of this
 * UIDVALIDITY @uv, not recorded yet, within [imap] max_message_size.  The
 * only such test: take() fetches any other alone (one too large: its header
 * only), and the pass loop acknowledges the recorded ones. */
static gboolean
batched (const Pass *pass, const ImapJournalRow *row, guint32 uv)
{
	return row->uidvalidity == uv && !row->recorded && row->size <= pass->p->cfg->imap_max_message_size;
}

/* The UIDs of the messages to be taken from rows[@from] on, up to a batch
 * (FETCH_BATCH messages, FETCH_BATCH_BYTES), into @uids; returns the index
 * where the next batch starts. */
static guint
window (Pass *pass, GPtrArray *rows, guint from, guint32 uv, GArray *uids)
{
	guint64 bytes = 0;
	guint i;

	for (i = from; i < rows->len && uids->len < FETCH_BATCH; i++) {
		const ImapJournalRow *row = g_ptr_array_index (rows, i);
		if (!batched (pass, row, uv))
			continue;
		if (uids->len > 0 && bytes + row->size > FETCH_BATCH_BYTES)
			break;
		bytes += row->size;
		g_array_append_val (uids, row->uid);
	}
	return i;
}

/* Fetch the messages to be taken from rows[@from] on, up to a batch, in one
 * command; then ask for the next batch at once, so the server prepares it
 * while this one is spooled and registered. */
static gboolean
prefetch (Pass *pass, GPtrArray *rows, guint from, guint32 uv, GError **error)
{
	g_autoptr (GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
	g_autoptr (GArray) next = g_array_new (FALSE, FALSE, sizeof (guint32));
	g_autoptr (GError) ahead_error = NULL;
	guint end;

	g_hash_table_remove_all (pass->asked);
	g_hash_table_remove_all (pass->fetched);
	end = window (pass, rows, from, uv, uids);
	if (uids->len == 0)
		return TRUE;
	g_hash_table_unref (pass->fetched);
	if ((pass->fetched = imap_fetch_batch (pass->imap, uids, error)) == NULL) {
		pass->fetched = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
		                                       (GDestroyNotify) g_bytes_unref);
		g_prefix_error (error, "imap UID %u: ", g_array_index (uids, guint32, 0));
		return FALSE;
	}
	for (guint i = 0; i < uids->len; i++)
		g_hash_table_add (pass->asked, GUINT_TO_POINTER (g_array_index (uids, guint32, i)));
	/* the spool files are written and read meanwhile; not a message that may
	 * be known already (rematch): take hashes it first */
	for (guint i = from; i < end && pass->writer != NULL; i++) {
		const ImapJournalRow *row = g_ptr_array_index (rows, i);
		GBytes *body = g_hash_table_lookup (pass->fetched, GUINT_TO_POINTER (row->uid));
		if (body == NULL || !batched (pass, row, uv) || row->rematch)
			continue;
		ahead_push (pass->writer, row->spool_id, body);
		/* a large one is parsed from its file, where GMime leaves its parts */
		if (pass->reader != NULL && g_bytes_get_size (body) <= READ_AHEAD_MAX)
			ahead_push (pass->reader, row->spool_id, body);
	}
	window (pass, rows, end, uv, next);
	/* a failure here shows again, with its context, at the next command */
	if (!imap_fetch_ahead (pass->imap, next, &ahead_error))
		g_debug ("imap: fetching ahead failed: %s", ahead_error->message);
	return TRUE;
}

static gboolean
imap_pass (Pass *pass, GError **error)
{
	Db *db = pass->p->db;
	g_autoptr (ImapClient) c = NULL;
	g_autoptr (Ahead) writer = NULL;   /* their jobs hold their own copies */
	g_autoptr (Ahead) reader = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	g_autoptr (GError) local = NULL;
	g_autoptr (GError) full = NULL;
	const char *mailbox;
	guint32 stored_uv = 0, last_uid = 0, uv;
	gboolean known, rematch;

	if ((c = imap_client_new (pass->p->cfg, error)) == NULL)
		return FALSE;
	pass->imap = c;
	pass->writer = writer = ahead_new ("spool", SPOOL_WRITERS, spool_job, g_free, pass->p->spool);
	if (writer != NULL) {
		extract_init ();
		pass->reader = reader = ahead_new ("read", 1, read_job, (GDestroyNotify) register_prepared_free, pass->p);
	}
	mailbox = imap_client_mailbox (c);
	if (!recover_journal (pass, mailbox, error) || !register_recover (pass->p, spool_recovered, pass, error))
		return FALSE;
	if (!imap_select (c, error))
		return FALSE;
	uv = imap_uidvalidity (c);
	known = db_imap_mailbox_get (db, mailbox, &stored_uv, &last_uid, &local);
	if (local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	rematch = known && stored_uv != uv;
	if (rematch) {
		g_warning ("imap: %s: UIDVALIDITY of %s changed from %u to %u (mailbox recreated or restored): "
		           "its messages are matched by Message-ID with those recorded before",
		           imap_client_describe (c), mailbox, stored_uv, uv);
		last_uid = 0;
	}
	/* A full disk: what is journalled and recorded is still finished (and
	 * acknowledged); nothing new is journalled, and the pass fails at the
	 * first fetch, or at its end. */
	if (room_for_mail (pass, &full) && !journal_new (pass, uv, last_uid, rematch, error))
		return FALSE;
	if ((rows = db_imap_pending (db, mailbox, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		ImapJournalRow *row = g_ptr_array_index (rows, i);

		if (row->uidvalidity != uv) {
			/* Its UID means nothing any more; a recorded one is matched again by
			 * Message-ID in the new numbering. */
			if (!db_imap_set_state (db, row->id, "stale", NULL, error))
				return FALSE;
			continue;
		}
		if (row->recorded) {
			pass->stats->already++;
			if (!queue_ack (pass, row, row->outcome, error))
				return FALSE;
			continue;
		}
		/* One group commit per fetched batch: its messages are committed
		 * together, then acknowledged.  A stop ends the pass between batches;
		 * the next pass takes the rest. */
		if (!g_hash_table_contains (pass->asked, GUINT_TO_POINTER (row->uid))) {
			if (stop_requested ())
				break;
			if (!batch_end (pass, FALSE, error))
				return FALSE;
			if (full != NULL || !room_for_mail (pass, &full)) {
				/* the recorded ones leave the server; the rest waits there */
				if (!flush_acks (pass, error))
					return FALSE;
				g_propagate_error (error, g_steal_pointer (&full));
				return FALSE;
			}
			if (!prefetch (pass, rows, i, uv, error))
				return FALSE;
		}
		if (pass->p->batch == NULL && !register_batch_begin (pass->p, error))
			return FALSE;
		if (!take (pass, row, error)) {
			/* what is recorded is still committed, and acknowledged when the
			 * connection lives */
			g_autoptr (GError) ack_error = NULL;
			if (!batch_end (pass, TRUE, &ack_error))
				g_warning ("imap: commit or acknowledgement after an error failed too: %s", ack_error->message);
			return FALSE;
		}
	}
	if (!batch_end (pass, TRUE, error))
		return FALSE;
	pass->stats->bytes = imap_bytes_fetched (c);
	if (full != NULL) {
		g_propagate_error (error, g_steal_pointer (&full));
		return FALSE;
	}
	return TRUE;
}

/* --- local inbox folder ---------------------------------------------------- */

/* Move @from to @dir/@name, adding "-N" before an existing name's end. */
static gboolean
move_unique (const char *from, const char *dir, const char *name, GError **error)
{
	g_autofree char *to = g_build_filename (dir, name, NULL);

	for (int n = 1; g_file_test (to, G_FILE_TEST_EXISTS); n++) {
		g_autofree char *alt = g_strdup_printf ("%s-%d", name, n);
		g_free (to);
		to = g_build_filename (dir, alt, NULL);
	}
	return fs_rename (from, to, error) && fs_fsync_dir (dir, error);
}

/* Spool (unless already there), register and move one claimed file
 * ".claimed/<spool id>.<name>" to processed/<name>. */
static gboolean
inbox_finish (Pass *pass, const char *claimed_dir, const char *done_dir, const char *claimed_name,
              gboolean recovered, GError **error)
{
	g_autofree char *id = g_strndup (claimed_name, 36);
	const char *name = claimed_name + 37;
	g_autofree char *path = g_build_filename (claimed_dir, claimed_name, NULL);
	g_autofree char *spooled = spool_path (pass->p->spool, id);
	g_autofree char *source = g_build_filename ("inbox", name, NULL);
	g_autoptr (GError) local = NULL;
	Outcome outcome;

	if (!db_message_recorded (pass->p->db, id, &outcome, &local)) {
		if (local != NULL) {
			g_propagate_error (error, g_steal_pointer (&local));
			return FALSE;
		}
		if (!g_file_test (spooled, G_FILE_TEST_EXISTS)) {
			g_autoptr (GMappedFile) map = g_mapped_file_new (path, FALSE, error);
			g_autofree char *got = NULL;
			if (map == NULL)
				return FALSE;
			got = spool_add_data_as (pass->p->spool, id, g_mapped_file_get_contents (map),
			                         g_mapped_file_get_length (map), error);
			if (got == NULL)
				return FALSE;
		}
		FAULT_POINT ("inbox-after-spool");
		if (!process (pass, id, source, NULL, NULL, NULL, error))
			return FALSE;
	} else if (recovered) {
		g_autofree char *mid = db_message_mid (pass->p->db, id, &local);
		if (local != NULL) {
			g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", source);
			return FALSE;
		}
		emit (pass, source, mid, outcome, "recorded by an earlier run", TRUE);
	}
	FAULT_POINT ("inbox-before-move");
	pass->stats->acknowledged++;
	return move_unique (path, done_dir, name, error);
}

/* Each file is first claimed by a rename to .claimed/<spool id>.<name>, so the
 * spool id is known before anything else happens and a crash is finished with
 * the same id, never spooled twice. */
static gboolean
inbox_pass (Pass *pass, GError **error)
{
	const char *inbox = pass->p->cfg->inbox;
	g_autofree char *claimed = g_build_filename (inbox, ".claimed", NULL);
	g_autofree char *done = g_build_filename (inbox, "processed", NULL);
	g_autoptr (GPtrArray) left = NULL;
	g_autoptr (GPtrArray) names = NULL;

	if (!fs_mkdir_p (claimed, error) || !fs_mkdir_p (done, error))
		return FALSE;
	if ((left = fs_list_files (claimed, NULL, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < left->len; i++) {
		const char *n = g_ptr_array_index (left, i);
		if (strlen (n) > 37 && n[36] == '.' && !inbox_finish (pass, claimed, done, n, TRUE, error))
			return FALSE;
	}
	if (!register_recover (pass->p, spool_recovered, pass, error))
		return FALSE;
	if ((names = fs_list_files (inbox, ".eml", error)) == NULL)
		return FALSE;
	for (guint i = 0; i < names->len && !stop_requested (); i++) {
		const char *name = g_ptr_array_index (names, i);
		g_autofree char *id = ids_uuid ();
		g_autofree char *claimed_name = g_strdup_printf ("%s.%s", id, name);
		g_autofree char *from = g_build_filename (inbox, name, NULL);
		g_autofree char *to = g_build_filename (claimed, claimed_name, NULL);

		if (!room_for_mail (pass, error))
			return FALSE;
		if (!fs_rename (from, to, error) || !fs_fsync_dir (claimed, error))
			return FALSE;
		if (!inbox_finish (pass, claimed, done, claimed_name, FALSE, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
intake_pass (Pipeline *p, IntakeReportFunc report, gpointer user_data, IntakeStats *stats, GError **error)
{
	Pass pass = { .p = p, .report = report, .user_data = user_data, .stats = stats };
	gboolean ok;
	int lock;

	memset (stats, 0, sizeof *stats);
	if ((lock = lock_pass (p, error)) < 0)
		return FALSE;
	pass.acks = g_array_new (FALSE, FALSE, sizeof (Ack));
	pass.fetched = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_bytes_unref);
	pass.asked = g_hash_table_new (g_direct_hash, g_direct_equal);
	pass.held_acks = g_array_new (FALSE, FALSE, sizeof (Ack));
	pass.held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_free);
	ok = p->cfg->has_imap ? imap_pass (&pass, error) : inbox_pass (&pass, error);
	/* an error left the batch open only when its commit was not even tried */
	register_batch_rollback (p);
	g_array_unref (pass.held_acks);
	g_ptr_array_unref (pass.held);
	g_array_unref (pass.acks);
	g_hash_table_unref (pass.fetched);
	g_hash_table_unref (pass.asked);
	close (lock);
	return ok;
}

/* --- waiting for new mail ----------------------------------------------------- */

struct IntakeWaiter {
	Pipeline *p;
	ImapClient *imap;      /* the dedicated connection, or NULL */
	gboolean told_no_idle;
};

const char *
intake_wake_name (IntakeWake wake)
{
	static const char *const names[] = { "new mail", "timeout", "poll interval", "interrupted" };

	g_return_val_if_fail (wake <= INTAKE_WAKE_INTERRUPTED, "timeout");
	return names[wake];
}

IntakeWaiter *
intake_waiter_new (Pipeline *p)
{
	IntakeWaiter *w = g_new0 (IntakeWaiter, 1);

	w->p = p;
	return w;
}

void
intake_waiter_free (IntakeWaiter *w)
{
	if (w == NULL)
		return;
	imap_client_free (w->imap);
	g_free (w);
}

/* Sleep until @end (monotonic µs) or until @wake_fd is readable. */
static IntakeWake
sleep_until (gint64 end, int wake_fd, IntakeWake at_end)
{
	for (;;) {
		struct pollfd pfd = { wake_fd, POLLIN, 0 };
		gint64 left = end - g_get_monotonic_time ();
		int rc;

		if (left <= 0)
			return at_end;
		rc = poll (&pfd, wake_fd >= 0 ? 1 : 0, (int) MIN ((left + 999) / 1000, G_MAXINT));
		if (rc > 0 && (pfd.revents & POLLIN))
			return INTAKE_WAKE_INTERRUPTED;
	}
}

/* Without [imap]: a *.eml in the inbox folder, looked for every second. */
static gboolean
wait_inbox (IntakeWaiter *w, guint timeout_seconds, int wake_fd, IntakeWake *wake, GError **error)
{
	gint64 end = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;

	if (!fs_mkdir_p (w->p->cfg->inbox, error))
		return FALSE;
	for (;;) {
		g_autoptr (GPtrArray) names = fs_list_files (w->p->cfg->inbox, ".eml", error);

		if (names == NULL)
			return FALSE;
		if (names->len > 0) {
			*wake = INTAKE_WAKE_NEW;
			return TRUE;
		}
		if ((*wake = sleep_until (MIN (end, g_get_monotonic_time () + G_USEC_PER_SEC), wake_fd,
		                          INTAKE_WAKE_TIMEOUT)) == INTAKE_WAKE_INTERRUPTED ||
		    g_get_monotonic_time () >= end)
			return TRUE;
	}
}

/* Did mail come while nobody waited?  UIDNEXT above the last UID journalled,
 * or a mailbox we do not know (yet, or any more: UIDVALIDITY changed). */
static gboolean
arrived_meanwhile (IntakeWaiter *w, gboolean *arrived, GError **error)
{
	g_autoptr (GError) local = NULL;
	guint32 uv = 0, last = 0;
	gboolean known = db_imap_mailbox_get (w->p->db, imap_client_mailbox (w->imap), &uv, &last, &local);

	if (local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	*arrived = !known || uv != imap_uidvalidity (w->imap) || imap_uidnext (w->imap) == 0 ||
	           imap_uidnext (w->imap) > last + 1;
	return TRUE;
}

gboolean
intake_wait (IntakeWaiter *w, guint timeout_seconds, int wake_fd, IntakeWake *wake, GError **error)
{
	const Config *cfg = w->p->cfg;
	ImapIdleResult r;
	gboolean arrived;

	*wake = INTAKE_WAKE_TIMEOUT;
	if (!cfg->has_imap)
		return wait_inbox (w, timeout_seconds, wake_fd, wake, error);
	if (w->imap == NULL && (w->imap = imap_client_new (cfg, error)) == NULL)
		return FALSE;
	if (!imap_connected (w->imap)) {
		if (!imap_select (w->imap, error) || !arrived_meanwhile (w, &arrived, error))
			return FALSE;
		if (arrived) {
			*wake = INTAKE_WAKE_NEW;
			return TRUE;
		}
	}
	if (!imap_has_capability (w->imap, "IDLE")) {
		gint64 end = g_get_monotonic_time () +
		             (gint64) MIN (timeout_seconds, MAX (cfg->imap_poll_interval, 1)) * G_USEC_PER_SEC;
		if (!w->told_no_idle)
			g_info ("imap: %s: the server has no IDLE: looking for new mail every %u s",
			        imap_client_describe (w->imap), cfg->imap_poll_interval);
		w->told_no_idle = TRUE;
		/* no connection held while sleeping: the next wait logs in and looks again */
		g_clear_pointer (&w->imap, imap_client_free);
		*wake = sleep_until (end, wake_fd, timeout_seconds <= cfg->imap_poll_interval ? INTAKE_WAKE_TIMEOUT
		                                                                              : INTAKE_WAKE_POLL);
		return TRUE;
	}
	if (!imap_idle (w->imap, timeout_seconds, wake_fd, &r, error))
		return FALSE;
	*wake = r == IMAP_IDLE_NEW ? INTAKE_WAKE_NEW : r == IMAP_IDLE_WOKEN ? INTAKE_WAKE_INTERRUPTED : INTAKE_WAKE_TIMEOUT;
	return TRUE;
}

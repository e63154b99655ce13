/* deliver.c - the delivery loop (queue states, retries, staff notices) and the
 * directory transport. */
#include "deliver/deliver.h"

#include <string.h>

#include "core/clock.h"
#include "core/errors.h"
#include "core/fault.h"
#include "core/fs.h"
#include "core/stop.h"

G_DEFINE_QUARK (mailreg-deliver-error-quark, deliver_error)

void
transport_reply_clear (TransportReply *reply)
{
	g_free (reply->text);
	memset (reply, 0, sizeof *reply);
}

/* --- the directory transport ------------------------------------------------ */

typedef struct {
	Transport base;
	char *dir;
} DirTransport;

char *
deliver_dir_name (const char *message_id)
{
	const char *at = strchr (message_id, '@');
	/* Our own Message-IDs are uuid@domain: the uuid is a safe, stable file name. */
	char *name = g_strdup_printf ("%.*s.eml", at ? (int) (at - message_id) : 36, message_id);

	g_strcanon (name, "0123456789abcdefABCDEF-.eml", '_');
	return name;
}

static gboolean
dir_send (Transport *t, const OutboxRow *row, GBytes *raw, const TransportHooks *hooks, TransportReply *reply,
          GError **error)
{
	DirTransport *d = (DirTransport *) t;
	g_autofree char *name = deliver_dir_name (row->message_id);
	gsize len;
	const void *data = g_bytes_get_data (raw, &len);

	return hooks->before_data (hooks->data, error) && fs_write_atomic (d->dir, name, data, len, error);
}

static void
dir_free (Transport *t)
{
	DirTransport *d = (DirTransport *) t;

	g_free (d->dir);
	g_free (d);
}

Transport *
deliver_dir_new (const char *dir, GError **error)
{
	DirTransport *d;

	if (!fs_mkdir_p (dir, error))
		return NULL;
	d = g_new0 (DirTransport, 1);
	d->base.name = "directory";
	d->base.send = dir_send;
	d->base.free = dir_free;
	d->dir = g_strdup (dir);
	d->base.where = d->dir;
	return &d->base;
}

void
transport_free (Transport *t)
{
	if (t != NULL)
		t->free (t);
}

/* --- the queue ------------------------------------------------------------- */

typedef struct {
	Db *db;
	Transport *t;
	const Config *cfg;
	Composer *composer;
	DeliverCounts *counts;
} Run;

static char *
format_unix (gint64 t)
{
	g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (t);
	g_autoptr (GDateTime) local = g_date_time_to_local (utc);

	return g_date_time_format (local, "%Y-%m-%d %H:%M:%S %z");
}

static char *
format_age (gint64 seconds)
{
	if (seconds >= 86400)
		return g_strdup_printf ("%" G_GINT64_FORMAT " d %" G_GINT64_FORMAT " h", seconds / 86400,
		                        seconds % 86400 / 3600);
	if (seconds >= 3600)
		return g_strdup_printf ("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min", seconds / 3600,
		                        seconds % 3600 / 60);
	return g_strdup_printf ("%" G_GINT64_FORMAT " min", seconds / 60);
}

/* Staff hear about mail to applicants, never about their own notices (no loop). */
static gboolean
staff_care (const Run *r, const OutboxRow *row)
{
	return r->composer != NULL && r->cfg->staff != NULL && g_strcmp0 (row->kind, "staff") != 0 &&
	       g_strcmp0 (row->kind, "digest") != 0;
}

/* Compose staff notice @tmpl about @row and queue it (inside the caller's transaction). */
static gboolean
notify_staff (Run *r, const char *tmpl, const OutboxRow *row, const TransportReply *reply,
              gint64 now, GError **error)
{
	g_autoptr (GHashTable) vars = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	g_autoptr (ComposedMail) mail = NULL;
	g_autofree char *queued = format_unix (row->queued_unix);

	g_hash_table_insert (vars, "rcpt", g_strdup (row->rcpt));
	g_hash_table_insert (vars, "kind", g_strdup (row->kind));
	g_hash_table_insert (vars, "subject", g_strdup (row->subject));
	g_hash_table_insert (vars, "message_id", g_strdup (row->message_id));
	g_hash_table_insert (vars, "queued_at", g_strdup (queued));
	g_hash_table_insert (vars, "age", format_age (now - row->queued_unix));
	g_hash_table_insert (vars, "attempts", g_strdup_printf ("%d", row->attempts + 1));
	g_hash_table_insert (vars, "reply", g_strdup (reply->text ? reply->text : "(brak odpowiedzi serwera)"));
	g_hash_table_insert (vars, "give_up_at", format_unix (row->queued_unix + (gint64) r->cfg->smtp_max_lifetime));
	mail = compose_mail (r->composer, tmpl, vars, NULL, r->cfg->staff, NULL, NULL, error);
	if (mail == NULL)
		return FALSE;
	return db_outbox_add (r->db, row->inbound_id, "staff", r->cfg->staff, mail->subject, mail->message_id,
	                      mail->raw, error);
}

/* Seconds to wait after the @attempts-th failed attempt (Postfix backoff). */
static guint
retry_delay (const Config *cfg, int attempts)
{
	const GArray *s = cfg->smtp_retry_schedule;
	guint i = attempts < 1 ? 0 : MIN ((guint) attempts - 1, s->len - 1);

	return g_array_index (s, guint, i);
}

/* The row failed for good: mark it and tell staff, in one transaction. */
static gboolean
give_up (Run *r, const OutboxRow *row, const TransportReply *reply, const char *why, gint64 now,
         GError **error)
{
	g_autofree char *text = g_strdup_printf ("%s%s%s", why, reply->text ? ": " : "",
	                                         reply->text ? reply->text : "");
	TransportReply shown = { reply->code, text };

	if (!db_begin (r->db, error))
		return FALSE;
	if (!db_outbox_result (r->db, row->id, "failed", reply->code, text, 0, error) ||
	    (staff_care (r, row) && !notify_staff (r, "staff-failed", row, &shown, now, error))) {
		db_rollback (r->db);
		return FALSE;
	}
	r->counts->failed++;
	g_warning ("deliver: failed %s to %s (<%s>): %s", row->kind, row->rcpt, row->message_id, text);
	return db_commit (r->db, error);
}

static gboolean
defer (Run *r, const OutboxRow *row, const TransportReply *reply, gint64 now, GError **error)
{
	gint64 age = now - row->queued_unix;
	gint64 next = now + retry_delay (r->cfg, row->attempts + 1);
	gboolean warn = !row->warned && r->cfg->smtp_delay_warning > 0 &&
	                age >= (gint64) r->cfg->smtp_delay_warning && staff_care (r, row);

	/* Postfix maximal_queue_lifetime: a message still undelivered is returned. */
	if (age >= (gint64) r->cfg->smtp_max_lifetime) {
		g_autofree char *a = format_age (age);
		g_autofree char *why = g_strdup_printf ("undelivered after %d attempts in %s (max_lifetime)",
		                                        row->attempts + 1, a);
		return give_up (r, row, reply, why, now, error);
	}
	if (!db_begin (r->db, error))
		return FALSE;
	if (!db_outbox_result (r->db, row->id, "deferred", reply->code, reply->text, next, error) ||
	    (warn && (!notify_staff (r, "staff-delayed", row, reply, now, error) ||
	              !db_outbox_set_warned (r->db, row->id, error)))) {
		db_rollback (r->db);
		return FALSE;
	}
	r->counts->deferred++;
	g_warning ("deliver: deferred %s to %s (<%s>), next attempt in %" G_GINT64_FORMAT " s: %s", row->kind,
	           row->rcpt, row->message_id, next - now, reply->text ? reply->text : "(no reply)");
	return db_commit (r->db, error);
}

int
deliver_lock (const Config *cfg, GError **error)
{
	g_autofree char *path = g_strconcat (cfg->database, ".send-lock", NULL);

	return fs_lock (path, "send: another mailreg process is delivering", error);
}

char *
deliver_health (const DeliverCounts *counts)
{
	if (counts->deferred == 0 || counts->sent > 0)
		return NULL;
	return g_strdup_printf ("%u messages deferred, none sent", counts->deferred);
}

static gboolean deliver_due (Run *r, GError **error);

/* The server could not be used at all: the class the exit status tells, 0
 * when @e is about one message only. */
static int
unusable_class (const GError *e)
{
	if (e->domain != DELIVER_ERROR)
		return 0;
	switch (e->code) {
	case DELIVER_ERROR_UNAVAILABLE:
		return MAILREG_ERROR_TEMPFAIL;
	case DELIVER_ERROR_CREDENTIALS:
		return MAILREG_ERROR_NOPERM;
	case DELIVER_ERROR_CONFIG:
		return MAILREG_ERROR_CONFIG;
	default:
		return 0;
	}
}

/* The message accepted last and not yet recorded, and the one going out now. */
typedef struct {
	Run *r;
	const OutboxRow *accepted;  /* its server took it; marked sent by the next commit */
	TransportReply accepted_reply;
	const OutboxRow *current;
	gboolean journaled;         /* current is marked in flight */
	const OutboxRow *next;      /* the one after current (NULL: none) */
	GBytes *next_wire;          /* its message, read and prepared meanwhile too */
	GError *error;              /* the database failed in before_data */
} Flight;

/* @row's message from the outbox, as the transport sends it. */
static GBytes *
wire_message (Run *r, const OutboxRow *row, GError **error)
{
	g_autoptr (GBytes) raw = db_outbox_raw (r->db, row->id, error);

	if (raw == NULL || r->t->prepare == NULL)
		return g_steal_pointer (&raw);
	return r->t->prepare (r->t, raw);
}

static void
flight_clear (Flight *f)
{
	transport_reply_clear (&f->accepted_reply);
	g_clear_pointer (&f->next_wire, g_bytes_unref);
	g_clear_error (&f->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Flight, flight_clear)

/* One commit records the accepted message as sent and, if @next is not NULL,
 * marks @next in flight (it goes out right after: one commit per message, not
 * two). */
static gboolean
record_accepted (Flight *f, const OutboxRow *next, GError **error)
{
	Db *db = f->r->db;
	const OutboxRow *row = f->accepted;
	const TransportReply *reply = &f->accepted_reply;
	gint64 now = clock_now_unix ();
	gboolean ok;

	FAULT_POINT ("deliver-before-mark");
	if (next == NULL) {
		ok = db_outbox_result (db, row->id, "sent", reply->code, reply->text, 0, error);
	} else if ((ok = db_begin (db, error))) {
		ok = db_outbox_result (db, row->id, "sent", reply->code, reply->text, 0, error) &&
		     db_outbox_sending (db, next->id, now, error);
		ok = db_end (db, ok, error);
	}
	if (!ok)
		return FALSE;
	f->r->counts->sent++;
	g_message ("deliver: sent %s to %s (<%s>) via %s%s%s", row->kind, row->rcpt, row->message_id,
	           f->r->t->name, reply->text ? ": " : "", reply->text ? reply->text : "");
	f->accepted = NULL;
	transport_reply_clear (&f->accepted_reply);
	return TRUE;
}

/* TransportHooks.before_data: the transfer of f->current has begun (the SMTP
 * server is reading its envelope), none of its data has left.  The previous
 * message is recorded and this one marked in flight now, so the commit
 * overlaps the server's round trip, yet nothing is sent before it is on disk. */
static gboolean
before_data (gpointer data, GError **error)
{
	Flight *f = data;
	g_autoptr (GError) local = NULL;
	gboolean ok;

	if (f->accepted != NULL)
		ok = record_accepted (f, f->current, &local);
	else
		ok = f->journaled || db_outbox_sending (f->r->db, f->current->id, clock_now_unix (), &local);
	if (!ok) {
		f->error = g_error_copy (local);
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	f->journaled = TRUE;
	FAULT_POINT ("deliver-after-journal");
	return TRUE;
}

/* TransportHooks.meanwhile: the next message, read while the server takes
 * this one's data (after the commit, which must not make the envelope wait). */
static void
read_ahead (gpointer data)
{
	Flight *f = data;
	g_autoptr (GError) local = NULL;

	/* a failure shows again, with its context, when the loop reads it itself */
	if (f->next != NULL && f->next_wire == NULL &&
	    (f->next_wire = wire_message (f->r, f->next, &local)) == NULL)
		g_debug ("deliver: reading <%s> ahead failed: %s", f->next->message_id, local->message);
}

gboolean
deliver_queued (Db *db, Transport *t, const Config *cfg, Composer *composer, DeliverCounts *counts,
                GError **error)
{
	Run r = { db, t, cfg, composer, counts };

	/* Delivery marks need not wait for the disk: one lost in a power cut only
	 * sends that message again (see db_set_durable). */
	if (!db_set_durable (db, FALSE, error))
		return FALSE;
	if (!deliver_due (&r, error)) {
		g_autoptr (GError) durable = NULL;
		/* the first error is the one to report; this one is logged */
		if (!db_set_durable (db, TRUE, &durable))
			g_warning ("deliver: %s", durable->message);
		return FALSE;
	}
	return db_set_durable (db, TRUE, error);
}

static gboolean
deliver_due (Run *r, GError **error)
{
	Db *db = r->db;
	Transport *t = r->t;
	DeliverCounts *counts = r->counts;
	g_autoptr (GPtrArray) interrupted = NULL;
	g_autoptr (GPtrArray) rows = NULL;
	g_autoptr (GError) unavailable = NULL;
	g_auto (Flight) f = { .r = r };
	const TransportHooks hooks = { before_data, read_ahead, &f };
	gboolean done = TRUE;

	memset (counts, 0, sizeof *counts);
	/* A run killed between the two marks: the server may have the message. */
	if ((interrupted = db_outbox_interrupted (db, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < interrupted->len; i++)
		g_warning ("deliver: <%s> was in flight when a run stopped; sending it again "
		           "(the recipient may get it twice)", (char *) g_ptr_array_index (interrupted, i));
	counts->interrupted = interrupted->len;
	if ((rows = db_outbox_due (db, clock_now_unix (), error)) == NULL)
		return FALSE;
	/* a stop ends the batch between two messages; the rest waits, queued */
	for (guint i = 0; i < rows->len && done && !stop_requested (); i++) {
		const OutboxRow *row = g_ptr_array_index (rows, i);
		g_autoptr (GBytes) wire = NULL;
		g_autoptr (GError) local = NULL;
		TransportReply reply = { 0 };
		gint64 now = clock_now_unix ();
		gboolean ok = FALSE;

		if (unavailable != NULL) {
			/* Postfix: the destination is down, the rest of the batch waits. */
			local = g_error_copy (unavailable);
			reply.text = g_strdup (local->message);
		} else {
			if (f.next == row)
				wire = g_steal_pointer (&f.next_wire);
			if (wire == NULL && (wire = wire_message (r, row, error)) == NULL) {
				/* the one accepted last is recorded all the same, if the database lets us */
				g_autoptr (GError) mark = NULL;
				if (f.accepted != NULL && !record_accepted (&f, NULL, &mark))
					g_warning ("deliver: <%s> was sent but cannot be marked so (it goes again): %s",
					           f.accepted->message_id, mark->message);
				return FALSE;
			}
			f.current = row;
			f.journaled = FALSE;
			f.next = i + 1 < rows->len ? g_ptr_array_index (rows, i + 1) : NULL;
			ok = t->send (t, row, wire, &hooks, &reply, &local);
			if (f.error != NULL) {
				g_propagate_error (error, g_steal_pointer (&f.error));
				transport_reply_clear (&reply);
				return FALSE;
			}
			/* a transfer that failed before its data leaves the last one unrecorded */
			if (f.accepted != NULL && !record_accepted (&f, NULL, error))
				return FALSE;
		}
		if (ok) {
			f.accepted = row;
			f.accepted_reply = reply;
			continue;
		}
		if (reply.text == NULL)
			reply.text = g_strdup (local->message);
		if (local->domain == DELIVER_ERROR && local->code == DELIVER_ERROR_PERMANENT)
			done = give_up (r, row, &reply, "permanent failure", now, error);
		else
			done = defer (r, row, &reply, now, error);
		if (unavailable == NULL && (counts->unusable = unusable_class (local)) != 0)
			unavailable = g_steal_pointer (&local);
		transport_reply_clear (&reply);
	}
	/* the last message of the batch (or the last before a stop), recorded at once */
	if (done && f.accepted != NULL)
		done = record_accepted (&f, NULL, error);
	return done;
}

/* deliver.c - the delivery loop and the directory transport. */
#include "deliver/deliver.h"

#include <string.h>

#include "core/errors.h"
#include "core/fault.h"
#include "core/fs.h"

typedef struct {
	Transport base;
	char *dir;
} DirTransport;

static gboolean
dir_send (Transport *t, const OutboxRow *row, GError **error)
{
	DirTransport *d = (DirTransport *) t;
	g_autofree char *name = NULL;
	const char *at = strchr (row->message_id, '@');
	gsize len;
	const void *data = g_bytes_get_data (row->raw, &len);

	/* Our own Message-IDs are uuid@domain: the uuid is a safe, stable file name. */
	name = g_strdup_printf ("%.*s.eml", at ? (int) (at - row->message_id) : 36, row->message_id);
	g_strcanon (name, "0123456789abcdefABCDEF-.eml", '_');
	return fs_write_atomic (d->dir, name, data, len, error);
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
	return &d->base;
}

void
transport_free (Transport *t)
{
	if (t != NULL)
		t->free (t);
}

gboolean
deliver_queued (Db *db, Transport *t, guint *sent, guint *deferred, GError **error)
{
	g_autoptr (GPtrArray) rows = db_outbox_queued (db, error);

	*sent = *deferred = 0;
	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		const OutboxRow *row = g_ptr_array_index (rows, i);
		g_autoptr (GError) local = NULL;
		gboolean ok = t->send (t, row, &local);

		FAULT_POINT ("deliver-before-mark");
		if (!db_outbox_mark (db, row->id, ok, ok ? NULL : local->message, error))
			return FALSE;
		if (ok) {
			(*sent)++;
			g_message ("sent %s to %s (<%s>) via %s", row->kind, row->rcpt, row->message_id, t->name);
		} else {
			(*deferred)++;
			g_warning ("deferred %s to %s (<%s>): %s", row->kind, row->rcpt, row->message_id,
			           local->message);
		}
	}
	return TRUE;
}

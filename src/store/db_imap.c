/* db_imap.c - the IMAP sync state, like isync's: per mailbox UIDVALIDITY and
 * the highest UID journalled; per message the spool id reserved before the
 * fetch and whether the server was told (db.h says which state means what).
 */
#include "store/db_private.h"

gboolean
db_imap_mailbox_get (Db *db, const char *mailbox, guint32 *uidvalidity, guint32 *last_uid, GError **error)
{
	ImapMailboxState *state = db_read_row (db, "SELECT " MAILBOX_COLUMNS " FROM imap_mailboxes"
	                                       " WHERE mailbox = :m", DB_PARAMS (DB_TEXT (":m", mailbox)),
	                                       &db_mailbox_row, "read IMAP state", error);

	if (state == NULL)
		return FALSE;
	*uidvalidity = state->uidvalidity;
	*last_uid = state->last_uid;
	db_imap_mailbox_state_free (state);
	return TRUE;
}

gboolean
db_imap_mailbox_set (Db *db, const char *mailbox, guint32 uidvalidity, guint32 last_uid, const char *server,
                     GError **error)
{
	return db_run (db,
	               "INSERT INTO imap_mailboxes (mailbox, uidvalidity, last_uid, server, updated_at)"
	               " VALUES (:m, :v, :u, :s, :now) ON CONFLICT (mailbox) DO UPDATE SET"
	               " uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"
	               " server = excluded.server, updated_at = excluded.updated_at",
	               DB_PARAMS (DB_TEXT (":m", mailbox), DB_INT (":v", uidvalidity), DB_INT (":u", last_uid),
	                          DB_TEXT (":s", server), DB_NOW (":now")),
	               "store IMAP state", error);
}

gboolean
db_imap_journal_add (Db *db, const char *mailbox, guint32 uidvalidity, guint32 uid, guint64 size,
                     const char *spool_id, gboolean rematch, GError **error)
{
	return db_run (db,
	               "INSERT INTO imap_messages (mailbox, uidvalidity, uid, size, spool_id, rematch,"
	               " created_at) VALUES (:m, :v, :u, :size, :spool, :rematch, :now)"
	               " ON CONFLICT (mailbox, uidvalidity, uid) DO NOTHING",
	               DB_PARAMS (DB_TEXT (":m", mailbox), DB_INT (":v", uidvalidity), DB_INT (":u", uid),
	                          DB_INT (":size", (gint64) size), DB_TEXT (":spool", spool_id),
	                          DB_INT (":rematch", rematch), DB_NOW (":now")),
	               "journal IMAP message", error);
}

GPtrArray *
db_imap_pending (Db *db, const char *mailbox, GError **error)
{
	return db_collect (db,
	                   "SELECT i.id, i.uidvalidity, i.uid, i.size, i.spool_id, i.rematch, m.state"
	                   " FROM imap_messages i LEFT JOIN messages m ON m.spool_id = i.spool_id"
	                   " WHERE i.mailbox = :m AND i.state = 'pending' ORDER BY i.uidvalidity, i.uid",
	                   DB_PARAMS (DB_TEXT (":m", mailbox)), db_journal_read,
	                   (GDestroyNotify) imap_journal_row_free, "read IMAP journal", error);
}

gboolean
db_imap_set_states (Db *db, const gint64 *ids, guint n, const char *state, const char *acked_to,
                    GError **error)
{
	g_autoptr (GString) list = g_string_sized_new (12 * n + 2);

	if (n == 0)
		return TRUE;
	/* a JSON array: a statement per row was most of an acknowledgement's cost */
	for (guint i = 0; i < n; i++)
		g_string_append_printf (list, "%c%" G_GINT64_FORMAT, i ? ',' : '[', ids[i]);
	g_string_append_c (list, ']');
	return db_run (db,
	               "UPDATE imap_messages SET state = :state, acked_to = :to,"
	               " acked_at = CASE WHEN :state = 'acked' THEN :now END"
	               " WHERE id IN (SELECT value FROM json_each(:ids))",
	               DB_PARAMS (DB_TEXT (":state", state), DB_TEXT (":to", acked_to), DB_NOW (":now"),
	                          DB_TEXT (":ids", list->str)),
	               "update IMAP journal", error);
}

gboolean
db_imap_set_state (Db *db, gint64 id, const char *state, const char *acked_to, GError **error)
{
	return db_imap_set_states (db, &id, 1, state, acked_to, error);
}

gboolean
db_imap_set_spool (Db *db, gint64 id, const char *spool_id, GError **error)
{
	return db_run (db, "UPDATE imap_messages SET spool_id = :spool, rematch = 0 WHERE id = :id",
	               DB_PARAMS (DB_TEXT (":spool", spool_id), DB_INT (":id", id)), "update IMAP journal", error);
}

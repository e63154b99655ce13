/* db_catalog.c - events and their sessions: what applicants register for.
 *
 * Written by `mailreg catalog` (db_event_upsert), read by placement many times
 * a message; inside a transaction what was read is kept (Db.catalog) until
 * the transaction ends, since its write lock keeps anyone else from changing it.
 */
#include "store/db_private.h"

void
db_catalog_forget (Db *db)
{
	g_hash_table_remove_all (db->candidates);
	g_hash_table_remove_all (db->catalog);
}

/* Only inside a transaction is what was read of the catalog still true. */
static gboolean
catalog_usable (Db *db)
{
	return !sqlite3_get_autocommit (db->handle);
}

gboolean
db_event_upsert (Db *db, const Event *ev, GError **error)
{
	gint64 id = 0;

	db_catalog_forget (db);
	if (!db_returning (db,
	                   "INSERT INTO events (code, kind, title, subregion, topic, seats, hours)"
	                   " VALUES (:code, :kind, :title, :subregion, :topic, :seats, :hours)"
	                   " ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, title = excluded.title,"
	                   " subregion = excluded.subregion, topic = excluded.topic, seats = excluded.seats,"
	                   " hours = excluded.hours"
	                   " RETURNING id",
	                   DB_PARAMS (DB_TEXT (":code", ev->code), DB_TEXT (":kind", ev->kind),
	                              DB_TEXT (":title", ev->title), DB_TEXT (":subregion", ev->subregion),
	                              DB_POS (":topic", ev->topic), DB_INT (":seats", ev->seats),
	                              DB_INT (":hours", ev->hours)),
	                   &id, "store event", error))
		return FALSE;
	if (!db_run (db, "DELETE FROM sessions WHERE event_id = :id AND seq > :n",
	             DB_PARAMS (DB_INT (":id", id), DB_INT (":n", ev->sessions->len)), "store sessions", error))
		return FALSE;
	for (guint i = 0; i < ev->sessions->len; i++) {
		const EventSession *s = g_ptr_array_index (ev->sessions, i);
		if (!db_run (db,
		             "INSERT INTO sessions (event_id, seq, start, end, place, hours)"
		             " VALUES (:id, :seq, :start, :end, :place, :hours)"
		             " ON CONFLICT (event_id, seq) DO UPDATE SET start = excluded.start,"
		             " end = excluded.end, place = excluded.place, hours = excluded.hours",
		             DB_PARAMS (DB_INT (":id", id), DB_INT (":seq", i + 1), DB_TEXT (":start", s->start),
		                        DB_TEXT (":end", s->end), DB_TEXT (":place", s->place),
		                        DB_INT (":hours", s->hours)),
		             "store session", error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
load_sessions (Db *db, gint64 event_id, Event *ev, GError **error)
{
	g_autoptr (GPtrArray) sessions = NULL;

	if ((sessions = db_read_rows (db, "SELECT start, end, place, hours FROM sessions WHERE event_id = :id ORDER BY seq",
	                              DB_PARAMS (DB_INT (":id", event_id)), &db_session_row, "read sessions", error)) == NULL)
		return FALSE;
	g_ptr_array_extend_and_steal (ev->sessions, g_steal_pointer (&sessions));
	return TRUE;
}

/* Events of @sql (EVENT_COLUMNS) with @params, sessions loaded after the
 * statement is reset; their row ids in *@ids_out when not NULL. */
static GPtrArray *
events_from (Db *db, const char *sql, const DbParam *params, GArray **ids_out, GError **error)
{
	g_autoptr (GPtrArray) rows = db_collect (db, sql, params, db_event_read, (GDestroyNotify) db_catalog_entry_free,
	                                         "read events", error);
	g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
	g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

	if (rows == NULL)
		return NULL;
	for (guint i = 0; i < rows->len; i++) {
		CatalogEntry *row = g_ptr_array_index (rows, i);
		g_array_append_val (ids, row->id);
		g_ptr_array_add (events, g_steal_pointer (&row->ev));
	}
	for (guint i = 0; i < events->len; i++)
		if (!load_sessions (db, g_array_index (ids, gint64, i), g_ptr_array_index (events, i), error))
			return NULL;
	if (ids_out != NULL)
		*ids_out = g_steal_pointer (&ids);
	return g_steal_pointer (&events);
}

/* A copy of @ev's columns and sessions.  (transfer full) */
static Event *
event_dup (const Event *ev)
{
	Event *copy = event_new ();

	copy->code = g_strdup (ev->code);
	copy->kind = g_strdup (ev->kind);
	copy->title = g_strdup (ev->title);
	copy->subregion = g_strdup (ev->subregion);
	copy->topic = ev->topic;
	copy->seats = ev->seats;
	copy->hours = ev->hours;
	for (guint k = 0; k < ev->sessions->len; k++) {
		const EventSession *s = g_ptr_array_index (ev->sessions, k);
		EventSession *c = g_new0 (EventSession, 1);
		c->start = g_strdup (s->start);
		c->end = g_strdup (s->end);
		c->place = g_strdup (s->place);
		c->hours = s->hours;
		g_ptr_array_add (copy->sessions, c);
	}
	return copy;
}

/* Keep @events (with row @ids) as read in this transaction; returns their
 * entries, in order.  (transfer container) */
static GPtrArray *
catalog_keep (Db *db, GPtrArray *events, GArray *ids)
{
	GPtrArray *entries = g_ptr_array_sized_new (events->len);

	for (guint i = 0; i < events->len; i++) {
		const Event *ev = g_ptr_array_index (events, i);
		CatalogEntry *entry = g_hash_table_lookup (db->catalog, ev->code);

		if (entry == NULL) {
			entry = g_new0 (CatalogEntry, 1);
			entry->id = g_array_index (ids, gint64, i);
			entry->ev = event_dup (ev);
			g_hash_table_insert (db->catalog, entry->ev->code, entry);
		}
		g_ptr_array_add (entries, entry);
	}
	return entries;
}

/* A kept event with its seat counts as they are now.  (transfer full) */
static Event *
catalog_event (Db *db, const CatalogEntry *entry, GError **error)
{
	sqlite3_stmt *st = db_query (db, "SELECT " EVENT_COUNTS " FROM events e WHERE e.id = :id",
	                             DB_PARAMS (DB_INT (":id", entry->id)), error);
	g_autoptr (Event) ev = NULL;
	int rc;

	if (st == NULL)
		return NULL;
	ev = event_dup (entry->ev);
	if ((rc = sqlite3_step (st)) == SQLITE_ROW) {
		ev->taken = sqlite3_column_int (st, 0);
		ev->waitlist = sqlite3_column_int (st, 1);
		ev->offered = sqlite3_column_int (st, 2);
	}
	sqlite3_reset (st);
	if (rc != SQLITE_ROW) {
		/* the row is there: the transaction holds the write lock */
		db_fail (db, error, "read event counts");
		return NULL;
	}
	return g_steal_pointer (&ev);
}

Event *
db_event_find (Db *db, const char *kind, const char *subregion, int topic, GError **error)
{
	g_autoptr (GPtrArray) found = events_from (db,
	                                           "SELECT " EVENT_COLUMNS " FROM events e WHERE e.kind = :kind"
	                                           " AND (:subregion IS NULL OR e.subregion = :subregion)"
	                                           " AND (:topic = 0 OR e.topic = :topic)"
	                                           " ORDER BY e.code LIMIT 1",
	                                           DB_PARAMS (DB_TEXT (":kind", kind), DB_TEXT (":subregion", subregion),
	                                                      DB_INT (":topic", topic)),
	                                           NULL, error);

	return found != NULL && found->len > 0 ? g_ptr_array_steal_index (found, 0) : NULL;
}

Event *
db_event_get (Db *db, const char *code, GError **error)
{
	g_autoptr (GPtrArray) found = NULL;
	g_autoptr (GArray) ids = NULL;
	const CatalogEntry *entry;

	if (catalog_usable (db) && code != NULL && (entry = g_hash_table_lookup (db->catalog, code)) != NULL)
		return catalog_event (db, entry, error);
	if ((found = events_from (db, "SELECT " EVENT_COLUMNS " FROM events e WHERE e.code = :code",
	                          DB_PARAMS (DB_TEXT (":code", code)), &ids, error)) == NULL || found->len == 0)
		return NULL;
	if (catalog_usable (db))
		g_ptr_array_unref (catalog_keep (db, found, ids));
	return g_ptr_array_steal_index (found, 0);
}

GPtrArray *
db_events_list (Db *db, GError **error)
{
	return events_from (db, "SELECT " EVENT_COLUMNS " FROM events e ORDER BY e.code", NULL, NULL, error);
}

GPtrArray *
db_event_candidates (Db *db, const char *kind, const char *subregion, int topic, GError **error)
{
	/* the arguments, NULL apart from "" (\x1f and \x1e are in no event's kind or subregion) */
	g_autofree char *key = g_strdup_printf ("%s\x1f%s\x1f%d", kind ? kind : "\x1e",
	                                        subregion ? subregion : "\x1e", topic);
	GPtrArray *kept = catalog_usable (db) ? g_hash_table_lookup (db->candidates, key) : NULL;
	g_autoptr (GPtrArray) events = NULL;
	g_autoptr (GArray) ids = NULL;

	if (kept != NULL) {
		events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
		for (guint i = 0; i < kept->len; i++) {
			Event *ev = catalog_event (db, g_ptr_array_index (kept, i), error);
			if (ev == NULL)
				return NULL;
			g_ptr_array_add (events, ev);
		}
		return g_steal_pointer (&events);
	}
	/* By the start of the first dated session (undated last), then by code. */
	events = events_from (db,
	                      "SELECT " EVENT_COLUMNS " FROM events e WHERE e.kind = :kind"
	                      " AND (:subregion IS NULL OR e.subregion = :subregion)"
	                      " AND (:topic = 0 OR e.topic = :topic OR e.topic IS NULL)"
	                      " ORDER BY (:topic <> 0 AND e.topic IS NULL),"
	                      " (SELECT min(s.start) FROM sessions s WHERE s.event_id = e.id) IS NULL,"
	                      " (SELECT min(s.start) FROM sessions s WHERE s.event_id = e.id), e.code",
	                      DB_PARAMS (DB_TEXT (":kind", kind), DB_TEXT (":subregion", subregion),
	                                 DB_INT (":topic", topic)),
	                      &ids, error);
	if (events == NULL)
		return NULL;
	if (catalog_usable (db))
		g_hash_table_insert (db->candidates, g_steal_pointer (&key), catalog_keep (db, events, ids));
	return g_steal_pointer (&events);
}

int
db_event_hours_used (Db *db, const char *event_code, GError **error)
{
	/* sums each answered by an index: with OR, SQLite read the row of every
	 * request waiting too; an IN list built a temporary table at every call */
	return db_count (db,
	                 "SELECT coalesce((SELECT (SELECT coalesce(sum(r.hours), 0) FROM registrations r"
	                 " WHERE r.event_id = e.id AND r.status = 'confirmed')"
	                 " + (SELECT coalesce(sum(r.hours), 0) FROM registrations r"
	                 " WHERE r.event_id = e.id AND r.status = 'requested')"
	                 " + (SELECT coalesce(sum(r.hours), 0) FROM registrations r"
	                 " WHERE r.event_id = e.id AND " OPEN_OFFER ("r") ")"
	                 " FROM events e WHERE e.code = :event), 0)",
	                 DB_PARAMS (DB_TEXT (":event", event_code)), "count consulting hours", error);
}

/* db_types.c - the structs the store hands out (db.h): how each is made and
 * freed.  Rows read from SQLite travel as these, never as joined strings; most
 * are described by a field table (db_private.h) that both reads and frees them.
 */
#include "store/db_private.h"

#include <string.h>

static const DbField session_fields[] = {
	DB_FIELD (TEXT, EventSession, start), DB_FIELD (TEXT, EventSession, end), DB_FIELD (TEXT, EventSession, place),
	DB_FIELD (INT, EventSession, hours),
};
const DbRowType db_session_row = DB_ROW_TYPE (EventSession, session_fields, db_event_session_free);

void
db_event_session_free (EventSession *s)
{
	db_row_free (&db_session_row, s);
}

Event *
event_new (void)
{
	Event *ev = g_new0 (Event, 1);

	ev->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) db_event_session_free);
	return ev;
}

void
event_free (Event *ev)
{
	if (ev == NULL)
		return;
	g_free (ev->code);
	g_free (ev->kind);
	g_free (ev->title);
	g_free (ev->subregion);
	g_ptr_array_unref (ev->sessions);
	g_free (ev);
}

void
db_catalog_entry_free (CatalogEntry *entry)
{
	event_free (entry->ev);
	g_free (entry);
}

void
inbound_record_clear (InboundRecord *rec)
{
	g_free (rec->spool_id);
	g_free (rec->message_id);
	g_free (rec->hash);
	g_free (rec->sender);
	g_free (rec->subject);
	g_free (rec->form_part);
	g_free (rec->reason);
	g_free (rec->reason_code);
	memset (rec, 0, sizeof *rec);
}

static const DbField registration_fields[] = {
	DB_FIELD (TEXT, Registration, code), DB_FIELD (TEXT, Registration, event), DB_FIELD (TEXT, Registration, kind),
	DB_FIELD (TEXT, Registration, title), DB_FIELD (TEXT, Registration, status), DB_FIELD (INT, Registration, hours),
	DB_FIELD (INT64, Registration, applicant_id), DB_FIELD (TEXT, Registration, email),
	DB_FIELD (TEXT, Registration, first_name), DB_FIELD (TEXT, Registration, last_name),
	DB_FIELD (TEXT, Registration, appointment), DB_FIELD (TEXT, Registration, appointment_place),
	DB_FIELD (INT, Registration, position), DB_FIELD (INT64, Registration, offer_deadline),
	DB_FIELD (TEXT, Registration, first_start),
};
const DbRowType db_registration_row = DB_ROW_TYPE (Registration, registration_fields, registration_free);

static const DbField waiting_fields[] = {
	DB_FIELD (TEXT, Registration, code), DB_FIELD (TEXT, Registration, event), DB_FIELD (INT, Registration, position),
	DB_FIELD (TEXT, Registration, first_start),
};
const DbRowType db_waiting_row = DB_ROW_TYPE (Registration, waiting_fields, registration_free);

void
registration_free (Registration *reg)
{
	db_row_free (&db_registration_row, reg);
}

static const DbField reminder_fields[] = {
	DB_FIELD (TEXT, ReminderRow, code), DB_FIELD (TEXT, ReminderRow, email), DB_FIELD (TEXT, ReminderRow, first_name),
	DB_FIELD (TEXT, ReminderRow, last_name), DB_FIELD (TEXT, ReminderRow, event), DB_FIELD (TEXT, ReminderRow, title),
	DB_FIELD (INT, ReminderRow, session), DB_FIELD (TEXT, ReminderRow, start), DB_FIELD (TEXT, ReminderRow, end),
	DB_FIELD (TEXT, ReminderRow, place),
};
const DbRowType db_reminder_row = DB_ROW_TYPE (ReminderRow, reminder_fields, reminder_row_free);

void
reminder_row_free (ReminderRow *row)
{
	db_row_free (&db_reminder_row, row);
}

/* created_at and sent_at: no statement reads them so far */
static const DbField outbox_fields[] = {
	DB_FIELD (INT64, OutboxRow, id), DB_FIELD (TEXT, OutboxRow, message_id), DB_FIELD (TEXT, OutboxRow, kind),
	DB_FIELD (TEXT, OutboxRow, rcpt), DB_FIELD (TEXT, OutboxRow, subject), DB_FIELD (TEXT, OutboxRow, state),
	DB_FIELD (INT, OutboxRow, attempts), DB_FIELD (INT64, OutboxRow, queued_unix), DB_FIELD (BOOL, OutboxRow, warned),
	DB_FIELD (INT64, OutboxRow, inbound_id), DB_FIELD (TEXT, OutboxRow, created_at),
	DB_FIELD (TEXT, OutboxRow, sent_at),
};
const DbRowType db_outbox_row = DB_ROW_TYPE (OutboxRow, outbox_fields, outbox_row_free);

void
outbox_row_free (OutboxRow *row)
{
	db_row_free (&db_outbox_row, row);
}

void
imap_journal_row_free (ImapJournalRow *row)
{
	if (row == NULL)
		return;
	g_free (row->spool_id);
	g_free (row);
}

static const DbField mailbox_fields[] = {
	DB_FIELD (TEXT, ImapMailboxState, mailbox), DB_FIELD (UINT32, ImapMailboxState, uidvalidity),
	DB_FIELD (UINT32, ImapMailboxState, last_uid),
};
const DbRowType db_mailbox_row = DB_ROW_TYPE (ImapMailboxState, mailbox_fields, db_imap_mailbox_state_free);

void
db_imap_mailbox_state_free (ImapMailboxState *state)
{
	db_row_free (&db_mailbox_row, state);
}

void
status_counts_free (StatusCounts *counts)
{
	if (counts == NULL)
		return;
	g_free (counts->review_oldest);
	if (counts->imap != NULL)
		g_ptr_array_unref (counts->imap);
	g_free (counts);
}

static const DbField purge_fields[] = { DB_FIELD (INT64, PurgeRow, id), DB_FIELD (TEXT, PurgeRow, name) };
const DbRowType db_purge_row = DB_ROW_TYPE (PurgeRow, purge_fields, purge_row_free);

void
purge_row_free (PurgeRow *row)
{
	db_row_free (&db_purge_row, row);
}

/* --- readers of the rows no field table describes ------------------------------ */

gpointer
db_journal_read (sqlite3_stmt *st)
{
	ImapJournalRow *row = g_new0 (ImapJournalRow, 1);

	row->id = sqlite3_column_int64 (st, 0);
	row->uidvalidity = (guint32) sqlite3_column_int64 (st, 1);
	row->uid = (guint32) sqlite3_column_int64 (st, 2);
	row->size = (guint64) sqlite3_column_int64 (st, 3);
	row->spool_id = db_col_text (st, 4);
	row->rematch = sqlite3_column_int (st, 5) != 0;
	row->recorded = sqlite3_column_type (st, 6) != SQLITE_NULL;
	if (row->recorded)
		row->outcome = db_outcome_parse ((const char *) sqlite3_column_text (st, 6));
	return row;
}

gpointer
db_event_read (sqlite3_stmt *st)
{
	CatalogEntry *row = g_new0 (CatalogEntry, 1);
	Event *ev = row->ev = event_new ();

	row->id = sqlite3_column_int64 (st, 0);
	ev->code = db_col_text (st, 1);
	ev->kind = db_col_text (st, 2);
	ev->title = db_col_text (st, 3);
	ev->subregion = db_col_text (st, 4);
	ev->topic = sqlite3_column_int (st, 5);
	ev->seats = sqlite3_column_int (st, 6);
	ev->hours = sqlite3_column_int (st, 7);
	ev->taken = sqlite3_column_int (st, 8);
	ev->waitlist = sqlite3_column_int (st, 9);
	ev->offered = sqlite3_column_int (st, 10);
	return row;
}

/* db_types.c - the structs the store hands out (db.h): how each is made and
 * freed.  Rows read from SQLite travel as these, never as joined strings.
 */
#include "store/db_private.h"

#include <string.h>

void
db_event_session_free (EventSession *s)
{
	g_free (s->start);
	g_free (s->end);
	g_free (s->place);
	g_free (s);
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

void
registration_free (Registration *reg)
{
	if (reg == NULL)
		return;
	g_free (reg->code);
	g_free (reg->event);
	g_free (reg->kind);
	g_free (reg->title);
	g_free (reg->status);
	g_free (reg->email);
	g_free (reg->first_name);
	g_free (reg->last_name);
	g_free (reg->appointment);
	g_free (reg->appointment_place);
	g_free (reg->first_start);
	g_free (reg);
}

void
reminder_row_free (ReminderRow *row)
{
	if (row == NULL)
		return;
	g_free (row->code);
	g_free (row->email);
	g_free (row->first_name);
	g_free (row->last_name);
	g_free (row->event);
	g_free (row->title);
	g_free (row->start);
	g_free (row->end);
	g_free (row->place);
	g_free (row);
}

void
outbox_row_free (OutboxRow *row)
{
	if (row == NULL)
		return;
	g_free (row->message_id);
	g_free (row->kind);
	g_free (row->rcpt);
	g_free (row->subject);
	g_free (row->state);
	g_free (row->created_at);
	g_free (row->sent_at);
	g_free (row);
}

void
imap_journal_row_free (ImapJournalRow *row)
{
	if (row == NULL)
		return;
	g_free (row->spool_id);
	g_free (row);
}

void
db_imap_mailbox_state_free (ImapMailboxState *state)
{
	g_free (state->mailbox);
	g_free (state);
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

void
purge_row_free (PurgeRow *row)
{
	if (row == NULL)
		return;
	g_free (row->name);
	g_free (row);
}

/* --- readers: one row of the columns db_private.h names for each ---------------- */

gpointer
db_registration_read (sqlite3_stmt *st)
{
	Registration *reg = g_new0 (Registration, 1);

	reg->code = db_col_text (st, 0);
	reg->event = db_col_text (st, 1);
	reg->kind = db_col_text (st, 2);
	reg->title = db_col_text (st, 3);
	reg->status = db_col_text (st, 4);
	reg->hours = sqlite3_column_int (st, 5);
	reg->applicant_id = sqlite3_column_int64 (st, 6);
	reg->email = db_col_text (st, 7);
	reg->first_name = db_col_text (st, 8);
	reg->last_name = db_col_text (st, 9);
	reg->appointment = db_col_text (st, 10);
	reg->appointment_place = db_col_text (st, 11);
	reg->position = sqlite3_column_int (st, 12);
	reg->offer_deadline = sqlite3_column_int64 (st, 13);
	return reg;
}

gpointer
db_waiting_read (sqlite3_stmt *st)
{
	Registration *reg = g_new0 (Registration, 1);

	reg->code = db_col_text (st, 0);
	reg->event = db_col_text (st, 1);
	reg->position = sqlite3_column_int (st, 2);
	reg->first_start = db_col_text (st, 3);
	return reg;
}

gpointer
db_reminder_read (sqlite3_stmt *st)
{
	ReminderRow *row = g_new0 (ReminderRow, 1);

	row->code = db_col_text (st, 0);
	row->email = db_col_text (st, 1);
	row->first_name = db_col_text (st, 2);
	row->last_name = db_col_text (st, 3);
	row->event = db_col_text (st, 4);
	row->title = db_col_text (st, 5);
	row->session = sqlite3_column_int (st, 6);
	row->start = db_col_text (st, 7);
	row->end = db_col_text (st, 8);
	row->place = db_col_text (st, 9);
	return row;
}

gpointer
db_outbox_read (sqlite3_stmt *st)
{
	OutboxRow *row = g_new0 (OutboxRow, 1);

	row->id = sqlite3_column_int64 (st, 0);
	row->message_id = db_col_text (st, 1);
	row->kind = db_col_text (st, 2);
	row->rcpt = db_col_text (st, 3);
	row->subject = db_col_text (st, 4);
	row->state = db_col_text (st, 5);
	row->attempts = sqlite3_column_int (st, 6);
	row->queued_unix = sqlite3_column_int64 (st, 7);
	row->warned = sqlite3_column_int (st, 8) != 0;
	row->inbound_id = sqlite3_column_int64 (st, 9);
	return row;
}

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
db_mailbox_read (sqlite3_stmt *st)
{
	ImapMailboxState *state = g_new0 (ImapMailboxState, 1);

	state->mailbox = db_col_text (st, 0);
	state->uidvalidity = (guint32) sqlite3_column_int64 (st, 1);
	state->last_uid = (guint32) sqlite3_column_int64 (st, 2);
	return state;
}

gpointer
db_purge_read (sqlite3_stmt *st)
{
	PurgeRow *row = g_new0 (PurgeRow, 1);

	row->id = sqlite3_column_int64 (st, 0);
	row->name = db_col_text (st, 1);
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

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
inbound_record_clear (InboundRecord *rec)
{
	g_free (rec->spool_id);
	g_free (rec->message_id);
	g_free (rec->hash);
	g_free (rec->sender);
	g_free (rec->subject);
	g_free (rec->form_part);
	g_free (rec->reason);
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

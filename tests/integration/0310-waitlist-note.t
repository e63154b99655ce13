#!/bin/sh
# 0310-waitlist-note: 3 days before an event's first session ([programme]
# waitlist_note) everyone still on its waiting list is told so, with the
# current position: once per registration (every `remind` is a fresh process:
# a restart), never for cancelled or confirmed registrations, not again when
# the date moves, and recorded as missed instead of sent when more than
# reminder_grace (2 days) late.
. "$(dirname "$0")/lib.sh"

plan 12

P=$DATA/programme
PY=/usr/bin/python3
make_instance
# 2 seats: 01 and 02 confirmed, 03-05 waiting; 05 cancels
sed -e '/^\[INFO-CEN\]/,/^session1/s/^seats = 25/seats = 2/' "$ROOT/etc/catalog.ini" >"$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null 2>&1
MAILREG_NOW=2014-02-20T09:00 mr ingest "$P"/info-0[1-5].eml >/dev/null 2>&1
code() { sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email = 'uczestnik$1@mops-katowice.example.pl'"; }
sed -e "s/ZG-CODE-HERE/$(code 05)/" -e "s/uczestnik00@/uczestnik05@/" "$P/cancel.eml" >"$T/cancel-05.eml"
MAILREG_NOW=2014-02-21T09:00 mr ingest "$T/cancel-05.eml" >/dev/null 2>&1
is "$(sql "SELECT group_concat(substr(a.email, 10, 2) || ':' || r.status, ' ') FROM registrations r
	JOIN applicants a ON a.id = r.applicant_id")" \
	"01:confirmed 02:confirmed 03:waitlisted 04:waitlisted 05:cancelled" "setup: 03 and 04 waiting, 05 cancelled"

# notes - "NN:position" of each note queued, in order
notes() { sql "SELECT coalesce(group_concat(substr(o.rcpt, 10, 2) || ':' || n.position, ' '), '-')
	FROM outbox o JOIN applicants a ON a.email = o.rcpt JOIN registrations r ON r.applicant_id = a.id
	JOIN waitlist_notes n ON n.registration_id = r.id
	WHERE o.kind = 'waitlist' AND o.subject LIKE 'Nadal na liście rezerwowej%' ORDER BY o.id"; }

mr remind --now 2014-03-03T09:59 >"$T/out"
is "$(cat "$T/out") $(notes)" "reminders: 0 queued, 2 missed -" \
	"more than 3 days before the meeting (2014-03-06T10:00): no note (only the 7-day reminders of 01, 02, missed)"
mr remind --now 2014-03-03T10:00 >"$T/out"
is "$(sed -n 2p "$T/out")" "waiting-list notes: 2 queued, 0 missed" "3 days before: remind queues 2 notes"
is "$(notes)" "03:1 04:2" "one each for 03 (1st) and 04 (2nd); none for 05 (cancelled) or 01/02 (confirmed)"
is "$(sql "SELECT group_concat(DISTINCT kind) FROM outbox WHERE subject LIKE 'Nadal na liście rezerwowej%'")" "waitlist" \
	"the note is outbox kind waitlist"
mr remind --now 2014-03-03T10:00 >/dev/null
MAILREG_NOW=2014-03-04T09:00 mr remind >/dev/null
is "$(notes)" "03:1 04:2" "two more runs (--now, MAILREG_NOW): nothing twice"

mr send >/dev/null 2>&1
# body N - the decoded note sent to applicant N
body() { "$PY" - "$T/outgoing" "uczestnik$1@" <<'PY'
import email, email.header, glob, sys
for f in sorted(glob.glob(sys.argv[1] + '/*.eml')):
    m = email.message_from_binary_file(open(f, 'rb'))
    subj = str(email.header.make_header(email.header.decode_header(m['Subject'])))
    if sys.argv[2] in m['To'] and subj.startswith('Nadal na liście'):
        print('Subject:', subj)
        print([p for p in m.walk() if p.get_content_type() == 'text/plain'][0].get_payload(decode=True).decode())
PY
}
b04=$(body 04)
like "$b04" "Subject: Nadal na liście rezerwowej – Spotkanie informacyjne – subregion centralny – kod $(code 04)" \
	"the subject names the event and the code"
like "$b04" "Nadal jest Pan/Pani na liście" "the note says they are still on the waiting list"
like "$b04" "rezerwowej – na 2\\. miejscu\\." "with the current position"
like "$b04" "Termin: czwartek, 6 marca 2014, 10:00–14:00" "and the date"

# The meeting moves to 2014-03-27: no second note for the same registrations.
# 06 joins the list later; remind is down until more than 2 days after its due
# moment: missed, not sent.
sed -i 's/^session1 = 2014-03-06T10:00 | 2014-03-06T14:00 |/session1 = 2014-03-27T10:00 | 2014-03-27T14:00 |/' "$T/catalog.ini"
MAILREG_NOW=2014-03-10T09:00 mr catalog import "$T/catalog.ini" >/dev/null 2>&1
MAILREG_NOW=2014-03-10T09:00 mr ingest "$P/info-06.eml" >/dev/null 2>&1
mr remind --now 2014-03-26T10:01 >"$T/out"
is "$(sed -n 2p "$T/out") $(notes)" "waiting-list notes: 0 queued, 1 missed 03:1 04:2" \
	"a moved date: none again for 03 and 04; 06's, 2 days and a minute late, is missed"
is "$(sql "SELECT state FROM waitlist_notes n JOIN registrations r ON r.id = n.registration_id
	JOIN applicants a ON a.id = r.applicant_id WHERE a.email LIKE 'uczestnik06@%'")" "missed" \
	"the missed note is recorded, so it is never sent late"

done_testing

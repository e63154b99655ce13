#!/bin/sh
# 0309-offer: promotion by offer ([programme] promotion = offer).  Two
# seats; a freed seat is held for the first on the waiting list, who gets an
# offer with a deadline (Europe/Warsaw time) and takes it by replying "TAK":
# confirmed, with the calendar entry.  An unanswered offer expires in `remind`
# and passes to the next; a late "TAK" or a wrong code is answered; the seats
# held never exceed the capacity.
. "$(dirname "$0")/lib.sh"
need_faults

plan 34

P=$DATA/programme
PY=/usr/bin/python3
make_instance
cat >>"$T/etc/mailreg.conf" <<'CONF'

[programme]
promotion = offer
offer_hours = 48
CONF
sed -e '/^\[INFO-CEN\]/,/^session1/s/^seats = 25/seats = 2/' "$ROOT/etc/catalog.ini" >"$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null 2>&1
MAILREG_NOW=2014-02-20T10:00 mr ingest "$P"/info-0[1-5].eml >/dev/null 2>&1

code() { sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email = 'uczestnik$1@mops-katowice.example.pl'"; }
# state N... - "status:position:offer_until" of each applicant (applicants --json)
state() { mr applicants --json | "$PY" -c "import json, sys
by = {a['email'].split('@')[0][9:]: a['registrations'][0] for a in json.load(sys.stdin)}
print(' '.join('%s:%s:%s' % (by[n]['status'], by[n]['position'], by[n]['offer_until']) for n in sys.argv[1:]))" "$@"; }
# seats - "taken offered free waitlist" of INFO-CEN (events --json)
seats() { mr events --json | "$PY" -c "import json, sys
e = [x for x in json.load(sys.stdin) if x['code'] == 'INFO-CEN'][0]
print(e['taken'], e['offered'], e['free'], e['waitlist'])"; }
# held - 0 when the confirmed and offered places of INFO-CEN fit its 2 seats
held() { [ "$(sql "SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.code = 'INFO-CEN'
	AND (r.status = 'confirmed' OR (r.status = 'waitlisted' AND r.offer_deadline IS NOT NULL))")" -le 2 ]; echo $?; }
# sent_to ADDR SUBJECT - the last file sent to ADDR whose Subject contains SUBJECT.
sent_to() { "$PY" - "$T/outgoing" "$1" "$2" <<'PY'
import email, email.header, glob, os, sys
found = ""
for f in sorted(glob.glob(sys.argv[1] + '/*.eml'), key=os.path.getmtime):
    m = email.message_from_binary_file(open(f, 'rb'))
    subj = str(email.header.make_header(email.header.decode_header(m['Subject'])))
    if sys.argv[2] in m['To'] and sys.argv[3] in subj:
        found = f
print(found)
PY
}
# body FILE - Subject, the decoded text and the calendar's METHOD/UID/STATUS lines.
body() { "$PY" - "$1" <<'PY'
import email, email.header, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
print('Subject:', str(email.header.make_header(email.header.decode_header(m['Subject']))))
for p in m.walk():
    if p.get_content_type() == 'text/plain':
        print(p.get_payload(decode=True).decode())
    if p.get_content_type() == 'text/calendar':
        print('calendar method=%s' % p.get_param('method'))
        for l in p.get_payload(decode=True).decode().split('\r\n'):
            if l.split(':')[0] in ('METHOD', 'UID', 'STATUS'):
                print(l)
PY
}
# reply FIXTURE N ID - FIXTURE from applicant N about their code, Message-ID ID.
reply() { sed -e "s/ZG-CODE-HERE/$(code "$2")/g" -e "s/uczestnik00@/uczestnik$2@/g" \
	-e "s/^Message-ID: <[^>]*>/Message-ID: <$3@mops-katowice.example.pl>/" "$P/$1" >"$T/$3.eml"; echo "$T/$3.eml"; }
outbox() { sql "SELECT count(*) FROM outbox"; }

is "$(state 01 02 03 04 05)" \
	"confirmed:None:None confirmed:None:None waitlisted:1:None waitlisted:2:None waitlisted:3:None" \
	"setup: 2 seats taken, 03-05 waiting"
like "$(body "$(mr send >/dev/null 2>&1; sent_to uczestnik03@ "Lista rezerwowa")")" "odpowiedzieć „TAK” w ciągu 48 godz" \
	"the waiting-list reply says a freed place is offered, to be answered within 48 hours"

# --- 01 cancels: the seat is offered to 03 for 48 hours --------------------------------
MAILREG_NOW=2014-02-24T10:00 mr ingest "$(reply cancel.eml 01 cancel-01)" >/dev/null 2>&1
is "$(state 01 03 04)" "cancelled:None:None waitlisted:1:2014-02-26T09:00:00Z waitlisted:2:None" \
	"01 cancelled: the seat is offered to 03 until 48 hours later, 03 still first on the list"
is "$(seats)" "1 1 0 3" "events --json: 1 taken, 1 offered, none free, 3 waiting"
is "$(sql "SELECT kind FROM outbox WHERE rcpt LIKE 'uczestnik03@%' ORDER BY id DESC LIMIT 1")" "promotion" \
	"the offer is queued as outbox kind promotion"
mr send >/dev/null 2>&1
offer=$(body "$(sent_to uczestnik03@ "Wolne miejsce")")
like "$offer" "Subject: Wolne miejsce dla Pana/Pani – Spotkanie informacyjne – subregion centralny – kod $(code 03)" \
	"the offer's subject names the event and the code (a reply quotes it)"
like "$offer" "  środa, 26 lutego 2014, 10:00 \\(czasu polskiego\\)" \
	"the deadline in Polish, Europe/Warsaw time (09:00 UTC is 10:00 CET)"
like "$offer" "słowem „TAK”" "the offer says to reply „TAK”"
is "$(echo "$offer" | grep -c '^calendar')" 0 "the offer carries no calendar entry (nothing is confirmed yet)"

# a new applicant cannot take the held seat
MAILREG_NOW=2014-02-24T11:00 mr ingest "$P/info-06.eml" >/dev/null 2>&1
is "$(state 06)" "waitlisted:4:None" "a new applicant joins the list: the offered seat is held"
is "$(held)" 0 "confirmed + offered <= 2 seats"

# --- 03 replies TAK within the deadline -------------------------------------------------
MAILREG_NOW=2014-02-25T10:00 mr ingest "$(reply offer-reply.eml 03 tak-03)" >/dev/null 2>&1
is "$(state 03 04)" "confirmed:None:None waitlisted:1:None" "TAK in time: 03 confirmed, 04 first on the list"
is "$(sql "SELECT state || ' ' || substr(reason, 1, 14) FROM messages ORDER BY id DESC LIMIT 1")" "registered offer answered" \
	"the reply is recorded as registered, the reason naming the answer"
mr send >/dev/null 2>&1
conf=$(body "$(sent_to uczestnik03@ "Potwierdzenie miejsca")")
like "$conf" "Status: miejsce potwierdzone" "the confirmation confirms the seat"
is "$(echo "$conf" | grep -E '^(calendar|METHOD|UID|STATUS)' | tr '\n' '|')" \
	"calendar method=PUBLISH|METHOD:PUBLISH|UID:$(code 03)-1@rops.example.pl|STATUS:CONFIRMED|" \
	"the confirmation carries the calendar entry (PUBLISH, the registration's UID)"
is "$(sql "SELECT kind FROM outbox WHERE rcpt LIKE 'uczestnik03@%' ORDER BY id DESC LIMIT 1")" "confirmation" \
	"outbox kind confirmation"
is "$(seats)" "2 0 0 3" "2 taken, nothing offered"

# --- 02 cancels; 04 does not answer: the offer expires and passes to 05 -------------------
MAILREG_NOW=2014-02-25T11:00 mr ingest "$(reply cancel.eml 02 cancel-02)" >/dev/null 2>&1
is "$(state 04)" "waitlisted:1:2014-02-27T10:00:00Z" "02 cancelled: the seat offered to 04"
mr remind --now 2014-02-27T10:59 >"$T/out"
# (03's reminder 7 days before the 10:00 meeting is due since 10:00)
is "$(cat "$T/out")" "reminders: 1 queued, 0 missed" "a minute before the deadline nothing expires"
n=$(outbox)
MAILREG_FAULT=programme-before-commit mr remind --now 2014-02-27T11:00 >/dev/null 2>&1
is "$? $(outbox) $(state 04)" "137 $n waitlisted:1:2014-02-27T10:00:00Z" \
	"killed before the commit of the expiry: nothing changed, nothing queued"
mr remind --now 2014-02-27T11:00 >"$T/out"
like "$(cat "$T/out")" "offers expired: 1" "at the deadline remind (run again) expires the offer"
is "$(state 04 05 06)" "cancelled:None:None waitlisted:1:2014-03-01T10:00:00Z waitlisted:2:None" \
	"04 dropped from the list (cancelled); the seat offered to 05, 06 moves up"
n=$(outbox)
mr remind --now 2014-02-27T11:00 >"$T/out"
is "$(cat "$T/out") $(outbox) $(state 05)" "reminders: 0 queued, 0 missed $n waitlisted:1:2014-03-01T10:00:00Z" \
	"remind again: nothing expires twice, nothing queued twice"
mr send >/dev/null 2>&1
like "$(body "$(sent_to uczestnik04@ "Propozycja miejsca wygasła")")" "^\\(czwartek, 27 lutego 2014, 11:00\\), a odpowiedzi nie otrzymaliśmy" \
	"04 is told the offer lapsed at the deadline (Polish time)"
is "$(sql "SELECT kind FROM outbox WHERE rcpt LIKE 'uczestnik04@%' ORDER BY id DESC LIMIT 1")" "cancellation" \
	"the lapse is outbox kind cancellation"

# --- a late TAK and a TAK with a wrong code are answered --------------------------------------
MAILREG_NOW=2014-02-27T13:00 mr ingest "$(reply offer-reply.eml 04 tak-04)" >/dev/null 2>&1
is "$(state 04) $(sql "SELECT state FROM messages ORDER BY id DESC LIMIT 1")" "cancelled:None:None rejected" \
	"TAK after the deadline: no seat, recorded as rejected"
mr send >/dev/null 2>&1
late=$(body "$(sent_to uczestnik04@ "Odpowiedź w sprawie wolnego miejsca")")
like "$late" "minął: czwartek, 27 lutego 2014, 11:00\\." "the late TAK is answered: the deadline passed"
sed -e "s/ZG-CODE-HERE/ZG-0000-0000/g" -e "s/uczestnik00@/uczestnik07@/g" \
	-e "s/^Message-ID: <[^>]*>/Message-ID: <tak-wrong@mops-katowice.example.pl>/" "$P/offer-reply.eml" >"$T/tak-wrong.eml"
MAILREG_NOW=2014-02-27T13:00 mr ingest "$T/tak-wrong.eml" >/dev/null 2>&1
mr send >/dev/null 2>&1
like "$(body "$(sent_to uczestnik07@ "Odpowiedź w sprawie wolnego miejsca")")" "Nie znaleźliśmy propozycji miejsca dla kodu ZG-0000-0000" \
	"a TAK with a wrong code is answered: no offer for that code"
is "$(sql "SELECT state FROM messages ORDER BY id DESC LIMIT 1") $(sql "SELECT count(*) FROM outbox WHERE kind = 'staff' AND subject LIKE '%Wolne miejsce%'")" \
	"review 1" "... and goes to review: staff get the notice"
printf 'From: Uczestnik <uczestnik08@mops-katowice.example.pl>\nTo: rejestracja@rops.example.pl\nSubject: pytanie\nMessage-ID: <tak-nocode@mops-katowice.example.pl>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nTak, mam pytanie o szkolenie.\n' >"$T/tak-nocode.eml"
MAILREG_NOW=2014-02-27T13:00 mr ingest "$T/tak-nocode.eml" >/dev/null 2>&1
mr send >/dev/null 2>&1
is "$(sql "SELECT state FROM messages ORDER BY id DESC LIMIT 1") $(body "$(sent_to uczestnik08@ "Odpowiedź w sprawie")" | grep -c 'nie znaleźliśmy kodu zgłoszenia')" \
	"review 1" "a „Tak, ...” without a code goes to review, the sender told no code was found"

# --- an Outlook reply (the offer unquoted below it, „rezygnuję” included) takes the seat ------
MAILREG_NOW=2014-02-28T10:00 mr ingest "$(reply offer-reply-outlook.eml 05 tak-05)" >/dev/null 2>&1
is "$(state 05 06)" "confirmed:None:None waitlisted:1:None" \
	"„Tak, dziękuję” above an unquoted Outlook copy: 05 confirmed, not cancelled"

# --- the offer ends when the event begins; a TAK after it, before remind ran -----------------
MAILREG_NOW=2014-03-05T13:00 mr cancel "$(code 03)" >/dev/null 2>&1
is "$(state 06)" "waitlisted:1:2014-03-06T09:00:00Z" "an offer a day before the event ends when it begins (10:00 CET)"
MAILREG_NOW=2014-03-06T11:30 mr ingest "$(reply offer-reply.eml 06 tak-06)" >/dev/null 2>&1
is "$(state 06) $(seats)" "cancelled:None:None 1 0 1 0" \
	"TAK after the deadline, remind not run yet: the offer expires there, the seat is free"
is "$(held)" 0 "confirmed + offered never exceeded the 2 seats"

done_testing

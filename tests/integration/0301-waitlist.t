#!/bin/sh
# 0301-waitlist: seats and waiting lists.  30 applicants from Katowice
# for the central information meeting (25 seats): 25 confirmed, 5 waitlisted in
# arrival order, told their position; 2 cancel by e-mail -> the first 2 on the
# list are confirmed and told, the others move up.
. "$(dirname "$0")/lib.sh"

plan 17

P=$DATA/programme
make_instance
mr ingest "$P"/info-*.eml >/dev/null 2>&1
is "$?" 0 "ingest of 30 applications exits 0"

# py CODE - run CODE with d = the JSON on stdin.
py() { python3 -c "import json, sys
d = json.load(sys.stdin)
$1"; }
# code N - the registration code of applicant uczestnikNN.
code() { sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email = 'uczestnik$1@mops-katowice.example.pl'"; }
# waiting N... - "status:position" of each applicant.
waiting() { mr applicants --json | python3 -c "import json, sys
by = {a['email'].split('@')[0][9:]: a['registrations'][0] for a in json.load(sys.stdin)}
print(' '.join('%s:%s' % (by[n]['status'], by[n]['position']) for n in sys.argv[1:]))" "$@"; }

mr events --json >"$T/e.json"
is "$(py 'e = [x for x in d if x["code"] == "INFO-CEN"][0]
print(e["seats"], e["taken"], e["waitlist"], e["sessions"][0]["start"], e["sessions"][0]["place"][:8])' <"$T/e.json")" \
	"25 25 5 2014-03-06T10:00 Katowice" "events --json: INFO-CEN 25 seats, 25 taken, 5 waitlisted"
is "$(waiting 01 25 26 27 28 29 30)" \
	"confirmed:None confirmed:None waitlisted:1 waitlisted:2 waitlisted:3 waitlisted:4 waitlisted:5" \
	"applicants 26-30 waitlisted in arrival order with positions 1-5"
is "$(mr outbox --json | py 'import collections; print(sorted(collections.Counter(o["kind"] for o in d).items()))')" \
	"[('confirmation', 25), ('waitlist', 5)]" "outbox: 25 confirmations, 5 waitlist notes"
mr send >/dev/null 2>&1
# body FILE - the decoded text body of a sent message.
body() { python3 -c "import email, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
for p in m.walk():
    if p.get_content_type() == 'text/plain':
        print(p.get_payload(decode=True).decode()); break
print('Subject:', str(email.header.make_header(email.header.decode_header(m['Subject']))))" "$1"; }
# sent_to ADDR [SUBJECT] - the file sent to ADDR (with a Subject header matching).
sent_to() { python3 -c "import email, email.header, glob, sys
for f in sorted(glob.glob(sys.argv[1] + '/*.eml')):
    m = email.message_from_binary_file(open(f, 'rb'))
    subj = str(email.header.make_header(email.header.decode_header(m['Subject'])))
    if sys.argv[2] in m['To'] and sys.argv[3] in subj:
        print(f); break" "$T/outgoing" "$1" "${2:-}"; }
w28=$(body "$(sent_to uczestnik28@)")
like "$w28" "Subject: Lista rezerwowa" "the waitlist note says so in its subject"
like "$w28" "lista rezerwowa – 3\\. miejsce na liście" "the waitlist note gives the position (3.)"
like "$w28" "„rezygnuję”" "the waitlist note uses Polish quotation marks"
c01=$(body "$(sent_to uczestnik01@)")
like "$c01" "miejsce potwierdzone" "a confirmation says the seat is confirmed"

# --- two cancel by e-mail ------------------------------------------------------------
sed -e "s/ZG-CODE-HERE/$(code 03)/" -e "s/uczestnik00@/uczestnik03@/" "$P/cancel.eml" >"$T/cancel-03.eml"
sed -e "s/ZG-CODE-HERE/$(code 07 | tr A-Z a-z)/" -e "s/uczestnik00@/uczestnik07@/" \
	-e "s/^Message-ID: <cancel\\./Message-ID: <cancel-07./" -e "s/^Subject: .*/Subject: anuluj/" \
	"$P/cancel.eml" >"$T/cancel-07.eml"
mr ingest "$T/cancel-03.eml" "$T/cancel-07.eml" >/dev/null 2>&1
is "$?" 0 "ingest of 2 cancellations exits 0"
is "$(waiting 03 07 26 27 28 29 30)" \
	"cancelled:None cancelled:None confirmed:None confirmed:None waitlisted:1 waitlisted:2 waitlisted:3" \
	"cancelled; the first 2 waitlisted confirmed; the others moved up to 1-3"
is "$(mr messages --json | py 'print(" ".join(m["state"] for m in d[-2:]), d[-1]["reason"].split()[0])')" \
	"registered registered cancellation:" "the cancellations are recorded with a reason"
is "$(mr outbox --json | py 'print(" ".join(o["kind"] + ">" + o["to"][:11] for o in d[30:]))')" \
	"cancellation>uczestnik03 promotion>uczestnik26 cancellation>uczestnik07 promotion>uczestnik27" \
	"outbox: each cancellation confirmed, each promotion told"
mr events --json >"$T/e.json"
is "$(py 'e = [x for x in d if x["code"] == "INFO-CEN"][0]; print(e["taken"], e["waitlist"])' <"$T/e.json")" \
	"25 3" "events --json: still 25 taken, 3 waiting"
mr send >/dev/null 2>&1
p26=$(body "$(sent_to uczestnik26@ "Zwolniło się")")
like "$p26" "Zwolniło się miejsce" "the promotion mail says a seat was freed"
grep -q "text/calendar" "$(sent_to uczestnik26@ "Zwolniło się")"
is "$?" 0 "the promotion mail carries the calendar entry"

# Staff cancel; a code already cancelled is an error (65), nothing changes.
mr cancel "$(code 01)" >/dev/null 2>&1
is "$(waiting 01 28 29)" "cancelled:None confirmed:None waitlisted:1" "mailreg cancel CODE: staff cancel, the next one promoted"
mr cancel "$(code 01)" >/dev/null 2>&1
is "$?" 65 "cancelling a cancelled registration exits 65"

done_testing

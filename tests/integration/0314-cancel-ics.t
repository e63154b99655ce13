#!/bin/sh
# 0314-cancel-ics: a cancellation of a place in a dated event carries
# text/calendar; method=CANCEL with the UIDs of the confirmation's PUBLISH
# entries, STATUS:CANCELLED and a higher SEQUENCE (RFC 5546 §3.2.5), so the
# applicant's calendar drops the entry; a waiting list, never sent an entry,
# gets none.
. "$(dirname "$0")/lib.sh"

plan 12

P=$DATA/programme
PY=/usr/bin/python3
make_instance
# one seat: 01 confirmed, 02 on the waiting list
sed -e '/^\[INFO-CEN\]/,/^session1/s/^seats = 25/seats = 1/' "$ROOT/etc/catalog.ini" >"$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null 2>&1
MAILREG_NOW=2014-02-20T09:00 mr ingest "$P/info-01.eml" "$P/info-02.eml" >/dev/null 2>&1
mr send >/dev/null 2>&1
code() { sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email = 'uczestnik$1@mops-katowice.example.pl'"; }
C01=$(code 01)
C02=$(code 02)

# sent_to ADDR SUBJECT - the file sent to ADDR whose Subject contains SUBJECT.
sent_to() { "$PY" - "$T/outgoing" "$1" "$2" <<'PY'
import email, email.header, glob, sys
for f in sorted(glob.glob(sys.argv[1] + '/*.eml')):
    m = email.message_from_binary_file(open(f, 'rb'))
    subj = str(email.header.make_header(email.header.decode_header(m['Subject'])))
    if sys.argv[2] in m['To'] and sys.argv[3] in subj:
        print(f)
PY
}
# ics FILE - the MIME facts of FILE's calendar part, then its lines unfolded
# ("MIME none" when it has none).
ics() { "$PY" - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.strict)
parts = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
if not parts:
    print("MIME none")
    sys.exit(0)
print("MIME", m.get_content_type(), len(parts), parts[0].get_param("method"), parts[0].get_filename())
raw = parts[0].get_payload(decode=True).decode("utf-8")
assert "\n" not in raw.replace("\r\n", ""), "bare LF in the calendar"
for line in raw.replace("\r\n ", "").split("\r\n"):
    print(line)
PY
}

conf=$(sent_to uczestnik01@ "Potwierdzenie zgłoszenia")
ics "$conf" >"$T/publish"
is "$(grep -E '^(METHOD|UID|SEQUENCE|STATUS)' "$T/publish" | tr '\n' '|')" \
	"METHOD:PUBLISH|UID:$C01-1@rops.example.pl|SEQUENCE:0|STATUS:CONFIRMED|" "setup: the confirmation publishes UID $C01-1, SEQUENCE 0"

# 01 cancels by e-mail
sed -e "s/ZG-CODE-HERE/$C01/" -e "s/uczestnik00@/uczestnik01@/" "$P/cancel.eml" >"$T/cancel-01.eml"
MAILREG_NOW=2014-02-21T09:00 mr ingest "$T/cancel-01.eml" >/dev/null 2>&1
mr send >/dev/null 2>&1
canc=$(sent_to uczestnik01@ "Potwierdzenie rezygnacji")
ics "$canc" >"$T/cancel"
is "$(head -1 "$T/cancel")" "MIME multipart/mixed 1 CANCEL odwolanie.ics" \
	"the cancellation is multipart/mixed with one text/calendar; method=CANCEL"
is "$(grep -E '^(METHOD|UID|STATUS|DTSTART;)' "$T/cancel" | tr '\n' '|')" \
	"METHOD:CANCEL|UID:$C01-1@rops.example.pl|DTSTART;TZID=Europe/Warsaw:20140306T100000|STATUS:CANCELLED|" \
	"METHOD:CANCEL, the same UID as the PUBLISH, STATUS:CANCELLED"
seq0=$(sed -n 's/^SEQUENCE://p' "$T/publish")
seq1=$(sed -n 's/^SEQUENCE://p' "$T/cancel")
ok "$([ "$seq1" -gt "$seq0" ] && echo 0 || echo 1)" "the CANCEL has a higher SEQUENCE ($seq1 > $seq0)"
like "$(grep '^ORGANIZER' "$T/cancel")" "^ORGANIZER;CN=Rejestracja ROPS:mailto:rejestracja@rops.example.pl" \
	"the CANCEL names the organizer of the PUBLISH"
check "the cancellation passes the strict mail checks" "$PY" "$ROOT/tests/check-mail.py" "$canc"
like "$("$PY" -c 'import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print([p for p in m.walk() if p.get_content_type() == "text/plain"][0].get_payload(decode=True).decode())' "$canc")" \
	"usuwa ten termin z kalendarza" "the text says the attachment removes the entry"

# 02 was promoted into the seat: a confirmed place with its PUBLISH entry
prom=$(sent_to uczestnik02@ "Zwolniło się")
is "$(ics "$prom" | grep -E '^(METHOD|UID)' | tr '\n' '|')" "METHOD:PUBLISH|UID:$C02-1@rops.example.pl|" \
	"the promoted applicant gets the PUBLISH entry"

# staff cancel 02: the CANCEL again, SEQUENCE above the promotion's
MAILREG_NOW=2014-02-22T09:00 mr cancel "$C02" >/dev/null 2>&1
mr send >/dev/null 2>&1
ics "$(sent_to uczestnik02@ "Potwierdzenie rezygnacji")" >"$T/cancel2"
is "$(grep -E '^(METHOD|UID|SEQUENCE)' "$T/cancel2" | tr '\n' '|')" \
	"METHOD:CANCEL|UID:$C02-1@rops.example.pl|SEQUENCE:$(($(ics "$prom" | sed -n 's/^SEQUENCE://p') + 1))|" \
	"mailreg cancel CODE: the CANCEL follows the promotion's SEQUENCE"
# body TO - the text of the cancellation sent to TO
body() { "$PY" -c 'import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_body(("plain",)).get_content())' "$(sent_to "$1" "Potwierdzenie rezygnacji")"; }
is "$(body uczestnik01@ | grep -c 'zgodnie z prośbą') $(body uczestnik02@ | grep -c 'zgodnie z prośbą') $(body uczestnik02@ | grep -c 'informujemy, że anulowaliśmy')" \
	"1 0 1" "\"as you asked\" only when the applicant asked, not when staff cancelled"

# a waiting list never had an entry: its cancellation has none
MAILREG_NOW=2014-02-22T10:00 mr ingest "$P/info-03.eml" "$P/info-04.eml" >/dev/null 2>&1
C04=$(code 04)
is "$(sql "SELECT status FROM registrations WHERE code = '$C04'")" "waitlisted" "setup: 04 on the waiting list"
sed -e "s/ZG-CODE-HERE/$C04/" -e "s/uczestnik00@/uczestnik04@/" -e "s/^Message-ID: <cancel\\./Message-ID: <cancel-04./" \
	"$P/cancel.eml" >"$T/cancel-04.eml"
MAILREG_NOW=2014-02-23T09:00 mr ingest "$T/cancel-04.eml" >/dev/null 2>&1
mr send >/dev/null 2>&1
is "$(ics "$(sent_to uczestnik04@ "Potwierdzenie rezygnacji")" | head -1)" "MIME none" \
	"a waitlisted registration's cancellation carries no calendar"

done_testing

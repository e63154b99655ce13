#!/bin/sh
# 0207-smtp-ical: a confirmation for a dated event carries text/calendar;
# method=PUBLISH, parsed back with Python's email package; a resubmission
# resends the same UID with a higher SEQUENCE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

plan 8

make_instance
smtp_start
smtp_config
mr ingest "$DATA/pipeline/valid-8bit.eml" >/dev/null 2>&1
mr send >/dev/null 2>&1
CODE=$(sql "SELECT r.code FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.code = 'INFO-CEN'")

# ics FILE - the calendar part of FILE, unfolded, one line each; plus the MIME facts
ics() {
	"$PY" - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.strict)
parts = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
print("MIME", m.get_content_type(), len(parts), parts[0].get_param("method"), parts[0].get_filename(),
      parts[0].get_content_disposition())
raw = parts[0].get_payload(decode=True).decode("utf-8")
assert "\n" not in raw.replace("\r\n", ""), "bare LF in the calendar"
for line in raw.replace("\r\n ", "").split("\r\n"):
    print(line)
PY
}
ics "$RX/000001.eml" >"$T/ics1"
is "$(head -1 "$T/ics1")" "MIME multipart/mixed 1 PUBLISH zaproszenie.ics attachment" \
	"multipart/mixed with one text/calendar; method=PUBLISH attachment"
is "$(grep -c '^BEGIN:VEVENT' "$T/ics1") $(grep -c '^BEGIN:VTIMEZONE' "$T/ics1") $(grep '^METHOD' "$T/ics1")" \
	"1 1 METHOD:PUBLISH" "one VEVENT (the dated info meeting), a VTIMEZONE, METHOD:PUBLISH"
is "$(grep -E '^(UID|SEQUENCE|DTSTART;|DTEND|SUMMARY|TZID|STATUS)' "$T/ics1" | tr '\n' '|')" \
	"TZID:Europe/Warsaw|UID:$CODE-1@rops.example.pl|SEQUENCE:0|DTSTART;TZID=Europe/Warsaw:20140306T100000|DTEND;TZID=Europe/Warsaw:20140306T140000|SUMMARY:Spotkanie informacyjne – subregion centralny|STATUS:CONFIRMED|" \
	"UID from the registration code, DTSTART/DTEND in Europe/Warsaw, Polish SUMMARY"
like "$(grep '^LOCATION' "$T/ics1")" "^LOCATION:Katowice\\\\, Regionalny Ośrodek Polityki Społecznej\\\\, ul. Modelarska 10" "LOCATION from the catalog"
like "$(grep '^ORGANIZER' "$T/ics1")" "^ORGANIZER;CN=Rejestracja ROPS:mailto:rejestracja@rops.example.pl" "ORGANIZER is our From"
check "the confirmation with its attachment passes the strict checks" "$PY" "$ROOT/tests/check-mail.py" --crlf "$RX/000001.eml"

# A resubmission: same UID, SEQUENCE 1.
sed -e "s/^Message-ID: <.*>/Message-ID: <again-1@mops-katowice.example.pl>/" "$DATA/pipeline/valid-8bit.eml" >"$T/again.eml"
mr ingest "$T/again.eml" >/dev/null 2>&1
mr send >/dev/null 2>&1
ics "$RX/000002.eml" >"$T/ics2"
is "$(grep -E '^(UID|SEQUENCE)' "$T/ics2" | tr '\n' '|')" "UID:$CODE-1@rops.example.pl|SEQUENCE:1|" \
	"the resent invitation has the same UID and SEQUENCE 1"
# A rejection has no attachment and stays text/plain.
mr ingest "$DATA/pipeline/reject-no-consent.eml" >/dev/null 2>&1
mr send >/dev/null 2>&1
is "$("$PY" -c 'import email, sys; print(email.message_from_bytes(open(sys.argv[1], "rb").read()).get_content_type())' "$RX/000003.eml")" \
	"text/plain" "a reply without an attachment is not multipart"
done_testing

#!/bin/sh
# 0312-review-register: staff register a message waiting in review from the
# fields they type (`review register ID FIELD=VALUE...`, or `FIELD: value`
# lines on stdin): the same validation, placement, waiting list, confirmation
# with calendar entry as an e-mailed form, in one transaction; typed fields with
# problems are listed and change nothing; a second attempt is refused.
. "$(dirname "$0")/lib.sh"
plan 22

X=$DATA/pipeline
make_instance
mr ingest "$X/review-no-form.eml" "$X/valid-8bit.eml" >/dev/null 2>&1
id=$(sql "SELECT id FROM messages WHERE state = 'review'")
snapshot() { sql "SELECT (SELECT group_concat(state) FROM messages), (SELECT count(*) FROM applicants),
	(SELECT count(*) FROM registrations), (SELECT count(*) FROM outbox), (SELECT count(*) FROM messages WHERE reviewed_at IS NOT NULL)"; }
before=$(snapshot)

# --- typed fields with problems: listed, nothing changes
mr review register "$id" first_name=Halina last_name=Dudek institution="OPS Myszków" powiat=Warszawa \
	info_meeting=tak >"$T/bad.out" 2>"$T/bad.err"
is "$?" 65 "typed fields with problems: exit 65"
like "$(cat "$T/bad.err")" "message $id not registered, nothing changed; the fields have problems:" "it says nothing was registered"
like "$(cat "$T/bad.err")" "1\. .*Powiat.*Warszawa" "it lists the powiat problem, naming the field"
like "$(cat "$T/bad.err")" "2\. .*zgod" "and the missing consent"
is "$(snapshot)" "$before" "nothing changed: states, applicants, registrations, outbox, review marks"
mr review register "$id" first_name=Halina nazwisko_panienskie=X >/dev/null 2>"$T/unknown.err"
is "$?" 64 "an unknown field name is a usage error (64)"
like "$(cat "$T/unknown.err")" "no form field is called 'nazwisko_panienskie'; fields: first_name, last_name" "and the known names are listed"
is "$(snapshot)" "$before" "still nothing changed"

# --- valid typed fields: registered like a mailed form
mr review register "$id" first_name=Halina last_name=Dudek "Nazwa instytucji=OPS Myszków" powiat=myszkowski \
	phone="34 313 00 00" info_meeting=tak consent=tak >"$T/ok.out" 2>"$T/ok.err"
is "$?" 0 "review register with valid fields exits 0"
like "$(cat "$T/ok.out")" "^message $id: registered: typed by staff: Halina Dudek: INFO-POLN ZG-[0-9A-Z-]+ \(confirmed\)$" \
	"it prints the placement"
is "$(sql "SELECT state || ' ' || (reviewed_at IS NOT NULL) || ' ' || form_part FROM messages WHERE id = $id")" \
	"registered 1 typed by staff (review register)" "the message moved from review to registered"
is "$(sql "SELECT a.first_name || ' ' || a.last_name || ' ' || a.email || ' ' || a.institution || ' ' || a.powiat || ' ' || a.subregion || ' ' || a.phone
	FROM applicants a JOIN messages m ON m.applicant_id = a.id WHERE m.id = $id")" \
	"Halina Dudek halina.dudek@ops-myszkow.example.pl OPS Myszków powiat myszkowski północny 34 313 00 00" \
	"the applicant has the typed fields and the message's address"
is "$(sql "SELECT kind || ' ' || rcpt || ' ' || state FROM outbox WHERE inbound_id = $id AND kind = 'confirmation'")" \
	"confirmation halina.dudek@ops-myszkow.example.pl queued" "the confirmation to the sender is queued"
mr send >/dev/null 2>&1
f=$T/outgoing/$(sql "SELECT message_id FROM outbox WHERE inbound_id = $id AND kind = 'confirmation'" | sed 's/@.*//').eml
python3 - "$f" >"$T/conf" <<'PY'
import email, email.header, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(m["To"], "|", m["In-Reply-To"])
for p in m.walk():
    if p.get_content_type() in ("text/plain", "text/calendar"):
        print(p.get_payload(decode=True).decode())
PY
is "$(head -1 "$T/conf")" "Halina Dudek <halina.dudek@ops-myszkow.example.pl> | <20140220073011.9@ops-myszkow.example.pl>" \
	"the confirmation answers the message, to the applicant"
like "$(tr '\n' ' ' <"$T/conf")" "Uczestnik: Halina Dudek .*Instytucja: OPS Myszków .*Spotkanie informacyjne – subregion północny .*Kod zgłoszenia: ZG-" \
	"its text has the typed data, the event and the code"
like "$(cat "$T/conf")" "DTSTART;TZID=Europe/Warsaw:20140327T100000" "it carries the calendar entry"

# --- the second attempt is refused
mr review register "$id" first_name=Halina last_name=Dudek institution="OPS Myszków" powiat=myszkowski \
	info_meeting=tak consent=tak >/dev/null 2>"$T/again.err"
is "$?" 65 "registering it again: exit 65"
like "$(cat "$T/again.err")" "message $id is not in review \(it is registered\)" "with a clear reason"
is "$(sql "SELECT count(*) FROM registrations") $(sql "SELECT count(*) FROM outbox WHERE kind = 'confirmation'")" "5 2" \
	"no second registration, no second confirmation"

# --- fields from stdin, labels and a checkbox line; the event is full: waiting list
sed -e '/^\[INFO-POLN\]/,/^session1/s/^seats = 25/seats = 1/' "$ROOT/etc/catalog.ini" >"$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null 2>&1
sed -e 's/^Message-ID: <.*>/Message-ID: <drugie@ops.example.pl>/' -e 's/halina.dudek@ops-myszkow/jan.nowak@ops-klobuck/' \
	"$X/review-no-form.eml" >"$T/second.eml"
mr ingest "$T/second.eml" >/dev/null 2>&1
id2=$(sql "SELECT id FROM messages WHERE message_id = 'drugie@ops.example.pl'")
mr review register "$id2" - >"$T/stdin.out" 2>/dev/null <<'EOF'
Imię: Jan
last_name = Nowak
Nazwa instytucji: OPS Kłobuck
Powiat: kłobucki
[x] Spotkanie informacyjne
# consent as on the printed form
Wyrażam zgodę na przetwarzanie moich danych osobowych: TAK
EOF
like "$(cat "$T/stdin.out")" "^message $id2: registered: typed by staff: Jan Nowak: INFO-POLN ZG-[0-9A-Z-]+ \(waitlisted\)$" \
	"fields from stdin: registered, on the waiting list of the full event"
is "$(sql "SELECT kind || ' ' || rcpt FROM outbox WHERE inbound_id = $id2 AND kind <> 'staff' ORDER BY id DESC LIMIT 1")" \
	"waitlist jan.nowak@ops-klobuck.example.pl" "the applicant is told about the waiting list"
is "$(mr review)" "" "nothing is left to review"

done_testing

#!/bin/sh
# 0303-catalog-update: `catalog import` adds or updates events by code;
# a session whose date changes sends everyone registered an update with the
# calendar entry (same UID, higher SEQUENCE); importing again changes nothing.
. "$(dirname "$0")/lib.sh"

plan 12

P=$DATA/programme
make_instance
mr ingest "$P/info-01.eml" "$P/info-02.eml" "$P/ws-01.eml" >/dev/null 2>&1
mr catalog import "$ROOT/etc/catalog.ini" >"$T/out"
is "$?" 0 "catalog import of the shipped catalog exits 0"
like "$(cat "$T/out")" "32 events\\), 0 update mails" "importing the same catalog again: 32 events, no update"

sed -e 's/^session1 = 2014-03-06T10:00 | 2014-03-06T14:00 |/session1 = 2014-03-13T10:00 | 2014-03-13T14:00 |/' \
	-e '/^\[WS-POLD-1\]/,/^session1/s/^session1 = | |/session1 = 2014-04-01T09:00 | 2014-04-02T15:00 |/' \
	"$ROOT/etc/catalog.ini" >"$T/catalog.ini"
printf '\n[SZK-13]\nkind = training\ntitle = Szkolenie uzupełniające nr 13\nseats = 15\nsession1 = | | termin podamy\n' >>"$T/catalog.ini"
mr catalog import "$T/catalog.ini" >"$T/out" 2>/dev/null
like "$(cat "$T/out")" "33 events\\), 3 update mails" "a moved date and a dated placeholder: 3 update mails, one new event"
is "$(sql "SELECT group_concat(rcpt, ' ') FROM (SELECT rcpt FROM outbox WHERE kind = 'update' ORDER BY rcpt)")" \
	"uczestnik01@mops-katowice.example.pl uczestnik01@ops-bielsko.example.pl uczestnik02@mops-katowice.example.pl" \
	"the update goes to everyone registered for the two events"
is "$(mr events --json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d), [e["sessions"][0]["start"] for e in d if e["code"] == "INFO-CEN"][0])')" \
	"33 2014-03-13T10:00" "events --json shows the new date and the new event"
mr send >/dev/null 2>&1
# ics KIND ADDR - UID and SEQUENCE of the calendar entry sent as KIND to ADDR.
ics() { python3 - "$T" "$1" "$2" <<'PY'
import email, glob, sqlite3, sys
t, kind, addr = sys.argv[1:]
mid = sqlite3.connect(t + "/var/mailreg.db").execute(
    "SELECT message_id FROM outbox WHERE kind = ? AND rcpt = ?", (kind, addr)).fetchone()[0]
m = email.message_from_binary_file(open(glob.glob(t + "/outgoing/*" + mid.split("@")[0] + "*")[0], "rb"))
cal = [p for p in m.walk() if p.get_content_type() == "text/calendar"][0].get_payload(decode=True).decode()
print(" ".join(l for l in cal.splitlines() if l.startswith(("UID:", "SEQUENCE:", "DTSTART"))))
PY
}
a=$(ics confirmation uczestnik01@mops-katowice.example.pl)
b=$(ics update uczestnik01@mops-katowice.example.pl)
is "$(echo "$a" | sed 's/.*UID:\([^ ]*\).*/\1/')" "$(echo "$b" | sed 's/.*UID:\([^ ]*\).*/\1/')" \
	"the update's calendar entry has the confirmation's UID"
like "$a $b" "SEQUENCE:0 .*SEQUENCE:1 " "... and a higher SEQUENCE"
like "$b" "DTSTART;TZID=Europe/Warsaw:20140313T100000" "... and the new date"
mr catalog import "$T/catalog.ini" >"$T/out" 2>/dev/null
like "$(cat "$T/out")" "0 update mails" "importing the changed catalog again sends nothing"

# More seats give the new places to the waiting list at once.
sed '/^\[INFO-CEN\]/,/^seats/s/^seats = 25/seats = 2/' "$T/catalog.ini" >"$T/small.ini"
mr catalog import "$T/small.ini" >/dev/null 2>&1
mr ingest "$P/info-03.eml" "$P/info-04.eml" >/dev/null 2>&1
is "$(sql "SELECT group_concat(status, ' ') FROM (SELECT r.status FROM registrations r JOIN events e ON e.id = r.event_id
	WHERE e.code = 'INFO-CEN' ORDER BY r.arrival)")" "confirmed confirmed waitlisted waitlisted" "2 seats: 2 confirmed, 2 waiting"
sed '/^\[INFO-CEN\]/,/^seats/s/^seats = 25/seats = 3/' "$T/catalog.ini" >"$T/more.ini"
mr catalog import "$T/more.ini" >"$T/out" 2>/dev/null
like "$(cat "$T/out")" "0 update mails queued, 1 places given to waiting lists" "one more seat: one place given to the waiting list"
is "$(sql "SELECT group_concat(status, ' ') FROM (SELECT r.status FROM registrations r JOIN events e ON e.id = r.event_id
	WHERE e.code = 'INFO-CEN' ORDER BY r.arrival)") $(sql "SELECT count(*) FROM outbox WHERE kind = 'promotion'")" \
	"confirmed confirmed confirmed waitlisted 1" "the first waiting is confirmed and told (kind promotion), the second still waits"

done_testing

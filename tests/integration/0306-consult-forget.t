#!/bin/sh
# 0306-consult-forget: staff schedule a consulting request (`consult schedule`:
# a confirmation with the date and a calendar entry, reminded like a session),
# and `forget EMAIL` leaves no trace of the address in the database file, the
# spool or the outgoing folder.
. "$(dirname "$0")/lib.sh"

plan 14

P=$DATA/programme
make_instance
printf '\n[programme]\nconsulting_hours = 20\n' >>"$T/etc/mailreg.conf"
mr ingest "$P"/consult-*.eml >/dev/null 2>&1
code() { sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email = 'uczestnik0$1@pcpr-rybnik.example.pl'"; }

mr consult schedule "$(code 1)" 2014-05-12T10:00 "ROPS Katowice, ul. Modelarska 10, sala 2" >/dev/null
is "$?" 0 "consult schedule exits 0"
is "$(sql "SELECT status || ' ' || appointment FROM registrations WHERE code = '$(code 1)'")" \
	"confirmed 2014-05-12T10:00" "the request is confirmed with its appointment"
mr send >/dev/null 2>&1
f=$(sql "SELECT message_id FROM outbox WHERE kind = 'confirmation' AND rcpt = 'uczestnik01@pcpr-rybnik.example.pl'
	ORDER BY id DESC LIMIT 1" | sed 's/@.*//')
python3 - "$T/outgoing/$f.eml" >"$T/appt" <<'PY'
import email, email.header, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(str(email.header.make_header(email.header.decode_header(m["Subject"]))))
for p in m.walk():
    if p.get_content_type() in ("text/plain", "text/calendar"):
        print(p.get_payload(decode=True).decode())
PY
like "$(head -1 "$T/appt")" "^Termin doradztwa – Doradztwo: Ekonomia społeczna" "the confirmation's subject names the appointment"
like "$(cat "$T/appt")" "Termin: poniedziałek, 12 maja 2014, 10:00–18:00" "the body gives the date (20 h asked: one sitting of at most 8 h)"
like "$(cat "$T/appt")" "DTSTART;TZID=Europe/Warsaw:20140512T100000" "the calendar entry has the date"
mr consult schedule "$(code 5)" 2014-05-12T10:00 "sala 2" >/dev/null 2>&1
is "$?" 65 "a waitlisted request cannot be scheduled (65)"
mr consult schedule "$(code 2)" "12 maja" "sala 2" >/dev/null 2>&1
is "$?" 64 "a malformed time is a usage error (64)"
mr remind --now 2014-05-11T12:00 >/dev/null
is "$(sql "SELECT group_concat(kind || '>' || rcpt) FROM outbox WHERE kind = 'reminder'")" \
	"reminder>uczestnik01@pcpr-rybnik.example.pl" "the appointment is reminded the day before"

# --- forget ----------------------------------------------------------------------------
X=$DATA/pipeline
mr ingest "$X/valid-8bit.eml" "$X/valid-qp.eml" >/dev/null 2>&1
mr send >/dev/null 2>&1
is "$(for d in var spool outgoing; do grep -rlq 'zofia.gesla@mops-katowice' "$T/$d" && echo "$d"; done | tr '\n' ' ')" "var spool outgoing " \
	"before: the address is in the database and in the spool and outgoing files"
mr forget zofia.gesla@mops-katowice.example.pl >"$T/forget.out" 2>"$T/forget.err"
is "$?" 0 "forget exits 0"
is "$(grep -rail 'zofia.gesla@mops-katowice\|251 00 11\|ekonomia społeczna w gminie' "$T/var" "$T/spool" "$T/outgoing" "$T/forget.err")" "" \
	"after: no trace of the address, phone or her words in any raw file (database, WAL, spool, outgoing, log)"
is "$(sql "SELECT count(*) FROM applicants") $(sql "SELECT count(*) FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email LIKE 'forgotten-%@invalid' AND r.status = 'cancelled'")" "7 4" \
	"anonymous counts stay: the applicant row without data, her 4 registrations cancelled"
is "$(grep -rl 'lucja.gesla@gops-pszczyna' "$T/spool" "$T/outgoing" | wc -l | tr -d ' ')" "2" \
	"another applicant's files are untouched"
is "$(sql "PRAGMA integrity_check")" "ok" "the database is intact"

done_testing

#!/bin/sh
# 0307-staff-tools: reporting for staff: `applicants
# --per-registration` (JSON and CSV), `attendance EVENT --csv` (the sign-in
# sheet), `stats` (seats per event, consulting hours left per topic).
. "$(dirname "$0")/lib.sh"

plan 9

P=$DATA/programme
make_instance
sed -e '/^\[INFO-CEN\]/,/^session1/s/^seats = 25/seats = 2/' "$ROOT/etc/catalog.ini" >"$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null 2>&1
mr ingest "$P/info-01.eml" "$P/info-02.eml" "$P/info-03.eml" "$DATA/pipeline/valid-8bit.eml" >/dev/null 2>&1
py() { python3 -c "import json, sys
d = json.load(sys.stdin)
$1"; }

mr applicants --per-registration --json >"$T/r.json"
is "$?" 0 "applicants --per-registration --json exits 0"
is "$(py 'print(len(d), sorted({k for r in d for k in r} - {"first_name","last_name","email","phone","institution","institution_type","position","powiat","subregion","needs","topics","consulting_topic"}))' <"$T/r.json")" \
	"7 ['code', 'event', 'kind', 'status', 'waitlist_position']" "one object per registration (7) with the registration's fields"
is "$(py 'print(" ".join("%s:%s:%s" % (r["email"][:11], r["status"], r["waitlist_position"]) for r in d if r["event"] == "INFO-CEN"))' <"$T/r.json")" \
	"uczestnik01:confirmed:None uczestnik02:confirmed:None uczestnik03:waitlisted:1 zofia.gesla:waitlisted:2" \
	"per registration: status and position, positions are numbers"
mr applicants --per-registration --csv | python3 -c '
import csv, io, sys
rows = list(csv.reader(io.StringIO(sys.stdin.buffer.read()[3:].decode("utf-8"), newline="")))
print(len(rows), rows[0][12:], [r[1] for r in rows if r[13] == "WS-CEN-1"])' >"$T/r.csv"
is "$(cat "$T/r.csv")" "8 ['code', 'event', 'kind', 'status', 'waitlist_position'] ['Gęślą']" \
	"applicants --per-registration --csv: a header and 7 rows, Polish letters intact"

mr attendance INFO-CEN --csv >"$T/a.csv"
is "$?" 0 "attendance INFO-CEN --csv exits 0"
is "$(python3 -c '
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
print(raw[:3] == b"\xef\xbb\xbf", raw.endswith(b"\r\n"), rows[0][:3], [r[0] + ":" + r[4] for r in rows[1:]])' "$T/a.csv")" \
	"True True ['Lp.', 'Nazwisko', 'Imię'] ['1:uczestnik01@mops-katowice.example.pl', '2:uczestnik02@mops-katowice.example.pl']" \
	"attendance --csv: BOM, CRLF, Polish header, the confirmed only, numbered"
mr attendance NO-SUCH --csv >/dev/null 2>&1
is "$?" 65 "attendance of an unknown event exits 65"

mr stats --json >"$T/s.json"
is "$(py 'e = {x["code"]: x for x in d["events"]}
print(e["INFO-CEN"]["taken"], e["INFO-CEN"]["free"], e["INFO-CEN"]["waitlist"], e["DOR-2"]["hours"], e["DOR-2"]["hours_used"], e["DOR-2"]["hours_left"])' <"$T/s.json")" \
	"2 0 2 115 4 111" "stats --json: seats taken, free, waiting; consulting hours used and left"
like "$(mr stats)" "DOR-2 .*topic 2: 4 of 115 h used, 111 h left" "stats: consulting hours left per topic in text"

done_testing

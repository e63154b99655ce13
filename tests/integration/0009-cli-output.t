#!/bin/sh
# 0009-cli-output: the machine-readable output of the listing commands (JSON keys
# and types, the CSV a spreadsheet opens) and the usage exit status.
. "$(dirname "$0")/lib.sh"

plan 26

P=$DATA/pipeline
make_instance
mr ingest "$P/valid-8bit.eml" "$P/sql-institution.eml" "$P/review-no-form.eml" "$P/reject-no-consent.eml" \
	>/dev/null 2>&1
is "$?" 0 "ingest of 4 fixtures exits 0"
mr send >/dev/null 2>&1

# py CODE - run CODE with d = the JSON on stdin; CODE prints the result.
py() { python3 -c "import json, sys
d = json.load(sys.stdin)
$1"; }

# --- applicants --json --------------------------------------------------------------
mr applicants --json >"$T/a.json"
is "$?" 0 "applicants --json exits 0"
is "$(py 'print(type(d).__name__, len(d))' <"$T/a.json")" "list 2" "applicants --json: an array of the 2 applicants"
is "$(py 'print(sorted({",".join(sorted(a)) for a in d}))' <"$T/a.json")" \
	"$(python3 -c 'print(sorted({",".join(sorted("first_name last_name email phone institution institution_type position powiat subregion needs topics consulting_topic registrations".split()))}))')" \
	"applicants --json: every object has exactly the documented keys"
is "$(py 'print(sorted({",".join(sorted(r)) for a in d for r in a["registrations"]}))' <"$T/a.json")" \
	"['code,event,kind,offer_until,position,status']" "applicants --json: registrations have exactly code,event,kind,status,position,offer_until"
is "$(py '
a = [x for x in d if x["email"] == "zofia.gesla@mops-katowice.example.pl"][0]
print(a["first_name"], a["last_name"], a["consulting_topic"], type(a["consulting_topic"]).__name__,
      " ".join(r["event"] + ":" + r["kind"] + ":" + r["status"] for r in a["registrations"]))' <"$T/a.json")" \
	"Zofia Gęślą 2 int INFO-CEN:info_meeting:confirmed WS-CEN-1:workshop_group:confirmed DOR-2:consulting:requested SZK-01:training:confirmed" \
	"applicants --json: values, Polish letters, consulting_topic a number, registrations in order"
is "$(py 'import re; print(all(re.fullmatch(r"ZG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", r["code"]) for a in d for r in a["registrations"]))' <"$T/a.json")" \
	"True" "applicants --json: every code looks like ZG-XXXX-XXXX"
is "$(py 'print([a["institution"] for a in d if a["last_name"] == "Tables"][0])' <"$T/a.json")" \
	"Robert'); DROP TABLE applicants;--" "applicants --json: SQL-looking institution stored and shown literally"
is "$(sql "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'applicants'")" 1 \
	"the applicants table is still there"

# --- applicants --csv ----------------------------------------------------------------
mr applicants --csv >"$T/a.csv"
is "$?" 0 "applicants --csv exits 0"
is "$(head -c 3 "$T/a.csv" | od -An -tx1 | tr -d ' \n')" "efbbbf" "applicants --csv starts with the UTF-8 BOM"
python3 - "$T/a.csv" >"$T/csv.check" <<'EOF'
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
body = raw[3:]
lines = body.split(b"\r\n")
# every row ends in CRLF: the text ends with CRLF and no bare LF remains outside quotes
print("crlf", body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b""))
rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
print("shape", len(rows), sorted({len(r) for r in rows}))
by = {r[2]: r for r in rows[1:]}
z = by["zofia.gesla@mops-katowice.example.pl"]
print("polish", z[0], z[1], z[4])
print("phone", z[3])
t = by["robert.tables@ngo-tarnowskie.example.pl"]
print("formula", t[6])
print("sql", t[4])
EOF
is "$(sed -n 1p "$T/csv.check")" "crlf True" "applicants --csv: every row ends with CRLF"
is "$(sed -n 2p "$T/csv.check")" "shape 3 [13]" "applicants --csv: header + 2 rows of 13 cells"
is "$(sed -n 3p "$T/csv.check")" "polish Zofia Gęślą Miejski Ośrodek Pomocy Społecznej w Katowicach" \
	"applicants --csv: Polish letters intact"
is "$(sed -n 4p "$T/csv.check")" "phone +48 32 251 00 11" "applicants --csv: a phone number '+48 ...' is left as it is"
is "$(sed -n 5p "$T/csv.check")" "formula '=HYPERLINK(\"http://evil.example/x\";\"Kliknij\")" \
	"applicants --csv: a cell starting with '=' is neutralised (leading apostrophe)"
is "$(sed -n 6p "$T/csv.check")" "sql Robert'); DROP TABLE applicants;--" "applicants --csv: SQL-looking text literal"

# --- messages --json, outbox --json -----------------------------------------------------
mr messages --json >"$T/m.json"
is "$(py '
need = {"message_id", "from", "subject", "state", "reason"}
print(len(d), all(need <= set(m) for m in d), " ".join(m["state"] for m in d))' <"$T/m.json")" \
	"4 True registered registered review rejected" "messages --json: 4 objects with message_id,from,subject,state,reason"
is "$(py 'm = d[0]; print(m["message_id"], m["from"], m["subject"])' <"$T/m.json")" \
	"20140217091244.4417@mops-katowice.example.pl zofia.gesla@mops-katowice.example.pl Zgłoszenie na szkolenia ROPS" \
	"messages --json: Message-ID without brackets, sender address, decoded subject"

mr outbox --json >"$T/o.json"
is "$(py '
need = {"to", "kind", "subject", "state", "attempts"}
print(len(d), all(need <= set(o) for o in d), {type(o["attempts"]).__name__ for o in d},
      " ".join(o["kind"] + ">" + o["to"] + ":" + o["state"] + ":" + str(o["attempts"]) for o in d))' <"$T/o.json")" \
	"5 True {'int'} confirmation>zofia.gesla@mops-katowice.example.pl:sent:1 confirmation>robert.tables@ngo-tarnowskie.example.pl:sent:1 review>halina.dudek@ops-myszkow.example.pl:sent:1 staff>kadry@rops.example.pl:sent:1 rejection>jerzy.pawlak@pcpr-cieszyn.example.pl:sent:1" \
	"outbox --json: to,kind,subject,state,attempts; attempts is a number"

# --- events --json -------------------------------------------------------------------
mr events --json >"$T/e.json"
is "$(py 'print(len(d), len({e["code"] for e in d}))' <"$T/e.json")" "32 32" "events --json: 32 events, distinct codes"
is "$(py '
e = [x for x in d if x["code"] == "INFO-CEN"][0]
print(e["seats"], type(e["seats"]).__name__, e["sessions"][0]["start"], e["sessions"][0]["end"], e["taken"], e["free"])' <"$T/e.json")" \
	"25 int 2014-03-06T10:00 2014-03-06T14:00 2 23" \
	"events --json: INFO-CEN has 25 seats, first session 2014-03-06T10:00, 2 taken (Katowice, tarnogórski)"

# Formula payloads that start with "+digit" or "-digit" (OWASP's CSV injection
# examples): a spreadsheet runs them as formulas just like "=...".
sed -e "s/^Message-ID: <.*>/Message-ID: <csv-payload.20140301@ngo-tarnowskie.example.pl>/" \
    -e "s/robert\\.tables@/robert.csv@/g" \
    -e "s/^Stanowisko: .*/Stanowisko: -2+3+cmd|' \\/C calc'!A0/" \
    -e "s/^Telefon: .*/Telefon: +1+cmd|' \\/C calc'!A0/" "$P/sql-institution.eml" >"$T/csv-payload.eml"
mr ingest "$T/csv-payload.eml" >/dev/null 2>&1
mr applicants --csv | python3 -c '
import csv, io, sys
rows = list(csv.reader(io.StringIO(sys.stdin.buffer.read()[3:].decode("utf-8"), newline="")))
r = [r for r in rows if r[2] == "robert.csv@ngo-tarnowskie.example.pl"]
print(r[0][6] if r else "(no row)")
print(r[0][3] if r else "(no row)")' >"$T/payload.check"
is "$(sed -n 1p "$T/payload.check")" "'-2+3+cmd|' /C calc'!A0" \
	"applicants --csv: a cell '-2+3+cmd|...' is neutralised (leading apostrophe)"
is "$(sed -n 2p "$T/payload.check")" "'+1+cmd|' /C calc'!A0" \
	"applicants --csv: a cell '+1+cmd|...' is neutralised (leading apostrophe)"

# --- usage errors ----------------------------------------------------------------------
mr --no-such-option applicants >/dev/null 2>&1
is "$?" 64 "unknown global option: exit 64 (EX_USAGE)"
mr applicants --xml >/dev/null 2>&1
is "$?" 64 "unknown option of a command: exit 64 (EX_USAGE)"

done_testing

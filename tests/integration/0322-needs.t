#!/bin/sh
# 0322-needs: `mailreg needs [--event CODE] [--json|--csv]`, the needs survey
# per subregion and event: the workshop themes of the call recognised in the
# "Proponowana tematyka" answers (Ekonomia społeczna, Budowanie partnerstw
# lokalnych, Praca ze środowiskiem lokalnym; any inflection, with or without
# Polish letters), the other proposals verbatim; the special needs (diet,
# accessibility, other) with who has them; cancelled registrations left out.
# The daily digest counts the new answers.  An unknown event exits 65.
. "$(dirname "$0")/lib.sh"

plan 12

P=$DATA/programme
make_instance
# form N SOURCE NEEDS TOPICS - an application uN from SOURCE with the answers.
form() {
	sed -e "s/uczestnik01@/u$1@/g" -e "s/^Message-ID: <\\([a-z]*\\)-01\\./Message-ID: <needs-$1./" \
		-e "s/^Szczególne potrzeby:.*/Szczególne potrzeby: $3/" -e "s/^Proponowana tematyka:.*/Proponowana tematyka: $4/" \
		-e 's/^\[ \] Spotkanie informacyjne/[X] Spotkanie informacyjne/' "$P/$2.eml" >"$T/f$1.eml"
}
form 1 info-01 "dieta wegetariańska" "Ekonomia społeczna"
form 2 info-01 "brak" "ekonomii spolecznej i budowaniu partnerstw lokalnych"
form 3 info-01 "Poruszam się na wózku, proszę o salę bez schodów" "Praca ze środowiskiem lokalnym"
form 4 info-01 "dieta bezglutenowa; tłumacz języka migowego" "Pozyskiwanie funduszy unijnych"
form 5 info-01 "" ""
form 6 info-01 "Nocleg w Katowicach" "-"
form 7 ws-01 "winda" "animacja społeczności lokalnej"
form 8 info-01 "dieta wegańska" "EKONOMIA SPOŁECZNA"
export MAILREG_NOW=2014-02-17T12:00
for i in 1 2 3 4 5 6 7 8; do mr ingest "$T/f$i.eml" >/dev/null 2>&1; done
is "$(sql "SELECT count(*) FROM registrations WHERE status = 'confirmed'")" 9 "8 forms: 9 places (u7 also a workshop)"
mr cancel "$(sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id WHERE a.email LIKE 'u8@%'")" \
	>/dev/null 2>&1
code() { sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	JOIN events e ON e.id = r.event_id WHERE a.email LIKE 'u$1@%' AND e.code = '$2'"; }

mr needs --json >"$T/n.json"
is "$?" 0 "needs --json exits 0"
py() { python3 -c "import json, sys
d = {e['event']: e for e in json.load(open('$T/n.json'))}
$1"; }
is "$(py 'e = d["INFO-CEN"]; t = e["topics"]
print(e["subregion"], e["registrations"], t["answers"], t["ekonomia_spoleczna"], t["partnerstwa_lokalne"], t["srodowisko_lokalne"], t["other"])')" \
	"centralny 6 4 2 1 1 ['Pozyskiwanie funduszy unijnych']" \
	"INFO-CEN: 6 registrations (the cancelled left out), 4 proposals, themes 2/1/1, the rest verbatim"
is "$(py 'n = d["INFO-CEN"]["needs"]; print(n["answers"], n["diet"], n["accessibility"], n["other"])')" "4 2 2 1" \
	"INFO-CEN special needs: 4 answers - diet 2, accessibility 2, other 1 (brak and empty are none)"
is "$(py 'print(" ".join("%s:%s" % (p["code"], "+".join(p["kinds"])) for p in d["INFO-CEN"]["needs"]["people"]))')" \
	"$(code 1 INFO-CEN):diet $(code 3 INFO-CEN):accessibility $(code 4 INFO-CEN):diet+accessibility $(code 6 INFO-CEN):other" \
	"the special-needs list of INFO-CEN: who, in order of arrival, of which kind"
is "$(py 'p = d["INFO-CEN"]["needs"]["people"][1]; print(p["last_name"], "|", p["text"])')" \
	"Kowalska | Poruszam się na wózku, proszę o salę bez schodów" "each with the name and the answer verbatim"
is "$(py 'print(" ".join("%s:%s:%d:%d:%d" % (c, d[c]["subregion"], d[c]["registrations"], d[c]["topics"]["srodowisko_lokalne"], d[c]["needs"]["accessibility"]) for c in ("INFO-POLD", "WS-POLD-1", "INFO-ZACH")))')" \
	"INFO-POLD:południowy:1:1:1 WS-POLD-1:południowy:1:1:1 INFO-ZACH:zachodni:0:0:0" \
	"per subregion and event: the południowy forms under both their events, an event without forms at 0"

mr needs --event INFO-POLD --json >"$T/one.json"
is "$(python3 -c "import json; print([e['event'] for e in json.load(open('$T/one.json'))])")" "['INFO-POLD']" \
	"--event: that event only"
err=$(mr needs --event NO-SUCH --json 2>&1 >/dev/null)
like "$? $err" "^65 .*no event NO-SUCH" "an unknown event: exit 65, named"

mr needs --csv >"$T/n.csv"
is "$(python3 -c '
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
print(raw[:3] == b"\xef\xbb\xbf", len(rows) - 1, rows[0][7], "|", [r[7] for r in rows if r[2] == sys.argv[2]][0])' "$T/n.csv" "$(code 2 INFO-CEN)")" \
	"True 7 Tematy z ogłoszenia | Ekonomia społeczna; Budowanie partnerstw lokalnych" \
	"--csv: BOM, a row per registration that answered (5 INFO-CEN, u7 twice), themes named"

MAILREG_NOW=2014-02-17T13:00 mr digest >/dev/null 2>&1
b=$(python3 - "$T/var/mailreg.db" <<'PY'
import email, email.policy, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
raw, = db.execute("SELECT b.raw FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id"
                  " WHERE o.kind = 'digest' ORDER BY o.id DESC LIMIT 1").fetchone()
print(email.message_from_bytes(raw, policy=email.policy.default).get_content())
PY
)
like "$b" "Proponowana tematyka: 6 odpowiedzi – Ekonomia społeczna: 3, Budowanie partnerstw lokalnych: 1, Praca ze środowiskiem lokalnym: 2, inne tematy: 1" \
	"the digest counts the new proposals (the 8 forms of the day, u8 too)"
like "$b" "Szczególne potrzeby: 6 \\(dieta: 3, dostępność: 3, inne: 1\\)" "and the new special needs"

done_testing

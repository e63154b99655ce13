#!/bin/sh
# 0003-outcomes: every pipeline fixture ends in its one outcome, with the right
# replies, and every reply is a well-formed RFC 3834 auto-reply.
. "$(dirname "$0")/lib.sh"

P=$DATA/pipeline
STAFF=kadry@rops.example.pl

# fixture | outcome | Message-ID | reply address (sender or form)
FIXTURES='valid-8bit|registered|20140217091244.4417@mops-katowice.example.pl|zofia.gesla@mops-katowice.example.pl
valid-qp|registered|52FB4A11.6020404@gops-pszczyna.example.pl|lucja.gesla@gops-pszczyna.example.pl
valid-base64|registered|0F6B1E2C9A3D4B7E8F9A0B1C2D3E4F50@EXCH01.pcpr-zywiec.example.pl|zaneta.gesla@pcpr-zywiec.example.pl
cp1250-charset|registered|000801cf2bc5$66a9a3a0$33fceae0$@sds-dabrowa.example.pl|grazyna.gesla@sds-dabrowa.example.pl
iso88592-charset|registered|5301F1C4.2050708@sds-dabrowa.example.pl|bozena.gesla@sds-dabrowa.example.pl
cp1250-nocharset|registered|20140218103355.GA7781@poczta.sds-dabrowa.example.pl|malgorzata.gesla@sds-dabrowa.example.pl
quoted-reply|registered|52FE0A7B.9010503@mops-gliwice.example.pl|tomasz.wrobel@mops-gliwice.example.pl
attachment-txt|registered|CAF9x7pQ3k0v=Lq2dS_1m8bZr@mail.gmail.example.com|krzysztof.slezak@ops-bielsko.example.pl
resubmit-1|registered|20140221090000.100@mops-zory.example.pl|agnieszka.wojcik@mops-zory.example.pl
resubmit-2|registered|20140224101500.200@mops-zory.example.pl|agnieszka.wojcik@mops-zory.example.pl
inject-form-cr|registered|20140222120000.667@ops-klobuck.example.pl|adam.kowalczyk@ops-klobuck.example.pl
sql-institution|registered|20140223080000.1@ngo-tarnowskie.example.pl|robert.tables@ngo-tarnowskie.example.pl
reject-no-lastname|rejected|20140219081502.1234@mops-tychy.example.pl|ewa.mazur@mops-tychy.example.pl
reject-powiat-warszawa|rejected|1392800100.52304.piotr@ngo-warszawa.example.pl|piotr.zielinski@ngo-warszawa.example.pl
reject-no-support|rejected|20140219120000.77@cis-zabrze.example.pl|anna.kaczmarek@cis-zabrze.example.pl
reject-no-consent|rejected|20140219133010.31@pcpr-cieszyn.example.pl|jerzy.pawlak@pcpr-cieszyn.example.pl
reject-bad-email|rejected|20140219140000.5@ops-bierun.example.pl|marek.nowak@ops-bierun.example.pl
inject-from-name|rejected|20140222110000.666@ops-lubliniec.example.pl|jan.nowak@ops-lubliniec.example.pl
review-no-form|review|20140220073011.9@ops-myszkow.example.pl|halina.dudek@ops-myszkow.example.pl
inject-subject|review|20140222130000.668@ops-czestochowa.example.pl|wieslaw.kubiak@ops-czestochowa.example.pl
autoreply|ignored|AM3PR01MB0011.auto.20140220@mops-rybnik.example.pl|-'

# The Polish letters each legacy-encoded or transfer-encoded form must arrive with.
SDS='Środowiskowy Dom Samopomocy Przyjaźń w Dąbrowie Górniczej'
LETTERS="valid-8bit|Zofia|Gęślą|Miejski Ośrodek Pomocy Społecznej w Katowicach|Katowice
valid-qp|Łucja|Gęślą|Gminny Ośrodek Pomocy Społecznej w Pszczynie|powiat pszczyński
valid-base64|Żaneta|Gęślą|Powiatowe Centrum Pomocy Rodzinie w Żywcu|powiat żywiecki
cp1250-charset|Grażyna|Gęślą|$SDS|Dąbrowa Górnicza
iso88592-charset|Bożena|Gęślą|$SDS|Dąbrowa Górnicza
cp1250-nocharset|Małgorzata|Gęślą|$SDS|Dąbrowa Górnicza
quoted-reply|Tomasz|Wróbel|Miejski Ośrodek Pomocy Społecznej w Gliwicach|Gliwice
attachment-txt|Krzysztof|Ślęzak|Gminny Ośrodek Pomocy Społecznej w Jasienicy|powiat bielski"

n_fix=$(printf '%s\n' "$FIXTURES" | wc -l)
n_letters=$(printf '%s\n' "$LETTERS" | wc -l)
# replies: one per registered/rejected fixture, two per review fixture
n_replies=$(printf '%s\n' "$FIXTURES" | awk -F'|' '$2=="review"{n+=2} $2=="registered"||$2=="rejected"{n++} END{print n}')
plan $((1 + n_fix * 3 + 3 + n_letters + 2 + 1 + n_replies * 8 + 2))

make_instance

q() { printf '%s' "$1" | sed "s/'/''/g"; }
rows() { sql "SELECT count(*) FROM messages"; }

# The outcome of Message-ID $1 as `mr messages --json` reports it (all rows, comma-separated).
state_of() {
	mr messages --json | python3 -c '
import json, sys
mid = sys.argv[1]
print(",".join(m["state"] for m in json.load(sys.stdin) if m["message_id"] == mid))' "$1"
}

# Replies queued for the inbound message(s) with Message-ID $1: "kind>rcpt,..."
replies_of() {
	sql "SELECT coalesce(group_concat(o.kind || '>' || o.rcpt, ','), '') FROM outbox o
	     JOIN messages m ON m.id = o.inbound_id WHERE m.message_id = '$(q "$1")' AND m.state <> 'duplicate'
	     ORDER BY o.id"
}

missing=0
for f in $(printf '%s\n' "$FIXTURES" | cut -d'|' -f1); do
	[ -f "$P/$f.eml" ] || missing=$((missing + 1))
done
is "$missing" 0 "all $n_fix fixtures exist in tests/data/pipeline"

printf '%s\n' "$FIXTURES" | while IFS='|' read -r name want mid addr; do
	before=$(rows)
	out=$(mr ingest "$P/$name.eml" 2>"$T/err")
	rc=$?
	after=$(rows)
	word=$(printf '%s\n' "$out" | awk 'NR==1{print $1}')
	is "$rc $((after - before)) $word" "0 1 $want" "$name: ingest exits 0, records one row, prints '$want'"
	is "$(state_of "$mid")" "$want" "$name: messages --json state is $want"
	case $want in
	registered) expect="confirmation>$addr" ;;
	rejected) expect="rejection>$addr" ;;
	review) expect="review>$addr,staff>$STAFF" ;;
	*) expect="" ;;
	esac
	is "$(replies_of "$mid")" "$expect" "$name: replies queued: ${expect:-none}"
done >"$T/loop.tap"
# the loop ran in a subshell (pipe): replay its lines through ok() to count them
while IFS= read -r line; do
	case $line in
	"ok "*) ok 0 "${line#ok [0-9]* - }" ;;
	"not ok "*) ok 1 "${line#not ok [0-9]* - }" ;;
	*) echo "$line" ;;
	esac
done <"$T/loop.tap"

# The same file again: duplicate, no reply.
out=$(mr ingest "$P/valid-8bit.eml" 2>/dev/null)
is "$? $(printf '%s\n' "$out" | awk '{print $1}')" "0 duplicate" "valid-8bit again: ingest prints duplicate"
is "$(state_of 20140217091244.4417@mops-katowice.example.pl)" "registered,duplicate" \
	"valid-8bit again: a second row in state duplicate, the first unchanged"
is "$(sql "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.inbound_id WHERE m.state IN ('duplicate','ignored')")" 0 \
	"duplicate and ignored messages queue no reply"

# Polish letters as stored for the applicant.
printf '%s\n' "$LETTERS" | while IFS='|' read -r name first last inst powiat; do
	mid=$(printf '%s\n' "$FIXTURES" | awk -F'|' -v n="$name" '$1==n{print $3}')
	got=$(sql "SELECT a.first_name || '|' || a.last_name || '|' || a.institution || '|' || a.powiat
	           FROM applicants a JOIN messages m ON m.applicant_id = a.id WHERE m.message_id = '$(q "$mid")'")
	is "$got" "$first|$last|$inst|$powiat" "$name: stored applicant has the Polish letters intact"
done >"$T/loop.tap"
while IFS= read -r line; do
	case $line in
	"ok "*) ok 0 "${line#ok [0-9]* - }" ;;
	"not ok "*) ok 1 "${line#not ok [0-9]* - }" ;;
	*) echo "$line" ;;
	esac
done <"$T/loop.tap"

is "$(rows)" $((n_fix + 1)) "messages: one row per ingested file ($n_fix fixtures + 1 duplicate)"
is "$(sql "SELECT count(*) FROM applicants")" 11 \
	"applicants: 11 (12 registered forms; the resubmission updates its applicant)"

mr send >"$T/send.out" 2>&1
is "$?" 0 "send exits 0"

# Every expected reply, found in $T/outgoing and checked header by header.
# Output: one "0|1<TAB>description<TAB>diagnostic" line per assertion.
printf '%s\n' "$FIXTURES" >"$T/fixtures"
python3 - "$T/outgoing" "$T/var/mailreg.db" "$P" "$STAFF" "$T/fixtures" >"$T/replies.tsv" <<'EOF'
import email, email.policy, glob, re, sqlite3, sys

outdir, dbpath, fixdir, staff, fixtures = sys.argv[1:6]
db = sqlite3.connect(dbpath)
CODE = re.compile(r"\bZG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")
SUBJECTS = {
    "confirmation": "Potwierdzenie zgłoszenia – program szkoleniowy ROPS Katowice",
    "rejection": "Formularz zgłoszeniowy wymaga poprawek",
    "review": "Otrzymaliśmy Państwa wiadomość",
}
# the field labels each rejection must name, as „label”
PROBLEMS = {
    "reject-no-lastname": ["Nazwisko"],
    "reject-powiat-warszawa": ["Powiat", "Warszawa"],
    "reject-no-support": ["Spotkanie informacyjne", "Warsztaty i wizyta studyjna", "Doradztwo",
                          "Szkolenie uzupełniające"],
    "reject-no-consent": ["Wyrażam zgodę na przetwarzanie moich danych osobowych"],
    "reject-bad-email": ["Adres e-mail", "marek.nowak(at)ops-tychy"],
    "inject-from-name": ["Wyrażam zgodę na przetwarzanie moich danych osobowych"],
}

mails = []
for path in sorted(glob.glob(outdir + "/*.eml")):
    with open(path, "rb") as f:
        raw = f.read()
    mails.append((path, raw, email.message_from_bytes(raw, policy=email.policy.default)))

def out(ok, desc, diag=""):
    print("%d\t%s\t%s" % (0 if ok else 1, desc, str(diag).replace("\n", "\\n").replace("\t", " ")[:300]))

def inbound_subject(fixture):
    with open("%s/%s.eml" % (fixdir, fixture), "rb") as f:
        m = email.message_from_bytes(f.read(), policy=email.policy.default)
    return " ".join(str(m["Subject"]).replace("\r", " ").replace("\n", " ").split())

for line in open(fixtures, encoding="utf-8").read().splitlines():
    name, want, mid, addr = line.split("|")
    kinds = {"registered": ["confirmation"], "rejected": ["rejection"],
             "review": ["review", "staff"]}.get(want, [])
    for kind in kinds:
        label = "%s %s" % (name, kind)
        if kind == "staff":
            row = db.execute("SELECT id FROM messages WHERE message_id = ?", (mid,)).fetchone()
            found = [m for m in mails if str(m[2]["To"]).endswith(staff) and row
                     and str(m[2]["Message-ID"]).startswith("<review-%d-" % row[0])]
            rcpt = staff
        else:
            found = [m for m in mails if m[2]["In-Reply-To"] == "<%s>" % mid]
            rcpt = addr
        out(len(found) == 1, label + ": exactly one .eml in outgoing", "found %d" % len(found))
        if not found:
            for _ in range(7):
                out(False, label + ": (no mail to check)")
            continue
        path, raw, m = found[0]
        to = m["To"].addresses if m["To"] is not None else ()
        out(len(to) == 1 and to[0].addr_spec == rcpt, label + ": To is exactly " + rcpt,
            [a.addr_spec for a in to])
        subject = str(m["Subject"])
        want_subject = SUBJECTS.get(kind) or \
            "[mailreg] Wiadomość do sprawdzenia: " + " ".join(inbound_subject(name).split())
        # the staff notice folds control characters of the inbound subject to spaces
        # and names the item by its row id
        if kind == "staff":
            row = db.execute("SELECT id FROM messages WHERE message_id = ?", (mid,)).fetchone()
            want_subject = want_subject.replace("sprawdzenia:", "sprawdzenia nr %s:" % (row[0] if row else "?"), 1)
        out(" ".join(subject.split()) == " ".join(want_subject.split()),
            label + ": decoded Subject", "%r != %r" % (subject, want_subject))
        if kind == "staff":
            out(m["In-Reply-To"] is None, label + ": no In-Reply-To (not a reply)", m["In-Reply-To"])
        else:
            out(m["In-Reply-To"] == "<%s>" % mid and "<%s>" % mid in str(m["References"]),
                label + ": In-Reply-To and References carry the applicant's Message-ID",
                (m["In-Reply-To"], m["References"]))
        out(m["Auto-Submitted"] == "auto-replied", label + ": Auto-Submitted: auto-replied",
            m["Auto-Submitted"])
        # a confirmation for a dated event carries its calendar invitation:
        # multipart/mixed of the text/plain body and a text/calendar attachment
        parts = [p.get_content_type() for p in m.walk() if not p.is_multipart()]
        body_part = m.get_body(("plain",))
        out(body_part is not None and body_part.get_content_charset() == "utf-8" and
            (m.get_content_type() == "text/plain" or
             (kind == "confirmation" and m.get_content_type() == "multipart/mixed" and
              parts == ["text/plain", "text/calendar"]) or
             (kind == "staff" and m.get_content_type() == "multipart/mixed" and
              [p.get_content_type() for p in m.iter_parts()] == ["text/plain", "message/rfc822"])),
            label + ": Content-Type text/plain; charset=utf-8 (+ text/calendar for a confirmation,"
            " + the message/rfc822 for a staff notice)",
            m["Content-Type"])
        head = raw.split(b"\n\n", 1)[0]
        bcc = [l for l in head.split(b"\n") if l.lower().startswith(b"bcc") or l.lower().startswith(b"cc:")]
        out(not bcc and "Bcc" not in m and "Cc" not in m, label + ": no Bcc/Cc header", bcc)
        body = m.get_body().get_content()
        if kind == "confirmation":
            codes = sorted(set(CODE.findall(body)))
            stored = sorted(r[0] for r in db.execute(
                "SELECT r.code FROM registrations r JOIN messages m ON m.applicant_id = r.applicant_id"
                " WHERE m.message_id = ? AND m.state = 'registered' AND r.message_id <= m.id", (mid,)))
            out(codes and codes == stored, label + ": body lists the registration codes ZG-XXXX-XXXX stored",
                "body %s, db %s" % (codes, stored))
        elif kind == "rejection":
            numbered = [l for l in body.splitlines() if re.match(r"^\d+\. ", l)]
            missing = [w for w in PROBLEMS[name] if not any("„%s”" % w in l for l in numbered)]
            out(numbered and not missing, label + ": body lists each problem naming the field in Polish",
                "missing %s in %s" % (missing, numbered))
        elif kind == "review":
            out("(„%s”)" % inbound_subject(name) in " ".join(body.split()),
                label + ": body quotes the inbound subject", body[:200])
        else:
            # the reason in Polish (no English, no server path), the notice's token in its Message-ID
            reason = db.execute("SELECT reason FROM messages WHERE message_id = ?", (mid,)).fetchone()[0]
            row = db.execute("SELECT id FROM messages WHERE message_id = ?", (mid,)).fetchone()[0]
            out(re.search(r"^Powód:   \S.*[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ].*\.$", body, re.M) and reason not in body and
                "/spool/" not in body and
                re.match(r"^<review-%d-[0-9a-f]{64}@rops\.example\.pl>$" % row, m["Message-ID"].strip()),
                label + ": notice gives the reason in Polish, no server path, a token in its Message-ID",
                (m["Message-ID"], body[:300]))
EOF

lines=$(wc -l <"$T/replies.tsv")
is "$lines" $((n_replies * 8)) "reply checks produced ($n_replies replies x 8)"
while IFS="$(printf '\t')" read -r st desc diag; do
	ok "$st" "$desc"
	[ "$st" -eq 0 ] || echo "#   $diag"
done <"$T/replies.tsv"

is "$(ls "$T/outgoing" | wc -l | tr -d ' ')" "$n_replies" "outgoing holds exactly $n_replies mails, nothing for ignored/duplicate"

done_testing

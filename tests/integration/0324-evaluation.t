#!/bin/sh
# 0324-evaluation: a day ([programme] evaluation_delay) after an event's last
# session, `remind` asks each participant marked present, once, to rate it
# 1-5 by reply.  Replies - found by References or by the registration code,
# in UTF-8, ISO-8859-2 quoted-printable and windows-1250 - are recorded as a
# rating and a comment, never read as a form; a number outside 1-5 is asked
# again once; `evaluation EVENT --json` sums them up.
. "$(dirname "$0")/lib.sh"

plan 17

P=$DATA/programme
make_instance
mr catalog import "$ROOT/etc/catalog.ini" >/dev/null 2>&1
mr ingest "$P"/info-0[1-5].eml >/dev/null 2>&1
code() { sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	JOIN events e ON e.id = r.event_id WHERE a.email LIKE 'uczestnik$1@mops%' AND e.code = 'INFO-CEN'"; }
c1=$(code 01); c2=$(code 02); c3=$(code 03); c4=$(code 04); c5=$(code 05)
asked() { sql "SELECT count(*) FROM outbox WHERE kind = 'evaluation'"; }
mr attendance INFO-CEN --present "$c1" "$c2" "$c3" "$c4" >/dev/null 2>&1 &&
	mr attendance INFO-CEN --absent "$c5" >/dev/null 2>&1
is "$?" 0 "four present, one absent at the meeting of 6 March 2014, 10:00-14:00"

# The moment: the session ended 2014-03-06T14:00; a day later is due.
mr remind --now 2014-03-07T13:59 >/dev/null 2>&1
is "$(asked)" 0 "23 h 59 min after the end: nobody asked yet"
out=$(mr remind --now 2014-03-07T14:00 2>/dev/null)
like "$out" "evaluation requests: 4 queued, 0 missed" "a day after the end: the four present asked"
MAILREG_NOW=2014-03-08T09:00 mr remind >/dev/null 2>&1
mr remind --now 2014-03-08T10:00 >/dev/null 2>&1
is "$(asked)" 4 "asked once: later passes (MAILREG_NOW, --now) queue nothing more"
is "$(sql "SELECT rcpt FROM outbox WHERE kind = 'evaluation' ORDER BY rcpt" | sed 's/@.*//' | tr '\n' ' ')" \
	"uczestnik01 uczestnik02 uczestnik03 uczestnik04 " "not the absent one"
like "$(sql "SELECT subject FROM outbox WHERE kind = 'evaluation' AND rcpt LIKE 'uczestnik01@%'")" \
	"^Prosimy o ocenę: Spotkanie informacyjne – subregion centralny \\($c1\\)$" "Polish subject naming the code"

regs=$(sql "SELECT count(*) FROM registrations")
req1=$(sql "SELECT v.request_id FROM evaluations v JOIN registrations r ON r.id = v.registration_id WHERE r.code = '$c1'")
hdr() { printf 'From: Uczestnik <uczestnik%s@mops-katowice.example.pl>\nTo: rejestracja@rops.example.pl\nSubject: %s\nMessage-ID: <ev-%s.%s@mops-katowice.example.pl>\nDate: Sat, 08 Mar 2014 08:00:00 +0100\nMIME-Version: 1.0\n' "$1" "$2" "$3" "$1"; }
# 01: UTF-8, no code at all: found by References (In-Reply-To) alone.
{ hdr 01 "Re: ankieta" a; printf 'In-Reply-To: <%s>\nReferences: <%s>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n5\nBardzo przydatne spotkanie, dziękuję.\n\n> Prosimy o ocenę spotkania\n> 1 (źle) do 5\n' "$req1" "$req1"; } >"$T/r1.eml"
# 02: ISO-8859-2 quoted-printable, the code in the subject.
{ hdr 02 "Re: Prosimy o ocene ($c2)" b; printf 'Content-Type: text/plain; charset=iso-8859-2\nContent-Transfer-Encoding: quoted-printable\n\n'
  printf 'Ocena: 4\nDu\277o wiedzy, ma\263o czasu.\n' | python3 -c 'import sys, quopri; sys.stdout.write(quopri.encodestring(sys.stdin.buffer.read()).decode())'; } >"$T/r2.eml"
# 03: windows-1250 8bit, the code in the text.
{ hdr 03 "ocena" c; printf 'Content-Type: text/plain; charset=windows-1250\nContent-Transfer-Encoding: 8bit\n\n3\nSala za ma\263a, ale prowadz\271cy \234wietni.\nKod: %s\n' "$c3"; } >"$T/r3.eml"
# 04: a rating outside the scale, then a valid one.
{ hdr 04 "Re: Prosimy o ocene ($c4)" d; printf 'Content-Type: text/plain; charset=utf-8\n\n7\n'; } >"$T/r4.eml"
{ hdr 04 "Re: Ocena spotkania ($c4)" e; printf 'Content-Type: text/plain; charset=utf-8\n\n2\n'; } >"$T/r5.eml"
# 02 again: no rating, only words - a comment.
{ hdr 02 "Re: Prosimy o ocene ($c2)" f; printf 'Content-Type: text/plain; charset=utf-8\n\nProszę o materiały ze spotkania.\n'; } >"$T/r6.eml"

MAILREG_NOW=2014-03-08T09:00 mr ingest "$T/r1.eml" "$T/r2.eml" "$T/r3.eml" >/dev/null 2>&1
is "$(sql "SELECT reason FROM messages WHERE message_id LIKE 'ev-%' ORDER BY id" | tr '\n' '|')" \
	"evaluation: $c1 rating 5|evaluation: $c2 rating 4|evaluation: $c3 rating 3|" \
	"UTF-8 by References, ISO-8859-2 and windows-1250 by code: each rating recorded"
MAILREG_NOW=2014-03-08T09:00 mr ingest "$T/r4.eml" >/dev/null 2>&1
is "$(asked) $(sql "SELECT subject FROM outbox WHERE kind = 'evaluation' ORDER BY id DESC LIMIT 1")" \
	"5 Ocena spotkania: Spotkanie informacyjne – subregion centralny ($c4)" "7 is outside 1-5: asked again, once"
MAILREG_NOW=2014-03-08T09:00 mr ingest "$T/r5.eml" "$T/r6.eml" >/dev/null 2>&1
is "$(asked)" 5 "the answers to that ask nothing more"
is "$(sql "SELECT count(*) FROM registrations") $(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'ev-%' AND reason LIKE 'evaluation: %'")" \
	"$regs 6" "six replies recorded as evaluations, not one became a registration"
like "$(sql "SELECT reason FROM messages WHERE message_id LIKE 'ev-f.%'")" "^evaluation: $c2 comment$" \
	"words without a rating: a comment"

json=$(mr evaluation INFO-CEN --json)
is "$?" 0 "evaluation --json exits 0"
is "$(printf "%s\n" "$json" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(d["asked"], d["answered"], d["rated"], " ".join("%s:%d" % (k, d["ratings"][k]) for k in sorted(d["ratings"])), d["mean"])')" \
	"4 4 4 1:0 2:1 3:1 4:1 5:1 3.5" "summary: 4 asked and answered, ratings 2 3 4 5, mean 3.5"
is "$(printf "%s\n" "$json" | python3 -c 'import json, sys
for a in json.load(sys.stdin)["answers"]: print(a["code"][-4:], a["rating"], repr(a["comment"]))' | cut -d' ' -f2-)" \
"5 'Bardzo przydatne spotkanie, dziękuję.'
4 'Dużo wiedzy, mało czasu.\\nProszę o materiały ze spotkania.'
3 'Sala za mała, ale prowadzący świetni.\\nKod: $c3'
2 None" "each answer's rating and comment, Polish letters decoded from every charset"
like "$(mr evaluation INFO-CEN)" "zapytanych: 4, odpowiedzi: 4, ocen: 4, średnia: 3.50" "the text summary"
MAILREG_NOW=2014-03-08T20:00 mr digest >/dev/null 2>&1
like "$(python3 - "$T/var/mailreg.db" <<'PY'
import email, email.policy, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
raw, = db.execute("SELECT b.raw FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id"
                  " WHERE o.kind = 'digest' ORDER BY o.id DESC LIMIT 1").fetchone()
print(email.message_from_bytes(raw, policy=email.policy.default).get_content())
PY
)" "INFO-CEN – Spotkanie informacyjne – subregion centralny: 4 odp., średnia ocena 3.50 \\(ocen: 4\\)" \
	"the daily digest mentions the new evaluation answers"
err=$(mr evaluation INFO-NOWHERE 2>&1 >/dev/null)
like "$? $err" "^65 .*no event INFO-NOWHERE" "an unknown event: exit 65, named"

done_testing

#!/bin/sh
# 0323-certificates: `certificates EVENT` queues a PDF certificate of
# attendance to each confirmed participant marked present, once across
# re-runs (each run its own process); the absent, the cancelled and those
# without a mark get none.  The mail goes out over SMTP to a real receiver and
# the PDF it carries reads back with pdftotext: the name, the event, the
# hours.  --resend CODE sends one again (same number); an unknown event or
# code, or a code without attendance, is an error naming it (65), nothing queued.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

plan 17

command -v pdftotext >/dev/null || skip_all "pdftotext (poppler-utils) not installed"
P=$DATA/programme
make_instance
smtp_start
smtp_config
mr catalog import "$ROOT/etc/catalog.ini" >/dev/null 2>&1
mr ingest "$P/info-01.eml" "$P/info-02.eml" "$P/info-03.eml" "$P/info-04.eml" >/dev/null 2>&1
code() { sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	JOIN events e ON e.id = r.event_id WHERE a.email LIKE '$1%' AND e.kind = 'info_meeting'"; }
c1=$(code uczestnik01@mops)
c2=$(code uczestnik02@mops)
c3=$(code uczestnik03@mops)
c4=$(code uczestnik04@mops)
certs() { sql "SELECT count(*) FROM outbox WHERE kind = 'certificate'"; }

mr attendance INFO-CEN --present "$c1" "$c2" "$c4" >/dev/null 2>&1 &&
	mr attendance INFO-CEN --absent "$c3" >/dev/null 2>&1 && mr cancel "$c4" >/dev/null 2>&1
is "$?" 0 "three marked present (one cancelled afterwards), one absent"
out=$(mr certificates INFO-CEN 2>/dev/null)
is "$?" 0 "certificates exits 0"
like "$out" "zaświadczenia w kolejce – 2" "two queued: the present and confirmed"
is "$(sql "SELECT rcpt FROM outbox WHERE kind = 'certificate' ORDER BY rcpt" | tr '\n' ' ')" \
	"uczestnik01@mops-katowice.example.pl uczestnik02@mops-katowice.example.pl " \
	"to the two present: not the absent, not the cancelled"
mr certificates INFO-CEN >/dev/null 2>&1
mr certificates INFO-CEN >/dev/null 2>&1
is "$(certs)" 2 "run again twice (new processes): nothing more queued"
is "$(sql "SELECT count(DISTINCT number) || ' ' || min(hours) FROM certificates")" "2 4" \
	"two certificates with distinct numbers, 4 hours each"

mr send >/dev/null 2>&1
is "$(grep -l '^Content-Type: application/pdf' "$RX"/*.eml | wc -l)" 2 "the SMTP receiver got both mails with a PDF"
# Each received mail: its PDF attachment through pdftotext -> "NAME|TITLE|HOURS-LINE|NUMBER" per mail.
pdfs=$("$PY" - "$RX" "$T" <<'PY'
import email, email.policy, os, subprocess, sys, re
d, t = sys.argv[1], sys.argv[2]
out = []
for n in sorted(os.listdir(d)):
    if not n.endswith(".eml"):
        continue
    m = email.message_from_binary_file(open(os.path.join(d, n), "rb"), policy=email.policy.default)
    parts = [p for p in m.iter_attachments() if p.get_content_type() == "application/pdf"]
    if not parts:
        continue
    if len(parts) != 1:
        out.append("pdfs in " + n); continue
    pdf = os.path.join(t, n + ".pdf")
    open(pdf, "wb").write(parts[0].get_content())
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, check=True).stdout.decode()
    lines = [re.sub(r"\s+", " ", l).strip() for l in text.splitlines() if l.strip()]
    name = [l for l in lines if l in ("Barbara Kowalska", "Celina Wiśniewska")]
    title = [l for l in lines if l == "Spotkanie informacyjne – subregion centralny"]
    hours = [l for l in lines if l == "w wymiarze 4 godz."]
    number = [l for l in lines if l.startswith("Nr zaświadczenia: INFO-CEN/")]
    out.append("|".join([name[0] if name else "?", "T" if title else "?", "H" if hours else "?",
                         "N" if number else "?"]))
print(" ".join(sorted(out)))
PY
)
is "$pdfs" "Barbara Kowalska|T|H|N Celina Wiśniewska|T|H|N" \
	"each PDF reads back: the name, the event and the hours exactly, a certificate number"
like "$(for f in "$T"/*.eml.pdf; do pdfinfo "$f" | grep '^Pages:'; done | sort -u)" "^Pages: +1$" "one page each, opened by poppler"

# --resend: the same certificate once more, for that one registration.
mr certificates INFO-CEN --resend "$c1" >/dev/null 2>&1
is "$(certs) $(sql "SELECT queued FROM certificates c JOIN registrations r ON r.id = c.registration_id WHERE r.code = '$c1'")" \
	"3 2" "--resend queues it again for that one"

err=$(mr certificates INFO-CEN --resend "$c3" 2>&1 >/dev/null)
like "$? $err" "^65 .*$c3 has no recorded attendance at INFO-CEN" "absent: refused with the reason, exit 65"
err=$(mr certificates INFO-CEN --resend "$c4" 2>&1 >/dev/null)
like "$? $err" "^65 .*$c4 is cancelled" "cancelled: refused, exit 65"
err=$(mr certificates INFO-CEN --resend ZG-AAAA-BBBB 2>&1 >/dev/null)
like "$? $err" "^65 .*no registration ZG-AAAA-BBBB" "an unknown code: exit 65, named"
err=$(mr certificates INFO-NOWHERE 2>&1 >/dev/null)
like "$? $err" "^65 .*no event INFO-NOWHERE" "an unknown event: exit 65, named"
is "$(certs) $(sql "SELECT count(*) FROM certificates")" "3 2" "the refused commands changed nothing"
mr certificates >/dev/null 2>&1
is "$?" 64 "no event: usage, 64"
is "$(sql "SELECT count(*) FROM audit WHERE action LIKE 'certificates.%'")" 4 "each run that queued or checked is audited"

done_testing

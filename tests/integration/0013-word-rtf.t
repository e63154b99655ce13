#!/bin/sh
# Forms as offices make them: Word 97 .doc and RTF saved by LibreOffice and in
# Word 2003's own RTF (tests/data/word, made by make-office-fixtures.sh), with
# legacy form fields, tables and paragraphs, each registered with exactly the
# fields written in it; an unticked consent is rejected with that one problem;
# a consent box whose label is the whole legal clause is registered in DOCX,
# ODT, printed PDF and HTML; a checkbox the reader cannot see goes to review,
# never back as "not ticked"; a .zip holding a stored DOCX is read through it;
# a fillable PDF whose fields are named by the form's keys is registered.
. "$(dirname "$0")/lib.sh"
plan 55

make_instance
B=$T/mail
mkdir -p "$B"
python3 - "$ROOT" "$B" <<'PY'
import io, os, sys, zipfile
from email.message import EmailMessage
from email import policy
root, out = sys.argv[1], sys.argv[2]
word = os.path.join(root, "tests/data/word")
def read(name): return open(os.path.join(word, name), "rb").read()

def msg(name, body="Dzień dobry,\nw załączniku formularz.\n"):
    m = EmailMessage(policy=policy.SMTP)
    m["From"] = f"Nadawca {name} <{name}@nadawca.example.pl>"
    m["To"] = "rejestracja@rops.example.pl"
    m["Subject"] = f"Zgłoszenie ({name})"
    m["Message-ID"] = f"<{name}@word.example.pl>"
    m["Date"] = "Mon, 03 Feb 2014 09:00:00 +0100"
    m.set_content(body)
    return m

def save(name, m):
    open(os.path.join(out, name + ".eml"), "wb").write(m.as_bytes())

def attach(name, fname, ctype, filename=None):
    m = msg(name)
    maintype, subtype = ctype.split("/")
    m.add_attachment(read(fname), maintype=maintype, subtype=subtype, filename=filename or fname)
    save(name, m)

attach("doc-fields", "lo-fields.doc", "application/msword", "formularz.doc")
attach("doc-table", "lo-table.doc", "application/msword", "formularz.doc")
attach("doc-paragraphs", "lo-paragraphs.doc", "application/octet-stream", "formularz.doc")
attach("doc-unticked", "lo-consent-unticked.doc", "application/msword", "formularz.doc")
attach("rtf-table", "lo-table.rtf", "application/rtf", "formularz.rtf")
attach("rtf-paragraphs", "lo-paragraphs.rtf", "text/rtf", "formularz.rtf")
attach("rtf-word", "word-fields.rtf", "application/octet-stream", "formularz.rtf")
attach("rtf-defaults", "word-defaults.rtf", "application/rtf", "formularz.rtf")
attach("rtf-unticked", "word-consent-unticked.rtf", "application/rtf", "formularz.rtf")
attach("rtf-nomarks", "lo-fields.rtf", "application/rtf", "formularz.rtf")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
attach("clause-docx", "form-table.docx", DOCX, "formularz.docx")
attach("clause-docx-fields", "form-fields.docx", DOCX, "formularz.docx")
attach("clause-odt", "lo-table.odt", "application/vnd.oasis.opendocument.text", "formularz.odt")
attach("clause-pdf", "lo-table.pdf", "application/pdf", "formularz.pdf")
attach("clause-pdf-text", "lo-paragraphs.pdf", "application/pdf", "formularz.pdf")
# a fillable PDF whose fields are named by the form's keys, two by tooltip
attach("acroform-keys", "fillable-keys.pdf", "application/pdf", "formularz.pdf")
# an HTML body as webmail sends it: the clause in the label cell of a table
CONSENT = ("Wyrażam zgodę na przetwarzanie moich danych osobowych zawartych w formularzu "
           "zgłoszeniowym dla potrzeb niezbędnych do realizacji projektu (zgodnie z ustawą z dnia "
           "29 sierpnia 1997 r. o ochronie danych osobowych, Dz. U. z 2002 r. Nr 101, poz. 926 "
           "z późn. zm.).")
rows = [("1. Imię:", "Anna"), ("2. Nazwisko (drukowanymi literami):", "Wiśniewska-Żak"),
        ("3. Adres e-mail:", "anna.wisniewska@ops.example.pl"), ("4. Telefon:", "32 123 45 67"),
        ("5. Nazwa instytucji (pełna):", "Ośrodek Pomocy Społecznej w Żorach"), ("6. Typ instytucji:", "OPS"),
        ("7. Powiat:", "Żory"), ("8. Temat doradztwa:", "2"), ("Warsztaty i wizyta studyjna", "X"),
        ("Doradztwo", "X"), (CONSENT, "X")]
html = "<html><body><table>" + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows) + \
       "</table></body></html>"
m = msg("clause-html")
m.set_content(html, subtype="html")
save("clause-html", m)
# a .zip holding a DOCX stored, not deflated: its name shows in the archive's bytes
z = io.BytesIO()
with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as f:
    f.writestr("formularz.docx", read("form-table.docx"))
m = msg("zip-stored")
m.add_attachment(z.getvalue(), maintype="application", subtype="zip", filename="formularze.zip")
save("zip-stored", m)
PY

mr ingest "$B" >"$T/out" 2>"$T/err"
is $? 0 "ingest exits 0"

state() { sql "SELECT state FROM messages WHERE message_id = '$1@word.example.pl'"; }
reason() { sql "SELECT reason FROM messages WHERE message_id = '$1@word.example.pl'"; }
part() { sql "SELECT form_part FROM messages WHERE message_id = '$1@word.example.pl'"; }
fields() {
	sql "SELECT a.first_name || '|' || a.last_name || '|' || a.email || '|' || a.institution || '|' || a.powiat || '|' || a.subregion || '|' || coalesce(a.consulting_topic, '') || '|' || coalesce(a.phone, '') FROM messages m JOIN applicants a ON a.id = m.applicant_id WHERE m.message_id = '$1@word.example.pl'"
}
want="Anna|Wiśniewska-Żak|anna.wisniewska@ops.example.pl|Ośrodek Pomocy Społecznej w Żorach|Żory|zachodni|2|32 123 45 67"

for case in "doc-fields|attachment formularz.doc (doc)" \
            "doc-table|attachment formularz.doc (doc)" \
            "doc-paragraphs|attachment formularz.doc (doc)" \
            "rtf-table|attachment formularz.rtf (rtf)" \
            "rtf-paragraphs|attachment formularz.rtf (rtf)" \
            "rtf-word|attachment formularz.rtf (rtf)" \
            "rtf-defaults|attachment formularz.rtf (rtf)" \
            "clause-docx|attachment formularz.docx (docx)" \
            "clause-docx-fields|attachment formularz.docx (docx)" \
            "clause-odt|attachment formularz.odt (odt)" \
            "clause-pdf|attachment formularz.pdf (pdf)" \
            "clause-pdf-text|attachment formularz.pdf (pdf)" \
            "clause-html|body (html)" \
            "zip-stored|attachment formularze.zip: formularz.docx (docx)" \
            "acroform-keys|attachment formularz.pdf (pdf)"; do
	name=${case%%|*}
	where=${case#*|}
	is "$(state "$name")" registered "$name: registered"
	is "$(part "$name")" "$where" "$name: read from its format"
	is "$(fields "$name")" "$want" "$name: exactly the fields written in the form"
done
# the boxes ticked in the forms: workshops and consulting, not the others
is "$(sql "SELECT count(*) FROM registrations r JOIN applicants a ON a.id = r.applicant_id JOIN messages m ON m.applicant_id = a.id WHERE m.message_id = 'doc-fields@word.example.pl'")" \
   "$(sql "SELECT count(*) FROM registrations r JOIN applicants a ON a.id = r.applicant_id JOIN messages m ON m.applicant_id = a.id WHERE m.message_id = 'rtf-word@word.example.pl'")" \
   "a .doc and an RTF with the same ticks register for the same events"

consent="Wymagana jest zgoda na przetwarzanie danych osobowych („Wyrażam zgodę na przetwarzanie moich danych osobowych”)."
for name in doc-unticked rtf-unticked; do
	is "$(state "$name")" rejected "$name: an unticked consent is rejected"
	is "$(reason "$name")" "$consent" "$name: with exactly that one problem"
done

# LibreOffice's RTF keeps no checkbox state: the boxes cannot be seen, so staff look
is "$(state rtf-nomarks)" review "checkboxes without a state: review, not rejected"
like "$(reason rtf-nomarks)" "^no support box .* found in the form; required box \"Wyrażam zgodę na przetwarzanie moich danych osobowych\" not found in the form$" \
     "the reason names the boxes not found"
mr send >/dev/null 2>&1
reply=$(grep -l "^To: .*rtf-nomarks@nadawca.example.pl" "$T/outgoing"/*.eml | head -n 1)
body=$(python3 -c 'import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_content())' "$reply")
unlike_consent=$(printf '%s' "$body" | grep -c "Wymagana jest zgoda" || true)
is "$unlike_consent" 0 "the applicant is not told the consent is missing"

is "$(sql "SELECT count(*) FROM messages")" 18 "18 messages, 18 rows"
done_testing

#!/bin/sh
# Every form format through the whole pipeline: DOCX, ODT, fillable and printed
# PDF, HTML body, a ZIP of a DOCX, a forwarded message inside a forwarded
# message, application/octet-stream recognised by content - each registered with
# exactly the fields written in it; unreadable attachments (.doc, a scan, an
# encrypted PDF, a ZIP bomb) end in review with a reason staff can read, and the
# applicant is told which formats are accepted.
. "$(dirname "$0")/lib.sh"
plan 43

make_instance
B=$T/mail
mkdir -p "$B"
python3 - "$ROOT" "$B" <<'PY'
import io, os, sys, zipfile
from email.message import EmailMessage
from email import policy
root, out = sys.argv[1], sys.argv[2]
samples = os.path.join(root, "tests/bench/samples")
def read(*p): return open(os.path.join(root, *p), "rb").read()
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

def msg(name, addr, body="Dzień dobry,\nw załączniku formularz.\n"):
    m = EmailMessage(policy=policy.SMTP)
    m["From"] = f"Nadawca {name} <{addr}>"
    m["To"] = "rejestracja@rops.example.pl"
    m["Subject"] = f"Zgłoszenie ({name})"
    m["Message-ID"] = f"<{name}@formats.example.pl>"
    m["Date"] = "Mon, 03 Feb 2014 09:00:00 +0100"
    m.set_content(body)
    return m

def save(name, m):
    open(os.path.join(out, name + ".eml"), "wb").write(m.as_bytes())

def attach(name, data, ctype, filename, addr):
    m = msg(name, addr)
    maintype, subtype = ctype.split("/")
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    save(name, m)

# each sample carries the same applicant; the address makes each one distinct
def sample(fname, addr):
    return read("tests/bench/samples", fname).replace(b"anna.wisniewska@ops.example.pl", addr.encode())

attach("docx", read("tests/bench/samples/filled.docx"), DOCX, "formularz.docx", "docx@ops.example.pl")
attach("odt", read("tests/bench/samples/filled.odt"), "application/vnd.oasis.opendocument.text",
       "formularz.odt", "odt@ops.example.pl")
attach("pdf-fillable", read("tests/bench/samples/filled.pdf"), "application/pdf", "formularz.pdf",
       "pdf@ops.example.pl")
attach("pdf-printed", read("tests/bench/samples/printed.pdf"), "application/pdf", "wydruk.pdf",
       "printed@ops.example.pl")
# octet-stream with a name that says nothing: recognised by content
attach("octet-docx", read("tests/bench/samples/filled.docx"), "application/octet-stream",
       "skan0001", "octet@ops.example.pl")
# a .zip holding the DOCX (and a macOS resource fork to skip)
z = io.BytesIO()
with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
    f.writestr("formularze/formularz.docx", read("tests/bench/samples/filled.docx"))
    f.writestr("__MACOSX/formularze/._formularz.docx", b"\0\5\26\7")
attach("zip", z.getvalue(), "application/zip", "formularze.zip", "zip@ops.example.pl")
# HTML-only body (webmail)
m = msg("html", "html@ops.example.pl")
m.set_content(read("tests/bench/samples/filled.html").decode(), subtype="html")
save("html", m)
# a forwarded message inside a forwarded message, the form in the innermost body
inner = msg("inner", "inner@ops.example.pl", body=read("tests/bench/samples/filled.txt").decode())
middle = msg("middle", "middle@ops.example.pl", body="Przekazuję dalej.\n")
middle.add_attachment(inner)
outer = msg("nested-forward", "outer@ops.example.pl", body="Przesyłam zgłoszenie koleżanki.\n")
outer.add_attachment(middle)
save("nested-forward", outer)
# unreadable
attach("doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "application/msword",
       "formularz.doc", "doc@ops.example.pl")
attach("scan", b"\xff\xd8\xff\xe0\0\x10JFIF" + os.urandom(2048), "image/jpeg", "skan.jpg",
       "scan@ops.example.pl")
attach("encrypted", read("tests/data/pdf/encrypted.pdf"), "application/pdf", "formularz.pdf",
       "encrypted@ops.example.pl")
attach("bomb", read("tests/data/office/bomb.docx"), DOCX, "formularz.docx", "bomb@ops.example.pl")
attach("truncated-docx", read("tests/data/office/no-central-directory.docx"), DOCX,
       "formularz.docx", "truncated@ops.example.pl")
PY

mr ingest "$B" >"$T/out" 2>"$T/err"
is $? 0 "ingest of every format exits 0"

state() { sql "SELECT state FROM messages WHERE message_id = '$1@formats.example.pl'"; }
reason() { sql "SELECT reason FROM messages WHERE message_id = '$1@formats.example.pl'"; }
part() { sql "SELECT form_part FROM messages WHERE message_id = '$1@formats.example.pl'"; }
want_fields="Anna|Wiśniewska-Żak|Ośrodek Pomocy Społecznej w Żorach|OPS|Żory|zachodni|2|32 123 45 67"

for case in "docx|docx@ops.example.pl|attachment formularz.docx (docx)" \
            "odt|odt@ops.example.pl|attachment formularz.odt (odt)" \
            "pdf-fillable|pdf@ops.example.pl|attachment formularz.pdf (pdf)" \
            "pdf-printed|printed@ops.example.pl|attachment wydruk.pdf (pdf)" \
            "octet-docx|octet@ops.example.pl|attachment skan0001 (docx)" \
            "zip|zip@ops.example.pl|attachment formularze.zip: formularze/formularz.docx (docx)" \
            "html|html@ops.example.pl|body (html)"; do
	name=${case%%|*}
	rest=${case#*|}
	addr=${rest%%|*}
	where=${rest#*|}
	is "$(state "$name")" registered "$name: registered"
	is "$(part "$name")" "$where" "$name: the form's part and format are recorded"
	# the form's own e-mail field is the sample's address, not the sender's
	is "$(sql "SELECT a.email FROM messages m JOIN applicants a ON a.id = m.applicant_id WHERE m.message_id = '$name@formats.example.pl'")" \
	   anna.wisniewska@ops.example.pl "$name: the form's e-mail field identifies the applicant"
	is "$(sql "SELECT a.first_name || '|' || a.last_name || '|' || a.institution || '|' || coalesce(a.institution_type, '') || '|' || a.powiat || '|' || a.subregion || '|' || coalesce(a.consulting_topic, '') || '|' || coalesce(a.phone, '') FROM messages m JOIN applicants a ON a.id = m.applicant_id WHERE m.message_id = '$name@formats.example.pl'")" \
	   "$want_fields" "$name: exactly the fields written in the form"
done

is "$(state nested-forward)" registered "forwarded inside forwarded: registered"
is "$(sql "SELECT a.last_name FROM messages m JOIN applicants a ON a.id = m.applicant_id WHERE m.message_id = 'nested-forward@formats.example.pl'")" \
   "Wiśniewska-Żak" "forwarded inside forwarded: the innermost form read"

for case in "doc|not a Word document \\(damaged OLE2 container\\)" \
            "scan|image \\(\\.jpg\\), perhaps a scan" \
            "encrypted|encrypted PDF: cannot be read without a password" \
            "bomb|inflates beyond" \
            "truncated-docx|truncated ZIP archive"; do
	name=${case%%|*}
	want=${case#*|}
	is "$(state "$name")" review "$name: review"
	like "$(reason "$name")" "$want" "$name: the reason says why"
done

# the applicant of an unreadable form is told which formats are accepted
mr send >/dev/null 2>&1
reply=$(grep -l "^To: .*doc@ops.example.pl" "$T/outgoing"/*.eml | head -n 1)
body=$(python3 -c 'import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_content())' "$reply")
like "$body" "DOCX, DOC, ODT, RTF lub PDF" "review reply names the accepted formats"

is "$(sql "SELECT count(*) FROM messages")" 13 "13 messages, 13 rows"
done_testing

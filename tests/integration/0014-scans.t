#!/bin/sh
# 0014-scans: scans and photos of the printed form (tests/data/scans, made by
# tests/bench/make-scans.py: LibreOffice's print of the filled form, pdftoppm at
# 300 and 200 dpi, a phone-like photo by ImageMagick, and a scanner's PDF of
# images) are read by OCR and go to review with every field pre-filled and a
# confidence per field, in `review --json` and in the staff notice; with
# [ocr] auto_register a good 300 dpi scan is registered; a pixel bomb ends in
# review with a reason, before it is decoded.
. "$(dirname "$0")/lib.sh"
# one OpenMP thread per OCR, as systemd/mailreg.service sets: CPU time, not spinning
export OMP_THREAD_LIMIT=1
plan 23

make_instance
S=$DATA/scans
B=$T/mail
mkdir -p "$B"
python3 - "$S" "$B" <<'PY'
import json, os, struct, sys, zlib
from email.message import EmailMessage
from email import policy
scans, out = sys.argv[1], sys.argv[2]

def mail(name, sender, data, ctype, filename):
    m = EmailMessage(policy=policy.SMTP)
    m["From"] = f"Zgłaszający <{sender}>"
    m["To"] = "rejestracja@rops.example.pl"
    m["Subject"] = f"Zgłoszenie ({name})"
    m["Message-ID"] = f"<{name}@scans.example.pl>"
    m["Date"] = "Mon, 03 Feb 2014 09:00:00 +0100"
    m.set_content("Dzień dobry,\nw załączniku skan formularza.\n")
    maintype, subtype = ctype.split("/")
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    open(os.path.join(out, name + ".eml"), "wb").write(m.as_bytes())

def person(who):
    return json.load(open(os.path.join(scans, who + ".json"), encoding="utf-8"))

for name, who, file, ctype in [("s300", "krawczyk", "krawczyk-300.png", "image/png"),
                               ("s200", "szymanski", "szymanski-200.png", "image/png"),
                               ("phone", "wozniak", "wozniak-phone.jpg", "image/jpeg"),
                               ("pdf", "krawczyk", "krawczyk-300.pdf", "application/pdf"),
                               ("auto", "krawczyk", "krawczyk-300.png", "image/png")]:
    mail(name, person(who)["Adres e-mail"], open(os.path.join(scans, file), "rb").read(), ctype, file)

# a PNG whose header says 100000 x 100000 pixels (40 GB decoded), with a few
# bytes of data: refused from its header
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)) +
       chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
mail("bomb", "bomb@ops.example.pl", png, "image/png", "skan.png")
PY

mr ingest "$B/s300.eml" "$B/s200.eml" "$B/phone.eml" "$B/pdf.eml" "$B/bomb.eml" >/dev/null 2>&1
state() { sql "SELECT state FROM messages WHERE message_id = '$1@scans.example.pl'"; }
reason() { sql "SELECT reason FROM messages WHERE message_id = '$1@scans.example.pl'"; }

for name in s300 s200 phone pdf; do
	is "$(state $name)" review "$name: a scan goes to review"
done
like "$(reason s300)" "^scan read by OCR: check the fields" "the reason says the fields come from OCR"
is "$(sql "SELECT reason_code FROM messages WHERE message_id = 's300@scans.example.pl'")" scan \
	"its reason code is scan (the Polish text staff read)"

mr review --json >"$T/r.json"
field() {   # MESSAGE KEY -> value|confidence of the field in review --json
	python3 - "$T/r.json" "$1@scans.example.pl" "$2" "$DATA" <<'PY'
import json, sys
rows, mid, key = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
row = [r for r in rows if r.get("subject") == "Zgłoszenie (%s)" % mid.split("@")[0]]
f = row[0].get("fields", {}).get(key) if row else None
print("missing" if f is None else "%s|%s" % (f["value"], "ok" if 0 <= f["confidence"] <= 1 else f["confidence"]))
PY
}
is "$(field s300 first_name)" "Krzysztof|ok" "300 dpi: first name pre-filled, with a confidence"
is "$(field s300 last_name)" "Krawczyk|ok" "300 dpi: last name"
is "$(field s300 institution)" "Centrum Integracji Społecznej w Rybniku|ok" "300 dpi: institution"
is "$(field s300 powiat)" "Rybnik|ok" "300 dpi: powiat"
is "$(field s300 email)" "krzysztofkrawczyk@ops.katowice.pl|ok" "300 dpi: e-mail"
is "$(field s300 workshops)" "tak|ok" "300 dpi: a ticked box read as ticked"
is "$(field s200 first_name)" "Zdzisław|ok" "200 dpi: first name"
is "$(field s200 workshops)" "nie|ok" "200 dpi: an empty box read as not ticked"
is "$(field pdf last_name)" "Krawczyk|ok" "PDF of images: read by OCR" || reason pdf | sed "s/^/# /" | _diag
like "$(field phone last_name)" "\\|ok$" "phone photo: fields pre-filled with a confidence"
conf=$(python3 -c 'import json, sys
r = [r for r in json.load(open(sys.argv[1])) if "(s300)" in r["subject"]][0]
print(r["fields"]["first_name"]["confidence"])' "$T/r.json")
like "$conf" "^0\\.[0-9]+$|^1(\\.0)?$" "the confidence is a number from 0 to 1"

is "$(state bomb)" review "pixel bomb: review"
like "$(reason bomb)" "scan: image of 100000 x 100000 pixels is over the limit" "pixel bomb: the reason names the limit"

# staff are told the fields with the confidence of each (the notice's text;
# the original message is attached)
mr send >/dev/null 2>&1
body=$(python3 -c 'import glob, sys, email, email.policy
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    if "kadry@" in str(m["To"]) and "Zgłoszenie (s300)" in str(m["Subject"]):
        print(m.get_body(("plain",)).get_content())' "$T/outgoing")
like "$body" "Imię: Krzysztof \\(pewność [0-9]+ %\\)" "staff notice: Pole: wartość (pewność N %)"
like "$body" "Nazwisko: Krawczyk \\(pewność" "staff notice: every field listed"

# [ocr] auto_register: a good 300 dpi scan registers
printf '\n[ocr]\nauto_register = true\nmin_confidence = 0.80\n' >>"$T/etc/mailreg.conf"
mr ingest "$B/auto.eml" >/dev/null 2>&1
is "$(state auto)" registered "auto_register: a good 300 dpi scan is registered"
is "$(sql "SELECT a.first_name || ' ' || a.last_name || ' ' || a.powiat FROM messages m JOIN applicants a ON a.id = m.applicant_id WHERE m.message_id = 'auto@scans.example.pl'")" \
   "Krzysztof Krawczyk Rybnik" "auto_register: the applicant as the form says"

done_testing

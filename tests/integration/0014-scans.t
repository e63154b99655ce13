#!/bin/sh
# 0014-scans: scans and photos of the printed form (tests/data/scans, made by
# tests/bench/make-scans.py: LibreOffice's print of the filled form, pdftoppm at
# 300 and 200 dpi, a phone-like photo by ImageMagick, and a scanner's PDF of
# images) are read by OCR and go to review with every field pre-filled and a
# confidence per field, in `review --json` and in the staff notice; with
# [ocr] auto_register a good 300 dpi scan is registered; pixel bombs (PNG, TIFF,
# a TIFF's second page) end in review with a reason, before they are decoded,
# and a JPEG bomb and a decompression bomb (a PNG of 120 MB of pixels) in
# review too; the daemon stays under 64 MB, the reader of a 300 dpi page
# under 256 MB.
. "$(dirname "$0")/lib.sh"
# one OpenMP thread per OCR, as systemd/mailreg.service sets: CPU time, not spinning
export OMP_THREAD_LIMIT=1
plan 34

make_instance
S=$DATA/scans
B=$T/mail
mkdir -p "$B"
pdftoppm -r 150 -f 1 -l 1 -singlefile -mono -tiff -tiffcompression packbits "$S/krawczyk-300.pdf" "$T/page"
python3 - "$S" "$B" "$T/page.tif" <<'PY'
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

# a JPEG whose header says 50000 x 50000 (the phone photo's, changed): decoded
# at an eighth (6250 x 6250, within the limit), the rest of it missing
jpeg = bytearray(open(os.path.join(scans, "wozniak-phone.jpg"), "rb").read())
sof = next(i for i in range(2, len(jpeg) - 9) if jpeg[i] == 0xFF and jpeg[i + 1] in (0xC0, 0xC1, 0xC2))
struct.pack_into(">HH", jpeg, sof + 5, 50000, 50000)
mail("jpeg-bomb", "jpeg@ops.example.pl", bytes(jpeg), "image/jpeg", "skan.jpg")

# a TIFF whose one page says 50000 x 50000 bilevel pixels (2.5 G)
def ifd(tags, next_ifd=0):
    return (struct.pack("<H", len(tags)) + b"".join(struct.pack("<HHII", t, k, 1, v) for t, k, v in tags) +
            struct.pack("<I", next_ifd))
bomb_tags = [(256, 4, 50000), (257, 4, 50000), (258, 3, 1), (259, 3, 1), (262, 3, 0), (273, 4, 8),
             (277, 3, 1), (278, 4, 50000), (279, 4, 16)]
mail("tiff-bomb", "tiff@ops.example.pl", b"II*\0" + struct.pack("<I", 24) + b"\0" * 16 + ifd(bomb_tags),
     "image/tiff", "skan.tif")

# a TIFF of two pages: a form page (the scanner's PDF by pdftoppm), then that
# bomb; each page's header is checked before the page is decoded
tiff = bytearray(open(sys.argv[3], "rb").read())
assert tiff[:4] == b"II*\0"
at = struct.unpack_from("<I", tiff, 4)[0]
while True:   # the last IFD's link to the next
    n = struct.unpack_from("<H", tiff, at)[0]
    link = at + 2 + 12 * n
    at = struct.unpack_from("<I", tiff, link)[0]
    if at == 0:
        break
tiff += b"\0" * (len(tiff) % 2)
struct.pack_into("<I", tiff, link, len(tiff))
tiff += ifd(bomb_tags)
mail("tiff-pages", "pages@ops.example.pl", bytes(tiff), "image/tiff", "skan.tif")

# a decompression bomb: a 150 KB PNG of 6400 x 6400 white RGB pixels, within
# the pixel limit, 120 MB decoded
raw = zlib.compress((b"\0" + b"\xff" * (3 * 6400)) * 6400, 9)
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 6400, 6400, 8, 2, 0, 0, 0)) +
       chunk(b"IDAT", raw) + chunk(b"IEND", b""))
mail("png-inflate", "inflate@ops.example.pl", png, "image/png", "skan.png")
PY

# the daemon's peak RSS and the readers' (tree-rusage.py: the reader server
# outlives the daemon and is reaped there, with the readers it reaped)
ingest_measured() { "$ROOT/tests/tree-rusage.py" -o "$T/usage" "$MAILREG" -c "$T/etc/mailreg.conf" ingest "$@" >/dev/null 2>&1; }
ingest_measured "$B/s300.eml"
read -r wall cpu rss reader <"$T/usage"
ok $([ "$rss" -lt 65536 ] && echo 0 || echo 1) "OCR of a 300 dpi page: the daemon's peak RSS stays under 64 MB ($rss KB)"
# the reader's cap is its address space (256 MB + 192 MB for OCR + the image);
# its resident set for one A4 page at 300 dpi fits in 256 MB.  Under ASan
# (no address-space limit there) its shadow and quarantine count too: the cap.
cap=262144
[ -n "${SANITIZE:-}" ] && cap=$((448 * 1024))
ok $([ "$reader" -gt 0 ] && [ "$reader" -lt "$cap" ] && echo 0 || echo 1) \
	"OCR of a 300 dpi page: the reader's peak RSS is under $((cap / 1024)) MB ($reader KB)"
ingest_measured "$B/s200.eml" "$B/phone.eml" "$B/pdf.eml" "$B/bomb.eml" "$B/jpeg-bomb.eml" "$B/tiff-bomb.eml" \
	"$B/tiff-pages.eml" "$B/png-inflate.eml"
read -r wall cpu rss reader <"$T/usage"
ok $([ "$rss" -lt 65536 ] && echo 0 || echo 1) "scans and bombs: the daemon's peak RSS stays under 64 MB ($rss KB)"
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
is "$(state jpeg-bomb)" review "JPEG bomb (50000 x 50000): review"
like "$(reason jpeg-bomb)" "skan.jpg: scan: damaged image" "JPEG bomb: decoded at an eighth, found damaged"
is "$(state tiff-bomb)" review "TIFF bomb (50000 x 50000): review"
like "$(reason tiff-bomb)" "scan: image of 50000 x 50000 pixels is over the limit" "TIFF bomb: refused from its header"
is "$(state tiff-pages)" review "a form page, then a bomb page in one TIFF: review"
like "$(reason tiff-pages)" "scan: image of 50000 x 50000 pixels is over the limit" \
	"the second page refused from its header, before it is decoded"
is "$(state png-inflate)" review "decompression bomb (150 KB PNG, 120 MB of pixels): review"
like "$(reason png-inflate)" "skan.png: scan: OCR found no text" "decompression bomb: decoded within the limits, read"

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

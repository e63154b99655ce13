#!/bin/sh
# Peak memory (not a test): max RSS of `mailreg ingest` for hostile or big input -
# a ZIP bomb DOCX (word/document.xml inflating to 300 MB), a message with a 25 MB
# PDF attachment, a 25 MB JPEG "scan" and a 20 MB text body.  Inputs are made in
# a temporary folder.  Prints a Markdown table: outcome, reason, max RSS.
#   tests/bench/rss.sh [MAILREG_BINARY]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/mailreg}
work=$(mktemp -d "${TMPDIR:-/tmp}/mailreg-rss.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 - "$root" "$work" <<'PY'
import io, os, sys, zipfile
from email.message import EmailMessage
from email import policy
root, work = sys.argv[1], sys.argv[2]

def message(name, attachment=None, ctype=None, filename=None, body="Dzień dobry,\nw załączniku formularz.\n"):
    m = EmailMessage(policy=policy.SMTP)
    m["From"] = "Anna Nowak <anna@ops.example.pl>"
    m["To"] = "rejestracja@rops.example.pl"
    m["Subject"] = name
    m["Message-ID"] = f"<rss-{name}@ops.example.pl>"
    m.set_content(body)
    if attachment is not None:
        maintype, subtype = ctype.split("/")
        m.add_attachment(attachment, maintype=maintype, subtype=subtype, filename=filename)
    open(os.path.join(work, name + ".eml"), "wb").write(m.as_bytes())

# ZIP bomb: a DOCX whose document.xml inflates to 300 MB
bomb = io.BytesIO()
with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
    with z.open("word/document.xml", "w", force_zip64=True) as f:
        f.write(b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>')
        chunk = b" " * (1 << 20)
        for _ in range(300):
            f.write(chunk)
        f.write(b"</w:t></w:r></w:p></w:body></w:document>")
message("zip-bomb", bomb.getvalue(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "formularz.docx")

# 25 MB PDF: the printed sample with 25 MB of padding after it (a valid PDF)
pdf = open(os.path.join(root, "tests/bench/samples/printed.pdf"), "rb").read()
pad = 25_000_000 - len(pdf)
message("pdf-25mb", pdf + b"\n%" + b"x" * (pad - 2), "application/pdf", "formularz.pdf")

# 25 MB "scan"
message("jpeg-25mb", b"\xff\xd8\xff\xe0" + os.urandom(25_000_000 - 4), "image/jpeg", "skan.jpg")

# 20 MB text body
message("text-20mb", body="Imię: Anna\n" + ("x" * 70 + "\n") * 290_000)
PY

cat >"$work/mailreg.conf" <<CONF
[paths]
database = db
spool = spool
outgoing = outgoing
templates = $root/templates
catalog = $root/etc/catalog.ini
[mail]
from = Rejestracja ROPS <rejestracja@rops.example.pl>
CONF
"$bin" -c "$work/mailreg.conf" init >/dev/null
echo "| input | size | outcome | max RSS KiB | reason |"
echo "|---|---:|---|---:|---|"
for name in zip-bomb pdf-25mb jpeg-25mb text-20mb; do
	f=$work/$name.eml
	/usr/bin/env time -f "%M" -o "$work/time" "$bin" -c "$work/mailreg.conf" ingest "$f" >"$work/out" 2>/dev/null
	size=$(stat -c %s "$f")
	outcome=$(awk '{print $1}' "$work/out")
	reason=$(cut -d: -f2- "$work/out" | cut -c1-120 | sed 's/|/\\|/g')
	echo "| $name | $size | $outcome | $(cat "$work/time") |$reason |"
done

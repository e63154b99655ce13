#!/bin/sh
# Benchmark (not a test): messages per second of `mailreg ingest` for each form
# format - text body, HTML body, DOCX, ODT, fillable PDF, printed PDF - over N
# messages each (default 1000), every one a whole pipeline run: spool with
# fsync, parse, extract, validate, register, compose, commit.
#   tests/bench/formats.sh [MAILREG_BINARY] [N]
# Prints a Markdown table.  Samples: tests/bench/samples (make-samples.py).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/mailreg}
n=${2:-1000}
work=$(mktemp -d "${TMPDIR:-/tmp}/mailreg-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# N messages of one format into $work/in-FORMAT (python3's standard library only)
python3 - "$root/tests/bench/samples" "$work" "$n" <<'PY'
import os, sys
from email.message import EmailMessage
from email import policy
samples, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
kinds = {
    "text": ("filled.txt", None),
    "html": ("filled.html", None),
    "docx": ("filled.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": ("filled.odt", "application/vnd.oasis.opendocument.text"),
    "pdf-fillable": ("filled.pdf", "application/pdf"),
    "pdf-printed": ("printed.pdf", "application/pdf"),
}
for kind, (name, ctype) in kinds.items():
    data = open(os.path.join(samples, name), "rb").read()
    out = os.path.join(work, "in-" + kind)
    os.makedirs(out)
    for i in range(n):
        m = EmailMessage(policy=policy.SMTP)
        m["From"] = f"Uczestnik {i} <u{i}@ops.example.pl>"
        m["To"] = "rejestracja@rops.example.pl"
        m["Subject"] = f"Zgłoszenie {i}"
        m["Message-ID"] = f"<bench-{kind}-{i}@ops.example.pl>"
        m["Date"] = "Mon, 03 Feb 2014 09:00:00 +0100"
        if kind == "text":
            m.set_content(data.decode("utf-8").replace("anna.wisniewska@", f"u{i}@"))
        elif kind == "html":
            m.set_content(data.decode("utf-8").replace("anna.wisniewska@", f"u{i}@"), subtype="html")
        else:
            m.set_content("Dzień dobry,\nw załączniku formularz.\n")
            maintype, subtype = ctype.split("/")
            m.add_attachment(data, maintype=maintype, subtype=subtype,
                             filename="formularz zgłoszeniowy" + os.path.splitext(name)[1])
        with open(os.path.join(out, f"{i:05d}.eml"), "wb") as f:
            f.write(m.as_bytes())
PY

echo "| format | messages | registered | wall s | CPU s | msgs/s (wall) | max RSS KiB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for kind in text html docx odt pdf-fillable pdf-printed; do
	inst=$work/inst-$kind
	mkdir -p "$inst"
	cat >"$inst/mailreg.conf" <<CONF
[paths]
database = db
spool = spool
outgoing = out
templates = $root/templates
catalog = $root/etc/catalog.ini
[mail]
from = Rejestracja ROPS <rejestracja@rops.example.pl>
CONF
	"$bin" -c "$inst/mailreg.conf" init >/dev/null
	/usr/bin/env time -f "%e %U %S %M" -o "$work/time" \
		"$bin" -c "$inst/mailreg.conf" ingest "$work/in-$kind" >"$work/out" 2>/dev/null
	read -r wall user sys rss <"$work/time"
	reg=$(grep -c '^registered' "$work/out" || true)
	awk -v k="$kind" -v n="$n" -v r="$reg" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" \
		'BEGIN { printf "| %s | %d | %d | %.2f | %.2f | %.0f | %d |\n", k, n, r, w, u + s, n / (w > 0 ? w : 0.01), m }'
done

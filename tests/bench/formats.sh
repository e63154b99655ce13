#!/bin/sh
# Benchmark (not a test): messages per second of `mailreg ingest` for each form
# format - text body, HTML body, DOCX, ODT, fillable PDF, printed PDF, Word 97
# .doc, RTF - over N messages each (default 1000), and pages per second of OCR
# over OCR_N scans each (default 10; one page a message) at 300 and 200 dpi and
# phone-like photos (tests/data/scans).  Every message is a whole pipeline run:
# spool with fsync, parse, extract, validate, register, compose, commit.
#   tests/bench/formats.sh [MAILREG_BINARY] [N]
# Each run is measured over its whole process tree (tests/tree-rusage.py): CPU
# of every process - the daemon, the reader server and every reader it forks -
# and the peak RSS of the daemon and of the largest reader.  Prints a
# Markdown table.  Samples: tests/bench/samples (make-samples.py).
#
# With BASELINE=OTHER_MAILREG, the formats OTHER_MAILREG reads too are run
# RUNS times each (default 3) by both binaries in turn (baseline, this one,
# baseline, this one...: on a shared machine both see the same load) and a
# second table compares them: median CPU and wall seconds, and the change.
# FORMATS="text docx" runs only those (OCR_N=0: no scans).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/mailreg}
n=${2:-1000}
ocr_n=${OCR_N:-10}
base=${BASELINE:-}
runs=${RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/mailreg-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
formats=${FORMATS:-text html docx odt pdf-fillable pdf-printed doc rtf}
scans="scan-300 scan-200 scan-phone"
# the formats a mailreg from before the sandbox reads
old_formats="text html docx odt pdf-fillable pdf-printed"

# N messages of one format into $work/in-FORMAT (python3's standard library only)
python3 - "$root" "$work" "$n" "$ocr_n" <<'PY'
import json, os, sys
from email.message import EmailMessage
from email import policy
root, work, n, ocr_n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
samples, scans = os.path.join(root, "tests/bench/samples"), os.path.join(root, "tests/data/scans")
kinds = {
    "text": ("filled.txt", None),
    "html": ("filled.html", None),
    "docx": ("filled.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": ("filled.odt", "application/vnd.oasis.opendocument.text"),
    "pdf-fillable": ("filled.pdf", "application/pdf"),
    "pdf-printed": ("printed.pdf", "application/pdf"),
    "doc": ("filled.doc", "application/msword"),
    "rtf": ("filled.rtf", "application/rtf"),
}
# scans: the committed test scans, each mailed from its applicant's address
# (OCR's reading of the e-mail field is checked against the sender)
scan_kinds = {
    "scan-300": ("krawczyk-300.png", "image/png", "krawczyk"),
    "scan-200": ("szymanski-200.png", "image/png", "szymanski"),
    "scan-phone": ("wozniak-phone.jpg", "image/jpeg", "wozniak"),
}

def message(kind, i, sender):
    m = EmailMessage(policy=policy.SMTP)
    m["From"] = sender
    m["To"] = "rejestracja@rops.example.pl"
    m["Subject"] = f"Zgłoszenie {i}"
    m["Message-ID"] = f"<bench-{kind}-{i}@ops.example.pl>"
    m["Date"] = "Mon, 03 Feb 2014 09:00:00 +0100"
    return m

def attach(m, data, ctype, filename):
    m.set_content("Dzień dobry,\nw załączniku formularz.\n")
    maintype, subtype = ctype.split("/")
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)

def write(kind, i, m):
    out = os.path.join(work, "in-" + kind)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, f"{i:05d}.eml"), "wb") as f:
        f.write(m.as_bytes())

for kind, (name, ctype) in kinds.items():
    data = open(os.path.join(samples, name), "rb").read()
    for i in range(n):
        m = message(kind, i, f"Uczestnik {i} <u{i}@ops.example.pl>")
        if kind == "text":
            m.set_content(data.decode("utf-8").replace("anna.wisniewska@", f"u{i}@"))
        elif kind == "html":
            m.set_content(data.decode("utf-8").replace("anna.wisniewska@", f"u{i}@"), subtype="html")
        else:
            attach(m, data, ctype, "formularz zgłoszeniowy" + os.path.splitext(name)[1])
        write(kind, i, m)
for kind, (name, ctype, who) in scan_kinds.items():
    data = open(os.path.join(scans, name), "rb").read()
    email = json.load(open(os.path.join(scans, who + ".json"), encoding="utf-8"))["Adres e-mail"]
    for i in range(ocr_n):
        m = message(kind, i, f"Zgłaszający <{email}>")
        attach(m, data, ctype, "skan" + os.path.splitext(name)[1])
        write(kind, i, m)
PY

# run BINARY KIND: one `ingest` of in-KIND into a fresh instance; sets
# wall cpu rss reader (tree-rusage.py) and outcome ("1000 registered").  The
# templates and catalog are those of the binary's own tree (BINARY in
# TREE/build/), as an older one may not know the newer files' keys.
run() {
	inst=$work/inst
	tree=$(cd "$(dirname "$1")/.." && pwd)
	[ -f "$tree/etc/catalog.ini" ] || tree=$root
	rm -rf "$inst"
	mkdir -p "$inst"
	cat >"$inst/mailreg.conf" <<CONF
[paths]
database = db
spool = spool
outgoing = out
templates = $tree/templates
catalog = $tree/etc/catalog.ini
[mail]
from = Rejestracja ROPS <rejestracja@rops.example.pl>
CONF
	"$1" -c "$inst/mailreg.conf" init >/dev/null
	python3 "$root/tests/tree-rusage.py" -o "$work/usage" \
		"$1" -c "$inst/mailreg.conf" ingest "$work/in-$2" >"$work/out" 2>/dev/null || true
	read -r wall cpu rss reader <"$work/usage"
	# the most frequent outcome and its count
	outcome=$(awk '{ print $1 }' "$work/out" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $1, $2 }')
}

echo "| format | messages | outcome | wall s | CPU s | msgs/s (wall) | msgs/s (CPU) | daemon max RSS KiB | reader max RSS KiB |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|"
for kind in $formats $scans; do
	case $kind in scan-*) count=$ocr_n ;; *) count=$n ;; esac
	[ "$count" -gt 0 ] || continue
	run "$bin" "$kind"
	awk -v k="$kind" -v n="$count" -v o="$outcome" -v w="$wall" -v c="$cpu" -v m="$rss" -v r="$reader" \
		'BEGIN { printf "| %s | %d | %s | %.2f | %.2f | %.2f | %.2f | %d | %d |\n", k, n, o, w, c,
		         n / (w > 0 ? w : 0.01), n / (c > 0 ? c : 0.01), m, r }'
done
[ -n "$base" ] || exit 0

# the baseline and this binary in turn, RUNS times a format
echo
echo "| format | messages | CPU s before | CPU s after | CPU change | wall s before | wall s after | wall change |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for kind in $old_formats; do
	case " $formats " in *" $kind "*) ;; *) continue ;; esac
	: >"$work/before"
	: >"$work/after"
	i=1
	while [ "$i" -le "$runs" ]; do
		run "$base" "$kind"
		echo "$cpu $wall" >>"$work/before"
		run "$bin" "$kind"
		echo "$cpu $wall" >>"$work/after"
		i=$((i + 1))
	done
	# medians; every run listed after them
	python3 - "$kind" "$n" "$work/before" "$work/after" <<'PY'
import statistics, sys
kind, n, before, after = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
b = [tuple(map(float, l.split())) for l in open(before)]
a = [tuple(map(float, l.split())) for l in open(after)]
def cell(runs, col):
    return "%.2f (%s)" % (statistics.median(r[col] for r in runs), ", ".join("%.2f" % r[col] for r in runs))
def change(col):
    mb, ma = statistics.median(r[col] for r in b), statistics.median(r[col] for r in a)
    return "%+.1f %%" % (100 * (ma - mb) / mb) if mb > 0 else "-"
print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (kind, n, cell(b, 0), cell(a, 0), change(0),
                                                      cell(b, 1), cell(a, 1), change(1)))
PY
done

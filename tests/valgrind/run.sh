#!/bin/sh
# run.sh - the whole pipeline over the fixtures under valgrind (`make valgrind`).
#
# init; ingest tests/data/pipeline, the extract fixtures, and the office, PDF
# and HTML samples wrapped as messages; send (directory transport).  Each run
# is memcheck with GLib's suppressions and G_SLICE=always-malloc; the script
# fails on any invalid read/write (every error) or definitely lost block.
#   tests/valgrind/run.sh [MAILREG_BINARY]
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$ROOT/build/mailreg-test}
T=$(mktemp -d "${TMPDIR:-/tmp}/mailreg-valgrind.XXXXXX")
trap 'rm -rf "$T"' EXIT
export G_SLICE=always-malloc G_DEBUG=fatal-criticals
unset MAILREG_FAULT MAILREG_CONFIG

mkdir -p "$T/etc" "$T/in"
cat >"$T/etc/mailreg.conf" <<CONF
[paths]
database = ../var/mailreg.db
spool = ../spool
outgoing = ../outgoing
templates = $ROOT/templates
catalog = $ROOT/etc/catalog.ini

[mail]
from = Rejestracja ROPS <rejestracja@rops.example.pl>
reply_to = szkolenia@rops.example.pl
staff = kadry@rops.example.pl
domain = rops.example.pl

# OCR of the scanned PDF fixtures would take minutes under memcheck (and is
# Tesseract's, not ours); tests/integration/0014-scans.t covers it.
[ocr]
enabled = false
CONF

# Office, PDF and HTML fixtures as attachments of one message each.
python3 - "$ROOT/tests/data" "$T/in" <<'PY'
import glob, os, sys
from email.message import EmailMessage
from email import policy
data, out = sys.argv[1], sys.argv[2]
types = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".odt": "application/vnd.oasis.opendocument.text", ".pdf": "application/pdf",
         ".html": "text/html"}
files = sorted(glob.glob(data + "/office/*.docx") + glob.glob(data + "/office/*.odt") +
               glob.glob(data + "/pdf/*.pdf") + glob.glob(data + "/html/*.html"))
for i, path in enumerate(files):
    m = EmailMessage(policy=policy.SMTP)
    m["From"] = "Jan Testowy <jan.testowy.%d@ops-test.example.pl>" % i
    m["To"] = "rejestracja@rops.example.pl"
    m["Subject"] = "Zgloszenie"
    m["Message-ID"] = "<vg-%d@ops-test.example.pl>" % i
    m["Date"] = "Sat, 01 Mar 2014 10:00:00 +0100"
    m.set_content("W zalaczniku formularz.\n")
    maintype, subtype = types[os.path.splitext(path)[1]].split("/")
    m.add_attachment(open(path, "rb").read(), maintype=maintype, subtype=subtype,
                     filename=os.path.basename(path))
    open("%s/vg-%03d.eml" % (out, i), "wb").write(m.as_bytes())
PY

ERRORS='Invalid (read|write|free)|definitely lost|uninitialised|Conditional jump|Syscall param|Mismatched free|overlap'
fail=0
n=0
vg() {
	n=$((n + 1))
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --num-callers=30 \
		--suppressions=/usr/share/glib-2.0/valgrind/glib.supp \
		"$BIN" -c "$T/etc/mailreg.conf" "$@" >"$T/out" 2>"$T/vg.$n"
	rc=$?
	# (a PDF child stopped by its RLIMIT_CPU, as under valgrind the text bomb is,
	# makes valgrind print the signal: that is no error).  Every run here must
	# exit 0: 99 is valgrind's own verdict, 128+N a signal (134: an abort), any
	# other status a failure mailreg reported.
	if [ $rc -ne 0 ] || grep -Eq "$ERRORS" "$T/vg.$n"; then
		echo "valgrind: FAIL (exit $rc): mailreg $*" | cut -c1-160
		grep '^==[0-9]*== ' "$T/vg.$n" | head -60
		fail=$((fail + 1))
	else
		echo "valgrind: ok: mailreg $*" | cut -c1-100
	fi
}

start=$(date +%s)
vg init
vg ingest "$ROOT"/tests/data/pipeline/*.eml
vg ingest "$ROOT"/tests/data/extract/*.eml
vg ingest "$T"/in/*.eml
vg send
vg messages
echo "valgrind: $n runs, $fail failing, $(( $(date +%s) - start )) s"
[ $fail -eq 0 ]

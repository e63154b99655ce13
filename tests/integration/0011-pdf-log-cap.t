#!/bin/sh
# 0011-pdf-log-cap: a damaged PDF that keeps poppler busy (a libFuzzer find,
# tests/data/pdf/field-names.pdf) is stopped by its sandboxed reader's CPU limit
# and the message goes to review; poppler's syntax error for each fetch of the
# broken objects (830,000 lines in 10 s) does not reach the log past the
# first few.
. "$(dirname "$0")/lib.sh"

plan 3

make_instance
python3 - "$DATA/pdf/field-names.pdf" "$T/pdf.eml" <<'PY'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "Uczestnik <pdf@ops.example.pl>"
m["To"] = "rejestracja@rops.example.pl"
m["Subject"] = "Formularz"
m["Message-ID"] = "<field-names@ops.example.pl>"
m.set_content("Formularz w załączniku.\n")
m.add_attachment(open(sys.argv[1], "rb").read(), maintype="application", subtype="pdf", filename="formularz.pdf")
open(sys.argv[2], "wb").write(bytes(m))
PY
mr ingest "$T/pdf.eml" >"$T/out" 2>"$T/err"
is "$?" 0 "ingest exits 0"
like "$(sql "SELECT state || ': ' || reason FROM messages")" "^review: .*formularz.pdf: PDF reader stopped: (CPU )?time limit" \
	"the message is in review: the PDF is too complex"
lines=$(grep -c 'Poppler' "$T/err")
notes=$(grep -c 'Poppler: more messages about this PDF suppressed' "$T/err")
ok $([ "$lines" -ge 2 ] && [ "$lines" -le 12 ] && [ "$notes" -eq 1 ] && echo 0 || echo 1) \
	"poppler's first messages are logged, then capped with one note ($lines lines, $notes notes)"

done_testing

#!/bin/sh
# 0012-reader-sandbox: a document reader taken over by its document cannot act.
# The test build's reader, when MAILREG_FAULT arms it, tries after its sandbox
# is up what a hostile PDF would: open a file for writing, create a socket,
# run a program.  Each time the seccomp filter kills it, the daemon goes on,
# and the message is in review with the reason; unarmed, the same PDF is read.
# A decompression bomb (7 KB inflating to 100,000 text runs) ends in review at
# the reader's memory limit while the daemon stays small.
. "$(dirname "$0")/lib.sh"
need_faults

plan 11

make_instance
mkdir -p "$T/in"
python3 - "$ROOT/tests/bench/samples/filled.pdf" "$DATA/pdf/text-bomb.pdf" "$T/in" <<'PY'
import sys
from email.message import EmailMessage
pdf, bomb, out = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), sys.argv[3]
for name, data in [("reader-write", pdf), ("reader-socket", pdf), ("reader-exec", pdf),
                   ("plain", pdf), ("bomb", bomb)]:
    m = EmailMessage()
    m["From"] = "Uczestnik <%s@ops.example.pl>" % name
    m["To"] = "rejestracja@rops.example.pl"
    m["Subject"] = "Formularz"
    m["Message-ID"] = "<%s@sandbox.example.pl>" % name
    m.set_content("Formularz w załączniku.\n")
    m.add_attachment(data.replace(b"anna.wisniewska@", name.encode() + b"@"), maintype="application",
                     subtype="pdf", filename="formularz.pdf")
    open("%s/%s.eml" % (out, name), "wb").write(bytes(m))
PY
reason() { sql "SELECT state || ': ' || reason FROM messages WHERE message_id = '$1@sandbox.example.pl'"; }

rm -f /tmp/mailreg-reader-hostile
for fault in reader-write reader-socket reader-exec; do
	( MAILREG_FAULT=$fault; export MAILREG_FAULT; mr ingest "$T/in/$fault.eml" ) >"$T/out" 2>"$T/err"
	is "$?" 0 "$fault: ingest exits 0"
	like "$(reason $fault)" "^review: .*formularz.pdf: PDF reader stopped: not allowed system call" \
		"$fault: the reader is killed by its filter, the message is in review with the reason"
done
ok $([ ! -e /tmp/mailreg-reader-hostile ] && echo 0 || echo 1) "no file was written, no program run"

mr ingest "$T/in/plain.eml" >"$T/out" 2>"$T/err"
is "$(sql "SELECT state FROM messages WHERE message_id = 'plain@sandbox.example.pl'")" registered \
	"unarmed, the same PDF is read in the sandbox and registered"

/usr/bin/time -f %M -o "$T/rss" "$MAILREG" -c "$T/etc/mailreg.conf" ingest "$T/in/bomb.eml" >"$T/out" 2>"$T/err"
is "$?" 0 "the bomb: ingest exits 0"
# AddressSanitizer cannot run under an address-space limit: the sanitized
# reader is stopped by its CPU or time limit instead
like "$(reason bomb)" "^review: .*formularz.pdf: PDF reader stopped: (memory|CPU time|time) limit" \
	"the bomb: in review at the reader's limit"
rss=$(tail -n 1 "$T/rss")
ok $([ "$rss" -lt 65536 ] && echo 0 || echo 1) "the daemon's peak RSS stays under 64 MB ($rss KB)"

done_testing

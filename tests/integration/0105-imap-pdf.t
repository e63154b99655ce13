#!/bin/sh
# 0105-imap-pdf: forms in PDF attachments taken over IMAP.  The sandboxed PDF
# reader runs while the spool's writer thread writes the batch and the reading
# thread reads ahead, PDFs included: every form must be read, none stopped
# ("PDF reader stopped: ...").  Text forms are mixed in so the writer is busy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"

plan 4

make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; sed 's/^/# /' "$DOVECOT_DIR/log"; exit 1; }
imap_conf

python3 - "$ROOT/tests/bench/samples/filled.pdf" "$T/m" 40 <<'PY'
import os, sys
from email.message import EmailMessage
pdf, out, n = open(sys.argv[1], "rb").read(), sys.argv[2], int(sys.argv[3])
os.makedirs(out)
for i in range(n):
    m = EmailMessage()
    m["From"] = "Uczestnik %d <pdf%d@ops.example.pl>" % (i, i)
    m["To"] = "rejestracja@rops.example.pl"
    m["Subject"] = "Formularz %d" % i
    m["Message-ID"] = "<pdf-%d@ops.example.pl>" % i
    m["Date"] = "Mon, 03 Feb 2014 09:00:00 +0100"
    if i % 2:
        m.set_content("W załączeniu formularz.\n")
        m.add_attachment(pdf, maintype="application", subtype="pdf", filename="formularz.pdf")
    else:
        m.set_content("Imię: Anna\nNazwisko: Nowak\nAdres e-mail: pdf%d@ops.example.pl\n" % i)
    open(os.path.join(out, "%03d.eml" % i), "wb").write(bytes(m))
PY
for f in "$T"/m/*.eml; do deliver "$f"; done
mr poll --once >"$T/out" 2>"$T/err"
is "$?" 0 "a pass over 20 PDF and 20 text messages exits 0"
is "$(sql "SELECT count(*) FROM messages") $(imap_count INBOX)" "40 0" "40 messages recorded, INBOX empty"
is "$(sql "SELECT count(*) FROM messages WHERE form_part LIKE '%(pdf)%'")" 20 \
	"the 20 PDF forms were read from their attachments"
is "$(sql "SELECT count(*) FROM messages WHERE reason LIKE '%PDF%'")" 0 "no PDF reader failed or timed out"

done_testing

#!/bin/sh
# 0007-bad-input: hostile and broken input, generated at test time into $T.
# Each message must be recorded exactly once with a reason, ingest must exit 0,
# and nothing may crash (G_DEBUG=fatal-criticals turns a critical into a crash)
# or need unbounded memory.
. "$(dirname "$0")/lib.sh"

plan 27

make_instance
B=$T/bad
mkdir -p "$B"

python3 - "$B" <<'EOF'
import sys
B = sys.argv[1]

def H(mid, extra=""):
    return ("From: Jan Testowy <jan.testowy@ops-test.example.pl>\n"
            "To: Rejestracja ROPS <rejestracja@rops.example.pl>\n"
            "Subject: =?utf-8?q?Zg=C5=82oszenie?=\n"
            "Message-ID: <%s.20140301@ops-test.example.pl>\n"
            "Date: Sat, 01 Mar 2014 10:00:00 +0100\nMIME-Version: 1.0\n%s" % (mid, extra)).encode()

TP = b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"

def w(name, data):
    with open("%s/%s" % (B, name), "wb") as f:
        f.write(data)

# NUL bytes all through the body
w("nul.eml", H("nul") + TP + "Dzień dobry,\0\0\0 proszę\0o informację o szkoleniach.\n\0\0\0\0\n".encode() * 50)
# one header line of 1 MiB
w("longheader.eml", H("longheader", "X-Long: " + "a" * (1 << 20) + "\n") + TP + "Dzień dobry.\n".encode())
# 200 multiparts nested in each other, a text part at the bottom
n = 200
s = H("nested", 'Content-Type: multipart/mixed; boundary="b0"\n') + b"\nprologue\n"
for i in range(1, n):
    s += b'--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n' % (i - 1, i)
s += b"--b%d\n" % (n - 1) + TP + "Imię: Jan\nNazwisko: Głęboki\nPowiat: Katowice\n".encode()
for i in reversed(range(n)):
    s += b"\n--b%d--\n" % i
w("nested.eml", s)
# a 20 MiB text body
with open(B + "/big.eml", "wb") as f:
    f.write(H("big") + TP)
    line = "Zażółć gęślą jaźń — długi list bez formularza, wiersz %08d.\n"
    i = size = 0
    while size < 20 * (1 << 20):
        b = (line % i).encode()
        f.write(b)
        size += len(b)
        i += 1
# a charset nobody knows, windows-1250 bytes: the form must still be read
form = ("Imię: Łucja\nNazwisko: Źdźbło\nAdres e-mail: lucja.zdzblo@ops-test.example.pl\n"
        "Nazwa instytucji: Ośrodek Pomocy Społecznej\nPowiat: Łódź\n"
        "[X] Spotkanie informacyjne\n[X] Wyrażam zgodę na przetwarzanie moich danych osobowych\n")
w("unknown-charset.eml", H("unknown-charset", "Content-Type: text/plain; charset=x-unknown-8859\n"
                           "Content-Transfer-Encoding: 8bit\n\n") + form.encode("cp1250"))
# multipart without a boundary parameter
w("no-boundary.eml", H("no-boundary", "Content-Type: multipart/mixed\n\n") +
  b"--xyz\nContent-Type: text/plain\n\nDzien dobry\n--xyz--\n")
# base64 attachment cut off in the middle, no closing boundary
w("truncated-base64.eml", H("truncated-base64", 'Content-Type: multipart/mixed; boundary="zz"\n\n') +
  b"--zz\n" + TP + "W załączeniu formularz.\n".encode() +
  b'--zz\nContent-Type: application/pdf; name="formularz.pdf"\n'
  b'Content-Disposition: attachment; filename="formularz.pdf"\nContent-Transfer-Encoding: base64\n\n'
  b"JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29k\nZT4+CnN0cmVhbQp4nCvkMlAwUDC1NNUzMlEwtTTVMzJRCEnh0nAP")
# a form attachment cut off mid-form (connection dropped): review, not a rejection
# blaming the applicant for the missing end
w("truncated-form.eml", H("truncated-form", 'Content-Type: multipart/mixed; boundary="tt"\n\n') +
  b"--tt\n" + TP + "W załączeniu formularz.\n".encode() +
  b'--tt\nContent-Type: text/plain; charset=utf-8; name="formularz.txt"\n'
  b'Content-Disposition: attachment; filename="formularz.txt"\n\n' +
  "Imię: Anna\nNazwisko: Nowak\nNazwa instytucji: OPS Gliwice\nPowiat: Gli".encode())
# nothing at all
w("empty.eml", b"")
EOF
head -c 10240 /dev/urandom >"$B/random.bin"

# Ingest FILE alone; prints "rc delta state reason" for the assertions below.
ingest_one() {
	before=$(sql "SELECT count(*) FROM messages")
	mr ingest "$1" >"$T/out" 2>"$T/err"
	rc=$?
	after=$(sql "SELECT count(*) FROM messages")
	last=$(sql "SELECT state || '|' || coalesce(reason, '') FROM messages ORDER BY id DESC LIMIT 1")
}

# name | expected state | reason pattern (grep -E)
for case in "nul.eml|review|." \
            "longheader.eml|review|." \
            "nested.eml|review|nest" \
            "unknown-charset.eml|rejected|Łódź" \
            "no-boundary.eml|review|boundary" \
            "truncated-base64.eml|review|formularz\\.pdf" \
            "truncated-form.eml|review|message truncated" \
            "empty.eml|review|not a MIME message|empty" \
            "random.bin|review|."; do
	name=${case%%|*}
	rest=${case#*|}
	want=${rest%%|*}
	pattern=${rest#*|}
	ingest_one "$B/$name"
	is "$rc $((after - before))" "0 1" "$name: ingest exits 0 and records exactly one row"
	[ "$rc" = 0 ] || sed 's/^/#   /' "$T/err" | head -5
	like "$last" "^$want\\|.*($pattern)" "$name: state $want with a non-empty reason"
done

# 20 MiB body with the address space capped at 400 MB: bounded memory.
before=$(sql "SELECT count(*) FROM messages")
# ASan reserves terabytes of shadow address space: no ulimit -v under a sanitizer.
(
	[ -n "${SANITIZE:-}" ] || ulimit -v 400000
	mr ingest "$B/big.eml" >"$T/out" 2>"$T/err"
)
rc=$?
after=$(sql "SELECT count(*) FROM messages")
is "$rc $((after - before))" "0 1" "20 MiB body under ulimit -v 400000: ingest exits 0, one row"
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/err" | head -5
like "$(sql "SELECT state || '|' || coalesce(reason, '') FROM messages ORDER BY id DESC LIMIT 1")" \
	'^review\|no form found.*' "20 MiB body: review, reason says no form found"

is "$(sql "SELECT count(*) || ' ' || count(DISTINCT spool_id) FROM messages")" "10 10" \
	"10 inputs, 10 rows, each its own spool file"
is "$(sql "SELECT count(*) FROM messages WHERE reason IS NULL OR reason = ''")" 0 "every row has a reason"
is "$(ls "$T/spool/new" | wc -l | tr -d ' ')" 0 "nothing left unprocessed in spool/new"
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'staff'")" "$(sql "SELECT count(*) FROM messages WHERE state = 'review'")" \
	"every review queued a staff notice"

# Over [limits] max_message_size: review without parsing.
printf '\n[limits]\nmax_message_size = 64K\n' >>"$T/etc/mailreg.conf"
python3 -c '
import sys
body = ("Dzień dobry, w załączeniu długi list.\n" * 3000).encode()
sys.stdout.buffer.write(b"From: Ola Duza <ola.duza@ops-test.example.pl>\nTo: rejestracja@rops.example.pl\n"
    b"Subject: duzy\nMessage-ID: <toolarge.20140301@ops-test.example.pl>\nMIME-Version: 1.0\n"
    b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body)' >"$B/toolarge.eml"
ingest_one "$B/toolarge.eml"
is "$rc $((after - before))" "0 1" "over max_message_size (64K): ingest exits 0, one row"
like "$last" '^review\|message too large' "over max_message_size: review with reason 'message too large'"
is "$(sql "SELECT o.kind FROM outbox o JOIN messages m ON m.id = o.inbound_id WHERE m.reason LIKE 'message too large%'")" \
	"staff" "over max_message_size: staff are told"

done_testing

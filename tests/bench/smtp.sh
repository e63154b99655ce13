#!/bin/sh
# smtp.sh - mailreg send over SMTP vs Postfix's smtp-source, both into smtp-sink.
#
#   tests/bench/smtp.sh [build/mailreg] [COUNT] [SIZE]
#
# Queues COUNT (10000) confirmations of about SIZE (20480) bytes each straight
# into the outbox, starts Postfix's smtp-sink on 127.0.0.1 (the postfix package,
# `scripts/deps.sh bench`; no Postfix service is started), times `mailreg send`
# (one connection for the batch) and `smtp-source -d` sending the same count and
# size over one session, and prints both times and their ratio (target <= 1.5).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAILREG=${1:-$ROOT/build/mailreg}
COUNT=${2:-10000}
SIZE=${3:-20480}
SINK=/usr/sbin/smtp-sink
SOURCE=/usr/sbin/smtp-source
[ -x "$SINK" ] && [ -x "$SOURCE" ] || { echo "bench: needs smtp-sink and smtp-source (scripts/deps.sh bench)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/mailreg-bench.XXXXXX")
SINK_PID=
trap '[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null; rm -rf "$T"' EXIT
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"$SINK" -u nobody 127.0.0.1:"$PORT" 256 >/dev/null 2>&1 &
SINK_PID=$!
sleep 0.5

mkdir -p "$T/etc"
cat >"$T/etc/mailreg.conf" <<CONF
[paths]
database = ../var/mailreg.db
spool = ../spool
templates = $ROOT/templates
catalog = $ROOT/etc/catalog.ini
[mail]
from = Rejestracja ROPS <rejestracja@rops.example.pl>
domain = rops.example.pl
[smtp]
url = smtp://127.0.0.1:$PORT
starttls = false
CONF
"$MAILREG" -c "$T/etc/mailreg.conf" init >/dev/null
# One real confirmation, padded to SIZE with its own text, then COUNT copies
# with distinct Message-IDs and recipients.
"$MAILREG" -c "$T/etc/mailreg.conf" ingest "$ROOT/tests/data/pipeline/valid-8bit.eml" >/dev/null 2>&1
python3 - "$T/var/mailreg.db" "$COUNT" "$SIZE" <<'PY'
import sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1]); count = int(sys.argv[2]); size = int(sys.argv[3])
raw, = db.execute("SELECT b.raw FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id"
                  " WHERE o.kind = 'confirmation'").fetchone()
head, body = raw.split(b"\n\n", 1)
pad = (b"Prosimy o zachowanie kodu zgloszenia - ulatwi kontakt w sprawie zgloszenia.=\n" * (size // 70 + 1))
raw = head + b"\n\n" + (body + pad)[:max(0, size - len(head) - 2)] + b"\n"
old = db.execute("SELECT message_id FROM outbox").fetchone()[0].encode()
db.execute("DELETE FROM outbox_bodies")
db.execute("DELETE FROM outbox")
for i in range(count):
    mid = "%s@rops.example.pl" % uuid.uuid4()
    cur = db.execute("INSERT INTO outbox (message_id, kind, rcpt, subject, created_at) VALUES (?, ?, ?, ?,"
                     " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                     (mid, "confirmation", "applicant%d@example.pl" % i, "Potwierdzenie"))
    db.execute("INSERT INTO outbox_bodies (outbox_id, raw) VALUES (?, ?)",
               (cur.lastrowid, raw.replace(old, mid.encode())))
db.commit()
PY
avg=$(sqlite3 "$T/var/mailreg.db" "SELECT avg(length(raw)) FROM outbox_bodies")
# the 200 MB just queued would otherwise be written back while mailreg runs
sync

now() { date +%s.%N; }
t0=$(now)
${PERF:-} /usr/bin/time -f "mailreg send cpu: user %U s, sys %S s" "$MAILREG" -c "$T/etc/mailreg.conf" send >"$T/send.out" 2>"$T/send.err"; tail -1 "$T/send.err"
t1=$(now)
sent=$(sqlite3 "$T/var/mailreg.db" "SELECT count(*) FROM outbox WHERE state = 'sent'")
t2=$(now)
"$SOURCE" -d -s 1 -m "$COUNT" -l "$SIZE" -f rejestracja@rops.example.pl -t applicant@example.pl \
	127.0.0.1:"$PORT" >/dev/null 2>&1
t3=$(now)
python3 - "$t0" "$t1" "$t2" "$t3" "$COUNT" "$sent" "$avg" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5]); count, sent, avg = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
m, s = t1 - t0, t3 - t2
print("messages: %d of about %.0f bytes (mailreg sent %d)" % (count, avg, sent))
print("mailreg send:  %7.2f s  (%6.0f msg/s)" % (m, count / m))
print("smtp-source:   %7.2f s  (%6.0f msg/s)" % (s, count / s))
print("ratio: %.2fx (target <= 1.5x)" % (m / s))
PY

#!/bin/sh
# 0201-smtp-delivery: 200 confirmations over SMTP to a real receiver on
# 127.0.0.1, one connection, with the right envelope, headers and CRLF bytes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

plan 12

make_instance
smtp_start
smtp_config "envelope_from = bounces@rops.example.pl"
applicants 200 "$T/in"
mr ingest "$T/in" >/dev/null 2>&1
# Seats are limited: whoever finds an event full gets a waitlist note.
is "$(sql "SELECT count(*) FROM outbox WHERE kind IN ('confirmation','waitlist') AND state = 'queued'")" 200 "200 confirmations queued"

mr send >"$T/send.out" 2>"$T/send.err"
is "$?" 0 "send exits 0"
like "$(cat "$T/send.out")" "^sent 200, deferred 0, failed 0 \(smtp transport: smtp://127.0.0.1:$SMTP_PORT\)" "send reports 200 sent over smtp"
is "$(rx_count)" 200 "the receiver stored 200 messages"
is "$(sql "SELECT count(*) FROM outbox WHERE state = 'sent' AND attempts = 1 AND last_code = 250 AND last_error LIKE '250 2.0.0 OK: queued as %'")" 200 \
	"every row sent after one attempt, the server's 250 reply kept"

# Envelope: MAIL FROM is envelope_from, RCPT TO the applicant, EHLO our domain.
is "$("$PY" - "$RX" <<'PY'
import json, os, sys
d = sys.argv[1]
envs = [json.load(open(os.path.join(d, n))) for n in sorted(os.listdir(d)) if n.endswith(".json")]
print(len({e["mail_from"] for e in envs}), envs[0]["mail_from"], envs[0]["helo"],
      sorted(len(e["rcpt_tos"]) for e in envs)[-1],
      len({e["rcpt_tos"][0] for e in envs}), len({tuple(e["peer"]) for e in envs}))
PY
)" "1 bounces@rops.example.pl rops.example.pl 1 200 1" "envelope: one sender (envelope_from), EHLO domain, one distinct recipient per message, one connection"

# Each message on the wire is the stored one with CRLF line ends, and the
# envelope recipient is the To header.
is "$("$PY" - "$RX" "$T/var/mailreg.db" <<'PY'
import email, email.policy, json, os, sqlite3, sys
d, db = sys.argv[1], sys.argv[2]
stored = {mid: raw for mid, raw in sqlite3.connect(db).execute(
    "SELECT o.message_id, b.raw FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id")}
same = to_ok = 0
for n in sorted(os.listdir(d)):
    if not n.endswith(".eml"):
        continue
    wire = open(os.path.join(d, n), "rb").read()
    m = email.message_from_bytes(wire, policy=email.policy.default)
    mid = m["Message-ID"].strip("<>")
    same += stored[mid].replace(b"\n", b"\r\n") == wire
    env = json.load(open(os.path.join(d, n[:-4] + ".json")))
    to_ok += env["rcpt_tos"] == [m["To"].addresses[0].addr_spec]
print(same, to_ok)
PY
)" "200 200" "the bytes on the wire are the queued message with CRLF; RCPT TO matches To"

check "every message passes the strict checks (Python email, CRLF, 998/78, RFC 2047, QP UTF-8, Auto-Submitted)" \
	"$PY" "$ROOT/tests/check-mail.py" --crlf "$RX"/*.eml

is "$(grep -c 'sent confirmation\|sent waitlist' "$T/send.err")" 200 "one log line per message sent"
mr send >"$T/send2.out" 2>&1
like "$(cat "$T/send2.out") $(rx_count)" "^sent 0, deferred 0, failed 0 .* 200\$" "a second send sends nothing"

mr outbox >"$T/outbox.out"
like "$(head -1 "$T/outbox.out")" '^sent +confirmation .* attempts=1 reply="250 2.0.0 OK: queued as [0-9]+"' \
	"outbox shows the server's reply"
mr outbox --json >"$T/outbox.json"
is "$("$PY" -c 'import json, sys; d = json.load(sys.stdin); print({type(o["last_code"]).__name__ for o in d}, {o["last_code"] for o in d})' <"$T/outbox.json")" \
	"{'int'} {250}" "outbox --json: last_code is a number"
done_testing

#!/bin/sh
# 0209-smtp-pipelining: the SMTP transaction mailreg speaks itself on libcurl's
# connection.  With PIPELINING the envelope leaves in one write, without it one
# command at a time; dots are stuffed and every line ends in CRLF; a refused
# recipient does not spoil the connection for the next message; addresses that
# would change an SMTP command never reach one; IDN domains go as IDNA.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

plan 14

make_instance
smtp_start
smtp_config "envelope_from = bounces@rops.example.pl"

# queue KIND RCPT RAW-FILE - put a message straight into the outbox.
queue() {
	"$PY" - "$T/var/mailreg.db" "$1" "$2" "$3" <<'PY'
import sqlite3, sys, uuid
db, kind, rcpt, raw = sqlite3.connect(sys.argv[1]), sys.argv[2], sys.argv[3], open(sys.argv[4], "rb").read()
mid = "%s@rops.example.pl" % uuid.uuid4()
cur = db.execute("INSERT INTO outbox (message_id, kind, rcpt, subject, created_at)"
                 " VALUES (?, ?, ?, 'Test', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", (mid, kind, rcpt))
db.execute("INSERT INTO outbox_bodies (outbox_id, raw) VALUES (?, ?)",
           (cur.lastrowid, raw.replace(b"@MID@", mid.encode())))
db.commit()
PY
}

# Lines that start with dots, a CRLF line among LF ones, no final line end.
printf 'From: Rejestracja <rejestracja@rops.example.pl>\nTo: a@example.pl\nSubject: Kropki\nMessage-ID: <@MID@>\n\n.\n..dwie\n.jedna\r\nzwykla\n\n.\n. spacja' >"$T/dots.eml"
queue confirmation dots@example.pl "$T/dots.eml"
printf 'From: Rejestracja <rejestracja@rops.example.pl>\nTo: x@example.pl\nSubject: Zwykla\nMessage-ID: <@MID@>\n\nTresc.\n' >"$T/plain.eml"
queue confirmation tempfail4xx-1@example.pl "$T/plain.eml"
queue confirmation after-refusal@example.pl "$T/plain.eml"
queue confirmation 'evil@example.pl>
RCPT TO:<injected@example.pl' "$T/plain.eml"
queue confirmation 'spacja w@example.pl' "$T/plain.eml"
queue confirmation 'jan@żółw.example.pl' "$T/plain.eml"
queue confirmation 'żaneta@example.pl' "$T/plain.eml"

mr send >"$T/send.out" 2>"$T/send.err"
is "$?" 75 "send exits 75 (EX_TEMPFAIL): a message is deferred"
like "$(cat "$T/send.out")" "^sent 3, deferred 1, failed 3 " "3 sent, the 451 deferred, 3 unusable addresses failed"

# the stored bytes are the data after unstuffing: the message with CRLF
is "$("$PY" - "$RX" "$T/dots.eml" <<'PY'
import json, os, sys
d, src = sys.argv[1], open(sys.argv[2], "rb").read()
for n in sorted(os.listdir(d)):
    if n.endswith(".json") and json.load(open(os.path.join(d, n)))["rcpt_tos"] == ["dots@example.pl"]:
        got = open(os.path.join(d, n[:-5] + ".eml"), "rb").read()
        want = src.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + b"\r\n"
        print("same" if got.split(b"\r\n\r\n", 1)[1] == want.split(b"\r\n\r\n", 1)[1] else repr(got))
PY
)" "same" "lines starting with dots arrive as they were, every line end CRLF"

is "$("$PY" - "$RX" <<'PY'
import json, os, sys
d = sys.argv[1]
envs = [json.load(open(os.path.join(d, n))) for n in sorted(os.listdir(d)) if n.endswith(".json")]
print(sorted(r for e in envs for r in e["rcpt_tos"]), all(e["pipelined"] for e in envs),
      len({tuple(e["peer"]) for e in envs}))
PY
)" "['after-refusal@example.pl', 'dots@example.pl', 'jan@xn--w-uga1v8h.example.pl'] True 1" \
	"pipelined envelopes; the IDN domain as IDNA; after a refused RCPT the next message goes on the same connection"
is "$(sql "SELECT state || ' ' || last_code FROM outbox WHERE rcpt = 'tempfail4xx-1@example.pl'")" "deferred 451" \
	"the refused recipient is deferred with the server's 451"
like "$(sql "SELECT state || ' ' || last_error FROM outbox WHERE rcpt LIKE 'evil@%'")" \
	'^failed .*cannot be used in SMTP' "an address with a line break fails and never reaches a command"
check "nothing was injected" sh -c "! grep -rq injected '$RX'"
like "$(sql "SELECT state || ' ' || last_error FROM outbox WHERE rcpt = 'spacja w@example.pl'")" \
	'^failed .*cannot be used in SMTP' "an address with a space fails"
like "$(sql "SELECT state || ' ' || last_error FROM outbox WHERE rcpt = 'żaneta@example.pl'")" \
	'^failed .*SMTPUTF8' "a UTF-8 local part fails when the server has no SMTPUTF8"

# Without PIPELINING: one command at a time, the same result.
smtp_stop
rm -rf "$RX"
smtp_start --no-pipelining
sql "UPDATE outbox SET state = 'queued', next_attempt_at = 0 WHERE rcpt IN ('dots@example.pl', 'after-refusal@example.pl')"
queue confirmation tempfail4xx-2@example.pl "$T/plain.eml"
queue confirmation last@example.pl "$T/plain.eml"
mr send >"$T/send2.out" 2>"$T/send2.err"
like "$(cat "$T/send2.out")" "^sent 6, deferred 1, failed 0 " \
	"without PIPELINING: 3 sent and the 3 staff notices of the failures, the 451 deferred"
is "$("$PY" - "$RX" <<'PY'
import json, os, sys
d = sys.argv[1]
envs = [json.load(open(os.path.join(d, n))) for n in sorted(os.listdir(d)) if n.endswith(".json")]
print(sorted(r for e in envs for r in e["rcpt_tos"] if not r.startswith("kadry@")),
      any(e["pipelined"] for e in envs), len({tuple(e["peer"]) for e in envs}))
PY
)" "['after-refusal@example.pl', 'dots@example.pl', 'last@example.pl'] False 1" \
	"one command at a time, one connection, the message after the refusal delivered"
check "the line break of the hostile address reaches no log line either (made ?)" sh -c "! grep -q '^RCPT TO' '$T/send.err' '$T/send2.err'"
check "the receiver saw no broken command" sh -c "test -f '$T/rx.log' && ! grep -q '^broken command' '$T/rx.log'"
# the check above can fail: a broken command by hand is seen
"$PY" -c 'import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1])); s.ehlo("t"); s.docmd("FROB"); s.quit()' "$SMTP_PORT"
like "$(grep '^broken command' "$T/rx.log")" "^broken command: 500 .*FROB" \
	"the receiver logs a broken command (one it does not know)"
done_testing

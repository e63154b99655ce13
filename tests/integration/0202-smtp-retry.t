#!/bin/sh
# 0202-smtp-retry: Postfix's queue over a real receiver - 4xx deferred and
# retried on the schedule (MAILREG_NOW steps the clock), 5xx failed with one
# staff notice, a receiver that is down, the 4-hour warning and max_lifetime.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

plan 29

T0="2014-03-01T10:00:00"
epoch() { date -d "$1" +%s; }
at() { date -d "@$(( $(epoch "$T0") + $1 ))" +%Y-%m-%dT%H:%M:%S; }   # at SECONDS after T0
send_at() { MAILREG_NOW=$(at "$1") mr send >"$T/send.out" 2>"$T/send.err"; }
row() { sql "SELECT state || ' ' || attempts || ' ' || coalesce(last_code, '-') FROM outbox WHERE rcpt LIKE '$1%'"; }

make_instance
smtp_start
smtp_config
export MAILREG_NOW=$T0

# --- 4xx, then success after the retry time --------------------------------------
applicants 1 "$T/a" "zofia.gesla."
mr ingest "$T/a" >/dev/null 2>&1
echo "rcpt 451 4.3.0 Mailbox busy, try later" >"$RX_CONTROL"
send_at 0
is "$?" 75 "4xx: send exits 75 (EX_TEMPFAIL)"
is "$(row zofia) $(rx_count)" "deferred 1 451 0" "4xx: deferred after 1 attempt, code 451 kept, nothing stored"
is "$(sql "SELECT next_attempt_at FROM outbox")" "$(( $(epoch "$T0") + 300 ))" "4xx: next attempt 300 s later (Postfix minimal_backoff_time)"
like "$(sql "SELECT last_error FROM outbox")" "^451 4.3.0 Mailbox busy" "4xx: the server's text kept"
mr outbox >"$T/outbox.out"
like "$(cat "$T/outbox.out")" "^deferred confirmation .* attempts=1 next=2014-03-01T09:05:00Z reply=\"451 4.3.0 Mailbox busy" \
	"outbox shows the next attempt and the reply"
rm -f "$RX_CONTROL"
send_at 299
is "$(head -1 "$T/send.out") $(rx_count)" "sent 0, deferred 0, failed 0 (smtp transport: smtp://127.0.0.1:$SMTP_PORT) 0" \
	"before the retry time nothing is sent"
send_at 300
is "$? $(row zofia) $(rx_count)" "0 sent 2 250 1" "at the retry time: delivered once, after 2 attempts"

# --- Exchange's 432 is temporary too; 5xx fails with one staff notice -------------
applicants 1 "$T/b" "tempfail432."
applicants 1 "$T/c" "perm5xx."
sed -i 's/app-1\./app-432./' "$T/b/m1.eml"
sed -i 's/app-1\./app-550./' "$T/c/m1.eml"
mr ingest "$T/b" "$T/c" >/dev/null 2>&1
send_at 400
is "$(row tempfail432)" "deferred 1 432" "432: deferred"
is "$(row perm5xx)" "failed 1 550" "550: failed at once, code kept"
like "$(sql "SELECT last_error FROM outbox WHERE rcpt LIKE 'perm5xx%'")" "^permanent failure: 550 5.1.1 <perm5xx.1@" "550: reason and server text kept"
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'staff' AND subject LIKE '%Nie doręczono%perm5xx.1@%'")" 1 "550: one staff notice queued"
like "$(cat "$T/send.err")" "failed confirmation to perm5xx.1@" "550: logged as failed"
send_at 401
is "$(sql "SELECT state FROM outbox WHERE kind = 'staff'")" "sent" "the staff notice is delivered by the next run"
like "$("$PY" -c '
import email, email.policy, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    if "Nie doręczono" in m["Subject"]:
        print(m["To"], "|", m["Subject"], "|", m.get_content())' "$RX" | tr '\n' ' ')" "^kadry@rops.example.pl \| .*perm5xx.1@.*550 5.1.1" \
	"the notice, to staff, names the address and the server's 550 reply"
send_at 172800
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'staff' AND subject LIKE '%Nie doręczono%'") $(row perm5xx)" "1 failed 1 550" "a failed row is never retried nor noticed again"

# --- the receiver is down: deferred, delivered when it is back --------------------
sql "DELETE FROM outbox WHERE rcpt LIKE 'tempfail432%'"
applicants 3 "$T/d" "down."
sed -i 's/app-\([0-9]\)\./app-down-\1./' "$T"/d/*.eml
mr ingest "$T/d" >/dev/null 2>&1
smtp_stop
send_at 259200
is "$? $(sql "SELECT group_concat(state || '/' || attempts || '/' || coalesce(last_code, 0)) FROM outbox WHERE rcpt LIKE 'down.%'")" \
	"75 deferred/1/0,deferred/1/0,deferred/1/0" "receiver down: all three deferred, no reply code"
like "$(sql "SELECT last_error FROM outbox WHERE rcpt LIKE 'down.1@%'")" "onnect" "receiver down: the connection error is kept"
smtp_start
send_at 259500
is "$? $(sql "SELECT group_concat(state) FROM outbox WHERE rcpt LIKE 'down.%'")" "0 sent,sent,sent" "receiver back: all three delivered at the retry time"

# --- always 4xx: warned once after 4 h, failed after max_lifetime (5 d) -------------
applicants 1 "$T/e" "tempfail4xx."
sed -i 's/app-1\./app-late./' "$T/e/m1.eml"
MAILREG_NOW=$(at 864000) mr ingest "$T/e" >/dev/null 2>&1
staff() { sql "SELECT count(*) FROM outbox WHERE kind = 'staff' AND subject LIKE '%$1%tempfail4xx%'"; }
send_at 864000
send_at 864300
send_at 864900
is "$(row tempfail4xx) $(staff Opóźnione)" "deferred 3 451 0" "4xx: three attempts, no warning before 4 h"
is "$(sql "SELECT next_attempt_at - $(epoch "$(at 864900)") FROM outbox WHERE rcpt LIKE 'tempfail4xx%'")" 1200 \
	"backoff doubles: 300, 600, 1200"
send_at 878400
is "$(staff Opóźnione)" 1 "after 4 h staff are warned"
send_at 885600
send_at 892800
is "$(staff Opóźnione) $(sql "SELECT next_attempt_at - $(epoch "$(at 892800)") FROM outbox WHERE rcpt LIKE 'tempfail4xx%'")" \
	"1 4000" "warned only once; backoff capped at 4000 s"
send_at 1292400
is "$(row tempfail4xx | cut -d' ' -f1)" "deferred" "still deferred before 5 days"
send_at 1296000
is "$(row tempfail4xx | cut -d' ' -f1)" "deferred" "at 5 days the next attempt is not due yet (Postfix: returned at the next attempt)"
send_at 1300000
is "$(row tempfail4xx | cut -d' ' -f1) $(staff 'Nie doręczono')" "failed 1" "after max_lifetime (5 d): failed, one staff notice"
like "$(sql "SELECT last_error FROM outbox WHERE rcpt LIKE 'tempfail4xx%'")" "^undelivered after [0-9]+ attempts in 5 d 1 h \(max_lifetime\): 451 4.3.0" \
	"the reason names the lifetime and the last reply"

# --- retry_schedule and max_lifetime from the configuration -------------------------
sed -i 's/^starttls = false$/starttls = false\nretry_schedule = 1m, 2m\nmax_lifetime = 10m/' "$T/etc/mailreg.conf"
applicants 1 "$T/f" "tempfail4xx.sched."
sed -i 's/app-1\./app-sched./' "$T/f/m1.eml"
MAILREG_NOW=$(at 1728000) mr ingest "$T/f" >/dev/null 2>&1
send_at 1728000
n1=$(sql "SELECT next_attempt_at FROM outbox WHERE rcpt LIKE 'tempfail4xx.sched%'")
send_at 1728060
n2=$(sql "SELECT next_attempt_at FROM outbox WHERE rcpt LIKE 'tempfail4xx.sched%'")
send_at 1728180
n3=$(sql "SELECT next_attempt_at FROM outbox WHERE rcpt LIKE 'tempfail4xx.sched%'")
is "$((n1 - $(epoch "$(at 1728000)"))) $((n2 - n1)) $((n3 - n2))" "60 120 120" "retry_schedule = 1m, 2m: 60 s, then 120 s repeated"
send_at 1728600
is "$(row tempfail4xx.sched | cut -d' ' -f1)" "failed" "max_lifetime = 10m: failed after 10 minutes"
sed -i 's/^retry_schedule = .*/retry_schedule = soon/' "$T/etc/mailreg.conf"
out=$(mr outbox 2>&1)
like "$? $(printf '%s' "$out" | tr '\n' ' ')" "^78 .*\[smtp\] retry_schedule" "a bad retry_schedule is a configuration error: exit 78, the key named"
done_testing

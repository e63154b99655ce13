#!/bin/sh
# 0407-server-faults: `mailreg run` while its servers misbehave.  Part 1: the
# SMTP receiver answers 452 (RCPT), 451 or 421-and-close (end of DATA) for a
# random 30 % of the transactions: each reply is deferred with the code shown
# in `mailreg outbox`, retried, and received once.  Part 2: 100 more
# applications while Dovecot is stopped and started again, then the SMTP
# receiver: every message recorded once, every reply received, the daemon
# never exits and logs each failure a bounded number of times.  The poll
# interval is 10 minutes, so a retry must come from the back-off, not from
# the next poll.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
. "$(dirname "$0")/smtp.sh"
plan 16

make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; exit 1; }
smtp_start --fail-share 0.3 --seed 8
imap_conf "poll_interval = 600"
smtp_config "retry_schedule = 3s"
# The daemon tries a failed step again after at most [limits] max_backoff:
# 10 s here, so how long its back-off grew while a server was down (that
# depends on the machine's speed) costs at most 10 s after the server is back.
printf '\n[limits]\nmax_backoff = 10s\n' >>"$T/etc/mailreg.conf"
applicants 140 "$T/in"
# The bound of the waits for work after an outage, generous for a loaded
# machine; a wait ends as soon as its state holds.
RETRY=300

settled() {   # N messages recorded, INBOX empty, nothing waiting, every reply received
	[ "$(sql "SELECT count(*) FROM messages")" -ge "$1" ] && [ "$(imap_count INBOX)" = 0 ] &&
		[ "$(sql "SELECT count(*) FROM outbox WHERE state <> 'sent'")" = 0 ] &&
		[ "$(rx_tally | cut -d' ' -f4)" = 0 ]
}
alive() { kill -0 "$pid" 2>/dev/null; }

notify_listen
"$MAILREG" -c "$T/etc/mailreg.conf" run >"$T/run.out" 2>"$T/run.err" &
pid=$!
at_exit "kill $pid 2>/dev/null"

# --- part 1: 4xx at random ------------------------------------------------------------
for i in $(seq 1 40); do append "$T/in/m$i.eml"; done
# a deferred row keeps its reply for the 3 s until the retry: look while it waits
: >"$T/deferred"
n=0
while [ $n -lt 900 ] && ! settled 40; do
	mr outbox | grep '^deferred ' >>"$T/deferred"
	sleep 0.1
	n=$((n + 1))
done
check "part 1: 40 recorded and every reply delivered" settled 40
faults=$(grep -c '^fault ' "$T/rx.log")
like "$(grep -o '^fault 4[0-9][0-9]' "$T/rx.log" | sort -u | tr '\n' ' ')" "^fault 421 fault 451 fault 452 $" \
	"the receiver failed $faults transactions with each of 421, 451 and 452"
like "$(grep -o 'reply="4[0-9][0-9]' "$T/deferred" | sort -u | tr '\n' ' ')" '^(reply="4(21|51|52) )+$' \
	"mailreg outbox shows deferred replies with the server's code ($(grep -o 'reply="4[0-9][0-9]' "$T/deferred" | sort -u | tr -d 'reply="' | tr '\n' ' '))"
# after a 421 the next message may find the connection closed: one more
# deferral, with the connection error (the 421 close may cause a retry)
extra=$(sql "SELECT sum(attempts - 1) FROM outbox")
ok "$([ "$extra" -ge "$faults" ] && echo 0 || echo 1)" \
	"each injected failure retried ($extra attempts beyond the first for $faults failures)"
set -- $(rx_tally)
is "$2 $3 $4" "$(sql "SELECT count(*) FROM outbox") 0 0" "each reply received exactly once ($1 stored, $3 duplicates)"

# --- part 2: the servers go away while mail flows ----------------------------------------
# Still polling every 10 minutes.  Dovecot stops while the daemon idles with
# nothing else due (every reply sent, a round reported after the last
# message): when its IDLE connection breaks it pauses a few seconds and ends
# the round, so the next intake notices the failure, not the next poll.
smtp_stop
smtp_start
for i in $(seq 41 70); do append "$T/in/m$i.eml"; done
wait_for $RETRY settled 70
wait_for $RETRY grep -Eq 'STATUS=70 messages taken, [0-9]+ replies sent, 0 waiting' "$T/notify.log"
failed=$(grep -c 'intake failed' "$T/run.err")
dovecot_stop
# the daemon notices (its IDLE connection ends), logs it and goes on: a round
# ends after the failure
intake_failed() { [ "$(grep -c 'intake failed' "$T/run.err")" -gt "$failed" ]; }
wait_for $RETRY intake_failed
r=$(rounds)
wait_for $RETRY rounds_past "$r"
check "the daemon lives through Dovecot's stop (intake failure logged, $(( $(rounds) - r )) round after)" \
	sh -c "[ $(rounds) -gt $r ] && kill -0 $pid"
dovecot_start || { echo "Bail out! dovecot did not start again"; exit 1; }
for i in $(seq 71 100); do append "$T/in/m$i.eml"; done
wait_for $RETRY recorded 75
smtp_stop
for i in $(seq 101 140); do append "$T/in/m$i.eml"; done
check "all 140 recorded while the SMTP receiver is down" wait_for $RETRY recorded 140
check "the daemon lives through the receiver's stop" alive
smtp_start
check "after both restarts: INBOX empty, every reply delivered" wait_for $RETRY settled 140
check "the daemon never exited" alive

is "$(mr messages --json | "$PY" -c 'import json, sys; m = [r["message_id"] for r in json.load(sys.stdin)]; print(len(m), len(set(m)))')" \
	"140 140" "mailreg messages: 140 messages, each recorded once"
is "$(sql "SELECT count(*) FROM imap_messages WHERE state = 'pending'") $(ls "$T/spool/new" | wc -l | tr -d ' ')" "0 0" \
	"nothing pending in the journal, spool new/ empty"
set -- $(rx_tally)
# the receiver stopped with SIGTERM may have stored a message whose 250 never
# reached mailreg: that one comes twice, nothing else may
like "$2 $3 $4" "^$(sql "SELECT count(*) FROM outbox") [01] 0$" "each reply received ($1 stored, $3 duplicates)"
# each outage is reported once when it starts and once when it ends, not per retry
# no tight loop: an outage is logged when it starts and when it ends, a
# deferral once per attempt (every 3 s); everything else is a handful of lines
[ -n "${SHOW_LOG:-}" ] && sed "s/^/#   run: /" "$T/run.err" | tail -60
other=$(grep -vc ' registered imap UID \| deliver: sent \| deliver: deferred ' "$T/run.err")
deferred=$(grep -c ' deliver: deferred ' "$T/run.err")
ok "$([ "$other" -le 20 ] && echo 0 || echo 1)" \
	"no error loop in the log: $other lines besides $deferred deferrals (one per attempt) and the messages"
waits=$(grep -o 'temporary; next try in [0-9]* s' "$T/run.err" | grep -o '[0-9]*' | sort -n | uniq | tr '\n' ' ')
like "$waits" '^(([0-9]|10) )+$' "the retries after the outages waited 5 s doubling, never longer than max_backoff 10s ($waits)"
kill -TERM "$pid"
wait "$pid"
is $? 0 "SIGTERM: exit 0"
done_testing

#!/bin/sh
# `mailreg run` against the real Dovecot and SMTP receiver: 100 applications
# arrive while it runs, the reply template changes with SIGHUP, the SMTP
# receiver is down for a while, then SIGTERM.  All 100 recorded once, every
# reply delivered once the receiver is back, the new template used after the
# reload, exit 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
. "$(dirname "$0")/smtp.sh"
plan 12

make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; exit 1; }
smtp_start
mkdir -p "$T/tpl"
cp "$ROOT"/templates/*.txt "$ROOT"/templates/form.ini "$T/tpl/"
sed -i "s|^templates = .*|templates = $T/tpl|" "$T/etc/mailreg.conf"
imap_conf "poll_interval = 5"
smtp_config "retry_schedule = 1s 2s"
applicants 100 "$T/in"

received() { [ "$(rx_count)" -ge "$1" ]; }
replies() { sql "SELECT count(*) FROM outbox WHERE kind <> 'staff'"; }

for i in $(seq 1 40); do append "$T/in/m$i.eml"; done
"$MAILREG" -c "$T/etc/mailreg.conf" run >"$T/run.out" 2>"$T/run.err" &
pid=$!
at_exit "kill $pid 2>/dev/null"
check "the first 40 recorded" wait_for 60 recorded 40
check "and answered" wait_for 60 received 40

# new template, reloaded while running
sed -i 's/^Subject: Potwierdzenie zgłoszenia/Subject: Potwierdzenie zgłoszenia (po zmianie)/' "$T/tpl/confirmation.txt"
kill -HUP "$pid"
check "reload logged" wait_for 10 grep -q "configuration and templates reloaded" "$T/run.err"

# the receiver goes away; 60 more arrive meanwhile
smtp_stop
for i in $(seq 41 100); do append "$T/in/m$i.eml"; done
check "all 100 recorded while SMTP is down" wait_for 90 recorded 100
# the replies to the new 60 are tried while the receiver is down: deferred
check "replies deferred while the receiver is down" wait_for 60 grep -q ' deliver: deferred ' "$T/run.err"
smtp_start
check "every reply delivered once the receiver is back" wait_for 90 received "$(replies)"

kill -TERM "$pid"
wait "$pid"
is $? 0 "SIGTERM: exit 0"

is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM messages")" "100 100" "100 messages, each recorded once"
is "$(sql "SELECT count(*) FROM outbox WHERE state <> 'sent'")" 0 "nothing left in the queue"
is "$(rx_count)" "$(sql "SELECT count(*) FROM outbox")" "each reply received exactly once"
is "$(sql "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.inbound_id
           WHERE o.kind = 'confirmation' AND o.subject LIKE '%(po zmianie)%'
           AND CAST(substr(m.message_id, 5) AS INTEGER) > 40")" \
   "$(sql "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.inbound_id
           WHERE o.kind = 'confirmation' AND CAST(substr(m.message_id, 5) AS INTEGER) > 40")" \
   "replies composed after the reload use the new template"
after=$(sql "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.inbound_id
             WHERE o.kind = 'confirmation' AND o.subject LIKE '%(po zmianie)%'")
ok "$([ "$after" -gt 0 ] && echo 0 || echo 1)" "some confirmations ($after) were composed after the reload"
done_testing

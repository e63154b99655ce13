#!/bin/sh
# `mailreg run` queues and sends the reminders due, next to intake and
# delivery: a participant of the central info meeting (6 March 2014) gets the
# one-day reminder from a daemon whose clock says 5 March.
. "$(dirname "$0")/lib.sh"
plan 4

make_instance
mkdir -p "$T/inbox"
sed -i "/^\[paths\]/a inbox = ../inbox\ninbox_poll_interval = 1" "$T/etc/mailreg.conf"
MAILREG_NOW=2014-02-20T09:00 mr ingest "$DATA/pipeline/valid-8bit.eml" >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id
           WHERE e.code = 'INFO-CEN' AND r.status = 'confirmed'")" 1 "confirmed for INFO-CEN"

notify_listen
MAILREG_NOW=2014-03-05T12:00 "$MAILREG" -c "$T/etc/mailreg.conf" run >/dev/null 2>"$T/run.err" &
pid=$!
at_exit "kill $pid 2>/dev/null"
sent_reminder() { [ "$(sql "SELECT count(*) FROM outbox WHERE kind = 'reminder' AND state = 'sent'")" -ge 1 ]; }
wait_for 20 sent_reminder
ok $? "the daemon queued and delivered the reminder"
kill -TERM "$pid"
wait "$pid"
# a restarted daemon does not send it again: stopped after a whole round
# (reminders, then delivery), which it reports to the service manager
r=$(rounds)
MAILREG_NOW=2014-03-05T12:30 "$MAILREG" -c "$T/etc/mailreg.conf" run >/dev/null 2>>"$T/run.err" &
pid=$!
check "the restarted daemon finishes a round" wait_for 60 rounds_past "$r"
kill -TERM "$pid"
wait "$pid"
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'reminder'")" 1 "after a restart: still one reminder"
done_testing

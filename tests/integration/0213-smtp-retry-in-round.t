#!/bin/sh
# 0213-smtp-retry-in-round: `mailreg run` delivers a batch; the first reply is
# deferred (451 at RCPT, next attempt 3 s later) and the next one is held at
# the end of DATA until the first is due.  When the batch ends, the deferred
# reply is due: the daemon comes back for it at once, not after the poll
# interval (10 minutes here).  The receiver holds the batch until the test
# sees the reply due in the database: no timing in the test.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"
plan 4

make_instance
mkdir -p "$T/inbox"
sed -i "/^\[paths\]/a inbox = ../inbox\ninbox_poll_interval = 600" "$T/etc/mailreg.conf"
smtp_start
smtp_config "retry_schedule = 3s"
applicants 2 "$T/a"
sed -i 's/zofia\.gesla\.1@/tempfailonce.1@/g' "$T/a/m1.eml"
mr ingest "$T/a/m1.eml" "$T/a/m2.eml" >/dev/null 2>&1
echo pause >"$RX_CONTROL"

notify_listen
"$MAILREG" -c "$T/etc/mailreg.conf" run >/dev/null 2>"$T/run.err" &
pid=$!
at_exit "kill $pid 2>/dev/null"

state() { sql "SELECT state FROM outbox WHERE rcpt LIKE '$1%'"; }
deferred() { [ "$(state tempfailonce)" = deferred ]; }
due() { [ "$(sql "SELECT next_attempt_at FROM outbox WHERE rcpt LIKE 'tempfailonce%'")" -lt "$(date +%s)" ]; }
check "the first reply is deferred by the 451 while the batch goes on" wait_for 120 deferred
wait_for 120 due
is "$(state tempfailonce) $(rx_count) $(rounds) $(due && echo due)" "deferred 0 0 due" \
	"its next attempt has come while the second waits for the end of DATA"
rm -f "$RX_CONTROL"
sent() { [ "$(state tempfailonce)" = sent ] && [ "$(rx_count)" = 2 ]; }
check "the deferred reply is sent by the next round, not after the poll interval" wait_for 60 sent
kill -TERM "$pid"
wait "$pid"
is $? 0 "SIGTERM: exit 0"
done_testing

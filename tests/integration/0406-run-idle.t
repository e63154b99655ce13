#!/bin/sh
# `mailreg run` waits for new mail with IMAP IDLE: with a poll interval of
# 10 minutes, a message appended while it waits is recorded at once (the wait
# here is bounded at 30 s, far below the interval).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
plan 3

make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; exit 1; }
imap_conf "poll_interval = 600"
MAILREG_IMAP_DEBUG=1 "$MAILREG" -c "$T/etc/mailreg.conf" run >/dev/null 2>"$T/run.err" &
pid=$!
at_exit "kill $pid 2>/dev/null"
# the first pass is done and the server has taken the IDLE ("+" after it)
idling() { awk '/^> M[0-9]+ IDLE/ { i = 1 } i && /^< \+/ { f = 1 } END { exit !f }' "$T/run.err"; }
check "the daemon waits in IDLE" wait_for 60 idling
sed "s/^Message-ID: <\(.*\)>/Message-ID: <idle-\1>/" "$DATA/pipeline/valid-8bit.eml" >"$T/m.eml"
append "$T/m.eml"
n=300
while [ $n -gt 0 ] && [ "$(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'idle-%'")" != 1 ]; do
	sleep 0.1
	n=$((n - 1))
done
is "$(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'idle-%'")" 1 "the appended message is recorded while run waits"
kill -TERM "$pid"
wait "$pid"
is $? 0 "SIGTERM ends the IDLE wait: exit 0"
done_testing

#!/bin/sh
# 0203-smtp-crash: kill -9 during an SMTP batch loses nothing; the one message
# in the window between the server's acceptance and our record may arrive twice.
. "$(dirname "$0")/lib.sh"
need_faults
. "$(dirname "$0")/smtp.sh"

plan 10

# dupes - Message-IDs received more than once, and how many distinct ones.
dupes() {
	"$PY" - "$RX" <<'PY'
import collections, email, email.policy, glob, sys
c = collections.Counter()
for f in glob.glob(sys.argv[1] + "/*.eml"):
    c[email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)["Message-ID"]] += 1
print(len(c), sum(n - 1 for n in c.values()))
PY
}

make_instance
smtp_start
smtp_config
applicants 50 "$T/a"
mr ingest "$T/a" >/dev/null 2>&1

# --- killed right after the 20th 250 reply, before the row is marked -------------
MAILREG_FAULT=smtp-after-accept:20 mr send >/dev/null 2>&1
is "$?" 137 "smtp-after-accept:20: send is killed"
is "$(rx_count) $(sql "SELECT count(*) FROM outbox WHERE state = 'sent'") $(sql "SELECT count(*) FROM outbox WHERE sending_since IS NOT NULL")" \
	"20 19 1" "the server has 20, 19 rows are marked sent, one is journalled in flight"
mr send >/dev/null 2>"$T/send.err"
is "$? $(sql "SELECT count(*) FROM outbox WHERE state = 'sent'")" "0 50" "the next send delivers the rest: all 50 sent"
is "$(dupes)" "50 1" "all 50 Message-IDs arrived; exactly one twice (the one in the window)"
is "$(grep -c 'was in flight when a run stopped' "$T/send.err")" 1 "the resend of the in-flight message is logged"

# --- killed after the journal, before the hand-over: no duplicate ----------------
applicants 30 "$T/b" "second."
sed -i 's/app-\([0-9]*\)\./app-b\1./' "$T"/b/*.eml
mr ingest "$T/b" >/dev/null 2>&1
MAILREG_FAULT=deliver-after-journal:10 mr send >/dev/null 2>&1
is "$? $(rx_count)" "137 60" "deliver-after-journal:10: killed with 9 more delivered"
mr send >/dev/null 2>&1
is "$(dupes) $(sql "SELECT count(*) FROM outbox WHERE state = 'sent'")" "80 1 80" "all 80 delivered, no new duplicate"

# --- a real kill -9 in the middle of a 200-message batch ----------------------------
# The receiver stops answering after 100 of them (--hold-after), so the kill
# always lands mid-batch, with the send waiting for the 250 to a message the
# receiver has not stored; then it is started again without the hold.
applicants 200 "$T/c" "third."
sed -i 's/app-\([0-9]*\)\./app-c\1./' "$T"/c/*.eml
mr ingest "$T/c" >/dev/null 2>&1
before=$(rx_count)
smtp_stop
smtp_start --hold-after $((before + 100))
"$MAILREG" -c "$T/etc/mailreg.conf" send >/dev/null 2>&1 &
pid=$!
wait_for 120 grep -q '^hold: ' "$T/rx.log"
kill -9 $pid
wait $pid 2>/dev/null
smtp_stop
smtp_start
got=$(( $(rx_count) - before ))
is "$got" 100 "kill -9 in the middle of the batch ($got of 200 received)"
mr send >/dev/null 2>"$T/send3.err"
is "$? $(sql "SELECT count(*) FROM outbox WHERE state = 'sent'")" "0 280" "after the kill: all 280 rows sent"
set -- $(dupes)
ok "$([ "$1" -eq 280 ] && [ "$2" -le 2 ]; echo $?)" "all 280 Message-IDs arrived, at most one more duplicate (distinct $1, duplicates $2)"
done_testing

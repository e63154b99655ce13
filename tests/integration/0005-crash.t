#!/bin/sh
# 0005-crash: kill the process (SIGKILL, MAILREG_FAULT) at every crash point of
# the pipeline, run again, and check the message was processed exactly once and
# its reply delivered exactly once.
. "$(dirname "$0")/lib.sh"
need_faults

plan 45

P=$DATA/pipeline
MID=20140217091244.4417@mops-katowice.example.pl

# A fresh database, spool and outgoing folder in $T.
fresh() {
	rm -rf "$T/var" "$T/spool" "$T/outgoing"
	mr init >/dev/null
}

count() { ls "$1" 2>/dev/null | wc -l | tr -d ' '; }

make_instance

# --- ingest: spool, register, commit ------------------------------------------
# fault | rows after the kill | what the recovering run prints
for case in "ingest-after-spool|0|^registered +spool/new/[0-9a-f-]+: Zofia" \
            "spool-rename|0|^registered +spool/new/[0-9a-f-]+: Zofia" \
            "register-before-commit|0|^registered +spool/new/[0-9a-f-]+: Zofia" \
            "register-after-commit|1|^registered +spool/new/[0-9a-f-]+: \\(recovered\\) "; do
	fault=${case%%|*}
	rest=${case#*|}
	rows_killed=${rest%%|*}
	pattern=${rest#*|}
	fresh
	MAILREG_FAULT=$fault mr ingest "$P/valid-8bit.eml" >"$T/out1" 2>&1
	is "$?" 137 "$fault: ingest is killed (SIGKILL, exit 137)"
	is "$(sql "SELECT count(*) FROM messages") $(count "$T/spool/new")" "$rows_killed 1" \
		"$fault: after the kill $rows_killed rows, the message waits in spool/new"
	out=$(mr ingest 2>"$T/err")
	rc=$?
	like "$rc $out" "^0 ${pattern#^}" "$fault: 'mr ingest' recovers it from the spool"
	is "$(sql "SELECT count(*) FROM messages") $(sql "SELECT count(*) FROM applicants") $(sql "SELECT count(*) FROM outbox WHERE kind = 'confirmation'") $(sql "SELECT count(*) FROM registrations")" \
		"1 1 1 4" "$fault: exactly 1 message row, 1 applicant, 1 confirmation, 4 registrations"
	is "$(count "$T/spool/new") $(count "$T/spool/cur") $(count "$T/spool/tmp")" "0 1 0" \
		"$fault: spool new/ empty, cur/ holds the one message, no tmp/ debris"
	out=$(mr ingest "$P/valid-8bit.eml" 2>/dev/null)
	is "$(printf '%s\n' "$out" | awk '{print $1}' | tr '\n' ' ')$(sql "SELECT count(*) FROM messages WHERE state = 'registered'")" \
		"duplicate 1" "$fault: the same file once more is a duplicate; still one registered row"
done

# --- deliver: file written, not yet marked sent ----------------------------------
fresh
mr ingest "$P/valid-8bit.eml" >/dev/null 2>&1
MAILREG_FAULT=deliver-before-mark mr send >/dev/null 2>&1
is "$?" 137 "deliver-before-mark: send is killed (exit 137)"
is "$(count "$T/outgoing") $(sql "SELECT state || '/' || attempts FROM outbox")" "1 queued/0" \
	"deliver-before-mark: the .eml is written, the outbox row still queued"
mr send >"$T/send.out" 2>&1
is "$?" 0 "deliver-before-mark: send again exits 0"
is "$(count "$T/outgoing") $(sql "SELECT state || '/' || attempts FROM outbox")" "1 sent/1" \
	"deliver-before-mark: exactly one .eml in outgoing, the row sent after one attempt"
f=$(ls "$T/outgoing")
is "$(python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(m["Message-ID"], m["In-Reply-To"])' "$T/outgoing/$f")" \
	"<$(sql "SELECT message_id FROM outbox")> <$MID>" \
	"deliver-before-mark: the file is the queued reply (same Message-ID) to the applicant's message"
mr send >"$T/send.out" 2>&1
like "$(cat "$T/send.out") $(count "$T/outgoing")" "sent 0, deferred 0.* 1\$" "a third send sends nothing more"

# Two replies queued (review + staff): killed after the first file.
fresh
mr ingest "$P/review-no-form.eml" >/dev/null 2>&1
MAILREG_FAULT=deliver-before-mark mr send >/dev/null 2>&1
is "$? $(count "$T/outgoing")" "137 1" "deliver-before-mark, 2 replies: killed after the first file"
mr send >/dev/null 2>&1
is "$? $(count "$T/outgoing") $(sql "SELECT group_concat(kind || '=' || state, ',') FROM (SELECT * FROM outbox ORDER BY id)")" \
	"0 2 review=sent,staff=sent" "deliver-before-mark, 2 replies: send again gives exactly 2 files, both sent"

# --- a loop of crashes -------------------------------------------------------------
# 20 applicants; each message's first run is killed before its commit and the
# next run recovers it.
fresh
mkdir -p "$T/loop"
i=1
while [ $i -le 40 ]; do
	sed -e "s/^Message-ID: <.*>/Message-ID: <loop-$i.20140301@mops-katowice.example.pl>/" \
	    -e "s/zofia\\.gesla@/zofia.gesla.$i@/g" "$P/valid-8bit.eml" >"$T/loop/m$i.eml"
	i=$((i + 1))
done

killed=0 unchanged=0 recovered=0 i=1
while [ $i -le 20 ]; do
	before=$(sql "SELECT count(*) FROM messages")
	MAILREG_FAULT=register-before-commit mr ingest "$T/loop/m$i.eml" >/dev/null 2>&1
	[ $? -eq 137 ] && killed=$((killed + 1))
	[ "$(sql "SELECT count(*) FROM messages")" = "$before" ] && unchanged=$((unchanged + 1))
	runs=0
	while [ "$(count "$T/spool/new")" -gt 0 ] && [ $runs -lt 5 ]; do
		mr ingest >/dev/null 2>&1 && recovered=$((recovered + 1))
		runs=$((runs + 1))
	done
	i=$((i + 1))
done
is "$killed $unchanged $recovered" "20 20 20" \
	"register-before-commit x20: every armed run killed, nothing committed, one clean run recovers each"
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) || ' ' || sum(state = 'registered') FROM messages")" \
	"20 20 20" "register-before-commit x20: exactly 20 rows, 20 distinct Message-IDs, all registered"
is "$(sql "SELECT count(*) FROM applicants") $(sql "SELECT count(*) FROM outbox") $(count "$T/spool/cur")" "20 20 20" \
	"register-before-commit x20: 20 applicants, 20 confirmations, 20 files in spool/cur"

# Armed at register-after-commit on every run: each run recovers the message the
# previous one committed and dies after committing the next; re-run until done.
killed=0 runs=0 i=21
: >"$T/loop.out"
while [ $runs -lt 60 ]; do
	if [ $i -le 40 ]; then
		MAILREG_FAULT=register-after-commit mr ingest "$T/loop/m$i.eml" >>"$T/loop.out" 2>/dev/null
		rc=$?
		i=$((i + 1))
	elif [ "$(count "$T/spool/new")" -gt 0 ]; then
		MAILREG_FAULT=register-after-commit mr ingest >>"$T/loop.out" 2>/dev/null
		rc=$?
	else
		break
	fi
	[ $rc -eq 137 ] && killed=$((killed + 1))
	runs=$((runs + 1))
done
is "$killed $(count "$T/spool/new")" "20 0" "register-after-commit x20: 20 runs killed after their commit, spool drained"
is "$(grep -c '(recovered)' "$T/loop.out")" 20 "register-after-commit x20: each committed message recovered exactly once"
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) || ' ' || sum(state = 'registered') FROM messages")" \
	"40 40 40" "after both loops: exactly 40 rows, 40 distinct Message-IDs, no duplicates"
is "$(sql "SELECT count(*) FROM applicants") $(sql "SELECT count(*) FROM outbox") $(sql "SELECT count(*) FROM registrations")" \
	"40 40 160" "after both loops: 40 applicants, 40 confirmations, 160 registrations"
mr ingest >/dev/null 2>&1
is "$? $(sql "SELECT count(*) FROM messages")" "0 40" "a last clean run finds nothing to do"

# --- two processes on one spool ------------------------------------------------------
# A second `mr ingest` starting while the first is still writing its spool file
# (input from a pipe, as from an MDA) must leave that file alone.  The pipe
# holds back the rest of the message until the second run has ended.
fresh
rm -f "$T/other-done"
{ head -c 300 "$P/valid-qp.eml"; wait_for 120 test -e "$T/other-done"; tail -c +301 "$P/valid-qp.eml"; } |
	mr ingest - >"$T/slow.out" 2>"$T/slow.err" &
slow=$!
spooling() { [ "$(count "$T/spool/tmp")" -gt 0 ]; }
wait_for 60 spooling
mr ingest >"$T/other.out" 2>&1
other=$?
spooling
is "$other $?" "0 0" "the second run ran while the first was still spooling"
touch "$T/other-done"
wait $slow
rc=$?
is "$other $rc" "0 0" "concurrent ingest: both runs exit 0 while one is still spooling"
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/slow.err" | head -3
is "$(sql "SELECT count(*) || ' ' || coalesce(group_concat(state), '') FROM messages")" "1 registered" \
	"concurrent ingest: the slowly spooled message is not lost"

# Two recovering runs at once, 10 times: each pending message is taken by one of
# them, and neither fails.
fresh
trial=1 clean=0
while [ $trial -le 10 ]; do
	MAILREG_FAULT=ingest-after-spool mr ingest "$T/loop/m$trial.eml" >/dev/null 2>&1
	mr ingest >"$T/r1" 2>&1 &
	p1=$!
	mr ingest >"$T/r2" 2>&1 &
	p2=$!
	wait $p1
	r1=$?
	wait $p2
	r2=$?
	if [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; then
		clean=$((clean + 1))
	elif [ "$clean" -eq $((trial - 1)) ]; then
		grep -h 'mailreg: spool' "$T/r1" "$T/r2" | head -1 | sed 's/^/#   first failure: /'
	fi
	trial=$((trial + 1))
done
is "$clean" 10 "two concurrent recovering runs: both exit 0 (10 of 10 trials)"
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT spool_id) || ' ' || sum(state = 'registered') FROM messages")" \
	"10 10 10" "two concurrent recovering runs: each message recorded exactly once"

done_testing

#!/bin/sh
# 0311-purge: `mailreg purge --older-than DAYS` removes the raw copies (spool
# cur/, the inbox's processed/, the outgoing folder) of finished messages older
# than DAYS by their recorded time, keeps young ones, open reviews, undelivered
# replies and whatever is still in spool new/, keeps every row (marked purged),
# finishes after a crash and does nothing the second time; `run` applies
# [paths] retention_days (personal data kept no longer than needed).
. "$(dirname "$0")/lib.sh"
need_faults
plan 30

P=$DATA/pipeline
make_instance
sed -i "/^\[paths\]/a inbox = ../inbox\ninbox_poll_interval = 1" "$T/etc/mailreg.conf"
mkdir -p "$T/inbox"
at() { MAILREG_NOW=$1; export MAILREG_NOW; shift; mr "$@"; rc=$?; unset MAILREG_NOW; return $rc; }
sid() { sql "SELECT spool_id FROM messages WHERE message_id LIKE '$1%'"; }
# the outgoing files of the replies to message $1 (Message-ID prefix), named
# as the directory transport names them (the local part, other than hex
# digits, '-', '.', 'm' and 'l' made '_': a review notice's "review-ID-TOKEN")
outfiles() { sql "SELECT substr(o.message_id, 1, instr(o.message_id, '@') - 1) FROM outbox o
	JOIN messages m ON m.id = o.inbound_id WHERE m.message_id LIKE '$1%' AND o.state = 'sent'" |
	sed -e 's/[^0-9a-fA-F.ml-]/_/g' -e "s|^|$T/outgoing/|" -e 's/$/.eml/'; }
exists() { for f in "$@"; do [ -e "$f" ] || return 1; done; }
gone() { for f in "$@"; do [ ! -e "$f" ] || return 1; done; }
size() { cat "$@" | wc -c | tr -d ' '; }

# --- 1 March: two forms, a question left open, a question dealt with, a form
# dropped into the inbox folder; all answered
at 2014-03-01T10:00 ingest "$P/valid-8bit.eml" "$P/review-no-form.eml" >/dev/null 2>&1
sed 's/^Message-ID: <.*>/Message-ID: <done-review@ops.example.pl>/' "$P/review-no-form.eml" >"$T/done.eml"
at 2014-03-01T10:00 ingest "$T/done.eml" >/dev/null 2>&1
at 2014-03-01T10:00 review done "$(sql "SELECT id FROM messages WHERE message_id = 'done-review@ops.example.pl'")" >/dev/null
cp "$P/valid-qp.eml" "$T/inbox/zgloszenie.eml"
at 2014-03-01T10:00 poll --once >/dev/null 2>&1
at 2014-03-01T10:05 send >/dev/null 2>&1
# ... and one more whose reply is never delivered
at 2014-03-01T11:00 ingest "$P/attachment-txt.eml" >/dev/null 2>&1
# --- 25 March: a young form, answered
at 2014-03-25T10:00 ingest "$P/valid-base64.eml" >/dev/null 2>&1
at 2014-03-25T10:05 send >/dev/null 2>&1
# --- 1 March again, runs that died: one after its commit (row recorded, file
# still in new/), one before recording (file in new/, no row: the next run's)
sed 's/^Message-ID: <.*>/Message-ID: <in-new@ops.example.pl>/' "$P/valid-qp.eml" >"$T/n.eml"
MAILREG_FAULT=register-after-commit at 2014-03-01T12:00 ingest "$T/n.eml" >/dev/null 2>&1
sed 's/^Message-ID: <.*>/Message-ID: <unrecorded@ops.example.pl>/' "$P/valid-8bit.eml" \
	>"$T/spool/new/00000000-0000-4000-8000-000000000001"
is "$(ls "$T/spool/new" | wc -l | tr -d ' ')" 2 "setup: two files wait in spool/new"

C=$T/spool/cur
old_in="$C/$(sid 20140217091244) $C/$(sid done-review) $C/$(sid 52FB4A11) $C/$(sid CAF9x7pQ) $T/inbox/processed/zgloszenie.eml"
old_out="$(outfiles 20140217091244) $(outfiles 20140220073011) $(outfiles done-review) $(outfiles 52FB4A11)"
young="$C/$(sid 0F6B1E2C) $(outfiles 0F6B1E2C)"
open_review="$C/$(sid 20140220073011)"
check "setup: the old copies are there" exists $old_in $old_out
is "$(echo $old_out | wc -w | tr -d ' ')" 6 "setup: 6 old replies were delivered (2 confirmations, 2 review replies, 2 staff notices)"
bytes=$(size $old_in $old_out)
rows=$(sql "SELECT count(*) FROM messages")

at 2014-03-31T10:00 purge --older-than 20 >"$T/p1.out" 2>"$T/p1.err"
is "$?" 0 "purge --older-than 20 exits 0"
is "$(cat "$T/p1.out")" \
	"purge: 11 files removed ($bytes bytes: 5 inbound, 6 outgoing); 4 messages and 6 replies older than 20 days marked purged
purge: 1 finished messages still in the spool's new/ folder, left for the next purge" \
	"it says how many files and bytes it removed"
like "$(cat "$T/p1.err")" "^mailreg: purge: raw copies older than 20 days \(received before 2014-03-11T08:00:00Z\): 11 files removed" \
	"and logs it"
check "the old finished copies are gone (spool cur/, inbox processed/, outgoing)" gone $old_in $old_out
check "the young message's copies stay" exists $young
check "the open review's copy stays" exists $open_review
is "$(ls "$T/spool/new" | wc -l | tr -d ' ')" 2 "both files in spool/new stay (unrecorded and recorded-not-moved)"
is "$(sql "SELECT count(*) FROM outbox WHERE purged_at IS NOT NULL AND state <> 'sent'")" 0 \
	"undelivered replies are not touched"
is "$(sql "SELECT count(*) FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id WHERE o.purged_at IS NOT NULL")/$(sql "SELECT count(*) FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id WHERE o.purged_at IS NULL")" \
	"0/$(sql "SELECT count(*) FROM outbox WHERE purged_at IS NULL")" "the purged replies' texts leave the database, the others stay"
is "$(sql "SELECT count(*) FROM messages") $(sql "SELECT group_concat(message_id, ' ') FROM messages WHERE purged_at IS NOT NULL ORDER BY id")" \
	"$rows 20140217091244.4417@mops-katowice.example.pl done-review@ops.example.pl 52FB4A11.6020404@gops-pszczyna.example.pl CAF9x7pQ3k0v=Lq2dS_1m8bZr@mail.gmail.example.com" \
	"every row stays; the four purged are marked"
like "$(mr messages | grep 20140217091244)" '^registered .*Zofia.*\[raw copy purged 2014-03-31T08:00:00Z\]$' \
	"messages says the raw copy was purged"
is "$(mr messages --json | python3 -c 'import json, sys; print(sum(1 for m in json.load(sys.stdin) if m["purged_at"]))')" 4 \
	"messages --json: purged_at"
like "$(mr review --all | tr '\n' ' ')" "Pytanie o szkolenia +[^[]* [0-9]+ .*Pytanie o szkolenia  \[done\]  \[raw copy purged\]" \
	"review --all: the dealt-with one is marked purged, the open one is not"

at 2014-03-31T10:00 purge --older-than 20 >"$T/p2.out" 2>/dev/null
like "$(cat "$T/p2.out")" "^purge: 0 files removed \(0 bytes: 0 inbound, 0 outgoing\); 0 messages and 0 replies" \
	"a second purge finds nothing"
check "the young copies still stay" exists $young $open_review

# The recorded message is moved to cur/ by the next ingest: then it goes too.
at 2014-03-31T10:00 ingest >/dev/null 2>&1
at 2014-03-31T10:00 purge --older-than 20 >"$T/p3.out" 2>/dev/null
like "$(cat "$T/p3.out")" "^purge: 1 files removed .*1 messages and 0 replies" "once moved to cur/, the recovered message is purged"
check "the unrecorded one was processed now: young, kept" exists "$C/$(sid unrecorded)"

# --- a crash between the unlink and the mark: the next run finishes
MAILREG_FAULT=purge-before-mark at 2014-05-30T10:00 purge --older-than 20 >/dev/null 2>&1
is "$?" 137 "killed after removing the files, before marking them"
check "the spool's copy is gone" gone "$C/$(sid 0F6B1E2C)"
is "$(sql "SELECT count(*) FROM messages WHERE message_id LIKE '0F6B1E2C%' AND purged_at IS NULL")" 1 "the row is not marked yet"
at 2014-05-30T10:00 purge --older-than 20 >"$T/p4.out" 2>/dev/null
like "$(cat "$T/p4.out")" "^purge: 2 files removed \([0-9]+ bytes: 0 inbound, 2 outgoing\); 2 messages and 2 replies" \
	"the re-run marks the messages and does the outgoing folder's part"
is "$(sql "SELECT count(*) FROM messages WHERE purged_at IS NULL AND NOT (state = 'review' AND reviewed_at IS NULL)") $(sql "SELECT count(*) FROM outbox WHERE purged_at IS NULL AND state = 'sent'")" \
	"0 0" "now every finished message and reply is marked"
check "and every copy of them gone" gone $young

# --- the default: [paths] retention_days, also applied by `run`
mr purge >/dev/null 2>"$T/p5.err"
is "$?" 64 "without --older-than nor retention_days: usage error"
mr purge --older-than soon >/dev/null 2>&1
is "$?" 64 "--older-than takes a number of days"
sed -i "/^\[paths\]/a retention_days = 20" "$T/etc/mailreg.conf"
sed 's/^Message-ID: <.*>/Message-ID: <for-run@ops.example.pl>/' "$P/valid-8bit.eml" >"$T/r.eml"
at 2014-06-01T10:00 ingest "$T/r.eml" >/dev/null 2>&1
f="$C/$(sid for-run)"
MAILREG_NOW=2014-06-25T10:00 "$MAILREG" -c "$T/etc/mailreg.conf" run >/dev/null 2>"$T/run.err" &
pid=$!
at_exit "kill $pid 2>/dev/null"
n=100
while [ "$n" -gt 0 ] && ! grep -q "purge: raw copies" "$T/run.err"; do sleep 0.1; n=$((n - 1)); done
kill -TERM "$pid"
wait "$pid"
like "$(grep 'purge: raw copies' "$T/run.err")" "older than 20 days .*: 1 files removed" "run purges with retention_days at start"
check "the file is gone" gone "$f"

done_testing

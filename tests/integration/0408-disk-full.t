#!/bin/sh
# 0408-disk-full: `mailreg run` with its spool and its database each on a small
# tmpfs that fills up.  Below [limits] min_free_space intake stops: new mail
# stays on the IMAP server (not even journalled), the log and `mailreg status`
# say why, the daemon keeps running and takes the mail once there is room,
# without new mail to wake it.  Then, with min_free_space = 0, the spool's disk
# fills to the last byte (spool writes fail with ENOSPC), and then the
# database's (SQLite commits fail with SQLITE_FULL): nothing is acknowledged on
# the server before it is recorded, nothing lost, nothing recorded or answered
# twice, no message ends in review for it.  Needs root for mount(8); skipped
# otherwise (a failure under CI=true).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
. "$(dirname "$0")/smtp.sh"

mkdir -p "$T/spool" "$T/var"
for d in spool var; do
	if ! mount -t tmpfs -o size=16m,mode=0755 mailreg-test "$T/$d" 2>"$T/mount.err"; then
		skip_all "cannot mount a tmpfs for the state folders: $(cat "$T/mount.err")"
	fi
	at_exit "umount -l '$T/$d'"
done
plan 29

make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; exit 1; }
smtp_start
imap_conf "poll_interval = 600"
smtp_config "retry_schedule = 2s"
printf '\n[limits]\nmin_free_space = 4M\nmax_backoff = 10s\n' >>"$T/etc/mailreg.conf"
applicants 50 "$T/in"

settled() {   # N recorded, INBOX empty, every reply sent and received
	[ "$(sql "SELECT count(*) FROM messages")" -ge "$1" ] && [ "$(imap_count INBOX)" = 0 ] &&
		[ "$(sql "SELECT count(*) FROM outbox WHERE state <> 'sent'")" = 0 ] &&
		[ "$(rx_tally | cut -d' ' -f4)" = 0 ]
}
alive() { kill -0 "$pid" 2>/dev/null; }
free_kb() { df -k --output=avail "$T/$1" | tail -1 | tr -d ' '; }
# fill DIR KB - leave about KB kilobytes free on DIR's tmpfs (0: not a byte)
fill() {
	rm -f "$T/$1/filler"
	if [ "$2" -eq 0 ]; then
		dd if=/dev/zero of="$T/$1/filler" bs=4k 2>/dev/null
	else
		dd if=/dev/zero of="$T/$1/filler" bs=1k count=$(( $(free_kb "$1") - $2 )) 2>/dev/null
	fi
}
# append_range FROM TO
append_range() { for _i in $(seq "$1" "$2"); do append "$T/in/m$_i.eml"; done; }

# The bound of every wait below, generous for a loaded machine: the daemon
# tries a failed intake again after at most [limits] max_backoff (10 s here),
# and while it waits for room on the disk it looks every 5 s.  A wait ends as
# soon as its state holds.
RETRY=300
# two_rounds - the daemon finishes two more rounds (it tells the service
# manager after each: lib.sh notify_listen), while the disk stays as it is
two_rounds() { _r=$(rounds); wait_for $((2 * RETRY)) rounds_past $((_r + 1)); }

notify_listen
"$MAILREG" -c "$T/etc/mailreg.conf" run >"$T/run.out" 2>"$T/run.err" &
pid=$!
at_exit "kill $pid 2>/dev/null"
append_range 1 10
check "10 messages recorded and answered with room on the disk" wait_for $RETRY settled 10

# --- below min_free_space ------------------------------------------------------------------
fill spool 2048
append_range 11 20
check "intake stops and says why in the log" \
	wait_for $RETRY grep -q "intake failed.*spool: disk full: .*/spool has 2.0 MiB free, less than \\[limits\\] min_free_space 4.0 MiB" "$T/run.err"
two_rounds
is "$(imap_count INBOX) $(sql "SELECT count(*) FROM messages")" "10 10" "the 10 new messages wait on the IMAP server, none taken"
is "$(sql "SELECT count(*) FROM imap_messages WHERE state <> 'acked'")" 0 "none journalled either"
mr status >"$T/status.out" 2>&1
like "$? $(grep '^NEEDS A PERSON' "$T/status.out" | tr '\n' ' ')" "^69 NEEDS A PERSON: spool: disk full: .* free, less than \\[limits\\] min_free_space" \
	"mailreg status: exit 69, the full disk needs a person"
like "$(grep '^intake:' "$T/status.out")" "last error: spool: disk full" "mailreg status: the intake's last error (the database kept room for it)"
like "$(grep '^disk:' "$T/status.out")" "^disk: +2.0 MiB free .*intake needs 4.0 MiB" "mailreg status: the free space"
check "the daemon keeps running" alive
mr ingest "$T/in/m11.eml" >"$T/ingest.out" 2>&1
like "$? $(tr '\n' ' ' <"$T/ingest.out")" "^75 .*m11.eml: spool: disk full: .*min_free_space 4.0 MiB" \
	"mailreg ingest below min_free_space: exit 75 (try later), saying why"
is "$(sql "SELECT count(*) FROM messages") $(ls "$T/spool/new" | wc -l | tr -d ' ')" "10 0" "ingest took nothing"
rm -f "$T/spool/filler"
check "with room again the 10 are taken and answered (no new mail needed to wake it)" wait_for $RETRY settled 20
check "the log says intake works again" grep -q "run: intake works again" "$T/run.err"
check "mailreg status: nothing needs a person any more" mr status

# --- the spool's last byte: ENOSPC --------------------------------------------------------------
sed -i 's/^min_free_space = .*/min_free_space = 0/' "$T/etc/mailreg.conf"
kill -HUP "$pid"
wait_for 60 grep -q "configuration and templates reloaded" "$T/run.err"
fill spool 0
is "$(free_kb spool)" 0 "the spool's tmpfs is full"
append_range 21 30
check "intake fails: the spool says disk full (ENOSPC), naming the message" \
	wait_for $RETRY grep -Eq "intake failed.*imap UID [0-9]*: spool: (create|write) .*: disk full \(ENOSPC\)" "$T/run.err"
two_rounds
got=$(sql "SELECT count(*) FROM messages")
# every message is either still in INBOX or recorded: none acknowledged before its commit
is "$(( $(imap_count INBOX) + got - 20 ))" 10 "each of the 10 is on the server or recorded ($((got - 20)) recorded)"
mr status >"$T/status.out" 2>&1
like "$? $(grep '^NEEDS A PERSON' "$T/status.out" | tr '\n' ' ')" "^69 NEEDS A PERSON: spool: disk full: .*/spool has 0 bytes free" \
	"mailreg status: the full spool needs a person (min_free_space = 0)"
check "the daemon keeps running" alive
rm -f "$T/spool/filler"
check "with room again all 30 are recorded and answered" wait_for $RETRY settled 30

# --- the database's last byte: SQLITE_FULL ----------------------------------------------------
fill var 0
append_range 31 40
check "intake fails: the database is full" wait_for $RETRY grep -q "intake failed.*database or disk is full" "$T/run.err"
two_rounds
got=$(sql "SELECT count(*) FROM messages")
is "$(( $(imap_count INBOX) + got - 30 ))" 10 "each of the 10 is on the server or recorded ($((got - 30)) recorded)"
mr status >"$T/status.out" 2>&1
like "$? $(grep '^NEEDS A PERSON' "$T/status.out" | tr '\n' ' ')" "^69 NEEDS A PERSON: spool: disk full: .*/var has 0 bytes free" \
	"mailreg status: the full database disk needs a person, though the daemon cannot record it"
check "the daemon keeps running" alive
rm -f "$T/var/filler"
append_range 41 50
check "with room again all 50 are recorded and answered" wait_for $RETRY settled 50

is "$(mr messages --json | "$PY" -c 'import json, sys; r = json.load(sys.stdin); m = [x["message_id"] for x in r]
print(len(m), len(set(m)), sorted(set(x["state"] for x in r)))')" "50 50 ['registered']" \
	"mailreg messages: 50, each once, all registered (none sent to review by the full disk)"
set -- $(rx_tally)
is "$2 $3 $4" "$(sql "SELECT count(*) FROM outbox") 0 0" "each reply received exactly once ($1 stored)"
is "$(sql "SELECT count(*) FROM imap_messages WHERE state = 'pending'") $(ls "$T/spool/new" | wc -l | tr -d ' ')" "0 0" \
	"nothing pending in the journal, spool new/ empty"
errs=$(grep -c 'failed (' "$T/run.err")
like "$errs" '^[1-9]$' "failures logged a bounded number of times ($errs lines)"

kill -TERM "$pid"
wait "$pid"
is $? 0 "SIGTERM: exit 0"
[ "$_failed" -eq 0 ] || sed 's/^/#   run: /' "$T/run.err" | grep -v ' sent \| registered imap' | tail -40
done_testing

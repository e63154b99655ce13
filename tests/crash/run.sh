#!/bin/sh
# run.sh - crash anywhere: mailreg against a real Dovecot and SMTP receiver,
# killed again and again, must lose nothing and answer nothing twice.
#
# N application e-mails (default 60; valid forms with their own address, and
# the pipeline/demo samples of every outcome) arrive in the IMAP INBOX in
# batches.  Each cycle runs `mailreg poll --once` or `mailreg send` and stops
# it with SIGKILL: at a named FAULT_POINT (cycled through, at its 1st or 2nd
# pass) or at a random moment (0-100 ms); the next run restarts it.  After CYCLES
# kills (a run that finishes first is a restart only),
# clean passes finish the work and the end state is checked against a reference
# instance that ingested the same files without crashes:
#   every inbound message recorded exactly once, with the reference's outcome;
#   no applicant or registration duplicated; INBOX empty, spool drained;
#   every queued reply sent and received by the SMTP server;
#   replies received twice counted: allowed only for a reply the restarted send
#   logs as "in flight when a run stopped" (the window between the server's 250
#   and the row marked sent; smtp-after-accept or a random kill of a send).
# TAP output.   tests/crash/run.sh [CYCLES] [MESSAGES]   (make crash CYCLES=200)
. "$(dirname "$0")/../integration/lib.sh"
. "$ROOT/tests/integration/lib-dovecot.sh"
. "$ROOT/tests/integration/smtp.sh"

CYCLES=${1:-20}
N=${2:-60}
plan 9

FAULTS="imap-after-fetch imap-before-ack imap-after-ack spool-rename register-before-commit
register-after-commit deliver-after-journal deliver-before-mark smtp-after-accept"

make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; exit 1; }
imap_conf
smtp_start
smtp_config

# The messages: 2/3 distinct valid applications, 1/3 mixed outcomes.
valid=$((N * 2 / 3))
applicants "$valid" "$T/m"
make_messages $((N - valid)) "$T/mix"
for f in "$T"/mix/*.eml; do mv "$f" "$T/m/x-${f##*/}"; done
ls "$T/m" | sort >"$T/order"

# Reference: the same files ingested in the same order, no crash, no IMAP.
cp "$T/etc/mailreg.conf" "$T/etc/ref.conf"
sed -i 's|\.\./var/mailreg.db|../ref/mailreg.db|; s|\.\./spool|../ref/spool|; s|\.\./outgoing|../ref/outgoing|' "$T/etc/ref.conf"
"$MAILREG" -c "$T/etc/ref.conf" init >/dev/null
# (a failed ingest is retried: the binary may be relinked under a shared build/)
while read -r f; do
	for _try in 1 2 3; do
		"$MAILREG" -c "$T/etc/ref.conf" ingest "$T/m/$f" >"$T/ref.out" 2>&1 && break
		sleep 1
	done
done <"$T/order"
rsql() { sqlite3 "$T/ref/mailreg.db" "$1"; }
[ "$(rsql "SELECT count(*) FROM messages")" = "$N" ] ||
	{ echo "Bail out! the reference run recorded $(rsql "SELECT count(*) FROM messages") of $N"; cat "$T/ref.out"; exit 1; }

# deliver_batch K - the next K messages (in order) into the INBOX.
next=1
deliver_batch() {
	_k=0
	while [ $_k -lt "$1" ] && [ $next -le "$N" ]; do
		deliver "$T/m/$(sed -n "${next}p" "$T/order")"
		next=$((next + 1))
		_k=$((_k + 1))
	done
}

args() { if [ "$1" = poll ]; then echo "poll --once"; else echo send; fi; }
rand() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }

per=$(( N / CYCLES + 1 ))
killed=0 fault_kills=0 random_kills=0 send_kills=0 clean=0
set -- $FAULTS
nfaults=$#
cycle=1
: >"$T/runs.log"
# CYCLES kills; a run that ends before its kill is a restart too, not counted
while [ $((fault_kills + random_kills)) -lt "$CYCLES" ] && [ $cycle -le $((CYCLES * 10)) ]; do
	deliver_batch "$per"
	# odd cycles a named fault point (cmd chosen to reach it), even ones a random kill
	if [ $((cycle % 2)) -eq 1 ]; then
		i=$(( (cycle / 2) % nfaults + 1 ))
		eval "fault=\${$i}"
		case $fault in deliver-*|smtp-*) cmd=send ;; *) cmd=poll ;; esac
		pass=$(( $(rand) % 2 + 1 ))
		# an IMAP pass commits and acknowledges a fetched batch (up to 64
		# messages) at once: these points come once per cycle's batch
		case $fault in register-after-commit|imap-before-ack|imap-after-ack) pass=1 ;; esac
		MAILREG_FAULT=$fault:$pass "$MAILREG" -c "$T/etc/mailreg.conf" $(args $cmd) >>"$T/runs.log" 2>&1
		rc=$?
		echo "cycle $cycle: $cmd at $fault:$pass: exit $rc" >>"$T/runs.log"
		if [ $rc -eq 137 ]; then
			fault_kills=$((fault_kills + 1))
			[ $fault = smtp-after-accept ] && send_kills=$((send_kills + 1))
		fi
	else
		if [ $(( $(rand) % 2 )) -eq 0 ]; then cmd=poll; else cmd=send; fi
		delay=$(( $(rand) % 100 ))
		"$MAILREG" -c "$T/etc/mailreg.conf" $(args $cmd) >>"$T/runs.log" 2>&1 &
		pid=$!
		sleep "$(printf '0.%03d' "$delay")"
		if kill -9 $pid 2>/dev/null; then
			wait $pid 2>/dev/null
			random_kills=$((random_kills + 1))
			[ $cmd = send ] && send_kills=$((send_kills + 1))
			echo "cycle $cycle: $cmd killed after ${delay} ms" >>"$T/runs.log"
		else
			wait $pid
			echo "cycle $cycle: $cmd finished before ${delay} ms: exit $?" >>"$T/runs.log"
		fi
	fi
	cycle=$((cycle + 1))
done
killed=$((fault_kills + random_kills))

# Finish: the rest arrives, clean passes until nothing is left to do.
deliver_batch "$N"
i=0
while [ $i -lt 20 ]; do
	mr poll --once >>"$T/runs.log" 2>&1
	mr send >>"$T/runs.log" 2>&1
	[ "$(imap_count INBOX)" -eq 0 ] && [ "$(sql "SELECT count(*) FROM outbox WHERE state IN ('queued','deferred')")" -eq 0 ] && break
	i=$((i + 1))
done
echo "# $((cycle - 1)) runs: $killed kills ($fault_kills at fault points, $random_kills at random moments; $send_kills could fall between a 250 and its mark), $i clean finishing rounds"

is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM messages")" "$N $N" \
	"all $N inbound messages recorded, each exactly once"
sql "SELECT message_id || ' ' || state FROM messages ORDER BY message_id" >"$T/got.states"
rsql "SELECT message_id || ' ' || state FROM messages ORDER BY message_id" >"$T/want.states"
diff "$T/want.states" "$T/got.states" >"$T/states.diff"
ok $? "every message has the reference run's outcome ($(cut -d' ' -f2 "$T/want.states" | sort | uniq -c | awk '{printf "%s %s ", $1, $2}'))"
sed 's/^/#   /' "$T/states.diff" | head -10
is "$(sql "SELECT count(*) FROM applicants") $(sql "SELECT count(*) FROM registrations")" \
	"$(rsql "SELECT count(*) FROM applicants") $(rsql "SELECT count(*) FROM registrations")" \
	"applicants and registrations: as many as the reference, none duplicated"
is "$(imap_count INBOX) $(sql "SELECT count(*) FROM imap_messages WHERE state = 'pending'") $(find "$T/spool/new" "$T/spool/tmp" -type f | wc -l)" \
	"0 0 0" "INBOX empty, no IMAP journal row pending, spool new/ and tmp/ empty"
is "$(sql "SELECT count(*) FROM outbox")" "$(rsql "SELECT count(*) FROM outbox")" "as many replies queued as the reference"
is "$(sql "SELECT count(*) FROM outbox WHERE state <> 'sent'")" 0 "every reply marked sent"
# A reply sent again after a kill is logged "<id> was in flight when a run
# stopped": a duplicate without that line came from outside the window.
"$PY" - "$RX" "$T/var/mailreg.db" "$T/runs.log" >"$T/rx.check" <<'PY'
import collections, email, email.policy, glob, re, sqlite3, sys
c = collections.Counter()
for f in glob.glob(sys.argv[1] + "/*.eml"):
    m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    c[m["Message-ID"].strip("<> ")] += 1
want = {r[0] for r in sqlite3.connect(sys.argv[2]).execute("SELECT message_id FROM outbox")}
resent = set(re.findall(r"<([^>]*)> was in flight when a run stopped", open(sys.argv[3], errors="replace").read()))
dupes = {k for k, n in c.items() if n > 1}
print(len(want - set(c)), len(set(c) - want), sum(n - 1 for n in c.values()), len(dupes - resent))
PY
read -r missing extra dupes outside <"$T/rx.check"
is "$missing $extra" "0 0" "every reply received by the SMTP server, nothing else"
ok "$([ "$outside" -eq 0 ]; echo $?)" \
	"replies received twice: $dupes (kills that could fall in the window: $send_kills), outside the window: $outside"
ok "$([ "$killed" -ge "$CYCLES" ]; echo $?)" "$CYCLES kill/restart cycles ($killed kills in $((cycle - 1)) runs)"
[ "$_failed" -eq 0 ] || tail -30 "$T/runs.log" | sed 's/^/#   /'
echo "crash: $CYCLES cycles, $N messages: $killed kills, lost $missing, duplicated replies $dupes ($outside outside the window), failed checks $_failed"
done_testing

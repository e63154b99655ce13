#!/bin/sh
# 0102-imap-faults: what can go wrong between the IMAP server and the database.
# Wrong password, unknown certificate, server down, missing mailbox: a clear
# error naming server and user (never the password) and a sysexits status.
# Crashes (SIGKILL at imap-after-fetch and imap-before-ack) and a Dovecot killed
# in the middle of a pass: every message recorded exactly once, none left behind.
. "$(dirname "$0")/lib.sh"
need_faults
. "$(dirname "$0")/lib-dovecot.sh"

plan 29

make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; sed 's/^/# /' "$DOVECOT_DIR/log"; exit 1; }
imap_conf
make_messages 8 "$T/a"
for f in "$T"/a/*.eml; do deliver "$f"; done

# --- credentials ---------------------------------------------------------------------
printf 'not-the-password\n' >"$T/etc/imap-password"
out=$(mr poll --once 2>&1)
rc=$?
is "$rc" 77 "wrong password: exit 77 (EX_NOPERM)"
like "$out" "IMAP server imaps://127.0.0.1:$IMAPS_PORT/, user $IMAP_USER: log in: login refused" \
	"wrong password: the error names server and user"
printf '%s' "$out" | grep -q 'not-the-password'
is "$?" 1 "wrong password: the password is not in the output"
is "$(sql "SELECT count(*) FROM messages")" 0 "wrong password: nothing recorded"

# A password file with one trailing newline works (the newline is not the password's).
printf '%s\n' "$IMAP_PASS" >"$T/etc/imap-password"
rm -f "$T/etc/imap-password.unused"
sed -i 's/^password_file = .*/password_file = creds-missing/' "$T/etc/mailreg.conf"
out=$(mr poll --once 2>&1)
like "$? $out" "^78 .*cannot read the IMAP password" "unreadable password file: exit 78 (EX_CONFIG)"
sed -i '/^password_file = /d' "$T/etc/mailreg.conf"
mkdir -p "$T/creds"
printf '%s\n' "$IMAP_PASS" >"$T/creds/imap-password"
CREDENTIALS_DIRECTORY=$T/creds mr poll --once >"$T/c.out" 2>&1
is "$? $(grep -c ' imap UID ' "$T/c.out")" "0 8" \
	"\$CREDENTIALS_DIRECTORY/imap-password (trailing newline stripped) logs in; 8 messages taken"

# --- TLS ---------------------------------------------------------------------------------
imap_conf
sed -i '/^ca_file = /d' "$T/etc/mailreg.conf"
out=$(mr poll --once 2>&1)
like "$? $out" "^78 .*127.0.0.1:$IMAPS_PORT.*user $IMAP_USER.*TLS certificate not trusted" \
	"unknown self-signed certificate: refused, exit 78, server and user named"
echo "tls_verify = false" >>"$T/etc/mailreg.conf"
out=$(mr poll --once 2>&1)
like "$? $out" "^0 .*TLS certificate verification is OFF" "tls_verify = false: works, with a warning"
imap_conf
sed -i "s|^url = .*|url = imap://127.0.0.1:$IMAP_PORT/INBOX|" "$T/etc/mailreg.conf"
deliver "$DATA/demo/03-pytanie.eml"
out=$(mr poll --once 2>&1)
like "$? $(printf '%s\n' "$out" | grep -c ' imap UID ') $(grep 'Login: user=<' "$DOVECOT_DIR/log" | tail -1)" \
	"^0 1 .*, TLS(,|$)" "imap:// logs in only after STARTTLS (Dovecot logs the login as TLS)"

# --- server down, mailbox missing ------------------------------------------------------------
imap_conf
dovecot_stop
out=$(mr poll --once 2>&1)
like "$? $out" "^75 .*IMAP server imaps://127.0.0.1:$IMAPS_PORT/, user $IMAP_USER" \
	"server down: exit 75 (EX_TEMPFAIL), server named"
dovecot_start
sed -i "s|^url = .*|url = imaps://127.0.0.1:$IMAPS_PORT/Nie-ma-takiego|" "$T/etc/mailreg.conf"
out=$(mr poll --once 2>&1)
like "$? $out" "^78 .*select mailbox Nie-ma-takiego" "missing mailbox: exit 78, mailbox named"
imap_conf

# --- crash points ----------------------------------------------------------------------------------
rows=$(sql "SELECT count(*) FROM messages")
for fault in imap-after-fetch imap-before-ack imap-after-ack; do
	make_messages 5 "$T/$fault"
	sed -i "s/^Message-ID: <m/Message-ID: <$fault/" "$T/$fault"/*.eml
	for f in "$T/$fault"/*.eml; do deliver "$f"; done
	MAILREG_FAULT=$fault mr poll --once >"$T/f1.out" 2>&1
	is "$?" 137 "$fault: killed (SIGKILL)"
	# the next pass finishes it (after imap-after-ack INBOX is already empty:
	# the pass only records the acknowledgement)
	mr poll --once >"$T/f2.out" 2>&1
	runs=0
	while [ "$(imap_count INBOX)" -gt 0 ] && [ $runs -lt 8 ]; do
		mr poll --once >>"$T/f2.out" 2>&1 || break
		runs=$((runs + 1))
	done
	rows=$((rows + 5))
	is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM messages") $(sql "SELECT count(*) FROM messages WHERE message_id LIKE '$fault%'")" \
		"$rows $rows 5" "$fault: each of the 5 messages recorded exactly once"
	is "$(imap_count INBOX) $(sql "SELECT count(*) FROM imap_messages WHERE state = 'pending'")" "0 0" \
		"$fault: INBOX empty, nothing pending"
done

# --- Dovecot killed in the middle of a pass ------------------------------------------------------
make_messages 300 "$T/big"
sed -i 's/^Message-ID: <m/Message-ID: <kill/' "$T"/big/*.eml
for f in "$T"/big/*.eml; do deliver "$f"; done
# The pass goes through tests/tcp-hold.py, which stops passing the server's
# bytes after half of the 300 messages' size: the pass cannot finish before
# the kill, however fast it is.  Messages are reported after the commit of
# their batch (64 each): kill once the first batch is in (the first two fit
# in that half), while the rest is still to come.
half=$(( $(cat "$T"/big/*.eml | wc -c) / 2 ))
rm -f "$T/hold-port" "$T/hold-state"
python3 "$ROOT/tests/tcp-hold.py" --target "$IMAPS_PORT" --hold-after "$half" \
	--port-file "$T/hold-port" --state-file "$T/hold-state" 2>>"$T/hold.log" &
hold=$!
at_exit "kill $hold 2>/dev/null"
wait_for 10 test -s "$T/hold-port"
HOLD_PORT=$(cat "$T/hold-port")
sed -i "s|^url = .*|url = imaps://127.0.0.1:$HOLD_PORT/INBOX|" "$T/etc/mailreg.conf"
mr poll --once >"$T/k1.out" 2>"$T/k1.err" &
poll=$!
# bounded, not timed: a sanitized build on a loaded machine may need long
wait_for 120 test -s "$T/hold-state"
wait_for 120 sh -c "[ \$(grep -c ' imap UID ' '$T/k1.out') -ge 10 ]"
dovecot_kill
kill "$hold"
wait "$hold" 2>/dev/null
wait $poll
rc=$?
taken=$(grep -c ' imap UID ' "$T/k1.out")
like "$rc $taken" "^75 ([1-9][0-9]|[12][0-9][0-9])$" "killed mid-pass: exit 75 after $taken of 300 messages"
like "$(cat "$T/k1.err")" "IMAP server imaps://127.0.0.1:$HOLD_PORT/, user $IMAP_USER" "the error names the server"
imap_conf
dovecot_start
ok $? "Dovecot restarts after the kill"
mr poll --once >"$T/k2.out" 2>&1
rc2=$?
is "$rc2" 0 "after the restart the next pass exits 0"
[ "$rc2" = 0 ] || { sed "s/^/#   k1: /" "$T/k1.err"; tail -3 "$T/k2.out" | sed "s/^/#   k2: /"; }
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM messages WHERE message_id LIKE 'kill%'")" \
	"300 300" "every one of the 300 messages recorded exactly once"
is "$(imap_count INBOX) $(sql "SELECT count(*) FROM imap_messages WHERE state = 'pending'") $(ls "$T/spool/new" | wc -l | tr -d ' ')" \
	"0 0 0" "none left in INBOX, nothing pending, spool new/ empty"
is "$(( $(grep -c ' imap UID ' "$T/k1.out") + $(grep -c ' imap UID ' "$T/k2.out") ))" 300 \
	"the two passes together reported 300 messages"

# --- two passes at once ----------------------------------------------------------------------------
make_messages 30 "$T/two"
sed -i 's/^Message-ID: <m/Message-ID: <two/' "$T"/two/*.eml
for f in "$T"/two/*.eml; do deliver "$f"; done
mr poll --once >"$T/t1.out" 2>&1 &
p1=$!
mr poll --once >"$T/t2.out" 2>&1
r2=$?
wait $p1
r1=$?
mr poll --once >/dev/null 2>&1
like "$r1 $r2" "^(0 (0|75)|75 0)$" "two passes at once: one may be told another is running (75), never both fail"
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM messages WHERE message_id LIKE 'two%'") $(imap_count INBOX)" \
	"30 30 0" "two passes at once: 30 recorded exactly once, INBOX empty"

done_testing

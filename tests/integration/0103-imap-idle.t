#!/bin/sh
# 0103-imap-idle: `mailreg poll --wait SECONDS` waits for new mail with IMAP
# IDLE on its own connection to a real Dovecot, returns within seconds of a
# message being appended by another process (or delivered into the Maildir as
# an MTA would), and the pass that follows records it.  Mail that came while
# nobody waited ends the wait at once; nothing new: the wait times out; a server
# without IDLE is polled at [imap] poll_interval.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"

plan 18

make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; sed 's/^/# /' "$DOVECOT_DIR/log"; exit 1; }
imap_conf "poll_interval = 5"
make_messages 4 "$T/m"

now() { date +%s.%N; }
# elapsed START - seconds since START, one decimal
elapsed() { echo "$(now) - $1" | bc | awk '{ printf "%.1f", $1 }'; }
# under SECONDS - whether a duration is below a limit
under() { [ "$(echo "$1 < $2" | bc)" = 1 ]; }

# wait_idling FILE - until the waiting mailreg's debug output shows the
# server's "+ idling" (at most 20 s); the pid is $waiter
wait_idling() {
	_i=0
	while ! grep -q '^< + ' "$1" 2>/dev/null && [ $_i -lt 200 ]; do
		kill -0 "$waiter" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -q '^< + ' "$1"
}

mr poll --once >/dev/null 2>&1
is "$?" 0 "a first pass over the empty mailbox records its state"

# --- APPEND from another process while mailreg idles ------------------------------------------
MAILREG_IMAP_DEBUG=1 mr poll --wait 60 >"$T/w1.out" 2>"$T/w1.err" &
waiter=$!
wait_idling "$T/w1.err"
ok $? "the wait issues IDLE and the server answers '+ idling'"
like "$(grep '^> ' "$T/w1.err" | tail -1)" "^> M[0-9]+ IDLE" "on the connection of the wait: its last command is IDLE"
start=$(now)
append "$T/m/m0001.eml"
wait $waiter
rc=$?
took=$(elapsed "$start")
is "$rc" 0 "poll --wait exits 0"
under "$took" 5
ok $? "the wait ended ${took} s after the APPEND (limit 5 s)"
like "$(head -1 "$T/w1.out")" "^wait: new mail after [0-9.]+ s$" "it says new mail ended the wait"
grep -q '^> DONE$' "$T/w1.err"
ok $? "IDLE ended with DONE"
is "$(grep -c ' imap UID ' "$T/w1.out") $(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'm1.%'") $(imap_count INBOX)" \
	"1 1 0" "the pass that follows records the appended message and moves it"

# --- delivered into the Maildir (an MTA) while mailreg idles ------------------------------------
MAILREG_IMAP_DEBUG=1 mr poll --wait 60 >"$T/w2.out" 2>"$T/w2.err" &
waiter=$!
wait_idling "$T/w2.err"
start=$(now)
deliver "$T/m/m0002.eml"
wait $waiter
took=$(elapsed "$start")
under "$took" 5
ok $? "a message delivered into new/ ends the wait too (${took} s, limit 5 s)"
is "$(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'm2.%'") $(imap_count INBOX)" "1 0" \
	"and is recorded by the pass that follows"

# --- nothing new: the wait times out; mail that came before the wait ends it at once ----------
start=$(now)
mr poll --wait 2 >"$T/w3.out" 2>&1
rc=$?
took=$(elapsed "$start")
like "$rc $(head -1 "$T/w3.out")" "^0 wait: timeout after 2\.[0-9] s$" "nothing new: the wait times out after 2 s, exit 0"
under "$took" 5
ok $? "and the command ends soon after (${took} s)"

append "$T/m/m0003.eml"
start=$(now)
mr poll --wait 60 >"$T/w4.out" 2>&1
took=$(elapsed "$start")
like "$(head -1 "$T/w4.out")" "^wait: new mail after 0\.[0-9] s$" \
	"a message that came while nobody waited ends the wait at once (UIDNEXT)"
is "$(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'm3.%'")" 1 "and is recorded"

# --- a server without IDLE: polled at poll_interval ----------------------------------------------
dovecot_stop
dovecot_start "imap_capability = IMAP4rev1 LITERAL+ UIDPLUS MOVE ENABLE"
MAILREG_IMAP_DEBUG=1 mr poll --wait 60 >"$T/w5.out" 2>"$T/w5.err" &
waiter=$!
# append once the waiter has selected the mailbox (its UIDNEXT is known)
selected() { awk '/^> M[0-9]+ SELECT/ { s = 1 } s && /^< M[0-9]+ OK/ { f = 1 } END { exit !f }' "$T/w5.err"; }
wait_for 30 selected
append "$T/m/m0004.eml"
start=$(now)
wait $waiter
took=$(elapsed "$start")
grep -q '^> M[0-9]* IDLE' "$T/w5.err"
is "$?" 1 "without IDLE in CAPABILITY no IDLE is sent"
like "$(head -1 "$T/w5.out")" "^wait: (poll interval|new mail) after [0-9.]+ s$" \
	"the wait ends after poll_interval (5 s)"
under "$took" 8
ok $? "within poll_interval of the APPEND (${took} s, limit 8 s)"
is "$(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'm4.%'") $(imap_count INBOX)" "1 0" \
	"and the pass records the message"

done_testing

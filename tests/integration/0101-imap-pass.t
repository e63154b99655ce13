#!/bin/sh
# 0101-imap-pass: `mailreg poll --once` against a real Dovecot: 200 messages of
# mixed outcomes (half appended, which Dovecot stores \Seen, half delivered
# into the Maildir's new/ as an MTA would) are recorded once and moved each; a
# second pass does nothing; mail arriving between passes is taken; review goes
# to its own mailbox (a non-ASCII name); a huge message is recorded as review
# without being read; \Seen mode; a changed UIDVALIDITY causes no duplicates;
# a server without MOVE gets COPY + \Deleted + UID EXPUNGE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"

plan 28

REVIEW='Do sprawdzenia – błędne'
REVIEW7=$(utf7 "$REVIEW")

make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; sed 's/^/# /' "$DOVECOT_DIR/log"; exit 1; }
imap_conf "review_mailbox = $REVIEW"

make_messages 200 "$T/msgs"
for f in "$T"/msgs/m00[0-9]*.eml; do append "$f"; done    # 1-99: APPEND (\Seen)
for f in "$T"/msgs/m01[0-9]*.eml "$T"/msgs/m0200.eml; do deliver "$f"; done
is "$(imap_count INBOX)" 200 "200 messages wait in INBOX (99 appended, 101 delivered to new/)"

mr poll --once >"$T/p1.out" 2>"$T/p1.err"
is "$?" 0 "first pass exits 0"
is "$(grep -c ' imap UID ' "$T/p1.out")" 200 "one line per message"
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) || ' ' || count(DISTINCT spool_id) FROM messages")" \
	"200 200 200" "200 messages recorded, each once"
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT uid) || ' ' || sum(state = 'acked') FROM imap_messages")" \
	"200 200 200" "200 UIDs journalled and acknowledged"
review=$(sql "SELECT count(*) FROM messages WHERE state = 'review'")
is "$(imap_count INBOX) $(imap_count Przetworzone) $(imap_count "$REVIEW7")" "0 $((200 - review)) $review" \
	"INBOX empty; review outcomes ($review) in '$REVIEW', the rest in Przetworzone"
like "$(sql "SELECT group_concat(DISTINCT state) FROM (SELECT state FROM messages ORDER BY state)")" \
	"ignored,registered,rejected,review" "outcomes are mixed"
is "$(sql "SELECT count(*) FROM imap_messages i JOIN messages m USING (spool_id)") $(ls "$T/spool/cur" | wc -l | tr -d ' ') $(ls "$T/spool/new" | wc -l | tr -d ' ')" \
	"200 200 0" "every journal row points at its recorded message; spool cur/ holds 200"
like "$(tail -1 "$T/p1.out")" "^poll: .*200 acknowledged" "summary line counts 200 acknowledged"

# --- a second pass does nothing ----------------------------------------------------
MAILREG_IMAP_DEBUG=1 mr poll --once >"$T/p2.out" 2>"$T/p2.err"
is "$? $(grep -c ' imap UID ' "$T/p2.out") $(sql "SELECT count(*) FROM messages")" "0 0 200" \
	"second pass: exit 0, no message processed, still 200 rows"
is "$(grep '^> ' "$T/p2.err" | tr -d '\r' | sed 's/^> [A-Z][0-9]* //' | cut -d' ' -f1 | tr '\n' ' ')" \
	"CAPABILITY SELECT " "second pass: CAPABILITY and SELECT only, no FETCH (UIDNEXT says nothing is new)"

# --- new mail between passes --------------------------------------------------------
make_messages 3 "$T/more"
sed -i 's/^Message-ID: <m/Message-ID: <more/' "$T"/more/*.eml
append "$T/more/m0001.eml"
deliver "$T/more/m0002.eml"
deliver "$T/more/m0003.eml"
mr poll --once >"$T/p3.out" 2>&1
is "$? $(grep -c ' imap UID ' "$T/p3.out") $(grep -o 'imap UID [0-9]*' "$T/p3.out" | tr '\n' ' ')" \
	"0 3 imap UID 201 imap UID 202 imap UID 203 " "mail arriving between passes is taken (UIDs 201-203)"
is "$(sql "SELECT count(*) FROM messages") $(imap_count INBOX)" "203 0" "203 recorded, INBOX empty"

# --- a huge message: review with a reason, never read in full ---------------------------
python3 - "$DATA/pipeline/valid-8bit.eml" "$T/huge.eml" <<'PY'
import sys
src = open(sys.argv[1], "rb").read().replace(b"Message-ID: <", b"Message-ID: <huge.", 1)
head, _, body = src.partition(b"\n\n")
open(sys.argv[2], "wb").write(head + b"\n\n" + body + b"\n" + (b"x" * 75 + b"\n") * 4000)
PY
imap_conf "review_mailbox = $REVIEW
max_message_size = 100K"
deliver "$T/huge.eml"
mr poll --once >"$T/p4.out" 2>&1
like "$(grep 'imap UID' "$T/p4.out")" "^review +imap UID 204: message too large: [0-9]+ bytes, limit 102400" \
	"a message over [imap] max_message_size is recorded as review with the reason"
is "$(sql "SELECT state FROM messages WHERE message_id LIKE 'huge.%'") $(imap_count "$REVIEW7")" "review $((review + 1))" \
	"the huge message is moved to the review mailbox"
size=$(wc -c <"$T/spool/cur/$(sql "SELECT spool_id FROM messages WHERE message_id LIKE 'huge.%'")")
[ "$size" -lt 10000 ]
ok $? "only its header was spooled ($size bytes of $(wc -c <"$T/huge.eml"))"
is "$(sql "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.inbound_id WHERE m.message_id LIKE 'huge.%' AND o.kind = 'staff'")" 1 \
	"staff get a notice, as for every review"

# --- processed_mailbox empty: \Seen, messages stay --------------------------------------
imap_conf "processed_mailbox ="
make_messages 4 "$T/seen"
sed -i 's/^Message-ID: <m/Message-ID: <seen/' "$T"/seen/*.eml
for f in "$T"/seen/*.eml; do deliver "$f"; done
mr poll --once >"$T/p5.out" 2>&1
rc=$?
flags=$(icurl -X 'UID FETCH 1:* (FLAGS)' "imaps://127.0.0.1:$IMAPS_PORT/INBOX" | grep -c 'Seen')
is "$rc $(imap_count INBOX) $flags $(sql "SELECT count(*) FROM imap_messages WHERE acked_to = '\\Seen'")" "0 4 4 4" \
	"processed_mailbox empty: the 4 messages stay in INBOX, flagged \\Seen"
mr poll --once >"$T/p6.out" 2>&1
is "$(grep -c ' imap UID ' "$T/p6.out") $(sql "SELECT count(*) FROM messages")" "0 208" \
	"\\Seen mode: the next pass finds them by UID and does nothing"

# --- UIDVALIDITY change: recreate the mailbox with the same messages -----------------
# One more message without a Message-ID (matched by its content hash), and one
# new message that must be processed.
sed '/^Message-ID:/d' "$DATA/pipeline/valid-qp.eml" >"$T/nomid.eml"
deliver "$T/nomid.eml"
mr poll --once >/dev/null 2>&1
before=$(sql "SELECT count(*) FROM messages")
uv1=$(sql "SELECT uidvalidity FROM imap_mailboxes")
dovecot_stop
rm -f "$MAILDIR"/dovecot-uidlist "$MAILDIR"/dovecot.index*
make_messages 1 "$T/fresh"
sed -i 's/^Message-ID: <m/Message-ID: <fresh/' "$T/fresh/m0001.eml"
deliver "$T/fresh/m0001.eml"
dovecot_start
mr poll --once >"$T/p7.out" 2>"$T/p7.err"
rc=$?
uv2=$(sql "SELECT uidvalidity FROM imap_mailboxes")
[ "$uv1" != "$uv2" ]
ok $? "the recreated mailbox has a new UIDVALIDITY ($uv1 -> $uv2)"
like "$rc $(cat "$T/p7.err")" "^0 .*UIDVALIDITY of INBOX changed from $uv1 to $uv2" "the change is logged, exit 0"
is "$(grep -c ' imap UID ' "$T/p7.out") $(sql "SELECT count(*) FROM messages")" "1 $((before + 1))" \
	"only the one new message is processed; no duplicates"
is "$(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'fresh%'") $(sql "SELECT count(*) FROM messages WHERE message_id IS NULL")" \
	"1 1" "the new one recorded once; the one without Message-ID matched by content, not again"
is "$(sql "SELECT count(*) FROM imap_messages WHERE uidvalidity = $uv2 AND state = 'acked'") $(imap_count INBOX)" \
	"6 6" "all 6 messages of the new numbering acknowledged (\\Seen mode: they stay)"
like "$(tail -1 "$T/p7.out")" "\\(5 recorded before\\)" "5 were only acknowledged"

# --- a server without MOVE: COPY, \Deleted, UID EXPUNGE -------------------------------
dovecot_stop
dovecot_config "imap_capability = IMAP4rev1 LITERAL+ UIDPLUS IDLE"
dovecot_start
imap_conf
make_messages 3 "$T/nomove"
sed -i 's/^Message-ID: <m/Message-ID: <nomove/' "$T"/nomove/*.eml
for f in "$T"/nomove/*.eml; do deliver "$f"; done
inbox=$(imap_count INBOX)
processed=$(imap_count Przetworzone)
MAILREG_IMAP_DEBUG=1 mr poll --once >"$T/p8.out" 2>"$T/p8.err"
is "$? $(grep -c ' imap UID ' "$T/p8.out")" "0 3" "without MOVE: the pass exits 0 and takes 3 messages"
is "$(imap_count INBOX) $(imap_count Przetworzone)" "$((inbox - 3)) $((processed + 3))" \
	"without MOVE: copied to Przetworzone and expunged from INBOX"
is "$(grep -o '^> [A-Z][0-9]* UID [A-Z]*' "$T/p8.err" | cut -d' ' -f3- | sort -u | tr '\n' ' ')$(sql "SELECT count(*) FROM imap_messages WHERE state = 'pending'")" \
	"UID COPY UID EXPUNGE UID FETCH UID STORE 0" "no MOVE sent; nothing left pending"

done_testing

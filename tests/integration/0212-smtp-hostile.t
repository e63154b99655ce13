#!/bin/sh
# 0212-smtp-hostile: a misbehaving SMTP server (tests/smtp-hostile.py, SMTPS)
# never costs a message.  For each scenario a fresh instance with 3 replies
# queued: one `send` against the hostile server with [smtp] timeout = 2 ends
# in the expected exit class (75: network or protocol trouble; 77: the login
# refused; 78: settings that do not fit the server) with every reply still
# queued (deferred, none in flight, none failed); a trickling or silent server
# is cut by the deadline for a whole reply, an endless reply by its line cap
# (shown by the run ending: a `timeout 60` guard fails the check if it fires;
# the reply to the end of the data has twice [smtp] timeout, 4 s here).
# The hostile server records each message whose data it read to the end and
# never acknowledged: exactly the one the run was sending when it was cut (the
# rest of the batch waits), none where the run ends before the data.  Then
# one `send` against the real receiver (smtp.sh) delivers each reply exactly
# once - that one too: a server that has the data but never said 250 may or
# may not deliver it, and RFC 5321 §4.5.3.2.6 accepts this one duplicate
# window rather than a loss.  Peak RSS of each hostile run is reported and
# kept under 128 MB.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

# scenario:exit class of the hostile run ($HOSTILE_SCENARIOS: only these)
SCENARIOS=${HOSTILE_SCENARIOS:-"silent:75 trickle-greeting:75 big-greeting:75 huge-line:75 endless-ehlo:75
endless-mail:75 trickle-mail:75 mixed:75 garbage:75 drop-354:75 drop-data:75 trickle-data:75 silent-data:75
421:75 auth:77 untrusted:78"}
plan $(( $(echo $SCENARIOS | wc -w) * 7 + 1 ))

# what the error of the hostile run names
cause() {
	case $1 in
	silent|trickle-greeting) echo 'deferred .*(Operation timed out|[Tt]imeout)' ;;
	big-greeting) echo 'connect: protocol error: a reply of more than 100 lines' ;;
	# libcurl reads EHLO's answer and a line without end itself: it stops them at 300 KB
	endless-ehlo|huge-line) echo 'deferred .*Too large response headers' ;;
	endless-mail) echo 'MAIL FROM: protocol error: a reply of more than 100 lines' ;;
	trickle-mail) echo 'MAIL FROM: no complete reply within 2 seconds \(\[smtp\] timeout\)' ;;
	mixed) echo 'MAIL FROM: protocol error: reply lines with different codes' ;;
	garbage) echo 'MAIL FROM: protocol error: not an SMTP reply line' ;;
	drop-354) echo 'the end of the data: connection closed by the server|the message data: ' ;;
	drop-data) echo 'the end of the data: connection closed by the server' ;;
	trickle-data|silent-data)
		echo 'the end of the data: no complete reply within 4 seconds \(2 times \[smtp\] timeout\)' ;;
	421) echo 'deferred .*: 421 4.3.2 Service shutting down' ;;
	auth) echo 'Login denied.*the SMTP server refused the login' ;;
	untrusted) echo 'certificate.*the \[smtp\] settings do not fit the server' ;;
	esac
}

# messages whose data the hostile server read to the end, unanswered
data_taken() {
	case $1 in
	drop-data|trickle-data|silent-data) echo 1 ;;
	*) echo 0 ;;
	esac
}

# hostile_data - "RECORDED OURS": the messages whose data the hostile server
# read to the end, and how many of them are distinct replies of the outbox
hostile_data() {
	_ours=0
	for _id in $(sort -u "$T/hostile-data"); do
		_ours=$((_ours + $(sql "SELECT count(*) FROM outbox WHERE message_id = '$_id'")))
	done
	echo "$(wc -l <"$T/hostile-data" | tr -d ' ') $_ours"
}

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
printf 's3cret\n' >"$T/password"

HOSTILE_PID=
hostile_stop() {
	[ -n "$HOSTILE_PID" ] || return 0
	kill "$HOSTILE_PID" 2>/dev/null
	wait "$HOSTILE_PID" 2>/dev/null
	HOSTILE_PID=
}
at_exit hostile_stop

# smtp_group KEY = VALUE lines - the [smtp] group, in place of the one before
smtp_group() {
	sed -i '/^\[smtp\]/,$d' "$T/etc/mailreg.conf"
	{ echo '[smtp]'; for l in "$@"; do echo "$l"; done; } >>"$T/etc/mailreg.conf"
}

# hostile_start SCENARIO - serve SMTPS; [smtp] points at it with a 2 s timeout
hostile_start() {
	rm -f "$T/hport" "$T/hostile-data"
	: >"$T/hostile-data"
	"$PY" "$ROOT/tests/smtp-hostile.py" --scenario "$1" --tls "$T/cert.pem" "$T/key.pem" \
		--port-file "$T/hport" --record "$T/hostile-data" 2>>"$T/hostile.log" &
	HOSTILE_PID=$!
	wait_for 20 test -s "$T/hport" || { echo "Bail out! the hostile SMTP server did not start"; exit 1; }
	case $1 in
	auth) smtp_group "url = smtps://127.0.0.1:$(cat "$T/hport")" "ca_file = $T/cert.pem" "timeout = 2" \
		"user = rejestracja" "password_file = $T/password" ;;
	untrusted) smtp_group "url = smtps://127.0.0.1:$(cat "$T/hport")" "timeout = 2" ;;
	*) smtp_group "url = smtps://127.0.0.1:$(cat "$T/hport")" "ca_file = $T/cert.pem" "timeout = 2" ;;
	esac
}

smtp_start
rss_report=
for s in $SCENARIOS; do
	name=${s%:*}
	want=${s#*:}
	rm -rf "$T/etc" "$T/var" "$T/spool" "$T/outgoing" "$T/in" "$RX"
	mkdir -p "$RX"
	make_instance
	applicants 3 "$T/in" "$name."
	mr ingest "$T/in" >/dev/null 2>&1
	total=$(sql "SELECT count(*) FROM outbox WHERE state = 'queued'")

	hostile_start "$name"
	/usr/bin/time -f %M -o "$T/rss" timeout 60 "$MAILREG" -c "$T/etc/mailreg.conf" send \
		>"$T/hostile.out" 2>"$T/hostile.err"
	rc=$?
	hostile_stop
	rss=$(tail -1 "$T/rss")
	rss_report="$rss_report $name=$((rss / 1024))MB"
	is "$rc" "$want" "$name: the hostile run exits $want (124: the guard fired)"
	[ "$rc" = "$want" ] || sed 's/^/#   /' "$T/hostile.err" | tail -5 | _diag
	like "$(grep -v 'certificate is not checked' "$T/hostile.err" | tr '\n' ' ')" "$(cause "$name")" \
		"$name: the error names the cause"
	is "$(sql "SELECT count(*) || ' ' || sum(state = 'deferred') FROM outbox")" "$total $total" \
		"$name: all $total replies still queued (deferred; none sent, failed or in flight)"
	taken=$(data_taken "$name")
	is "$(hostile_data)" "$taken $taken" "$name: the server read the data of $taken of them to the end, unanswered"
	ok "$([ "${rss:-999999}" -lt 131072 ]; echo $?)" "$name: peak RSS ${rss:-?} kB, under 128 MB"

	# the sane pass: every reply due now, to the real receiver
	sql "UPDATE outbox SET next_attempt_at = 0"
	smtp_group "url = smtp://127.0.0.1:$SMTP_PORT" "starttls = false"
	mr send >"$T/sane.out" 2>"$T/sane.err"
	rc=$?
	is "$rc" 0 "$name: the sane run exits 0"
	[ "$rc" = 0 ] || sed 's/^/#   /' "$T/sane.err" | tail -5 | _diag
	is "$(rx_tally) $(sql "SELECT count(*) FROM outbox WHERE state = 'sent'")" "$total $total 0 0 $total" \
		"$name: the receiver got each of the $total replies exactly once, all marked sent"
done
echo "# peak RSS of the hostile runs:$rss_report"

is "$(grep -c Traceback "$T/hostile.log")" 0 "the hostile server itself never failed"
grep -q Traceback "$T/hostile.log" && sed 's/^/#   /' "$T/hostile.log" | head -40 | _diag
done_testing

#!/bin/sh
# 0110-imap-hostile: a misbehaving IMAPS server (tests/imap-hostile.py) never
# costs a message.  For each scenario a fresh instance and a mailbox of 5
# application forms: one pass against the hostile server ends in the expected
# exit class (75: protocol or network trouble, the UIDs stay pending; 0 where
# the nonsense can be ignored safely; a trickling answer is cut by [imap]
# timeout), then one pass against the same mailbox
# served sanely records all 5 exactly once, with no UID given up as gone.
# The hostile pass runs under `timeout 60` (a guard: the bound checked is the
# configured [imap] timeout, through the cause the error names) and
# /usr/bin/time: its peak RSS stays under 128 MB however much the server sends.
# idle-flood tries the wait of `mailreg run` instead (poll --wait, after a
# pass that takes the mail): DONE answered without end.
# One server per scenario serves both passes: from the sane pass on it serves
# every connection sanely ($T/sane exists).  The instance and the mailbox are
# made once and copied fresh for each scenario.
. "$(dirname "$0")/lib.sh"

# scenario:exit class of the hostile pass ($HOSTILE_SCENARIOS: only these)
SCENARIOS=${HOSTILE_SCENARIOS:-"no-uid:75 other-uid:75 nul:75 lit-abc:75 lit-neg:75 lit-12x:75 lit-space:75
lit-plus:75 premature-ok:75 nonexistent:0 unasked:0 select-drop:75 select-trickle:75 fetch-trickle:75
unasked-big:0 dup-body:75 uv-fetch:75 uv-drop:75 uv-missing:75 uv-zero:75 bye-literal:75 lit-huge:75 lit-4g:75
greeting-huge:75 silent:75 idle-flood:75"}
plan $(( $(echo $SCENARIOS | wc -w) * 6 + 1 ))
# peak RSS allowed (KB); the sanitizers' shadow memory and quarantine come on top
RSS_MAX=131072
[ -n "${SANITIZE:-}" ] && RSS_MAX=$((RSS_MAX + 524288))

# what the error of the hostile pass names: the cause, not a timeout
cause() {
	case $1 in
	no-uid) echo 'FETCH response with data but without its UID' ;;
	other-uid) echo 'the answer to its FETCH did not hold it' ;;
	nul) echo 'a NUL byte in a response line' ;;
	lit-huge) echo 'a bad literal in a FETCH response: \{99999999999\}' ;;
	lit-4g) echo 'a literal of 4294967295 bytes, above the limit' ;;
	lit-*) echo 'a bad literal in a FETCH response' ;;
	premature-ok) echo 'look for UID 1: no clear SEARCH response' ;;
	select-drop) echo 'select mailbox INBOX: connection closed by the server' ;;
	select-trickle) echo 'select mailbox INBOX: no complete answer within 2 seconds' ;;
	fetch-trickle) echo 'fetch messages: no complete answer within 2 seconds' ;;
	dup-body) echo 'two bodies of UID 1 in one answer' ;;
	uv-fetch) echo 'UIDVALIDITY changed from 1700000000 to 1700000001 during the pass' ;;
	uv-drop) echo 'move to .*: connection closed by the server' ;;
	uv-missing|uv-zero) echo 'select mailbox INBOX: no UIDVALIDITY in the answer' ;;
	# "* BYE" inside a literal is message data, not the server's farewell
	bye-literal) echo 'fetch messages: connection closed by the server$' ;;
	greeting-huge) echo 'log in: Too large response headers' ;;
	silent) echo 'log in: .*(Operation timed out|Timeout was reached)' ;;
	idle-flood) echo 'idle: no complete answer in time \(\[imap\] timeout\)' ;;
	nonexistent) echo 'UID 1000000 is not below UIDNEXT 6: left for the next pass' ;;
	*) echo '^$' ;;
	esac
}

FORMS="valid-8bit valid-base64 valid-qp cp1250-charset iso88592-charset"
# Debian's Python, as smtp.sh's: a python3 found first on $PATH may be a
# version manager's shim that costs a shell script at every start
PY=/usr/bin/python3
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1

SERVER_PID=
server_stop() {
	[ -n "$SERVER_PID" ] || return 0
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
}
at_exit server_stop

# imap_group [IMAP-SETTING] - the [imap] group, for the server on $SERVER_PORT
imap_group() {
	sed -i '/^\[imap\]/,$d' "$T/etc/mailreg.conf"
	cat >>"$T/etc/mailreg.conf" <<CONF
[imap]
url = imaps://127.0.0.1:$SERVER_PORT/INBOX
user = zgloszenia
password_file = imap-password
ca_file = $T/cert.pem
${1:-}
CONF
}

# server_start SCENARIO [IMAP-SETTING] - serve $T/box; sets $SERVER_PORT.
server_start() {
	rm -f "$T/port" "$T/sane"
	"$PY" "$ROOT/tests/imap-hostile.py" --dir "$T/box" --scenario "$1" --tls "$T/cert.pem" "$T/key.pem" \
		--port-file "$T/port" --sane-file "$T/sane" 2>>"$T/server.log" &
	SERVER_PID=$!
	wait_for 20 test -s "$T/port" || { echo "Bail out! the test IMAP server did not start"; exit 1; }
	SERVER_PORT=$(cat "$T/port")
	imap_group "${2:-}"
}

# the instance and the mailbox of 5 forms every scenario starts from
make_instance
printf 'secret' >"$T/etc/imap-password"
chmod 600 "$T/etc/imap-password"
mkdir "$T/fresh"
mv "$T/etc" "$T/var" "$T/fresh/"
for d in spool outgoing; do [ ! -e "$T/$d" ] || mv "$T/$d" "$T/fresh/"; done
# shellcheck disable=SC2046
"$PY" "$ROOT/tests/imap-hostile.py" --dir "$T/fresh/box" --add $(for f in $FORMS; do echo "$DATA/pipeline/$f.eml"; done) \
	>/dev/null

for s in $SCENARIOS; do
	name=${s%:*}
	want=${s#*:}
	rm -rf "$T/etc" "$T/var" "$T/spool" "$T/outgoing" "$T/box"
	cp -Rp "$T/fresh/." "$T/"

	# a trickling or silent server is cut by the deadline for a whole response
	case $name in
	*-trickle | silent | greeting-huge | idle-flood) server_start "$name" "timeout = 2" ;;
	# literals of 4 MB - 1 are each within the limit
	unasked-big) server_start "$name" "max_message_size = 4M" ;;
	*) server_start "$name" ;;
	esac
	cmd="poll --once"
	if [ "$name" = idle-flood ]; then
		mr poll --once >"$T/first.out" 2>"$T/first.err" || sed 's/^/#   /' "$T/first.err" | tail -5 | _diag
		cmd="poll --wait 1"
	fi
	# shellcheck disable=SC2086
	timeout 60 /usr/bin/time -f %M -o "$T/rss" "$MAILREG" -c "$T/etc/mailreg.conf" $cmd >"$T/hostile.out" 2>"$T/hostile.err"
	rc=$?
	is "$rc" "$want" "$name: the hostile pass exits $want"
	[ "$rc" = "$want" ] || sed 's/^/#   /' "$T/hostile.err" | tail -5 | _diag
	rss=$(tail -1 "$T/rss")
	ok "$([ "$rss" -lt "$RSS_MAX" ] 2>/dev/null && echo 0 || echo 1)" "$name: peak RSS ${rss} KB, under $RSS_MAX KB"
	like "$(grep -v 'TLS certificate verification' "$T/hostile.err")" "$(cause "$name")" \
		"$name: the error names the cause"
	is "$(sql "SELECT count(*) FROM imap_messages WHERE state = 'gone'")" 0 "$name: no UID given up as gone"

	if [ "$name" = nonexistent ]; then
		# mail arriving later is still taken: the last UID stayed below UIDNEXT
		sed 's/^Message-ID: <\(.*\)>/Message-ID: <later.\1>/' "$DATA/pipeline/valid-8bit.eml" >"$T/later.eml"
		"$PY" "$ROOT/tests/imap-hostile.py" --dir "$T/box" --add "$T/later.eml" >/dev/null
		total=6
	else
		total=5
	fi
	touch "$T/sane"
	imap_group
	mr poll --once >"$T/sane.out" 2>"$T/sane.err"
	rc=$?
	server_stop
	is "$rc" 0 "$name: the sane pass exits 0"
	[ "$rc" = 0 ] || sed 's/^/#   /' "$T/sane.err" | tail -5 | _diag
	is "$(sql "SELECT count(*) || ' ' || count(DISTINCT spool_id) || ' ' || count(DISTINCT message_id) FROM messages") $(ls "$T/box/INBOX" | wc -l | tr -d ' ')" \
		"$total $total $total 0" "$name: all $total messages recorded exactly once (each its own Message-ID), the INBOX empty"
done

is "$(grep -c Traceback "$T/server.log")" 0 "the test server itself never failed"
grep -q Traceback "$T/server.log" && sed 's/^/#   /' "$T/server.log" | head -40 | _diag
done_testing

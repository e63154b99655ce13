#!/bin/sh
# 0502-web-browser: the staff console in headless Chromium (Selenium,
# tests/browser/console.py) against `mailreg run` serving it, with the real
# SMTP receiver: log in, the dashboard lists the events, a review item is
# registered with typed fields (the applicant's confirmation arrives), log
# out.  Then the review actions over curl: without a session, without the
# form's token or with another session's token nothing changes; a hostile
# message is shown escaped and its attachment only as a download.
# MAILREG_SCREENSHOTS=DIR saves the browser's screenshots there (docs/console).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"
. "$(dirname "$0")/lib-web.sh"
plan 35

if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ] || ! /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
	skip_all "chromium, chromium-driver and python3-selenium are needed (scripts/deps.sh test)"
fi
make_instance
PW='haslo-anny-do-konsoli'
echo "$PW" | mr staff add anna --name "Anna Nowak" >/dev/null
echo "haslo-bartka-do-konsoli" | mr staff add bartek >/dev/null
X=$DATA/pipeline
mr ingest "$X/review-no-form.eml" >/dev/null 2>&1
id=$(sql "SELECT id FROM messages WHERE state = 'review'")
smtp_start
smtp_config
printf '\n[paths]\ninbox_poll_interval = 1\n' >>"$T/etc/mailreg.conf"
web_config
"$MAILREG" -c "$T/etc/mailreg.conf" run 2>>"$T/web.log" &
WEB_PID=$!
wait_for 60 web_up
ok $? "mailreg run serves the console"

/usr/bin/python3 "$ROOT/tests/browser/console.py" "$WEB_URL" anna "$PW" "$id" ${MAILREG_SCREENSHOTS:-} >"$T/browser.out" 2>"$T/browser.err"
is "$?" 0 "the browser session passes"
sed 's/^/# /' "$T/browser.out" "$T/browser.err" | head -20
grep -q "^ok - the dashboard lists the events" "$T/browser.out"; ok $? "log in: the dashboard lists the events"
grep -q "^ok - registering with typed fields settles the item" "$T/browser.out"; ok $? "a review item registered with typed fields"
grep -q "^ok - the event page lists the new participant" "$T/browser.out"; ok $? "the event page lists the participant"
grep -q "^ok - after logout the console is closed" "$T/browser.out"; ok $? "log out closes the console"
is "$(sql "SELECT state || ' ' || (reviewed_at IS NOT NULL) FROM messages WHERE id = $id")" "registered 1" \
	"the message is registered"
is "$(sql "SELECT first_name || ' ' || last_name || ' ' || powiat FROM applicants")" "Halina Dudek powiat myszkowski" \
	"with the typed fields"
is "$(sql "SELECT actor || ' ' || action || ' ' || record FROM audit")" "web:anna review.register message:$id" \
	"audited as the staff member's action"
like "$(mr audit)" "web:anna +review.register +message:$id" "mailreg audit lists it"
like "$(mr audit --json)" '"actor" : "web:anna"' "also as JSON"
mid=$(sql "SELECT message_id FROM outbox WHERE kind = 'confirmation' AND rcpt = 'halina.dudek@ops-myszkow.example.pl'")
confirmed() { [ -n "$mid" ] && grep -l "$mid" "$RX"/*.eml >/dev/null 2>&1; }
wait_for 60 confirmed
ok $? "the applicant's confirmation arrives at the SMTP receiver"

# --- the review actions over HTTP: no session, no token, a foreign token
mr ingest "$X/valid-8bit.eml" >/dev/null 2>&1
cat >"$T/hostile.eml" <<'MAIL'
From: "<script>alert(1)</script>" <zly@example.pl>
To: rejestracja@rops.example.pl
Subject: "Cytat" <b>pogrubienie</b> & <script>alert('x')</script>
Message-ID: <hostile-1@example.pl>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/html; charset=utf-8

<p onclick="alert(1)">Tekst <script>alert(2)</script><b>pogrubiony</b></p>
--b
Content-Type: text/html; name="../../x.html"
Content-Disposition: attachment; filename="../../x.html"

<script>alert(3)</script>
--b--
MAIL
mr ingest "$T/hostile.eml" >/dev/null 2>&1
hid=$(sql "SELECT id FROM messages WHERE message_id = 'hostile-1@example.pl'")
is "$(sql "SELECT state FROM messages WHERE id = $hid")" review "the hostile message waits for review"
web_login anna "$PW" "$T/jar-a" >/dev/null
web_login bartek haslo-bartka-do-konsoli "$T/jar-b" >/dev/null
csrf_a=$(web_csrf "$T/jar-a")
csrf_b=$(web_csrf "$T/jar-b")
settled() { sql "SELECT (reviewed_at IS NOT NULL) || ' ' || (SELECT count(*) FROM audit) FROM messages WHERE id = $hid"; }
is "$($WEB_CURL -o /dev/null -w '%{http_code}' -d action=done -d "csrf=$csrf_a" "$WEB_URL/review/$hid")" 403 \
	"settling without a session: 403"
is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=done "$WEB_URL/review/$hid")" 403 \
	"without the form's token: 403"
is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=done -d "csrf=$csrf_b" "$WEB_URL/review/$hid")" 403 \
	"with another session's token: 403"
is "$(settled)" "0 1" "none of them changed anything (no settle, no audit row)"

$WEB_CURL -b "$T/jar-a" -o "$T/hostile.html" "$WEB_URL/review/$hid"
check "the page has no script tag from the mail" sh -c "! grep -qi '<script' '$T/hostile.html'"
like "$(cat "$T/hostile.html")" "&quot;Cytat&quot; &lt;b&gt;pogrubienie&lt;/b&gt; &amp; &lt;script&gt;" "the subject is escaped"
like "$(cat "$T/hostile.html")" "Tekst.*pogrubiony" "the HTML body is shown as text"
check "no attribute of the mail's HTML reaches the page" sh -c "! grep -q 'onclick' '$T/hostile.html'"
like "$(cat "$T/hostile.html")" 'href="/review/'"$hid"'/attachment/1">x.html<' "the attachment is listed under a safe name"
$WEB_CURL -b "$T/jar-a" -D "$T/h-att" -o "$T/att" "$WEB_URL/review/$hid/attachment/1"
h=$(tr -d '\r' <"$T/h-att")
like "$h" 'Content-Disposition: attachment; filename="x.html"' "downloaded only as an attachment, without its path"
like "$h" "Content-Type: application/octet-stream" "as opaque bytes"
like "$h" "X-Content-Type-Options: nosniff" "never sniffed"

is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=done -d "csrf=$csrf_a" "$WEB_URL/review/$hid")" 303 \
	"with the session's own token the item is settled"
is "$($WEB_CURL -b "$T/jar-b" -o "$T/twice.html" -w '%{http_code}' -d action=done -d "csrf=$csrf_b" "$WEB_URL/review/$hid")" 409 \
	"settling it again is refused politely"

# --- /outbox: a deferred reply, retried now by a staff member
echo "rcpt 451 4.3.0 Mailbox busy, try later" >"$RX_CONTROL"
mr ingest "$X/valid-qp.eml" >/dev/null 2>&1
deferred() { [ "$(sql "SELECT count(*) FROM outbox WHERE state = 'deferred'")" -ge 1 ]; }
wait_for 60 deferred
ok $? "with the receiver refusing, a reply is deferred"
oid=$(sql "SELECT id FROM outbox WHERE state = 'deferred' ORDER BY id LIMIT 1")
rm -f "$RX_CONTROL"
$WEB_CURL -b "$T/jar-a" -o "$T/outbox.html" "$WEB_URL/outbox"
like "$(cat "$T/outbox.html")" "<td>$oid</td>.*odłożona.*451 " "/outbox shows it with the server's answer"
like "$(cat "$T/outbox.html")" "action=\"/outbox/$oid\".*Ponów teraz" "and a retry button"
before=$(sql "SELECT next_attempt_at FROM outbox WHERE id = $oid")
is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=retry "$WEB_URL/outbox/$oid")" 403 \
	"retry without the form's token: 403"
is "$(sql "SELECT next_attempt_at FROM outbox WHERE id = $oid")" "$before" "and nothing changed"
is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=retry -d "csrf=$csrf_a" "$WEB_URL/outbox/$oid")" 303 \
	"retry now with the token"
sent() { [ "$(sql "SELECT state FROM outbox WHERE id = $oid")" = sent ]; }
wait_for 60 sent
ok $? "the daemon sends it at its next round"
is "$(sql "SELECT actor || ' ' || action || ' ' || record FROM audit WHERE action = 'outbox.retry'")" \
	"web:anna outbox.retry outbox:$oid" "the retry is audited"
done_testing

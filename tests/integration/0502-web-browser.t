#!/bin/sh
# 0502-web-browser: the staff console in headless Chromium (Selenium,
# tests/browser/console.py) against `mailreg run` serving it, with the real
# SMTP receiver: log in, the dashboard lists the events, a review item is
# registered with typed fields (the applicant's confirmation arrives), log
# out; a registration cancelled in the browser (the first on the waiting
# list promoted, both told by mail) and the attendance list downloaded.  Then
# the review actions over curl: without a session, without the form's token
# or with another session's token nothing changes; a hostile message is
# shown escaped and its attachment only as a download; the confirmation
# sent again, a session moved (the update mail arrives), a person erased.
# MAILREG_SCREENSHOTS=DIR saves the browser's screenshots there (docs/console).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"
. "$(dirname "$0")/lib-web.sh"
plan 63

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
# one seat at INFO-CEN: Celina has it, Dorota waits
web_one_seat
web_form 1 Celina Wąsik 'OPS Gliwice' brak
web_form 2 Dorota Łęcka 'MOPS Zabrze' 'dieta wegetariańska'
mr ingest "$T/form-1.eml" "$T/form-2.eml" >/dev/null 2>&1
a1=$(sql "SELECT id FROM applicants WHERE email = 'osoba1@ops.example.pl'")
a2=$(sql "SELECT id FROM applicants WHERE email = 'osoba2@ops.example.pl'")
c1=$(sql "SELECT code FROM registrations WHERE applicant_id = $a1")
smtp_start
smtp_config
printf '\n[paths]\ninbox_poll_interval = 1\n' >>"$T/etc/mailreg.conf"
web_config
"$MAILREG" -c "$T/etc/mailreg.conf" run 2>>"$T/web.log" &
WEB_PID=$!
wait_for 60 web_up
ok $? "mailreg run serves the console"

mkdir -p "$T/downloads"
CONSOLE_CANCEL="Celina Wąsik" CONSOLE_WAITING="Dorota Łęcka" CONSOLE_DOWNLOADS="$T/downloads" \
	/usr/bin/python3 "$ROOT/tests/browser/console.py" "$WEB_URL" anna "$PW" "$id" ${MAILREG_SCREENSHOTS:-} \
	>"$T/browser.out" 2>"$T/browser.err"
is "$?" 0 "the browser session passes"
sed 's/^/# /' "$T/browser.out" "$T/browser.err" | head -20
grep -q "^ok - the dashboard lists the events" "$T/browser.out"; ok $? "log in: the dashboard lists the events"
grep -q "^ok - registering with typed fields settles the item" "$T/browser.out"; ok $? "a review item registered with typed fields"
grep -q "^ok - the event page lists the new participant" "$T/browser.out"; ok $? "the event page lists the participant"
grep -q "^ok - the event page shows the waiting list and the special needs" "$T/browser.out"; ok $? "the waiting list and needs shown"
grep -q "^ok - a search without Polish marks finds the applicant" "$T/browser.out"; ok $? "an applicant found by a search"
grep -q "^ok - cancelling a registration in the browser" "$T/browser.out"; ok $? "a registration cancelled in the browser"
grep -q "^ok - the first on the waiting list is promoted" "$T/browser.out"; ok $? "the event page shows the promotion"
grep -q "^ok - the attendance list downloads as CSV" "$T/browser.out"; ok $? "the attendance list downloaded"
grep -q "^ok - after logout the console is closed" "$T/browser.out"; ok $? "log out closes the console"
is "$(sql "SELECT state || ' ' || (reviewed_at IS NOT NULL) FROM messages WHERE id = $id")" "registered 1" \
	"the message is registered"
is "$(sql "SELECT first_name || ' ' || last_name || ' ' || powiat FROM applicants WHERE last_name = 'Dudek'")" \
	"Halina Dudek powiat myszkowski" "with the typed fields"
is "$(sql "SELECT actor || ' ' || action || ' ' || record FROM audit WHERE action = 'review.register'")" \
	"web:anna review.register message:$id" "audited as the staff member's action"
like "$(mr audit)" "web:anna +review.register +message:$id" "mailreg audit lists it"
like "$(mr audit --json)" '"actor" : "web:anna"' "also as JSON"
mid=$(sql "SELECT message_id FROM outbox WHERE kind = 'confirmation' AND rcpt = 'halina.dudek@ops-myszkow.example.pl'")
confirmed() { [ -n "$mid" ] && grep -l "$mid" "$RX"/*.eml >/dev/null 2>&1; }
wait_for 60 confirmed
ok $? "the applicant's confirmation arrives at the SMTP receiver"

# --- the cancellation in the browser: its effects, its audit row, the promoted person's mail
is "$(sql "SELECT group_concat(status, ' ') FROM (SELECT r.status FROM registrations r JOIN events e ON e.id = r.event_id
	WHERE e.code = 'INFO-CEN' ORDER BY r.id)")" "cancelled confirmed" "Celina's place cancelled, Dorota promoted"
is "$(sql "SELECT actor || ' ' || action || ' ' || record FROM audit WHERE action = 'registration.cancel'")" \
	"web:anna registration.cancel registration:$c1" "the cancellation is audited"
pmid=$(sql "SELECT message_id FROM outbox WHERE kind = 'promotion' AND rcpt = 'osoba2@ops.example.pl'")
promoted_mail() { [ -n "$pmid" ] && grep -l "$pmid" "$RX"/*.eml >/dev/null 2>&1; }
wait_for 60 promoted_mail
ok $? "the promoted person's mail arrives at the SMTP receiver"
cmid=$(sql "SELECT message_id FROM outbox WHERE kind = 'cancellation' AND rcpt = 'osoba1@ops.example.pl'")
cancelled_mail() { [ -n "$cmid" ] && grep -l "$cmid" "$RX"/*.eml >/dev/null 2>&1; }
wait_for 60 cancelled_mail
ok $? "and the cancelled one is told"
csv=$T/downloads/lista-obecnosci-INFO-CEN.csv
is "$(head -c 3 "$csv" | od -An -tx1 | tr -d ' ')" "efbbbf" "the CSV starts with the UTF-8 byte-order mark"
like "$(sed -n 2p "$csv")" '^"1";"Łęcka";"Dorota";"MOPS Zabrze";"osoba2@ops.example.pl";"32 200 00 00";"ZG-' \
	"one row per participant, ';'-separated, Polish letters intact"
is "$(tr -cd '\r' <"$csv" | wc -c)" 2 "rows end in CRLF (header and one participant)"

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
settled() { sql "SELECT (reviewed_at IS NOT NULL) || ' ' || (SELECT count(*) FROM audit WHERE record = 'message:$hid')
	FROM messages WHERE id = $hid"; }
is "$($WEB_CURL -o /dev/null -w '%{http_code}' -d action=done -d "csrf=$csrf_a" "$WEB_URL/review/$hid")" 403 \
	"settling without a session: 403"
is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=done "$WEB_URL/review/$hid")" 403 \
	"without the form's token: 403"
is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=done -d "csrf=$csrf_b" "$WEB_URL/review/$hid")" 403 \
	"with another session's token: 403"
is "$(settled)" "0 0" "none of them changed anything (no settle, no audit row)"

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

# --- the other actions over HTTP: the confirmation again, a session moved, forget (RODO)
n_conf() { sql "SELECT count(*) FROM outbox WHERE rcpt = 'osoba2@ops.example.pl' AND kind = 'confirmation'"; }
before=$(n_conf)
is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=resend -d "csrf=$csrf_a" "$WEB_URL/applicants/$a2")" 303 \
	"resend the confirmation"
is "$(n_conf)" "$((before + 1))" "one more confirmation queued"
is "$(sql "SELECT actor || ' ' || action || ' ' || record FROM audit WHERE action = 'applicant.resend'")" \
	"web:anna applicant.resend applicant:$a2" "the resend is audited"
session() { sql "SELECT s.start || ' ' || s.end || ' ' || s.place FROM sessions s JOIN events e ON e.id = s.event_id
	WHERE e.code = 'INFO-CEN'"; }
was=$(session)
is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=reschedule -d session=1 -d start=jutro \
	-d "csrf=$csrf_a" "$WEB_URL/events/INFO-CEN")" 422 "a date that is no date is refused"
is "$(session)" "$was" "and nothing changed"
is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=reschedule -d session=1 -d start=2014-03-13T10:00 \
	-d end=2014-03-13T14:00 --data-urlencode 'place=Gliwice, ul. Zygmunta Starego 17' -d "csrf=$csrf_a" \
	"$WEB_URL/events/INFO-CEN")" 303 "a session moved to another day and place"
is "$(session)" "2014-03-13T10:00 2014-03-13T14:00 Gliwice, ul. Zygmunta Starego 17" "the new date and place are kept"
is "$(sql "SELECT group_concat(rcpt) FROM outbox WHERE kind = 'update'")" "osoba2@ops.example.pl" \
	"the update goes to the one holding a place, not to the cancelled"
umid=$(sql "SELECT message_id FROM outbox WHERE kind = 'update'")
update_mail() { [ -n "$umid" ] && grep -l "$umid" "$RX"/*.eml >/dev/null 2>&1; }
wait_for 60 update_mail
ok $? "the update mail arrives at the SMTP receiver"
grep -l "$umid" "$RX"/*.eml | head -1 | xargs grep -q "text/calendar"
ok $? "with the calendar entry"
is "$(sql "SELECT actor || ' ' || action || ' ' || record FROM audit WHERE action = 'event.reschedule'")" \
	"web:anna event.reschedule event:INFO-CEN" "the change is audited"
is "$($WEB_CURL -b "$T/jar-a" -o /dev/null -w '%{http_code}' -d action=forget -d confirm=tak -d "csrf=$csrf_a" \
	"$WEB_URL/applicants/$a1")" 303 "forget, confirmed"
is "$(sql "SELECT email || ' ' || coalesce(last_name, '-') FROM applicants WHERE id = $a1")" "forgotten-$a1@invalid -" \
	"the applicant is anonymous"
is "$(sql "SELECT actor || ' ' || action || ' ' || record FROM audit WHERE action = 'applicant.forget'")" \
	"web:anna applicant.forget applicant:$a1" "audited by id"
check "the address is nowhere in the database, the spool or the outgoing folder" \
	sh -c "! grep -rlaq 'osoba1@ops' '$T/var' '$T/spool' '$T/outgoing'"
like "$($WEB_CURL -b "$T/jar-a" "$WEB_URL/applicants/$a1")" "Dane osobowe tej osoby zostały usunięte" \
	"the applicant's page says so"
done_testing

#!/bin/sh
# 0501-web-security: the staff console's security points, each checked over
# real HTTP with curl against `mailreg web`: [web] config rules, staff
# accounts, headers, the session cookie, CSRF on every POST, logout, idle and
# absolute expiry (the console's clock shifted by MAILREG_WEB_SKEW_FILE, no
# waiting), the login throttles, escaping, bounded requests, the per-address
# connection limit, HTTPS with a __Host- cookie, an access log without
# personal data; the applicants' and events' actions refused without a
# session or the session's own token, and values from mail escaped on their
# pages (and made text in the attendance CSV).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-web.sh"
need_faults
plan 90

make_instance
PW='tajne-haslo-anny-42'

# --- [web] configuration
cp "$T/etc/mailreg.conf" "$T/etc/base.conf"
printf '[web]\nlisten = 192.0.2.1:8080\n' >>"$T/etc/mailreg.conf"
mr staff list >/dev/null 2>"$T/cfg.err"
is "$?" 78 "a non-loopback listen without TLS is a config error (78)"
like "$(cat "$T/cfg.err")" "\[web\] listen: '192.0.2.1:8080' is not a loopback address" "it names group, key and value"
echo "behind_proxy = true" >>"$T/etc/mailreg.conf"
mr staff list >/dev/null 2>&1
is "$?" 0 "allowed behind a reverse proxy (behind_proxy = true)"
cp "$T/etc/base.conf" "$T/etc/mailreg.conf"
printf '[web]\ntls_cert_file = /nonexistent.pem\n' >>"$T/etc/mailreg.conf"
mr staff list >/dev/null 2>"$T/cfg.err"
is "$?" 78 "a certificate without its key is a config error"
cp "$T/etc/base.conf" "$T/etc/mailreg.conf"
printf '[web]\nlisten = localhost:80x\n' >>"$T/etc/mailreg.conf"
mr staff list >/dev/null 2>&1
is "$?" 78 "a malformed listen is a config error"
cp "$T/etc/base.conf" "$T/etc/mailreg.conf"

# --- staff accounts
echo "$PW" | mr staff add anna --name 'Anna <script>alert(1)</script> "Nowak"' >/dev/null
is "$?" 0 "staff add reads the password from stdin"
echo "$PW" | mr staff add anna >/dev/null 2>&1
is "$?" 65 "the same login twice is refused (65)"
echo "krotkie" | mr staff add jan >/dev/null 2>&1
is "$?" 65 "a password under 10 characters is refused"
echo "haslo-bartka-123" | mr staff add bartek >/dev/null
like "$(mr staff list)" "^anna .*active" "staff list shows the accounts"
hash=$(sql "SELECT pwhash FROM staff WHERE login = 'anna'")
like "$hash" '^\$argon2id\$' "the store keeps an argon2id hash"
is "$(sql "SELECT count(*) FROM staff WHERE pwhash LIKE '%$PW%'")" 0 "never the password"

web_config
web_start
ok $? "mailreg web answers on the reserved port"

# --- headers and the way in
$WEB_CURL -D "$T/h-login" -o "$T/login.html" "$WEB_URL/login"
h=$(tr -d '\r' <"$T/h-login")
like "$h" "Content-Security-Policy: default-src 'none'; style-src 'self'" "CSP allows no script at all"
check "no inline script allowed" sh -c "! grep -qi 'unsafe-inline' '$T/h-login'"
like "$h" "X-Frame-Options: DENY" "X-Frame-Options: DENY"
like "$h" "X-Content-Type-Options: nosniff" "nosniff"
like "$h" "Cache-Control: no-store" "pages are not cached"
is "$($WEB_CURL -o /dev/null -w '%{http_code} %{redirect_url}' "$WEB_URL/")" "303 $WEB_URL/login" \
	"the dashboard without a session sends to /login"
is "$($WEB_CURL -o /dev/null -w '%{http_code}' "$WEB_URL/static/style.css")" 200 "static assets need no session"
is "$($WEB_CURL -o /dev/null -w '%{http_code}' --path-as-is "$WEB_URL/static/../../etc/passwd")" 404 "nothing else under /static/"

# --- login needs the login form's token
is "$($WEB_CURL -c "$T/jar0" -o /dev/null -w '%{http_code}' --data-urlencode login=anna \
	--data-urlencode "password=$PW" "$WEB_URL/login")" 403 "a login POST without the form's token is refused"
check "and gives no session" sh -c "! grep -q 'mailreg	' '$T/jar0'"
is "$(web_login anna "$PW" "$T/jar")" 303 "login with the form's token and the right password"
$WEB_CURL -c "$T/jar-b" -b "$T/jar-b" -D "$T/h-cookie" -o "$T/login-b.html" "$WEB_URL/login"
$WEB_CURL -c "$T/jar-b" -b "$T/jar-b" -D "$T/h-cookie" -o /dev/null --data-urlencode "csrf=$(web_field "$T/login-b.html" csrf)" \
	--data-urlencode login=bartek --data-urlencode password=haslo-bartka-123 "$WEB_URL/login"
like "$(tr -d '\r' <"$T/h-cookie")" "Set-Cookie: mailreg=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict" \
	"session cookie: random 256-bit id, HttpOnly, SameSite=Strict"
$WEB_CURL -b "$T/jar" -o "$T/dash.html" "$WEB_URL/"
like "$(cat "$T/dash.html")" "<h1>Pulpit</h1>" "the dashboard with a session"
like "$(cat "$T/dash.html")" "Anna &lt;script&gt;alert\(1\)&lt;/script&gt; &quot;Nowak&quot;" "a name is HTML-escaped"
check "no raw script tag anywhere" sh -c "! grep -qi '<script' '$T/dash.html'"
like "$(cat "$T/dash.html")" '<form method="post" action="/logout"' "every page offers logout as a POST form"

# --- CSRF on every state-changing POST
csrf_a=$(web_csrf "$T/jar")
csrf_b=$(web_csrf "$T/jar-b")
is "$($WEB_CURL -b "$T/jar" -o /dev/null -w '%{http_code}' -d x=1 "$WEB_URL/logout")" 403 "logout without the token: 403"
is "$($WEB_CURL -b "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf_b" "$WEB_URL/logout")" 403 \
	"logout with another session's token: 403"
is "$($WEB_CURL -b "$T/jar" -o /dev/null -w '%{http_code}' "$WEB_URL/")" 200 "the session still works after both"
is "$($WEB_CURL -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf_a" "$WEB_URL/logout")" 403 \
	"a POST without a session: 403"
is "$($WEB_CURL -b "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf_a" "$WEB_URL/logout")" 303 \
	"logout with its own token"
is "$($WEB_CURL -b "$T/jar" -o /dev/null -w '%{http_code}' "$WEB_URL/")" 303 "the session is gone after logout"

# --- idle and absolute expiry: the console's clock moves, nobody waits
export MAILREG_WEB_SKEW_FILE=$T/skew
web_stop; echo 0 >"$T/skew"; web_start
web_login anna "$PW" "$T/jar" >/dev/null
echo 1700 >"$T/skew"
is "$($WEB_CURL -b "$T/jar" -o /dev/null -w '%{http_code}' "$WEB_URL/")" 200 "28 minutes idle: still logged in"
echo 3600 >"$T/skew"
is "$($WEB_CURL -b "$T/jar" -o /dev/null -w '%{http_code}' "$WEB_URL/")" 303 "31 minutes idle: expired"
echo 0 >"$T/skew"
web_login anna "$PW" "$T/jar" >/dev/null
s=0; alive=0
while [ $s -lt 43000 ]; do
	s=$((s + 1500)); echo $s >"$T/skew"
	[ "$($WEB_CURL -b "$T/jar" -o /dev/null -w '%{http_code}' "$WEB_URL/")" = 200 ] && alive=$s
done
is "$alive" 42000 "used every 25 minutes, a session lives up to 12 hours"
is "$($WEB_CURL -b "$T/jar" -o /dev/null -w '%{http_code}' "$WEB_URL/")" 303 "and not longer (absolute expiry)"
echo 0 >"$T/skew"

# --- failed logins: the 10th wrong password in a row locks the account for 15 minutes
for i in 1 2 3 4 5 6 7 8 9; do web_login bartek "zle-haslo-$i" "$T/jar-x" >/dev/null; done
like "$(cat "$T/login-answer.html")" "Nieprawidłowy login lub hasło" "a wrong password says so"
is "$(sql "SELECT failed FROM staff WHERE login = 'bartek'")" 9 "nine in a row counted"
is "$(web_login bartek zle-haslo-10 "$T/jar-x")" 403 "the 10th wrong password"
like "$(cat "$T/login-answer.html")" "Konto jest zablokowane na 15 minut" "locks the account, and the page says so"
is "$(web_login bartek haslo-bartka-123 "$T/jar-x")" 403 "the right password is refused while locked"
echo 901 >"$T/skew"
is "$(web_login bartek haslo-bartka-123 "$T/jar-x")" 303 "and accepted after 15 minutes"
# per address: many wrong passwords for any logins from one address
i=0; code=
while [ $i -lt 40 ] && [ "$code" != 429 ]; do
	i=$((i + 1)); code=$(web_login "nikt$i" "zle-haslo" "$T/jar-y")
done
is "$code" 429 "wrong passwords from one address for many logins are throttled too"
like "$(cat "$T/login-answer.html")" "Zbyt wiele nieudanych prób logowania z tego adresu" "and the page says so"
echo 0 >"$T/skew"

# --- bounded requests
head -c 300000 /dev/zero | tr '\0' a >"$T/big"
is "$($WEB_CURL -b "$T/jar" -o /dev/null -w '%{http_code}' --data-binary "@$T/big" "$WEB_URL/logout")" 413 \
	"a body over 256 KiB: 413"
code=$($WEB_CURL -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 70000 "$T/big")" "$WEB_URL/login")
like "$code" "^(431|413|400|000)$" "a header over 64 KiB is refused ($code)"
/usr/bin/python3 - "$WEB_PORT" >"$T/conns" <<'PY'
import socket, sys
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(20)]
last = socks[-1]
last.settimeout(20)
try:
    print("closed" if last.recv(1) == b"" else "open")
except (socket.timeout, ConnectionResetError):
    print("open" if isinstance(sys.exc_info()[1], socket.timeout) else "closed")
PY
is "$(cat "$T/conns")" closed "the 20th connection from one address is closed (limit 16)"

# --- applicants and events: every action needs a session and its own token
web_stop; web_start   # the address throttle above is in the server's memory only
echo "haslo-celiny-do-konsoli" | mr staff add celina >/dev/null
web_one_seat
web_form 1 '<script>alert(1)</script>' 'Kowalska "cytat"' '=HYPERLINK("http://zly.example.pl")' \
	'dieta <i>bezglutenowa</i>, wózek'
web_form 2 Jan Nowak 'OPS <b>Gliwice</b>' brak
mr ingest "$T/form-1.eml" "$T/form-2.eml" >/dev/null 2>&1
a1=$(sql "SELECT id FROM applicants WHERE email = 'osoba1@ops.example.pl'")
c1=$(sql "SELECT code FROM registrations WHERE applicant_id = $a1")
is "$(sql "SELECT group_concat(status, ' ') FROM (SELECT status FROM registrations ORDER BY id)")" "confirmed waitlisted" \
	"two applicants for one seat: one confirmed, one waiting"
# what an action would change: statuses, mail queued, audit rows, erased people, the session's date and place
snapshot() { sql "SELECT (SELECT group_concat(status) FROM registrations) || ' ' || (SELECT count(*) FROM outbox)
	|| ' ' || (SELECT count(*) FROM audit) || ' ' || (SELECT count(*) FROM applicants WHERE email GLOB 'forgotten-*')
	|| ' ' || (SELECT s.start || s.place FROM sessions s JOIN events e ON e.id = s.event_id WHERE e.code = 'INFO-CEN')"; }
before=$(snapshot)
web_login anna "$PW" "$T/jar-c" >/dev/null
web_login celina haslo-celiny-do-konsoli "$T/jar-d" >/dev/null
csrf_c=$(web_csrf "$T/jar-c")
csrf_d=$(web_csrf "$T/jar-d")
for action in "/applicants/$a1 action=cancel&code=$c1" "/applicants/$a1 action=resend" \
	"/applicants/$a1 action=forget&confirm=tak" \
	"/events/INFO-CEN action=reschedule&session=1&start=2014-03-07T10:00&place=Gliwice"; do
	path=${action%% *}; body=${action#* }
	is "$($WEB_CURL -o /dev/null -w '%{http_code}' -d "$body&csrf=$csrf_c" "$WEB_URL$path")" 403 "$path ${body%%&*} without a session: 403"
	is "$($WEB_CURL -b "$T/jar-c" -o /dev/null -w '%{http_code}' -d "$body" "$WEB_URL$path")" 403 "... without the form's token: 403"
	is "$($WEB_CURL -b "$T/jar-c" -o /dev/null -w '%{http_code}' -d "$body&csrf=$csrf_d" "$WEB_URL$path")" 403 \
		"... with another session's token: 403"
done
is "$(snapshot)" "$before" "none of them changed anything (registrations, outbox, audit, people, sessions)"
is "$($WEB_CURL -b "$T/jar-c" -o "$T/forget-ask.html" -w '%{http_code}' -d "action=forget&csrf=$csrf_c" "$WEB_URL/applicants/$a1")" 200 \
	"forget without the confirmation: the confirmation page"
is "$(snapshot)" "$before" "and nothing erased"
like "$(cat "$T/forget-ask.html")" 'name="confirm" value="tak"' "it asks to confirm"

# values from mail on the new pages: escaped everywhere
$WEB_CURL -b "$T/jar-c" -o "$T/applicants.html" "$WEB_URL/applicants"
$WEB_CURL -b "$T/jar-c" -o "$T/applicant.html" "$WEB_URL/applicants/$a1"
$WEB_CURL -b "$T/jar-c" -o "$T/found.html" --data-urlencode "csrf=$csrf_c" --data-urlencode 'q=<script>alert(1)</script>' \
	"$WEB_URL/applicants"
$WEB_CURL -b "$T/jar-c" -o "$T/event.html" "$WEB_URL/events/INFO-CEN"
$WEB_CURL -b "$T/jar-c" -o "$T/sheet.html" "$WEB_URL/events/INFO-CEN/sheet"
$WEB_CURL -b "$T/jar-c" -o "$T/events.html" "$WEB_URL/events"
for page in applicants applicant found event sheet; do
	like "$(cat "$T/$page.html")" "&lt;script&gt;alert\(1\)&lt;/script&gt;" "$page: the name from mail shown escaped"
done
check "no raw tag from mail on any of them" sh -c "! grep -Eqi '<script|<b>Gliwice|<i>bez' '$T'/applicants.html '$T'/applicant.html '$T'/found.html '$T'/event.html '$T'/sheet.html '$T'/events.html"
like "$(cat "$T/applicant.html")" "Kowalska &quot;cytat&quot;" "quotes escaped"
like "$(cat "$T/event.html")" "dieta &lt;i&gt;bezglutenowa&lt;/i&gt;, wózek" "special needs escaped"
like "$(cat "$T/found.html")" 'Znaleziono: 1' "the search finds the name typed with its tags"
$WEB_CURL -b "$T/jar-c" -D "$T/h-csv" -o "$T/list.csv" "$WEB_URL/events/INFO-CEN/attendance.csv"
like "$(tr -d '\r' <"$T/h-csv")" 'Content-Disposition: attachment; filename="lista-obecnosci-INFO-CEN.csv"' \
	"the attendance list is a download"
like "$(cat "$T/list.csv")" "\"'=HYPERLINK\(" "a cell starting with = is made text (CSV injection)"
is "$($WEB_CURL -o /dev/null -w '%{http_code}' "$WEB_URL/events/INFO-CEN/attendance.csv")" 303 "and needs a session"

# --- a long waiting list a page at a time: ?od=N shows it from place N
$WEB_CURL -b "$T/jar-c" -o "$T/event-bad.html" "$WEB_URL/events/INFO-CEN?od=%3Cscript%3E"
like "$(tr '\n' ' ' <"$T/event-bad.html")" 'id="waiting">.*<td>1</td><td><a href="/applicants/[0-9]*">Nowak Jan' \
	"?od= that is not a place is ignored: the list from its first"
for i in $(seq 3 103); do web_form "$i" "Osoba$i" "Rezerwowa$i" "OPS $i" brak; done
mr ingest $(seq -f "$T/form-%g.eml" 3 103) >/dev/null 2>&1
$WEB_CURL -b "$T/jar-c" -o "$T/event-1.html" "$WEB_URL/events/INFO-CEN"
$WEB_CURL -b "$T/jar-c" -o "$T/event-2.html" "$WEB_URL/events/INFO-CEN?od=101"
like "$(cat "$T/event-1.html")" "Miejsca 1–100 z 102" "102 waiting: the first page says which places of how many"
is "$(grep -c '">Rezerwowa[0-9]* Osoba[0-9]*</a>\|">Nowak Jan</a>' "$T/event-1.html")" 100 "and lists 100 of them"
like "$(cat "$T/event-1.html")" 'href="/events/INFO-CEN\?od=101#lista-rezerwowa" id="waiting-next"' "with a link to the next page"
like "$(tr '\n' ' ' <"$T/event-2.html")" "Miejsca 101–102 z 102.*<td>101</td><td><a[^>]*>Rezerwowa102 Osoba102</a>.*<td>102</td><td><a[^>]*>Rezerwowa103 Osoba103</a>" \
	"the next page: places 101 and 102, the last arrived last"
like "$(cat "$T/event-2.html")" 'href="/events/INFO-CEN\?od=1#lista-rezerwowa" id="waiting-prev"' "with a link back"
$WEB_CURL -b "$T/jar-c" -o "$T/event-3.html" "$WEB_URL/events/INFO-CEN?od=500"
like "$(cat "$T/event-3.html")" "Na tej stronie nikogo z listy rezerwowej \(czeka: 102\)" "a page past the end: nobody, and how many wait"
like "$(cat "$T/event-3.html")" 'href="/events/INFO-CEN\?od=101#lista-rezerwowa" id="waiting-prev"' "and a link back to the last page"

# --- the access log: routes and statuses, no person
like "$(cat "$T/web.log")" "GET / 200" "the access log names route and status"
check "no login, name or password in the log" sh -c "! grep -Eq 'anna|bartek|Nowak|$PW|haslo' '$T/web.log'"
web_stop

# --- HTTPS: Secure cookie with the __Host- prefix
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 2 -keyout "$T/etc/key.pem" \
	-out "$T/etc/cert.pem" >/dev/null 2>&1
cp "$T/etc/base.conf" "$T/etc/mailreg.conf"
WEB_SCHEME=https
web_config tls_cert_file=cert.pem tls_key_file=key.pem
web_start
ok $? "the console serves HTTPS with the configured certificate"
$WEB_CURL -c "$T/jar-s" -b "$T/jar-s" -o "$T/login-s.html" "$WEB_URL/login"
$WEB_CURL -c "$T/jar-s" -b "$T/jar-s" -D "$T/h-tls" -o /dev/null --data-urlencode "csrf=$(web_field "$T/login-s.html" csrf)" \
	--data-urlencode login=anna --data-urlencode "password=$PW" "$WEB_URL/login"
like "$(tr -d '\r' <"$T/h-tls")" "Set-Cookie: __Host-mailreg=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Secure" \
	"under TLS: __Host-mailreg, Secure"
done_testing

# lib-web.sh - the staff console for the integration tests.
#
# Source after lib.sh (and make_instance).  web_config [KEY=VALUE...] sets
# [web] listen to a reserved port (plus the keys given); web_start runs
# `mailreg web` until the script exits and waits until it answers;
# web_login LOGIN PASSWORD JAR logs in with curl, keeping the cookies in JAR.
WEB_PID=
WEB_PORT=
WEB_SCHEME=http
WEB_CURL="curl -s -k --max-time 30"

web_config() {
	WEB_PORT=$(port_reserve)
	{
		echo "[web]"
		echo "listen = 127.0.0.1:$WEB_PORT"
		for kv in "$@"; do echo "$kv"; done
	} >>"$T/etc/mailreg.conf"
	WEB_URL=$WEB_SCHEME://127.0.0.1:$WEB_PORT
}

web_up() { $WEB_CURL -o /dev/null "$WEB_URL/login"; }

web_start() {
	# the binary itself, not the mr function: its pid is the server's
	"$MAILREG" -c "$T/etc/mailreg.conf" web 2>>"$T/web.log" &
	WEB_PID=$!
	wait_for 30 web_up
}

web_stop() {
	if [ -n "$WEB_PID" ]; then
		kill "$WEB_PID" 2>/dev/null
		wait "$WEB_PID" 2>/dev/null
		WEB_PID=
	fi
}
at_exit web_stop

# web_field FILE NAME - the value of the hidden input NAME in an HTML page.
web_field() { sed -n "s/.*name=\"$2\" value=\"\([^\"]*\)\".*/\1/p" "$1" | head -1; }

# web_login LOGIN PASSWORD JAR - log in; prints the HTTP status of the POST.
web_login() {
	$WEB_CURL -c "$3" -b "$3" -o "$T/login-form.html" "$WEB_URL/login"
	$WEB_CURL -c "$3" -b "$3" -o "$T/login-answer.html" -w '%{http_code}' \
		--data-urlencode "csrf=$(web_field "$T/login-form.html" csrf)" \
		--data-urlencode "login=$1" --data-urlencode "password=$2" "$WEB_URL/login"
}

# web_csrf JAR - the CSRF token of the session in JAR (from the dashboard's logout form).
web_csrf() {
	$WEB_CURL -b "$1" -o "$T/csrf-page.html" "$WEB_URL/"
	web_field "$T/csrf-page.html" csrf
}

# web_form N FIRST LAST INSTITUTION NEEDS - $T/form-N.eml: an application
# from osobaN@ops.example.pl for the central information meeting, the
# other fields of tests/data/programme/info-01.eml (values without | or &).
web_form() {
	sed -e "s|uczestnik01@mops-katowice|osoba$1@ops|g" -e "s|^Message-ID: <info-01\.|Message-ID: <form-$1.|" \
		-e "s|^Imię: .*|Imię: $2|" -e "s|^Nazwisko: .*|Nazwisko: $3|" \
		-e "s|^Nazwa instytucji: .*|Nazwa instytucji: $4|" -e "s|^Szczególne potrzeby: .*|Szczególne potrzeby: $5|" \
		"$DATA/programme/info-01.eml" >"$T/form-$1.eml"
}

# web_one_seat - the central information meeting (INFO-CEN) has one seat:
# the second applicant waits.
web_one_seat() {
	printf '[INFO-CEN]\nkind = info_meeting\ntitle = Spotkanie informacyjne – subregion centralny\n%s\n%s\n' \
		"subregion = centralny" "seats = 1" >"$T/one-seat.ini"
	echo "session1 = 2014-03-06T10:00 | 2014-03-06T14:00 | Katowice, ul. Modelarska 10" >>"$T/one-seat.ini"
	mr catalog import "$T/one-seat.ini" >/dev/null 2>&1
}

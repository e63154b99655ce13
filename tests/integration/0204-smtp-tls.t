#!/bin/sh
# 0204-smtp-tls: STARTTLS required by default, the certificate checked against
# ca_file, AUTH with a password file or $CREDENTIALS_DIRECTORY, and what happens
# when any of it is wrong (deferred at once, never a hang or a plain-text send).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

plan 12

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
printf 's3cret-pa55\n' >"$T/password"
make_instance
cp "$T/etc/mailreg.conf" "$T/base.conf"
# conf KEY=VALUE... - [smtp] with the given keys (no starttls = false here)
conf() {
	cp "$T/base.conf" "$T/etc/mailreg.conf"
	printf '\n[smtp]\nurl = smtp://127.0.0.1:%s\n' "$SMTP_PORT" >>"$T/etc/mailreg.conf"
	for l in "$@"; do printf '%s\n' "$l" >>"$T/etc/mailreg.conf"; done
}
queue() { applicants 1 "$T/q$1" "tls$1."; sed -i "s/app-1\\./app-tls$1./" "$T/q$1/m1.eml"; mr ingest "$T/q$1" >/dev/null 2>&1; }
due() { sql "UPDATE outbox SET next_attempt_at = 0"; }
last() { sql "SELECT state || ' ' || coalesce(last_code, 0) FROM outbox ORDER BY id DESC LIMIT 1"; }

# --- a server without STARTTLS: refused, not sent in clear text ------------------
smtp_start
conf
queue 1
due; mr send >/dev/null 2>"$T/err"
is "$? $(last) $(rx_count)" "78 deferred 0 0" "no STARTTLS offered: deferred, nothing sent in clear text, exit 78 (EX_CONFIG)"
like "$(sql "SELECT last_error FROM outbox")" "STARTTLS|SSL" "the reason names STARTTLS"
smtp_stop

# --- STARTTLS + AUTH ----------------------------------------------------------------
smtp_start --tls "$T/cert.pem" "$T/key.pem" --auth "mailreg:s3cret-pa55"
conf "ca_file = $T/cert.pem" "user = mailreg" "password_file = $T/password"
start=$(date +%s)
due; mr send >/dev/null 2>"$T/err"
is "$? $(last) $(rx_count)" "0 sent 250 1" "STARTTLS + AUTH with ca_file and password_file: delivered"
is "$("$PY" -c 'import json,sys; e = json.load(open(sys.argv[1])); print(e["tls"], e["auth"] is not None)' "$RX/000001.json")" \
	"True True" "the receiver saw TLS and a successful AUTH"
check "the password never appears in the log" sh -c "! grep -q s3cret '$T/err'"

queue 2
conf "ca_file = $T/cert.pem" "user = mailreg"
mkdir -p "$T/creds" && cp "$T/password" "$T/creds/smtp-password"
due; CREDENTIALS_DIRECTORY=$T/creds mr send >/dev/null 2>&1
is "$? $(last) $(rx_count)" "0 sent 250 2" "password from \$CREDENTIALS_DIRECTORY/smtp-password"

queue 3
printf 'wrong\n' >"$T/creds/smtp-password"
start=$(date +%s)
due; CREDENTIALS_DIRECTORY=$T/creds mr send >/dev/null 2>"$T/err"
is "$? $(last) $(rx_count)" "77 deferred 535 2" "a wrong password: deferred with the server's 535, nothing sent, exit 77 (EX_NOPERM)"
ok "$([ $(( $(date +%s) - start )) -lt 20 ]; echo $?)" "a refused AUTH is answered at once (aiosmtpd handled=False)"

conf "user = mailreg" "password_file = $T/password"
due; mr send >/dev/null 2>"$T/err"
is "$? $(last)" "78 deferred 0" "a certificate not signed by a known CA: deferred, exit 78 (EX_CONFIG)"
like "$(cat "$T/err")" "deferred .*: SSL certificate problem: self-signed certificate" "the certificate problem is logged"

conf "user = mailreg" "password_file = $T/password" "tls_verify = false"
due; mr send >/dev/null 2>"$T/err"
is "$? $(last)" "0 sent 250" "tls_verify = false: delivered"
like "$(cat "$T/err")" "tls_verify = false: the server's certificate is not checked" "tls_verify = false is warned"
done_testing

#!/bin/sh
# 0210-smtp-xoauth2: SMTP login with an OAuth2 bearer token (XOAUTH2, as Gmail
# and Microsoft 365 want), read from oauth2_token_file afresh for every
# connection: a token an external helper renewed is used by the next send.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

plan 8

make_instance
printf 'tok-1\n' >"$T/valid-token"
smtp_start --oauth2 "rejestracja@rops.example.pl:$T/valid-token"
printf 'tok-1\n' >"$T/etc/token"
chmod 600 "$T/etc/token"
smtp_config "user = rejestracja@rops.example.pl" "oauth2_token_file = $T/etc/token"
applicants 3 "$T/in"
mr ingest "$T/in" >/dev/null 2>&1

mr send >"$T/send.out" 2>"$T/send.err"
is "$?" 0 "send exits 0 with the valid token"
is "$(rx_count)" 3 "3 messages delivered after AUTH XOAUTH2"
is "$(grep -c '^xoauth2 ok' "$T/rx.log")" 1 "one login for the batch"

# The token expires: the server takes only a new one.
printf 'tok-2\n' >"$T/valid-token"
applicants 2 "$T/in2" second
sed -i 's/^Message-ID: <app-/Message-ID: <second-/' "$T/in2"/*.eml
mr ingest "$T/in2" >/dev/null 2>&1
mr send >"$T/send2.out" 2>"$T/send2.err"
is "$?" 77 "with the expired token send exits 77 (EX_NOPERM: the login refused; deferred)"
is "$(sql "SELECT count(*), sum(last_code = 535), sum(last_error LIKE '%Login denied%') FROM outbox WHERE state = 'deferred'")" \
	"2|1|1" "both deferred: the first with the server's 535, the rest of the batch without trying again"
check "no token in the log" sh -c "! grep -q 'tok-' '$T/send2.err' '$T/send.err'"

# The helper renews the file; the next send (due now) logs in with it.
printf 'tok-2\n' >"$T/etc/token"
MAILREG_NOW=$(date -d '+10 minutes' '+%Y-%m-%dT%H:%M:%S') mr send >"$T/send3.out" 2>"$T/send3.err"
is "$?" 0 "after the token file is renewed send exits 0"
is "$(rx_count)" 5 "the 2 deferred messages delivered with the new token"
done_testing

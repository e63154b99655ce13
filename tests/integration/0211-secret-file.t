#!/bin/sh
# 0211-secret-file: the SMTP password file is read as the IMAP one is - one
# trailing newline (LF or CRLF) stripped, an empty file or one with a second
# line refused with exit 78 (EX_CONFIG) before any connection is tried.
. "$(dirname "$0")/lib.sh"

plan 6

make_instance
printf '\n[smtp]\nurl = smtp://127.0.0.1:9\nstarttls = false\nuser = mailreg\npassword_file = %s\n' \
	"$T/pw" >>"$T/etc/mailreg.conf"

: >"$T/pw"
mr send >"$T/out" 2>"$T/err"
is "$?" 78 "an empty password file: exit 78"
like "$(cat "$T/err")" "the SMTP password in $T/pw is empty" "the error names the file"

printf 'secret\nsecond line\n' >"$T/pw"
mr send >"$T/out" 2>"$T/err"
is "$?" 78 "a password file with a second line: exit 78"

printf 'secret\r\n' >"$T/pw"
mr send >"$T/out" 2>"$T/err"
is "$?" 0 "one trailing CRLF is the editor's: accepted (nothing queued, nothing sent)"

rm -f "$T/pw"
mr send >"$T/out" 2>"$T/err"
is "$?" 78 "a missing password file: exit 78"
like "$(cat "$T/err")" "smtp: cannot read the SMTP password" "the error says which secret"
done_testing

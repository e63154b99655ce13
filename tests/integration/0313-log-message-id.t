#!/bin/sh
# 0313-log-message-id: the line `mailreg run` logs for each message names its
# Message-ID (so staff find it in their mail), and a Message-ID built to forge log lines (a bare CR,
# U+2028, an overlong value) stays inside its one line.
. "$(dirname "$0")/lib.sh"
plan 7

make_instance
mkdir -p "$T/inbox"
sed -i "/^\[paths\]/a inbox = ../inbox\ninbox_poll_interval = 1" "$T/etc/mailreg.conf"

# drop NAME FILE: into the inbox atomically
drop() { cp "$2" "$T/inbox/.$1.tmp" && mv "$T/inbox/.$1.tmp" "$T/inbox/$1.eml"; }

drop a "$DATA/pipeline/valid-qp.eml"
# The Message-ID carries a bare CR and a LINE SEPARATOR, each followed by
# what would look like a log line of its own.
printf 'From: Jan Zly <jan.zly@ops.example.pl>\nSubject: pytanie\nMessage-ID: <evil\r\342\200\250mailreg: registered inbox/fake.eml <forged@x>: Forged Person@ops.example.pl>\nContent-Type: text/plain; charset=utf-8\n\nDzien dobry\n' >"$T/hostile"
drop b "$T/hostile"
printf 'From: Anna Bez <anna.bez@ops.example.pl>\nSubject: bez identyfikatora\nContent-Type: text/plain\n\nDzien dobry\n' >"$T/nomid"
drop c "$T/nomid"
long=$(head -c 600 /dev/zero | tr '\0' 'x')
printf 'From: Ola Dluga <ola.dluga@ops.example.pl>\nSubject: dlugi\nMessage-ID: <%s@ops.example.pl>\nContent-Type: text/plain\n\nDzien dobry\n' "$long" >"$T/long"
drop d "$T/long"

"$MAILREG" -c "$T/etc/mailreg.conf" run >/dev/null 2>"$T/run.err" &
pid=$!
at_exit "kill $pid 2>/dev/null"
n=200
while [ "$n" -gt 0 ] && [ "$(sql "SELECT count(*) FROM messages")" != 4 ]; do sleep 0.1; n=$((n - 1)); done
kill -TERM "$pid"
wait "$pid"
is "$?" 0 "run took the 4 messages and stopped on SIGTERM"

like "$(grep 'inbox/a.eml' "$T/run.err")" \
	'^mailreg: registered inbox/a\.eml <52FB4A11\.6020404@gops-pszczyna\.example\.pl>: Łucja' \
	"the message's line names its Message-ID after the source"
is "$(grep -c 'evil' "$T/run.err")" 1 "the hostile Message-ID is on one line only"
like "$(grep 'evil' "$T/run.err")" '^mailreg: review inbox/b\.eml <evil\?mailreg: registered inbox/fake\.eml <forged@x>: no form found' \
	"its CR is gone and its U+2028 shown as '?', inside the line of inbox/b.eml"
is "$(grep -c '^mailreg: registered inbox/fake' "$T/run.err")" 0 "no forged line"
like "$(grep 'inbox/c.eml' "$T/run.err")" '^mailreg: review inbox/c\.eml \(no Message-ID\): ' \
	"a message without one says so"
is "$(grep 'inbox/d.eml' "$T/run.err" | sed 's/.*<\(x*\)\.\.\.>.*/\1/' | tr -d '\n' | wc -c)" 250 \
	"an overlong Message-ID is cut at 250 bytes and marked"

done_testing

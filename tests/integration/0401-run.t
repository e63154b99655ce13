#!/bin/sh
# `mailreg run` on the embedded default (local inbox in, directory out): takes
# messages dropped while it runs, answers them, reloads configuration and
# templates on SIGHUP (refusing a bad configuration), refuses a second daemon
# on the same database, and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"
plan 14

make_instance
mkdir -p "$T/tpl" "$T/inbox"
cp "$ROOT"/templates/*.txt "$ROOT"/templates/form.ini "$T/tpl/"
sed -i "s|^templates = .*|templates = $T/tpl|" "$T/etc/mailreg.conf"
sed -i "/^\[paths\]/a inbox = ../inbox\ninbox_poll_interval = 1" "$T/etc/mailreg.conf"

"$MAILREG" -c "$T/etc/mailreg.conf" run >"$T/run.out" 2>"$T/run.err" &
pid=$!
at_exit "kill $pid 2>/dev/null"

answered() { [ "$(sql "SELECT count(*) FROM outbox WHERE state = 'sent' AND kind = 'confirmation'")" -ge "$1" ]; }

i=0
for f in "$DATA"/pipeline/valid-*.eml; do
	i=$((i + 1))
	sed "s/^Message-ID: <\(.*\)>/Message-ID: <run1-$i-\1>/" "$f" >"$T/inbox/.$i.tmp"
	mv "$T/inbox/.$i.tmp" "$T/inbox/a$i.eml"
done
check "all $i dropped messages answered while running" wait_for 20 answered "$i"
is "$(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'run1-%'")" "$i" "each recorded once"

# a second daemon on the same database is refused
"$MAILREG" -c "$T/etc/mailreg.conf" run >/dev/null 2>"$T/second.err"
is $? 75 "a second run exits 75 (EX_TEMPFAIL)"
like "$(cat "$T/second.err")" "another mailreg run is using this database" "and says why"

# SIGHUP with a changed template: the new text is used for the next reply
sed -i 's/^Subject: Potwierdzenie zgłoszenia/Subject: Potwierdzenie zgłoszenia (nowy szablon)/' "$T/tpl/confirmation.txt"
kill -HUP "$pid"
check "reload logged" wait_for 10 grep -q "configuration and templates reloaded" "$T/run.err"
sed -e "s/^Message-ID: <\(.*\)>/Message-ID: <run2-\1>/" -e "s/zofia.gesla@/nowa.osoba@/g" \
	"$DATA/pipeline/valid-8bit.eml" >"$T/inbox/.b.tmp"
mv "$T/inbox/.b.tmp" "$T/inbox/b.eml"
check "message after the reload answered" wait_for 20 answered "$((i + 1))"
is "$(sql "SELECT o.subject FROM outbox o JOIN messages m ON m.id = o.inbound_id WHERE m.message_id LIKE 'run2-%' AND o.kind = 'confirmation'")" \
   "Potwierdzenie zgłoszenia (nowy szablon) – program szkoleniowy ROPS Katowice" "the reloaded template is used"

# SIGHUP with a broken configuration: refused, the running one kept
cp "$T/etc/mailreg.conf" "$T/good.conf"
echo "[bogus]" >>"$T/etc/mailreg.conf"
kill -HUP "$pid"
check "bad configuration refused on reload" wait_for 10 grep -q "reload refused, keeping the running configuration" "$T/run.err"
cp "$T/good.conf" "$T/etc/mailreg.conf"
check "still running after the refused reload" kill -0 "$pid"

# SIGTERM: the loop ends after the step in hand, exit 0
kill -TERM "$pid"
wait "$pid"
is $? 0 "SIGTERM: exit 0"
like "$(tail -n 1 "$T/run.err")" "run: stopping" "stopping logged"

# SIGTERM in the middle of a long pass: it ends after the message in hand, the
# next pass takes the rest, each exactly once
for j in $(seq 1 400); do
	sed "s/^Message-ID: <\(.*\)>/Message-ID: <run3-$j-\1>/" "$DATA/pipeline/valid-qp.eml" >"$T/inbox/.c$j.tmp"
	mv "$T/inbox/.c$j.tmp" "$T/inbox/c$j.eml"
done
"$MAILREG" -c "$T/etc/mailreg.conf" run >/dev/null 2>"$T/run2.err" &
pid=$!
taking() { ls "$T/inbox/processed" | grep -q '^c'; }
check "the second daemon is taking the 400" wait_for 20 taking
kill -TERM "$pid"
wait "$pid"
is $? 0 "SIGTERM mid-pass: exit 0 after the message in hand"
mr poll --once >/dev/null 2>&1
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM messages WHERE message_id LIKE 'run3-%'")" "400 400" \
   "after the next pass all 400 recorded, each once"
done_testing

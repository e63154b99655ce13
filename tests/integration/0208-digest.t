#!/bin/sh
# `mailreg digest`: the staff's daily summary - new registrations per event,
# seats and waiting lists, messages waiting for review, failed and bounced
# mail - since the previous digest; delivered by `send` to [mail] staff.
. "$(dirname "$0")/lib.sh"
plan 11

make_instance
MAILREG_NOW=2014-02-03T07:30 mr ingest "$ROOT/tests/data/demo" >/dev/null 2>&1
export MAILREG_NOW=2014-02-03T08:00
mr digest >"$T/out" 2>&1
is $? 0 "digest exits 0"
is "$(sql "SELECT count(*) || ' ' || rcpt FROM outbox WHERE kind = 'digest'")" "1 kadry@rops.example.pl" \
   "one digest queued for staff"
mr send >/dev/null 2>&1
body() {
	python3 - "$T/outgoing" <<'PY'
import email, email.policy, os, sys
d = sys.argv[1]
for n in sorted(os.listdir(d), key=lambda n: os.path.getmtime(os.path.join(d, n))):
    m = email.message_from_binary_file(open(os.path.join(d, n), "rb"), policy=email.policy.default)
    if "Podsumowanie" in m["Subject"]:
        last = m
print(last["Subject"])
print(last.get_content())
PY
}
b=$(body)
like "$b" "Podsumowanie dnia 03\.02\.2014" "subject names the day"
like "$b" "INFO-ZACH +1 +Spotkanie informacyjne – subregion zachodni" "new registrations per event"
like "$b" "INFO-ZACH +wolne 24 z 25, lista rezerwowa 0" "seats left and waiting list"
like "$b" "1 nowych, 1 łącznie" "messages waiting for review"

# the next digest covers only what came after the previous one
export MAILREG_NOW=2014-02-04T08:00
mr digest >/dev/null 2>&1
b=$(python3 - "$T/var/mailreg.db" <<'PY'
import email, email.policy, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
raw, = db.execute("SELECT b.raw FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id"
                  " WHERE o.kind = 'digest' ORDER BY o.id DESC LIMIT 1").fetchone()
m = email.message_from_bytes(raw, policy=email.policy.default)
print(m["Subject"]); print(m.get_content())
PY
)
like "$b" "Podsumowanie dnia 04\.02\.2014" "second digest: the next day"
like "$b" "od 03\.02\.2014 08:00 do 04\.02\.2014 08:00" "second digest starts where the first ended"
like "$b" "^  \(brak\)$" "nothing new since: (brak)"
like "$b" "0 nowych, 1 łącznie" "review backlog still counted, none new"

# without a staff address there is nobody to send it to
sed -i '/^staff = /d' "$T/etc/mailreg.conf"
mr digest >/dev/null 2>&1
is $? 78 "no [mail] staff: exit 78 (EX_CONFIG)"
done_testing

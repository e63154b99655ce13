#!/bin/sh
# 0304-reminders: `remind --now` stepped day by day.  Each confirmed
# participant gets exactly the configured reminders (7 days and 1 day before),
# none twice (every run is a fresh process: a restart), none after cancellation,
# none for the waiting list; a moved date gets its own reminders; one whose
# moment passed more than 2 days ago is marked missed, not sent.
. "$(dirname "$0")/lib.sh"

plan 10

P=$DATA/programme
make_instance
# 3 seats: 01, 02 and 04 confirmed, 03 waitlisted; 04 cancels and 03 is promoted.
sed -e '/^\[INFO-CEN\]/,/^session1/s/^seats = 25/seats = 3/' "$ROOT/etc/catalog.ini" >"$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null 2>&1
mr ingest "$P/info-01.eml" "$P/info-02.eml" "$P/info-04.eml" "$P/info-03.eml" >/dev/null 2>&1
mr cancel "$(sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email = 'uczestnik04@mops-katowice.example.pl'")" >/dev/null 2>&1
is "$(sql "SELECT group_concat(substr(a.email, 10, 2) || ':' || r.status, ' ') FROM registrations r
	JOIN applicants a ON a.id = r.applicant_id")" "01:confirmed 02:confirmed 04:cancelled 03:confirmed" \
	"setup: 04 cancelled, 03 promoted from the waiting list"
sql "UPDATE registrations SET status = 'waitlisted' WHERE applicant_id = (SELECT id FROM applicants WHERE email LIKE 'uczestnik03@%')"
# ... and 2 seats, so 03 waits for good (an import would give a free seat to 03)
sed -i '/^\[INFO-CEN\]/,/^session1/s/^seats = 3/seats = 2/' "$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null 2>&1

reminders() { sql "SELECT count(*) FROM outbox WHERE kind = 'reminder'"; }
# step FROM TO - remind --now at 09:00 of every day from FROM to TO (dates).
step() {
	d=$1
	while :; do
		mr remind --now "${d}T09:00" >/dev/null || return 1
		[ "$d" = "$2" ] && return 0
		d=$(date -d "$d + 1 day" +%F)
	done
}
step 2014-02-20 2014-02-27
is "$(reminders)" 0 "nothing due before 2014-02-27T10:00"
step 2014-02-28 2014-03-04
is "$(reminders)" 2 "7 days before: one reminder each for 01 and 02"
MAILREG_NOW=2014-03-04T09:00 mr remind >/dev/null
is "$(reminders)" 2 "run again (MAILREG_NOW): nothing twice"
step 2014-03-05 2014-03-10
is "$(sql "SELECT group_concat(substr(rcpt, 10, 2) || ':' || CASE WHEN subject LIKE 'Przypomnienie: Spotkanie%jutro' THEN '1d'
	WHEN subject LIKE 'Przypomnienie: Spotkanie%za 7 dni' THEN '7d' ELSE subject END, ' ') FROM outbox WHERE kind = 'reminder'")" \
	"01:7d 02:7d 01:1d 02:1d" \
	"1 day before: the second; none for the cancelled (04) or the waitlisted (03)"
mr send >/dev/null 2>&1
like "$(cat "$T"/outgoing/*.eml | grep -a -c 'jutro')" "^[1-9]" "the 1-day reminder says „jutro”"
step 2014-03-10 2014-03-10
is "$(reminders)" 4 "after the session: nothing more"

# The meeting moves to 2014-03-27: its reminders come again for the new date.
sed -i 's/^session1 = 2014-03-06T10:00 | 2014-03-06T14:00 |/session1 = 2014-03-27T10:00 | 2014-03-27T14:00 |/' "$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null 2>&1
step 2014-03-11 2014-03-28
is "$(reminders)" 8 "a moved date: 7 days and 1 day before the new date, once each"
is "$(sql "SELECT count(*) FROM reminders WHERE state = 'sent'")" 8 "8 reminders recorded as sent"

# Down for a week: a reminder more than 2 days late is missed, not sent.
sed -i 's/^session1 = 2014-03-27T10:00 | 2014-03-27T14:00 |/session1 = 2014-04-10T10:00 | 2014-04-10T14:00 |/' "$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null 2>&1
mr remind --now 2014-04-09T09:00 >"$T/out"
is "$(cat "$T/out") $(reminders)" "reminders: 0 queued, 2 missed 8" \
	"a week down: the 7-day reminders are missed; the 1-day one is not due yet"

done_testing

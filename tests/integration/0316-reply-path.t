#!/bin/sh
# 0316-reply-path: the programme's own mail (reminders, cancellations) goes
# the way every reply goes - never to our own address, and within
# [mail] replies_per_sender_per_day (RFC 3834 §2) - not only the answers to a
# message.
. "$(dirname "$0")/lib.sh"

plan 6

P=$DATA/programme
make_instance
mr catalog import "$ROOT/etc/catalog.ini" >/dev/null 2>&1
mr ingest "$P/info-01.eml" "$P/info-02.eml" >/dev/null 2>&1
is "$(sql "SELECT group_concat(substr(rcpt, 10, 2) || ':' || kind, ' ') FROM outbox")" \
	"01:confirmation 02:confirmation" "setup: 01 and 02 registered and confirmed"

# 01's address becomes our own; 02 may get one mail a day, and has had it.
sql "UPDATE applicants SET email = 'Rejestracja@rops.example.pl' WHERE email LIKE 'uczestnik01@%'"
sed -i 's/^domain = rops.example.pl$/domain = rops.example.pl\nreplies_per_sender_per_day = 1/' "$T/etc/mailreg.conf"

mr remind --now 2014-02-28T09:00 >"$T/out" 2>"$T/err"
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'reminder'")" 0 \
	"the 7-day reminders: none to our own address, none over the per-sender limit"
like "$(cat "$T/err")" "reminder reply not sent: Rejestracja@rops.example.pl is our own address" \
	"the log says why 01's reminder was not sent"
like "$(cat "$T/err")" "reminder reply not sent: not answered: 1 replies to uczestnik02@mops-katowice.example.pl in the last 24 hours \(replies_per_sender_per_day = 1\)" \
	"the log says why 02's reminder was not sent"

mr cancel "$(sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email = 'Rejestracja@rops.example.pl'")" >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'cancellation'") $(sql "SELECT count(*) FROM registrations WHERE status = 'cancelled'")" \
	"0 1" "staff cancel 01: cancelled, but no cancellation mail to our own address"

# Without the limit, 02 gets the next reminder as before.
sed -i '/^replies_per_sender_per_day = 1$/d' "$T/etc/mailreg.conf"
mr remind --now 2014-03-05T10:30 >/dev/null 2>&1
is "$(sql "SELECT group_concat(substr(rcpt, 10, 2) || ':' || kind, ' ') FROM outbox WHERE kind = 'reminder'")" \
	"02:reminder" "without the limit: the 1-day reminder to 02 only"
done_testing

#!/bin/sh
# 0205-smtp-dsn: bounces (RFC 3464) matched to the outbox row by the returned
# Message-ID or by the VERP envelope sender; the row is marked bounced, the
# applicant flagged, staff told once, the report itself recorded ignored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

plan 14

D=$DATA/dsn
make_instance
smtp_start
smtp_config "envelope_from = bounces@rops.example.pl"
applicants 2 "$T/a"
mr ingest "$T/a" >/dev/null 2>&1
mr send >/dev/null 2>&1
MID=$(sql "SELECT message_id FROM outbox WHERE rcpt = 'zofia.gesla.1@mops-katowice.example.pl'")
RCPT=zofia.gesla.1@mops-katowice.example.pl
mid_of() { sed -n 's/^[Mm]essage-I[Dd]: <\(.*\)>.*/\1/p' "$1" | head -1; }

# --- matched by the Message-ID in text/rfc822-headers -----------------------------
sed -e "s/0f1e2d3c-0000-4000-8000-000000000001@rops.example.pl/$MID/" \
    -e "s/jan.kowalski@ops-bytom.example.pl/$RCPT/g" "$D/postfix-5xx.eml" >"$T/bounce.eml"
out=$(mr ingest "$T/bounce.eml" 2>/dev/null)
like "$out" "^ignored .*delivery report \(RFC 3464\): failed 5.1.1 for $RCPT \(smtp; 550 5.1.1 .*\); the reply is marked bounced" \
	"the bounce is ignored, its reason says what it reported"
is "$(sql "SELECT state || ' ' || dsn_status FROM outbox WHERE message_id = '$MID'")" "bounced 5.1.1" "the outbox row is bounced with the DSN status"
like "$(sql "SELECT dsn_diagnostic FROM outbox WHERE message_id = '$MID'")" "^smtp; 550 5.1.1 <$RCPT>: Recipient address rejected" "the diagnostic code is kept"
like "$(sql "SELECT bounced_at || ' ' || bounce_reason FROM applicants WHERE email = '$RCPT'")" "^20[0-9-]+T.* 5.1.1 smtp; 550" "the applicant's address is flagged"
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'staff' AND subject LIKE '%Zwrot%$RCPT%'")" 1 "staff get one notice"
is "$(sql "SELECT count(*) FROM outbox WHERE rcpt = '$RCPT'")" 1 "the bounce itself is never answered"
like "$(mr outbox | grep "^bounced")" "dsn=5.1.1 \"smtp; 550" "outbox shows the bounce"
sed -e "s/^Message-Id: <20140304091502/Message-Id: <20140304091503/" "$T/bounce.eml" >"$T/bounce2.eml"
out=$(mr ingest "$T/bounce2.eml" 2>/dev/null)
is "$(printf '%s' "$out" | grep -c 'already marked bounced') $(sql "SELECT count(*) FROM outbox WHERE kind = 'staff' AND subject LIKE '%Zwrot%'")" \
	"1 1" "a second report of the same bounce: no second notice"

# --- a delay notice marks nothing; an unknown Message-ID matches nothing ------------
MID2=$(sql "SELECT message_id FROM outbox WHERE rcpt = 'zofia.gesla.2@mops-katowice.example.pl'")
sed -e "s/0f1e2d3c-0000-4000-8000-000000000001@rops.example.pl/$MID2/" "$D/delayed.eml" >"$T/delayed.eml"
out=$(mr ingest "$T/delayed.eml" 2>/dev/null)
is "$(printf '%s' "$out" | grep -c '^ignored .*delayed 4.4.1.*not a failure') $(sql "SELECT state FROM outbox WHERE message_id = '$MID2'")" \
	"1 sent" "a delay notification is ignored and marks nothing"
out=$(mr ingest "$D/exchange-rfc822.eml" 2>/dev/null)
like "$out" "^ignored .*failed 5.2.2 for anna.nowak@urzad.example.pl .*matches no message of ours" "a bounce of someone else's message matches nothing"

# --- VERP: bounces+<id>@domain, a report without the returned headers -------------
printf 'verp = true\n' >>"$T/etc/mailreg.conf"
applicants 1 "$T/v" "verp."
sed -i 's/app-1\./app-verp./' "$T/v/m1.eml"
mr ingest "$T/v" >/dev/null 2>&1
mr send >/dev/null 2>&1
VMID=$(sql "SELECT message_id FROM outbox WHERE rcpt = 'verp.1@mops-katowice.example.pl'")
VID=${VMID%@*}
f=$(grep -l "verp.1@" "$RX"/*.json | head -1)
is "$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["mail_from"])' "$f")" "bounces+$VID@rops.example.pl" \
	"verp = true: the envelope sender is bounces+<id>@domain"
sed -e "s/0f1e2d3c-0000-4000-8000-000000000003/$VID/g" "$D/verp-noheaders.eml" >"$T/verp-bounce.eml"
out=$(mr ingest "$T/verp-bounce.eml" 2>/dev/null)
like "$out" "^ignored .*failed 5.1.2 .*the reply is marked bounced" "a VERP bounce without the original headers is matched"
is "$(sql "SELECT state || ' ' || dsn_status FROM outbox WHERE message_id = '$VMID'")" "bounced 5.1.2" "the VERP-matched row is bounced"
is "$(sql "SELECT count(*) FROM messages WHERE state = 'ignored'") $(sql "SELECT count(*) FROM outbox WHERE kind = 'staff' AND subject LIKE '%Zwrot%'")" \
	"5 2" "every report recorded ignored; two staff notices for two bounced replies"
done_testing

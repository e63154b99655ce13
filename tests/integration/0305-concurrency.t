#!/bin/sh
# 0305-concurrency: two mailreg processes registering and cancelling at the same
# time on one database never overbook: seats are counted under the
# write lock of each transaction (BEGIN IMMEDIATE), and a freed seat goes to the
# waiting list in the same transaction, so no seat stays empty while someone
# waits.  Several hundred operations: 300 registrations, 60 cancellations.
. "$(dirname "$0")/lib.sh"

plan 8

P=$DATA/programme
make_instance
# gen DIR FROM TO - applications uczestnikN (N from FROM to TO) made from info-01.eml.
gen() {
	mkdir -p "$1"
	i=$2
	while [ "$i" -le "$3" ]; do
		sed -e "s/uczestnik01@/u$i@/g" -e "s/^Message-ID: <info-01\\./Message-ID: <stress-$i./" \
			"$P/info-01.eml" >"$1/$i.eml"
		i=$((i + 1))
	done
}
gen "$T/first" 1000 1059
gen "$T/a" 2000 2119
gen "$T/b" 3000 3119
mr ingest "$T/first" >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM registrations WHERE status = 'confirmed'") $(sql "SELECT count(*) FROM registrations WHERE status = 'waitlisted'")" \
	"25 35" "setup: 60 applications, 25 confirmed, 35 waiting"
sql "SELECT code FROM registrations ORDER BY id" >"$T/codes"

# Process A ingests 120 applications in one run; process B alternates single
# ingests and `cancel` of the 60 from the setup (25 confirmed, 35 waiting) at
# the same time.
( mr ingest "$T/a" >"$T/a.out" 2>&1; echo "$?" >"$T/a.rc" ) &
pid=$!
n=0
fail=0
while read -r code; do
	n=$((n + 1))
	mr cancel "$code" >/dev/null 2>&1 || fail=$((fail + 1))
	mr ingest "$T/b/$((2999 + n)).eml" "$T/b/$((3059 + n)).eml" >/dev/null 2>&1 || fail=$((fail + 1))
done <"$T/codes"
wait "$pid"
is "$(cat "$T/a.rc") $fail" "0 0" "both processes finished without an error"

confirmed=$(sql "SELECT count(*) FROM registrations WHERE status = 'confirmed'")
waiting=$(sql "SELECT count(*) FROM registrations WHERE status = 'waitlisted'")
is "$(sql "SELECT count(*) FROM registrations")" 300 "300 registrations recorded"
is "$(sql "SELECT count(*) FROM registrations WHERE status = 'cancelled'")" 60 "60 cancelled"
is "$confirmed $waiting" "25 215" "never overbooked, no seat empty while someone waits: 25 confirmed, 215 waiting"
is "$(mr applicants --json | python3 -c 'import json, sys
p = sorted(r["position"] for a in json.load(sys.stdin) for r in a["registrations"] if r["status"] == "waitlisted")
print(p == list(range(1, len(p) + 1)))')" "True" "waiting-list positions are 1..215 without a gap"
is "$(sql "SELECT count(*) FROM events e WHERE e.waitlisted <> (SELECT count(*) FROM registrations r
	WHERE r.event_id = e.id AND r.status = 'waitlisted')")" 0 "every event's waiting-list counter matches its registrations"
# Promoted = confirmed now - confirmed before that were not cancelled.
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'promotion'")" \
	"$(sql "SELECT count(*) FROM registrations r WHERE r.status IN ('confirmed','cancelled') AND EXISTS
	(SELECT 1 FROM outbox o WHERE o.kind = 'waitlist' AND o.rcpt = (SELECT email FROM applicants WHERE id = r.applicant_id))")" \
	"one promotion mail for every waitlisted applicant who got a seat"

done_testing

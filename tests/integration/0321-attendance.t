#!/bin/sh
# 0321-attendance: `attendance EVENT [--session N] --present|--absent CODE...`
# records who attended which session; `attendance EVENT --json` shows it with
# the hours attended from the catalog's session hours (a workshop 14 teaching
# hours, the study visit 3 days of 8, a one-day meeting its length).  Only a
# confirmed registration can be marked present; an unknown event, session or
# code is an error naming it (65) and the whole command changes nothing.
. "$(dirname "$0")/lib.sh"

plan 18

P=$DATA/programme
make_instance
sed -e '/^\[INFO-CEN\]/,/^session1/s/^seats = 25/seats = 2/' "$ROOT/etc/catalog.ini" >"$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null 2>&1
mr ingest "$P/info-01.eml" "$P/info-02.eml" "$P/info-03.eml" "$P/ws-01.eml" >/dev/null 2>&1
code() { sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	JOIN events e ON e.id = r.event_id WHERE a.email LIKE '$1%' AND e.kind = '$2'"; }
c1=$(code uczestnik01@mops info_meeting)
c2=$(code uczestnik02@mops info_meeting)
c3=$(code uczestnik03@mops info_meeting)
w1=$(code uczestnik01@ops-bielsko workshop_group)
# sheet EVENT - "CODE:marks:hours" per participant, marks 1 present, 0 absent, - none.
sheet() {
	mr attendance "$1" --json | python3 -c 'import json, sys
print(" ".join("%s:%s:%d" % (p["code"], "".join("-" if s["present"] is None else str(int(s["present"]))
      for s in p["sessions"]), p["hours_attended"]) for p in json.load(sys.stdin)))'
}

is "$(sheet INFO-CEN)" "$c1:-:0 $c2:-:0" "nothing recorded: the confirmed listed, no hours"
mr attendance INFO-CEN --present "$c1" "$(echo "$c2" | tr 'A-Z' 'a-z')" >/dev/null
is "$?" 0 "two marked present (a code in lower case too)"
is "$(sheet INFO-CEN)" "$c1:1:4 $c2:1:4" "present at the 10:00-14:00 meeting: 4 hours each"
mr attendance INFO-CEN --absent "$c2" >/dev/null
is "$(sheet INFO-CEN)" "$c1:1:4 $c2:0:0" "a later mark replaces the earlier: absent, no hours"
is "$(sql "SELECT actor || ' ' || action || ' ' || record FROM audit WHERE action LIKE 'attendance.%' ORDER BY id" | tr '\n' ' ')" \
	"cli attendance.present registration:$c1 cli attendance.present registration:$c2 cli attendance.absent registration:$c2 " \
	"each mark is in the audit trail"

# Present only for a confirmed registration; the whole command or nothing.
mr attendance INFO-CEN --absent "$c1" >/dev/null
err=$(mr attendance INFO-CEN --present "$c1" "$c3" 2>&1 >/dev/null)
is "$?" 65 "a waitlisted registration marked present: exit 65"
like "$err" "$c3 is waitlisted, not a confirmed registration" "the error names the code and why"
is "$(sheet INFO-CEN)" "$c1:0:0 $c2:0:0" "nothing changed: the valid code in the same command was not marked either"
err=$(mr attendance INFO-CEN --present ZG-AAAA-BBBB 2>&1 >/dev/null)
is "$?" 65 "an unknown registration code: exit 65"
like "$err" "no registration ZG-AAAA-BBBB" "the error names the unknown code"
err=$(mr attendance INFO-CEN --present "$w1" 2>&1 >/dev/null)
like "$? $err" "^65 .*$w1 is a registration for WS-POLD-1, not INFO-CEN" "a code of another event: exit 65, named"
err=$(mr attendance INFO-NOWHERE --present "$c1" 2>&1 >/dev/null)
like "$? $err" "^65 .*no event INFO-NOWHERE" "an unknown event: exit 65, named"
mr cancel "$c1" >/dev/null 2>&1
mr attendance INFO-CEN --present "$c1" >/dev/null 2>&1
is "$?" 65 "a cancelled registration cannot be marked present"

# A workshop group: three sessions, 14 + 14 teaching hours and a 3-day visit.
mr attendance WS-POLD-1 --present "$w1" >/dev/null 2>&1
is "$?" 64 "more than one session: --session is needed (usage, 64)"
mr attendance WS-POLD-1 --session 1 --present "$w1" >/dev/null &&
	mr attendance WS-POLD-1 --session 2 --absent "$w1" >/dev/null &&
	mr attendance WS-POLD-1 --session 3 --present "$w1" >/dev/null
is "$?" 0 "sessions 1 and 3 present, 2 absent"
is "$(sheet WS-POLD-1)" "$w1:101:38" "hours attended: 14 (workshop 1) + 24 (study visit)"
err=$(mr attendance WS-POLD-1 --session 4 --present "$w1" 2>&1 >/dev/null)
like "$? $err" "^65 .*WS-POLD-1 has no session 4" "a session the event does not have: exit 65"
like "$(mr attendance WS-POLD-1)" "$w1  38 godz\\." "the text sheet shows the hours"

done_testing

#!/bin/sh
# 0302-placement: placement rules.  With workshop_placement = first, 50
# applicants of one subregion fill its 3 workshop groups (15 each) in
# start-date order and 5 wait; consulting
# requests beyond the topic's hour budget wait.
. "$(dirname "$0")/lib.sh"

plan 8

P=$DATA/programme
make_instance
# The old rule (mixed groups have their own test, 0320): the first group with a free seat.
printf '\n[programme]\nworkshop_placement = first\n' >>"$T/etc/mailreg.conf"
py() { python3 -c "import json, sys
d = json.load(sys.stdin)
$1"; }

# Group 3 starts first: the first group with a free seat *by start date*.
sed -e '/^\[WS-POLD-3\]/,/^session1/s/^session1 = | |/session1 = 2014-04-01T09:00 | 2014-04-02T15:00 |/' \
	"$ROOT/etc/catalog.ini" >"$T/catalog.ini"
mr catalog import "$T/catalog.ini" >/dev/null
is "$?" 0 "catalog import exits 0"
mr ingest "$P"/ws-*.eml >/dev/null 2>&1
is "$?" 0 "ingest of 50 workshop applications exits 0"
mr events --json >"$T/e.json"
is "$(py 'print(" ".join("%s:%d/%d+%d" % (e["code"], e["taken"], e["seats"], e["waitlist"]) for e in d if e["code"].startswith("WS-POLD")))' <"$T/e.json")" \
	"WS-POLD-1:15/15+0 WS-POLD-2:15/15+0 WS-POLD-3:15/15+5" "3 groups of 15 full, 5 on the waiting list of the first by date"
is "$(mr applicants --json | py '
by = {a["email"][:11]: a["registrations"][0] for a in d}
print(by["uczestnik01"]["event"], by["uczestnik16"]["event"], by["uczestnik31"]["event"],
      " ".join("%s:%s" % (by["uczestnik%02d" % i]["status"], by["uczestnik%02d" % i]["position"]) for i in (45, 46, 50)))')" \
	"WS-POLD-3 WS-POLD-1 WS-POLD-2 confirmed:None waitlisted:1 waitlisted:5" \
	"the dated group fills first, then the others by code; 46-50 wait in order"
is "$(mr events --json | py 'print(sum(e["taken"] for e in d if e["code"].startswith("WS-") and not e["code"].startswith("WS-POLD")))')" \
	"0" "no other subregion's group is touched"

# --- consulting: DOR-1 has 70 h, 20 h a request -> 3 requested, 2 waiting --------------
printf 'consulting_hours = 20\n' >>"$T/etc/mailreg.conf"
mr ingest "$P"/consult-*.eml >/dev/null 2>&1
is "$?" 0 "ingest of 5 consulting requests exits 0"
is "$(mr applicants --json | py '
print(" ".join("%s:%s:%s" % (r["event"], r["status"], r["position"]) for a in d if a["email"].endswith("rybnik.example.pl") for r in a["registrations"]))')" \
	"DOR-1:requested:None DOR-1:requested:None DOR-1:requested:None DOR-1:waitlisted:1 DOR-1:waitlisted:2" \
	"consulting: requests within the hour budget, the rest waitlisted"
is "$(mr events --json | py 'e = [x for x in d if x["code"] == "DOR-1"][0]; print(e["hours"], e["hours_used"], e["waitlist"])')" \
	"70 60 2" "events --json: DOR-1 70 h, 60 h used, 2 waiting"

done_testing

#!/bin/sh
# 0320-mixed-groups: [programme] workshop_placement = mixed (the default)
# spreads institution types over a subregion's workshop groups.  45
# applicants of one subregion, 15 each of OPS, PCPR (no type on the form: read
# from the institution's name) and NGO, arriving type by type, end with 5 of
# each type in each of the 3 groups; `first` keeps the old rule; two
# processes placing at once keep the balance and never exceed the seats; a
# freed place goes to the waiting applicant of the type the group holds
# fewest of, and the waiting lists themselves are mixed.
. "$(dirname "$0")/lib.sh"

plan 13

P=$DATA/programme
# gen DIR TYPE FROM TO - workshop applications uN (N from FROM to TO) of
# institution type TYPE made from ws-01.eml; PCPR forms leave the type out
# and name the institution instead.
gen() {
	mkdir -p "$1"
	i=$3
	while [ "$i" -le "$4" ]; do
		if [ "$2" = PCPR ]; then
			sed -e '/^Typ instytucji/d' \
				-e 's/^Nazwa instytucji: .*/Nazwa instytucji: Powiatowe Centrum Pomocy Rodzinie w Bielsku-Białej/'
		else
			sed -e "s/^\\(Typ instytucji.*\\): OPS\$/\\1: $2/"
		fi <"$P/ws-01.eml" |
			sed -e "s/uczestnik01@/u$i@/g" -e "s/^Message-ID: <ws-01\\./Message-ID: <mixed-$i./" >"$1/$i.eml"
		i=$((i + 1))
	done
}
# groups - "GROUP:OPS/PCPR/NGO" of the WS-POLD groups, from events --json.
groups() {
	mr events --json | python3 -c 'import json, sys
print(" ".join("%s:%d/%d/%d" % (e["code"], e["composition"].get("OPS", 0), e["composition"].get("PCPR", 0),
      e["composition"].get("NGO", 0)) for e in json.load(sys.stdin) if e["code"].startswith("WS-POLD")))'
}
gen "$T/ops" OPS 100 114
gen "$T/pcpr" PCPR 200 214
gen "$T/ngo" NGO 300 314

# --- one process, type by type ----------------------------------------------------
make_instance
mr ingest "$T/ops" >/dev/null 2>&1 && mr ingest "$T/pcpr" >/dev/null 2>&1 && mr ingest "$T/ngo" >/dev/null 2>&1
is "$?" 0 "45 workshop applications, type by type, ingested"
is "$(groups)" "WS-POLD-1:5/5/5 WS-POLD-2:5/5/5 WS-POLD-3:5/5/5" "mixed: every group holds 5 of each type"
is "$(sql "SELECT count(*) FROM applicants WHERE institution_type = 'PCPR'")" 15 \
	"the type a form leaves out is read from the institution's name (Powiatowe Centrum Pomocy Rodzinie: PCPR)"

# Three more: the waiting lists are mixed too (OPS, OPS, NGO -> groups 1, 2, 1).
gen "$T/more" OPS 400 401
gen "$T/more" NGO 402 402
mr ingest "$T/more/400.eml" "$T/more/401.eml" "$T/more/402.eml" >/dev/null 2>&1
is "$(sql "SELECT group_concat(e.code || ':' || a.email, ' ') FROM registrations r JOIN events e ON e.id = r.event_id
	JOIN applicants a ON a.id = r.applicant_id WHERE r.status = 'waitlisted' ORDER BY r.arrival")" \
	"WS-POLD-1:u400@ops-bielsko.example.pl WS-POLD-2:u401@ops-bielsko.example.pl WS-POLD-1:u402@ops-bielsko.example.pl" \
	"full groups: each waits where its type is least represented, counting those waiting"

# An NGO place in group 1 is freed: the NGO applicant waiting there gets it
# ahead of the OPS one who came first (group 1 then holds 4 NGO, 5 OPS).
code=$(sql "SELECT r.code FROM registrations r JOIN events e ON e.id = r.event_id JOIN applicants a ON a.id = r.applicant_id
	WHERE e.code = 'WS-POLD-1' AND a.institution_type = 'NGO' AND r.status = 'confirmed' ORDER BY r.arrival LIMIT 1")
mr cancel "$code" >/dev/null 2>&1
is "$?" 0 "cancel an NGO place in group 1"
is "$(sql "SELECT a.email || ':' || r.status FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email IN ('u400@ops-bielsko.example.pl', 'u402@ops-bielsko.example.pl') ORDER BY a.email")" \
	"$(printf 'u400@ops-bielsko.example.pl:waitlisted\nu402@ops-bielsko.example.pl:confirmed')" \
	"the freed place goes to the waiting NGO applicant, by the same rule"
is "$(groups)" "WS-POLD-1:5/5/5 WS-POLD-2:5/5/5 WS-POLD-3:5/5/5" "group 1 is mixed again"
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'promotion' AND rcpt = 'u402@ops-bielsko.example.pl'")" 1 \
	"the promoted applicant is told"

# --- the old rule -------------------------------------------------------------------
rm -rf "$T/etc" "$T/var" "$T/spool" "$T/outgoing"
make_instance
printf '\n[programme]\nworkshop_placement = first\n' >>"$T/etc/mailreg.conf"
mr ingest "$T/ops" >/dev/null 2>&1 && mr ingest "$T/pcpr" >/dev/null 2>&1 && mr ingest "$T/ngo" >/dev/null 2>&1
is "$(groups)" "WS-POLD-1:15/0/0 WS-POLD-2:0/15/0 WS-POLD-3:0/0/15" "first: each group filled in turn, one type each"

# --- two processes at once ----------------------------------------------------------
# A takes OPS, PCPR, NGO in one run; B the other half in the opposite order,
# one message at a time; then both send 6 more each to full groups.
rm -rf "$T/etc" "$T/var" "$T/spool" "$T/outgoing"
make_instance
mkdir -p "$T/a" "$T/b"
for i in 100 101 102 103 104 105 106 107 200 201 202 203 204 205 206 207 300 301 302 303 304 305 306 307; do
	cp "$T/ops/$i.eml" "$T/a/$i.eml" 2>/dev/null || cp "$T/pcpr/$i.eml" "$T/a/$i.eml" 2>/dev/null ||
		cp "$T/ngo/$i.eml" "$T/a/$i.eml"
done
gen "$T/extra" OPS 500 505
gen "$T/extra" NGO 506 511
( mr ingest "$T/a" >/dev/null 2>&1 && mr ingest "$T/extra"/50[0-5].eml >/dev/null 2>&1; echo "$?" >"$T/a.rc" ) &
pid=$!
fail=0
for f in "$T"/ngo/30[89].eml "$T"/ngo/31[0-4].eml "$T"/pcpr/20[89].eml "$T"/pcpr/21[0-4].eml \
	"$T"/ops/10[89].eml "$T"/ops/11[0-4].eml "$T"/extra/50[6-9].eml "$T"/extra/51[01].eml; do
	mr ingest "$f" >/dev/null 2>&1 || fail=$((fail + 1))
done
wait "$pid"
is "$(cat "$T/a.rc") $fail" "0 0" "both processes finished without an error"
is "$(mr events --json | python3 -c 'import json, sys
g = [e for e in json.load(sys.stdin) if e["code"].startswith("WS-POLD")]
print(" ".join("%d/%d" % (e["taken"], e["seats"]) for e in g), sum(e["waitlist"] for e in g))')" \
	"15/15 15/15 15/15 12" "never over the seats: 45 places, the other 12 wait"
g=$(groups)
is "$(echo "$g" | python3 -c 'import sys
ok = all(3 <= int(n) <= 7 for g in sys.stdin.read().split() for n in g.split(":")[1].split("/"))
print(ok)')" "True" "every group holds 3 to 7 of each type (got $g)"
is "$(sql "SELECT count(*) FROM events e WHERE e.waitlisted <> (SELECT count(*) FROM registrations r
	WHERE r.event_id = e.id AND r.status = 'waitlisted')")" 0 "every waiting-list counter matches its registrations"

done_testing

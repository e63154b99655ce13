#!/bin/sh
# 0004-resubmission: the same applicant (same e-mail, new Message-ID) sends the
# form again with one more form of support: the applicant is updated, only the
# new registration is added, and the first registration keeps its code.
. "$(dirname "$0")/lib.sh"

plan 19

P=$DATA/pipeline
EMAIL=agnieszka.wojcik@mops-zory.example.pl
MID1=20140221090000.100@mops-zory.example.pl
MID2=20140224101500.200@mops-zory.example.pl

make_instance

regs() {
	sql "SELECT group_concat(e.code || '=' || r.code || '/' || r.status, ' ') FROM
	     (SELECT * FROM registrations ORDER BY id) r JOIN events e ON e.id = r.event_id"
}

out=$(mr ingest "$P/resubmit-1.eml" 2>/dev/null)
is "$? $(printf '%s' "$out" | awk '{print $1}')" "0 registered" "first form: registered"
code1=$(sql "SELECT r.code FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.code = 'INFO-ZACH'")
like "$code1" '^ZG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$' "first form: INFO-ZACH registration with a code"
is "$(sql "SELECT phone || '|' || position FROM applicants WHERE email = '$EMAIL'")" \
	"32 434 00 01|pracownik socjalny" "first form: phone and position stored"
created=$(sql "SELECT created_at FROM applicants")

out=$(mr ingest "$P/resubmit-2.eml" 2>/dev/null)
is "$? $(printf '%s' "$out" | awk '{print $1}')" "0 registered" "resubmission: registered"
like "$out" 'INFO-ZACH already registered.*SZK-01 ZG-' "resubmission: ingest says INFO-ZACH is already registered, SZK-01 new"
is "$(sql "SELECT count(*) FROM applicants")" 1 "resubmission: still exactly one applicant row"
is "$(sql "SELECT phone || '|' || position FROM applicants WHERE email = '$EMAIL'")" \
	"32 434 00 99|starszy pracownik socjalny" "resubmission: the applicant's phone and position are updated"
is "$(sql "SELECT created_at FROM applicants")" "$created" "resubmission: created_at unchanged"
is "$(sql "SELECT count(*) FROM registrations")" 2 "resubmission: exactly one registration added"
like "$(regs)" "^INFO-ZACH=$code1/confirmed SZK-01=ZG-[0-9A-Z-]{9}/confirmed\$" \
	"resubmission: INFO-ZACH keeps its code $code1, SZK-01 confirmed (a free seat)"
is "$(sql "SELECT m.message_id FROM registrations r JOIN messages m ON m.id = r.message_id ORDER BY r.id" | tr '\n' ' ')" \
	"$MID1 $MID2 " "each registration points at the message that made it"
is "$(sql "SELECT count(DISTINCT applicant_id) || '/' || count(*) FROM messages WHERE state = 'registered'")" \
	"1/2" "both messages registered and linked to the same applicant"

# The same resubmission again (same Message-ID): a duplicate that changes nothing.
before=$(regs)
out=$(mr ingest "$P/resubmit-2.eml" 2>/dev/null)
is "$(printf '%s' "$out" | awk '{print $1}') $(regs)" "duplicate $before" "same Message-ID again: duplicate, registrations unchanged"

# A third copy under a new Message-ID asking for nothing new: no registration added.
sed "s/^Message-ID: .*/Message-ID: <20140225080000.300@mops-zory.example.pl>/" "$P/resubmit-2.eml" >"$T/third.eml"
out=$(mr ingest "$T/third.eml" 2>/dev/null)
is "$(printf '%s' "$out" | awk '{print $1}') $(regs)" "registered $before" \
	"third form, nothing new asked: registered, no registration added, codes kept"

mr applicants --json >"$T/app.json"
is "$(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
print(len(a), a[0]["email"], " ".join(r["event"] + "=" + r["code"] for r in a[0]["registrations"]))' "$T/app.json")" \
	"1 $EMAIL $(sql "SELECT group_concat(e.code || '=' || r.code, ' ') FROM (SELECT * FROM registrations ORDER BY id) r JOIN events e ON e.id = r.event_id")" \
	"applicants --json: one applicant with both registrations"

# The resubmission's confirmation lists both registrations, the old code included.
mr send >/dev/null 2>&1
is "$?" 0 "send exits 0"
python3 - "$T/outgoing" "$MID2" "$code1" >"$T/check" <<'EOF'
import email, email.policy, glob, re, sys
outdir, mid, code1 = sys.argv[1:4]
for p in glob.glob(outdir + "/*.eml"):
    m = email.message_from_bytes(open(p, "rb").read(), policy=email.policy.default)
    if m["In-Reply-To"] == "<%s>" % mid:
        body = m.get_body().get_content()
        print(" ".join(sorted(set(re.findall(r"ZG-[0-9A-Z]{4}-[0-9A-Z]{4}", body)))))
        print(m["To"].addresses[0].addr_spec)
EOF
code2=$(sql "SELECT r.code FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.code = 'SZK-01'")
want=$(printf '%s\n%s\n' "$code1" "$code2" | sort | tr '\n' ' ' | sed 's/ $//')
is "$(sed -n 1p "$T/check")" "$want" "resubmission confirmation lists the old code and the new one"
is "$(sed -n 2p "$T/check")" "$EMAIL" "resubmission confirmation goes to the applicant"
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'confirmation'")" 3 \
	"one confirmation per registered message (3), none for the duplicate"

done_testing

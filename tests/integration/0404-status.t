#!/bin/sh
# `mailreg status`: what works and what needs a person, for people (text) and
# monitoring (--json, exit 69 when a person is needed).
. "$(dirname "$0")/lib.sh"
plan 9

make_instance
MAILREG_NOW=2014-02-03T08:00 mr ingest "$DATA/demo" >/dev/null 2>&1
MAILREG_NOW=2014-02-03T08:00 mr send >/dev/null 2>&1

MAILREG_NOW=2014-02-03T09:00 mr status >"$T/s1" 2>&1
is $? 0 "all well: exit 0"
like "$(cat "$T/s1")" "^delivery: last worked 2014-02-03T07:00:00Z$" "last successful delivery shown"
like "$(cat "$T/s1")" "^review: +1 waiting, oldest since 2014-02-03T07:00:00Z" "review backlog shown"

# two days later the review backlog needs a person
MAILREG_NOW=2014-02-05T09:00 mr status >"$T/s2" 2>&1
is $? 69 "review older than a day: exit 69 (EX_UNAVAILABLE)"
like "$(cat "$T/s2")" "NEEDS A PERSON: a message has waited for review since 2014-02-03T07:00:00Z" "and says why"

# delivery that cannot reach its server is reported (a claimed port: nobody listens)
port=$(port_reserve)
printf '\n[smtp]\nurl = smtp://127.0.0.1:%s\nstarttls = false\n' "$port" >>"$T/etc/mailreg.conf"
MAILREG_NOW=2014-02-03T10:00 mr ingest "$DATA/pipeline/valid-8bit.eml" >/dev/null 2>&1
MAILREG_NOW=2014-02-03T10:00 mr send >/dev/null 2>&1
MAILREG_NOW=2014-02-03T10:05 mr status --json >"$T/s3.json" 2>/dev/null
is $? 69 "delivery stuck: exit 69"
is "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["delivery"]["last_ok"], d["outbox"]["deferred"] >= 1, any("delivery not working" in p for p in d["problems"]))' "$T/s3.json")" \
   "2014-02-03T07:00:00Z True True" "--json: last good delivery, deferred count, the problem"
is "$(python3 -c 'import json, sys; print(sorted(json.load(open(sys.argv[1]))))' "$T/s3.json")" \
   "['delivery', 'disk', 'imap', 'intake', 'outbox', 'problems', 'review', 'review_oldest']" "--json: the documented keys"
like "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["delivery"]["last_error"])' "$T/s3.json")" \
   "deferred, none sent" "--json: the last delivery error"
done_testing

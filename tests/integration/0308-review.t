#!/bin/sh
# 0308-review: `mailreg review` lists the messages waiting for a person and
# `review done ID` marks one dealt with.
. "$(dirname "$0")/lib.sh"

plan 6

X=$DATA/pipeline
make_instance
mr ingest "$X/review-no-form.eml" "$X/valid-8bit.eml" >/dev/null 2>&1
mr review --json >"$T/r.json"
is "$?" 0 "review --json exits 0"
id=$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d[0]["id"] if len(d) == 1 else "count %d" % len(d))' <"$T/r.json")
like "$id" "^[0-9]+$" "one message waits for a person"
like "$(mr review | tr "\n" " ")" "halina.dudek@ops-myszkow.example.pl  Pytanie o szkolenia .*no form found" "review lists sender, subject and the reason"
mr review done "$id" >/dev/null
is "$?" 0 "review done ID exits 0"
is "$(mr review)" "" "done: nothing left to review"
mr review done "$id" >/dev/null 2>&1
is "$?" 65 "marking it done twice exits 65"

done_testing

#!/bin/sh
# 0008-wild-corpus: real-world MIME test messages from other mail libraries
# (../shared/corpus/wild, see its README.md; used in place, never copied into
# the repository).  None is an application form: each must end in exactly one
# recorded outcome - review, ignored or duplicate - without a crash.
. "$(dirname "$0")/lib.sh"

W=$ROOT/../shared/corpus/wild
n=$(ls "$W"/*.eml 2>/dev/null | wc -l | tr -d ' ')
[ "$n" -eq 0 ] && skip_all "no corpus in $W"

plan $((n + 5))

make_instance

# One run per file, so a crash is pinned on its file and cannot hide the rest.
for f in "$W"/*.eml; do
	name=$(basename "$f")
	before=$(sql "SELECT count(*) FROM messages")
	mr ingest "$f" >"$T/out" 2>"$T/err"
	rc=$?
	after=$(sql "SELECT count(*) FROM messages")
	last=$(sql "SELECT state || '|' || coalesce(reason, '') FROM messages ORDER BY id DESC LIMIT 1")
	state=${last%%|*}
	reason=${last#*|}
	case $state in
	review | ignored | duplicate) good=1 ;;
	*) good=0 ;;
	esac
	if [ "$rc" -eq 0 ] && [ $((after - before)) -eq 1 ] && [ "$good" -eq 1 ] && [ -n "$reason" ]; then
		ok 0 "$name: $state"
	else
		ok 1 "$name: exit $rc, $((after - before)) new rows, state '$state'"
		printf '#   reason: %s\n' "$reason" | cut -c1-200
		sed 's/^/#   /' "$T/err" | head -5
	fi
done

is "$(sql "SELECT count(*) FROM messages")" "$n" "exactly one row per corpus file ($n)"
is "$(sql "SELECT count(*) FROM messages WHERE state NOT IN ('review','ignored','duplicate')")" 0 \
	"none registered or rejected"
is "$(sql "SELECT count(*) FROM applicants") $(sql "SELECT count(*) FROM registrations")" "0 0" \
	"no applicant, no registration"
is "$(ls "$T/spool/new" | wc -l | tr -d ' ') $(ls "$T/spool/cur" | wc -l | tr -d ' ')" "0 $n" \
	"spool: new/ empty, every file in cur/"
mr send >"$T/send.out" 2>&1
is "$?" 0 "the replies queued for the corpus can all be sent"

done_testing

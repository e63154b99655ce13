#!/bin/sh
# 0100-poll-inbox: without [imap], `mailreg poll --once` takes the *.eml files
# dropped into the local inbox folder ([paths] inbox, default <spool>/../inbox),
# records each once and moves it to inbox/processed/ after the commit; a crash
# between the steps is finished by the next pass, never processed twice.
. "$(dirname "$0")/lib.sh"
need_faults
plan 9

make_instance
mkdir -p "$T/inbox"
cp "$DATA"/demo/*.eml "$T/inbox/"
echo "not a message" >"$T/inbox/notes.txt"

out=$(mr poll --once 2>&1)
is "$?" 0 "poll --once on the local inbox exits 0"
is "$(printf '%s\n' "$out" | grep -c ' inbox/')" 5 "one line per .eml file"
like "$out" "poll: 2 registered, 1 rejected, 1 review, 0 ignored, 1 duplicate; 5 acknowledged" "summary"
is "$(ls "$T/inbox/processed" | wc -l | tr -d ' ') $(ls "$T/inbox")" "5 notes.txt
processed" "the files moved to inbox/processed; other files left alone"
out=$(mr poll --once 2>&1)
is "$? $(sql "SELECT count(*) FROM messages")" "0 5" "a second pass does nothing"

# Crashes: after the spool write, and after the commit before the move.
for fault in inbox-after-spool inbox-before-move; do
	sed "s/^Message-ID: <\(.*\)>/Message-ID: <$fault.\1>/" "$DATA/pipeline/valid-qp.eml" >"$T/inbox/$fault.eml"
	MAILREG_FAULT=$fault mr poll --once >/dev/null 2>&1
	rc=$?
	out=$(mr poll --once 2>&1)
	is "$rc $? $(sql "SELECT count(*) FROM messages WHERE message_id LIKE '$fault.%'") $(ls "$T/inbox/processed" | grep -c "$fault")" \
		"137 0 1 1" "$fault: killed, the next pass records it exactly once and moves it"
done
is "$(ls -A "$T/inbox/.claimed" | wc -l | tr -d ' ') $(ls "$T/spool/new" | wc -l | tr -d ' ')" "0 0" \
	"nothing left claimed or in spool/new"

# [paths] inbox names another folder.
mkdir -p "$T/drop"
cp "$DATA/pipeline/valid-8bit.eml" "$T/drop/a.eml"
sed -i "s|^\[paths\]|[paths]\ninbox = ../drop|" "$T/etc/mailreg.conf"
out=$(mr poll --once 2>&1)
like "$? $out" "^0 registered +inbox/a.eml" "[paths] inbox = ../drop is used"

done_testing

#!/bin/sh
# 0104-imap-group-commit: an IMAP pass records the messages of each fetched
# batch in one SQLite transaction, each message inside its own SAVEPOINT.  A
# message that falls back to review (the catalog has no event for its form)
# undoes only its own effects; the others of the batch stay registered.  A
# crash before or after the batch COMMIT, or between a spool rename and the
# fsync of new/, loses nothing and records nothing twice.
. "$(dirname "$0")/lib.sh"
need_faults
. "$(dirname "$0")/lib-dovecot.sh"

plan 16

make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; sed 's/^/# /' "$DOVECOT_DIR/log"; exit 1; }
imap_conf

# --- one message's fallback to review touches only that message ----------------------------
# Without consulting events, a form asking for Doradztwo cannot be placed: the
# registration is undone and the message recorded as review, inside the batch.
sql "DELETE FROM events WHERE kind = 'consulting'"
make_messages 30 "$T/a"
for f in "$T"/a/*.eml; do deliver "$f"; done
mr poll --once >"$T/a.out" 2>"$T/a.err"
is "$?" 0 "a pass over 30 messages with placement failures exits 0"
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM messages") $(imap_count INBOX)" "30 30 0" \
	"30 messages recorded once each, INBOX empty"
fallback=$(sql "SELECT count(*) FROM messages WHERE state = 'review' AND reason LIKE 'catalog has no event%'")
like "$fallback" "^[1-9]" "some messages ($fallback) fell back to review inside the batch"
like "$(sql "SELECT count(*) FROM messages WHERE state = 'registered'")" "^[1-9]" \
	"the other messages of the same batches stay registered"
is "$(sql "SELECT count(*) FROM registrations r JOIN messages m ON m.id = r.message_id WHERE m.state != 'registered'") $(sql "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.inbound_id WHERE m.reason LIKE 'catalog has no event%' AND o.kind = 'confirmation'")" \
	"0 0" "a fallen-back message keeps no registration and no confirmation"
is "$(sql "SELECT count(*) FROM applicants WHERE id NOT IN (SELECT applicant_id FROM messages WHERE applicant_id IS NOT NULL)")" \
	0 "no applicant without the registered message that created it"
is "$(sql "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.inbound_id WHERE m.reason LIKE 'catalog has no event%' AND o.kind = 'review'")" \
	"$fallback" "each fallen-back message queued its review reply"
mr init >/dev/null 2>&1   # the catalog back (init imports it again)

# --- crashes around the group commit -------------------------------------------------------------
rows=$(sql "SELECT count(*) FROM messages")
for fault in register-before-commit register-after-commit spool-rename; do
	make_messages 12 "$T/$fault"
	sed -i "s/^Message-ID: <m/Message-ID: <$fault/" "$T/$fault"/*.eml
	for f in "$T/$fault"/*.eml; do deliver "$f"; done
	MAILREG_FAULT=$fault mr poll --once >"$T/f1.out" 2>&1
	is "$?" 137 "$fault: killed (SIGKILL)"
	mr poll --once >"$T/f2.out" 2>&1
	rows=$((rows + 12))
	is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM messages") $(sql "SELECT count(*) FROM messages WHERE message_id LIKE '$fault%'")" \
		"$rows $rows 12" "$fault: each of the 12 messages recorded exactly once"
	is "$(imap_count INBOX) $(sql "SELECT count(*) FROM imap_messages WHERE state = 'pending'") $(ls "$T/spool/new" | wc -l | tr -d ' ')" \
		"0 0 0" "$fault: INBOX empty, nothing pending, spool new/ empty"
done

done_testing

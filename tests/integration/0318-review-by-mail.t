#!/bin/sh
# 0318-review-by-mail: staff settle review items by replying to the notice,
# through the real intake (Dovecot, `poll --once`) and a real SMTP receiver:
# ZATWIERDŹ with corrected fields registers (the applicant's confirmation
# arrives), ODRZUĆ rejects listing the problems, ODPOWIEDŹ answers in the
# applicant's thread; staff get a confirmation.  A forged From without the
# token, another item's token, a non-staff sender with a valid token, a reply
# without a command and an item already settled (by mail or the CLI) each
# change nothing, are recorded (ignored, with their reason code) and staff
# are told why.  A colleague's own address in [web] staff_addresses counts as
# staff; an address in neither list does not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
. "$(dirname "$0")/smtp.sh"

plan 45

STAFF=kadry@rops.example.pl
make_instance
dovecot_start || { echo "Bail out! dovecot did not start"; sed 's/^/# /' "$DOVECOT_DIR/log"; exit 1; }
smtp_start
smtp_config
printf '\n[web]\nbase_url = https://rejestracja.rops.example.pl/\n' >>"$T/etc/mailreg.conf"
printf 'staff_addresses = Anna Kowalska <anna.kowalska@rops.example.pl>, jan.nowak@rops.example.pl\n' >>"$T/etc/mailreg.conf"
imap_conf

# seven review items: 1 says two fields of the form (too few to read it), the others none
for n in 1 2 3 4 5 6 7; do
	sed -e "s/^Message-ID: <.*>/Message-ID: <pytanie-$n@ops-myszkow.example.pl>/" \
	    -e "s/^Subject: .*/Subject: Pytanie $n/" "$DATA/pipeline/review-no-form.eml" >"$T/q$n.eml"
done
printf 'Imię: Halina\nNazwisko: Dudkowa\n' >>"$T/q1.eml"
mr ingest "$T"/q[1-7].eml >/dev/null 2>&1
item() { sql "SELECT id FROM messages WHERE message_id = 'pytanie-$1@ops-myszkow.example.pl'"; }
notice() { sql "SELECT message_id FROM outbox WHERE kind = 'staff' AND inbound_id = $(item "$1")"; }
is "$(sql "SELECT count(*) FROM messages WHERE state = 'review' AND reason_code = 'no_form'")" 7 "setup: seven review items"
mr send >/dev/null 2>&1

# rx_mail MESSAGE-ID - "To | Subject | In-Reply-To", then the text, of the mail the receiver got
rx_mail() {
	"$PY" - "$RX" "$1" <<'PY'
import email, email.policy, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    if m["Message-ID"].strip() == "<%s>" % sys.argv[2]:
        print(m["To"], "|", m["Subject"], "|", m["In-Reply-To"])
        print(m.get_body(("plain",)).get_content())
        print("PARTS", " ".join(p.get_content_type() for p in m.walk()))
PY
}
# rx_reply_to MESSAGE-ID SUBJECT - the same for the mail answering MESSAGE-ID whose subject starts SUBJECT
rx_reply_to() {
	"$PY" - "$RX" "$1" "$2" <<'PY'
import email, email.policy, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    if (m["In-Reply-To"] or "").strip() == "<%s>" % sys.argv[2] and str(m["Subject"]).startswith(sys.argv[3]):
        print(m["To"], "|", m["Subject"], "|", m["In-Reply-To"])
        print(m.get_body(("plain",)).get_content())
PY
}

# --- the notice
rx_mail "$(notice 1)" >"$T/notice1"
like "$(head -1 "$T/notice1")" "^$STAFF \| \[mailreg\] Wiadomość do sprawdzenia nr $(item 1): Pytanie 1 \| None$" "the notice reached staff"
like "$(cat "$T/notice1")" "Powód:   W wiadomości nie znaleziono wypełnionego formularza zgłoszeniowego\." "its reason is in Polish"
like "$(cat "$T/notice1")" "Imię: Halina" "it lists the recognised fields as 'Pole: wartość' lines"
like "$(cat "$T/notice1")" "W konsoli: https://rejestracja\.rops\.example\.pl/review/$(item 1)$" "it links the console"
like "$(cat "$T/notice1")" "PARTS multipart/mixed text/plain message/rfc822 text/plain" "the original message is attached as message/rfc822"
like "$(notice 1)" "^review-$(item 1)-[0-9a-f]{64}@rops\.example\.pl$" "its Message-ID holds the item's token"
is "$(grep -c '/spool/' "$T/notice1")" 0 "no server path in the notice"
mr review --json >/dev/null

# reply FROM IN-REPLY-TO NAME - a staff reply (body on stdin) delivered into the Dovecot inbox
reply() {
	{
		printf 'From: %s\nTo: rejestracja@rops.example.pl\nSubject: Re: notice\n' "$1"
		printf 'Message-ID: <%s@staff.example.pl>\nDate: Mon, 03 Mar 2014 10:00:00 +0100\n' "$3"
		[ -n "$2" ] && printf 'In-Reply-To: <%s>\nReferences: <%s>\n' "$2" "$2"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n'
		cat
	} >"$T/$3.eml"
	deliver "$T/$3.eml"
}
snapshot() { sql "SELECT (SELECT group_concat(id || ':' || state || ':' || (reviewed_at IS NOT NULL), ' ') FROM messages
	WHERE message_id LIKE 'pytanie-%'), (SELECT count(*) FROM registrations), (SELECT count(*) FROM outbox WHERE kind <> 'staff'),
	(SELECT count(*) FROM audit)"; }
staff_msg() { sql "SELECT state || ' ' || reason_code FROM messages WHERE message_id = '$1@staff.example.pl'"; }
told() { sql "SELECT message_id FROM outbox WHERE kind = 'staff' AND inbound_id = (SELECT id FROM messages WHERE message_id = '$1@staff.example.pl')"; }

# --- approve with a corrected field, reject, answer: one poll
reply "Kadry ROPS <$STAFF>" "$(notice 1)" approve <<EOF
Zatwierdź
Nazwisko: Dudek
Nazwa instytucji: OPS Myszków
Powiat: myszkowski
info_meeting: tak
consent: tak

W dniu 3.03.2014 mailreg pisze:
> Wiadomość wymaga decyzji pracownika.
reply "Kadry ROPS <$STAFF>" "$(notice 1)" approve <<EOF
Zatwierdź
Nazwisko: Dudek
Nazwa instytucji: OPS Myszków
Powiat: myszkowski
info_meeting: tak
consent: tak

W dniu 3.03.2014 mailreg pisze:
> Wiadomość wymaga decyzji pracownika.
> ODRZUĆ
EOF
reply "$STAFF" "$(notice 2)" reject <<EOF
ODRZUĆ
1. Brak formularza zgłoszeniowego w wiadomości.
2. Prosimy o podanie powiatu.
EOF
reply "$STAFF" "$(notice 3)" answer <<EOF
odpowiedz
Szkolenia dla powiatu myszkowskiego zaczną się w marcu.
-- 
Anna z ROPS
EOF
mr poll --once >"$T/poll1.out" 2>"$T/poll1.err"
is "$?" 0 "poll --once takes the three staff replies"
mr send >/dev/null 2>&1

is "$(sql "SELECT state || ' ' || (reviewed_at IS NOT NULL) FROM messages WHERE id = $(item 1)")" "registered 1" "item 1 registered"
is "$(sql "SELECT a.last_name || ' ' || a.powiat FROM applicants a JOIN messages m ON m.applicant_id = a.id WHERE m.id = $(item 1)")" \
	"Dudek powiat myszkowski" "with the corrected last name (the staff line wins over the message's) and the typed powiat"
rx_reply_to "pytanie-1@ops-myszkow.example.pl" Potwierdzenie >"$T/conf1"
like "$(head -1 "$T/conf1")" "^Halina Dudek <halina\.dudek@ops-myszkow\.example\.pl> \| Potwierdzenie" "the applicant's confirmation arrived"
like "$(cat "$T/conf1")" "Kod zgłoszenia: ZG-" "with the registration code"
is "$(staff_msg approve)" "ignored staff_command" "the staff reply is recorded once, ignored, staff_command"
rx_mail "$(told approve)" >"$T/told1"
like "$(head -1 "$T/told1")" "^$STAFF \| \[mailreg\] Wykonano: wiadomość nr $(item 1) \| <approve@staff\.example\.pl>$" \
	"staff get a confirmation, threaded to their reply"
like "$(cat "$T/told1")" "zgłoszenie zatwierdzone i zarejestrowane" "in Polish"

is "$(sql "SELECT state || ' ' || reason_code FROM messages WHERE id = $(item 2)")" "rejected staff_rejected" "item 2 rejected"
rx_reply_to "pytanie-2@ops-myszkow.example.pl" Formularz >"$T/rej2"
like "$(tr '\n' ' ' <"$T/rej2")" "Formularz zgłoszeniowy wymaga poprawek .*1\. Brak formularza zgłoszeniowego w wiadomości\. 2\. Prosimy o podanie powiatu\." \
	"the applicant's rejection lists the problems"

rx_reply_to "pytanie-3@ops-myszkow.example.pl" Re: >"$T/ans3"
like "$(head -1 "$T/ans3")" "^Halina Dudek <halina\.dudek@ops-myszkow\.example\.pl> \| Re: Pytanie 3 \| <pytanie-3@ops-myszkow\.example\.pl>$" \
	"the answer arrived in the applicant's thread"
like "$(cat "$T/ans3")" "Szkolenia dla powiatu myszkowskiego zaczną się w marcu\." "with the staff member's text"
is "$(grep -c 'Anna z ROPS' "$T/ans3")" 0 "without the staff member's signature"
is "$(sql "SELECT group_concat(x, ', ') FROM (SELECT actor || ' ' || action || ' ' || record AS x FROM audit ORDER BY record)")" \
	"mail:$STAFF review.register message:$(item 1), mail:$STAFF review.reject message:$(item 2), mail:$STAFF review.answer message:$(item 3)" \
	"one audit row each, actor mail:ADDRESS"

# --- refusals: nothing changes, each recorded with its reason, staff told
reply "Kadry ROPS <$STAFF>" "" forged <<EOF
ZATWIERDŹ
info_meeting: tak
EOF
other=$(notice 5 | sed "s/^review-$(item 5)-/review-$(item 4)-/")
reply "$STAFF" "$other" swapped <<EOF
ODRZUĆ
Brak formularza.
EOF
reply "Jan Obcy <jan@obcy.example.pl>" "$(notice 4)" outsider <<EOF
ODPOWIEDŹ
Tekst.
EOF
reply "$STAFF" "$(notice 4)" chatter <<EOF
Dziękuję, zajmę się tym jutro.
EOF
reply "$STAFF" "$(notice 1)" again <<EOF
ODRZUĆ
Jednak nie.
EOF
mr review done "$(item 5)" >/dev/null 2>&1
before=$(snapshot)
reply "$STAFF" "$(notice 5)" afterclid <<EOF
ODPOWIEDŹ
Tekst.
EOF
mr poll --once >"$T/poll2.out" 2>"$T/poll2.err"
is "$?" 0 "poll --once takes the six refused replies"
mr send >/dev/null 2>&1
is "$(snapshot)" "$before" "nothing changed: items, registrations, replies, audit"
is "$(staff_msg forged)" "ignored staff_no_token" "a forged From without the token: recorded, staff_no_token"
is "$(staff_msg swapped)" "ignored staff_wrong_token" "another item's token: staff_wrong_token"
is "$(staff_msg outsider)" "ignored staff_not_staff" "a non-staff sender with a valid token: staff_not_staff"
is "$(staff_msg chatter)" "ignored staff_unknown_command" "a reply without a command: staff_unknown_command"
is "$(staff_msg again)" "ignored staff_settled" "settling item 1 again by mail: staff_settled"
is "$(staff_msg afterclid)" "ignored staff_settled" "an item settled by the CLI, then by mail: staff_settled"
like "$(cat "$T/poll2.err")" "review: by mail from $STAFF: staff reply to the review notice of message \?: refused, staff_no_token" \
	"the log says why"
for r in forged swapped outsider chatter again afterclid; do
	rx_mail "$(told $r)" >"$T/told-$r"
done
like "$(head -1 "$T/told-forged")" "^$STAFF \| \[mailreg\] Nie wykonano polecenia: Re: notice \| <forged@staff\.example\.pl>$" \
	"staff are told of the forged command"
like "$(cat "$T/told-forged")" "Powód:   Polecenie bez ważnego znacznika powiadomienia" "why, in Polish"
like "$(cat "$T/told-swapped")" "Znacznik w odpowiedzi nie pasuje do tej sprawy" "another item's token: staff told why"
like "$(cat "$T/told-outsider")" "Od:      jan@obcy\.example\.pl" "a non-staff sender: staff told who"
like "$(cat "$T/told-outsider")" "Nadawca nie jest pracownikiem uprawnionym" "with the reason"
like "$(cat "$T/told-again")" "Sprawa została już wcześniej rozstrzygnięta\." "settled twice: refused politely"
is "$(sql "SELECT count(*) FROM outbox WHERE rcpt = 'jan@obcy.example.pl'")" 0 "the non-staff sender gets nothing"

# --- [web] staff_addresses: a colleague answering from her own mailbox
reply "Anna Kowalska <Anna.Kowalska@rops.example.pl>" "$(notice 6)" colleague <<EOF
ODPOWIEDŹ
Odpowiemy w przyszłym tygodniu.
EOF
reply "Zofia <zofia@rops.example.pl>" "$(notice 7)" stranger <<EOF
ODPOWIEDŹ
Tekst.
EOF
mr poll --once >"$T/poll3.out" 2>"$T/poll3.err"
is "$?" 0 "poll --once takes a colleague's and a stranger's reply"
is "$(staff_msg colleague)" "ignored staff_command" "a sender only in [web] staff_addresses (any case): carried out"
is "$(sql "SELECT (reviewed_at IS NOT NULL) || ' ' || (SELECT actor FROM audit WHERE record = 'message:' || m.id)
	FROM messages m WHERE m.id = $(item 6)")" "1 mail:anna.kowalska@rops.example.pl" "item 6 settled, audited with her address"
is "$(staff_msg stranger)" "ignored staff_not_staff" "a sender in neither [mail] staff nor staff_addresses: staff_not_staff"
is "$(sql "SELECT reviewed_at IS NULL FROM messages WHERE id = $(item 7)")" 1 "item 7 still open"

# --- mail first, then the CLI (the console takes the same path)
mr review done "$(item 2)" >/dev/null 2>"$T/cli.err"
is "$?" 65 "review done after the mail settled it: refused (65)"
like "$(cat "$T/cli.err")" "message $(item 2) is not in review \(it is rejected\): already settled" "with a clear reason"
done_testing
